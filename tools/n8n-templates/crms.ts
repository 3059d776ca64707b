import type { JsonObject } from './parts';

/** One kind of CRM call: its own outbox table and drain workflow. */
export interface Lane {
	name: string;
	/** The Mailtarget CRM Batch node's body kind. */
	body: string;
	method: string;
	/** Appended to `crmBaseUrl`. */
	path: string;
	/** An expression true for the records this lane sends; null: every mapped record. */
	has: string | null;
	perTick: number;
	what: string;
	extraSettings?: JsonObject[];
	jsonBody?: string;
	extraNote?: string;
}

export interface Credential {
	type: string;
	name: string;
	params: JsonObject;
	howto: string;
}

export interface Crm {
	key: string;
	label: string;
	fileLabel: string;
	/** The Event Mapper's target. */
	target: string;
	lanes: Lane[];
	cred: Credential;
	baseUrl: string;
	settingsNote: string;
	rateNote: string;
	tickSeconds: number;
	/** Node ids start with it, so that templates imported together never share one. */
	prefix: string;
	webhookId: string;
}

function lane(name: string, body: string, method: string, path: string, has: string | null, perTick: number, what: string): Lane {
	return { name, body, method, path, has, perTick, what };
}

function predefined(type: string, name: string, howto: string): Credential {
	return { type, name, params: { authentication: 'predefinedCredentialType', nodeCredentialType: type }, howto };
}

const HEADER_AUTH: Credential = {
	type: 'httpHeaderAuth',
	name: 'Custom CRM token',
	params: { authentication: 'genericCredentialType', genericAuthType: 'httpHeaderAuth' },
	howto: 'Open the HTTP Request node and create a *Header Auth* credential (name `Authorization`, value `Bearer <token>`).',
};

export const CRMS: Crm[] = [
	{
		key: 'custom',
		label: 'your CRM',
		fileLabel: 'custom CRM',
		target: 'neutral',
		lanes: [lane('activities', 'records', 'POST', '/activities', null, 50, 'activity records')],
		cred: HEADER_AUTH,
		baseUrl: 'https://crm.example.com/api',
		settingsNote: '`crmBaseUrl` (e.g. https://crm.example.com/api) and `recordsPerTick`.',
		rateNote:
			'Calls per minute = 60 / tick seconds: keep that under the limit your CRM documents, with room to spare; raise `recordsPerTick` for more records per call.',
		tickSeconds: 2,
		prefix: 'c9',
		webhookId: '4d1c8f5e-9a4b-4b7e-8d33-6a1f0c2e7a01',
	},
	{
		key: 'hubspot',
		label: 'HubSpot',
		fileLabel: 'HubSpot',
		target: 'hubspot',
		lanes: [
			lane('notes', 'hubspotNotes', 'POST', '/crm/v3/objects/notes/batch/create', null, 100, 'notes'),
			lane('contacts', 'hubspotContacts', 'POST', '/crm/v3/objects/contacts/batch/upsert', '$json.hubspot?.api?.contactUpsert', 100, 'contacts'),
			{
				...lane('optouts', 'hubspotUnsubscribe', 'POST', '/communication-preferences/v3/unsubscribe', "($json.event === 'unsubscribe' || null)", 1, 'opt-outs'),
				extraSettings: [{ id: 'a6', name: 'subscriptionId', type: 'string', value: 'your-marketing-subscription-id' }],
				jsonBody: "={{ JSON.stringify({ ...$json.body, subscriptionId: $('Settings').first().json.subscriptionId }) }}",
				extraNote:
					'Set `subscriptionId` in **Settings** to the id of the marketing subscription type an unsubscribe ends (HubSpot: Settings > Marketing > Email > Subscription types). One email per call, as the API takes.',
			},
		],
		cred: predefined(
			'hubspotAppToken',
			'HubSpot private app',
			'Open the HTTP Request node and create a *HubSpot App Token* credential (the access token of a private app with the contacts and notes write scopes).',
		),
		baseUrl: 'https://api.hubapi.com',
		settingsNote: '`recordsPerTick` (HubSpot batch endpoints take up to 100); keep `crmBaseUrl` as https://api.hubapi.com.',
		rateNote:
			'HubSpot allows 100 calls per 10 s (Free/Starter) or 190 (Pro/Enterprise) for all your integrations together; the two drains (notes, contacts) at one call per 2 s each make 10 calls per 10 s, up to 1,000 records.',
		tickSeconds: 2,
		prefix: 'h9',
		webhookId: '7a3e2c10-5b8f-4f7d-9c21-2b6d4e8f1a02',
	},
	{
		key: 'salesforce',
		label: 'Salesforce',
		fileLabel: 'Salesforce',
		target: 'salesforce',
		lanes: [
			lane('tasks', 'salesforceTasks', 'PATCH', '/services/data/v60.0/composite/sobjects/Task/Mailtarget_Event_Id__c', null, 200, 'tasks'),
			lane('contacts', 'salesforceContacts', 'PATCH', '/services/data/v60.0/composite/sobjects', '$json.salesforce?.api?.whoUpdate', 200, 'contacts and leads'),
		],
		cred: predefined('salesforceOAuth2Api', 'Salesforce', 'Open the HTTP Request node and create a *Salesforce OAuth2* credential (connect it to your org).'),
		baseUrl: 'https://yourInstance.my.salesforce.com',
		settingsNote:
			'`crmBaseUrl` to your instance URL (e.g. https://acme.my.salesforce.com) and `recordsPerTick` (collections take up to 200). Create the Task field `Mailtarget_Event_Id__c` (External ID, unique) first.',
		rateNote:
			'Salesforce counts calls against a daily allocation (100,000 + per licence): one call per 2 s per drain is 43,200 per day each, carrying up to 200 records; lengthen the tick if you share the allocation.',
		tickSeconds: 2,
		prefix: 's9',
		webhookId: '0c5b7d2e-3f6a-4e1b-8a94-5d7c2e9f3b03',
	},
	{
		key: 'zendesk',
		label: 'Zendesk',
		fileLabel: 'Zendesk',
		target: 'zendesk',
		lanes: [
			lane('users', 'zendeskUsers', 'POST', '/api/v2/users/create_or_update_many.json', '$json.zendesk?.user', 100, 'users'),
			lane('tickets', 'zendeskTickets', 'POST', '/api/v2/tickets/create_many.json', '$json.zendesk?.ticket', 100, 'tickets'),
		],
		cred: predefined('zendeskApi', 'Zendesk', 'Open the HTTP Request node and create a *Zendesk API* credential (subdomain, agent email, API token).'),
		baseUrl: 'https://yourSubdomain.zendesk.com',
		settingsNote:
			"`crmBaseUrl` to https://<your subdomain>.zendesk.com and `recordsPerTick` (up to 100). Create the user fields the mapper's help lists first.",
		rateNote: 'Zendesk allows 200-2,500 calls per minute by plan; the two drains at one call per 2 s each make 60 per minute.',
		tickSeconds: 2,
		prefix: 'z9',
		webhookId: '9e1f4a6b-2c8d-4b3e-a175-6f0d3c8b2e04',
	},
];

/** The outbox table of each lane, in lane order. */
export function outboxTables(c: Crm): string[] {
	return c.lanes.map((l) => (c.lanes.length > 1 ? `mailtarget_${c.key}_${l.name}_outbox` : `mailtarget_${c.key}_outbox`));
}

export function deadLetterTable(c: Crm): string {
	return `mailtarget_${c.key}_deadletters`;
}

export function pauseTable(c: Crm): string {
	return `mailtarget_${c.key}_pause`;
}
