/**
 * The CRM down for an hour (and for longer than the retry horizon), on a simulated clock: the
 * queue (its journal on disk, its timers faked) retries with capped backoff, delivers every
 * record exactly once when the CRM is back, never dead-letters within the horizon, and gives up
 * with a dead letter after it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import { readQueueSettings, type CrmAnswer } from '../../core';
import { CrmQueue, type Batch } from '../../node-red/lib/crmQueue';
import { DurableQueueStore } from '../../node-red/lib/durableQueueStore';

const T0 = Date.UTC(2026, 10, 27, 8);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

type Outage = (at: number, call: number) => CrmAnswer;

interface Run {
	delivered: string[];
	dead: Array<{ ids: string[]; reason: string }>;
	calls: Array<{ at: number; ids: string[]; answer: CrmAnswer }>;
	/** The dead-letter file's lines, as left on disk. */
	deadLetters: Array<{ reason: string; record: { id: string }; answer: unknown }>;
}

/** Runs a queue of `count` records against a CRM that answers `answerAt` until `upAt`, then 200; for `forMs` simulated ms. */
async function simulate(count: number, outage: Outage, upAt: number, forMs: number): Promise<Run> {
	const dir = mkdtempSync(join(tmpdir(), 'mailtarget-outage-'));
	const parsed = readQueueSettings({ rate: 10, rateIntervalSeconds: 1, batchSize: 50, maxPending: 10_000 });
	if (!parsed.ok) throw new Error(parsed.reason);
	const store = DurableQueueStore.open(join(dir, 'q.journal'), parsed.settings.rate.max, Date.now());
	const run: Run = { delivered: [], dead: [], calls: [], deadLetters: [] };
	const pending: Batch[] = [];
	const queue = new CrmQueue(
		store,
		'outage',
		parsed.settings,
		{
			release: (batch) => pending.push(batch),
			delivered: ({ entries }) => run.delivered.push(...entries.map((e) => (e.message.payload as { id: string }).id)),
			deadLettered: ({ entries, reason }) => run.dead.push({ ids: entries.map((e) => (e.message.payload as { id: string }).id), reason }),
			failed: (error) => {
				throw error;
			},
		},
		() => Date.now(),
		() => 0.5,
	);
	queue.start();
	expect(queue.enqueue(Array.from({ length: count }, (_, i) => ({ payload: { id: `mailtarget:e-${i}` } })))).toBe(true);
	const end = Date.now() + forMs;
	while (Date.now() < end) {
		// The CRM answers every call 200 ms after it was released.
		while (pending.length > 0) {
			const batch = pending.shift()!;
			const at = Date.now();
			const answer = at < upAt ? outage(at, run.calls.length) : { statusCode: 200, body: { results: [] } };
			run.calls.push({ at, ids: batch.entries.map((e) => (e.message.payload as { id: string }).id), answer });
			await jest.advanceTimersByTimeAsync(200);
			queue.answer(batch.marker, answer);
		}
		await jest.advanceTimersByTimeAsync(1000);
	}
	queue.stop();
	store.close();
	try {
		run.deadLetters = readFileSync(store.deadLetterFile, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Run['deadLetters'][number]);
	} catch {
		run.deadLetters = [];
	}
	rmSync(dir, { recursive: true, force: true, maxRetries: 2 });
	return run;
}

const exactlyOnce = (ids: string[], count: number) => {
	const seen = new Map<string, number>();
	for (const id of ids) seen.set(id, (seen.get(id) ?? 0) + 1);
	return seen.size === count && [...seen.values()].every((n) => n === 1);
};

describe('the CRM is down, on a simulated clock', () => {
	beforeEach(() => {
		jest.useFakeTimers({ now: T0, doNotFake: ['nextTick', 'setImmediate'] });
	});
	afterEach(() => jest.useRealTimers());

	test.each<[string, Outage]>([
		['503 without Retry-After', () => ({ statusCode: 503, body: { error: 'unavailable' } })],
		['503 with Retry-After: 120', () => ({ statusCode: 503, headers: { 'retry-after': '120' }, body: '' })],
		['connection refused', () => ({ statusCode: 'ECONNREFUSED', error: { message: 'connect ECONNREFUSED 127.0.0.1:443' } })],
		['500, 502 and resets in turn', (_at, call) => [{ statusCode: 500 }, { statusCode: 502, body: '<html>Bad gateway</html>' }, { statusCode: 'ECONNRESET' }][call % 3]!],
	])('for an hour (%s): every record delivered exactly once soon after it is back, nothing dead-lettered, retries spaced by the capped backoff', async (_label, outage) => {
		const upAt = T0 + HOUR;
		const run = await simulate(120, outage, upAt, HOUR + 10 * MINUTE);

		expect(run.dead).toEqual([]);
		expect(exactlyOnce(run.delivered, 120)).toBe(true);
		// One record's calls: backoff 1 s doubling up to the 5 min cap (jitter: 3/4 of it here), so about 9 calls in
		// the first 7 minutes, then one every 3.75 min: about 23 in the hour, each batch on its own schedule.
		const during = run.calls.filter((c) => c.at < upAt && c.ids.includes('mailtarget:e-0'));
		const lastDeliveryCall = run.calls.at(-1)!;
		expect(during.length).toBeGreaterThan(10);
		expect(during.length).toBeLessThan(30);
		const gaps = during.slice(1).map((c, i) => c.at - during[i]!.at);
		expect(Math.max(...gaps)).toBeLessThanOrEqual(5 * MINUTE + 1000);
		// Back within one capped backoff of the CRM's return; the 120 records then need three calls of 50.
		expect(lastDeliveryCall.at - upAt).toBeLessThanOrEqual(5 * MINUTE + 5000);
		expect(run.calls.filter((c) => c.at >= upAt).map((c) => c.ids.length)).toEqual([50, 50, 20]);
	}, 60_000);

	test('for longer than the retry horizon (24 h): the records go to the dead letter with the last answer, not retried forever', async () => {
		const run = await simulate(10, () => ({ statusCode: 503 }), T0 + 48 * HOUR, 25 * HOUR);
		expect(run.delivered).toEqual([]);
		expect(run.dead.flatMap((d) => d.ids).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `mailtarget:e-${i}`).sort());
		expect(run.dead[0]!.reason).toMatch(/gave up after 24 h of retries; last answer: CRM unavailable \(503\)/);
		expect(run.calls.at(-1)!.at - T0).toBeLessThanOrEqual(24 * HOUR);
		expect(run.deadLetters).toHaveLength(10);
	}, 60_000);

	test('answering 200 with an error body sends the batch to the dead letter (kept on disk) instead of counting it delivered', async () => {
		const run = await simulate(5, () => ({ statusCode: 200, body: { success: false, error: 'invalid_token' } }), T0 + HOUR, 5000);
		expect(run.delivered).toEqual([]);
		expect(run.dead).toHaveLength(1);
		expect(run.dead[0]!.reason).toBe('the CRM answered 200 with "success": false, not an acceptance');
		expect(run.calls).toHaveLength(1);
		expect(run.deadLetters.map((d) => d.record.id)).toEqual(Array.from({ length: 5 }, (_, i) => `mailtarget:e-${i}`));
		expect(run.deadLetters[0]!.answer).toEqual({ statusCode: 200, body: { success: false, error: 'invalid_token' } });
	}, 30_000);
});
