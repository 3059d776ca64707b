import { MailtargetError } from '../errors';
import { isObject, normalizeEvent, normalizeOwnedEvent, readEventType, type EnvelopeInfo } from './normalize';
import type { JsonObject, MailtargetEvent } from './types';

export type ParseResult =
	| { ok: true; events: MailtargetEvent[]; batchId: string | null }
	| { ok: false; error: MailtargetError };

function invalid(code: 'INVALID_JSON' | 'INVALID_SHAPE', message: string): ParseResult {
	return { ok: false, error: new MailtargetError(code, message) };
}

/**
 * Splits an already-decoded JSON value into events: the batch envelope `{events: [...]}`,
 * a bare array of events, or a single event object. `body` is left as it was.
 */
export function eventsFromJson(body: unknown): ParseResult {
	return splitEvents(body, normalizeEvent);
}

function splitEvents(body: unknown, normalize: (raw: JsonObject, envelope?: EnvelopeInfo) => MailtargetEvent): ParseResult {
	if (Array.isArray(body)) {
		if (!body.every(isObject)) return invalid('INVALID_SHAPE', 'every array item must be an event object');
		return { ok: true, events: body.map((raw) => normalize(raw)), batchId: null };
	}
	if (!isObject(body)) return invalid('INVALID_SHAPE', 'body must be an event object, an array of events or a batch envelope');
	if ('events' in body) {
		const { events, batchId, retryCount } = body;
		if (!Array.isArray(events) || !events.every(isObject)) {
			return invalid('INVALID_SHAPE', '"events" must be an array of event objects');
		}
		const normalized = events.map((raw) => normalize(raw, { batchId, retryCount }));
		return { ok: true, events: normalized, batchId: normalized[0]?.batchId ?? (typeof batchId === 'string' ? batchId : null) };
	}
	// One object that says nothing about what happened is not an event (in a batch it is: the mapper routes it to "invalid").
	if (readEventType(body) === '') return invalid('INVALID_SHAPE', 'no event type: expected "status", "event" or "type", an "events" array or an array of events');
	return { ok: true, events: [normalize(body)], batchId: null };
}

/**
 * Deepest nesting of arrays and objects a body may have. Mailtarget's payloads nest three or four
 * levels; a body nested thousands deep parses, but every recursive step after the trigger (the
 * hosts' message cloning, JSON.stringify into a journal) would overflow the stack on it.
 */
export const MAX_NESTING = 64;

/** Whether JSON text opens more than `max` arrays/objects inside each other (strings skipped). */
export function nestsDeeperThan(text: string, max: number): boolean {
	let depth = 0;
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i);
		if (c === 0x22) {
			// Most of a Mailtarget body is inside strings: jump to the closing quote (one not escaped by an odd run of backslashes).
			let close = text.indexOf('"', i + 1);
			while (close !== -1 && backslashesBefore(text, close) % 2 === 1) close = text.indexOf('"', close + 1);
			if (close === -1) return false;
			i = close;
		} else if (c === 0x5b || c === 0x7b) {
			if (++depth > max) return true;
		} else if (c === 0x5d || c === 0x7d) {
			depth--;
		}
	}
	return false;
}

function backslashesBefore(text: string, index: number): number {
	let count = 0;
	while (text.charCodeAt(index - 1 - count) === 0x5c) count++;
	return count;
}

/** Decodes the exact request bytes as UTF-8 JSON, then splits them into events. */
export function parsePayload(rawBody: Uint8Array | string): ParseResult {
	const text = typeof rawBody === 'string' ? rawBody : Buffer.from(rawBody.buffer, rawBody.byteOffset, rawBody.byteLength).toString('utf8');
	if (text.trim() === '') return invalid('INVALID_JSON', 'empty body');
	if (nestsDeeperThan(text, MAX_NESTING)) return invalid('INVALID_SHAPE', `body nests arrays or objects more than ${MAX_NESTING} levels deep`);
	let body: unknown;
	try {
		body = JSON.parse(text);
	} catch {
		return invalid('INVALID_JSON', 'body is not valid JSON');
	}
	// Nothing else holds what JSON.parse just made, so its objects become the events.
	return splitEvents(body, normalizeOwnedEvent);
}
