import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseJson, readBody } from './body';
import { createCustom } from './custom';
import { Delays, FaultQueue } from './faults';
import type { CrmHandler, Reply, RequestContext } from './handler';
import { createHubspot } from './hubspot';
import { createPageRoutes } from './pageRoutes';
import { RollingWindowLimiter } from './rateLimit';
import { createSalesforce } from './salesforce';
import type { CrmName, CrmSimulator, CrmSimulatorOptions, Fault, RecordedRequest, RecordedWrite } from './types';
import { createZendesk } from './zendesk';

const CRMS: readonly CrmName[] = ['hubspot', 'salesforce', 'zendesk', 'custom'];

const DEFAULT_LIMITS: Record<CrmName, { max: number; intervalMs: number }> = {
	hubspot: { max: 100, intervalMs: 10_000 },
	salesforce: { max: 1000, intervalMs: 60_000 },
	zendesk: { max: 200, intervalMs: 60_000 },
	custom: { max: 50, intervalMs: 1_000 },
};

function crmFor(path: string): CrmName | 'unknown' {
	if (path.startsWith('/crm/v3/') || path.startsWith('/communication-preferences/v3/')) return 'hubspot';
	if (path.startsWith('/services/data/')) return 'salesforce';
	if (path.startsWith('/api/v2/')) return 'zendesk';
	if (path === '/activities' || path === '/health') return 'custom';
	return 'unknown';
}

function send(res: http.ServerResponse, reply: Reply): void {
	const headers: Record<string, string> = { ...reply.headers };
	if (reply.body === undefined || reply.status === 204) {
		res.writeHead(reply.status, headers).end();
		return;
	}
	const payload = JSON.stringify(reply.body);
	headers['Content-Type'] = 'application/json; charset=utf-8';
	headers['Content-Length'] = String(Buffer.byteLength(payload));
	res.writeHead(reply.status, headers).end(payload);
}

export async function startCrmSimulator(options: CrmSimulatorOptions = {}): Promise<CrmSimulator> {
	const now = options.now ?? Date.now;
	const host = options.host ?? '127.0.0.1';
	const custom = createCustom(options.limits?.custom?.retryAfterSeconds ?? 1);
	const handlers: Record<CrmName, CrmHandler> = {
		hubspot: createHubspot(),
		salesforce: createSalesforce(),
		zendesk: createZendesk(),
		custom,
	};
	const limiters = {} as Record<CrmName, RollingWindowLimiter>;
	for (const crm of CRMS) {
		const limit = options.limits?.[crm] ?? DEFAULT_LIMITS[crm];
		limiters[crm] = new RollingWindowLimiter(limit.max, limit.intervalMs);
	}
	const faults = new FaultQueue();
	const delays = new Delays();
	const requests: RecordedRequest[] = [];
	const writes: RecordedWrite[] = [];
	let baseUrl = '';
	let closed = false;
	const page = createPageRoutes(() => ({ requests, writes, customContacts: custom.contacts(), now: now() }));

	function faultReply(fault: Extract<Fault, { kind: 'status' }>, handler: CrmHandler | undefined): Reply {
		const headers: Record<string, string> = {};
		if (fault.retryAfterSeconds !== undefined && (fault.status === 429 || fault.status === 503)) {
			headers['Retry-After'] = String(fault.retryAfterSeconds);
		}
		const fallback = handler
			? handler.faultBody(fault.status, limiters[handler.name].peek(now()))
			: { error: 'simulated_failure', status: fault.status };
		return { status: fault.status, headers, body: fault.body ?? fallback };
	}

	/** Everything after recording: faults, auth, rate limit, then the CRM's own routes. */
	async function decide(ctx: RequestContext, crm: CrmName | 'unknown', entry: RecordedRequest): Promise<Reply | 'reset'> {
		if (ctx.method === 'GET' && ctx.path === '/health') return { status: 200, body: { ok: true } };

		const handler = crm === 'unknown' ? undefined : handlers[crm];
		const fault = faults.take(crm);
		if (fault?.kind === 'reset') return 'reset';
		if (fault?.kind === 'latency') {
			await delays.wait(fault.ms);
			if (closed) return 'reset';
		}
		if (fault?.kind === 'status') return faultReply(fault, handler);

		if (!handler) return { status: 404, body: { error: 'not_found', message: `No route for ${ctx.method} ${ctx.path}` } };
		const token = options.tokens?.[handler.name];
		if (token !== undefined && ctx.headers.authorization !== `Bearer ${token}`) return handler.unauthorized();

		const { allowed, state } = limiters[handler.name].take(now());
		if (!allowed) return handler.overLimit(state);

		const reply = handler.handle(ctx);
		for (const draft of reply.writes ?? []) {
			writes.push({ at: entry.at, crm: handler.name, method: entry.method, path: entry.path, ...draft });
		}
		return reply;
	}

	async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
		if (page.serve(req, res)) return;
		const text = await readBody(req);
		const target = req.url ?? '/';
		const url = new URL(target, 'http://simulator.invalid');
		const crm = crmFor(url.pathname);
		const json = parseJson(text);
		const entry: RecordedRequest = {
			at: now(),
			crm,
			method: req.method ?? 'GET',
			path: target,
			status: 0,
			headers: { ...req.headers },
			body: json.ok ? json.value : text === '' ? undefined : text,
		};
		requests.push(entry);

		const ctx: RequestContext = {
			method: entry.method,
			path: url.pathname,
			query: url.searchParams,
			headers: req.headers,
			json,
			now: entry.at,
			baseUrl,
		};
		const decision = await decide(ctx, crm, entry);
		if (decision === 'reset') {
			req.socket.destroy();
		} else {
			// Every answer from a CRM carries its rate-limit headers, as the real APIs do.
			const limitHeaders = crm === 'unknown' ? {} : handlers[crm].limitHeaders(limiters[crm].peek(now()));
			send(res, { ...decision, headers: { ...limitHeaders, ...decision.headers } });
			entry.status = decision.status;
		}
		options.onRequest?.(entry);
		page.changed();
	}

	const server = http.createServer((req, res) => {
		handle(req, res).catch((err: unknown) => {
			if (res.headersSent) {
				res.destroy();
				return;
			}
			send(res, { status: 500, body: { error: 'simulator_error', message: err instanceof Error ? err.message : String(err) } });
		});
	});

	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(options.port ?? 0, host, () => {
			server.off('error', reject);
			resolve();
		});
	});
	const port = (server.address() as AddressInfo).port;
	baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

	return {
		url: baseUrl,
		pageUrl: `${baseUrl}/`,
		port,
		requests,
		writes,
		inject: (fault) => faults.add(fault),
		clearFaults: () => faults.clear(),
		reset() {
			requests.length = 0;
			writes.length = 0;
			faults.clear();
			for (const crm of CRMS) {
				limiters[crm].reset();
				handlers[crm].reset();
			}
			page.changed();
		},
		activityCounts(crm) {
			const counts = new Map<string, number>();
			for (const write of writes) {
				if (crm !== undefined && write.crm !== crm) continue;
				if (!write.created || write.key === null || write.kind !== handlers[write.crm].activityKind) continue;
				counts.set(write.key, (counts.get(write.key) ?? 0) + 1);
			}
			return counts;
		},
		maxRequestsInWindow: (crm) => limiters[crm].maxArrivalsInWindow,
		maxAdmittedInWindow: (crm) => limiters[crm].maxAdmittedInWindow,
		rateLimitedCount: (crm) => limiters[crm].refusedCount,
		contacts: () => custom.contacts(),
		close() {
			if (closed) return Promise.resolve();
			closed = true;
			delays.cancelAll();
			page.close();
			return new Promise<void>((resolve, reject) => {
				server.close((err) => (err ? reject(err) : resolve()));
				server.closeAllConnections();
			});
		},
	};
}
