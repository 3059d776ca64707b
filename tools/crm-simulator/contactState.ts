import { isRecord } from './body';

const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/** The record a plain value came from; the latest record (by occurredAt, then id) wins. */
interface Source {
	occurredAt: number;
	recordId: string;
}

interface ContactState {
	values: Record<string, unknown>;
	sources: Map<string, Source>;
}

function isTimestamp(value: unknown): value is string {
	return typeof value === 'string' && ISO_TIMESTAMP.test(value) && !Number.isNaN(Date.parse(value));
}

function isIncrement(value: unknown): value is { increment: number } {
	return (
		isRecord(value) &&
		Object.keys(value).length === 1 &&
		typeof value['increment'] === 'number' &&
		Number.isFinite(value['increment'])
	);
}

function compareTimestamps(a: string, b: string): number {
	const diff = Date.parse(a) - Date.parse(b);
	if (diff !== 0) return diff;
	return a < b ? -1 : a > b ? 1 : 0;
}

function compareSources(a: Source, b: Source): number {
	if (a.occurredAt !== b.occurredAt) return a.occurredAt - b.occurredAt;
	return a.recordId < b.recordId ? -1 : a.recordId > b.recordId ? 1 : 0;
}

/**
 * Contact fields merged so that the result does not depend on the order records arrive in:
 * flags only ever turn true, timestamps keep the newest, `{increment}` adds (the caller applies
 * each record id once), anything else takes the value of the latest record.
 */
export class ContactStates {
	private states = new Map<string, ContactState>();

	apply(contactId: string, changes: Record<string, unknown>, recordId: string, occurredAt: string): void {
		let state = this.states.get(contactId);
		if (!state) {
			state = { values: {}, sources: new Map() };
			this.states.set(contactId, state);
		}
		const parsed = Date.parse(occurredAt);
		const source = { occurredAt: Number.isNaN(parsed) ? Number.NEGATIVE_INFINITY : parsed, recordId };
		for (const [field, change] of Object.entries(changes)) merge(state, field, change, source);
	}

	snapshot(): Map<string, Record<string, unknown>> {
		return new Map([...this.states].map(([id, state]) => [id, structuredClone(state.values)]));
	}

	clear(): void {
		this.states.clear();
	}
}

function merge(state: ContactState, field: string, change: unknown, source: Source): void {
	const current = state.values[field];
	if (isIncrement(change)) {
		state.values[field] = (typeof current === 'number' ? current : 0) + change.increment;
	} else if (typeof change === 'boolean') {
		state.values[field] = current === true || change;
	} else if (isTimestamp(change)) {
		if (!isTimestamp(current) || compareTimestamps(change, current) > 0) state.values[field] = change;
	} else {
		const previous = state.sources.get(field);
		if (previous === undefined || compareSources(source, previous) > 0) {
			state.values[field] = change;
			state.sources.set(field, source);
		}
	}
}
