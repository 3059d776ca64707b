import type { BounceClass } from './bounce';

export type ActivityRoute = 'delivered' | 'opened' | 'clicked' | 'bounced' | 'complaint' | 'unsubscribed' | 'other';
export type MapperRoute = ActivityRoute | 'invalid';

export const MAPPER_ROUTES: readonly MapperRoute[] = [
	'delivered',
	'opened',
	'clicked',
	'bounced',
	'complaint',
	'unsubscribed',
	'other',
	'invalid',
];

export type FollowUpTask = 'revalidate-email' | 'notify-owner' | 'compliance-log';

export interface ContactChanges {
	emailDeliveredAt?: string;
	emailLastOpenedAt?: string;
	emailOpenCount?: { increment: number };
	emailLastClickedAt?: string;
	emailUndeliverable?: true;
	doNotContact?: true;
	marketingOptOut?: true;
}

export interface ActivityRecord {
	id: string;
	event: string;
	occurredAt: string;
	recipient: string | null;
	contact: { id: string | null; email: string | null };
	deal: { id: string } | null;
	owner: string | null;
	activity: {
		type: string;
		subject: string | null;
		url?: string | null;
		bounce?: { class: BounceClass; code: number | null; reason: string | null };
	};
	contactChanges: ContactChanges;
	tasks: FollowUpTask[];
	source: {
		provider: 'mailtarget';
		eventId: string | null;
		transmissionId: string | null;
		messageId: string | null;
		batchId: string | null;
		retryCount: number | null;
	};
	raw: Record<string, unknown>;
}

export interface MetadataKeys {
	contactId: string;
	dealId: string;
	owner: string;
}

export const DEFAULT_METADATA_KEYS: MetadataKeys = {
	contactId: 'crm_contact_id',
	dealId: 'crm_deal_id',
	owner: 'crm_owner',
};
