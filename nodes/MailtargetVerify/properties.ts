import type { INodeProperties } from 'n8n-workflow';

import { EVENT_TYPE_OPTIONS, SIGNATURE_HEADER_OPTION } from '../MailtargetTrigger/properties';

export const verifyProperties: INodeProperties[] = [
	{
		displayName:
			'Put this right after a Webhook node whose option "Raw Body" is on. Set its Respond to "When Last Node Finishes" (Response Data: No Response Body) so that Mailtarget gets 200 only once the events are stored, and 500 (it sends again) when the execution failed; a request that fails the check emits nothing here and its execution is marked as failed.',
		name: 'setupNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Verify Sender With',
		name: 'authentication',
		type: 'options',
		options: [
			{ name: 'Signature (HMAC-SHA256)', value: 'signature', description: 'Check the X-Mailtarget-Signature header against the signing secret, on the raw body' },
			{ name: 'Basic Auth', value: 'basicAuth', description: 'Check the username and password set on the Mailtarget webhook' },
			{ name: 'Signature and Basic Auth', value: 'both', description: 'Require both checks to pass' },
		],
		default: 'signature',
		description: 'How the node makes sure a request really comes from Mailtarget. Choose what the webhook in the Mailtarget dashboard uses.',
		hint: 'This node does the check, on the exact bytes received: the Webhook node\'s own Authentication can stay at None',
	},
	{
		displayName: 'Events',
		name: 'events',
		type: 'multiOptions',
		options: EVENT_TYPE_OPTIONS,
		default: [],
		description: 'Which events to pass on. Leave empty for all, including types Mailtarget adds later.',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		description: 'More settings. The defaults suit most workflows: add one only when you need to change it.',
		default: {},
		options: [
			{
				displayName: 'Binary Property',
				name: 'binaryProperty',
				type: 'string',
				default: 'data',
				description: 'Where the Webhook node put the raw body (its "Raw Body" option uses "data")',
				hint: 'Without the Webhook node\'s "Raw Body" option every signature check fails',
			},
			SIGNATURE_HEADER_OPTION,
			{
				displayName: 'Maximum Body Size (MiB)',
				name: 'maxBodyMiB',
				type: 'number',
				typeOptions: { minValue: 0.001 },
				default: 10,
				description: 'Larger requests are refused (emit nothing). Mailtarget\'s batches are far smaller than the default.',
			},
		],
	},
];
