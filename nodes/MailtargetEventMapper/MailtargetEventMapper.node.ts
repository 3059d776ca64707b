import {
	deepCopy,
	NodeConnectionTypes,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { mapEvents, type MappedEvent } from '../../core/mapping/mapEvents';
import { outputCount, outputIndex, routeResults, type RoutingMode } from '../../core/mapping/routing';
import { mapperSettings } from './mapperSettings';
import { OUTPUTS_EXPRESSION } from './outputs';
import { mapperProperties } from './properties';

function itemJson(result: MappedEvent): IDataObject {
	return result.ok ? deepCopy(result.record as unknown as IDataObject) : { reason: result.reason, raw: deepCopy(result.raw as IDataObject) };
}

export class MailtargetEventMapper implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Mailtarget Event Mapper',
		name: 'mailtargetEventMapper',
		icon: { light: 'file:mailtarget.svg', dark: 'file:mailtarget.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle:
			'={{$parameter["target"] === "hubspot" ? "For HubSpot" : $parameter["target"] === "salesforce" ? "For Salesforce" : $parameter["target"] === "zendesk" ? "For Zendesk" : "Activity record"}}',
		description: 'Turns Mailtarget email events into CRM activities and contact updates for HubSpot, Salesforce, Zendesk or your own CRM',
		documentationUrl: 'https://www.npmjs.com/package/@crm-bridge/n8n-nodes-mailtarget',
		defaults: { name: 'Mailtarget Event Mapper' },
		inputs: [NodeConnectionTypes.Main],
		outputs: OUTPUTS_EXPRESSION,
		usableAsTool: true,
		properties: mapperProperties,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const mode: RoutingMode = this.getNodeParameter('routing', 0, 'single') === 'perAction' ? 'perAction' : 'single';
		const outputs: INodeExecutionData[][] = Array.from({ length: outputCount(mode) }, () => []);
		const failed = (error: NodeOperationError, pairedItem: { item: number }) => {
			if (!this.continueOnFail()) throw error;
			outputs[outputIndex('invalid', mode) ?? 0].push({ json: { error: error.message }, pairedItem });
		};

		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			const pairedItem = { item: itemIndex };
			const settings = mapperSettings.call(this, itemIndex);
			if (!settings.ok) {
				failed(new NodeOperationError(this.getNode(), `Check the node's settings: ${settings.reason}`, { itemIndex }), pairedItem);
				continue;
			}
			const routed = routeResults(mapEvents(items[itemIndex].json, settings.options), mode);
			routed.outputs.forEach((results, index) => {
				for (const result of results) outputs[index].push({ json: itemJson(result), pairedItem });
			});
			for (const invalid of routed.errors) {
				const description = `The event: ${JSON.stringify(invalid.raw)?.slice(0, 1000)}`;
				failed(new NodeOperationError(this.getNode(), `Invalid Mailtarget event: ${invalid.reason}`, { itemIndex, description }), pairedItem);
			}
		}
		return outputs;
	}
}
