/** What a message sent by a node can reach by its wires, as far as the runtime lets us see. */
export type Downstream = 'queue' | 'none' | 'unknown';

interface WiredNode {
	type?: string;
	wires?: string[][];
}

/** Nodes that pass messages on by other means than wires (links, subflows): what lies behind them is not followed. */
function hidesItsTargets(type: string): boolean {
	return type === 'link out' || type === 'link call' || type.startsWith('subflow:');
}

/**
 * Follows the wires from `wires` (a node's outputs): 'queue' when a mailtarget-crm-queue can be
 * reached, 'unknown' when a link or subflow is in the way, 'none' otherwise.
 */
export function downstreamOf(wires: readonly string[][] | undefined, getNode: (id: string) => unknown): Downstream {
	const seen = new Set<string>();
	const next = (wires ?? []).flat();
	let unknown = false;
	while (next.length > 0) {
		const id = next.pop() as string;
		if (seen.has(id)) continue;
		seen.add(id);
		const node = getNode(id) as WiredNode | null | undefined;
		const type = node?.type ?? '';
		if (type === 'mailtarget-crm-queue') return 'queue';
		if (hidesItsTargets(type)) unknown = true;
		for (const output of node?.wires ?? []) next.push(...output);
	}
	return unknown ? 'unknown' : 'none';
}
