import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { readMapperSettings, type MapperSettings } from '../../core/mapping/settings';

const FIELD_NAME_OPTION: Record<string, string> = {
	hubspot: 'hubspotProperties',
	salesforce: 'salesforceFields',
	zendesk: 'zendeskFields',
};

/** The node's parameters for one item, checked by core. Routing is read once: it shapes the outputs. */
export function mapperSettings(this: IExecuteFunctions, itemIndex: number): MapperSettings {
	const target = this.getNodeParameter('target', itemIndex, 'neutral') as string;
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const fieldNameOption = FIELD_NAME_OPTION[target];
	return readMapperSettings({
		target,
		routing: this.getNodeParameter('routing', 0, 'single'),
		contactIdKey: options.contactIdKey,
		dealIdKey: options.dealIdKey,
		ownerKey: options.ownerKey,
		fieldNames: fieldNameOption ? options[fieldNameOption] : undefined,
	});
}
