import type { IExecuteFunctions, INode, INodeExecutionData } from 'n8n-workflow';

import { MailtargetCrmBatch } from '../../nodes/MailtargetCrmBatch/MailtargetCrmBatch.node';
import { MailtargetDeliveryOutcome } from '../../nodes/MailtargetDeliveryOutcome/MailtargetDeliveryOutcome.node';

const node: INode = { id: 'n1', name: 'Outcome', type: 'mailtargetDeliveryOutcome', typeVersion: 1, position: [0, 0], parameters: {} };

function context(items: INodeExecutionData[], values: Record<string, unknown>) {
	return {
		getInputData: () => items,
		// As n8n does: a parameter that is not set and has no fallback is an error.
		getNodeParameter: (name: string, itemIndex: number, fallback?: unknown) => {
			const value = values[name];
			if (value === undefined && fallback === undefined) throw new Error(`Could not get parameter "${name}"`);
			return typeof value === 'function' ? (value as (i: number) => unknown)(itemIndex) : (value ?? fallback);
		},
		getNode: () => node,
		continueOnFail: () => false,
	} as unknown as IExecuteFunctions;
}

const acceptedAt = Date.now() - 60_000;
const carried = [
	{ rowId: 7, recordId: 'mailtarget:a', acceptedAt, attempts: 0 },
	{ rowId: 8, recordId: 'mailtarget:b', acceptedAt, attempts: 2 },
];

async function outcome(answer: object, options: Record<string, unknown> = {}, rows: unknown = carried) {
	return new MailtargetDeliveryOutcome().execute.call(context([{ json: answer as never }], { rows, options }));
}

describe('Mailtarget Delivery Outcome (n8n)', () => {
	it('has three outputs: delivered, retry, dead letter', () => {
		expect(new MailtargetDeliveryOutcome().description.outputNames).toEqual(['Delivered', 'Retry', 'Dead Letter']);
	});

	it('sends every row of a 2xx to Delivered with what to write back', async () => {
		const [delivered, retry, dead] = await outcome({ statusCode: 201, headers: {}, body: { results: [] } });
		expect(retry).toEqual([]);
		expect(dead).toEqual([]);
		expect(delivered.map((item) => item.json)).toEqual([
			expect.objectContaining({ rowId: 7, recordId: 'mailtarget:a', status: 'delivered', attempts: 1, answer: '201 {"results":[]}' }),
			expect.objectContaining({ rowId: 8, recordId: 'mailtarget:b', status: 'delivered', attempts: 3 }),
		]);
		expect(delivered[0]?.pairedItem).toEqual({ item: 0 });
	});

	it('sends a 429 to Retry at Retry-After, with the pause for the whole queue', async () => {
		const before = Date.now();
		const [, retry] = await outcome({ statusCode: 429, headers: { 'retry-after': '120' }, body: '' });
		expect(retry).toHaveLength(2);
		const json = retry[0]?.json as { dueAt: number; pauseUntil: number; status: string };
		expect(json.status).toBe('due');
		expect(json.dueAt).toBeGreaterThanOrEqual(before + 120_000);
		expect(json.pauseUntil).toBe(json.dueAt);
	});

	it('retries an error item from "On Error: Continue" (connection reset)', async () => {
		const [, retry] = await outcome({ error: { message: 'socket hang up', code: 'ECONNRESET' } });
		expect(retry.map((item) => item.json.reason)).toEqual(['network error (ECONNRESET: socket hang up)', 'network error (ECONNRESET: socket hang up)']);
	});

	it('dead-letters a 422 with the answer, and honours a zero retry horizon', async () => {
		const [, , dead] = await outcome({ statusCode: 422, headers: {}, body: { message: 'bad field' } });
		expect(dead[0]?.json).toMatchObject({ status: 'dead', reason: 'rejected by the CRM (422)', answer: '422 {"message":"bad field"}' });
		const [, retry, expired] = await outcome({ statusCode: 500 }, { retryHorizonHours: 0 });
		expect(retry).toEqual([]);
		expect(expired).toHaveLength(2);
	});

	it('refuses a missing row list or bad options with a clear error', async () => {
		await expect(outcome({ statusCode: 200 }, {}, 'not json')).rejects.toThrow('"Records of This Call" must be the list of rows the call carried, but it is text that is not JSON');
		await expect(outcome({ statusCode: 200 }, {}, [{ recordId: 'x' }])).rejects.toThrow('entry 0 has no rowId');
		await expect(outcome({ statusCode: 200 }, { backoffBaseSeconds: 10, backoffMaxSeconds: 1 })).rejects.toThrow('the longest retry wait must not be shorter');
	});
});

describe('Mailtarget CRM Batch (n8n)', () => {
	const rowItem = (id: number, record: string) => ({ json: { id, recordId: `mailtarget:${id}`, record, acceptedAt: acceptedAt, attempts: 0 } });

	it('emits one item per call with its rows, records and key, pairing each to the rows it carries', async () => {
		const items = [rowItem(1, '{"id":"mailtarget:1"}'), rowItem(2, '{"id":"mailtarget:2"}'), rowItem(3, 'broken'), rowItem(4, '{"id":"mailtarget:4"}')];
		const [batches, unreadable] = await new MailtargetCrmBatch().execute.call(context(items as never, { batchSize: 2 }));
		expect(batches.map((item) => (item.json.records as Array<{ id: string }>).map((record) => record.id))).toEqual([['mailtarget:1', 'mailtarget:2'], ['mailtarget:4']]);
		expect(batches[1]?.pairedItem).toEqual([{ item: 3 }]);
		expect(batches[1]?.json.idempotencyKey).toBe('mailtarget:4');
		expect(unreadable.map((item) => item.json)).toEqual([{ rowId: 3, recordId: 'mailtarget:3', reason: 'the stored record is not valid JSON', status: 'dead' }]);
	});

	it('refuses a batch size outside 1-200 and items that are not rows', async () => {
		await expect(new MailtargetCrmBatch().execute.call(context([], { batchSize: 201 }))).rejects.toThrow('Records per Call must be a whole number from 1 to 200');
		await expect(new MailtargetCrmBatch().execute.call(context([{ json: { record: '{}' } }], { batchSize: 5 }))).rejects.toThrow('must be a queued row with an "id"');
	});
});
