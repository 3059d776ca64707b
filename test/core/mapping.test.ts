import { BOUNCE_CODES } from '../../core/mapping/bounce';
import { mapEvents, type MappedEvent, type MappedRecord } from '../../core/mapping/mapEvents';
import { toActivityRecord } from '../../core/mapping/toRecord';
import { normalizeEvent } from '../../core/payload/normalize';
import { everyTypeInBothShapes } from '../helpers/eventShapes';
import { guideEvents, officialBatch, type RawEvent } from '../helpers/fixtures';

function record(result: MappedEvent): MappedRecord {
	if (!result.ok) throw new Error(`expected a record, got invalid: ${result.reason}`);
	return result.record;
}

function mapOne(event: unknown, options = {}): MappedEvent {
	const results = mapEvents(event, options);
	expect(results).toHaveLength(1);
	return results[0];
}

const iso = (value: unknown) => new Date(typeof value === 'number' ? (value < 1e12 ? value * 1000 : value) : String(value)).toISOString();

describe('mapEvents: every event type in both payload shapes', () => {
	const expected: Record<string, { route: string; activity: string; changes: (at: string) => object; tasks: string[] }> = {
		delivery: { route: 'delivered', activity: 'email.delivered', changes: (at) => ({ emailDeliveredAt: at }), tasks: [] },
		open: { route: 'opened', activity: 'email.opened', changes: (at) => ({ emailLastOpenedAt: at, emailOpenCount: { increment: 1 } }), tasks: [] },
		click: { route: 'clicked', activity: 'email.clicked', changes: (at) => ({ emailLastClickedAt: at }), tasks: [] },
		bounce: { route: 'bounced', activity: 'email.bounced', changes: () => ({ emailUndeliverable: true }), tasks: ['revalidate-email'] },
		complaint: { route: 'complaint', activity: 'email.complained', changes: () => ({ doNotContact: true }), tasks: ['notify-owner'] },
		unsubscribe: { route: 'unsubscribed', activity: 'email.unsubscribed', changes: () => ({ marketingOptOut: true }), tasks: ['compliance-log'] },
		injection: { route: 'other', activity: 'email.injection', changes: () => ({}), tasks: [] },
		delay: { route: 'other', activity: 'email.delay', changes: () => ({}), tasks: [] },
	};
	const rows = everyTypeInBothShapes();

	it('covers the six CRM events and the others in both shapes', () => {
		for (const type of Object.keys(expected)) {
			expect(rows.filter((row) => row.type === type).map((row) => row.shape)).toEqual(expect.arrayContaining(['official', 'guide']));
		}
	});

	it.each(rows.map((row) => [row.type, row.shape, row.origin, row.event] as const))('%s in the %s shape (from %s)', (type, _shape, _origin, event) => {
		const result = mapOne(event);
		const want = expected[type];
		expect(result.route).toBe(want.route);
		const mapped = record(result);
		const occurredAt = iso(event.timestamp);
		expect(mapped.event).toBe(type);
		expect(mapped.occurredAt).toBe(occurredAt);
		expect(mapped.activity.type).toBe(want.activity);
		expect(mapped.contactChanges).toEqual(want.changes(occurredAt));
		expect(mapped.tasks).toEqual(want.tasks);
		expect(mapped.recipient).toBe(String(event.recipient).toLowerCase());
		expect(mapped.contact.email).toBe(mapped.recipient);
		expect(mapped.raw).toBe(event);
		expect(mapped.id).toMatch(/^mailtarget:.+/);
		expect('url' in mapped.activity).toBe(type === 'click');
		expect('bounce' in mapped.activity).toBe(type === 'bounce');
	});

	it('maps the official click to exactly the record of activity-record.md', () => {
		const batch = officialBatch();
		const click = batch.events.find((event) => event.status === 'click') as RawEvent;
		const results = mapEvents(batch);
		expect(results).toHaveLength(batch.events.length);
		expect(results.find((result) => result.ok && result.record.event === 'click')).toEqual({
			ok: true,
			route: 'clicked',
			record: {
				id: 'mailtarget:92356927693813854',
				event: 'click',
				occurredAt: '2025-11-27T08:11:00.000Z',
				recipient: 'jane@example.com',
				contact: { id: '0035g00000ABCDE', email: 'jane@example.com' },
				deal: { id: '0065g00000XYZ' },
				owner: 'alice@yourcompany.com',
				activity: { type: 'email.clicked', subject: 'Your proposal is ready', url: 'https://your-domain.com/proposals/9913' },
				contactChanges: { emailLastClickedAt: '2025-11-27T08:11:00.000Z' },
				tasks: [],
				source: {
					provider: 'mailtarget',
					eventId: '92356927693813854',
					transmissionId: '84211231',
					messageId: '000443ee14578172be22',
					batchId: '6746d3a0e3b86a0001887bc6',
					retryCount: 0,
				},
				raw: click,
			},
		});
	});

	it('reads the click URL from targetLinkUrl, url or link, skipping empty ones', () => {
		const click = { event: 'click', recipient: 'a@example.com', timestamp: 1764231060 };
		expect(record(mapOne({ ...click, targetLinkUrl: 'https://a.example' })).activity.url).toBe('https://a.example');
		expect(record(mapOne({ ...click, url: 'https://b.example' })).activity.url).toBe('https://b.example');
		expect(record(mapOne({ ...click, targetLinkUrl: '', link: 'https://c.example' })).activity.url).toBe('https://c.example');
		expect(record(mapOne(click)).activity.url).toBeNull();
	});

	it('takes occurredAt from the event, never from the time of mapping', () => {
		for (const timestamp of [1764230400000, 1764230400, '1764230400', '2025-11-27T08:00:00Z', '2025-11-27T10:00:00+02:00']) {
			expect(record(mapOne({ event: 'open', recipient: 'a@example.com', timestamp })).occurredAt).toBe('2025-11-27T08:00:00.000Z');
		}
	});
});

describe('mapEvents: stable ids and trigger-shaped input', () => {
	const allEvents = () => [...officialBatch().events, ...guideEvents()];

	it('gives the same record for a raw event and the event as the trigger emits it', () => {
		const batch = officialBatch();
		for (const raw of batch.events) {
			const fromEnvelope = mapEvents({ ...batch, events: [raw] })[0];
			const fromTrigger = mapOne(normalizeEvent(raw, { batchId: batch.batchId, retryCount: batch.retryCount }));
			expect({ ...record(fromTrigger), raw: null }).toEqual({ ...record(fromEnvelope), raw: null });
		}
		for (const raw of guideEvents()) {
			expect({ ...record(mapOne(normalizeEvent(raw))), raw: null }).toEqual({ ...record(mapOne(raw)), raw: null });
		}
	});

	it('gives a redelivered event the same id, and different events different ids', () => {
		const first = mapEvents(allEvents()).map((result) => record(result).id);
		const again = mapEvents(JSON.parse(JSON.stringify(allEvents()))).map((result) => record(result).id);
		expect(again).toEqual(first);
		expect(new Set(first).size).toBe(first.length);
	});

	it('uses mailtarget:<eventId> when there is one, else a hash of transmission, type, time and recipient', () => {
		const [delivery, open] = guideEvents();
		const deliveryId = record(mapOne(delivery)).id;
		expect(deliveryId).toMatch(/^mailtarget:[0-9a-f]{32}$/);
		expect(record(mapOne({ ...delivery, recipient: 'SAM@example.com', messageId: 'other' })).id).toBe(deliveryId);
		expect(record(mapOne({ ...delivery, timestamp: open.timestamp })).id).not.toBe(deliveryId);
		expect(record(mapOne({ ...delivery, event: 'open' })).id).not.toBe(deliveryId);
		expect(record(mapOne({ ...delivery, eventId: 'e-1' })).id).toBe('mailtarget:e-1');
	});

	it('carries batchId and retryCount of the envelope into source', () => {
		const batch = { ...officialBatch(), retryCount: 3 };
		for (const result of mapEvents(batch)) {
			expect(record(result).source).toMatchObject({ batchId: batch.batchId, retryCount: 3 });
		}
	});
});

describe('bounce classification', () => {
	const bounce = (fields: RawEvent) => mapOne({ event: 'bounce', recipient: 'b@example.com', timestamp: 1764230405000, ...fields });

	it.each(BOUNCE_CODES.flatMap((code) => [
		[code.code, code.name, code.class, 'bounceClassificationCode', code.code],
		[code.code, code.name, code.class, 'bounceClass', code.code],
		[code.code, code.name, code.class, 'bounceClassificationCode', String(code.code)],
	]))('code %i (%s) is %s, read from %s = %j', (code, _name, cls, field, value) => {
		const mapped = record(bounce({ [field]: value, reason: '550 whatever' }));
		expect(mapped.activity.bounce).toEqual({ class: cls, code, reason: '550 whatever' });
		expect(mapped.contactChanges).toEqual(cls === 'hard' ? { emailUndeliverable: true } : {});
		expect(mapped.tasks).toEqual(cls === 'hard' ? ['revalidate-email'] : []);
	});

	it.each([
		['a code Mailtarget does not list', { bounceClassificationCode: 99 }, 99],
		['no code at all', {}, null],
		['a code that is not a number', { bounceClassificationCode: 'hard' }, null],
		['a fractional code', { bounceClassificationCode: 10.5 }, null],
	])('%s is unknown and does not mark the address', (_name, fields, code) => {
		const mapped = record(bounce(fields));
		expect(mapped.activity.bounce).toEqual({ class: 'unknown', code, reason: null });
		expect(mapped.contactChanges).toEqual({});
		expect(mapped.tasks).toEqual([]);
	});

	it('treats a soft_bounce event without a code as soft, and reads the reason from rawReason', () => {
		const mapped = record(mapOne({ event: 'soft_bounce', recipient: 'b@example.com', timestamp: 1764230405, rawReason: 'mailbox full' }));
		expect(mapped.activity).toMatchObject({ type: 'email.bounced', bounce: { class: 'soft', code: null, reason: 'mailbox full' } });
		expect(mapped.contactChanges).toEqual({});
	});

	it('classifies the fixture bounces: the hard one marks, the soft one only logs', () => {
		const bounces = mapEvents(officialBatch())
			.map(record)
			.filter((mapped) => mapped.event === 'bounce');
		expect(bounces.map((mapped) => [mapped.activity.bounce?.class, mapped.contactChanges, mapped.tasks])).toEqual([
			['hard', { emailUndeliverable: true }, ['revalidate-email']],
			['soft', {}, []],
		]);
	});
});

describe('metadata: contact, deal and owner', () => {
	const base = { event: 'open', recipient: 'Jane@Example.com', timestamp: 1764231000000 };
	const ids = { crm_contact_id: 'C-1', crm_deal_id: 'D-1', crm_owner: 'alice@yourcompany.com' };

	it.each([
		['recipientMeta JSON string', { recipientMeta: JSON.stringify(ids) }, {}, { contact: 'C-1', deal: { id: 'D-1' }, owner: 'alice@yourcompany.com' }],
		['metadata object', { metadata: ids }, {}, { contact: 'C-1', deal: { id: 'D-1' }, owner: 'alice@yourcompany.com' }],
		['rcpt_meta object', { rcpt_meta: ids }, {}, { contact: 'C-1', deal: { id: 'D-1' }, owner: 'alice@yourcompany.com' }],
		['a numeric contact id', { metadata: { crm_contact_id: 501 } }, {}, { contact: '501', deal: null, owner: null }],
		['no metadata', {}, {}, { contact: null, deal: null, owner: null }],
		['an empty recipientMeta', { recipientMeta: '' }, {}, { contact: null, deal: null, owner: null }],
		['recipientMeta that is not JSON', { recipientMeta: '{crm_contact_id: C-1' }, {}, { contact: null, deal: null, owner: null }],
		['recipientMeta that is a JSON array', { recipientMeta: '["C-1"]' }, {}, { contact: null, deal: null, owner: null }],
		['blank ids', { metadata: { crm_contact_id: '  ', crm_deal_id: '', crm_owner: null } }, {}, { contact: null, deal: null, owner: null }],
		[
			'custom key names',
			{ metadata: { hubspot_id: '77', opportunity: 'OPP-9', rep: 'bob@yourcompany.com', ...ids } },
			{ metadataKeys: { contactId: 'hubspot_id', dealId: 'opportunity', owner: 'rep' } },
			{ contact: '77', deal: { id: 'OPP-9' }, owner: 'bob@yourcompany.com' },
		],
		['custom key names absent from the event', { metadata: ids }, { metadataKeys: { contactId: 'hubspot_id' } }, { contact: null, deal: { id: 'D-1' }, owner: 'alice@yourcompany.com' }],
	])('%s', (_name, fields, options, want) => {
		const mapped = record(mapOne({ ...base, ...fields }, options));
		expect(mapped.contact).toEqual({ id: want.contact, email: 'jane@example.com' });
		expect(mapped.deal).toEqual(want.deal);
		expect(mapped.owner).toBe(want.owner);
	});

	it('maps an event with a contact id but no recipient', () => {
		const mapped = record(mapOne({ event: 'open', timestamp: 1764231000, metadata: { crm_contact_id: 'C-1' } }));
		expect(mapped.contact).toEqual({ id: 'C-1', email: null });
		expect(mapped.recipient).toBeNull();
	});
});

describe('unknown and invalid events', () => {
	it.each([
		['injection', 'email.injection'],
		['delay', 'email.delay'],
		['out_of_band', 'email.out_of_band'],
		['Link_Preview', 'email.link_preview'],
	])('%s is kept as %s on the "other" route', (type, activity) => {
		const result = mapOne({ status: type, recipient: 'a@example.com', timestamp: 1764230400000 });
		expect(result.route).toBe('other');
		expect(record(result)).toMatchObject({ event: type.toLowerCase(), activity: { type: activity }, contactChanges: {}, tasks: [] });
	});

	it.each([
		['no type', { recipient: 'a@example.com', timestamp: 1764230400 }, 'no type'],
		['an empty type', { status: '  ', recipient: 'a@example.com', timestamp: 1764230400 }, 'no type'],
		['neither recipient nor contact id', { event: 'open', timestamp: 1764230400, metadata: { crm_deal_id: 'D' } }, 'neither a recipient nor a "crm_contact_id"'],
		['a recipient that is not text', { event: 'open', recipient: 42, timestamp: 1764230400 }, 'neither a recipient'],
		['an unparsable time', { event: 'open', recipient: 'a@example.com', timestamp: 'yesterday' }, 'no parsable timestamp'],
		['no time', { event: 'open', recipient: 'a@example.com' }, 'no parsable timestamp'],
		['a negative time', { event: 'open', recipient: 'a@example.com', timestamp: -5 }, 'no parsable timestamp'],
	])('an event with %s is invalid with a clear reason', (_name, event, reason) => {
		const result = mapOne(event);
		expect(result).toEqual({ ok: false, route: 'invalid', reason: expect.stringContaining(reason), raw: event });
	});

	it('names the configured contact id key in the reason', () => {
		const result = mapOne({ event: 'open', timestamp: 1764230400 }, { metadataKeys: { contactId: 'hs_id' } });
		expect(result.ok ? '' : result.reason).toContain('"hs_id"');
	});

	it('maps the rest of a batch that holds invalid events, in order', () => {
		const batch = officialBatch();
		const broken = { status: 'open', recipient: 'x@example.com', timestamp: 'not a time' };
		const events = [batch.events[1], broken, batch.events[2], 7, batch.events[3]];
		const results = mapEvents({ ...batch, events });
		expect(results.map((result) => result.route)).toEqual(['delivered', 'invalid', 'opened', 'invalid', 'clicked']);
		expect(results[1]).toMatchObject({ ok: false, raw: broken, reason: expect.stringContaining('timestamp') });
		expect(results[3]).toMatchObject({ ok: false, raw: 7, reason: 'the item is not an event object' });
		expect(record(results[4]).source.batchId).toBe(batch.batchId);
	});

	it.each([
		['a number', 42, 'must be an event object'],
		['null', null, 'must be an event object'],
		['text that is not JSON', 'hello', 'not valid JSON'],
		['an envelope whose events are not a list', { events: { status: 'open' } }, '"events"'],
	])('an input that is %s is one invalid result', (_name, input, reason) => {
		expect(mapEvents(input)).toEqual([{ ok: false, route: 'invalid', reason: expect.stringContaining(reason), raw: input }]);
	});

	it('parses JSON text and raw body bytes', () => {
		const batch = officialBatch();
		const text = JSON.stringify(batch);
		expect(mapEvents(text).map((result) => result.route)).toEqual(mapEvents(batch).map((result) => result.route));
		expect(mapEvents(Buffer.from(text)).map((result) => record(result).id)).toEqual(mapEvents(batch).map((result) => record(result).id));
	});

	it('maps an empty batch to nothing', () => {
		expect(mapEvents({ batchId: 'b', events: [] })).toEqual([]);
		expect(mapEvents([])).toEqual([]);
	});

	it('toActivityRecord reports the same reasons on its own', () => {
		expect(toActivityRecord({ recipient: 'a@example.com', timestamp: 1 })).toMatchObject({ ok: false, route: 'invalid' });
	});
});
