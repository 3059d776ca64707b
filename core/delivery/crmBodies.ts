/**
 * The body of one CRM batch call, built from the activity records the mapper made with a CRM
 * preset (`record.hubspot`, `record.salesforce`, `record.zendesk`). Calls that set contact state
 * name each contact once (the CRMs refuse a batch naming one twice), newer events winning.
 */
export const CRM_BODIES = ['records', 'hubspotNotes', 'hubspotContacts', 'hubspotUnsubscribe', 'salesforceTasks', 'salesforceContacts', 'zendeskUsers', 'zendeskTickets'] as const;
export type CrmBody = (typeof CRM_BODIES)[number];

type Loose = Record<string, unknown>;

const isObject = (value: unknown): value is Loose => typeof value === 'object' && value !== null && !Array.isArray(value);

function at(record: unknown, path: readonly string[]): unknown {
	let value: unknown = record;
	for (const key of path) value = isObject(value) ? value[key] : undefined;
	return value;
}

/** Where each body finds its part of a record. */
const PARTS: Record<Exclude<CrmBody, 'records' | 'hubspotUnsubscribe'>, readonly string[]> = {
	hubspotNotes: ['hubspot', 'api', 'noteCreate'],
	hubspotContacts: ['hubspot', 'api', 'contactUpsert'],
	salesforceTasks: ['salesforce', 'api', 'task'],
	salesforceContacts: ['salesforce', 'api', 'whoUpdate'],
	zendeskUsers: ['zendesk', 'user'],
	zendeskTickets: ['zendesk', 'ticket'],
};

/** Why a record cannot go in this body, or null when it can. */
export function bodyPartProblem(kind: CrmBody, record: unknown): string | null {
	if (kind === 'records') return isObject(record) ? null : 'the record is not an object';
	if (kind === 'hubspotUnsubscribe') {
		if (at(record, ['event']) !== 'unsubscribe') return 'the record is not an unsubscribe';
		return typeof unsubscribeEmail(record) === 'string' ? null : 'the unsubscribe names no email address';
	}
	const path = PARTS[kind];
	return isObject(at(record, path)) ? null : `the record has no ${path.join('.')} (map it with the matching CRM preset, and store only records that have it)`;
}

function unsubscribeEmail(record: unknown): string | undefined {
	const email = at(record, ['contact', 'email']) ?? at(record, ['recipient']);
	return typeof email === 'string' && email !== '' ? email : undefined;
}

/** Why HubSpot's communication-preferences call says the contact opted out. */
export const UNSUBSCRIBE_LEGAL_BASIS = { legalBasis: 'LEGITIMATE_INTEREST_OTHER', legalBasisExplanation: 'The contact unsubscribed through a Mailtarget email' } as const;

const occurredAt = (record: unknown) => String(at(record, ['occurredAt']) ?? '');
const byTime = (records: readonly unknown[]) => [...records].sort((a, b) => occurredAt(a).localeCompare(occurredAt(b)));

/** One entry per `keyOf`, merging `mergeKey` objects of later records over earlier ones. */
function mergedBy(parts: readonly Loose[], keyOf: (part: Loose) => string, mergeKey?: string): Loose[] {
	const merged = new Map<string, Loose>();
	for (const part of parts) {
		const key = keyOf(part);
		const seen = merged.get(key);
		if (!seen) merged.set(key, { ...part });
		else if (mergeKey) merged.set(key, { ...seen, ...part, [mergeKey]: { ...(seen[mergeKey] as Loose), ...(part[mergeKey] as Loose) } });
		else merged.set(key, { ...seen, ...part });
	}
	return [...merged.values()];
}

/** Builds the body; every record must pass `bodyPartProblem` first. */
export function crmBatchBody(kind: CrmBody, records: readonly unknown[]): unknown {
	if (kind === 'records') return records;
	// One email per call: POST /communication-preferences/v3/unsubscribe (the drain adds its subscriptionId).
	if (kind === 'hubspotUnsubscribe') return { emailAddress: unsubscribeEmail(records[0]), ...UNSUBSCRIBE_LEGAL_BASIS };
	const parts = (kind === 'hubspotContacts' || kind === 'salesforceContacts' || kind === 'zendeskUsers' ? byTime(records) : records).map((record) => at(record, PARTS[kind]) as Loose);
	switch (kind) {
		case 'hubspotNotes':
			return { inputs: parts };
		case 'hubspotContacts':
			return { inputs: mergedBy(parts, (part) => String(part.id), 'properties') };
		case 'salesforceTasks':
			return { allOrNone: false, records: parts };
		case 'salesforceContacts':
			return { allOrNone: false, records: mergedBy(parts, (part) => String(part.id)) };
		case 'zendeskUsers':
			return { users: mergedBy(parts, (part) => String(part.email), 'user_fields') };
		case 'zendeskTickets':
			return { tickets: parts };
	}
}
