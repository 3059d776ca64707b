import type { JsonObject, MailtargetEvent } from './types';

export function isObject(value: unknown): value is JsonObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function firstString(...values: unknown[]): string | undefined {
	for (const value of values) {
		if (typeof value === 'string' && value.trim() !== '') return value;
	}
	return undefined;
}

/** The raw type field; `status` (official) wins over `event` (guide) over `type`. */
export function readEventType(raw: JsonObject): string {
	return (firstString(raw.status, raw.event, raw.type) ?? '').trim().toLowerCase();
}

const EPOCH_SECONDS_LIMIT = 1e12;

/** Epoch ms, epoch seconds (< 1e12) or an ISO-8601 string, to ISO UTC; `null` if unparsable. */
export function toIsoTime(value: unknown): string | null {
	let ms: number;
	if (typeof value === 'number') {
		if (!Number.isFinite(value) || value < 0) return null;
		ms = value < EPOCH_SECONDS_LIMIT ? value * 1000 : value;
	} else if (typeof value === 'string' && value.trim() !== '') {
		const text = value.trim();
		if (/^\d+(\.\d+)?$/.test(text)) return toIsoTime(Number(text));
		ms = Date.parse(text);
	} else {
		return null;
	}
	return isoOfEpochMs(ms);
}

const DAY_MS = 86_400_000;
/** The latest time a Date can hold (ECMAScript's TimeClip). */
const MAX_TIME_MS = 8.64e15;
/** The UTC day last formatted: the events of a batch mostly fall on one day, so only the time of day is new. */
let cachedDayStart = Number.NaN;
let cachedDayPrefix = '';

const twoDigits = (n: number) => (n < 10 ? `0${n}` : `${n}`);
const threeDigits = (n: number) => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`);

/** `new Date(ms).toISOString()`, or `null` where that is an invalid date; the same text, made faster. */
function isoOfEpochMs(ms: number): string | null {
	const sinceDayStart = ms - cachedDayStart;
	if (Number.isInteger(ms) && sinceDayStart >= 0 && sinceDayStart < DAY_MS && ms <= MAX_TIME_MS) {
		const hours = Math.floor(sinceDayStart / 3_600_000);
		const minutes = Math.floor(sinceDayStart / 60_000) % 60;
		const seconds = Math.floor(sinceDayStart / 1000) % 60;
		return `${cachedDayPrefix}${twoDigits(hours)}:${twoDigits(minutes)}:${twoDigits(seconds)}.${threeDigits(sinceDayStart % 1000)}Z`;
	}
	const date = new Date(ms);
	if (Number.isNaN(date.getTime())) return null;
	const iso = date.toISOString();
	if (Number.isInteger(ms)) {
		cachedDayStart = ms - (((ms % DAY_MS) + DAY_MS) % DAY_MS);
		cachedDayPrefix = iso.slice(0, iso.indexOf('T') + 1);
	}
	return iso;
}

/**
 * `recipientMeta` strings seen lately, parsed: the events of one send (delivery, open, click...)
 * carry the same string, and a batch often holds several of them. Only flat objects are kept, and
 * callers spread them into a new object, so no two events share anything.
 */
const parsedMeta = new Map<string, JsonObject>();
const PARSED_META_LIMIT = 256;

function isFlat(object: JsonObject): boolean {
	for (const key in object) if (typeof object[key] === 'object' && object[key] !== null) return false;
	return true;
}

function parseMetaString(value: unknown): JsonObject {
	if (isObject(value)) return value;
	if (typeof value !== 'string' || value.trim() === '') return {};
	const known = parsedMeta.get(value);
	if (known) return known;
	let parsed: unknown;
	try {
		parsed = JSON.parse(value);
	} catch {
		return {};
	}
	if (!isObject(parsed)) return {};
	if (isFlat(parsed)) {
		if (parsedMeta.size >= PARSED_META_LIMIT) parsedMeta.clear();
		parsedMeta.set(value, parsed);
	}
	return parsed;
}

/** `recipientMeta` (a JSON string, maybe empty or invalid), `rcpt_meta` and `metadata`, merged. */
export function readMetadata(raw: JsonObject): Record<string, unknown> {
	if (raw.rcpt_meta === undefined && raw.metadata === undefined) return { ...parseMetaString(raw.recipientMeta) };
	return {
		...parseMetaString(raw.recipientMeta),
		...parseMetaString(raw.rcpt_meta),
		...parseMetaString(raw.metadata),
	};
}

export interface EnvelopeInfo {
	batchId?: unknown;
	retryCount?: unknown;
}

/**
 * Adds the normalised fields to a raw event without discarding any original field.
 * An event already normalised (e.g. by the trigger) comes out equal.
 */
export function normalizeEvent(raw: JsonObject, envelope: EnvelopeInfo = {}): MailtargetEvent {
	return normalizeOwnedEvent({ ...raw }, envelope);
}

/**
 * `normalizeEvent` for an object that nothing else holds (one `JSON.parse` just made): the fields
 * are added to it, in the same order a copy would have them, and no copy is made.
 */
export function normalizeOwnedEvent(event: JsonObject, envelope: EnvelopeInfo = {}): MailtargetEvent {
	const batchId = envelope.batchId ?? event.batchId;
	const retryCount = envelope.retryCount ?? event.retryCount;
	const type = readEventType(event);
	const occurredAt = toIsoTime(event.timestamp ?? event.occurredAt);
	const metadata = readMetadata(event);
	event.type = type;
	event.occurredAt = occurredAt;
	event.metadata = metadata;
	event.batchId = typeof batchId === 'string' || typeof batchId === 'number' ? String(batchId) : null;
	event.retryCount = typeof retryCount === 'number' && Number.isFinite(retryCount) ? retryCount : null;
	return event as MailtargetEvent;
}
