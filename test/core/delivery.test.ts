import { classifyResponse, type CrmAnswer } from '../../core/delivery/classifyResponse';
import { DEFAULT_DELIVERY_POLICY, isPastHorizon, planDelivery } from '../../core/delivery/planDelivery';
import { rateMarginMs, releaseDelay, windowTimes } from '../../core/delivery/rateWindow';
import { parseRetryAfter, retryDelay } from '../../core/delivery/retryDelay';

const salesforceLimit = [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }];

describe('classifyResponse', () => {
	it.each<[string, CrmAnswer, string, boolean | null]>([
		['200', { statusCode: 200 }, 'delivered', null],
		['201', { statusCode: 201 }, 'delivered', null],
		['204', { statusCode: 204 }, 'delivered', null],
		['207 multi-status without details', { statusCode: 207 }, 'dead', null],
		['HubSpot batch 207 with errors', { statusCode: 207, body: { status: 'COMPLETE', results: [{ id: '1' }], numErrors: 1, errors: [{ message: 'Property does not exist' }] } }, 'dead', null],
		['HubSpot batch 200 without errors', { statusCode: 200, body: { status: 'COMPLETE', results: [{ id: '1' }], errors: [] } }, 'delivered', null],
		['Salesforce collection 200 with a refused record', { statusCode: 200, body: [{ id: 'a', success: true, errors: [] }, { success: false, errors: [{ statusCode: 'INVALID_FIELD' }] }] }, 'dead', null],
		['Salesforce collection 200, all saved', { statusCode: 200, body: [{ id: 'a', success: true, errors: [] }] }, 'delivered', null],
		['custom CRM 201 with results', { statusCode: 201, body: { results: [{ id: 'mailtarget:1', status: 'created' }] } }, 'delivered', null],
		['"200" as a string', { statusCode: '200' }, 'delivered', null],
		['429', { statusCode: 429 }, 'retry', true],
		['503', { statusCode: 503 }, 'retry', true],
		['Salesforce 403 REQUEST_LIMIT_EXCEEDED (parsed body)', { statusCode: 403, body: salesforceLimit }, 'retry', true],
		['Salesforce 403 REQUEST_LIMIT_EXCEEDED (text body)', { statusCode: 403, body: JSON.stringify(salesforceLimit) }, 'retry', true],
		['Salesforce 403 REQUEST_LIMIT_EXCEEDED (binary body)', { statusCode: 403, body: Buffer.from(JSON.stringify(salesforceLimit)) }, 'retry', true],
		['500', { statusCode: 500 }, 'retry', false],
		['502', { statusCode: 502 }, 'retry', false],
		['504', { statusCode: 504 }, 'retry', false],
		['408', { statusCode: 408 }, 'retry', false],
		['connection reset (http request output)', { statusCode: 'ECONNRESET', body: 'RequestError: socket hang up' }, 'retry', false],
		['timeout (http request output)', { statusCode: 'ETIMEDOUT' }, 'retry', false],
		['error from a Catch node', { error: { message: 'socket hang up', source: { id: 'http' } } }, 'retry', false],
		['no status at all', {}, 'retry', false],
		['400', { statusCode: 400, body: { error: 'invalid_record' } }, 'dead', null],
		['401', { statusCode: 401 }, 'dead', null],
		['other 403 (Salesforce INSUFFICIENT_ACCESS)', { statusCode: 403, body: [{ errorCode: 'INSUFFICIENT_ACCESS' }] }, 'dead', null],
		['403 with a text body', { statusCode: 403, body: 'Forbidden' }, 'dead', null],
		['404', { statusCode: 404 }, 'dead', null],
		['409', { statusCode: 409 }, 'dead', null],
		['415', { statusCode: 415 }, 'dead', null],
		['422', { statusCode: 422 }, 'dead', null],
		['a redirect that was not followed', { statusCode: 302 }, 'dead', null],
	])('%s -> %s', (_name, answer, outcome, rateLimited) => {
		const verdict = classifyResponse(answer);
		expect(verdict.outcome).toBe(outcome);
		expect(verdict.reason).not.toBe('');
		expect(verdict.outcome === 'retry' ? verdict.rateLimited : null).toBe(rateLimited);
	});

	it('passes Retry-After on whatever the header case', () => {
		expect(classifyResponse({ statusCode: 429, headers: { 'retry-after': '7' } })).toMatchObject({ outcome: 'retry', retryAfter: '7' });
		expect(classifyResponse({ statusCode: 503, headers: { 'Retry-After': ['12'] } })).toMatchObject({ outcome: 'retry', retryAfter: '12' });
	});

	it('names the network error in the reason', () => {
		expect(classifyResponse({ statusCode: 'ECONNRESET' }).reason).toContain('ECONNRESET');
		expect(classifyResponse({ error: { message: 'No response object' } }).reason).toContain('No response object');
		expect(classifyResponse({ statusCode: 422 }).reason).toContain('422');
	});
});

describe('parseRetryAfter', () => {
	const now = Date.parse('2026-11-27T08:00:00Z');
	it.each<[string, unknown, number | undefined]>([
		['seconds', '30', 30_000],
		['zero', '0', 0],
		['fractional seconds', '1.5', 1_500],
		['a number', 2, 2_000],
		['an HTTP-date in the future', 'Fri, 27 Nov 2026 08:01:00 GMT', 60_000],
		['an HTTP-date in the past', 'Fri, 27 Nov 2026 07:00:00 GMT', 0],
		['missing', undefined, undefined],
		['empty', '', undefined],
		['garbage', 'soon', undefined],
		['negative', '-5', undefined],
	])('%s', (_name, value, expected) => {
		expect(parseRetryAfter(value, now)).toBe(expected);
	});
});

describe('retryDelay', () => {
	const policy = { baseMs: 1_000, capMs: 60_000 };
	const now = Date.parse('2026-11-27T08:00:00Z');
	it.each([
		// attempt, random, expected: half the backoff plus random times the other half
		[1, 0, 500],
		[1, 0.999999, 1_000],
		[2, 0, 1_000],
		[3, 0.5, 3_000],
		[6, 0, 16_000],
		[7, 0.999999, 60_000],
		[50, 0, 30_000],
		[5000, 0.999999, 60_000],
	])('attempt %d with random %d waits %d ms', (attempt, random, expected) => {
		expect(retryDelay(attempt, undefined, () => random, now, policy)).toBe(expected);
	});

	it('stays within half and all of the capped backoff for any random value', () => {
		for (let attempt = 1; attempt <= 20; attempt++) {
			const full = Math.min(policy.capMs, policy.baseMs * 2 ** (attempt - 1));
			for (const random of [0, 0.1, 0.25, 0.5, 0.75, 0.99]) {
				const delay = retryDelay(attempt, undefined, () => random, now, policy);
				expect(delay).toBeGreaterThanOrEqual(full / 2);
				expect(delay).toBeLessThanOrEqual(full);
			}
		}
	});

	it.each([
		['a longer Retry-After in seconds wins', 2, '10', 10_000],
		['a shorter Retry-After loses to the backoff', 5, '1', 8_000],
		['a Retry-After date wins when later', 1, 'Fri, 27 Nov 2026 08:02:00 GMT', 120_000],
		['a Retry-After above the cap is still honoured', 1, '600', 600_000],
		['an unreadable Retry-After is ignored', 1, 'later', 500],
	])('%s', (_name, attempt, header, expected) => {
		expect(retryDelay(attempt, header, () => 0, now, policy)).toBe(expected);
	});
});

describe('releaseDelay (rate window)', () => {
	const limit = { max: 3, intervalMs: 1_000 };
	it.each<[string, number[], number, number]>([
		['nothing sent yet', [], 0, 0],
		['fewer calls than the limit', [0, 10], 20, 0],
		['limit reached: wait until the oldest counted call leaves the window', [0, 100, 200], 300, 700 + 20],
		['only the last max calls count', [0, 100, 200, 900, 950], 960, 200 + 1000 + 20 - 960],
		['the window has passed', [0, 100, 200], 1_300, 0],
	])('%s', (_name, sent, now, expected) => {
		expect(releaseDelay(sent, now, limit)).toBe(expected);
	});

	it('keeps a margin of at least 20 ms, 1% on long intervals', () => {
		expect(rateMarginMs({ max: 1, intervalMs: 1_000 })).toBe(20);
		expect(rateMarginMs({ max: 100, intervalMs: 10_000 })).toBe(100);
	});
});

describe('windowTimes', () => {
	it('counts each call from its answer, a call in flight from now, in ascending order', () => {
		const calls = [
			{ sentAt: 0, answeredAt: 300 },
			{ sentAt: 100, answeredAt: 150 },
			{ sentAt: 200 },
		];
		expect(windowTimes(calls, 400)).toEqual([150, 300, 400]);
	});

	it('never lets more than max calls arrive at the CRM within one interval, however the network delays them', () => {
		const limit = { max: 5, intervalMs: 1_000 };
		// Every fifth call crawls to the CRM, the others fly; answers come back quickly.
		const toCrm = (i: number) => (i % 5 === 0 ? 450 : 2 + (i % 3));
		const back = (i: number) => 3 + (i % 4);
		const calls: Array<{ sentAt: number; answeredAt?: number }> = [];
		const arrivals: number[] = [];
		let now = 0;
		for (let i = 0; i < 120; i++) {
			now += releaseDelay(windowTimes(calls, now), now, limit, 0);
			const arrival = now + toCrm(i);
			const answeredAt = arrival + back(i);
			arrivals.push(arrival);
			calls.push({ sentAt: now, answeredAt });
			now = answeredAt; // one call in flight at a time
		}
		arrivals.sort((a, b) => a - b);
		for (const start of arrivals) expect(arrivals.filter((t) => t >= start && t < start + limit.intervalMs).length).toBeLessThanOrEqual(limit.max);
	});
});

describe('isPastHorizon', () => {
	it.each([
		[0, 1_000, 1_000, false],
		[0, 1_001, 1_000, true],
		[500, 1_200, 1_000, false],
	])('accepted %d, at %d, horizon %d -> %s', (acceptedAt, at, horizon, expected) => {
		expect(isPastHorizon(acceptedAt, at, horizon)).toBe(expected);
	});
});

describe('planDelivery', () => {
	const policy = { horizonMs: 60_000, backoff: { baseMs: 1_000, capMs: 30_000 } };
	const now = 100_000;
	const fresh = { acceptedAt: now - 1_000, attempts: 1 };

	it('delivers every record of a 2xx batch', () => {
		expect(planDelivery(classifyResponse({ statusCode: 201 }), [fresh, fresh], now, () => 0, policy)).toMatchObject({ delivered: [0, 1], retry: [], dead: [] });
	});

	it('dead-letters every record of a permanent failure with the reason', () => {
		const plan = planDelivery(classifyResponse({ statusCode: 400 }), [fresh, fresh], now, () => 0, policy);
		expect(plan).toMatchObject({ delivered: [], retry: [], dead: [0, 1], deadReason: 'rejected by the CRM (400)' });
	});

	it('retries a server error after the backoff without pausing the queue', () => {
		const plan = planDelivery(classifyResponse({ statusCode: 500 }), [fresh, { ...fresh, attempts: 3 }], now, () => 0, policy);
		expect(plan).toMatchObject({ retry: [0, 1], dead: [], retryAt: now + 2_000 });
		expect(plan.pauseUntil).toBeUndefined();
	});

	it('pauses the whole queue on a rate limit until Retry-After', () => {
		const plan = planDelivery(classifyResponse({ statusCode: 429, headers: { 'retry-after': '5' } }), [fresh], now, () => 0, policy);
		expect(plan).toMatchObject({ retry: [0], retryAt: now + 5_000, pauseUntil: now + 5_000 });
	});

	it('dead-letters records whose next try would fall after the horizon, keeps the others', () => {
		const old = { acceptedAt: now - 59_500, attempts: 4 };
		const plan = planDelivery(classifyResponse({ statusCode: 503 }), [old, fresh], now, () => 0, policy);
		expect(plan).toMatchObject({ retry: [1], dead: [0], retryAt: now + 4_000 });
		expect(plan.deadReason).toBe('gave up after 1 min of retries; last answer: CRM unavailable (503)');
	});

	it('uses a 24 hour horizon by default', () => {
		expect(DEFAULT_DELIVERY_POLICY.horizonMs).toBe(24 * 60 * 60 * 1000);
		const dayOld = { acceptedAt: now - 24 * 60 * 60 * 1000, attempts: 30 };
		expect(planDelivery(classifyResponse({ statusCode: 'ECONNRESET' }), [dayOld], now, () => 0).dead).toEqual([0]);
	});
});

describe('classifyResponse on partial batch failures', () => {
	it('names how many records the CRM refused', () => {
		const verdict = classifyResponse({ statusCode: 200, body: JSON.stringify([{ success: false }, { success: false }, { success: true }]) });
		expect(verdict).toEqual({ outcome: 'dead', reason: 'the CRM refused 2 record(s) of the call (200)' });
	});
});
