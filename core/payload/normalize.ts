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
	const date = new Date(ms);
	return Number.isNaN(date.getTime()) ? null : date.toISOString();
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
	const batchId = envelope.batchId ?? raw.batchId;
	const retryCount = envelope.retryCount ?? raw.retryCount;
	return {
		...raw,
		type: readEventType(raw),
		occurredAt: toIsoTime(raw.timestamp ?? raw.occurredAt),
		metadata: readMetadata(raw),
		batchId: typeof batchId === 'string' || typeof batchId === 'number' ? String(batchId) : null,
		retryCount: typeof retryCount === 'number' && Number.isFinite(retryCount) ? retryCount : null,
	};
}
