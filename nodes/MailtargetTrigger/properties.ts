import type { INodeProperties } from 'n8n-workflow';

export const EVENT_TYPE_OPTIONS = [
	{ name: 'Bounce', value: 'bounce', description: 'The email could not be delivered (hard or soft)' },
	{ name: 'Click', value: 'click', description: 'The recipient clicked a link' },
	{ name: 'Complaint', value: 'complaint', description: 'The recipient marked the email as spam' },
	{ name: 'Delay', value: 'delay', description: 'Delivery was delayed and will be retried' },
	{ name: 'Delivery', value: 'delivery', description: "The receiving server accepted the email" },
	{ name: 'Injection', value: 'injection', description: 'Mailtarget accepted the email for sending' },
	{ name: 'Open', value: 'open', description: 'The recipient opened the email' },
	{ name: 'Unsubscribe', value: 'unsubscribe', description: 'The recipient unsubscribed' },
];

/** The header the signature arrives in; shared by the trigger and Mailtarget Verify. */
export const SIGNATURE_HEADER_OPTION: INodeProperties = {
	displayName: 'Signature Header',
	name: 'signatureHeader',
	type: 'string',
	default: 'X-Mailtarget-Signature',
	description: 'Name of the header that carries the signature, if your sender uses another one. Upper or lower case does not matter.',
	hint: 'Change it only when a proxy renames the header or your sender uses another name; empty means X-Mailtarget-Signature',
};

const respondOptions = [
	{
		name: 'When the Events Are Stored (Last Node Finished)',
		value: 'lastNode',
		description:
			'Answer 200 only when the whole workflow has finished, and 500 when it failed or n8n stopped, so Mailtarget sends the batch again. Use with a workflow that stores the events.',
	},
	{
		name: 'Immediately',
		value: 'onReceived',
		description: 'Answer 200 as soon as n8n has started the workflow. Events are lost if n8n stops before the workflow stored them.',
	},
];

/** Versions 1 and 2 keep answering at once, as they always did; version 3 answers once the workflow finished. */
const respondProperty = (versions: number[], defaultMode: string): INodeProperties => ({
	displayName: 'Respond',
	name: 'responseMode',
	type: 'options',
	options: respondOptions,
	default: defaultMode,
	description: 'When n8n answers Mailtarget. Mailtarget sends a batch again until it gets a 2xx answer.',
	displayOptions: { show: { '@version': versions } },
});

export const triggerProperties: INodeProperties[] = [
	{
		displayName:
			'Copy the Production URL above (e.g. https://n8n.example.com/webhook/…/webhook) into Webhooks in your Mailtarget dashboard, tick the events, choose the same check as below, and activate this workflow. Or turn on "Register Webhook Automatically" if you have an Open API key. Each event then starts one run with the event as its item, e.g. {"type": "open", "recipient": "jane@example.com", "occurredAt": "…", "metadata": {"crm_contact_id": "…"}}.',
		name: 'setupNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { registerWebhook: [false] } },
	},
	{
		displayName: 'Verify Sender With',
		name: 'authentication',
		type: 'options',
		options: [
			{ name: 'Signature (HMAC-SHA256)', value: 'signature', description: 'Check the X-Mailtarget-Signature header against the signing secret' },
			{ name: 'Basic Auth', value: 'basicAuth', description: 'Check the username and password set on the Mailtarget webhook' },
			{ name: 'Signature and Basic Auth', value: 'both', description: 'Require both checks to pass' },
			{ name: 'Nothing (Insecure)', value: 'none', description: 'Accept any request. Anyone who knows the URL can inject fake events.' },
		],
		default: 'signature',
		description: 'How the trigger makes sure a request really comes from Mailtarget. Requests that fail get a 401 and start nothing.',
		hint: 'Choose what the webhook in the Mailtarget dashboard uses: its "Basic auth" setting means Basic Auth here',
	},
	{
		displayName:
			'Anyone who knows this URL can send fake events into your CRM. Use this only for a first test, then choose a check above.',
		name: 'insecureNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { authentication: ['none'] } },
	},
	{
		displayName: 'Events',
		name: 'events',
		type: 'multiOptions',
		options: EVENT_TYPE_OPTIONS,
		default: [],
		description:
			'Which events start the workflow. Leave empty for all, including types Mailtarget adds later. Other events are still acknowledged, so Mailtarget does not retry them.',
		hint: 'Tick the same events on the webhook in the Mailtarget dashboard: events it does not send cannot arrive',
	},
	respondProperty([1, 2], 'onReceived'),
	respondProperty([3], 'lastNode'),
	{
		displayName: 'Register Webhook Automatically',
		name: 'registerWebhook',
		type: 'boolean',
		default: false,
		description:
			'Whether to create the webhook in Mailtarget when the workflow is activated (and delete it when deactivated). Needs a Mailtarget Open API credential; n8n generates the Basic auth password.',
		hint: 'Without it, add the webhook by hand in the Mailtarget dashboard',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		description: 'More settings. The defaults suit most workflows: add one only when you need to change it.',
		default: {},
		options: [
			SIGNATURE_HEADER_OPTION,
			{
				displayName: 'Maximum Body Size (MiB)',
				name: 'maxBodyMiB',
				type: 'number',
				typeOptions: { minValue: 0.001 },
				default: 10,
				description: 'Requests larger than this get a 413 and start nothing. Mailtarget\'s batches are far smaller than the default.',
			},
			{
				displayName: 'Log Verification Details',
				name: 'diagnostics',
				type: 'boolean',
				default: false,
				description:
					'Whether to write the received header names, the signature header value, the body length, the content type and why a check failed to the n8n log. Secrets are never logged. Turn on when signatures fail now and then.',
				hint: 'Turn it off again once the problem is found: it logs every request',
			},
		],
	},
];
