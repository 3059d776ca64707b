import { eventKey } from '../dedupe/eventKey';
import { normalizeEvent, type EnvelopeInfo } from '../payload/normalize';
import type { JsonObject } from '../payload/types';
import { classifyBounce } from './bounce';
import {
	DEFAULT_METADATA_KEYS,
	type ActivityRecord,
	type ActivityRoute,
	type ContactChanges,
	type FollowUpTask,
	type MetadataKeys,
} from './types';

interface EventKind {
	route: ActivityRoute;
	activityType: string;
}

const KINDS: Record<string, EventKind> = {
	delivery: { route: 'delivered', activityType: 'email.delivered' },
	delivered: { route: 'delivered', activityType: 'email.delivered' },
	open: { route: 'opened', activityType: 'email.opened' },
	opened: { route: 'opened', activityType: 'email.opened' },
	click: { route: 'clicked', activityType: 'email.clicked' },
	clicked: { route: 'clicked', activityType: 'email.clicked' },
	bounce: { route: 'bounced', activityType: 'email.bounced' },
	bounced: { route: 'bounced', activityType: 'email.bounced' },
	soft_bounce: { route: 'bounced', activityType: 'email.bounced' },
	complaint: { route: 'complaint', activityType: 'email.complained' },
	spam_complaint: { route: 'complaint', activityType: 'email.complained' },
	unsubscribe: { route: 'unsubscribed', activityType: 'email.unsubscribed' },
	unsubscribed: { route: 'unsubscribed', activityType: 'email.unsubscribed' },
};

export function kindOf(type: string): EventKind {
	// Own keys only: a type such as "constructor" or "__proto__" must not find Object.prototype's members.
	return Object.hasOwn(KINDS, type) ? (KINDS[type] as EventKind) : { route: 'other', activityType: `email.${type}` };
}

function optionalString(value: unknown): string | null {
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

function firstText(...values: unknown[]): string | null {
	for (const value of values) {
		if (typeof value === 'string' && value.trim() !== '') return value.trim();
	}
	return null;
}

export type MapResult =
	| { ok: true; route: ActivityRoute; record: ActivityRecord }
	| { ok: false; route: 'invalid'; reason: string; raw: JsonObject };

export interface MapOptions {
	metadataKeys?: Partial<MetadataKeys>;
}

/**
 * One Mailtarget event (raw or as the trigger emits it) to its CRM-neutral activity record.
 * `envelope` carries the batch's `batchId`/`retryCount` when the event came inside one.
 */
export function toActivityRecord(raw: JsonObject, options: MapOptions = {}, envelope: EnvelopeInfo = {}): MapResult {
	const keys = { ...DEFAULT_METADATA_KEYS, ...options.metadataKeys };
	const event = normalizeEvent(raw, envelope);
	const recipient = firstText(event.recipient)?.toLowerCase() ?? null;
	const contactId = optionalString(event.metadata[keys.contactId]);

	const invalid = (reason: string): MapResult => ({ ok: false, route: 'invalid', reason, raw });
	if (event.type === '') return invalid('event has no type (status, event or type)');
	if (!recipient && !contactId) return invalid(`event has neither a recipient nor a "${keys.contactId}" in its metadata`);
	if (event.occurredAt === null) return invalid('event has no parsable timestamp');

	const occurredAt = event.occurredAt;
	const kind = kindOf(event.type);
	const bounce = kind.route === 'bounced' ? classifyBounce(event) : undefined;
	if (bounce && bounce.class === 'unknown' && event.type === 'soft_bounce') bounce.class = 'soft';
	const dealId = optionalString(event.metadata[keys.dealId]);

	const record: ActivityRecord = {
		id: eventKey(event),
		event: event.type,
		occurredAt,
		recipient,
		contact: { id: contactId, email: recipient },
		deal: dealId ? { id: dealId } : null,
		owner: optionalString(event.metadata[keys.owner]),
		activity: {
			type: kind.activityType,
			subject: optionalString(event.subject),
			...(kind.route === 'clicked' ? { url: firstText(event.targetLinkUrl, event.url, event.link) } : {}),
			...(bounce ? { bounce } : {}),
		},
		contactChanges: contactChangesFor(kind.route, occurredAt, bounce?.class),
		tasks: tasksFor(kind.route, bounce?.class),
		source: {
			provider: 'mailtarget',
			eventId: optionalString(event.eventId),
			transmissionId: optionalString(event.transmissionId),
			messageId: optionalString(event.messageId),
			batchId: event.batchId,
			retryCount: event.retryCount,
		},
		raw,
	};
	return { ok: true, route: kind.route, record };
}

function contactChangesFor(route: ActivityRoute, occurredAt: string, bounceClass?: string): ContactChanges {
	switch (route) {
		case 'delivered':
			return { emailDeliveredAt: occurredAt };
		case 'opened':
			return { emailLastOpenedAt: occurredAt, emailOpenCount: { increment: 1 } };
		case 'clicked':
			return { emailLastClickedAt: occurredAt };
		case 'bounced':
			return bounceClass === 'hard' ? { emailUndeliverable: true } : {};
		case 'complaint':
			return { doNotContact: true };
		case 'unsubscribed':
			return { marketingOptOut: true };
		default:
			return {};
	}
}

function tasksFor(route: ActivityRoute, bounceClass?: string): FollowUpTask[] {
	if (route === 'bounced' && bounceClass === 'hard') return ['revalidate-email'];
	if (route === 'complaint') return ['notify-owner'];
	if (route === 'unsubscribed') return ['compliance-log'];
	return [];
}
