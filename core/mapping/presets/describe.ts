import type { ActivityRecord } from '../types';

const TITLES: Record<string, string> = {
	'email.delivered': 'Email delivered',
	'email.opened': 'Email opened',
	'email.clicked': 'Email link clicked',
	'email.bounced': 'Email bounced',
	'email.complained': 'Spam complaint',
	'email.unsubscribed': 'Unsubscribed',
};

/** A one-line title a CRM user reads on the timeline, e.g. `Email opened: Your proposal is ready`. */
export function activityTitle(record: ActivityRecord): string {
	const title = TITLES[record.activity.type] ?? `Email event: ${record.event}`;
	return record.activity.subject ? `${title}: ${record.activity.subject}` : title;
}

/** The details under the title: recipient, time, link or bounce reason, Mailtarget ids. */
export function describeActivity(record: ActivityRecord): string {
	const lines = [`Recipient: ${record.recipient ?? record.contact.id ?? 'unknown'}`, `When: ${record.occurredAt}`];
	if (record.activity.url) lines.push(`Link: ${record.activity.url}`);
	const bounce = record.activity.bounce;
	if (bounce) {
		lines.push(`Bounce: ${bounce.class}${bounce.code === null ? '' : ` (code ${bounce.code})`}`);
		if (bounce.reason) lines.push(`Reason: ${bounce.reason}`);
	}
	lines.push(`Mailtarget event: ${record.id}`);
	return lines.join('\n');
}
