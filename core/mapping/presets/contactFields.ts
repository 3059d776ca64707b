import type { ContactChanges } from '../types';

/** The CRM field (or property) names a record's `contactChanges` are written to. */
export interface ContactFieldNames {
	deliveredAt: string;
	lastOpenedAt: string;
	lastClickedAt: string;
	undeliverable?: string;
	doNotContact: string;
	marketingOptOut: string;
	/** Number field counting opens; no CRM here can add to a number in one call, see `increments`. */
	openCount: string;
}

/** The Mailtarget field names the HubSpot and Zendesk presets share by default. */
export const DEFAULT_MAILTARGET_FIELD_NAMES = {
	deliveredAt: 'mailtarget_last_delivered_at',
	lastOpenedAt: 'mailtarget_last_opened_at',
	lastClickedAt: 'mailtarget_last_clicked_at',
	undeliverable: 'mailtarget_email_undeliverable',
	doNotContact: 'mailtarget_do_not_contact',
	marketingOptOut: 'mailtarget_marketing_opt_out',
	openCount: 'mailtarget_open_count',
} as const;

/**
 * Timestamps and sticky flags of `changes` under the CRM's names; flags are written as `flag`
 * (`'true'` or `true`, as the CRM wants) and never cleared.
 */
export function contactFields<Flag extends string | boolean>(changes: ContactChanges, names: ContactFieldNames, flag: Flag): Record<string, string | Flag> {
	const fields: Record<string, string | Flag> = {};
	if (changes.emailDeliveredAt) fields[names.deliveredAt] = changes.emailDeliveredAt;
	if (changes.emailLastOpenedAt) fields[names.lastOpenedAt] = changes.emailLastOpenedAt;
	if (changes.emailLastClickedAt) fields[names.lastClickedAt] = changes.emailLastClickedAt;
	if (changes.emailUndeliverable && names.undeliverable) fields[names.undeliverable] = flag;
	if (changes.doNotContact) fields[names.doNotContact] = flag;
	if (changes.marketingOptOut) fields[names.marketingOptOut] = flag;
	return fields;
}

/** Number fields to raise, e.g. `{ mailtarget_open_count: 1 }` for an open. */
export function contactIncrements(changes: ContactChanges, names: Pick<ContactFieldNames, 'openCount'>): Record<string, number> {
	return changes.emailOpenCount ? { [names.openCount]: changes.emailOpenCount.increment } : {};
}
