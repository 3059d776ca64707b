import { MailtargetError } from '../errors';

/** How long and how many keys a dedupe store remembers. */
export interface DedupeWindow {
	/** A key first seen at least this long ago is forgotten (and kept again when it comes back). */
	ttlMs: number;
	/** At most this many keys are remembered; beyond it the oldest are forgotten first. */
	maxEntries: number;
}

export const HOUR_MS = 60 * 60 * 1000;

/** 72 hours: longer than any sender's retry span (Mailtarget's ancestor retries for 8 hours). */
export const DEFAULT_TTL_HOURS = 72;

/** Mailtarget's ancestor platform retries for 8 hours: a shorter window lets late re-sends through as new. */
export const SAFE_MIN_TTL_HOURS = 24;

/** What a store knows about one key at the moment it was checked. */
export interface SeenResult {
	/** True when the key was seen within the window before this check. */
	duplicate: boolean;
	/** When the key was first seen (ms since the epoch); `now` for a key seen for the first time. */
	firstSeenAt: number;
}

/**
 * Where dedupe keys are remembered. `checkAndRecord` looks every key up and records the new
 * ones as one atomic step: of two calls with the same key, exactly one sees it as new.
 * A key repeated within one call is new at most once; the repeats are duplicates seen `now`.
 */
export interface DedupeStore {
	checkAndRecord(keys: readonly string[], now: number): SeenResult[] | Promise<SeenResult[]>;
	/** How many entries the store holds now (never more than `maxEntries`, give or take one call's keys). */
	size(): number | Promise<number>;
}

/** A store that answers at once, so a caller can check and act without yielding to other work. */
export interface SyncDedupeStore extends DedupeStore {
	checkAndRecord(keys: readonly string[], now: number): SeenResult[];
	size(): number;
}

/** A window from the settings a person enters (hours, count); `MISCONFIGURED` when they make no sense. */
export function dedupeWindow(ttlHours: unknown, maxEntries: unknown): DedupeWindow {
	const hours = Number(ttlHours);
	const entries = Number(maxEntries);
	if (!Number.isFinite(hours) || hours <= 0) {
		throw new MailtargetError('MISCONFIGURED', `the time to remember keys must be a number of hours above 0, not "${String(ttlHours)}"`);
	}
	if (!Number.isInteger(entries) || entries < 1) {
		throw new MailtargetError('MISCONFIGURED', `the number of keys to remember must be a whole number of at least 1, not "${String(maxEntries)}"`);
	}
	return { ttlMs: Math.round(hours * HOUR_MS), maxEntries: entries };
}
