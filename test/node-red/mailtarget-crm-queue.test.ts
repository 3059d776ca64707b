import { mkdtempSync, readdirSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import queueModule from '../../node-red/mailtarget-crm-queue/mailtarget-crm-queue';
import { queueIsFull, queueState } from '../../node-red/lib/queueRegistry';
import type { NodeRedRuntime } from '../../node-red/lib/types';
import { startCrmSimulator, type CrmSimulator } from '../../tools/crm-simulator';
import { helper } from './nodeRedHelper';

/**
 * The core http request node, as a flow would use it. It loads `got` with a dynamic import(),
 * which jest's module loader refuses, so it is loaded with Node's own require. Its constructor
 * then comes from outside jest's sandbox, where Node-RED cannot make it inherit from its Node
 * class; a constructor from inside the sandbox calls it instead.
 */
type NodeConstructor = (this: unknown, def: unknown) => void;
const nativeRequire = process.getBuiltinModule('module').createRequire(__filename);
const nativeHttpRequest = nativeRequire('@node-red/nodes/core/network/21-httprequest.js') as (RED: unknown) => Promise<void>;
const httpRequestModule = (RED: NodeRedRuntime) =>
	nativeHttpRequest({
		...RED,
		nodes: {
			...RED.nodes,
			registerType: (type: string, constructor: NodeConstructor, options?: unknown) =>
				(RED.nodes.registerType as (type: string, constructor: NodeConstructor, options?: unknown) => void)(
					type,
					function (this: unknown, def: unknown) {
						constructor.call(this, def);
					},
					options,
				),
		},
	});

type Msg = { payload: unknown; reason?: string; attempts?: number; crm?: { statusCode?: number; body?: Record<string, unknown> }; error?: { message: string }; [key: string]: unknown };
type Flow = Array<Record<string, unknown>>;

const record = (n: number, extra: Record<string, unknown> = {}) => ({
	id: `mailtarget:q-${n}`,
	event: 'open',
	occurredAt: new Date(Date.UTC(2026, 10, 27, 8, 0, n)).toISOString(),
	recipient: `r${n}@example.com`,
	contact: { id: `c-${n}`, email: `r${n}@example.com` },
	contactChanges: { emailLastOpenedAt: new Date(Date.UTC(2026, 10, 27, 8, 0, n)).toISOString() },
	...extra,
});
const records = (count: number) => Array.from({ length: count }, (_unused, n) => record(n));

const setFlows = (flow: unknown[], type: 'full' | 'nodes') => (helper as unknown as { setFlows(flow: unknown[], type: string): Promise<void> }).setFlows(flow, type);

/**
 * queue → http request → back to the queue, with a Catch node for the http request node's errors
 * wired back too; or (`catchQueue`) a Catch node for the queue's own errors. The test helper
 * loads one Catch node per flow only.
 */
function queueFlow(crmUrl: string, queue: Record<string, unknown> = {}, catchQueue = false): Flow {
	const nodes: Flow = [
		{ id: 'queue', type: 'mailtarget-crm-queue', wires: [['http'], ['delivered'], ['dead']], backoffBaseSeconds: 0.05, backoffMaxSeconds: 0.4, ...queue },
		{ id: 'http', type: 'http request', method: 'POST', ret: 'obj', url: `${crmUrl}/activities`, paytoqs: 'ignore', senderr: false, wires: [['queue']] },
		catchQueue
			? { id: 'catcher', type: 'catch', scope: ['queue'], uncaught: false, wires: [['caught']] }
			: { id: 'catcher', type: 'catch', scope: ['http'], uncaught: false, wires: [['queue']] },
		{ id: 'delivered', type: 'helper' },
		{ id: 'dead', type: 'helper' },
		{ id: 'caught', type: 'helper' },
	];
	return [{ id: 'tab', type: 'tab', label: 'queue' }, ...nodes.map((node) => ({ z: 'tab', ...node }))];
}

const waitFor = async (check: () => boolean, what: string, timeoutMs = 30000) => {
	const start = Date.now();
	while (!check()) {
		if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
};

/** How often each record id was written at the custom CRM (repeats included). */
const writesPerId = (crm: CrmSimulator) => {
	const counts = new Map<string, number>();
	for (const write of crm.writes) if (write.key) counts.set(write.key, (counts.get(write.key) ?? 0) + 1);
	return counts;
};

describe('mailtarget-crm-queue in a Node-RED runtime, against the CRM simulator', () => {
	const modules = [queueModule, httpRequestModule];
	let userDir: string;
	let crm: CrmSimulator;
	let outputs: { delivered: Msg[]; dead: Msg[]; caught: Msg[] };

	beforeEach(async () => {
		userDir = mkdtempSync(join(tmpdir(), 'mt-nr-queue-'));
		helper.settings({ userDir });
		await new Promise<void>((resolve, reject) => helper.startServer((err) => (err ? reject(err) : resolve())));
	});
	afterEach(async () => {
		await helper.unload();
		await new Promise<void>((resolve) => helper.stopServer(() => resolve()));
		await crm?.close();
		rmSync(userDir, { recursive: true, force: true });
	});

	async function load(flow: Flow) {
		await helper.load(modules, flow);
		for (const node of flow.filter((item) => item.type !== 'tab')) expect([node.id, Boolean(helper.getNode(node.id as string))]).toEqual([node.id, true]);
		outputs = { delivered: [], dead: [], caught: [] };
		for (const name of ['delivered', 'dead', 'caught'] as const) helper.getNode(name).on('input', (msg: Msg) => outputs[name].push(msg));
		return helper.getNode('queue');
	}
	const settledRecords = () => [...outputs.delivered, ...outputs.dead].flatMap((msg) => (Array.isArray(msg.payload) ? msg.payload : [msg.payload]));

	it('delivers every record exactly once through a 429 storm, a 5xx burst and connection resets, never above the rate', async () => {
		const rate = { max: 5, intervalMs: 500 };
		crm = await startCrmSimulator({ limits: { custom: rate } });
		crm.inject({ kind: 'status', status: 429, count: 4, retryAfterSeconds: 0.3 });
		crm.inject({ kind: 'status', status: 500, count: 3 });
		crm.inject({ kind: 'status', status: 502, count: 1 });
		crm.inject({ kind: 'reset', count: 3 });
		crm.inject({ kind: 'status', status: 503, count: 2, retryAfterSeconds: 0.2 });
		const queue = await load(queueFlow(crm.url, { rate: rate.max, rateIntervalSeconds: rate.intervalMs / 1000 }));
		const sent = records(30);
		for (const item of sent) queue.receive({ payload: item, topic: 'email.opened' });

		await waitFor(() => settledRecords().length >= sent.length, 'every record to be settled');
		expect(outputs.dead).toEqual([]);
		const counts = crm.activityCounts('custom');
		expect([...counts.keys()].sort()).toEqual(sent.map((item) => item.id).sort());
		expect([...writesPerId(crm).values()].every((count) => count === 1)).toBe(true);
		expect(crm.maxRequestsInWindow('custom')).toBeLessThanOrEqual(rate.max);
		expect(crm.rateLimitedCount('custom')).toBe(0);
		// Every fault was met and answered by a retry, none of them made a record go missing.
		expect(crm.requests.filter((request) => request.status === 429)).toHaveLength(4);
		expect(crm.requests.filter((request) => request.status === 0)).toHaveLength(3);
		expect(outputs.delivered.map((msg) => msg.crm?.statusCode)).toEqual(sent.map(() => 201));
		expect(outputs.delivered.some((msg) => (msg.attempts ?? 0) > 1)).toBe(true);
		expect(queueState('queue')).toMatchObject({ pending: 0, inFlight: 0, delivered: 30, deadLettered: 0 });
	});

	it('waits at least as long as Retry-After before calling again', async () => {
		crm = await startCrmSimulator();
		crm.inject({ kind: 'status', status: 429, count: 2, retryAfterSeconds: 0.5 });
		const queue = await load(queueFlow(crm.url, { rate: 50 }));
		for (const item of records(3)) queue.receive({ payload: item });
		await waitFor(() => outputs.delivered.length === 3, 'three deliveries');
		const requests = crm.requests.filter((request) => request.crm === 'custom');
		requests.forEach((request, index) => {
			if (request.status === 429 && requests[index + 1]) expect(requests[index + 1].at - request.at).toBeGreaterThanOrEqual(500);
		});
	});

	it('dead-letters a record the CRM refuses (4xx) with its answer and delivers the others', async () => {
		crm = await startCrmSimulator();
		const queue = await load(queueFlow(crm.url, { rate: 50 }));
		const bad = record(1, { occurredAt: '' });
		queue.receive({ payload: record(0) });
		queue.receive({ payload: bad });
		queue.receive({ payload: record(2) });
		await waitFor(() => settledRecords().length === 3, 'three settled records');
		expect(outputs.dead).toHaveLength(1);
		expect(outputs.dead[0]).toMatchObject({ payload: bad, reason: 'rejected by the CRM (400)', attempts: 1, crm: { statusCode: 400, body: { error: 'invalid_record' } } });
		expect(outputs.delivered.map((msg) => (msg.payload as { id: string }).id)).toEqual([record(0).id, record(2).id]);
		expect(crm.requests.filter((request) => request.status === 400)).toHaveLength(1);
	});

	it('dead-letters records still failing after the retry horizon, with the last answer', async () => {
		crm = await startCrmSimulator();
		crm.inject({ kind: 'status', status: 500, count: 1000 });
		const queue = await load(queueFlow(crm.url, { rate: 50, retryHorizonHours: 1 / 3600 }));
		queue.receive({ payload: record(7) });
		await waitFor(() => outputs.dead.length === 1, 'a dead letter');
		expect(outputs.dead[0]).toMatchObject({ payload: record(7), reason: 'gave up after 1 s of retries; last answer: CRM server error (500)', crm: { statusCode: 500 } });
		expect((outputs.dead[0].attempts ?? 0) > 1).toBe(true);
		expect(crm.activityCounts('custom').size).toBe(0);
	});

	it('sends arrays of up to the batch size to the batch endpoint', async () => {
		crm = await startCrmSimulator();
		const queue = await load(queueFlow(crm.url, { rate: 50, batchSize: 10 }));
		const sent = records(25);
		queue.receive({ payload: sent });
		await waitFor(() => settledRecords().length === 25, 'all records delivered');
		const bodies = crm.requests.filter((request) => request.crm === 'custom').map((request) => request.body as unknown[]);
		expect(bodies.map((body) => body.length)).toEqual([10, 10, 5]);
		expect(bodies.flat()).toEqual(sent);
		expect(outputs.delivered.map((msg) => (msg.payload as unknown[]).length)).toEqual([10, 10, 5]);
		expect(crm.activityCounts('custom').size).toBe(25);
	});

	it('retries a call whose answer never comes after the answer timeout, without losing the late answer\'s record', async () => {
		crm = await startCrmSimulator();
		crm.inject({ kind: 'latency', ms: 1500, count: 1 });
		const queue = await load(queueFlow(crm.url, { rate: 50, answerTimeoutSeconds: 0.3 }));
		const warnings: unknown[] = [];
		queue.on('call:warn', (call: { args: unknown[] }) => warnings.push(call.args[0]));
		queue.receive({ payload: record(3) });
		await waitFor(() => outputs.delivered.length === 1, 'the retried record delivered');
		await waitFor(() => writesPerId(crm).get(record(3).id) === 2, 'the slow call to reach the CRM too');
		await waitFor(() => warnings.length === 1, 'the late answer to be reported');
		expect(warnings).toEqual(['mailtarget-crm-queue.log.lateAnswer']);
		expect(crm.activityCounts('custom').get(record(3).id)).toBe(1);
		expect(outputs.delivered).toHaveLength(1);
	});

	it('refuses a message above the maximum with an error a Catch node sees, and tells the trigger it is full', async () => {
		crm = await startCrmSimulator();
		const queue = await load(queueFlow(crm.url, { rate: 1, rateIntervalSeconds: 60, maxPending: 3, queueName: 'crm-full-test' }, true));
		// The first record goes out at once; the rate holds the next ones for a minute.
		queue.receive({ payload: record(0) });
		await waitFor(() => outputs.delivered.length === 1, 'the first delivery');
		for (const item of records(4).slice(1)) queue.receive({ payload: item });
		await waitFor(() => queueState('crm-full-test')?.room === 0, 'the queue to fill');
		expect(queueIsFull('crm-full-test')).toBe(true);
		queue.receive({ payload: record(99), topic: 'email.opened' });
		await waitFor(() => outputs.caught.length === 1, 'the Catch node');
		expect(outputs.caught[0]).toMatchObject({ payload: record(99), error: { message: expect.stringContaining('mailtarget-crm-queue.errors.full') } });
		expect(queueState('crm-full-test')).toMatchObject({ pending: 3, inFlight: 0, room: 0 });
	});

	it('tells the trigger how much room is left before the queue is full', async () => {
		crm = await startCrmSimulator();
		const queue = await load(queueFlow(crm.url, { rate: 1, rateIntervalSeconds: 60, maxPending: 10, queueName: 'crm-room-test' }));
		queue.receive({ payload: record(0) });
		await waitFor(() => outputs.delivered.length === 1, 'the first delivery');
		queue.receive({ payload: records(5).slice(1) });
		await waitFor(() => queueState('crm-room-test')?.room === 6, 'four records held');
		expect(queueIsFull('crm-room-test', 6)).toBe(false);
		expect(queueIsFull('crm-room-test', 7)).toBe(true);
		expect(queueIsFull('no-such-queue', 1000)).toBe(false);
	});

	it('queues an answer from another queue and a message without a marker as new records', async () => {
		crm = await startCrmSimulator();
		const queue = await load(queueFlow(crm.url, { rate: 50 }));
		queue.receive({ payload: record(1), _mailtargetQueue: { queueId: 'another-queue', batchId: 'x-1', attempt: 1 }, statusCode: 201 });
		queue.receive({ payload: record(2) });
		await waitFor(() => outputs.delivered.length === 2, 'two deliveries');
		expect([...crm.activityCounts('custom').keys()].sort()).toEqual([record(1).id, record(2).id]);
	});

	it('carries on after a redeploy with what it held, and removes an empty journal when the node is deleted', async () => {
		crm = await startCrmSimulator();
		const slow = queueFlow(crm.url, { rate: 1, rateIntervalSeconds: 60 });
		const queue = await load(slow);
		const sent = records(5);
		for (const item of sent) queue.receive({ payload: item });
		await waitFor(() => outputs.delivered.length === 1 && queueState('queue')?.pending === 4, 'one delivered, four waiting');

		await setFlows(queueFlow(crm.url, { rate: 50 }), 'full');
		await waitFor(() => crm.activityCounts('custom').size === 5, 'the rest delivered after the redeploy');
		expect([...crm.activityCounts('custom').keys()].sort()).toEqual(sent.map((item) => item.id).sort());

		expect(readdirSync(join(userDir, 'mailtarget-queue'))).toEqual(['node-queue.journal']);
		await setFlows([{ id: 'tab', type: 'tab', label: 'queue' }, { id: 'other', z: 'tab', type: 'helper' }], 'full');
		expect(readdirSync(join(userDir, 'mailtarget-queue'))).toEqual([]);
	});

	it('refuses to start with settings that make no sense, and says why', async () => {
		crm = await startCrmSimulator();
		const queue = await load(queueFlow(crm.url, { batchSize: 500 }, true));
		queue.receive({ payload: record(1) });
		await waitFor(() => outputs.caught.length === 1, 'the Catch node');
		expect(outputs.caught[0].error?.message).toContain('mailtarget-crm-queue.errors.notStarted');
		expect(crm.requests).toHaveLength(0);
	});

	it('does not go round forever when a Catch node sends the queue\'s own errors back into it', async () => {
		crm = await startCrmSimulator();
		const flow = queueFlow(crm.url, { batchSize: 500 }).map((node) => (node.type === 'catch' ? { ...node, scope: ['queue'], wires: [['queue']] } : node));
		const queue = await load(flow);
		const errors: unknown[] = [];
		queue.on('call:error', (call: { args: unknown[] }) => errors.push(call.args[0]));
		queue.receive({ payload: record(1) });
		await waitFor(() => errors.includes('mailtarget-crm-queue.errors.catchLoop'), 'the loop to be reported');
		await new Promise((resolve) => setTimeout(resolve, 200));
		// Once when it could not start, once for the refused message, once for the loop: then it stops.
		expect(errors.map(String)).toEqual([
			'mailtarget-crm-queue.errors.notStarted',
			'Error: mailtarget-crm-queue.errors.notStarted',
			'mailtarget-crm-queue.errors.catchLoop',
		]);
	});
});
