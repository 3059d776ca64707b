import { readFileSync } from 'fs';
import { join } from 'path';

import { mapEvents } from '../../core/mapping/mapEvents';
import { DEFAULT_FIELD_NAMES } from '../../core/mapping/settings';
import { MAPPER_ROUTES } from '../../core/mapping/types';
import mapperModule from '../../node-red/mailtarget-event-mapper/mailtarget-event-mapper';
import { officialBatch } from '../helpers/fixtures';
import { helper, withRuntime } from './nodeRedHelper';

type Msg = { payload: Record<string, unknown>; topic: string; reason?: string; error?: { message: string }; [key: string]: unknown };
type TestNode = ReturnType<typeof helper.getNode>;

const batch = officialBatch();
const invalidEvent = { status: 'open', recipient: 'x@example.com', timestamp: 'not a time' };
const SINKS = MAPPER_ROUTES.map((route) => `sink-${route}`);

function flow(mapper: Record<string, unknown> = {}) {
	const perAction = mapper.routing === 'perAction';
	const nodes = [
		{ id: 'mapper', type: 'mailtarget-event-mapper', wires: perAction ? SINKS.map((id) => [id]) : [['sink']], ...mapper },
		...(perAction ? SINKS : ['sink']).map((id) => ({ id, type: 'helper' })),
		{ id: 'catch', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
		{ id: 'caught', type: 'helper' },
	];
	return [{ id: 'tab', type: 'tab' }, ...nodes.map((node) => ({ ...node, z: 'tab', x: 0, y: 0 }))];
}

/** Everything the listed nodes receive until `count` messages in total have arrived. */
function collect(nodes: Record<string, TestNode>, count: number): Promise<Array<[string, Msg]>> {
	return new Promise((resolve) => {
		const received: Array<[string, Msg]> = [];
		for (const [name, node] of Object.entries(nodes)) {
			node.on('input', (msg: Msg) => {
				received.push([name, msg]);
				if (received.length === count) resolve(received);
			});
		}
	});
}

function statuses(node: TestNode): Array<{ fill?: string; shape?: string; text?: string }> {
	const seen: Array<{ fill?: string; text?: string }> = [];
	node.on('call:status', (call: { args: Array<{ fill?: string; text?: string }> }) => seen.push(call.args[0]));
	return seen;
}

describe('mailtarget-event-mapper in a Node-RED runtime', () => {
	const runtime = withRuntime(mapperModule);

	beforeEach((done) => {
		helper.startServer(done);
	});
	afterEach(async () => {
		await helper.unload();
		await new Promise<void>((resolve) => helper.stopServer(() => resolve()));
	});

	async function load(mapper: Record<string, unknown> = {}) {
		const nodes = flow(mapper);
		await helper.load(runtime.modules, nodes);
		for (const { id, type } of nodes) if (type !== 'tab') expect(helper.getNode(id)).toBeTruthy();
		return { mapper: helper.getNode('mapper'), sink: helper.getNode('sink'), caught: helper.getNode('caught') };
	}

	it('one output: one message per event, payload the record, topic the activity type, other properties kept', async () => {
		const { mapper, sink } = await load();
		const received = collect({ sink }, 7);
		mapper.receive({ payload: batch, topic: 'ignored', correlationId: 'abc-1' });
		const messages = (await received).map(([, msg]) => msg);
		const records = mapEvents(batch).map((result) => (result.ok ? result.record : null));
		expect(messages.map((msg) => msg.payload)).toEqual(records);
		expect(messages.map((msg) => msg.topic)).toEqual(records.map((record) => record?.activity.type));
		expect(messages.every((msg) => msg.correlationId === 'abc-1')).toBe(true);
		expect(new Set(messages.map((msg) => msg.payload)).size).toBe(7);
	});

	it('accepts the raw body of an http in node as text or bytes', async () => {
		const { mapper, sink } = await load();
		const received = collect({ sink }, 2);
		mapper.receive({ payload: JSON.stringify(batch.events[1]) });
		mapper.receive({ payload: Buffer.from(JSON.stringify(batch.events[2])) });
		expect((await received).map(([, msg]) => msg.topic)).toEqual(['email.delivered', 'email.opened']);
	});

	it('one output per action: each event on its output, invalid events on the last one, nothing caught', async () => {
		const { mapper, caught } = await load({ routing: 'perAction' });
		const sinks = Object.fromEntries(SINKS.map((id) => [id, helper.getNode(id)]));
		let errors = 0;
		caught.on('input', () => (errors += 1));
		const received = collect(sinks, 8);
		mapper.receive({ payload: { ...batch, events: [...batch.events, invalidEvent] } });
		const bySink = (await received).map(([sink, msg]) => [sink, msg.topic]);
		expect(bySink).toEqual(
			expect.arrayContaining([
				['sink-other', 'email.injection'],
				['sink-delivered', 'email.delivered'],
				['sink-opened', 'email.opened'],
				['sink-clicked', 'email.clicked'],
				['sink-bounced', 'email.bounced'],
				['sink-other', 'email.delay'],
				['sink-invalid', 'invalid'],
			]),
		);
		expect(bySink.filter(([sink]) => sink === 'sink-bounced')).toHaveLength(2);
		const invalid = (await received).find(([sink]) => sink === 'sink-invalid')![1];
		expect(invalid.payload).toEqual(invalidEvent);
		expect(invalid.reason).toContain('timestamp');
		expect(errors).toBe(0);
	});

	it('one output: a Catch node gets each invalid event with the reason, the valid ones are still sent', async () => {
		const { mapper, sink, caught } = await load();
		const seen = statuses(mapper);
		const other = { ...invalidEvent, recipient: undefined, status: 'click', timestamp: 1764231060 };
		const received = collect({ sink, caught }, 4);
		mapper.receive({ payload: { ...batch, events: [batch.events[1], invalidEvent, batch.events[2], other] }, flowId: 'f-1' });
		const messages = await received;
		expect(messages.filter(([name]) => name === 'sink').map(([, msg]) => msg.topic)).toEqual(['email.delivered', 'email.opened']);
		const errors = messages.filter(([name]) => name === 'caught').map(([, msg]) => msg);
		expect(errors.map((msg) => [msg.payload, msg.reason, msg.topic, msg.flowId])).toEqual([
			[invalidEvent, 'event has no parsable timestamp', 'invalid', 'f-1'],
			[{ status: 'click', timestamp: 1764231060 }, expect.stringContaining('neither a recipient'), 'invalid', 'f-1'],
		]);
		expect(errors.map((msg) => msg.error?.message)).toEqual([
			'Error: mailtarget-event-mapper.errors.invalid: event has no parsable timestamp',
			expect.stringMatching(/^Error: mailtarget-event-mapper.errors.invalid: event has neither a recipient/),
		]);
		expect(seen.at(-1)).toEqual({ fill: 'red', shape: 'dot', text: 'mailtarget-event-mapper.status.counts' });
	});

	it('a payload that is not an event is caught as one error', async () => {
		const { mapper, caught } = await load();
		const received = collect({ caught }, 1);
		mapper.receive({ payload: 42 });
		const [[, msg]] = await received;
		expect(msg.payload).toBe(42);
		expect(msg.error?.message).toContain('must be an event object');
	});

	it('shows green after good messages and yellow when invalid events went to their output', async () => {
		const single = await load();
		const seen = statuses(single.mapper);
		const received = collect({ sink: single.sink }, 1);
		single.mapper.receive({ payload: batch.events[1] });
		await received;
		await new Promise((resolve) => setImmediate(resolve));
		// The grey "nothing mapped yet" badge of a fresh deploy comes first.
		expect(seen.map((status) => status.fill)).toEqual(['grey', 'green']);
		await helper.unload();

		const split = await load({ routing: 'perAction' });
		const splitSeen = statuses(split.mapper);
		const invalidArrived = collect({ sink: helper.getNode('sink-invalid') }, 1);
		split.mapper.receive({ payload: invalidEvent });
		await invalidArrived;
		await new Promise((resolve) => setImmediate(resolve));
		expect(splitSeen.map((status) => status.fill)).toEqual(['grey', 'yellow']);
	});

	it('adds the chosen preset with custom field names and metadata keys', async () => {
		const { mapper, sink } = await load({ target: 'zendesk', fieldNames: '{"doNotContact": "dnc"}', ownerKey: 'rep' });
		const received = collect({ sink }, 1);
		mapper.receive({ payload: { event: 'complaint', recipient: 'a@example.com', timestamp: 1764234000, metadata: { rep: 'bob@x.com' } } });
		const [[, msg]] = await received;
		expect(msg.payload.owner).toBe('bob@x.com');
		expect(msg.payload.zendesk).toMatchObject({ user: { user_fields: { dnc: true } }, ticket: { assignee_email: 'bob@x.com', priority: 'high' } });
	});

	it('with settings it cannot use: a red status and every message caught', async () => {
		const { mapper, caught } = await load({ target: 'hubspot', fieldNames: '{"openCount": ' });
		const calls = (mapper.status as { getCalls(): Array<{ thisValue: unknown; args: unknown[] }> }).getCalls();
		expect(calls.filter((call) => call.thisValue === mapper).map((call) => call.args[0])).toEqual([
			{ fill: 'red', shape: 'ring', text: 'mailtarget-event-mapper.status.badSettings' },
		]);
		const received = collect({ caught }, 1);
		mapper.receive({ payload: batch.events[1] });
		const [[, msg]] = await received;
		expect(msg.error?.message).toBe('Error: mailtarget-event-mapper.errors.settings: the HubSpot field names are not valid JSON');
	});
});

describe('mailtarget-event-mapper editor and messages', () => {
	const dir = join(__dirname, '..', '..', 'node-red', 'mailtarget-event-mapper');
	const editor = readFileSync(join(dir, 'mailtarget-event-mapper.html'), 'utf8');
	const catalog = JSON.parse(readFileSync(join(dir, 'locales', 'en-US', 'mailtarget-event-mapper.json'), 'utf8'))['mailtarget-event-mapper'];
	const source = readFileSync(join(dir, 'mailtarget-event-mapper.ts'), 'utf8');

	it('shows the same default field names as core', () => {
		for (const [target, defaults] of Object.entries(DEFAULT_FIELD_NAMES)) {
			const match = new RegExp(`${target}: '([^']+)'`).exec(editor);
			expect(JSON.parse(match?.[1] ?? 'null')).toEqual(defaults);
		}
	});

	it('labels the eight outputs in core route order and has every message key it uses', () => {
		expect(editor).toContain(`var ROUTES = ${JSON.stringify(MAPPER_ROUTES).replace(/"/g, "'").replace(/,/g, ', ')};`);
		for (const route of MAPPER_ROUTES) expect(catalog.outputs[route]).toEqual(expect.any(String));
		for (const [, group, key] of source.matchAll(/mailtarget-event-mapper\.(\w+)\.(\w+)/g)) expect(catalog[group][key]).toEqual(expect.any(String));
		for (const [, group, key] of editor.matchAll(/mailtarget-event-mapper\.(\w+)\.(\w+)/g)) expect(catalog[group][key]).toEqual(expect.any(String));
	});
});
