import type { ActivityRecord } from './types';

export type ContactFieldValue = string | number | true;

/** What a CRM knows about one contact after some records were written, in the order they arrived. */
export interface ContactState {
	fields: Record<string, ContactFieldValue>;
	/** Ids of the records whose `{increment}` was counted, sorted: a redelivered record counts once. */
	counted: string[];
}

export function emptyContactState(): ContactState {
	return { fields: {}, counted: [] };
}

type RecordChanges = Pick<ActivityRecord, 'id' | 'contactChanges'>;

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

function timeOf(value: string): number | null {
	if (!ISO_TIME.test(value)) return null;
	const ms = Date.parse(value);
	return Number.isNaN(ms) ? null : ms;
}

function isIncrement(value: unknown): value is { increment: number } {
	return typeof value === 'object' && value !== null && typeof (value as { increment?: unknown }).increment === 'number';
}

/** The newer of two timestamps; equal instants written differently resolve the same way whatever the order. */
function newer(current: ContactFieldValue | undefined, candidate: string, candidateMs: number): boolean {
	if (typeof current !== 'string') return true;
	const currentMs = timeOf(current);
	if (currentMs === null || candidateMs > currentMs) return true;
	return candidateMs === currentMs && candidate > current;
}

/**
 * Applies one record's `contactChanges` so that the result does not depend on the order
 * records arrive in, which is the rule every CRM write must follow:
 * - flags (`true`) are sticky: once set nothing clears them, `false` is ignored;
 * - timestamps keep the newest value, so a late event never moves one backwards;
 * - `{increment}` adds, once per record id, so a redelivered event is not counted twice.
 * Other values are ignored: the mapper emits none.
 */
export function applyContactChanges(state: ContactState, record: RecordChanges): ContactState {
	const fields = { ...state.fields };
	const alreadyCounted = state.counted.includes(record.id);
	let counts = false;
	for (const [name, change] of Object.entries(record.contactChanges as Record<string, unknown>)) {
		if (change === true) {
			fields[name] = true;
		} else if (isIncrement(change)) {
			counts = true;
			if (!alreadyCounted) fields[name] = (typeof fields[name] === 'number' ? (fields[name] as number) : 0) + change.increment;
		} else if (typeof change === 'string') {
			const ms = timeOf(change);
			if (ms !== null && newer(fields[name], change, ms)) fields[name] = change;
		}
	}
	const counted = counts && !alreadyCounted ? [...state.counted, record.id].sort() : state.counted;
	return { fields, counted };
}

/** The CRM-side key of the contact a record is about: its CRM id, else its email. */
export function contactKeyOf(record: Pick<ActivityRecord, 'contact'>): string | null {
	return record.contact.id ?? record.contact.email;
}

/** Replays records (in the given order) into one state per contact. */
export function replayContactChanges(records: readonly (RecordChanges & Pick<ActivityRecord, 'contact'>)[]): Map<string, ContactState> {
	const states = new Map<string, ContactState>();
	for (const record of records) {
		const key = contactKeyOf(record);
		if (key === null) continue;
		states.set(key, applyContactChanges(states.get(key) ?? emptyContactState(), record));
	}
	return states;
}
