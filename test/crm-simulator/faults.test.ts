import { startCrmSimulator, type CrmSimulator } from '../../tools/crm-simulator';
import { call } from './http';

const activity = (id: string) => ({ id, event: 'open', occurredAt: '2024-05-01T10:00:00Z' });
const note = { properties: { hs_timestamp: '2024-05-01T10:00:00Z', hs_note_body: 'x', mailtarget_event_id: 'n1' } };

describe('faults', () => {
	let sim: CrmSimulator;

	beforeAll(async () => {
		sim = await startCrmSimulator({ tokens: { hubspot: 'hub-token' } });
	});
	afterAll(() => sim.close());
	beforeEach(() => sim.reset());

	test('a status burst answers the next `count` requests, with Retry-After, and writes nothing', async () => {
		sim.inject({ kind: 'status', status: 503, count: 2, retryAfterSeconds: 4 });
		const first = await call(sim, 'POST', '/activities', activity('a'));
		const second = await call(sim, 'POST', '/activities', activity('a'));
		const third = await call(sim, 'POST', '/activities', activity('a'));
		expect([first.status, second.status, third.status]).toEqual([503, 503, 201]);
		expect(first.headers.get('retry-after')).toBe('4');
		expect(first.body.error).toBe('unavailable');
		expect(third.headers.get('retry-after')).toBeNull();
		expect(sim.writes).toHaveLength(1);
		expect(sim.requests.map((r) => r.status)).toEqual([503, 503, 201]);
		// Faulted requests never reach the limiter.
		expect(sim.maxRequestsInWindow('custom')).toBe(1);
	});

	test('Retry-After is only added to 429 and 503', async () => {
		sim.inject({ kind: 'status', status: 500, count: 1, retryAfterSeconds: 4 });
		const res = await call(sim, 'POST', '/activities', activity('a'));
		expect(res.status).toBe(500);
		expect(res.headers.get('retry-after')).toBeNull();
	});

	test('faults apply in injection order and only to their CRM', async () => {
		sim.inject({ kind: 'status', status: 502, count: 1, crm: 'zendesk' });
		sim.inject({ kind: 'status', status: 500, count: 1, crm: 'custom' });
		sim.inject({ kind: 'status', status: 504, count: 1 });
		const statuses = [];
		statuses.push((await call(sim, 'POST', '/activities', activity('a'))).status);
		statuses.push((await call(sim, 'POST', '/activities', activity('b'))).status);
		statuses.push((await call(sim, 'POST', '/activities', activity('c'))).status);
		statuses.push((await call(sim, 'POST', '/api/v2/tickets.json', { ticket: { comment: { body: 'x' } } })).status);
		expect(statuses).toEqual([500, 504, 201, 502]);
	});

	test('a fault with its own body sends it; a 429 fault uses the CRM shape but is not a rate-limit refusal', async () => {
		sim.inject({ kind: 'status', status: 500, count: 1, body: { custom: 'payload' } });
		expect((await call(sim, 'POST', '/activities', activity('a'))).body).toEqual({ custom: 'payload' });

		sim.inject({ kind: 'status', status: 429, count: 1, crm: 'hubspot', retryAfterSeconds: 10 });
		const res = await call(sim, 'POST', '/crm/v3/objects/notes', note);
		expect(res.status).toBe(429);
		expect(res.headers.get('retry-after')).toBe('10');
		expect(res.body).toMatchObject({ errorType: 'RATE_LIMIT', policyName: 'TEN_SECONDLY_ROLLING' });
		expect(sim.rateLimitedCount('hubspot')).toBe(0);
	});

	test('status faults answer before auth is checked', async () => {
		sim.inject({ kind: 'status', status: 503, count: 1, crm: 'hubspot' });
		expect((await call(sim, 'POST', '/crm/v3/objects/notes', note)).status).toBe(503);
		expect((await call(sim, 'POST', '/crm/v3/objects/notes', note)).status).toBe(401);
	});

	test('latency delays the answer, then the request goes through', async () => {
		sim.inject({ kind: 'latency', ms: 200, count: 1, crm: 'custom' });
		let started = Date.now();
		const slow = await call(sim, 'POST', '/activities', activity('slow'));
		const slowMs = Date.now() - started;
		started = Date.now();
		const fast = await call(sim, 'POST', '/activities', activity('fast'));
		const fastMs = Date.now() - started;
		expect(slow.status).toBe(201);
		expect(fast.status).toBe(201);
		expect(slowMs).toBeGreaterThanOrEqual(190);
		expect(fastMs).toBeLessThan(150);
		expect(sim.activityCounts()).toEqual(new Map([['slow', 1], ['fast', 1]]));
	});

	test('reset destroys the socket: fetch rejects and nothing is written', async () => {
		sim.inject({ kind: 'reset', count: 1 });
		await expect(call(sim, 'POST', '/activities', activity('lost'))).rejects.toThrow();
		expect(sim.writes).toHaveLength(0);
		expect(sim.requests).toHaveLength(1);
		expect(sim.requests[0]).toMatchObject({ path: '/activities', status: 0, body: activity('lost') });

		expect((await call(sim, 'POST', '/activities', activity('lost'))).status).toBe(201);
	});

	test('clearFaults drops pending faults', async () => {
		sim.inject({ kind: 'status', status: 500, count: 5 });
		expect((await call(sim, 'POST', '/activities', activity('a'))).status).toBe(500);
		sim.clearFaults();
		expect((await call(sim, 'POST', '/activities', activity('a'))).status).toBe(201);
	});

	test('health checks do not consume faults', async () => {
		sim.inject({ kind: 'status', status: 503, count: 1 });
		expect((await call(sim, 'GET', '/health')).status).toBe(200);
		expect((await call(sim, 'POST', '/activities', activity('a'))).status).toBe(503);
	});

	test('rejects a fault without a positive count', () => {
		expect(() => sim.inject({ kind: 'reset', count: 0 })).toThrow(RangeError);
	});
});
