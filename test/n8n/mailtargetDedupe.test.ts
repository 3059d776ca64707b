import 'reflect-metadata';

import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import * as n8nCore from 'n8n-core';
import * as n8nWorkflow from 'n8n-workflow';
import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import { TIME_SLICES } from '../../core/dedupe/slicedStore';
import { HOUR_MS } from '../../core/dedupe/store';
import { mapEvents } from '../../core/mapping/mapEvents';
import { eventsFromJson } from '../../core/payload/parse';
import { MailtargetDedupe } from '../../nodes/MailtargetDedupe/MailtargetDedupe.node';
import { officialBatch } from '../helpers/fixtures';
import { hasN8nPackage, N8N_PACKAGE_DIR, startN8nHost, type N8nHost } from '../helpers/n8nHostProcess';
import { FakeN8nDeduplicator } from '../helpers/n8nDeduplicatorFake';
import { runNodeInWorkflow } from '../helpers/n8nWorkflowRunner';

const T0 = Date.UTC(2026, 10, 27, 8, 30);
const DEFAULTS = { keySource: 'event', keyFields: 'eventId', keyValue: '', ttlHours: 72, maxEntries: 10000, options: {} };

/** The batch as the Mailtarget Trigger emits it: one item per event. */
function triggerItems(batch: unknown = officialBatch()): Array<{ json: IDataObject }> {
	const parsed = eventsFromJson(batch);
	if (!parsed.ok) throw parsed.error;
	return parsed.events.map((event) => ({ json: event as IDataObject }));
}

const ids = (items: INodeExecutionData[]) => items.map((item) => item.json.eventId ?? item.json.id);
const paired = (items: INodeExecutionData[]) => items.map((item) => item.pairedItem);

interface Setup {
	deduplicator?: FakeN8nDeduplicator;
	parameters?: Record<string, unknown>;
	/** The Custom Value expression, worked out per item. */
	keyValue?: (item: INodeExecutionData) => unknown;
	continueOnFail?: boolean;
	nodeId?: string;
	workflowId?: string;
	failDatabase?: boolean;
}

/** An n8n execute() context with the helpers n8n-core gives a node, over a model of n8n's provider. */
function run(items: Array<{ json: IDataObject }>, setup: Setup = {}): Promise<INodeExecutionData[][]> {
	const deduplicator = setup.deduplicator ?? new FakeN8nDeduplicator();
	const parameters: Record<string, unknown> = { ...DEFAULTS, ...setup.parameters };
	const node = { id: setup.nodeId ?? 'node-1', name: 'Mailtarget Dedupe', type: 'mailtargetDedupe', typeVersion: 1, position: [0, 0] as [number, number], parameters: {} };
	const contextData = { node, workflow: { id: setup.workflowId ?? 'wf-1', active: true } };
	const failing = () => Promise.reject(new Error('SQLITE_BUSY: database is locked'));
	const context = {
		getInputData: () => items,
		getNode: () => node,
		getWorkflow: () => contextData.workflow,
		continueOnFail: () => setup.continueOnFail === true,
		getNodeParameter(name: string, index: number, fallback?: unknown) {
			if (name === 'keyValue' && setup.keyValue) return setup.keyValue(items[index]);
			const value = name.split('.').reduce<unknown>((object, part) => (object as Record<string, unknown> | undefined)?.[part], parameters);
			return value ?? fallback;
		},
		helpers: {
			checkProcessedAndRecord: setup.failDatabase ? failing : (values: string[], scope: 'node' | 'workflow', options: { mode: 'entries'; maxEntries?: number }) => deduplicator.checkProcessedAndRecord(values, scope, contextData, options),
			removeProcessed: (values: string[], scope: 'node' | 'workflow') => deduplicator.removeProcessed(values, scope, contextData),
			getProcessedDataCount: (scope: 'node' | 'workflow') => deduplicator.getProcessedDataCount(scope, contextData),
		},
	};
	return new MailtargetDedupe().execute.call(context as unknown as IExecuteFunctions);
}

describe('Mailtarget Dedupe (n8n node, with a mocked context)', () => {
	let now = T0;
	beforeEach(() => {
		now = T0;
		jest.spyOn(Date, 'now').mockImplementation(() => now);
	});
	afterEach(() => jest.restoreAllMocks());

	it('passes each event through Kept once, and through Discarded with the time first seen when the batch comes again', async () => {
		const deduplicator = new FakeN8nDeduplicator();
		const [kept, discarded] = await run(triggerItems(), { deduplicator });
		expect(kept).toHaveLength(7);
		expect(discarded).toEqual([]);
		expect(paired(kept)).toEqual([0, 1, 2, 3, 4, 5, 6].map((item) => ({ item })));

		now = T0 + 2 * HOUR_MS;
		const [keptAgain, discardedAgain] = await run(triggerItems({ ...officialBatch(), retryCount: 1 }), { deduplicator });
		expect(keptAgain).toEqual([]);
		expect(ids(discardedAgain)).toEqual(ids(kept));
		expect(paired(discardedAgain)).toEqual(paired(kept));
		const sliceMs = (72 * HOUR_MS) / TIME_SLICES;
		for (const item of discardedAgain) {
			const firstSeenAt = Date.parse(String(item.json.firstSeenAt));
			expect(firstSeenAt).toBeLessThanOrEqual(T0);
			expect(firstSeenAt).toBeGreaterThan(T0 - sliceMs);
		}
	});

	it('treats a mapped record and the event it came from as the same (record id = event key)', async () => {
		const deduplicator = new FakeN8nDeduplicator();
		await run(triggerItems(), { deduplicator });
		const records = mapEvents(officialBatch()).flatMap((outcome) => (outcome.ok ? [{ json: outcome.record as unknown as IDataObject }] : []));
		const [kept, discarded] = await run(records, { deduplicator });
		expect(kept).toEqual([]);
		expect(discarded).toHaveLength(records.length);
	});

	it('keeps the first of two copies in one run and discards the other', async () => {
		const items = triggerItems();
		const [kept, discarded] = await run([items[0], items[1], items[0]]);
		expect(paired(kept)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(paired(discarded)).toEqual([{ item: 2 }]);
		expect(discarded[0].json.firstSeenAt).toBe(new Date(T0).toISOString());
	});

	it.each([
		['just before Remember For has passed', 71 * HOUR_MS, 'discarded'],
		['once Remember For and its slack have passed', 78 * HOUR_MS, 'kept'],
	])('handles an event that comes again %s', async (_when, later, output) => {
		const deduplicator = new FakeN8nDeduplicator();
		await run(triggerItems(), { deduplicator });
		now = T0 + later;
		const [kept, discarded] = await run(triggerItems(), { deduplicator });
		expect(output === 'kept' ? kept : discarded).toHaveLength(7);
	});

	it.each([
		['the chosen fields', { keySource: 'fields', keyFields: 'recipient, type' }, undefined],
		['a custom value', { keySource: 'expression' }, (item: INodeExecutionData) => `${String(item.json.recipient)}|${String(item.json.type)}`],
	])('takes the key from %s', async (_source, parameters, keyValue) => {
		const open = { recipient: 'jane@example.com', type: 'open', eventId: '1' };
		const items = [{ json: open }, { json: { ...open, eventId: '2' } }, { json: { ...open, type: 'click', eventId: '3' } }];
		const [kept, discarded] = await run(items, { parameters, keyValue });
		expect(ids(kept)).toEqual(['1', '3']);
		expect(ids(discarded)).toEqual(['2']);
	});

	it('stops on an item it cannot key, naming the item', async () => {
		const error = await run([...triggerItems(), { json: { event: 'open' } }]).catch((caught: unknown) => caught);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect((error as NodeOperationError).context.itemIndex).toBe(7);
		expect((error as Error).message).toContain('no eventId');
	});

	it('with Continue On Fail, sends an error item through Kept and dedupes the rest', async () => {
		const [kept, discarded] = await run([{ json: { event: 'open' } }, ...triggerItems().slice(0, 2)], { continueOnFail: true });
		expect(kept.map((item) => [item.pairedItem, Boolean(item.json.error)])).toEqual([
			[{ item: 0 }, true],
			[{ item: 1 }, false],
			[{ item: 2 }, false],
		]);
		expect(discarded).toEqual([]);
	});

	it.each([
		['no time to remember', { ttlHours: 0 }],
		['no keys to remember', { maxEntries: 0 }],
	])('refuses settings with %s', async (_case, parameters) => {
		await expect(run(triggerItems(), { parameters })).rejects.toBeInstanceOf(NodeOperationError);
	});

	it('keeps a memory per node unless both nodes share it with the whole workflow', async () => {
		for (const [scope, secondNodeDiscards] of [
			['node', 0],
			['workflow', 7],
		] as const) {
			const deduplicator = new FakeN8nDeduplicator();
			const parameters = { options: { scope } };
			await run(triggerItems(), { deduplicator, parameters, nodeId: 'first' });
			const [, discarded] = await run(triggerItems(), { deduplicator, parameters, nodeId: 'second' });
			expect(discarded).toHaveLength(secondNodeDiscards);
		}
	});

	it('lets runs in one n8n process take turns: of two runs with the same batch at once, one keeps each event', async () => {
		const deduplicator = new FakeN8nDeduplicator();
		const runs = await Promise.all([run(triggerItems(), { deduplicator }), run(triggerItems(), { deduplicator })]);
		expect(runs.map(([kept]) => kept.length).sort()).toEqual([0, 7]);
		expect(runs.map(([, discarded]) => discarded.length).sort()).toEqual([0, 7]);
	});

	it('keeps the stored list within Max Keys Remembered', async () => {
		const deduplicator = new FakeN8nDeduplicator();
		const items = Array.from({ length: 40 }, (_, index) => ({ json: { eventId: `e-${index}` } }));
		for (let start = 0; start < items.length; start += 8) await run(items.slice(start, start + 8), { deduplicator, parameters: { maxEntries: 5 } });
		expect([...deduplicator.rows.values()].map((row) => row.data.length)).toEqual([5]);
	});

	it('reports a database that fails as a node error', async () => {
		const error = await run(triggerItems(), { failDatabase: true }).catch((caught: unknown) => caught);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect((error as NodeOperationError).description).toContain('could not read or save');
	});
});

describe("Mailtarget Dedupe in n8n-core's execution engine, with n8n-core's DataDeduplicationService", () => {
	const deduplicator = new FakeN8nDeduplicator();
	beforeAll(async () => {
		await n8nCore.DataDeduplicationService.init(deduplicator);
	});
	afterEach(() => jest.restoreAllMocks());

	const execute = (items: Array<{ json: IDataObject }>, now: number) => {
		jest.spyOn(Date, 'now').mockImplementation(() => now);
		return runNodeInWorkflow(
			{ core: n8nCore, workflow: n8nWorkflow },
			{ nodeType: new MailtargetDedupe(), typeName: 'CUSTOM.mailtargetDedupe', parameters: DEFAULTS, items, workflowId: 'wf-engine', nodeId: 'dedupe-engine' },
		);
	};

	it('discards in a second execution what the first kept, and keeps it again after Remember For', async () => {
		const first = await execute(triggerItems(), T0);
		expect(first.error).toBeUndefined();
		expect(first.outputs?.map((output) => output.length)).toEqual([7, 0]);

		const second = await execute(triggerItems({ ...officialBatch(), retryCount: 1 }), T0 + HOUR_MS);
		expect(second.outputs?.map((output) => output.length)).toEqual([0, 7]);
		expect(paired(second.outputs?.[1] ?? [])).toEqual([0, 1, 2, 3, 4, 5, 6].map((item) => ({ item })));

		const later = await execute(triggerItems(), T0 + 80 * HOUR_MS);
		expect(later.outputs?.map((output) => output.length)).toEqual([7, 0]);
	});
});

describe("Mailtarget Dedupe against n8n's own deduplication provider and database (SQLite), across executions and a restart", () => {
	if (!hasN8nPackage()) {
		it('needs the n8n package: run scripts/ensure-n8n-host.sh (npm test does) or set N8N_PACKAGE_DIR', () => {
			throw new Error(`no n8n package in ${N8N_PACKAGE_DIR}`);
		});
		return;
	}
	let folder: string;
	let host: N8nHost | undefined;
	beforeAll(() => {
		folder = mkdtempSync(join(tmpdir(), 'mt-n8n-node-'));
	});
	afterAll(async () => {
		await host?.stop();
		rmSync(folder, { recursive: true, force: true });
	});

	const workflowId = 'wf-real-node';
	const nodeId = 'dedupe-real';
	const execute = (items: Array<{ json: IDataObject }>, now: number) =>
		host!.call<{ outputs: INodeExecutionData[][]; error?: { message: string } }>('execute', { workflowId, nodeId, parameters: DEFAULTS, items, now });

	it('keeps a batch, discards it in the next execution and again after n8n restarts, and keeps it once Remember For has passed', async () => {
		host = await startN8nHost(folder);
		await host.call('createWorkflow', { workflowId });
		const batch = triggerItems();

		const first = await execute(batch, T0);
		expect(first.error).toBeUndefined();
		expect(first.outputs.map((output) => output.length)).toEqual([7, 0]);
		const second = await execute(batch, T0 + HOUR_MS);
		expect(second.outputs.map((output) => output.length)).toEqual([0, 7]);

		await host.stop();
		host = await startN8nHost(folder);
		const fresh = { json: { ...batch[0].json, eventId: 'after-restart' } };
		const afterRestart = await execute([...batch, fresh], T0 + 2 * HOUR_MS);
		expect(ids(afterRestart.outputs[0])).toEqual(['after-restart']);
		expect(ids(afterRestart.outputs[1])).toEqual(ids(batch));
		expect(afterRestart.outputs[1].every((item) => Date.parse(String(item.json.firstSeenAt)) <= T0)).toBe(true);

		const row = await host.call<{ mode: string; data: string[] }>('storedRow', { workflowId, context: `n:${nodeId}` });
		expect(row).toMatchObject({ mode: 'entries' });
		expect(row.data).toHaveLength(8);

		const later = await execute(batch, T0 + 80 * HOUR_MS);
		expect(later.outputs.map((output) => output.length)).toEqual([7, 0]);
	}, 120_000);
});
