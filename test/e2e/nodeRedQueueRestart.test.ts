import { existsSync, mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import { startCrmSimulator, type CrmSimulator } from '../../tools/crm-simulator';
import { startNodeRed, type NodeRedProcess } from '../helpers/nodeRedProcess';

/** The compiled package with its Node-RED assets (`npm test` builds dist/ before jest). */
const DIST = process.env.MAILTARGET_DIST ?? join(__dirname, '..', '..', 'dist');
const NODES_DIR = join(DIST, 'node-red');
const RATE = { max: 5, intervalMs: 1000 };
const RECORDS_PER_POST = 5;
const POSTS = 12;
/** Records the CRM refuses (no occurredAt): they must come out as dead letters, not vanish. */
const INVALID = new Set([7, 23, 41]);

const record = (n: number) => ({
	id: `mailtarget:e2e-${n}`,
	event: 'click',
	occurredAt: INVALID.has(n) ? '' : new Date(Date.UTC(2026, 10, 27, 9, 0, n)).toISOString(),
	recipient: `r${n}@example.com`,
	contact: { id: `c-${n}`, email: `r${n}@example.com` },
	activity: { type: 'email.clicked', url: `https://example.com/${n}` },
	contactChanges: {},
});

/**
 * http in → queue; a Complete node on the queue answers the POST only once the queue has stored
 * the records. queue → http request → back to the queue, and a Catch node for the http request
 * node's errors back into it too.
 */
function flow(crmUrl: string, name: string) {
	return [
		{ id: 'tab', type: 'tab', label: 'queue' },
		{ id: 'in', z: 'tab', type: 'http in', url: '/records', method: 'post', upload: false, swaggerDoc: '', wires: [['queue']] },
		{
			id: 'queue',
			z: 'tab',
			type: 'mailtarget-crm-queue',
			name,
			rate: RATE.max,
			rateIntervalSeconds: RATE.intervalMs / 1000,
			batchSize: 1,
			concurrency: 1,
			maxPending: 10000,
			retryHorizonHours: 24,
			answerTimeoutSeconds: 10,
			backoffBaseSeconds: 0.1,
			backoffMaxSeconds: 1,
			queueName: '',
			wires: [['http'], [], []],
		},
		{ id: 'http', z: 'tab', type: 'http request', method: 'POST', ret: 'obj', url: `${crmUrl}/activities`, paytoqs: 'ignore', senderr: false, wires: [['queue']] },
		{ id: 'catch-http', z: 'tab', type: 'catch', scope: ['http'], uncaught: false, wires: [['queue']] },
		{ id: 'stored', z: 'tab', type: 'complete', scope: ['queue'], uncaught: false, wires: [['answer']] },
		{ id: 'answer', z: 'tab', type: 'http response', statusCode: '', headers: {}, wires: [] },
	];
}

describe('mailtarget-crm-queue in a real Node-RED process: redeploy and kill -9 mid-drain', () => {
	let userDir: string;
	let crm: CrmSimulator;
	let nodeRed: NodeRedProcess | undefined;
	const accepted: string[] = [];
	const start = async () => {
		nodeRed = await startNodeRed(userDir, { settings: { nodesDir: [NODES_DIR] } });
		return nodeRed;
	};
	const deadLetterIds = () => {
		const file = join(userDir, 'mailtarget-queue', 'node-queue.dead-letters.jsonl');
		if (!existsSync(file)) return new Set<string>();
		const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
		return new Set(lines.map((line) => (JSON.parse(line) as { record: { id: string } }).record.id));
	};
	const delivered = () => crm.activityCounts('custom');
	const waitFor = async (check: () => boolean, what: string, timeoutMs = 40000) => {
		const begin = Date.now();
		while (!check()) {
			if (Date.now() - begin > timeoutMs) throw new Error(`timed out waiting for ${what}; Node-RED said:\n${nodeRed?.output().slice(-3000)}`);
			await new Promise((resolve) => setTimeout(resolve, 25));
		}
	};

	beforeAll(async () => {
		if (!existsSync(join(NODES_DIR, 'mailtarget-crm-queue', 'mailtarget-crm-queue.html'))) {
			throw new Error(`${NODES_DIR} has no built mailtarget-crm-queue node (build first, or set MAILTARGET_DIST)`);
		}
		userDir = mkdtempSync(join(tmpdir(), 'mt-nr-queue-e2e-'));
		crm = await startCrmSimulator({ limits: { custom: RATE } });
	});
	afterAll(async () => {
		await nodeRed?.stop();
		await crm?.close();
		rmSync(userDir, { recursive: true, force: true });
	});

	it('loads the node from the built package and answers each POST once the records are stored', async () => {
		const runtime = await start();
		const sets = await runtime.get<Array<{ types: string[]; err?: string; enabled: boolean }>>('/nodes');
		const ours = sets.find((set) => set.types.includes('mailtarget-crm-queue'));
		expect(ours).toMatchObject({ enabled: true });
		expect(ours?.err).toBeUndefined();
		await runtime.deploy(flow(crm.url, 'first'));
		for (let post = 0; post < POSTS; post += 1) {
			const batch = Array.from({ length: RECORDS_PER_POST }, (_unused, index) => record(post * RECORDS_PER_POST + index));
			const response = await fetch(`${runtime.url}/records`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(batch) });
			expect(response.status).toBe(200);
			accepted.push(...batch.map((item) => item.id));
		}
		expect(accepted).toHaveLength(POSTS * RECORDS_PER_POST);
	});

	it('keeps draining after a full redeploy in the middle', async () => {
		await waitFor(() => delivered().size >= 12, 'a first part delivered');
		expect(delivered().size).toBeLessThan(accepted.length - INVALID.size);
		await nodeRed?.deploy(flow(crm.url, 'redeployed'));
		const before = delivered().size;
		await waitFor(() => delivered().size >= before + 8, 'deliveries after the redeploy');
	});

	it('keeps draining after Node-RED is killed with SIGKILL in the middle and started again', async () => {
		await waitFor(() => delivered().size >= 35, 'more deliveries');
		expect(delivered().size).toBeLessThan(accepted.length - INVALID.size);
		await nodeRed?.kill9();
		const atKill = delivered().size;
		await start();
		await waitFor(() => delivered().size > atKill, 'deliveries after the restart');
	});

	it('accounts for every accepted record: at the CRM or dead-lettered, none missing', async () => {
		await waitFor(() => delivered().size + deadLetterIds().size >= accepted.length, 'every record to be settled', 50000);
		const atCrm = [...delivered().keys()];
		const dead = [...deadLetterIds()];
		expect([...atCrm, ...dead].sort()).toEqual([...accepted].sort());
		expect(dead.sort()).toEqual([...INVALID].map((n) => record(n).id).sort());
		expect([...delivered().values()].every((count) => count === 1)).toBe(true);
		expect(crm.maxRequestsInWindow('custom')).toBeLessThanOrEqual(RATE.max);
		const repeats = crm.writes.filter((write) => !write.created).length;
		// Repeats are allowed (a record in flight at the kill goes again) but stay idempotent: created once per id.
		expect(repeats).toBeLessThanOrEqual(2);
	});
});
