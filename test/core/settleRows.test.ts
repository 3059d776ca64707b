import { batchRows, idempotencyKeyOf } from '../../core/delivery/batchRows';
import { answerFromHttpItem } from '../../core/delivery/httpItemAnswer';
import { DEFAULT_DELIVERY_POLICY } from '../../core/delivery/planDelivery';
import { describeAnswer, settleRows } from '../../core/delivery/settleRows';

const now = Date.UTC(2026, 0, 1, 12);
const noJitter = () => 0.999999;
const row = (rowId: number, attempts = 0, acceptedAt = now - 1000) => ({ rowId, attempts, acceptedAt });

describe('settleRows (the table-backed queue over core/delivery)', () => {
	it('settles every row of a 2xx as delivered, counting this call', () => {
		const settled = settleRows({ statusCode: 201, body: { results: [] } }, [row(1), row(2, 3)], now, noJitter);
		expect(settled.rows).toEqual([
			{ rowId: 1, status: 'delivered', dueAt: now, attempts: 1, reason: 'accepted (201)' },
			{ rowId: 2, status: 'delivered', dueAt: now, attempts: 4, reason: 'accepted (201)' },
		]);
		expect(settled.pauseUntil).toBeUndefined();
	});

	it('takes Retry-After when it is longer than the backoff, and pauses everyone on a 429', () => {
		const settled = settleRows({ statusCode: 429, headers: { 'Retry-After': '30' } }, [row(1)], now, noJitter);
		expect(settled.rows[0]).toMatchObject({ status: 'due', dueAt: now + 30_000, attempts: 1, reason: 'rate limited (429)' });
		expect(settled.pauseUntil).toBe(now + 30_000);
	});

	it('takes the backoff when it is longer than Retry-After', () => {
		// Fifth call carrying the row: backoff 1 s * 2^4 = 16 s.
		const settled = settleRows({ statusCode: 503, headers: { 'retry-after': '2' } }, [row(1, 4)], now, noJitter);
		expect(settled.rows[0]?.dueAt).toBe(now + 16_000);
	});

	it('retries 5xx, timeouts and resets without pausing the queue', () => {
		for (const answer of [{ statusCode: 500 }, { statusCode: 'ECONNRESET' }, { statusCode: 'ECONNABORTED', error: 'timeout of 5000ms exceeded' }]) {
			const settled = settleRows(answer, [row(1)], now, noJitter);
			expect(settled.rows[0]?.status).toBe('due');
			expect(settled.rows[0]?.dueAt).toBeGreaterThan(now);
			expect(settled.pauseUntil).toBeUndefined();
		}
	});

	it('dead-letters other 4xx with the CRM answer', () => {
		const settled = settleRows({ statusCode: 400, body: { error: 'invalid_record', message: "record 0: 'id' must be a non-empty string" } }, [row(1)], now, noJitter);
		expect(settled.rows[0]).toMatchObject({ status: 'dead', reason: 'rejected by the CRM (400)' });
		expect(settled.answer).toBe(`400 {"error":"invalid_record","message":"record 0: 'id' must be a non-empty string"}`);
	});

	it('dead-letters a row whose retry would fall past the 24 h horizon, and keeps the younger one due', () => {
		const old = row(1, 2, now - DEFAULT_DELIVERY_POLICY.horizonMs + 1000);
		const settled = settleRows({ statusCode: 429, headers: { 'Retry-After': '60' } }, [old, row(2)], now, noJitter);
		expect(settled.rows.map((r) => r.status)).toEqual(['dead', 'due']);
		expect(settled.rows[0]?.reason).toBe('gave up after 24 h of retries; last answer: rate limited (429)');
	});

	it('describes an answer without a status', () => {
		expect(describeAnswer({})).toBe('no answer');
		expect(describeAnswer({ statusCode: 'ECONNRESET', error: { message: 'socket hang up' } })).toBe('ECONNRESET socket hang up');
		expect(describeAnswer({ statusCode: 400, body: 'x'.repeat(5000) })).toHaveLength(2000);
	});
});

describe('answerFromHttpItem (n8n HTTP Request output)', () => {
	it('reads a full response', () => {
		expect(answerFromHttpItem({ statusCode: 429, headers: { 'retry-after': '5' }, body: { error: 'rate_limited' }, statusMessage: 'Too Many Requests' })).toEqual({
			statusCode: 429,
			headers: { 'retry-after': '5' },
			body: { error: 'rate_limited' },
		});
	});

	it('reads a network error item as a code to retry', () => {
		expect(answerFromHttpItem({ error: { message: 'socket hang up', code: 'ECONNRESET' } })).toMatchObject({ statusCode: 'ECONNRESET', error: 'socket hang up' });
		expect(answerFromHttpItem({ error: { message: 'timeout', cause: { code: 'ETIMEDOUT' } } })).toMatchObject({ statusCode: 'ETIMEDOUT' });
		expect(answerFromHttpItem({ error: 'The connection was aborted' })).toEqual({ error: 'The connection was aborted' });
	});

	it('reads an HTTP error item with its status, headers and body', () => {
		expect(answerFromHttpItem({ error: { message: 'Too many', response: { status: 429, headers: { 'retry-after': '7' }, data: 'slow down' } } })).toEqual({
			statusCode: 429,
			headers: { 'retry-after': '7' },
			body: 'slow down',
			error: 'Too many',
		});
		expect(answerFromHttpItem({ error: { message: 'Bad request', httpCode: '400', description: 'invalid' } })).toMatchObject({ statusCode: '400', body: 'invalid' });
	});

	it('treats a missing item as no answer', () => {
		expect(answerFromHttpItem(undefined)).toEqual({ error: 'the CRM call produced no answer item' });
		expect(answerFromHttpItem({ error: 5 })).toEqual({ error: 'the CRM call failed without saying why' });
	});
});

describe('batchRows', () => {
	const stored = (id: number) => ({ id, recordId: `mailtarget:${id}`, record: JSON.stringify({ id: `mailtarget:${id}` }), acceptedAt: String(now), attempts: 2 });

	it('cuts rows in order into calls of at most the batch size, parsing each record', () => {
		const { batches, unreadable } = batchRows([1, 2, 3, 4, 5].map(stored), 2);
		expect(unreadable).toEqual([]);
		expect(batches.map((batch) => batch.rows.map((r) => r.rowId))).toEqual([[1, 2], [3, 4], [5]]);
		expect(batches[0]?.records).toEqual([{ id: 'mailtarget:1' }, { id: 'mailtarget:2' }]);
		expect(batches[0]?.rows[0]).toEqual({ rowId: 1, recordId: 'mailtarget:1', acceptedAt: now, attempts: 2 });
		expect(batches[2]?.idempotencyKey).toBe('mailtarget:5');
		expect(batches[0]?.idempotencyKey).toBe(idempotencyKeyOf(['mailtarget:1', 'mailtarget:2']));
		expect(batches[0]?.idempotencyKey).not.toBe(batches[1]?.idempotencyKey);
	});

	it('sets aside a row whose record cannot be read, naming why', () => {
		const { batches, unreadable } = batchRows([stored(1), { id: 2, recordId: 'mailtarget:2', record: '{broken' }, { id: 3, recordId: 'mailtarget:3' }], 10);
		expect(batches).toHaveLength(1);
		expect(unreadable).toEqual([
			{ rowId: 2, recordId: 'mailtarget:2', reason: 'the stored record is not valid JSON' },
			{ rowId: 3, recordId: 'mailtarget:3', reason: 'the row holds no record' },
		]);
	});
});
