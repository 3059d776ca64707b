import type { INodeProperties } from 'n8n-workflow';

import { DEFAULT_TTL_HOURS, SAFE_MIN_TTL_HOURS } from '../../core/dedupe/store';

/** Remove Duplicates' default history size; n8n loads and saves the whole list on every run, so keep it modest. */
export const DEFAULT_MAX_ENTRIES = 10000;

export const dedupeProperties: INodeProperties[] = [
	{
		displayName:
			'Mailtarget sends a batch again when it gets no answer in time. Put this node right after the Mailtarget Trigger (or the mapper): each event leaves through Kept the first time, and through Discarded when it comes again. For example, an open with eventId 92356927693813856 passes at 08:00; the same open re-sent at 08:10 leaves through Discarded with firstSeenAt set.',
		name: 'setupNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Key',
		name: 'keySource',
		type: 'options',
		options: [
			{
				name: 'Event Key (Recommended)',
				value: 'event',
				description:
					"The event's eventId, or its transmission, type, time and recipient when it has none. Equals the ID of a mapped record, so it also works after the mapper.",
			},
			{ name: 'Fields', value: 'fields', description: 'The values of fields you name' },
			{ name: 'Custom Value', value: 'expression', description: 'An expression worked out for each item' },
		],
		default: 'event',
		description: 'What makes two items the same event',
	},
	{
		displayName: 'Fields',
		name: 'keyFields',
		type: 'string',
		default: 'eventId',
		placeholder: 'e.g. eventId, recipient',
		description: 'Comma-separated field names; use a dot to reach into an object, e.g. metadata.crm_contact_id',
		hint: 'Choose fields that together differ for every real event: "recipient" alone would drop every second open by the same person',
		displayOptions: { show: { keySource: ['fields'] } },
	},
	{
		displayName: 'Value',
		name: 'keyValue',
		type: 'string',
		default: '={{ $json.eventId }}',
		description: 'Items with the same value are the same event. An empty value stops the node.',
		displayOptions: { show: { keySource: ['expression'] } },
	},
	{
		displayName: 'Remember For (Hours)',
		name: 'ttlHours',
		type: 'number',
		typeOptions: { minValue: 0.001 },
		default: DEFAULT_TTL_HOURS,
		description:
			'How long a key counts as seen. Keep it longer than Mailtarget may take to send a batch again; 72 hours is safe. n8n keeps time in twelfths of this: a key is forgotten up to a twelfth later, and a discarded item\'s firstSeenAt is the start of the twelfth it was first seen in.',
	},
	{
		displayName:
			'Shorter than 24 hours is risky: Mailtarget may send a batch again hours later (its ancestor platform retries for 8 hours), and an event that comes again after this window passes as new, so the CRM sees it twice. 72 hours is safe.',
		name: 'shortWindowNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { ttlHours: [{ _cnd: { lt: SAFE_MIN_TTL_HOURS } }] } },
	},
	{
		displayName: 'Max Keys Remembered',
		name: 'maxEntries',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: DEFAULT_MAX_ENTRIES,
		description:
			'Beyond this, the oldest keys are forgotten first. Set it above the number of events you get within the time above.',
		hint: 'e.g. 10000 holds 72 hours of about 3000 events a day; too few keys let old copies through again',
	},
	{
		displayName:
			'Two runs handling the same event at the same moment on different n8n workers can both pass it through. Send it to the CRM with its ID as the idempotency key (upsert by ID) so such a double does no harm.',
		name: 'concurrencyNotice',
		type: 'notice',
		default: '',
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
				displayName: 'Share Memory With',
				name: 'scope',
				type: 'options',
				options: [
					{ name: 'This Node Only', value: 'node', description: 'Other dedupe nodes keep their own keys' },
					{
						name: 'Whole Workflow',
						value: 'workflow',
						description: 'Every node of this workflow that also shares with the whole workflow sees the same keys',
					},
				],
				default: 'node',
				description: 'Which nodes share the keys this node remembers',
			},
		],
	},
];
