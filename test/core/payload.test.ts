import fc from 'fast-check';

import { normalizeEvent, parsePayload, toIsoTime } from '../../core';
import { fixtureBytes, guideEvents, officialBatch } from '../helpers/fixtures';

describe('parsePayload', () => {
	it('splits the official batch envelope into events carrying batchId and retryCount', () => {
		const result = parsePayload(fixtureBytes('official-batch.json'));
		if (!result.ok) throw result.error;
		const batch = officialBatch();
		expect(result.events).toHaveLength(batch.events.length);
		expect(result.batchId).toBe(batch.batchId);
		result.events.forEach((event, i) => {
			expect(event).toMatchObject(batch.events[i]);
			expect(event.batchId).toBe(batch.batchId);
			expect(event.retryCount).toBe(0);
			expect(event.type).toBe(batch.events[i].status);
		});
		expect(result.events.map((e) => e.type)).toEqual(['injection', 'delivery', 'open', 'click', 'bounce', 'bounce', 'delay']);
	});

	it('accepts a bare array and a single event', () => {
		const events = guideEvents();
		const array = parsePayload(JSON.stringify(events));
		if (!array.ok) throw array.error;
		expect(array.events.map((e) => e.type)).toEqual(['delivery', 'open', 'click', 'bounce', 'complaint', 'unsubscribe']);
		expect(array.events.every((e) => e.batchId === null && e.retryCount === null)).toBe(true);

		for (const event of events) {
			const single = parsePayload(Buffer.from(JSON.stringify(event)));
			if (!single.ok) throw single.error;
			expect(single.events).toHaveLength(1);
			expect(single.events[0]).toMatchObject(event);
			expect(single.events[0].type).toBe(event.event);
		}
	});

	it('parses recipientMeta strings, tolerating empty and invalid ones, and metadata objects', () => {
		const result = parsePayload(fixtureBytes('official-batch.json'));
		if (!result.ok) throw result.error;
		const [, delivery, , , hardBounce, softBounce, delay] = result.events;
		expect(delivery.metadata).toEqual({ crm_contact_id: '0035g00000ABCDE', crm_deal_id: '0065g00000XYZ', crm_owner: 'alice@yourcompany.com' });
		expect(hardBounce.metadata).toEqual({ crm_contact_id: '0035g00000FGHIJ' });
		expect(softBounce.metadata).toEqual({});
		expect(softBounce.recipientMeta).toBe('');
		expect(delay.metadata).toEqual({});
		expect(delay.recipientMeta).toBe('not-json');

		const guide = guideEvents()[0];
		expect(normalizeEvent(guide).metadata).toEqual(guide.metadata);
		expect(normalizeEvent({ event: 'open', rcpt_meta: { a: '1' }, recipientMeta: '[1,2]' }).metadata).toEqual({ a: '1' });
	});

	it('keeps the original type and time fields next to the normalised ones', () => {
		const event = normalizeEvent({ status: 'OPEN', timestamp: 1764230400000, extra: { nested: true } });
		expect(event).toMatchObject({ status: 'OPEN', type: 'open', timestamp: 1764230400000, occurredAt: '2025-11-27T08:00:00.000Z', extra: { nested: true } });
	});

	it.each([
		['', 'empty body'],
		['   ', 'empty body'],
		['{"events": [1', 'not valid JSON'],
		['"just a string"', 'must be an event object'],
		['42', 'must be an event object'],
		['null', 'must be an event object'],
		['[{"event":"open"}, 3]', 'every array item'],
		['{"events": {"status":"open"}}', '"events" must be an array'],
		['{"events": ["open"]}', '"events" must be an array'],
	])('rejects %j with a short reason', (body, reason) => {
		const result = parsePayload(body);
		expect(result.ok).toBe(false);
		if (!result.ok) expect(result.error.message).toContain(reason);
	});

	it('gives events that share a recipientMeta string metadata objects of their own', () => {
		const meta = JSON.stringify({ crm_contact_id: 'c-1' });
		const parsed = parsePayload(JSON.stringify([{ status: 'open', recipientMeta: meta }, { status: 'click', recipientMeta: meta }]));
		if (!parsed.ok) throw parsed.error;
		const [first, second] = parsed.events;
		expect(first.metadata).toEqual({ crm_contact_id: 'c-1' });
		expect(first.metadata).not.toBe(second.metadata);
		first.metadata.crm_contact_id = 'changed';
		const again = parsePayload(JSON.stringify({ status: 'open', recipientMeta: meta }));
		expect([second.metadata, again.ok && again.events[0].metadata]).toEqual([{ crm_contact_id: 'c-1' }, { crm_contact_id: 'c-1' }]);
	});

	it('accepts an empty batch as zero events', () => {
		const result = parsePayload('{"batchId":"b1","retryCount":2,"events":[]}');
		expect(result).toEqual({ ok: true, events: [], batchId: 'b1' });
	});
});

describe('toIsoTime', () => {
	it.each([
		[1764230400000, '2025-11-27T08:00:00.000Z'],
		[1764230400, '2025-11-27T08:00:00.000Z'],
		['1764230400', '2025-11-27T08:00:00.000Z'],
		['1764230400123', '2025-11-27T08:00:00.123Z'],
		['2026-11-27T08:00:00Z', '2026-11-27T08:00:00.000Z'],
		['2026-11-27T10:00:00+02:00', '2026-11-27T08:00:00.000Z'],
		['not a date', null],
		['', null],
		[undefined, null],
		[null, null],
		[Number.NaN, null],
		[-5, null],
		[{}, null],
	])('%j -> %j', (input, expected) => {
		expect(toIsoTime(input)).toBe(expected);
	});

	const reference = (ms: number) => {
		const date = new Date(ms);
		return Number.isNaN(date.getTime()) ? null : date.toISOString();
	};
	// toIsoTime reuses the day of the time before it; runs of times close together exercise that, across day ends too.
	// Below 1e12 a number is epoch seconds.
	it('formats epoch milliseconds as Date#toISOString does, whatever the time before it', () => {
		const LIMIT = 8.64e15;
		const base = fc.oneof(fc.integer({ min: 0, max: 4_102_444_800_000 }), fc.integer({ min: LIMIT - 3 * 86_400_000, max: LIMIT + 86_400_000 }), fc.constantFrom(0, 86_399_999, 86_400_000, LIMIT));
		const step = fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: -2 * 86_400_000, max: 2 * 86_400_000 }), fc.double({ min: -5, max: 5, noNaN: true }));
		fc.assert(
			fc.property(base, fc.array(step, { maxLength: 12 }), (start, steps) => {
				let ms = start;
				for (const delta of [0, ...steps]) {
					ms += delta;
					if (ms < 0) continue;
					expect(toIsoTime(ms)).toBe(reference(ms < 1e12 ? ms * 1000 : ms));
				}
			}),
			{ numRuns: 3000 },
		);
	});
});
