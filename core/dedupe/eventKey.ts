import { createHash } from 'crypto';

import type { MailtargetEvent } from '../payload/types';

/** Strings and numbers as text; anything else (objects, whose String() can even throw) counts as absent. */
function text(value: unknown): string {
	return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value)) ? String(value) : '';
}

/**
 * The idempotency key of an event: `mailtarget:<eventId>` when Mailtarget gave one, else
 * `mailtarget:` + a hash of transmissionId, event type, time and recipient. A re-delivered
 * event gets the same key; the mapper's record `id` and the dedupe nodes both use it.
 */
export function eventKey(event: MailtargetEvent): string {
	const eventId = text(event.eventId).trim();
	if (eventId !== '') return `mailtarget:${eventId}`;
	const parts = [text(event.transmissionId), event.type, event.occurredAt ?? text(event.timestamp), text(event.recipient).toLowerCase()];
	return `mailtarget:${createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32)}`;
}
