import { isRecord, keyOf } from './body';
import { ContactStates } from './contactState';
import type { CrmHandler, Reply, RequestContext, WriteDraft } from './handler';

export interface CustomCrmHandler extends CrmHandler {
	contacts(): Map<string, Record<string, unknown>>;
}

const failure = (status: number, error: string, message: string): Reply => ({ status, body: { error, message } });

function rateLimitBody(): unknown {
	return { error: 'rate_limited', message: 'Too many requests' };
}

function recordProblem(record: unknown): string | null {
	if (!isRecord(record)) return 'record must be an object';
	for (const field of ['id', 'event', 'occurredAt']) {
		if (typeof record[field] !== 'string' || record[field] === '') return `'${field}' must be a non-empty string`;
	}
	if (record['contactChanges'] !== undefined && !isRecord(record['contactChanges'])) return "'contactChanges' must be an object";
	return null;
}

function contactIdOf(record: Record<string, unknown>): string | null {
	const contact = record['contact'];
	return (isRecord(contact) ? keyOf(contact['id']) : null) ?? keyOf(record['recipient']);
}

export function createCustom(retryAfterSeconds: number): CustomCrmHandler {
	const stored = new Set<string>();
	const contacts = new ContactStates();

	function activities(ctx: RequestContext): Reply {
		const type = ctx.headers['content-type'] ?? '';
		if (!/^application\/json\b/i.test(type)) {
			return failure(415, 'unsupported_media_type', "Content-Type must be 'application/json'");
		}
		if (!ctx.json.ok) return failure(400, 'invalid_json', ctx.json.error);
		const records = Array.isArray(ctx.json.value) ? ctx.json.value : [ctx.json.value];
		if (records.length === 0) return failure(400, 'invalid_record', 'no records in body');
		for (const [i, record] of records.entries()) {
			const problem = recordProblem(record);
			if (problem) return failure(400, 'invalid_record', `record ${i}: ${problem}`);
		}

		const writes: WriteDraft[] = [];
		const results: { id: string; status: 'created' | 'duplicate' }[] = [];
		for (const record of records as Record<string, unknown>[]) {
			const id = record['id'] as string;
			const created = !stored.has(id);
			if (created) {
				stored.add(id);
				const contactId = contactIdOf(record);
				const changes = record['contactChanges'];
				if (contactId !== null) {
					contacts.apply(contactId, isRecord(changes) ? changes : {}, id);
				}
			}
			writes.push({ kind: 'activity', key: id, item: record, created });
			results.push({ id, status: created ? 'created' : 'duplicate' });
		}
		const anyCreated = results.some((r) => r.status === 'created');
		return { status: anyCreated ? 201 : 200, body: { results }, writes };
	}

	return {
		name: 'custom',
		activityKind: 'activity',
		limitHeaders: () => ({}),
		overLimit: () => ({ status: 429, headers: { 'Retry-After': String(retryAfterSeconds) }, body: rateLimitBody() }),
		unauthorized: () => failure(401, 'unauthorized', 'Missing or invalid bearer token'),
		faultBody: (status) => (status === 429 ? rateLimitBody() : { error: 'unavailable', message: `Simulated failure (HTTP ${status})` }),
		handle(ctx) {
			if (ctx.method === 'POST' && ctx.path === '/activities') return activities(ctx);
			return failure(404, 'not_found', `No route for ${ctx.method} ${ctx.path}`);
		},
		contacts: () => contacts.snapshot(),
		reset() {
			stored.clear();
			contacts.clear();
		},
	};
}
