import { createHash } from 'crypto';

import { MailtargetError } from '../errors';
import { isObject, normalizeEvent } from '../payload/normalize';
import { eventKey } from './eventKey';

/** Longer keys are stored as their hash, so that one odd key cannot blow up a store. */
export const MAX_KEY_LENGTH = 200;

const RECORD_ID_PREFIX = 'mailtarget:';

function bounded(key: string): string {
	return key.length <= MAX_KEY_LENGTH ? key : `sha256:${createHash('sha256').update(key).digest('hex')}`;
}

/** A value a key can be made of: anything but null, undefined and blank text (no String(): it can throw). */
function present(value: unknown): boolean {
	if (value === undefined || value === null) return false;
	return typeof value === 'string' ? value.trim() !== '' : true;
}

/** What {@link eventKey} can tell events apart by: text or a finite number, nothing else. */
function textual(value: unknown): boolean {
	return (typeof value === 'string' && value.trim() !== '') || (typeof value === 'number' && Number.isFinite(value));
}

function unkeyable(reason: string): MailtargetError {
	return new MailtargetError('INVALID_EVENT', reason);
}

/**
 * The key the dedupe nodes use unless told otherwise: the record `id` when the item is a mapped
 * activity record (`mailtarget:...`), else the event's own key ({@link eventKey}), so a record
 * and the event it came from get the same key. Events that carry neither an `eventId` nor a
 * timestamp with a transmissionId or recipient are refused: they would all share one key.
 */
export function defaultDedupeKey(item: unknown): string {
	if (!isObject(item)) throw unkeyable('the item is not an event object');
	if (typeof item.id === 'string' && item.id.startsWith(RECORD_ID_PREFIX)) return bounded(item.id);
	const event = normalizeEvent(item);
	const identified = textual(event.eventId) || ((textual(event.timestamp) || textual(event.occurredAt)) && (textual(event.transmissionId) || textual(event.recipient)));
	if (!identified) {
		throw unkeyable('the item has no eventId, and not enough of transmissionId, timestamp and recipient to tell it apart from other events');
	}
	return bounded(eventKey(event));
}

/** `"eventId, metadata.crm_contact_id"` to `['eventId', 'metadata.crm_contact_id']`. */
export function parseKeyFields(text: string): string[] {
	return text
		.split(',')
		.map((field) => field.trim())
		.filter(Boolean);
}

/** Own properties only: a field named "constructor" or "toString" must not find Object.prototype's members. */
function valueAt(item: unknown, path: string): unknown {
	if (isObject(item) && Object.hasOwn(item, path)) return item[path];
	let value: unknown = item;
	for (const part of path.split('.')) {
		if (!isObject(value) || !Object.hasOwn(value, part)) return undefined;
		value = value[part];
	}
	return value;
}

/** A key made of the values of the chosen fields (dot paths reach into nested objects). */
export function fieldsDedupeKey(item: unknown, fields: readonly string[]): string {
	if (fields.length === 0) throw new MailtargetError('MISCONFIGURED', 'choose at least one field for the key');
	const values = fields.map((field) => valueAt(item, field) ?? null);
	if (!values.some(present)) throw unkeyable(`none of the key fields (${fields.join(', ')}) has a value`);
	return bounded(JSON.stringify(values));
}

/** A key given as a value (an n8n expression's result, a Node-RED msg property). */
export function valueDedupeKey(value: unknown): string {
	if (!present(value)) throw unkeyable('the key is empty');
	return bounded(typeof value === 'object' ? JSON.stringify(value) : String(value));
}
