import { existsSync, mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import { eventsFromJson } from '../../core/payload/parse';
import { officialBatch } from '../helpers/fixtures';
import { startNodeRed, type NodeRedProcess } from '../helpers/nodeRedProcess';

/** The compiled package with its Node-RED assets (`npm test` builds dist/ before jest). */
const DIST = process.env.MAILTARGET_DIST ?? join(__dirname, '..', '..', 'dist');
const NODES_DIR = join(DIST, 'node-red');

type Answer = { route: 'kept' | 'discarded'; eventId: string; firstSeenAt?: string };

/** http in → mailtarget-dedupe → (kept | discarded) → change → http response: each POST answers with the route its event took. */
function flow(dedupeName = '') {
	const answer = (route: string, extra = '') => ({
		t: 'set',
		p: 'payload',
		pt: 'msg',
		to: `{"route": "${route}", "eventId": payload.eventId${extra}}`,
		tot: 'jsonata',
	});
	return [
		{ id: 'tab', type: 'tab', label: 'dedupe' },
		{ id: 'in', z: 'tab', type: 'http in', url: '/events', method: 'post', upload: false, swaggerDoc: '', wires: [['dedupe']] },
		{ id: 'dedupe', z: 'tab', type: 'mailtarget-dedupe', name: dedupeName, keyType: 'event', ttlHours: 72, maxEntries: 100000, storeName: '', wires: [['kept'], ['discarded']] },
		{ id: 'kept', z: 'tab', type: 'change', rules: [answer('kept')], wires: [['out']] },
		{ id: 'discarded', z: 'tab', type: 'change', rules: [answer('discarded', ', "firstSeenAt": firstSeenAt')], wires: [['out']] },
		{ id: 'out', z: 'tab', type: 'http response', statusCode: '', headers: {}, wires: [] },
	];
}

const events = () => {
	const parsed = eventsFromJson(officialBatch());
	if (!parsed.ok) throw parsed.error;
	return parsed.events;
};

describe('mailtarget-dedupe in a real Node-RED process: redeploy, restart, kill -9', () => {
	let userDir: string;
	let nodeRed: NodeRedProcess | undefined;
	const start = async () => {
		nodeRed = await startNodeRed(userDir, { settings: { nodesDir: [NODES_DIR] } });
		return nodeRed;
	};

	beforeAll(() => {
		if (!existsSync(join(NODES_DIR, 'mailtarget-dedupe', 'mailtarget-dedupe.html'))) {
			throw new Error(`${NODES_DIR} has no built mailtarget-dedupe node (build first, or set MAILTARGET_DIST)`);
		}
		userDir = mkdtempSync(join(tmpdir(), 'mt-nr-dedupe-e2e-'));
	});
	afterAll(async () => {
		await nodeRed?.stop();
		rmSync(userDir, { recursive: true, force: true });
	});

	async function post(event: Record<string, unknown>): Promise<Answer> {
		if (!nodeRed) throw new Error('Node-RED not running');
		const response = await fetch(`${nodeRed.url}/events`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(event) });
		expect(response.status).toBe(200);
		return (await response.json()) as Answer;
	}
	const routes = async (batch: Array<Record<string, unknown>>) => {
		const answers: Answer[] = [];
		for (const event of batch) answers.push(await post(event));
		return answers.map((answer) => answer.route);
	};
	const all = (route: string) => events().map(() => route);

	it('loads the node from the built package', async () => {
		const runtime = await start();
		const sets = await runtime.get<Array<{ types: string[]; err?: string; enabled: boolean }>>('/nodes');
		const ours = sets.find((set) => set.types.includes('mailtarget-dedupe'));
		expect(ours).toMatchObject({ enabled: true });
		expect(ours?.err).toBeUndefined();
		await runtime.deploy(flow());
	});

	it('keeps a batch the first time and discards it when it comes again, with the time first seen', async () => {
		const before = Date.now();
		expect(await routes(events())).toEqual(all('kept'));
		const again = await post({ ...events()[0], retryCount: 1 });
		expect(again.route).toBe('discarded');
		expect(Date.parse(again.firstSeenAt ?? '')).toBeGreaterThanOrEqual(before);
	});

	it('still discards the batch after a redeploy that changes the node', async () => {
		await nodeRed?.deploy(flow('renamed'));
		expect(await routes(events())).toEqual(all('discarded'));
	});

	it('still discards the batch after Node-RED is stopped and started again', async () => {
		await nodeRed?.stop();
		await start();
		expect(await routes(events())).toEqual(all('discarded'));
	});

	it('still discards an event kept just before Node-RED was killed with SIGKILL', async () => {
		const late = { ...events()[2], eventId: 'kept-right-before-the-kill' };
		expect((await post(late)).route).toBe('kept');
		await nodeRed?.kill9();
		await start();
		expect((await post(late)).route).toBe('discarded');
		expect(await routes(events())).toEqual(all('discarded'));
	});
});
