/**
 * How many outputs the Node-RED editor gives a node it imports: the node's own `outputs` where
 * its type keeps outputs as a property (function, switch, our mapper), else the type's fixed
 * count. The editor cuts `wires` down to that count (`node.wires longer than node.outputs -
 * trimming wires`), so every wire past it is lost on import.
 */
const FIXED_OUTPUTS: Record<string, number> = {
	'mailtarget-trigger': 1,
	'mailtarget-dedupe': 2,
	'mailtarget-crm-queue': 3,
	'http in': 1,
	'http request': 1,
	'http response': 0,
	catch: 1,
	status: 1,
	complete: 1,
	comment: 0,
	debug: 0,
	inject: 1,
	change: 1,
	delay: 1,
	'link in': 1,
	'link out': 0,
};
const OUTPUTS_AS_PROPERTY: Record<string, number> = { 'mailtarget-event-mapper': 1, function: 1, switch: 1 };

export type FlowFileNode = Record<string, unknown>;

/** One line per node whose wires the editor would cut on import; empty when the flow survives import whole. */
export function wiresTheEditorWouldTrim(flow: readonly FlowFileNode[]): string[] {
	const problems: string[] = [];
	for (const node of flow) {
		if (!Array.isArray(node.wires)) continue;
		const type = String(node.type);
		const name = `${type} "${String(node.name || node.id)}"`;
		let outputs: number | undefined = FIXED_OUTPUTS[type];
		if (type in OUTPUTS_AS_PROPERTY) outputs = node.outputs === undefined ? OUTPUTS_AS_PROPERTY[type] : Number(node.outputs);
		if (outputs === undefined) problems.push(`${name}: a type this check does not know; add its output count`);
		else if (node.wires.length > outputs) problems.push(`${name}: ${node.wires.length} wires but ${outputs} output(s); set "outputs": ${node.wires.length}`);
	}
	return problems;
}

/** Throws when the editor would cut wires of the flow: call it before deploying an example through /flows. */
export function assertEditorKeepsWires(flow: readonly FlowFileNode[]): void {
	const problems = wiresTheEditorWouldTrim(flow);
	if (problems.length > 0) throw new Error(`The Node-RED editor would drop wires of this flow on import:\n${problems.join('\n')}`);
}
