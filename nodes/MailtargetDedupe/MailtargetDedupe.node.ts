import {
	NodeConnectionTypes,
	NodeOperationError,
	type DeduplicationScope,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { splitDuplicates, type KeyedItem } from '../../core/dedupe/dedupe';
import { defaultDedupeKey, fieldsDedupeKey, parseKeyFields, valueDedupeKey } from '../../core/dedupe/dedupeKey';
import { createQueueRegistry } from '../../core/dedupe/serialQueue';
import { slicedStore } from '../../core/dedupe/slicedStore';
import { dedupeWindow, type DedupeWindow } from '../../core/dedupe/store';
import { n8nProcessedList } from './processedList';
import { dedupeProperties } from './properties';

/** Runs in one n8n process take turns on one stored list, so they cannot both pass a key. */
const queueFor = createQueueRegistry();

export class MailtargetDedupe implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Mailtarget Dedupe',
		name: 'mailtargetDedupe',
		icon: { light: 'file:mailtarget.svg', dark: 'file:mailtarget.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{"for " + $parameter["ttlHours"] + " hours"}}',
		description: 'Lets each Mailtarget event through once, even when Mailtarget sends it again hours later',
		documentationUrl: 'https://www.npmjs.com/package/@crm-bridge/n8n-nodes-mailtarget',
		defaults: { name: 'Mailtarget Dedupe' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: ['Kept', 'Discarded'],
		usableAsTool: true,
		properties: dedupeProperties,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const keySource = this.getNodeParameter('keySource', 0) as string;
		const fields = parseKeyFields(this.getNodeParameter('keyFields', 0, '') as string);
		const scope = this.getNodeParameter('options.scope', 0, 'node') as DeduplicationScope;
		let window: DedupeWindow;
		try {
			window = dedupeWindow(this.getNodeParameter('ttlHours', 0), this.getNodeParameter('maxEntries', 0));
		} catch (error) {
			throw new NodeOperationError(this.getNode(), error as Error);
		}

		const keyed: KeyedItem<number>[] = [];
		const kept: Array<{ index: number; data: INodeExecutionData }> = [];
		for (let index = 0; index < items.length; index++) {
			try {
				const json = items[index].json;
				const key =
					keySource === 'fields' ? fieldsDedupeKey(json, fields) : keySource === 'expression' ? valueDedupeKey(this.getNodeParameter('keyValue', index)) : defaultDedupeKey(json);
				keyed.push({ item: index, key });
			} catch (error) {
				const message = `No dedupe key: ${(error as Error).message}`;
				if (!this.continueOnFail()) throw new NodeOperationError(this.getNode(), message, { itemIndex: index });
				kept.push({ index, data: { json: { error: message }, pairedItem: { item: index } } });
			}
		}

		const queue = queueFor(`${this.getWorkflow().id ?? ''}|${scope === 'node' ? this.getNode().id : ''}`);
		const store = slicedStore(n8nProcessedList(this.helpers, scope), window, queue);
		const split = await splitDuplicates(keyed, store, Date.now).catch((error: Error) => {
			throw new NodeOperationError(this.getNode(), error, { description: 'n8n could not read or save the keys it has seen' });
		});

		for (const { item: index } of split.kept) kept.push({ index, data: { ...items[index], pairedItem: { item: index } } });
		kept.sort((a, b) => a.index - b.index);
		const discarded = split.discarded.map(({ item: index, firstSeenAt }) => ({
			...items[index],
			json: { ...items[index].json, firstSeenAt: new Date(firstSeenAt).toISOString() },
			pairedItem: { item: index },
		}));
		return [kept.map((entry) => entry.data), discarded];
	}
}
