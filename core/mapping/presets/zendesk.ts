import type { ActivityRecord } from '../types';
import { activityTitle, describeActivity } from './describe';

export interface ZendeskFieldNames {
	deliveredAt: string;
	lastOpenedAt: string;
	lastClickedAt: string;
	undeliverable: string;
	doNotContact: string;
	marketingOptOut: string;
	/** Integer user field counting opens; Zendesk cannot add to a number in one call, see `increments`. */
	openCount: string;
}

export const DEFAULT_ZENDESK_FIELDS: ZendeskFieldNames = {
	deliveredAt: 'mailtarget_last_delivered_at',
	lastOpenedAt: 'mailtarget_last_opened_at',
	lastClickedAt: 'mailtarget_last_clicked_at',
	undeliverable: 'mailtarget_email_undeliverable',
	doNotContact: 'mailtarget_do_not_contact',
	marketingOptOut: 'mailtarget_marketing_opt_out',
	openCount: 'mailtarget_open_count',
};

export interface ZendeskShape {
	/** Item of `users` for POST /api/v2/users/create_or_update_many (matched by email); null without an email or nothing to set. */
	user: { email: string; user_fields: Record<string, string | boolean> } | null;
	/** User fields to raise by the given amount (read the user, add, write). */
	increments: Record<string, number>;
	/** Ticket for the owner on complaints and hard bounces (`ticket` of POST /api/v2/tickets, or an item of create_many `tickets`). */
	ticket: {
		subject: string;
		comment: { body: string; public: false };
		assignee_email?: string;
		external_id: string;
		tags: string[];
		priority: 'normal' | 'high';
	} | null;
}

export function toZendesk(record: ActivityRecord, names: Partial<ZendeskFieldNames> = {}): ZendeskShape {
	const n = { ...DEFAULT_ZENDESK_FIELDS, ...names };
	const changes = record.contactChanges;
	const userFields: Record<string, string | boolean> = {};
	if (changes.emailDeliveredAt) userFields[n.deliveredAt] = changes.emailDeliveredAt;
	if (changes.emailLastOpenedAt) userFields[n.lastOpenedAt] = changes.emailLastOpenedAt;
	if (changes.emailLastClickedAt) userFields[n.lastClickedAt] = changes.emailLastClickedAt;
	if (changes.emailUndeliverable) userFields[n.undeliverable] = true;
	if (changes.doNotContact) userFields[n.doNotContact] = true;
	if (changes.marketingOptOut) userFields[n.marketingOptOut] = true;

	const email = record.contact.email;
	const needsTicket = record.tasks.includes('notify-owner') || record.tasks.includes('revalidate-email');
	return {
		user: email && Object.keys(userFields).length > 0 ? { email, user_fields: userFields } : null,
		increments: changes.emailOpenCount ? { [n.openCount]: changes.emailOpenCount.increment } : {},
		ticket: needsTicket
			? {
					subject: activityTitle(record).slice(0, 150),
					comment: { body: describeActivity(record), public: false },
					...(record.owner ? { assignee_email: record.owner } : {}),
					external_id: record.id,
					tags: ['mailtarget', record.activity.type.replace('.', '_'), ...record.tasks],
					priority: record.tasks.includes('notify-owner') ? 'high' : 'normal',
				}
			: null,
	};
}
