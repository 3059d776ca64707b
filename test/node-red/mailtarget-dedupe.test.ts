import { existsSync, mkdtempSync, readdirSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import { eventsFromJson } from '../../core/payload/parse';
import dedupeModule from '../../node-red/mailtarget-dedupe/mailtarget-dedupe';
import { officialBatch } from '../helpers/fixtures';
import { helper, withRuntime } from './nodeRedHelper';

type Msg = { payload: Record<string, unknown>; firstSeenAt?: string; _msgid?: string; [key: string]: unknown };
type TestNode = ReturnType<typeof helper.getNode>;

const events = () => {
	const parsed = eventsFromJson(officialBatch());
	if (!parsed.ok) throw parsed.error;
	return parsed.events;
};

const setFlows = (flow: unknown[], type: 'full' | 'nodes') =>
	(helper as unknown as { setFlows(flow: unknown[], type: string): Promise<void> }).setFlows(flow, type);

function dedupeFlow(dedupe: Record<string, unknown> = {}, id = 'dedupe') {
	return [
		{ id, type: 'mailtarget-dedupe', name: '', wires: [[`${id}-kept`], [`${id}-discarded`]], ...dedupe },
		{ id: `${id}-kept`, type: 'helper' },
		{ id: `${id}-discarded`, type: 'helper' },
	];
}

/** Collects what reaches the two outputs of a dedupe node. */
function outputs(id = 'dedupe') {
	const kept: Msg[] = [];
	const discarded: Msg[] = [];
	helper.getNode(`${id}-kept`).on('input', (msg: Msg) => kept.push(msg));
	helper.getNode(`${id}-discarded`).on('input', (msg: Msg) => discarded.push(msg));
	return { kept, discarded };
}

/** Sends messages one by one, each once the node has sent the one before on. */
async function feed(node: TestNode, messages: Msg[]): Promise<void> {
	const emitter = node as unknown as { once(event: string, listener: () => void): void };
	for (const msg of messages) {
		const handled = new Promise<void>((resolve) => emitter.once('call:send', () => resolve()));
		node.receive(msg);
		await handled;
	}
}

const waitFor = async (check: () => boolean) => {
	for (let tries = 0; tries < 200 && !check(); tries += 1) await new Promise((resolve) => setTimeout(resolve, 5));
};

describe('mailtarget-dedupe in a Node-RED runtime', () => {
	const runtime = withRuntime(dedupeModule);
	let userDir: string;

	beforeEach((done) => {
		userDir = mkdtempSync(join(tmpdir(), 'mt-nr-dedupe-'));
		helper.settings({ userDir });
		helper.startServer(done);
	});
	afterEach(async () => {
		await helper.unload();
		await new Promise<void>((resolve) => helper.stopServer(() => resolve()));
		rmSync(userDir, { recursive: true, force: true });
	});

	async function load(flow: unknown[]) {
		await helper.load(runtime.modules, flow);
		for (const node of flow as Array<{ id: string }>) expect(helper.getNode(node.id)).toBeTruthy();
	}

	it('sends each event to the first output once, and copies to the second with msg.firstSeenAt', async () => {
		await load(dedupeFlow());
		const { kept, discarded } = outputs();
		const before = Date.now();
		await feed(helper.getNode('dedupe'), events().map((payload) => ({ payload })));
		await feed(helper.getNode('dedupe'), events().map((payload) => ({ payload: { ...payload, retryCount: 1 } })));
		await waitFor(() => discarded.length === 7);
		expect(kept.map((msg) => msg.payload.eventId)).toEqual(events().map((event) => event.eventId));
		expect(discarded.map((msg) => msg.payload.eventId)).toEqual(events().map((event) => event.eventId));
		for (const msg of discarded) {
			expect(Date.parse(msg.firstSeenAt ?? '')).toBeGreaterThanOrEqual(before);
			expect(Date.parse(msg.firstSeenAt ?? '')).toBeLessThanOrEqual(Date.now());
			expect(msg.firstSeenAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
		}
		expect(kept.every((msg) => msg.firstSeenAt === undefined)).toBe(true);
	});

	it('keeps exactly one of many copies that arrive at the same time', async () => {
		await load(dedupeFlow());
		const { kept, discarded } = outputs();
		const node = helper.getNode('dedupe');
		const payload = events()[2];
		for (let copy = 0; copy < 20; copy += 1) node.receive({ payload });
		await waitFor(() => kept.length + discarded.length === 20);
		expect([kept.length, discarded.length]).toEqual([1, 19]);
	});

	it.each([
		['the fields you list', { keyType: 'fields', keyFields: 'recipient, type' }],
		['a msg property', { keyType: 'msg', keyProperty: 'topic' }],
	])('takes the key from %s', async (_case, settings) => {
		await load(dedupeFlow(settings));
		const { kept, discarded } = outputs();
		const open = { recipient: 'jane@example.com', type: 'open', eventId: '1' };
		await feed(helper.getNode('dedupe'), [
			{ payload: open, topic: 'jane|open' },
			{ payload: { ...open, eventId: '2' }, topic: 'jane|open' },
			{ payload: { ...open, type: 'click', eventId: '3' }, topic: 'jane|click' },
		]);
		await waitFor(() => kept.length + discarded.length === 3);
		expect(kept.map((msg) => msg.payload.eventId)).toEqual(['1', '3']);
		expect(discarded.map((msg) => msg.payload.eventId)).toEqual(['2']);
	});

	it('treats a mapped record (payload.id = mailtarget:...) as the event it came from', async () => {
		await load(dedupeFlow());
		const { discarded } = outputs();
		const event = events()[1];
		await feed(helper.getNode('dedupe'), [{ payload: event }, { payload: { id: `mailtarget:${String(event.eventId)}`, activityType: 'email.delivered' } }]);
		await waitFor(() => discarded.length === 1);
		expect(discarded[0].payload.activityType).toBe('email.delivered');
	});

	it('reports a message without a key to Catch nodes (done with an error) and passes nothing on', async () => {
		await load(dedupeFlow());
		const { kept, discarded } = outputs();
		const node = helper.getNode('dedupe');
		const reported = new Promise<unknown[]>((resolve) => node.on('call:error', (call: { args: unknown[] }) => resolve(call.args)));
		node.receive({ payload: { event: 'open' } });
		const [error, msg] = await reported;
		expect(String(error)).toContain('mailtarget-dedupe.errors.noKey');
		expect(msg).toMatchObject({ payload: { event: 'open' } });
		expect(kept.length + discarded.length).toBe(0);
	});

	it('counts messages without a key in a yellow status instead of turning red for good', async () => {
		await load(dedupeFlow());
		const node = helper.getNode('dedupe');
		const statuses: Array<{ fill: string; text: string }> = [];
		node.on('call:status', (call: { args: Array<{ fill: string; text: string }> }) => statuses.push(call.args[0]));
		const reported = new Promise<void>((resolve) => node.on('call:error', () => resolve()));
		node.receive({ payload: { event: 'open' } });
		await reported;
		// Badges are sent at most every 250 ms.
		await waitFor(() => statuses.at(-1)?.fill === 'yellow');
		expect(statuses.at(-1)).toMatchObject({ fill: 'yellow', text: expect.stringContaining('mailtarget-dedupe.status.noKeyCount') });
	});

	it.each([
		{ ttlHours: 2, fill: 'yellow', warns: true },
		{ ttlHours: 23.5, fill: 'yellow', warns: true },
		{ ttlHours: 24, fill: 'green', warns: false },
		{ ttlHours: 72, fill: 'green', warns: false },
	])('says in its status when it remembers keys for less than a day ($ttlHours h)', async ({ ttlHours, fill, warns }) => {
		await load(dedupeFlow({ ttlHours }));
		const node = helper.getNode('dedupe');
		const statuses: Array<{ fill: string; text: string }> = [];
		node.on('call:status', (call: { args: Array<{ fill: string; text: string }> }) => statuses.push(call.args[0]));
		const { kept } = outputs();
		await feed(node, [{ payload: events()[0] }]);
		await waitFor(() => kept.length === 1 && statuses.length > 0);
		expect(statuses.at(-1)?.fill).toBe(fill);
		expect(statuses.at(-1)?.text.includes('mailtarget-dedupe.status.shortWindow')).toBe(warns);
	});

	it('gives two nodes their own memory, unless they share a store name', async () => {
		const flow = [...dedupeFlow({}, 'a'), ...dedupeFlow({}, 'b'), ...dedupeFlow({ storeName: 'crm' }, 'c'), ...dedupeFlow({ storeName: 'crm' }, 'd')];
		await load(flow);
		const seen = Object.fromEntries(['a', 'b', 'c', 'd'].map((id) => [id, outputs(id)]));
		const payload = events()[0];
		for (const id of ['a', 'b', 'c', 'd']) await feed(helper.getNode(id), [{ payload }]);
		await waitFor(() => seen.d.kept.length + seen.d.discarded.length === 1);
		expect(Object.fromEntries(Object.entries(seen).map(([id, out]) => [id, [out.kept.length, out.discarded.length]]))).toEqual({ a: [1, 0], b: [1, 0], c: [1, 0], d: [0, 1] });
		expect(readdirSync(join(userDir, 'mailtarget-dedupe')).sort()).toEqual(['node-a.journal', 'node-b.journal', 'shared-crm.journal']);
	});

	it.each([['full' as const], ['nodes' as const]])('still discards duplicates after a %s redeploy that changes the node', async (type) => {
		await load(dedupeFlow());
		await feed(helper.getNode('dedupe'), events().map((payload) => ({ payload })));
		await setFlows(dedupeFlow({ name: 'renamed' }), type);
		const { kept, discarded } = outputs();
		await feed(helper.getNode('dedupe'), events().map((payload) => ({ payload })));
		await waitFor(() => discarded.length === 7);
		expect([kept.length, discarded.length]).toEqual([0, 7]);
	});

	it('deletes the memory of a node that is deleted from the flow', async () => {
		await load(dedupeFlow());
		await feed(helper.getNode('dedupe'), [{ payload: events()[0] }]);
		const file = join(userDir, 'mailtarget-dedupe', 'node-dedupe.journal');
		expect(existsSync(file)).toBe(true);
		await setFlows([{ id: 'other', type: 'helper' }], 'full');
		expect(existsSync(file)).toBe(false);
	});

	it.each([
		['hours that are not a number', { ttlHours: 'soon' }],
		['no keys to remember', { maxEntries: 0 }],
	])('refuses to start with %s, and says so on every message', async (_case, settings) => {
		await load(dedupeFlow(settings));
		const node = helper.getNode('dedupe');
		const reported = new Promise<unknown[]>((resolve) => node.on('call:error', (call: { args: unknown[] }) => resolve(call.args)));
		node.receive({ payload: events()[0] });
		expect(String((await reported)[0])).toContain('mailtarget-dedupe.errors.noStore');
	});
});
