import { randomUUID } from 'node:crypto';
import { batchOf, isNonEmptyString, isRecord, isoTime, keyOf } from './body';
import type { CrmHandler, Reply, RequestContext, WriteDraft } from './handler';
import type { LimitState } from './rateLimit';

const BATCH_MAX = 100;
const AUTH_MESSAGE =
	'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview';
const CONTACT_PATH = /^\/crm\/v3\/objects\/contacts\/([^/]+)$/;

function error(status: number, message: string, category: string, context?: Record<string, string[]>): Reply {
	return { status, body: { status: 'error', message, correlationId: randomUUID(), ...(context ? { context } : {}), category } };
}

const invalid = (message: string): Reply => error(400, message, 'VALIDATION_ERROR');

function rateLimitBody(): unknown {
	return {
		status: 'error',
		message: 'You have reached your ten_secondly_rolling limit.',
		errorType: 'RATE_LIMIT',
		correlationId: randomUUID(),
		policyName: 'TEN_SECONDLY_ROLLING',
	};
}

function noteProblem(input: unknown): string | null {
	if (!isRecord(input) || !isRecord(input['properties'])) return "'properties' must be an object";
	const props = input['properties'];
	if (keyOf(props['hs_timestamp']) === null) return "Property 'hs_timestamp' is required";
	if (typeof props['hs_note_body'] !== 'string') return "Property 'hs_note_body' is required";
	if (input['associations'] !== undefined && !Array.isArray(input['associations'])) return "'associations' must be an array";
	return null;
}

function contactProblem(input: unknown): string | null {
	if (!isRecord(input) || !isNonEmptyString(input['id'])) return "Each input needs a string 'id'";
	if (!isRecord(input['properties'])) return "Each input needs a 'properties' object";
	if (input['idProperty'] !== undefined && !isNonEmptyString(input['idProperty'])) return "'idProperty' must be a string";
	return null;
}

/**
 * HubSpot refuses a whole batch update/upsert that names one record twice (400 VALIDATION_ERROR,
 * the ids in `context.ids`), so nothing of it is written.
 */
function duplicateIds(inputs: Record<string, unknown>[]): Reply | null {
	const seen = new Set<string>();
	const duplicates = new Set<string>();
	for (const input of inputs) {
		const id = input['id'] as string;
		const key = `${(input['idProperty'] as string | undefined) ?? 'hs_object_id'}:${id.toLowerCase()}`;
		if (seen.has(key)) duplicates.add(id);
		seen.add(key);
	}
	if (duplicates.size === 0) return null;
	const ids = [...duplicates];
	return error(400, `Duplicate IDs found in batch input: [${ids.join(', ')}]. IDs must be unique`, 'VALIDATION_ERROR', { ids });
}

export function createHubspot(): CrmHandler {
	let nextId = 1;
	/** `${idProperty}:${value}` -> object id of contacts created by upsert. */
	const contactIds = new Map<string, string>();
	const optOuts = new Set<string>();

	function objectJson(id: string, properties: Record<string, unknown>, now: number) {
		const at = isoTime(now);
		return {
			id,
			properties: { ...properties, hs_object_id: id, hs_lastmodifieddate: at },
			createdAt: at,
			updatedAt: at,
			archived: false,
		};
	}

	function createNote(input: Record<string, unknown>, now: number): { json: unknown; write: WriteDraft } {
		const properties = input['properties'] as Record<string, unknown>;
		const id = String(nextId++);
		const json = objectJson(id, { ...properties, hs_createdate: isoTime(now) }, now);
		return { json, write: { kind: 'note', key: keyOf(properties['mailtarget_event_id']), item: input, created: true } };
	}

	/** The `inputs` of a batch body, each checked by `problemOf`; or the 400 that names the first bad one. */
	function validInputs(ctx: RequestContext, problemOf: (input: unknown) => string | null | undefined): unknown[] | Reply {
		if (!ctx.json.ok) return invalid(`Invalid input JSON: ${ctx.json.error}`);
		const inputs = batchOf(ctx.json.value, 'inputs', BATCH_MAX);
		if (typeof inputs === 'string') return invalid(inputs);
		for (const [i, input] of inputs.entries()) {
			const problem = problemOf(input);
			if (problem) return invalid(`inputs[${i}]: ${problem}`);
		}
		return inputs;
	}

	function notes(ctx: RequestContext): Reply {
		if (!ctx.json.ok) return invalid(`Invalid input JSON: ${ctx.json.error}`);
		const problem = noteProblem(ctx.json.value);
		if (problem) return invalid(problem);
		const { json, write } = createNote(ctx.json.value as Record<string, unknown>, ctx.now);
		return { status: 201, body: json, writes: [write] };
	}

	function notesBatch(ctx: RequestContext): Reply {
		const inputs = validInputs(ctx, noteProblem);
		if (!Array.isArray(inputs)) return inputs;
		const created = inputs.map((input) => createNote(input as Record<string, unknown>, ctx.now));
		return {
			status: 201,
			body: batchJson(created.map((c) => c.json), ctx.now),
			writes: created.map((c) => c.write),
		};
	}

	function contactsUpsert(ctx: RequestContext): Reply {
		const inputs = validInputs(ctx, contactProblem);
		if (!Array.isArray(inputs)) return inputs;
		const duplicate = duplicateIds(inputs as Record<string, unknown>[]);
		if (duplicate) return duplicate;
		const results: unknown[] = [];
		const writes: WriteDraft[] = [];
		for (const input of inputs as Record<string, unknown>[]) {
			const value = input['id'] as string;
			const idProperty = (input['idProperty'] as string | undefined) ?? 'hs_object_id';
			const lookup = `${idProperty}:${value}`;
			let id = idProperty === 'hs_object_id' ? value : contactIds.get(lookup);
			const isNew = id === undefined;
			if (id === undefined) {
				id = String(nextId++);
				contactIds.set(lookup, id);
			}
			results.push({ ...objectJson(id, input['properties'] as Record<string, unknown>, ctx.now), new: isNew });
			writes.push({ kind: 'contact', key: value, item: input, created: isNew });
		}
		return { status: 200, body: batchJson(results, ctx.now), writes };
	}

	function contactsUpdate(ctx: RequestContext): Reply {
		const inputs = validInputs(ctx, contactProblem);
		if (!Array.isArray(inputs)) return inputs;
		const typed = inputs as Record<string, unknown>[];
		const duplicate = duplicateIds(typed);
		if (duplicate) return duplicate;
		return {
			status: 200,
			body: batchJson(
				typed.map((input) => objectJson(input['id'] as string, input['properties'] as Record<string, unknown>, ctx.now)),
				ctx.now,
			),
			writes: typed.map((input) => ({ kind: 'contact', key: input['id'] as string, item: input, created: false })),
		};
	}

	function contactPatch(ctx: RequestContext, id: string): Reply {
		if (!ctx.json.ok) return invalid(`Invalid input JSON: ${ctx.json.error}`);
		const body = ctx.json.value;
		if (!isRecord(body) || !isRecord(body['properties'])) return invalid("'properties' must be an object");
		return {
			status: 200,
			body: objectJson(id, body['properties'], ctx.now),
			writes: [{ kind: 'contact', key: id, item: body, created: false }],
		};
	}

	function unsubscribe(ctx: RequestContext): Reply {
		if (!ctx.json.ok) return invalid(`Invalid input JSON: ${ctx.json.error}`);
		const body = ctx.json.value;
		if (!isRecord(body) || !isNonEmptyString(body['emailAddress'])) return invalid("'emailAddress' is required");
		const subscriptionId = keyOf(body['subscriptionId']);
		if (subscriptionId === null) return invalid("'subscriptionId' is required");
		const email = body['emailAddress'];
		const seen = `${email.toLowerCase()}:${subscriptionId}`;
		const isNew = !optOuts.has(seen);
		optOuts.add(seen);
		return {
			status: 200,
			body: {
				id: subscriptionId,
				name: `Subscription ${subscriptionId}`,
				description: '',
				status: 'NOT_SUBSCRIBED',
				sourceOfStatus: 'SUBSCRIPTION_STATUS',
				legalBasis: body['legalBasis'] ?? null,
				legalBasisExplanation: body['legalBasisExplanation'] ?? null,
			},
			writes: [{ kind: 'optout', key: email, item: body, created: isNew }],
		};
	}

	return {
		name: 'hubspot',
		activityKind: 'note',
		limitHeaders: (state: LimitState) => ({
			'X-HubSpot-RateLimit-Max': String(state.max),
			'X-HubSpot-RateLimit-Remaining': String(state.remaining),
			'X-HubSpot-RateLimit-Interval-Milliseconds': String(state.intervalMs),
		}),
		overLimit: () => ({ status: 429, body: rateLimitBody() }),
		unauthorized: () => error(401, AUTH_MESSAGE, 'INVALID_AUTHENTICATION'),
		faultBody: (status) =>
			status === 429 ? rateLimitBody() : error(status, `Simulated failure (HTTP ${status})`, 'INTERNAL_ERROR').body,
		handle(ctx) {
			const route = `${ctx.method} ${ctx.path}`;
			if (route === 'POST /crm/v3/objects/notes') return notes(ctx);
			if (route === 'POST /crm/v3/objects/notes/batch/create') return notesBatch(ctx);
			if (route === 'POST /crm/v3/objects/contacts/batch/upsert') return contactsUpsert(ctx);
			if (route === 'POST /crm/v3/objects/contacts/batch/update') return contactsUpdate(ctx);
			if (route === 'POST /communication-preferences/v3/unsubscribe') return unsubscribe(ctx);
			const contact = CONTACT_PATH.exec(ctx.path);
			if (ctx.method === 'PATCH' && contact?.[1] !== undefined && contact[1] !== 'batch') {
				return contactPatch(ctx, decodeURIComponent(contact[1]));
			}
			return error(404, `No route for ${ctx.method} ${ctx.path}`, 'OBJECT_NOT_FOUND');
		},
		reset() {
			nextId = 1;
			contactIds.clear();
			optOuts.clear();
		},
	};
}

function batchJson(results: unknown[], now: number) {
	return { status: 'COMPLETE', results, startedAt: isoTime(now), completedAt: isoTime(now) };
}
