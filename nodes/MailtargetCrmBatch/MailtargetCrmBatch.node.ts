import {
	NodeConnectionTypes,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { batchRows, type TableRow } from '../../core/delivery/batchRows';
import { CRM_BODIES, type CrmBody } from '../../core/delivery/crmBodies';
import { MAX_BATCH_SIZE } from '../../core/delivery/queueSettings';

export class MailtargetCrmBatch implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Mailtarget CRM Batch',
		name: 'mailtargetCrmBatch',
		icon: { light: 'file:mailtarget.svg', dark: 'file:mailtarget.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{"up to " + $parameter["batchSize"] + " records per call"}}',
		description: 'Groups queued Mailtarget records (Data Table rows) into CRM batch calls, keeping which rows each call carries',
		documentationUrl: 'https://www.npmjs.com/package/@crm-bridge/n8n-nodes-mailtarget',
		defaults: { name: 'Mailtarget CRM Batch' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: ['Batches', 'Unreadable Rows'],
		usableAsTool: true,
		properties: [
			{
				displayName:
					'Each input item is one queued row (columns recordId, record, acceptedAt, attempts). Each output item is one CRM call: "body" is what to send, "rows" goes to the Mailtarget Delivery Outcome node, "idempotencyKey" is the same whenever the same rows go again.',
				name: 'setupNotice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Body',
				name: 'body',
				type: 'options',
				options: [
					{ name: 'Activity Records (Your Own Endpoint)', value: 'records', description: 'A JSON array of the activity records' },
					{ name: 'HubSpot Notes (Batch Create)', value: 'hubspotNotes', description: '{inputs} for POST /crm/v3/objects/notes/batch/create' },
					{ name: 'HubSpot Contacts (Batch Upsert)', value: 'hubspotContacts', description: '{inputs} for POST /crm/v3/objects/contacts/batch/upsert, one per contact' },
					{ name: 'HubSpot Unsubscribe (Communication Preferences)', value: 'hubspotUnsubscribe', description: '{emailAddress, legalBasis} for POST /communication-preferences/v3/unsubscribe, one per call' },
					{ name: 'Salesforce Tasks (Collection Upsert)', value: 'salesforceTasks', description: '{allOrNone, records} for PATCH /composite/sobjects/Task/Mailtarget_Event_Id__c' },
					{ name: 'Salesforce Contacts/Leads (Collection Update)', value: 'salesforceContacts', description: '{allOrNone, records} for PATCH /composite/sobjects, one per record' },
					{ name: 'Zendesk Users (Create or Update Many)', value: 'zendeskUsers', description: '{users} for POST /api/v2/users/create_or_update_many, one per email' },
					{ name: 'Zendesk Tickets (Create Many)', value: 'zendeskTickets', description: '{tickets} for POST /api/v2/tickets/create_many' },
				],
				default: 'records',
				description: 'What the "body" of each output item is: the mapper must have used the matching CRM preset',
			},
			{
				displayName: 'Records per Call',
				name: 'batchSize',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: MAX_BATCH_SIZE },
				default: 100,
				description: 'HubSpot and Zendesk batch endpoints take 100, Salesforce collections 200, your own endpoint what it documents',
				hint: 'More than the endpoint takes makes every call fail with 400 (dead letters)',
			},
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const batchSize = this.getNodeParameter('batchSize', 0, 100) as number;
		if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
			throw new NodeOperationError(this.getNode(), `Records per Call must be a whole number from 1 to ${MAX_BATCH_SIZE}, got ${String(batchSize)}`);
		}
		const body = this.getNodeParameter('body', 0, 'records') as CrmBody;
		if (!CRM_BODIES.includes(body)) throw new NodeOperationError(this.getNode(), `Unknown body "${String(body)}"`);
		const itemOfRow = new Map<string, number>();
		items.forEach((item, index) => {
			if (typeof item.json.id !== 'string' && typeof item.json.id !== 'number') {
				throw new NodeOperationError(this.getNode(), 'Each input item must be a queued row with an "id" (the Data Table row id)', { itemIndex: index });
			}
			itemOfRow.set(String(item.json.id), index);
		});
		const { batches, unreadable } = batchRows(items.map((item) => item.json as unknown as TableRow), batchSize, body);
		const paired = (rowIds: Array<string | number>) => rowIds.map((rowId) => ({ item: itemOfRow.get(String(rowId)) ?? 0 }));
		return [
			batches.map((batch) => ({ json: batch as unknown as IDataObject, pairedItem: paired(batch.rows.map((row) => row.rowId)) })),
			unreadable.map((row) => ({ json: { ...row, status: 'dead' } as IDataObject, pairedItem: paired([row.rowId]) })),
		];
	}
}
