import {
	NodeConnectionTypes,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { answerFromHttpItem } from '../../core/delivery/httpItemAnswer';
import { readQueueSettings } from '../../core/delivery/queueSettings';
import { settleRows, type StoredRow } from '../../core/delivery/settleRows';
import { outcomeProperties } from './properties';

const OUTPUT = { delivered: 0, due: 1, dead: 2 } as const;

type CarriedRow = StoredRow & IDataObject;

function readRows(value: unknown): CarriedRow[] | string {
	let rows = value;
	if (typeof rows === 'string') {
		try {
			rows = JSON.parse(rows) as unknown;
		} catch {
			return 'it is text that is not JSON';
		}
	}
	if (!Array.isArray(rows)) return 'it is not a list';
	for (const [index, row] of rows.entries()) {
		if (typeof row !== 'object' || row === null) return `entry ${index} is not an object`;
		const { rowId } = row as { rowId?: unknown };
		if (typeof rowId !== 'string' && typeof rowId !== 'number') return `entry ${index} has no rowId`;
	}
	return rows as CarriedRow[];
}

export class MailtargetDeliveryOutcome implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Mailtarget Delivery Outcome',
		name: 'mailtargetDeliveryOutcome',
		icon: { light: 'file:mailtarget.svg', dark: 'file:mailtarget.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: 'Delivered, retry or dead letter',
		description: "Reads a CRM's answer (status, Retry-After, body, or the error) and says for each record it carried: delivered, retry at a time, or dead letter",
		documentationUrl: 'https://www.npmjs.com/package/@crm-bridge/n8n-nodes-mailtarget',
		defaults: { name: 'Mailtarget Delivery Outcome' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: ['Delivered', 'Retry', 'Dead Letter'],
		usableAsTool: true,
		properties: outcomeProperties,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const outputs: INodeExecutionData[][] = [[], [], []];
		const options = this.getNodeParameter('options', 0, {}) as IDataObject;
		const settings = readQueueSettings({
			retryHorizonHours: options.retryHorizonHours,
			backoffBaseSeconds: options.backoffBaseSeconds,
			backoffMaxSeconds: options.backoffMaxSeconds,
		});
		if (!settings.ok) throw new NodeOperationError(this.getNode(), `Check the node's options: ${settings.reason}`);

		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			const rows = readRows(this.getNodeParameter('rows', itemIndex));
			if (typeof rows === 'string') {
				throw new NodeOperationError(this.getNode(), `"Records of This Call" must be the list of rows the call carried, but ${rows}`, {
					itemIndex,
					description: 'Point it at the rows of the batch, e.g. {{ $("Mailtarget CRM Batch").item.json.rows }}',
				});
			}
			const now = Date.now();
			const settled = settleRows(answerFromHttpItem(items[itemIndex].json), rows, now, Math.random, settings.settings.policy);
			settled.rows.forEach((settlement, index) => {
				const json: IDataObject = {
					...rows[index],
					...settlement,
					answer: settled.answer,
					settledAt: now,
					...(settled.pauseUntil === undefined ? {} : { pauseUntil: settled.pauseUntil }),
				};
				outputs[OUTPUT[settlement.status]].push({ json, pairedItem: { item: itemIndex } });
			});
		}
		return outputs;
	}
}
