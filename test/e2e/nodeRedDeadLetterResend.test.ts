import { existsSync, mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import { startCrmSimulator, type CrmSimulator } from '../../tools/crm-simulator';
import { startNodeRed, type NodeRedProcess } from '../helpers/nodeRedProcess';

const DIST = process.env.MAILTARGET_DIST ?? join(__dirname, '..', '..', 'dist');
const NODES_DIR = join(DIST, 'node-red');

const record = (n: number) => ({
	id: `mailtarget:dl-${n}`,
	event: 'open',
	occurredAt: new Date(Date.UTC(2026, 10, 27, 9, 0, n)).toISOString(),
	recipient: `r${n}@example.com`,
	contact: { id: `c-${n}`, email: `r${n}@example.com` },
	activity: { type: 'email.opened' },
	contactChanges: {},
});

/**
 * http in /records → queue (answered once stored); http in /resend → a function turning the POST
 * body into a re-send message → queue. queue → http request → back, with a Catch node.
 */
function flow(crmUrl: string) {
	return [
		{ id: 'tab', type: 'tab', label: 'dead letters' },
		{ id: 'in', z: 'tab', type: 'http in', url: '/records', method: 'post', upload: false, swaggerDoc: '', wires: [['queue']] },
		{ id: 'resend-in', z: 'tab', type: 'http in', url: '/resend', method: 'post', upload: false, swaggerDoc: '', wires: [['to-resend', 'resend-answer']] },
		{ id: 'to-resend', z: 'tab', type: 'function', func: "return { topic: 'resend-dead-letters', payload: msg.payload };", outputs: 1, wires: [['queue']] },
		{ id: 'resend-answer', z: 'tab', type: 'http response', statusCode: '202', headers: {}, wires: [] },
		{
			id: 'queue',
			z: 'tab',
			type: 'mailtarget-crm-queue',
			name: '',
			rate: 20,
			rateIntervalSeconds: 1,
			batchSize: 1,
			concurrency: 1,
			maxPending: 1000,
			retryHorizonHours: 24,
			answerTimeoutSeconds: 10,
			backoffBaseSeconds: 0.1,
			backoffMaxSeconds: 1,
			queueName: 'dead-letter-e2e',
			wires: [['http'], [], []],
		},
		{ id: 'http', z: 'tab', type: 'http request', method: 'POST', ret: 'obj', url: `${crmUrl}/activities`, paytoqs: 'ignore', senderr: false, wires: [['queue']] },
		{ id: 'catch-http', z: 'tab', type: 'catch', scope: ['http'], uncaught: false, wires: [['queue']] },
		{ id: 'stored', z: 'tab', type: 'complete', scope: ['queue'], uncaught: false, wires: [['answer']] },
		{ id: 'answer', z: 'tab', type: 'http response', statusCode: '', headers: {}, wires: [] },
	];
}

describe('mailtarget-crm-queue in a real Node-RED process: dead letters re-sent by the editor button and by a message', () => {
	let userDir: string;
	let crm: CrmSimulator;
	let nodeRed: NodeRedProcess | undefined;
	const deadLetterFile = () => join(userDir, 'mailtarget-queue', 'named-dead-letter-e2e.dead-letters.jsonl');
	const deadLetters = () => (existsSync(deadLetterFile()) ? readFileSync(deadLetterFile(), 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as { id: string; record: { id: string } }) : []);
	const waitFor = async (check: () => boolean, what: string) => {
		const begin = Date.now();
		while (!check()) {
			if (Date.now() - begin > 20000) throw new Error(`timed out waiting for ${what}; Node-RED said:\n${nodeRed?.output().slice(-3000)}`);
			await new Promise((resolve) => setTimeout(resolve, 25));
		}
	};
	const post = (path: string, body: unknown) =>
		fetch(`${nodeRed?.url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
	const delivered = () => crm.activityCounts('custom');
	const writesOf = (id: string) => crm.writes.filter((write) => write.key === id).length;

	beforeAll(async () => {
		if (!existsSync(join(NODES_DIR, 'mailtarget-crm-queue', 'mailtarget-crm-queue.html'))) throw new Error(`${NODES_DIR} has no built nodes (build first)`);
		userDir = mkdtempSync(join(tmpdir(), 'mt-nr-dead-letters-'));
		crm = await startCrmSimulator();
		nodeRed = await startNodeRed(userDir, { settings: { nodesDir: [NODES_DIR] } });
		await nodeRed.deploy(flow(crm.url));
	}, 60000);
	afterAll(async () => {
		await nodeRed?.stop();
		await crm?.close();
		rmSync(userDir, { recursive: true, force: true });
	});

	it('re-sends every dead letter once the cause is gone when the editor button is pressed, and nothing twice', async () => {
		// The CRM refuses the first three calls with a 400: three dead letters.
		crm.inject({ kind: 'status', status: 400, count: 3, crm: 'custom' });
		for (const n of [1, 2, 3]) expect((await post('/records', record(n))).status).toBe(200);
		await waitFor(() => deadLetters().length === 3, 'three dead letters');
		expect(delivered().size).toBe(0);

		const button = () => fetch(`${nodeRed?.url}/mailtarget-crm-queue/queue/resend-dead-letters`, { method: 'POST' });
		expect((await button()).status).toBe(200);
		await waitFor(() => delivered().size === 3, 'the re-sent records at the CRM');
		expect(deadLetters()).toEqual([]);
		// Pressed again, and after a restart: nothing is left to send, nothing goes twice.
		expect((await button()).status).toBe(200);
		await nodeRed?.kill9();
		nodeRed = await startNodeRed(userDir, { settings: { nodesDir: [NODES_DIR] }, port: Number(new URL(nodeRed?.url ?? '').port) });
		expect((await button()).status).toBe(200);
		await new Promise((resolve) => setTimeout(resolve, 1000));
		expect([1, 2, 3].map((n) => writesOf(record(n).id))).toEqual([1, 1, 1]);
		expect((await fetch(`${nodeRed.url}/mailtarget-crm-queue/no-such-node/resend-dead-letters`, { method: 'POST' })).status).toBe(404);
	}, 60000);

	it('re-sends only the dead letters named in msg.payload.ids', async () => {
		crm.inject({ kind: 'status', status: 422, count: 2, crm: 'custom' });
		for (const n of [4, 5]) expect((await post('/records', record(n))).status).toBe(200);
		await waitFor(() => deadLetters().length === 2, 'two dead letters');
		const [first, second] = deadLetters();
		expect((await post('/resend', { ids: [second.id] })).status).toBe(202);
		await waitFor(() => delivered().has(second.record.id), 'the chosen dead letter at the CRM');
		await new Promise((resolve) => setTimeout(resolve, 500));
		expect(delivered().has(first.record.id)).toBe(false);
		expect(deadLetters().map((letter) => letter.id)).toEqual([first.id]);
	}, 60000);
});
