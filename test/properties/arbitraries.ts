import fc from 'fast-check';

/** Keys that break code which treats a JSON object as a plain lookup table. */
export const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf'];

const SIX = ['delivery', 'open', 'click', 'bounce', 'complaint', 'unsubscribe'];
const OTHER_TYPES = ['injection', 'delay', 'soft_bounce', 'spam_complaint', 'DELIVERY', ' Open ', 'x-new-type', ...PROTOTYPE_KEYS];

export const hostileKey = fc.oneof(
	{ weight: 3, arbitrary: fc.constantFrom(...PROTOTYPE_KEYS) },
	{ weight: 3, arbitrary: fc.constantFrom('status', 'event', 'type', 'eventId', 'recipient', 'timestamp', 'recipientMeta', 'metadata', 'events', 'batchId', 'retryCount', 'bounceClassificationCode', 'targetLinkUrl') },
	{ weight: 2, arbitrary: fc.string({ maxLength: 12 }) },
);

/** Any JSON value, with prototype-named and Mailtarget-named keys at every depth. */
export const hostileJson: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
	value: fc.oneof(
		{ depthSize: 'small', withCrossShrink: true },
		fc.constant(null),
		fc.boolean(),
		fc.integer(),
		fc.double({ noNaN: true, noDefaultInfinity: true }),
		fc.string({ maxLength: 20 }),
		fc.constantFrom(...SIX, ...OTHER_TYPES),
		fc.array(tie('value'), { maxLength: 4 }),
		tie('object'),
	),
	// JSON.parse never makes null-prototype objects, so neither do we; own `__proto__` keys it does make.
	object: fc.dictionary(hostileKey, tie('value'), { maxKeys: 6, noNullPrototype: true }),
})).value;

const timestamp = fc.oneof(
	fc.integer({ min: 0, max: 4_102_444_800_000 }),
	fc.integer({ min: 0, max: 4_102_444_800 }),
	fc.date({ min: new Date(0), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString()),
	fc.constantFrom('', 'yesterday', '-5', '1e400', 'NaN', null, {}, []),
	hostileJson,
);

/** An event as Mailtarget might send it, or anything near it: each field may be missing or the wrong type. */
export const anyEvent = fc.record(
	{
		status: fc.oneof(fc.constantFrom(...SIX, ...OTHER_TYPES), hostileJson),
		eventId: fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), hostileJson),
		recipient: fc.oneof(fc.emailAddress(), fc.string({ maxLength: 20 }), hostileJson),
		timestamp,
		recipientMeta: fc.oneof(hostileJson.map((v) => JSON.stringify(v) ?? ''), fc.string({ maxLength: 30 }), hostileJson),
		metadata: hostileJson,
		bounceClassificationCode: fc.oneof(fc.constantFrom(10, 20, 22, 30, 50, 90, '10', ' 22 ', 99), hostileJson),
		targetLinkUrl: fc.oneof(fc.webUrl(), hostileJson),
		subject: fc.oneof(fc.string({ maxLength: 30 }), hostileJson),
	},
	{ requiredKeys: [] },
).chain((event) => fc.dictionary(hostileKey, hostileJson, { maxKeys: 3, noNullPrototype: true }).map((extra) => ({ ...extra, ...event })));

/** A body as a host hands it over: bytes of anything JSON-ish, broken JSON, or random bytes. */
export const anyBody: fc.Arbitrary<Uint8Array | string> = fc.oneof(
	fc.oneof(hostileJson, fc.array(anyEvent, { maxLength: 5 }), fc.record({ batchId: hostileJson, retryCount: hostileJson, events: fc.oneof(fc.array(anyEvent, { maxLength: 5 }), hostileJson) }))
		.map((value) => JSON.stringify(value) ?? 'undefined'),
	fc.string({ maxLength: 200 }),
	fc.uint8Array({ maxLength: 200 }),
	fc.oneof(fc.array(anyEvent, { maxLength: 3 }), anyEvent).map((v) => {
		const text = JSON.stringify(v);
		return text.slice(0, Math.max(0, text.length - 1));
	}),
);

const headerValue = fc.oneof(fc.string({ maxLength: 80 }), fc.array(fc.string({ maxLength: 80 }), { maxLength: 3 }), fc.constant(undefined));
const headerName = fc.oneof(
	fc.constantFrom('X-Mailtarget-Signature', 'x-mailtarget-signature', 'X-MAILTARGET-SIGNATURE', 'Authorization', 'authorization', 'Content-Type', ...PROTOTYPE_KEYS),
	fc.string({ maxLength: 20 }),
);
export const anyHeaders = fc.dictionary(headerName, headerValue, { maxKeys: 6, noNullPrototype: true });

export const anySecret = fc.string({ minLength: 1, maxLength: 64 });

/** A valid event: one of the six types, a unique id, a recipient, a readable time. */
export function validEvent(index: number) {
	return fc.record({
		status: fc.constantFrom(...SIX),
		recipient: fc.emailAddress().map((email) => email.toLowerCase()),
		timestamp: fc.integer({ min: 1_600_000_000_000, max: 1_900_000_000_000 }),
		bounceClassificationCode: fc.constantFrom(10, 22, 50),
		contactId: fc.constantFrom('C-1', 'C-2', 'C-3'),
	}).map(({ status, recipient, timestamp: at, bounceClassificationCode, contactId }) => ({
		status,
		eventId: `evt-${index}`,
		recipient,
		timestamp: at,
		recipientMeta: JSON.stringify({ crm_contact_id: contactId }),
		...(status === 'bounce' ? { bounceClassificationCode } : {}),
	}));
}

export const validBatch = fc
	.integer({ min: 1, max: 40 })
	.chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => validEvent(i))))
	.chain((events) => fc.record({ batchId: fc.string({ minLength: 1, maxLength: 10 }), retryCount: fc.nat(5) }).map((env) => ({ ...env, events })));

/** A permutation of 0..n-1. */
export function permutation(n: number): fc.Arbitrary<number[]> {
	return fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: n, maxLength: n }).map((keys) =>
		keys.map((key, index) => ({ key, index })).sort((a, b) => a.key - b.key || a.index - b.index).map((entry) => entry.index),
	);
}
