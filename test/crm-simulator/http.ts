import type { CrmSimulator } from '../../tools/crm-simulator';

export interface Answer {
	status: number;
	headers: Headers;
	/** Parsed JSON, loosely typed so tests can reach into it. */
	body: any;
}

/** One request over loopback; objects are sent as JSON, strings as they are. */
export async function call(
	sim: CrmSimulator,
	method: string,
	path: string,
	body?: unknown,
	headers: Record<string, string> = {},
): Promise<Answer> {
	const init: RequestInit = { method, headers: { 'Content-Type': 'application/json', ...headers } };
	if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
	const res = await fetch(sim.url + path, init);
	const text = await res.text();
	return { status: res.status, headers: res.headers, body: text === '' ? undefined : JSON.parse(text) };
}

/** A clock the test moves by hand. */
export function manualClock(start = 1_700_000_000_000) {
	let t = start;
	return {
		now: () => t,
		advance(ms: number) {
			t += ms;
		},
	};
}
