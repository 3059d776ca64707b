/** Regressions found by the property tests (test/properties): values a JSON body can carry that broke core. */
import { classifyResponse, eventKey, mapEvents, normalizeEvent, outputIndex, retryDelay } from '../../core';

describe('values that look like JavaScript internals', () => {
	test.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'])(
		'an event of type "%s" goes to the "other" route, not to an output that does not exist',
		(status) => {
			const [result] = mapEvents([{ status, eventId: 'e-1', recipient: 'a@example.com', timestamp: 1_700_000_000_000 }]);
			expect(result).toMatchObject({ ok: true, route: 'other', record: { activity: { type: `email.${status.toLowerCase()}` } } });
			expect(outputIndex(result!.route, 'perAction')).toBe(6);
		},
	);

	test('an eventId that is an object (even one whose String() throws) counts as absent: the key is the hash', () => {
		const base = { status: 'open', recipient: 'a@example.com', timestamp: 1_700_000_000_000, transmissionId: 't-1' };
		const hashed = eventKey(normalizeEvent(base));
		for (const eventId of [{ toString: 1 }, { valueOf: null, toString: null }, [1, 2], {}]) {
			expect(eventKey(normalizeEvent({ ...base, eventId } as never))).toBe(hashed);
			expect(() => mapEvents([{ ...base, eventId }])).not.toThrow();
		}
		expect(eventKey(normalizeEvent({ ...base, eventId: 'evt-9' }))).toBe('mailtarget:evt-9');
		expect(eventKey(normalizeEvent({ ...base, eventId: 42 }))).toBe('mailtarget:42');
	});

	test('a Retry-After header that is not text is ignored, not a crash', () => {
		const verdict = classifyResponse({ statusCode: 429, headers: { 'Retry-After': Object.create(null) as unknown } });
		expect(verdict).toEqual({ outcome: 'retry', reason: 'rate limited (429)', rateLimited: true, retryAfter: undefined });
		expect(classifyResponse({ statusCode: 429, headers: { 'retry-after': ['7'] } })).toMatchObject({ retryAfter: '7' });
	});

	test('a retry count that is not a number waits like a first retry instead of NaN ms', () => {
		expect(retryDelay(Number.NaN, undefined, () => 0.5, 0)).toBe(750);
		expect(retryDelay(1, undefined, () => Number.NaN, 0)).toBe(1000);
	});
});
