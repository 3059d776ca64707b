import type { INodeProperties } from 'n8n-workflow';

import { QUEUE_DEFAULTS } from '../../core/delivery/queueSettings';

export const outcomeProperties: INodeProperties[] = [
	{
		displayName:
			'Put this node right after the HTTP Request that calls the CRM, with the HTTP Request set to Full Response, Never Error and On Error: Continue. 2xx is delivered; 429, 503 and Salesforce REQUEST_LIMIT_EXCEEDED retry after the longer of Retry-After and a growing backoff; other 5xx, timeouts and resets retry; other 4xx and anything still failing after the retry horizon are dead letters with the CRM\'s answer.',
		name: 'setupNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Records of This Call',
		name: 'rows',
		type: 'json',
		default: '={{ $("Mailtarget CRM Batch").item.json.rows }}',
		required: true,
		description: 'The rows the CRM call carried (the "rows" of the Mailtarget CRM Batch item), each with rowId, acceptedAt and attempts',
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
				displayName: 'Retry Horizon (Hours)',
				name: 'retryHorizonHours',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: QUEUE_DEFAULTS.retryHorizonHours,
				description: 'How long after a record was accepted it is still retried; after that it becomes a dead letter',
				hint: '0 makes every failure, even a short CRM outage or a 429, a dead letter at once',
			},
			{
				displayName: 'First Retry Wait (Seconds)',
				name: 'backoffBaseSeconds',
				type: 'number',
				typeOptions: { minValue: 0.001 },
				default: QUEUE_DEFAULTS.backoffBaseSeconds,
				description: 'Wait after the first failure; it doubles with each further failure, up to the longest wait below',
			},
			{
				displayName: 'Longest Retry Wait (Seconds)',
				name: 'backoffMaxSeconds',
				type: 'number',
				typeOptions: { minValue: 0.001 },
				default: QUEUE_DEFAULTS.backoffMaxSeconds,
				description: 'The backoff never grows past this; a longer Retry-After from the CRM is still honoured',
			},
		],
	},
];
