import { isRecord, keyOf } from './body';
import type { CrmName, RecordedRequest, RecordedWrite } from './types';

/**
 * Reads what the product wrote back out of each CRM's own record shape: the custom CRM's
 * activity records as they are, HubSpot notes, Salesforce tasks and Zendesk tickets from the
 * title and description the mapper's presets write (core/mapping/presets/describe.ts).
 */

export type ActivityType = 'delivered' | 'opened' | 'clicked' | 'bounced' | 'complaint' | 'unsubscribed' | 'other';

export const ACTIVITY_TYPES: readonly ActivityType[] = ['delivered', 'opened', 'clicked', 'bounced', 'complaint', 'unsubscribed', 'other'];

export interface BounceView {
	class: string;
	code: number | null;
	reason: string | null;
}

/** One activity as read from one write. */
export interface ActivityRead {
	/** Idempotency key (event id) when the record carries one. */
	key: string | null;
	contactKey: string;
	email: string | null;
	type: ActivityType;
	subject: string | null;
	eventMs: number | null;
	url: string | null;
	bounce: BounceView | null;
}

/** What one contact write says about a contact: its fields under the CRM's names. */
export interface ContactRead {
	contactKey: string;
	email: string | null;
	fields: Record<string, unknown>;
	/** HubSpot's unsubscribe endpoint: opted out whatever the fields say. */
	optedOut: boolean;
}

const TITLE_TYPES: Array<[string, ActivityType]> = [
	['Email delivered', 'delivered'],
	['Email opened', 'opened'],
	['Email link clicked', 'clicked'],
	['Email bounced', 'bounced'],
	['Spam complaint', 'complaint'],
	['Unsubscribed', 'unsubscribed'],
];

const NEUTRAL_TYPES: Record<string, ActivityType> = {
	'email.delivered': 'delivered',
	'email.opened': 'opened',
	'email.clicked': 'clicked',
	'email.bounced': 'bounced',
	'email.complained': 'complaint',
	'email.unsubscribed': 'unsubscribed',
};

const isActivityType = (value: string): value is ActivityType => (ACTIVITY_TYPES as readonly string[]).includes(value);
const str = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
const lower = (value: string | null): string | null => (value === null ? null : value.toLowerCase());

/** Largest time a Date can hold. */
const MAX_TIME = 8.64e15;

/** ISO text, epoch milliseconds (number or digits); null for anything else or out of a Date's range. */
export function timeOf(value: unknown): number | null {
	let ms: number | null = null;
	if (typeof value === 'number') ms = value;
	else if (typeof value === 'string' && /^\d+$/.test(value)) ms = Number(value);
	else if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value)) ms = Date.parse(value);
	return ms !== null && Number.isFinite(ms) && Math.abs(ms) <= MAX_TIME ? ms : null;
}

/** Where an activity goes when its record names no contact at all: it is still shown. */
export const UNKNOWN_CONTACT = '(no contact in the record)';

function titleRead(title: string | null): { type: ActivityType; subject: string | null } {
	if (title !== null) {
		for (const [prefix, type] of TITLE_TYPES) {
			if (title === prefix) return { type, subject: null };
			if (title.startsWith(`${prefix}: `)) return { type, subject: title.slice(prefix.length + 2) };
		}
	}
	return { type: 'other', subject: title };
}

interface Description {
	recipient: string | null;
	when: string | null;
	link: string | null;
	bounce: BounceView | null;
}

/** The `Label: value` lines of describeActivity(). */
function descriptionRead(text: string | null): Description {
	const lines = new Map<string, string>();
	for (const line of (text ?? '').split('\n')) {
		const colon = line.indexOf(': ');
		if (colon > 0 && !lines.has(line.slice(0, colon))) lines.set(line.slice(0, colon), line.slice(colon + 2));
	}
	const bounceLine = lines.get('Bounce');
	const bounceMatch = bounceLine === undefined ? null : /^(\S+)(?: \(code (\d+)\))?/.exec(bounceLine);
	return {
		recipient: lines.get('Recipient') ?? null,
		when: lines.get('When') ?? null,
		link: lines.get('Link') ?? null,
		bounce: bounceMatch
			? { class: bounceMatch[1] as string, code: bounceMatch[2] === undefined ? null : Number(bounceMatch[2]), reason: lines.get('Reason') ?? null }
			: null,
	};
}

function fromDescription(key: string | null, title: string | null, body: string | null, contactId: string | null, fallbackTime: unknown): ActivityRead {
	const { type, subject } = titleRead(title);
	const d = descriptionRead(body);
	const email = d.recipient !== null && d.recipient.includes('@') ? d.recipient : null;
	const contactKey = contactId ?? lower(d.recipient) ?? UNKNOWN_CONTACT;
	return {
		key,
		contactKey,
		email,
		type,
		subject,
		eventMs: timeOf(d.when) ?? timeOf(fallbackTime),
		url: d.link,
		bounce: d.bounce,
	};
}

function customActivity(write: RecordedWrite): ActivityRead | null {
	const record = write.item;
	if (!isRecord(record)) return null;
	const contact = isRecord(record['contact']) ? record['contact'] : {};
	const activity = isRecord(record['activity']) ? record['activity'] : {};
	const email = str(contact['email']) ?? str(record['recipient']);
	const contactKey = keyOf(contact['id']) ?? keyOf(record['recipient']) ?? UNKNOWN_CONTACT;
	const bounce = isRecord(activity['bounce']) ? activity['bounce'] : null;
	const neutralType = str(activity['type']) ?? '';
	const event = str(record['event']) ?? '';
	return {
		key: write.key,
		contactKey,
		email,
		type: NEUTRAL_TYPES[neutralType] ?? (isActivityType(event) ? event : 'other'),
		subject: str(activity['subject']),
		eventMs: timeOf(record['occurredAt']),
		url: str(activity['url']),
		bounce: bounce
			? { class: str(bounce['class']) ?? 'unknown', code: typeof bounce['code'] === 'number' ? bounce['code'] : null, reason: str(bounce['reason']) }
			: null,
	};
}

function hubspotNote(write: RecordedWrite): ActivityRead | null {
	const props = isRecord(write.item) && isRecord(write.item['properties']) ? write.item['properties'] : {};
	const body = str(props['hs_note_body']);
	const newline = body === null ? -1 : body.indexOf('\n');
	const title = body === null ? null : newline < 0 ? body : body.slice(0, newline);
	const rest = body === null || newline < 0 ? null : body.slice(newline + 1);
	const associations = isRecord(write.item) && Array.isArray(write.item['associations']) ? write.item['associations'] : [];
	const first = associations.find((a): a is Record<string, unknown> => isRecord(a) && isRecord(a['to']));
	const recipient = descriptionRead(rest).recipient;
	// Contacts are upserted by email, so notes go under the recipient's email; the association's id otherwise.
	const contactId = recipient === null && first ? keyOf((first['to'] as Record<string, unknown>)['id']) : null;
	return fromDescription(write.key, title, rest, contactId, props['hs_timestamp']);
}

function salesforceTask(write: RecordedWrite): ActivityRead | null {
	const task = isRecord(write.item) ? write.item : {};
	return fromDescription(write.key, str(task['Subject']), str(task['Description']), keyOf(task['WhoId']), task['ActivityDate']);
}

function zendeskTicket(write: RecordedWrite): ActivityRead | null {
	const ticket = isRecord(write.item) ? write.item : {};
	const comment = isRecord(ticket['comment']) ? ticket['comment'] : {};
	return fromDescription(write.key, str(ticket['subject']), str(comment['body']) ?? str(comment['html_body']), null, undefined);
}

const ACTIVITY_READERS: Record<CrmName, { kind: string; read: (write: RecordedWrite) => ActivityRead | null }> = {
	custom: { kind: 'activity', read: customActivity },
	hubspot: { kind: 'note', read: hubspotNote },
	salesforce: { kind: 'task', read: salesforceTask },
	zendesk: { kind: 'ticket', read: zendeskTicket },
};

/** The activity a write records, or null when the write is a contact update (or unreadable). */
export function activityOf(write: RecordedWrite): ActivityRead | null {
	const reader = ACTIVITY_READERS[write.crm];
	return write.kind === reader.kind ? reader.read(write) : null;
}

/** The contact fields a write sets (HubSpot contacts and opt-outs, Salesforce Contact/Lead, Zendesk users). */
export function contactOf(write: RecordedWrite): ContactRead | null {
	const item = isRecord(write.item) ? write.item : {};
	if (write.crm === 'hubspot' && write.kind === 'contact') {
		const idProperty = str(item['idProperty']);
		const key = keyOf(item['id']);
		if (key === null) return null;
		const email = idProperty === 'email' ? key : null;
		return { contactKey: email !== null ? email.toLowerCase() : key, email, fields: isRecord(item['properties']) ? item['properties'] : {}, optedOut: false };
	}
	if (write.crm === 'hubspot' && write.kind === 'optout') {
		const email = str(item['emailAddress']);
		return email === null ? null : { contactKey: email.toLowerCase(), email, fields: {}, optedOut: true };
	}
	if (write.crm === 'salesforce' && (write.kind === 'contact' || write.kind === 'lead')) {
		if (write.key === null) return null;
		const { attributes: _a, id: _id, ...fields } = item;
		return { contactKey: write.key, email: str(item['Email']), fields, optedOut: false };
	}
	if (write.crm === 'zendesk' && write.kind === 'user') {
		const email = str(item['email']);
		const key = email !== null ? email.toLowerCase() : write.key;
		if (key === null) return null;
		return { contactKey: key, email, fields: isRecord(item['user_fields']) ? item['user_fields'] : {}, optedOut: false };
	}
	return null;
}

/** The event keys (or null for records without one) of the event records a CRM request carried. */
export function eventRecordsIn(request: RecordedRequest): Array<string | null> {
	const body = request.body;
	const path = request.path.replace(/\?.*$/, '');
	const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]);
	const keys = (items: unknown[], keyOfItem: (item: Record<string, unknown>) => unknown) =>
		items.filter(isRecord).map((item) => keyOf(keyOfItem(item)));
	if (request.crm === 'custom' && path === '/activities') return keys(list(body), (r) => r['id']);
	if (!isRecord(body)) return [];
	if (request.crm === 'hubspot' && path.startsWith('/crm/v3/objects/notes')) {
		return keys(path.endsWith('/batch/create') ? list(body['inputs']) : [body], (n) => (isRecord(n['properties']) ? n['properties']['mailtarget_event_id'] : null));
	}
	if (request.crm === 'salesforce') {
		if (/\/sobjects\/Task(\/|$)/.test(path) && !path.includes('/composite/')) return keys([body], (t) => t['Mailtarget_Event_Id__c']);
		if (!path.includes('/composite/sobjects')) return [];
		const tasks = list(body['records']).filter((r) => isRecord(r) && isRecord(r['attributes']) && r['attributes']['type'] === 'Task');
		return keys(tasks, (t) => t['Mailtarget_Event_Id__c']);
	}
	if (request.crm === 'zendesk') {
		if (path.startsWith('/api/v2/tickets/create_many')) return keys(list(body['tickets']), (t) => t['external_id']);
		if (path.startsWith('/api/v2/tickets')) return keys(list(body['ticket']), (t) => t['external_id']);
		if (path.startsWith('/api/v2/users/')) return list(body['users'] ?? body['user']).filter(isRecord).map(() => null);
	}
	return [];
}
