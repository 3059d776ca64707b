import { applyContactChanges, emptyContactState, replayContactChanges, type ContactState } from '../../core/mapping/contactState';
import { mapEvents, type MappedRecord } from '../../core/mapping/mapEvents';
import { permutations, toGuideShape } from '../helpers/eventShapes';
import type { RawEvent } from '../helpers/fixtures';

const T0 = Date.parse('2026-11-27T08:00:00.000Z');
const at = (minutes: number) => T0 + minutes * 60_000;
const isoAt = (minutes: number) => new Date(at(minutes)).toISOString();
const meta = JSON.stringify({ crm_contact_id: 'C-1', crm_deal_id: 'D-1', crm_owner: 'alice@yourcompany.com' });

function event(status: string, eventId: string, minutes: number, extra: RawEvent = {}): RawEvent {
	return { status, eventId, recipient: 'jane@example.com', recipientMeta: meta, subject: 'Proposal', timestamp: at(minutes), ...extra };
}

/** One contact's life: two sends, the second bounces hard; a delivery of a third arrives late; then complaint and opt-out. */
const lifecycle: Record<string, RawEvent> = {
	delivery: event('delivery', 'd-1', 0),
	open: event('open', 'o-1', 10),
	click: event('click', 'c-1', 11, { targetLinkUrl: 'https://example.com/p' }),
	hardBounce: event('bounce', 'b-1', 20, { bounceClassificationCode: 10, reason: '550 user unknown' }),
	lateDelivery: event('delivery', 'd-3', 30),
	complaint: event('complaint', 'x-1', 40),
	unsubscribe: event('unsubscribe', 'u-1', 41),
};

const finalState: ContactState = {
	fields: {
		emailDeliveredAt: isoAt(30),
		emailLastOpenedAt: isoAt(10),
		emailOpenCount: 1,
		emailLastClickedAt: isoAt(11),
		emailUndeliverable: true,
		doNotContact: true,
		marketingOptOut: true,
	},
	counted: ['mailtarget:o-1'],
};

function records(events: RawEvent[]): MappedRecord[] {
	return mapEvents({ batchId: 'b', retryCount: 0, events }).map((result) => {
		if (!result.ok) throw new Error(result.reason);
		return result.record;
	});
}

/** Contact states as text with sorted fields, so equal states compare equal whatever order their fields were set in. */
const canonical = (states: Array<[string, ContactState]>) =>
	JSON.stringify(states.map(([key, state]) => [key, Object.entries(state.fields).sort(), state.counted]));
const statesAfter = (ordered: MappedRecord[]) => canonical([...replayContactChanges(ordered)]);

describe('order independence: every arrival order ends in the same contact state', () => {
	const events = Object.values(lifecycle);

	it.each([
		['official', (e: RawEvent) => e],
		['guide', toGuideShape],
	])('all 5040 orders of delivery, open, click, hard bounce, late delivery, complaint, unsubscribe (%s shape)', (_shape, shape) => {
		const shaped = events.map(shape);
		const want = { ...finalState, counted: [records([shape(lifecycle.open)])[0].id] };
		const outcomes = new Set<string>();
		let orders = 0;
		for (const order of permutations(shaped)) {
			outcomes.add(statesAfter(records(order)));
			orders += 1;
		}
		expect(orders).toBe(5040);
		expect([...outcomes]).toEqual([canonical([['C-1', want]])]);
	});

	it('all 40320 orders with a redelivered open and a second open: each open counted once', () => {
		const { click: _click, ...withoutClick } = lifecycle;
		const set = records([...Object.values(withoutClick), { ...lifecycle.open, retryCount: 1 }, event('open', 'o-2', 50)]);
		expect(set[6].id).toBe(set[1].id);
		const { emailLastClickedAt: _clicked, ...fields } = finalState.fields;
		const want: ContactState = {
			fields: { ...fields, emailLastOpenedAt: isoAt(50), emailOpenCount: 2 },
			counted: ['mailtarget:o-1', 'mailtarget:o-2'],
		};
		const outcomes = new Set<string>();
		let orders = 0;
		for (const order of permutations(set)) {
			outcomes.add(statesAfter(order));
			orders += 1;
		}
		expect(orders).toBe(40320);
		expect([...outcomes]).toEqual([canonical([['C-1', want]])]);
	});

	it('a late delivery never clears undeliverable, and a late open never moves the last open back', () => {
		const [delivery, open, , hardBounce, lateDelivery] = records(events);
		const bounced = [delivery, hardBounce].reduce(applyContactChanges, emptyContactState());
		const afterLate = applyContactChanges(bounced, lateDelivery);
		expect(afterLate.fields).toMatchObject({ emailUndeliverable: true, emailDeliveredAt: isoAt(30) });
		const retriedOld = applyContactChanges(afterLate, { ...delivery, id: 'mailtarget:d-1-retry' });
		expect(retriedOld.fields.emailDeliveredAt).toBe(isoAt(30));

		const newerOpen = records([event('open', 'o-9', 90)])[0];
		const state = [newerOpen, open].reduce(applyContactChanges, emptyContactState());
		expect(state.fields.emailLastOpenedAt).toBe(isoAt(90));
		expect(state.fields.emailOpenCount).toBe(2);
	});
});

describe('applyContactChanges', () => {
	const change = (id: string, contactChanges: Record<string, unknown>) => ({ id, contactChanges }) as Pick<MappedRecord, 'id' | 'contactChanges'>;

	it('never clears a flag, whatever arrives', () => {
		const flagged = applyContactChanges(emptyContactState(), change('a', { doNotContact: true }));
		expect(applyContactChanges(flagged, change('b', { doNotContact: false })).fields.doNotContact).toBe(true);
		expect(applyContactChanges(emptyContactState(), change('c', { doNotContact: false })).fields).toEqual({});
	});

	it('keeps the newest time, comparing instants, not text', () => {
		const s = applyContactChanges(emptyContactState(), change('a', { emailDeliveredAt: '2026-11-27T10:00:00+02:00' }));
		expect(applyContactChanges(s, change('b', { emailDeliveredAt: '2026-11-27T07:59:59.000Z' })).fields.emailDeliveredAt).toBe('2026-11-27T10:00:00+02:00');
		expect(applyContactChanges(s, change('c', { emailDeliveredAt: '2026-11-27T08:00:01.000Z' })).fields.emailDeliveredAt).toBe('2026-11-27T08:00:01.000Z');
		const tieA = applyContactChanges(s, change('d', { emailDeliveredAt: '2026-11-27T08:00:00.000Z' }));
		const tieB = applyContactChanges(applyContactChanges(emptyContactState(), change('d', { emailDeliveredAt: '2026-11-27T08:00:00.000Z' })), change('a', { emailDeliveredAt: '2026-11-27T10:00:00+02:00' }));
		expect(tieA.fields.emailDeliveredAt).toBe(tieB.fields.emailDeliveredAt);
	});

	it('counts an increment once per record id and leaves the given state untouched', () => {
		const open = change('o', { emailOpenCount: { increment: 1 } });
		const once = applyContactChanges(emptyContactState(), open);
		const twice = applyContactChanges(once, open);
		expect(twice).toEqual({ fields: { emailOpenCount: 1 }, counted: ['o'] });
		expect(once).toEqual({ fields: { emailOpenCount: 1 }, counted: ['o'] });
		expect(applyContactChanges(twice, change('p', { emailOpenCount: { increment: 1 } })).fields.emailOpenCount).toBe(2);
	});

	it('ignores values the mapper never emits', () => {
		expect(applyContactChanges(emptyContactState(), change('a', { note: 'hello', size: 3, when: 'not a time' })).fields).toEqual({});
	});

	it('keys contacts by CRM id, else by email, and skips records with neither', () => {
		const base = records([event('open', 'k-1', 1)])[0];
		const byEmail = { ...base, id: 'k-2', contact: { id: null, email: 'bob@example.com' } };
		const nobody = { ...base, id: 'k-3', contact: { id: null, email: null } };
		expect([...replayContactChanges([base, byEmail, nobody]).keys()]).toEqual(['C-1', 'bob@example.com']);
	});
});
