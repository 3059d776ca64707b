import { randomUUID } from 'node:crypto';
import { batchOf, isNonEmptyString, isRecord, isoTime, keyOf } from './body';
import type { CrmHandler, Reply, RequestContext, WriteDraft } from './handler';
import type { LimitState } from './rateLimit';

const BATCH_MAX = 100;
const USER_PATH = /^\/api\/v2\/users\/(\d+|me)$/;
const JOB_PATH = /^\/api\/v2\/job_statuses\/([^/]+)$/;

interface Job {
	id: string;
	total: number;
	results: unknown[];
}

/** A request Zendesk cannot read (not JSON, wrong shape, too many items): 400. */
const badRequest = (description: string): Reply => ({ status: 400, body: { error: 'InvalidValue', description } });

/** A record Zendesk read but will not save: 422 RecordInvalid with the reasons under `details`. */
const invalid = (description: string): Reply => ({
	status: 422,
	body: { error: 'RecordInvalid', description: 'Record validation errors', details: { base: [{ description }] } },
});

function rateLimitBody(): unknown {
	return { error: 'APIRateLimitExceeded', description: 'Number of allowed API requests per minute exceeded' };
}

export function retryAfterSeconds(state: LimitState): number {
	return Math.max(1, Math.ceil(state.retryAfterMs / 1000));
}

function ticketProblem(ticket: unknown): string | null {
	if (!isRecord(ticket)) return "'ticket' must be an object";
	const comment = ticket['comment'];
	if (!isRecord(comment) || !(isNonEmptyString(comment['body']) || isNonEmptyString(comment['html_body']))) {
		return 'Description: cannot be blank (comment.body is required)';
	}
	return null;
}

export function createZendesk(): CrmHandler {
	let nextTicketId = 1;
	const users = new Set<string>();
	const jobs = new Map<string, Job>();

	function createTicket(ticket: Record<string, unknown>, ctx: RequestContext) {
		const id = nextTicketId++;
		const json = {
			...ticket,
			id,
			url: `${ctx.baseUrl}/api/v2/tickets/${id}.json`,
			status: ticket['status'] ?? 'new',
			created_at: isoTime(ctx.now),
			updated_at: isoTime(ctx.now),
		};
		const write: WriteDraft = { kind: 'ticket', key: keyOf(ticket['external_id']), item: ticket, created: true };
		return { json, write };
	}

	function queue(ctx: RequestContext, results: unknown[]): unknown {
		const id = randomUUID().replace(/-/g, '');
		jobs.set(id, { id, total: results.length, results });
		return {
			job_status: {
				id,
				url: `${ctx.baseUrl}/api/v2/job_statuses/${id}.json`,
				total: results.length,
				progress: null,
				status: 'queued',
				message: null,
				results: null,
			},
		};
	}

	function ticket(ctx: RequestContext): Reply {
		if (!ctx.json.ok) return badRequest(`Invalid JSON: ${ctx.json.error}`);
		const body = ctx.json.value;
		const problem = ticketProblem(isRecord(body) ? body['ticket'] : undefined);
		if (problem) return invalid(problem);
		const { json, write } = createTicket((body as Record<string, unknown>)['ticket'] as Record<string, unknown>, ctx);
		return { status: 201, body: { ticket: json }, writes: [write] };
	}

	function ticketsMany(ctx: RequestContext): Reply {
		if (!ctx.json.ok) return badRequest(`Invalid JSON: ${ctx.json.error}`);
		const tickets = batchOf(ctx.json.value, 'tickets', BATCH_MAX);
		if (typeof tickets === 'string') return badRequest(tickets);
		for (const [i, t] of tickets.entries()) {
			const problem = ticketProblem(t);
			if (problem) return invalid(`tickets[${i}]: ${problem}`);
		}
		const created = tickets.map((t) => createTicket(t as Record<string, unknown>, ctx));
		return {
			status: 200,
			body: queue(ctx, created.map(({ json }, index) => ({ index, id: json.id }))),
			writes: created.map(({ write }) => write),
		};
	}

	function userUpdate(ctx: RequestContext, id: string): Reply {
		if (!ctx.json.ok) return badRequest(`Invalid JSON: ${ctx.json.error}`);
		const body = ctx.json.value;
		if (!isRecord(body) || !isRecord(body['user'])) return badRequest("'user' must be an object");
		const user = body['user'];
		if (user['user_fields'] !== undefined && !isRecord(user['user_fields'])) return invalid("'user_fields' must be an object");
		const numeric = Number(id);
		return {
			status: 200,
			body: { user: { ...user, id: Number.isSafeInteger(numeric) ? numeric : id, updated_at: isoTime(ctx.now) } },
			writes: [{ kind: 'user', key: id, item: user, created: false }],
		};
	}

	/** update_many matches on id, email or external_id; create_or_update_many on email or external_id. */
	function usersMany(ctx: RequestContext, mode: 'update' | 'createOrUpdate'): Reply {
		if (!ctx.json.ok) return badRequest(`Invalid JSON: ${ctx.json.error}`);
		const list = batchOf(ctx.json.value, 'users', BATCH_MAX);
		if (typeof list === 'string') return badRequest(list);
		const keys: string[] = [];
		for (const [i, user] of list.entries()) {
			const key = !isRecord(user)
				? null
				: mode === 'update'
					? (keyOf(user['id']) ?? keyOf(user['email']) ?? keyOf(user['external_id']))
					: (keyOf(user['email']) ?? keyOf(user['external_id']));
			if (key === null) return invalid(`users[${i}]: ${mode === 'update' ? 'id, email or external_id' : 'email or external_id'} is required`);
			if (isRecord(user) && user['user_fields'] !== undefined && !isRecord(user['user_fields'])) {
				return invalid(`users[${i}]: 'user_fields' must be an object`);
			}
			keys.push(key);
		}
		const writes: WriteDraft[] = [];
		const results: unknown[] = [];
		list.forEach((user, index) => {
			const key = keys[index] as string;
			const lookup = key.toLowerCase();
			const created = mode === 'createOrUpdate' && !users.has(lookup);
			users.add(lookup);
			writes.push({ kind: 'user', key, item: user, created });
			results.push({ index, id: key, status: created ? 'Created' : 'Updated', success: true });
		});
		return { status: 200, body: queue(ctx, results), writes };
	}

	function job(ctx: RequestContext, id: string): Reply {
		const found = jobs.get(id);
		if (!found) return notFound();
		return {
			status: 200,
			body: {
				job_status: {
					id,
					url: `${ctx.baseUrl}/api/v2/job_statuses/${id}.json`,
					total: found.total,
					progress: found.total,
					status: 'completed',
					message: 'Completed',
					results: found.results,
				},
			},
		};
	}

	return {
		name: 'zendesk',
		activityKind: 'ticket',
		limitHeaders: (state) => ({ 'X-Rate-Limit': String(state.max), 'X-Rate-Limit-Remaining': String(state.remaining) }),
		overLimit: (state) => ({
			status: 429,
			headers: { 'Retry-After': String(retryAfterSeconds(state)) },
			body: rateLimitBody(),
		}),
		unauthorized: () => ({ status: 401, body: { error: "Couldn't authenticate you" } }),
		faultBody: (status) =>
			status === 429 ? rateLimitBody() : { error: 'ServiceUnavailable', description: `Simulated failure (HTTP ${status})` },
		handle(ctx) {
			// Zendesk answers with or without the .json suffix.
			const path = ctx.path.endsWith('.json') ? ctx.path.slice(0, -'.json'.length) : ctx.path;
			const route = `${ctx.method} ${path}`;
			if (route === 'POST /api/v2/tickets') return ticket(ctx);
			if (route === 'POST /api/v2/tickets/create_many') return ticketsMany(ctx);
			if (route === 'PUT /api/v2/users/update_many') return usersMany(ctx, 'update');
			if (route === 'POST /api/v2/users/create_or_update_many') return usersMany(ctx, 'createOrUpdate');
			const user = USER_PATH.exec(path)?.[1];
			if (ctx.method === 'PUT' && user !== undefined) return userUpdate(ctx, user);
			const jobId = JOB_PATH.exec(path)?.[1];
			if (ctx.method === 'GET' && jobId !== undefined) return job(ctx, jobId);
			return notFound();
		},
		reset() {
			nextTicketId = 1;
			users.clear();
			jobs.clear();
		},
	};
}

function notFound(): Reply {
	return { status: 404, body: { error: 'InvalidEndpoint', description: 'Not found' } };
}
