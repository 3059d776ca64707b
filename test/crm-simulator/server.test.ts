import { startCrmSimulator, type CrmSimulator, type RecordedRequest } from '../../tools/crm-simulator';
import { call } from './http';

const TOKENS = { hubspot: 'hub', salesforce: 'sf', zendesk: 'zd', custom: 'cu' };
const note = { properties: { hs_timestamp: '2024-05-01T10:00:00Z', hs_note_body: 'x', mailtarget_event_id: 'n1' } };

describe('server', () => {
	let sim: CrmSimulator;
	const seen: RecordedRequest[] = [];

	beforeAll(async () => {
		sim = await startCrmSimulator({ tokens: TOKENS, onRequest: (r) => seen.push(r) });
	});
	afterAll(() => sim.close());
	beforeEach(() => {
		sim.reset();
		seen.length = 0;
	});

	test('listens on a random loopback port', () => {
		expect(sim.port).toBeGreaterThan(0);
		expect(sim.url).toBe(`http://127.0.0.1:${sim.port}`);
	});

	test.each([
		['hubspot', 'POST', '/crm/v3/objects/notes', { status: 'error', category: 'INVALID_AUTHENTICATION' }],
		['salesforce', 'POST', '/services/data/v60.0/sobjects/Task', [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]],
		['zendesk', 'POST', '/api/v2/tickets.json', { error: "Couldn't authenticate you" }],
		['custom', 'POST', '/activities', { error: 'unauthorized' }],
	] as const)('%s answers 401 in its own shape without the bearer token', async (crm, method, path, shape) => {
		const missing = await call(sim, method, path, {});
		const wrong = await call(sim, method, path, {}, { Authorization: 'Bearer nope' });
		const basic = await call(sim, method, path, {}, { Authorization: `Basic ${TOKENS[crm]}` });
		for (const res of [missing, wrong, basic]) {
			expect(res.status).toBe(401);
			expect(res.body).toMatchObject(shape);
		}
		expect(sim.writes).toHaveLength(0);
		expect(sim.maxRequestsInWindow(crm)).toBe(0);
	});

	test('the right token gets through', async () => {
		const res = await call(sim, 'POST', '/crm/v3/objects/notes', note, { Authorization: 'Bearer hub' });
		expect(res.status).toBe(201);
		const sf = await call(sim, 'POST', '/services/data/v60.0/sobjects/Task', { Subject: 's' }, { Authorization: 'Bearer sf' });
		expect(sf.status).toBe(201);
	});

	test('records every request with its body, headers, path and status', async () => {
		await call(sim, 'POST', '/crm/v3/objects/notes?debug=1', note, { Authorization: 'Bearer hub', 'X-Trace': 't1' });
		await call(sim, 'POST', '/activities', 'not json', { Authorization: 'Bearer cu' });
		await call(sim, 'GET', '/nowhere');
		expect(sim.requests).toHaveLength(3);
		expect(sim.requests[0]).toMatchObject({ crm: 'hubspot', method: 'POST', path: '/crm/v3/objects/notes?debug=1', status: 201, body: note });
		expect(sim.requests[0]?.headers['x-trace']).toBe('t1');
		expect(sim.requests[1]).toMatchObject({ crm: 'custom', status: 400, body: 'not json' });
		expect(sim.requests[2]).toMatchObject({ crm: 'unknown', method: 'GET', path: '/nowhere', status: 404, body: undefined });
		expect(seen).toEqual(sim.requests);
	});

	test('unknown paths answer 404 JSON', async () => {
		const res = await call(sim, 'POST', '/v1/whatever', {});
		expect(res.status).toBe(404);
		expect(res.headers.get('content-type')).toMatch(/^application\/json/);
		expect(res.body).toEqual({ error: 'not_found', message: 'No route for POST /v1/whatever' });
	});

	test('reset forgets requests, writes, faults, rate windows and stored records', async () => {
		const { requests, writes } = sim;
		await call(sim, 'POST', '/activities', { id: 'a', event: 'open', occurredAt: '2024-05-01T10:00:00Z', recipient: 'x@y.z', contactChanges: { doNotContact: true } }, { Authorization: 'Bearer cu' });
		sim.inject({ kind: 'status', status: 500, count: 1 });
		sim.reset();
		expect(sim.requests).toBe(requests);
		expect(sim.writes).toBe(writes);
		expect([requests.length, writes.length, sim.maxRequestsInWindow('custom'), sim.contacts().size]).toEqual([0, 0, 0, 0]);
		const again = await call(sim, 'POST', '/activities', { id: 'a', event: 'open', occurredAt: '2024-05-01T10:00:00Z' }, { Authorization: 'Bearer cu' });
		expect(again.status).toBe(201);
	});
});

test('close stops the server, is idempotent, and does not wait for pending latency', async () => {
	const sim = await startCrmSimulator();
	sim.inject({ kind: 'latency', ms: 10_000, count: 1 });
	const pending = fetch(`${sim.url}/activities`, { method: 'POST', body: '[]' }).catch((err: unknown) => err);
	await new Promise((resolve) => setTimeout(resolve, 50));
	const started = Date.now();
	await sim.close();
	await sim.close();
	expect(Date.now() - started).toBeLessThan(1_000);
	// fetch's TypeError comes from another realm than the test's, so match by name
	expect(await pending).toMatchObject({ name: 'TypeError', message: 'fetch failed' });
	await expect(fetch(`${sim.url}/health`)).rejects.toThrow();
});

test('rejects invalid limits', async () => {
	await expect(startCrmSimulator({ limits: { hubspot: { max: 0, intervalMs: 1000 } } })).rejects.toThrow(RangeError);
});
