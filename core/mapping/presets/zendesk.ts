import type { ActivityRecord } from '../types';
import { contactFields, contactIncrements, DEFAULT_MAILTARGET_FIELD_NAMES, type ContactFieldNames } from './contactFields';
import { activityTitle, describeActivity } from './describe';

export interface ZendeskFieldNames extends ContactFieldNames {
	undeliverable: string;
}

export const DEFAULT_ZENDESK_FIELDS: ZendeskFieldNames = { ...DEFAULT_MAILTARGET_FIELD_NAMES };

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
	const userFields = contactFields(changes, n, true);

	const email = record.contact.email;
	const needsTicket = record.tasks.includes('notify-owner') || record.tasks.includes('revalidate-email');
	return {
		user: email && Object.keys(userFields).length > 0 ? { email, user_fields: userFields } : null,
		increments: contactIncrements(changes, n),
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
