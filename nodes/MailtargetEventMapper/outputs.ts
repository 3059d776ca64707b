import type { INodeParameters } from 'n8n-workflow';

/**
 * n8n evaluates this in the editor from its source text (`outputs` expression), so it must
 * not use anything imported. The names follow core's MAPPER_ROUTES order.
 */
export const configuredOutputs = (parameters: INodeParameters) =>
	parameters.routing === 'perAction'
		? ['Delivered', 'Opened', 'Clicked', 'Bounced', 'Complaint', 'Unsubscribed', 'Other', 'Invalid'].map((displayName) => ({
				type: 'main',
				displayName,
			}))
		: [{ type: 'main' }];

export const OUTPUTS_EXPRESSION = `={{(${configuredOutputs})($parameter)}}` as const;
