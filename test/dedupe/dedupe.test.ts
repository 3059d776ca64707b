import { splitDuplicates, splitDuplicatesNow } from '../../core/dedupe/dedupe';
import { defaultDedupeKey, fieldsDedupeKey, MAX_KEY_LENGTH, parseKeyFields, valueDedupeKey } from '../../core/dedupe/dedupeKey';
import { eventKey } from '../../core/dedupe/eventKey';
import { MemoryDedupeStore } from '../../core/dedupe/memoryStore';
import { dedupeWindow, HOUR_MS } from '../../core/dedupe/store';
import { MailtargetError } from '../../core/errors';
import { mapEvents } from '../../core/mapping/mapEvents';
import { eventsFromJson } from '../../core/payload/parse';
import { guideEvents, officialBatch } from '../helpers/fixtures';

const triggerEvents = () => {
	const parsed = eventsFromJson(officialBatch());
	if (!parsed.ok) throw parsed.error;
	return parsed.events;
};

describe('the default dedupe key', () => {
	it('is mailtarget:<eventId> for an event that has one', () => {
		expect(triggerEvents().map(defaultDedupeKey).slice(0, 2)).toEqual(['mailtarget:92356927693813851', 'mailtarget:92356927693813852']);
	});

	it('is the same for the raw event, the event as the trigger emits it and the record the mapper makes of it', () => {
		const events = [...officialBatch().events, ...guideEvents()];
		const mapped = mapEvents(events);
		events.forEach((raw, index) => {
			const outcome = mapped[index];
			if (!outcome.ok) throw new Error(`fixture event ${index} did not map: ${outcome.reason}`);
			const key = defaultDedupeKey(raw);
			expect(outcome.record.id).toBe(key);
			expect(defaultDedupeKey(outcome.record)).toBe(key);
		});
		expect(triggerEvents().map(defaultDedupeKey)).toEqual(officialBatch().events.map(defaultDedupeKey));
	});

	it('does not change when Mailtarget delivers the batch again', () => {
		const first = officialBatch();
		const retry = { ...first, retryCount: 3 };
		const keysOf = (batch: unknown) => {
			const parsed = eventsFromJson(batch);
			if (!parsed.ok) throw parsed.error;
			return parsed.events.map(defaultDedupeKey);
		};
		expect(keysOf(retry)).toEqual(keysOf(first));
	});

	it('uses transmissionId, type, time and recipient when there is no eventId, so every guide event gets its own key', () => {
		const keys = guideEvents().map(defaultDedupeKey);
		expect(new Set(keys).size).toBe(keys.length);
		expect(keys[0]).toBe(eventKey({ ...guideEvents()[0], type: 'delivery', occurredAt: '2026-11-27T08:00:00.000Z', metadata: {}, batchId: null, retryCount: null }));
	});

	it.each([
		['a string', 'hello'],
		['an array', [{ eventId: '1' }]],
		['an event with only a type', { event: 'open' }],
		['an event with a time but no transmission or recipient', { event: 'open', timestamp: 1764230400 }],
		['an event with a recipient but no time', { event: 'open', recipient: 'a@example.com' }],
	])('is refused for %s, which would share one key with others like it', (_case, item) => {
		expect(() => defaultDedupeKey(item)).toThrow(MailtargetError);
	});
});

describe('keys from chosen fields or a value', () => {
	const event = { eventId: '1', recipient: 'A@example.com', metadata: { crm_contact_id: 'c-9' } };

	it.each([
		['one field', ['eventId'], '["1"]'],
		['a nested field', ['metadata.crm_contact_id'], '["c-9"]'],
		['several fields, one missing', ['recipient', 'missing'], '["A@example.com",null]'],
	])('makes a key of %s', (_case, fields, key) => {
		expect(fieldsDedupeKey(event, fields)).toBe(key);
	});

	it('refuses an item where none of the fields has a value, and a key with no fields', () => {
		expect(() => fieldsDedupeKey(event, ['nothing', 'metadata.nothing'])).toThrow('none of the key fields');
		expect(() => fieldsDedupeKey(event, [])).toThrow('choose at least one field');
	});

	it('reads a comma-separated field list', () => {
		expect(parseKeyFields(' eventId, metadata.crm_contact_id ,, ')).toEqual(['eventId', 'metadata.crm_contact_id']);
	});

	it.each([
		['a string', 'abc', 'abc'],
		['a number', 42, '42'],
		['an object', { a: 1 }, '{"a":1}'],
	])('takes %s as a key', (_case, value, key) => {
		expect(valueDedupeKey(value)).toBe(key);
	});

	it.each([[''], ['  '], [null], [undefined]])('refuses the empty value %p', (value) => {
		expect(() => valueDedupeKey(value)).toThrow('the key is empty');
	});

	it('stores a very long key as its hash', () => {
		const key = valueDedupeKey('x'.repeat(MAX_KEY_LENGTH + 1));
		expect(key).toMatch(/^sha256:[0-9a-f]{64}$/);
		expect(valueDedupeKey('x'.repeat(MAX_KEY_LENGTH))).toHaveLength(MAX_KEY_LENGTH);
	});
});

describe('the dedupe rule', () => {
	const window = { ttlMs: 72 * HOUR_MS, maxEntries: 1000 };
	const T0 = Date.UTC(2026, 10, 27, 8);

	it.each([
		['waiting for the store', (store: MemoryDedupeStore, items: Array<{ item: string; key: string }>, now: number) => splitDuplicates(items, store, () => now)],
		['without yielding', async (store: MemoryDedupeStore, items: Array<{ item: string; key: string }>, now: number) => splitDuplicatesNow(items, store, () => now)],
	])('splits items into kept and discarded, in input order (%s)', async (_how, split) => {
		const store = new MemoryDedupeStore(window);
		const first = await split(store, [{ item: 'open', key: 'k1' }, { item: 'click', key: 'k2' }, { item: 'open again', key: 'k1' }], T0);
		expect(first).toEqual({
			kept: [
				{ item: 'open', key: 'k1', index: 0 },
				{ item: 'click', key: 'k2', index: 1 },
			],
			discarded: [{ item: 'open again', key: 'k1', index: 2, firstSeenAt: T0 }],
		});
		const retry = await split(store, [{ item: 'bounce', key: 'k3' }, { item: 'click', key: 'k2' }], T0 + HOUR_MS);
		expect(retry.kept.map((entry) => entry.item)).toEqual(['bounce']);
		expect(retry.discarded).toEqual([{ item: 'click', key: 'k2', index: 1, firstSeenAt: T0 }]);
		const afterWindow = await split(store, [{ item: 'click', key: 'k2' }], T0 + window.ttlMs);
		expect(afterWindow.kept.map((entry) => entry.item)).toEqual(['click']);
	});

	it('asks nothing of the store for no items', async () => {
		const store = { checkAndRecord: jest.fn(), size: () => 0 };
		expect(await splitDuplicates([], store, () => T0)).toEqual({ kept: [], discarded: [] });
		expect(store.checkAndRecord).not.toHaveBeenCalled();
	});
});

describe('the dedupe window from settings', () => {
	it.each([
		[72, 100000, { ttlMs: 72 * HOUR_MS, maxEntries: 100000 }],
		['0.5', '10', { ttlMs: HOUR_MS / 2, maxEntries: 10 }],
	])('reads %p hours and %p keys', (hours, entries, window) => {
		expect(dedupeWindow(hours, entries)).toEqual(window);
	});

	it.each([
		[0, 10],
		[-1, 10],
		['soon', 10],
		[72, 0],
		[72, 2.5],
		[72, 'many'],
	])('refuses %p hours with %p keys', (hours, entries) => {
		expect(() => dedupeWindow(hours, entries)).toThrow(MailtargetError);
	});
});
