import { NodeHelpers, NodeOperationError, Workflow, type IExecuteFunctions, type INode, type INodeExecutionData, type INodeTypes } from 'n8n-workflow';

import { mapEvents } from '../../core/mapping/mapEvents';
import { MAPPER_ROUTES } from '../../core/mapping/types';
import { normalizeEvent } from '../../core/payload/normalize';
import { MailtargetEventMapper } from '../../nodes/MailtargetEventMapper/MailtargetEventMapper.node';
import { guideEvents, officialBatch } from '../helpers/fixtures';

const node: INode = { id: 'n1', name: 'Mailtarget Event Mapper', type: 'mailtargetEventMapper', typeVersion: 1, position: [0, 0], parameters: {} };

/** The parts of IExecuteFunctions execute() uses; parameters may differ per item (a function of the item index). */
function context(items: INodeExecutionData[], parameters: Record<string, unknown> = {}, continueOnFail = false) {
	const values: Record<string, unknown> = { target: 'neutral', routing: 'single', options: {}, ...parameters };
	return {
		getInputData: jest.fn(() => items),
		getNodeParameter: jest.fn((name: string, itemIndex: number, fallback?: unknown) => {
			const value = values[name];
			return typeof value === 'function' ? (value as (i: number) => unknown)(itemIndex) : (value ?? fallback);
		}),
		continueOnFail: jest.fn(() => continueOnFail),
		getNode: jest.fn(() => node),
	};
}

async function run(items: Array<{ json: object }>, parameters: Record<string, unknown> = {}, continueOnFail = false) {
	return new MailtargetEventMapper().execute.call(context(items as INodeExecutionData[], parameters, continueOnFail) as unknown as IExecuteFunctions);
}

async function failure(promise: Promise<unknown>): Promise<NodeOperationError> {
	try {
		await promise;
	} catch (error) {
		return error as NodeOperationError;
	}
	throw new Error('expected execute() to throw');
}

const batch = officialBatch();
const invalidEvent = { status: 'open', recipient: 'x@example.com', timestamp: 'not a time' };

describe('Mailtarget Event Mapper (n8n) description', () => {
	const description = new MailtargetEventMapper().description;

	it('is a version 1 transform node with one main input', () => {
		expect(description).toMatchObject({ name: 'mailtargetEventMapper', displayName: 'Mailtarget Event Mapper', version: 1, group: ['transform'], inputs: ['main'] });
		expect(description.icon).toEqual({ light: 'file:mailtarget.svg', dark: 'file:mailtarget.dark.svg' });
	});

	it.each([
		['single', [undefined]],
		['perAction', ['Delivered', 'Opened', 'Clicked', 'Bounced', 'Complaint', 'Unsubscribed', 'Other', 'Invalid']],
	])('n8n resolves the outputs of routing "%s" to %j', (routing, names) => {
		const nodeType = new MailtargetEventMapper();
		const nodeTypes = { getByName: () => nodeType, getByNameAndVersion: () => nodeType, getKnownTypes: () => ({}) } as unknown as INodeTypes;
		const withRouting = { ...node, parameters: { routing } };
		const workflow = new Workflow({ nodes: [withRouting], connections: {}, active: false, nodeTypes });
		const outputs = NodeHelpers.getNodeOutputs(workflow, withRouting, nodeType.description) as Array<{ type: string; displayName?: string }>;
		expect(outputs.map((output) => output.type)).toEqual(names.map(() => 'main'));
		expect(outputs.map((output) => output.displayName)).toEqual(names);
	});

	it('names the per-action outputs in core route order', () => {
		const body = String(description.outputs).slice(3, -2);
		const outputs = new Function('$parameter', `return ${body}`)({ routing: 'perAction' }) as Array<{ displayName: string }>;
		expect(outputs.map((output) => output.displayName.toLowerCase())).toEqual([...MAPPER_ROUTES]);
	});
});

describe('Mailtarget Event Mapper (n8n) execute', () => {
	it('one output: maps every event of every item, each paired with the item it came from', async () => {
		const [guideOpen] = guideEvents().slice(1);
		const result = await run([{ json: batch }, { json: guideOpen }]);
		expect(result).toHaveLength(1);
		const expected = [...mapEvents(batch), ...mapEvents(guideOpen)].map((mapped) => (mapped.ok ? mapped.record : null));
		expect(result[0].map((item) => item.json)).toEqual(expected);
		expect(result[0].map((item) => item.pairedItem)).toEqual([...batch.events.map(() => ({ item: 0 })), { item: 1 }]);
	});

	it('maps items as the Mailtarget Trigger emits them, one record per item', async () => {
		const items = batch.events.map((event) => ({ json: normalizeEvent(event, batch) }));
		const [output] = await run(items);
		expect(output.map((item) => item.json.id)).toEqual(batch.events.map((event) => `mailtarget:${String(event.eventId)}`));
		expect(output.map((item) => item.pairedItem)).toEqual(items.map((_item, index) => ({ item: index })));
	});

	it('one output per action: each record on its route, invalid events on the Invalid output', async () => {
		const result = await run([{ json: batch }, { json: invalidEvent }], { routing: 'perAction' });
		expect(result).toHaveLength(8);
		expect(result.map((output) => output.map((item) => item.json.event ?? 'invalid'))).toEqual([
			['delivery'],
			['open'],
			['click'],
			['bounce', 'bounce'],
			[],
			[],
			['injection', 'delay'],
			['invalid'],
		]);
		expect(result[7][0]).toEqual({ json: { reason: expect.stringContaining('timestamp'), raw: invalidEvent }, pairedItem: { item: 1 } });
	});

	it('throws a NodeOperationError naming the item of an invalid event', async () => {
		const error = await failure(run([{ json: batch }, { json: { ...batch, events: [batch.events[1], invalidEvent] } }]));
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe('Invalid Mailtarget event: event has no parsable timestamp');
		expect(error.context.itemIndex).toBe(1);
		expect(error.description).toContain('"not a time"');
	});

	it('with Continue On Fail: an {error} item paired with its input, the valid events of the same item still mapped', async () => {
		const result = await run([{ json: { ...batch, events: [batch.events[1], invalidEvent, batch.events[2]] } }, { json: batch.events[3] }], {}, true);
		expect(result[0].map((item) => [item.json.event ?? item.json.error, item.pairedItem])).toEqual([
			['delivery', { item: 0 }],
			['open', { item: 0 }],
			['Invalid Mailtarget event: event has no parsable timestamp', { item: 0 }],
			['click', { item: 1 }],
		]);
		expect(Object.keys(result[0][2].json)).toEqual(['error']);
	});

	it('adds the chosen preset with custom names and reads custom metadata keys', async () => {
		const event = { event: 'open', recipient: 'a@example.com', timestamp: 1764231000, metadata: { hs_id: '901', opp: 'D-9', rep: 'bob@x.com' } };
		const options = { contactIdKey: 'hs_id', dealIdKey: 'opp', ownerKey: 'rep', hubspotProperties: '{"lastOpenedAt": "last_open", "openCount": "opens"}' };
		const [[item]] = await run([{ json: event }], { target: 'hubspot', options });
		expect(item.json).toMatchObject({ contact: { id: '901' }, deal: { id: 'D-9' }, owner: 'bob@x.com' });
		expect(item.json.hubspot).toMatchObject({ contactProperties: { last_open: '2025-11-27T08:10:00.000Z' }, increments: { opens: 1 } });
	});

	it('reads settings per item: a bad setting fails that item only with Continue On Fail', async () => {
		const parameters = { target: 'salesforce', options: (i: number) => (i === 1 ? { salesforceFields: '{"nope": "x"}' } : {}) };
		const items = [{ json: batch.events[1] }, { json: batch.events[2] }];
		const error = await failure(run(items, parameters));
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.context.itemIndex).toBe(1);
		expect(error.message).toContain('"nope" is not a Salesforce field name');

		const [output] = await run(items, parameters, true);
		expect(output[0].json).toHaveProperty('salesforce');
		expect(output[1]).toEqual({ json: { error: expect.stringContaining('"nope"') }, pairedItem: { item: 1 } });
	});

	it('puts settings errors on the Invalid output when splitting per action', async () => {
		const result = await run([{ json: batch.events[1] }], { routing: 'perAction', target: 'crm-x' }, true);
		expect(result[7]).toEqual([{ json: { error: expect.stringContaining('unknown CRM "crm-x"') }, pairedItem: { item: 0 } }]);
	});

	it('returns copies: changing an output item does not change the input item', async () => {
		const input = { json: JSON.parse(JSON.stringify(batch.events[1])) };
		const [[item]] = await run([input]);
		(item.json.raw as Record<string, unknown>).recipient = 'changed@example.com';
		expect(input.json.recipient).toBe('jane@example.com');
	});
});
