/** Regressions found by the property tests (test/properties): values a JSON body can carry that broke core. */
import fc from 'fast-check';

import { classifyResponse, defaultDedupeKey, eventKey, fieldsDedupeKey, MailtargetError, mapEvents, MAX_NESTING, nestsDeeperThan, normalizeEvent, outputIndex, parsePayload, retryDelay, valueDedupeKey } from '../../core';

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

describe('deep nesting', () => {
	const deep = (depth: number) => '['.repeat(depth) + '1' + ']'.repeat(depth);
	const body = (depth: number) => `{"events":[{"status":"open","eventId":"e","recipient":"a@example.com","timestamp":1,"extra":${deep(depth)}}]}`;

	test('a body nested deeper than 64 levels is refused with a reason, however deep (the hosts would overflow their stack later)', () => {
		for (const depth of [63, 1_000, 100_000]) {
			expect(parsePayload(body(depth))).toMatchObject({ ok: false, error: { code: 'INVALID_SHAPE', message: expect.stringContaining('64 levels') } });
		}
		expect(parsePayload(body(61))).toMatchObject({ ok: true });
	});

	test('brackets inside strings, and escaped quotes, do not count', () => {
		const text = JSON.stringify({ events: [{ status: 'open', eventId: 'e', recipient: 'a@example.com', timestamp: 1, subject: `${'['.repeat(500)}"\\${'{'.repeat(500)}` }] });
		expect(nestsDeeperThan(text, MAX_NESTING)).toBe(false);
		expect(parsePayload(text)).toMatchObject({ ok: true });
	});

	test('the scan agrees with the real depth of any JSON value, whatever its strings hold', () => {
		const depthOf = (value: unknown): number => (typeof value === 'object' && value !== null ? 1 + Math.max(0, ...Object.values(value).map(depthOf)) : 0);
		const tricky = fc.string({ unit: fc.constantFrom('"', '\\', '[', ']', '{', '}', 'a', 'é', '\u2028') });
		const value = fc.letrec((tie) => ({
			node: fc.oneof({ depthSize: 'small' }, tricky, fc.integer(), fc.array(tie('node'), { maxLength: 3 }), fc.dictionary(tricky, tie('node'), { maxKeys: 3 })),
		})).node;
		fc.assert(
			fc.property(value, fc.integer({ min: 0, max: 6 }), (json, max) => {
				expect(nestsDeeperThan(JSON.stringify(json), max)).toBe(depthOf(json) > max);
			}),
			{ numRuns: 2000 },
		);
	});
});

describe('dedupe keys from hostile values', () => {
	test('an eventId that is an object does not identify an event: too little to tell apart is an error, not a shared key', () => {
		for (const eventId of [{}, { toString: 1 }, [1], true]) {
			expect(() => defaultDedupeKey({ status: 'open', eventId })).toThrow(MailtargetError);
		}
		expect(defaultDedupeKey({ status: 'open', eventId: { a: 1 }, recipient: 'a@example.com', timestamp: 1_700_000_000_000 })).toMatch(/^mailtarget:[0-9a-f]{32}$/);
	});

	test('key fields named like Object.prototype members read only the item\'s own fields', () => {
		expect(() => fieldsDedupeKey({ status: 'open' }, ['constructor'])).toThrow(MailtargetError);
		expect(() => fieldsDedupeKey({ metadata: {} }, ['metadata.toString'])).toThrow(MailtargetError);
		expect(fieldsDedupeKey({ constructor: 'c-1' }, ['constructor'])).toBe('["c-1"]');
		expect(() => valueDedupeKey({ toString: 1 })).not.toThrow();
	});
});
