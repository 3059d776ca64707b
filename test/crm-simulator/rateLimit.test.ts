import { startCrmSimulator, type CrmSimulator } from '../../tools/crm-simulator';
import { call, manualClock } from './http';

const note = (id: string) => ({ properties: { hs_timestamp: '2024-05-01T10:00:00Z', hs_note_body: 'x', mailtarget_event_id: id } });
const task = (id: string) => ({ Subject: 'Email opened', Mailtarget_Event_Id__c: id });
const ticket = (id: string) => ({ ticket: { subject: 's', comment: { body: 'b' }, external_id: id } });
const activity = (id: string) => ({ id, event: 'open', occurredAt: '2024-05-01T10:00:00Z' });

const small = { max: 3, intervalMs: 500 };

describe('rate limits', () => {
	let sim: CrmSimulator;
	const clock = manualClock();

	beforeAll(async () => {
		sim = await startCrmSimulator({
			now: clock.now,
			limits: { hubspot: small, salesforce: small, zendesk: { max: 3, intervalMs: 5_000 }, custom: { ...small, retryAfterSeconds: 7 } },
		});
	});
	afterAll(() => sim.close());
	beforeEach(() => sim.reset());

	test('HubSpot: counts down the remaining header, then answers 429 with its rate-limit body', async () => {
		const remaining: (string | null)[] = [];
		for (const id of ['a', 'b', 'c']) {
			const res = await call(sim, 'POST', '/crm/v3/objects/notes', note(id));
			expect(res.status).toBe(201);
			remaining.push(res.headers.get('x-hubspot-ratelimit-remaining'));
		}
		expect(remaining).toEqual(['2', '1', '0']);

		const over = await call(sim, 'POST', '/crm/v3/objects/notes', note('d'));
		expect(over.status).toBe(429);
		expect(over.headers.get('x-hubspot-ratelimit-max')).toBe('3');
		expect(over.headers.get('x-hubspot-ratelimit-remaining')).toBe('0');
		expect(over.headers.get('x-hubspot-ratelimit-interval-milliseconds')).toBe('500');
		expect(over.body).toEqual({
			status: 'error',
			message: 'You have reached your ten_secondly_rolling limit.',
			errorType: 'RATE_LIMIT',
			correlationId: expect.stringMatching(/^[0-9a-f-]{36}$/),
			policyName: 'TEN_SECONDLY_ROLLING',
		});
		expect(sim.writes.map((w) => w.key)).toEqual(['a', 'b', 'c']);
		expect(sim.rateLimitedCount('hubspot')).toBe(1);
		expect(sim.maxAdmittedInWindow('hubspot')).toBe(3);
		expect(sim.maxRequestsInWindow('hubspot')).toBe(4);

		clock.advance(500);
		expect((await call(sim, 'POST', '/crm/v3/objects/notes', note('e'))).status).toBe(201);
	});

	test('the window rolls: a slot frees exactly intervalMs after the request that took it', async () => {
		let n = 0;
		const at = async (offset: number) => {
			clock.advance(offset);
			return (await call(sim, 'POST', '/activities', activity(`x${n++}`))).status;
		};
		const statuses = [await at(0), await at(200), await at(200), await at(99), await at(1), await at(100), await at(100)];
		// t: 0, 200, 400 admitted; 499 refused; 500 admitted (t=0 left); 600 refused; 700 admitted (t=200 left)
		expect(statuses).toEqual([201, 201, 201, 429, 201, 429, 201]);
		expect(sim.maxAdmittedInWindow('custom')).toBe(3);
		// (100, 600] held 200, 400, 499, 500 and 600
		expect(sim.maxRequestsInWindow('custom')).toBe(5);
		expect(sim.rateLimitedCount('custom')).toBe(2);
	});

	test('a client that stays under the limit never sees more than max in a window', async () => {
		for (let i = 0; i < 9; i++) {
			expect((await call(sim, 'POST', '/activities', activity(`p${i}`))).status).toBe(201);
			clock.advance(170);
		}
		expect(sim.maxRequestsInWindow('custom')).toBe(3);
		expect(sim.rateLimitedCount('custom')).toBe(0);
	});

	test('Salesforce: 403 REQUEST_LIMIT_EXCEEDED with Sforce-Limit-Info', async () => {
		const usage: (string | null)[] = [];
		for (const id of ['a', 'b', 'c']) {
			const res = await call(sim, 'POST', '/services/data/v60.0/sobjects/Task', task(id));
			expect(res.status).toBe(201);
			usage.push(res.headers.get('sforce-limit-info'));
		}
		expect(usage).toEqual(['api-usage=1/3', 'api-usage=2/3', 'api-usage=3/3']);
		const over = await call(sim, 'POST', '/services/data/v60.0/sobjects/Task', task('d'));
		expect(over.status).toBe(403);
		expect(over.body).toEqual([{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }]);
		expect(over.headers.get('sforce-limit-info')).toBe('api-usage=3/3');
		expect(sim.activityCounts('salesforce').has('d')).toBe(false);
		expect(sim.rateLimitedCount('salesforce')).toBe(1);
	});

	test('Zendesk: 429 with Retry-After counted to the next free slot', async () => {
		for (const [offset, id] of [[0, 'a'], [1_000, 'b'], [1_000, 'c']] as const) {
			clock.advance(offset);
			expect((await call(sim, 'POST', '/api/v2/tickets.json', ticket(id))).status).toBe(201);
		}
		clock.advance(300);
		const over = await call(sim, 'POST', '/api/v2/tickets.json', ticket('d'));
		expect(over.status).toBe(429);
		// the first ticket (2 300 ms ago) leaves the 5 000 ms window in 2 700 ms
		expect(over.headers.get('retry-after')).toBe('3');
		expect(over.body).toEqual({ error: 'APIRateLimitExceeded', description: 'Number of allowed API requests per minute exceeded' });

		clock.advance(2_650);
		const almost = await call(sim, 'POST', '/api/v2/tickets.json', ticket('e'));
		expect(almost.headers.get('retry-after')).toBe('1');
		clock.advance(50);
		expect((await call(sim, 'POST', '/api/v2/tickets.json', ticket('f'))).status).toBe(201);
		expect(sim.writes.map((w) => w.key)).toEqual(['a', 'b', 'c', 'f']);
		expect(sim.rateLimitedCount('zendesk')).toBe(2);
	});

	test('Custom: 429 with the configured Retry-After', async () => {
		for (const id of ['a', 'b', 'c']) expect((await call(sim, 'POST', '/activities', activity(id))).status).toBe(201);
		const over = await call(sim, 'POST', '/activities', activity('d'));
		expect(over.status).toBe(429);
		expect(over.headers.get('retry-after')).toBe('7');
		expect(over.body.error).toBe('rate_limited');
		expect(sim.activityCounts('custom').has('d')).toBe(false);
	});

	test('limits are per CRM', async () => {
		for (const id of ['a', 'b', 'c', 'd']) await call(sim, 'POST', '/activities', activity(id));
		expect((await call(sim, 'POST', '/crm/v3/objects/notes', note('h'))).status).toBe(201);
		expect(sim.rateLimitedCount('custom')).toBe(1);
		expect(sim.rateLimitedCount('hubspot')).toBe(0);
	});
});

describe('rate limits on the real clock', () => {
	test('a burst of concurrent requests gets exactly max admitted', async () => {
		const sim = await startCrmSimulator({ limits: { custom: { max: 3, intervalMs: 500 } } });
		try {
			const statuses = await Promise.all(
				Array.from({ length: 20 }, (_, i) => call(sim, 'POST', '/activities', activity(`b${i}`)).then((r) => r.status)),
			);
			expect(statuses.filter((s) => s === 201)).toHaveLength(3);
			expect(statuses.filter((s) => s === 429)).toHaveLength(17);
			expect(sim.writes).toHaveLength(3);
			expect(sim.maxAdmittedInWindow('custom')).toBe(3);
			expect(sim.maxRequestsInWindow('custom')).toBe(20);
			expect(sim.rateLimitedCount('custom')).toBe(17);
		} finally {
			await sim.close();
		}
	});

	test('default limits match the documented ones', async () => {
		const sim = await startCrmSimulator({ now: manualClock().now });
		try {
			const hub = await call(sim, 'POST', '/crm/v3/objects/notes', note('a'));
			expect([hub.headers.get('x-hubspot-ratelimit-max'), hub.headers.get('x-hubspot-ratelimit-interval-milliseconds')]).toEqual(['100', '10000']);
			const sf = await call(sim, 'POST', '/services/data/v60.0/sobjects/Task', task('a'));
			expect(sf.headers.get('sforce-limit-info')).toBe('api-usage=1/1000');
			const zd = await call(sim, 'POST', '/api/v2/tickets.json', ticket('a'));
			expect(zd.headers.get('x-rate-limit')).toBe('200');
			const statuses: number[] = [];
			for (let i = 0; i < 50; i++) statuses.push((await call(sim, 'POST', '/activities', activity(`d${i}`))).status);
			expect(statuses.every((s) => s === 201)).toBe(true);
			const over = await call(sim, 'POST', '/activities', activity('d50'));
			expect(over.status).toBe(429);
			expect(over.headers.get('retry-after')).toBe('1');
		} finally {
			await sim.close();
		}
	});
});
