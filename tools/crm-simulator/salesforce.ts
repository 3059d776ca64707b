import { batchOf, isNonEmptyString, isRecord, keyOf } from './body';
import type { CrmHandler, Reply, RequestContext, WriteDraft } from './handler';

const VERSIONED = /^\/services\/data\/v\d+\.\d+(\/.*)$/;
const COMPOSITE_MAX = 200;
const EVENT_ID_FIELD = 'Mailtarget_Event_Id__c';

type SObjectType = 'Task' | 'Contact' | 'Lead';
const ID_PREFIX: Record<SObjectType, string> = { Task: '00T', Contact: '003', Lead: '00Q' };
const REQUIRED: Record<SObjectType, string[]> = { Task: ['Subject'], Contact: ['LastName'], Lead: ['LastName', 'Company'] };

type Parsed<T> = { value: T } | { reply: Reply };

/** One error of a collection result, as Salesforce words it (statusCode, not errorCode). */
interface RecordError {
	statusCode: string;
	message: string;
	fields: string[];
}

interface CollectionItem {
	record: Record<string, unknown>;
	type: SObjectType;
}

const ROLLED_BACK: RecordError = {
	statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
	message: 'Record rolled back because not all records were valid and the request was using AllOrNone header',
	fields: [],
};

/**
 * Salesforce refuses every record of a collection whose id (update) or external id (upsert) appears
 * more than once in the same request, each with its own error; the other records are processed.
 */
function duplicateError(field: string, value: string): RecordError {
	return { statusCode: 'DUPLICATE_VALUE', message: `duplicate value found: ${field} duplicates value on record with id: ${value}`, fields: [field] };
}

function requiredError(message: string | null): RecordError | null {
	if (message === null) return null;
	const fields = /\[(.*)\]/.exec(message)?.[1]?.split(', ') ?? [];
	return { statusCode: 'REQUIRED_FIELD_MISSING', message, fields };
}

interface StoredRecord {
	type: SObjectType;
	fields: Record<string, unknown>;
}

function isSObjectType(value: unknown): value is SObjectType {
	return value === 'Task' || value === 'Contact' || value === 'Lead';
}

function failure(status: number, message: string, errorCode: string): Reply {
	return { status, body: [{ message, errorCode }] };
}

const jsonError = (message: string) => failure(400, message, 'JSON_PARSER_ERROR');
const missing = (message: string) => failure(400, message, 'REQUIRED_FIELD_MISSING');
const notFound = () => failure(404, 'The requested resource does not exist', 'NOT_FOUND');

function requiredMissing(type: SObjectType, fields: Record<string, unknown>): string | null {
	const absent = REQUIRED[type].filter((name) => !isNonEmptyString(fields[name]));
	return absent.length > 0 ? `Required fields are missing: [${absent.join(', ')}]` : null;
}

function withoutAttributes(record: Record<string, unknown>): Record<string, unknown> {
	const { attributes: _attributes, ...fields } = record;
	return fields;
}

export function createSalesforce(): CrmHandler {
	let nextId = 1;
	const records = new Map<string, StoredRecord>();

	function newId(type: SObjectType): string {
		return `${ID_PREFIX[type]}${String(nextId++).padStart(12, '0')}AAA`;
	}

	function keyFor(type: SObjectType, id: string, fields: Record<string, unknown>): string | null {
		return type === 'Task' ? keyOf(fields[EVENT_ID_FIELD]) : id;
	}

	function create(type: SObjectType, fields: Record<string, unknown>, item: unknown): { id: string; write: WriteDraft } {
		const id = newId(type);
		records.set(id, { type, fields: { ...fields } });
		return { id, write: { kind: type.toLowerCase(), key: keyFor(type, id, fields), item, created: true } };
	}

	function update(type: SObjectType, id: string, fields: Record<string, unknown>, item: unknown): WriteDraft {
		const stored = records.get(id);
		// Contacts and leads live in the customer's org, so updates to ids the simulator never made are accepted.
		const merged = { ...stored?.fields, ...fields };
		if (stored) stored.fields = merged;
		return { kind: type.toLowerCase(), key: keyFor(type, id, merged), item, created: false };
	}

	function findByKey(type: SObjectType, field: string, value: string): [string, StoredRecord] | undefined {
		return [...records.entries()].find(([, r]) => r.type === type && keyOf(r.fields[field]) === value);
	}

	function upsert(type: SObjectType, field: string, value: string, fields: Record<string, unknown>, item: unknown) {
		const existing = findByKey(type, field, value);
		if (existing) {
			const [id, stored] = existing;
			stored.fields = { ...stored.fields, ...fields };
			return { id, created: false, write: { kind: type.toLowerCase(), key: value, item, created: false } };
		}
		const { id } = create(type, { ...fields, [field]: value }, item);
		return { id, created: true, write: { kind: type.toLowerCase(), key: value, item, created: true } };
	}

	function body(ctx: RequestContext): Parsed<Record<string, unknown>> {
		if (!ctx.json.ok) return { reply: jsonError(ctx.json.error) };
		if (!isRecord(ctx.json.value)) return { reply: jsonError('Expected a JSON object') };
		return { value: ctx.json.value };
	}

	function postSObject(ctx: RequestContext, type: SObjectType): Reply {
		const parsed = body(ctx);
		if ('reply' in parsed) return parsed.reply;
		const fields = parsed.value;
		const problem = requiredMissing(type, fields);
		if (problem) return missing(problem);
		const { id, write } = create(type, fields, fields);
		return { status: 201, body: { id, success: true, errors: [] }, writes: [write] };
	}

	function patchSObject(ctx: RequestContext, type: SObjectType, id: string): Reply {
		const parsed = body(ctx);
		if ('reply' in parsed) return parsed.reply;
		const fields = parsed.value;
		return { status: 204, writes: [update(type, id, fields, fields)] };
	}

	function upsertSObject(ctx: RequestContext, type: SObjectType, field: string, value: string): Reply {
		const parsed = body(ctx);
		if ('reply' in parsed) return parsed.reply;
		const fields = parsed.value;
		if (!findByKey(type, field, value)) {
			const problem = requiredMissing(type, fields);
			if (problem) return missing(problem);
		}
		const result = upsert(type, field, value, fields, fields);
		return {
			status: result.created ? 201 : 200,
			body: { id: result.id, success: true, errors: [], created: result.created },
			writes: [result.write],
		};
	}

	/**
	 * Reads a composite body: its records with their types and `allOrNone`, or the 400 for a request
	 * Salesforce cannot take at all (not JSON, no records, over 200, a record without a type).
	 */
	function compositeRecords(ctx: RequestContext): Parsed<{ allOrNone: boolean; items: CollectionItem[] }> {
		const parsed = body(ctx);
		if ('reply' in parsed) return parsed;
		const allOrNone = parsed.value['allOrNone'];
		if (allOrNone !== undefined && typeof allOrNone !== 'boolean') return { reply: jsonError("'allOrNone' must be a boolean") };
		const items = batchOf(parsed.value, 'records', COMPOSITE_MAX);
		if (typeof items === 'string') {
			return {
				reply: items.startsWith('Too many')
					? failure(400, `record limit reached. cannot submit more than ${COMPOSITE_MAX} records into this call (${items})`, 'EXCEEDED_ID_LIMIT')
					: missing(items),
			};
		}
		const typed: CollectionItem[] = [];
		for (const [i, record] of items.entries()) {
			const type = isRecord(record) && isRecord(record['attributes']) ? record['attributes']['type'] : undefined;
			if (!isRecord(record) || !isSObjectType(type)) {
				return { reply: missing(`records[${i}]: attributes.type must be one of Task, Contact, Lead`) };
			}
			typed.push({ record, type });
		}
		return { value: { allOrNone: allOrNone === true, items: typed } };
	}

	/**
	 * sObject Collections answer 200 with one result per record: a record that fails its checks gets
	 * `success: false` and its errors, the others are written; with `allOrNone` one failure rolls
	 * every record back.
	 */
	function collection(
		ctx: RequestContext,
		check: (item: CollectionItem) => RecordError | null,
		write: (item: CollectionItem) => { result: Record<string, unknown>; write: WriteDraft },
		identity?: { field: string; of: (item: CollectionItem) => string | null },
	): Reply {
		const parsed = compositeRecords(ctx);
		if ('reply' in parsed) return parsed.reply;
		const { allOrNone, items } = parsed.value;
		const seen = new Map<string, number>();
		const identities = items.map((item) => identity?.of(item) ?? null);
		for (const value of identities) if (value !== null) seen.set(value, (seen.get(value) ?? 0) + 1);
		const problems = items.map((item, i) => {
			const value = identities[i];
			if (identity && value !== null && (seen.get(value) ?? 0) > 1) return duplicateError(identity.field, value);
			return check(item);
		});
		if (allOrNone && problems.some((p) => p !== null)) {
			return {
				status: 200,
				body: problems.map((problem) => ({ id: null, success: false, errors: [problem ?? ROLLED_BACK] })),
			};
		}
		const results: unknown[] = [];
		const writes: WriteDraft[] = [];
		items.forEach((item, i) => {
			const problem = problems[i];
			if (problem) {
				results.push({ id: null, success: false, errors: [problem] });
				return;
			}
			const done = write(item);
			results.push(done.result);
			writes.push(done.write);
		});
		return { status: 200, body: results, writes };
	}

	function compositeCreate(ctx: RequestContext): Reply {
		return collection(
			ctx,
			({ record, type }) => requiredError(requiredMissing(type, withoutAttributes(record))),
			({ record, type }) => {
				const { id, write } = create(type, withoutAttributes(record), record);
				return { result: { id, success: true, errors: [] }, write };
			},
		);
	}

	function compositeUpdate(ctx: RequestContext): Reply {
		return collection(
			ctx,
			({ record }) => (isNonEmptyString(record['id']) ? null : requiredError('Required fields are missing: [Id]')),
			({ record, type }) => {
				const { id, ...fields } = withoutAttributes(record);
				return { result: { id, success: true, errors: [] }, write: update(type, id as string, fields, record) };
			},
			{ field: 'Id', of: ({ record }) => (isNonEmptyString(record['id']) ? record['id'] : null) },
		);
	}

	function compositeUpsert(ctx: RequestContext, type: SObjectType, field: string): Reply {
		return collection(
			ctx,
			({ record, type: recordType }) => {
				if (recordType !== type) return { statusCode: 'INVALID_TYPE', message: `attributes.type must be ${type}`, fields: [] };
				const value = keyOf(record[field]);
				if (value === null) return requiredError(`Required fields are missing: [${field}]`);
				return findByKey(type, field, value) ? null : requiredError(requiredMissing(type, withoutAttributes(record)));
			},
			({ record }) => {
				const fields = withoutAttributes(record);
				const { id, created, write } = upsert(type, field, keyOf(fields[field]) as string, fields, record);
				return { result: { id, success: true, errors: [], created }, write };
			},
			{ field, of: ({ record }) => keyOf(record[field]) },
		);
	}

	function route(ctx: RequestContext, rest: string): Reply {
		const parts = rest.split('/').slice(1).map(decodeURIComponent);
		const [first, second, third, fourth] = parts;
		if (first === 'sobjects' && isSObjectType(second)) {
			if (parts.length === 2 && ctx.method === 'POST') return postSObject(ctx, second);
			if (parts.length === 3 && ctx.method === 'PATCH' && third) return patchSObject(ctx, second, third);
			if (parts.length === 4 && ctx.method === 'PATCH' && third && fourth) return upsertSObject(ctx, second, third, fourth);
		}
		if (first === 'composite' && second === 'sobjects') {
			if (parts.length === 2 && ctx.method === 'POST') return compositeCreate(ctx);
			if (parts.length === 2 && ctx.method === 'PATCH') return compositeUpdate(ctx);
			if (parts.length === 4 && ctx.method === 'PATCH' && isSObjectType(third) && fourth) return compositeUpsert(ctx, third, fourth);
		}
		return notFound();
	}

	return {
		name: 'salesforce',
		activityKind: 'task',
		limitHeaders: (state) => ({ 'Sforce-Limit-Info': `api-usage=${state.used}/${state.max}` }),
		overLimit: () => failure(403, 'TotalRequests Limit exceeded.', 'REQUEST_LIMIT_EXCEEDED'),
		unauthorized: () => failure(401, 'Session expired or invalid', 'INVALID_SESSION_ID'),
		faultBody: (status) => [
			{
				message: `Simulated failure (HTTP ${status})`,
				errorCode: status === 503 ? 'SERVER_UNAVAILABLE' : 'UNKNOWN_EXCEPTION',
			},
		],
		handle(ctx) {
			const rest = VERSIONED.exec(ctx.path)?.[1];
			return rest === undefined ? notFound() : route(ctx, rest);
		},
		reset() {
			nextId = 1;
			records.clear();
		},
	};
}
