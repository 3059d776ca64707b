import { readFileSync } from 'fs';
import { join } from 'path';

import { mapEvents, type MappedRecord, type MapperTarget } from '../../core';
import { campaignEvents } from '../helpers/eventStream';

export interface BuiltCall {
	method: string;
	url: string;
	headers: Record<string, string>;
	payload: unknown;
}

interface FlowNode {
	type: string;
	name?: string;
	func?: string;
}

/** Runs the named function node of an example the way Node-RED would, with `env.get` from `vars`. */
export function exampleFunction(file: string, name: string, vars: Record<string, string>): (payload: unknown) => BuiltCall | null {
	const flow = JSON.parse(readFileSync(join(__dirname, '..', '..', 'examples', file), 'utf8')) as FlowNode[];
	const node = flow.find((n) => n.type === 'function' && n.name === name);
	if (!node?.func) throw new Error(`${file} has no function node "${name}"`);
	const run = new Function('msg', 'env', node.func) as (msg: unknown, env: unknown) => BuiltCall | null;
	const env = { get: (key: string) => vars[key] };
	return (payload) => run({ payload, _mailtargetQueue: { batchId: 'b1' } }, env);
}

/** The records the mapper makes of a campaign for `contacts` recipients (see campaignEvents), "other" left out. */
export function campaignRecords(target: MapperTarget, contacts: number, start?: number): MappedRecord[] {
	return mapEvents(campaignEvents(contacts, start), { target })
		.filter((e) => e.ok && e.route !== 'other')
		.map((e) => (e.ok ? e.record : (undefined as never)));
}

/** Sends a call an example built, as its http request node would. */
export async function send(call: BuiltCall | null): Promise<number> {
	if (call === null) throw new Error('the example built no call');
	const res = await fetch(call.url, { method: call.method, headers: call.headers, body: JSON.stringify(call.payload) });
	await res.arrayBuffer();
	return res.status;
}
