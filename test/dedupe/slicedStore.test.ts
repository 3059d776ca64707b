import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import type { DeduplicationScope, IDataDeduplicator } from 'n8n-workflow';

import { createSerialQueue } from '../../core/dedupe/serialQueue';
import { slicedStore, TIME_SLICES, type ProcessedList } from '../../core/dedupe/slicedStore';
import type { DedupeStore, DedupeWindow, SeenResult } from '../../core/dedupe/store';
import { hasN8nPackage, N8N_PACKAGE_DIR, startN8nHost, type N8nHost } from '../helpers/n8nHostProcess';
import { FakeN8nDeduplicator } from '../helpers/n8nDeduplicatorFake';
import { runStoreContract } from './storeContract';

/** A ProcessedList over an n8n deduplication provider, as `this.helpers` gives it to a node. */
function listOver(deduplicator: IDataDeduplicator, workflowId: string, scope: DeduplicationScope = 'node'): ProcessedList {
	const context = { workflow: { id: workflowId, active: true }, node: { id: 'dedupe-node', name: 'Dedupe', type: 'CUSTOM.mailtargetDedupe', typeVersion: 1, position: [0, 0] as [number, number], parameters: {} } };
	return {
		async checkAndRecord(values, maxEntries) {
			return (await deduplicator.checkProcessedAndRecord(values, scope, context, { mode: 'entries', maxEntries })).processed.map(String);
		},
		remove: (values) => deduplicator.removeProcessed(values, scope, context, { mode: 'entries' }),
		count: () => deduplicator.getProcessedDataCount(scope, context, { mode: 'entries' }),
	};
}

const slice = (window: DedupeWindow) => Math.ceil(window.ttlMs / TIME_SLICES);
const slicedOptions = { ttlSlackMs: slice, firstSeenPrecisionMs: slice, sizeCountsExpired: true };

let workflows = 0;
runStoreContract(
	'slicedStore over a model of n8n\'s deduplication provider',
	(window) => {
		const deduplicator = new FakeN8nDeduplicator();
		const workflowId = `wf-${(workflows += 1)}`;
		return {
			store: slicedStore(listOver(deduplicator, workflowId), window),
			reopen: () => slicedStore(listOver(deduplicator, workflowId), window),
		};
	},
	slicedOptions,
);

describe("slicedStore over n8n's own provider and database (SQLite), in an n8n stand-in process", () => {
	if (!hasN8nPackage()) {
		it('needs the n8n package: run scripts/ensure-n8n-host.sh (npm test does) or set N8N_PACKAGE_DIR', () => {
			throw new Error(`no n8n package in ${N8N_PACKAGE_DIR}`);
		});
		return;
	}
	let folder: string;
	let host: N8nHost;
	beforeAll(async () => {
		folder = mkdtempSync(join(tmpdir(), 'mt-n8n-db-'));
		host = await startN8nHost(folder);
	}, 120_000);
	afterAll(async () => {
		await host?.stop();
		rmSync(folder, { recursive: true, force: true });
	});

	/** The store lives in the host; `reopen` restarts the whole host process on the same database. */
	function remoteStore(workflowId: string, window: DedupeWindow): DedupeStore {
		return {
			checkAndRecord: (keys, now) => host.call<SeenResult[]>('check', { workflowId, nodeId: 'dedupe-node', window, keys, now }),
			size: () => host.call<number>('size', { workflowId, nodeId: 'dedupe-node', window }),
		};
	}

	runStoreContract(
		'slicedStore over n8n DeduplicationHelper + SQLite',
		async (window) => {
			const workflowId = `wf-real-${(workflows += 1)}`;
			await host.call('createWorkflow', { workflowId });
			return {
				store: remoteStore(workflowId, window),
				reopen: async () => {
					await host.stop();
					host = await startN8nHost(folder);
					return remoteStore(workflowId, window);
				},
			};
		},
		slicedOptions,
	);
});

describe('slicedStore', () => {
	const window = { ttlMs: 12 * 3600_000, maxEntries: 100 };
	const hour = 3600_000;
	const T0 = Date.UTC(2026, 10, 27, 8, 20);

	it('keeps one stored value per remembered key, whatever it had to look up', async () => {
		const deduplicator = new FakeN8nDeduplicator();
		const store = slicedStore(listOver(deduplicator, 'wf'), window);
		await store.checkAndRecord(['a', 'b'], T0);
		await store.checkAndRecord(['a', 'c'], T0 + 5 * hour);
		expect(await store.size()).toBe(3);
	});

	it.each([
		['first seen in the same slice', 10 * 60_000, Date.UTC(2026, 10, 27, 8)],
		['first seen five slices ago', 5 * hour, Date.UTC(2026, 10, 27, 8)],
	])('reports as first seen the start of the slice it was first seen in (%s)', async (_case, later, sliceStart) => {
		const store = slicedStore(listOver(new FakeN8nDeduplicator(), 'wf'), window);
		await store.checkAndRecord(['a'], T0);
		expect(await store.checkAndRecord(['a'], T0 + later)).toEqual([{ duplicate: true, firstSeenAt: sliceStart }]);
	});

	it('starts a fresh memory when the TTL changes, as the slices change length', async () => {
		const deduplicator = new FakeN8nDeduplicator();
		await slicedStore(listOver(deduplicator, 'wf'), window).checkAndRecord(['a'], T0);
		const longer = slicedStore(listOver(deduplicator, 'wf'), { ...window, ttlMs: 24 * hour });
		expect((await longer.checkAndRecord(['a'], T0 + 1))[0].duplicate).toBe(false);
	});

	it('lets two runs of one process take turns when they share a queue: one keeps the key', async () => {
		const deduplicator = new FakeN8nDeduplicator();
		const queue = createSerialQueue();
		const runs = [slicedStore(listOver(deduplicator, 'wf'), window, queue), slicedStore(listOver(deduplicator, 'wf'), window, queue)];
		const results = await Promise.all(runs.map((store) => store.checkAndRecord(['same'], T0)));
		expect(results.map(([result]) => result.duplicate).sort()).toEqual([false, true]);
	});

	it("shows n8n's limit: runs that do not share a queue (other workers) can both keep a key", async () => {
		const deduplicator = new FakeN8nDeduplicator();
		const runs = [slicedStore(listOver(deduplicator, 'wf'), window), slicedStore(listOver(deduplicator, 'wf'), window)];
		const results = await Promise.all(runs.map((store) => store.checkAndRecord(['same'], T0)));
		expect(results.map(([result]) => result.duplicate)).toEqual([false, false]);
	});
});
