import type { ActivityRecord } from '../types';
import { activityTitle, describeActivity } from './describe';

export interface SalesforceFieldNames {
	/** External-id field on Task holding the record id, so a retried write upserts instead of duplicating. */
	taskEventId: string;
	deliveredAt: string;
	lastOpenedAt: string;
	lastClickedAt: string;
	doNotContact: string;
}

export const DEFAULT_SALESFORCE_FIELDS: SalesforceFieldNames = {
	taskEventId: 'Mailtarget_Event_Id__c',
	deliveredAt: 'Mailtarget_Last_Delivered__c',
	lastOpenedAt: 'Mailtarget_Last_Opened__c',
	lastClickedAt: 'Mailtarget_Last_Clicked__c',
	doNotContact: 'Mailtarget_Do_Not_Contact__c',
};

export interface SalesforceShape {
	task: Record<string, string | null>;
	/** Contact or Lead (by id prefix 003/00Q) fields to update; null without a contact id or nothing to set. */
	whoUpdate: { sobject: 'Contact' | 'Lead'; id: string; fields: Record<string, string | boolean> } | null;
}

export function toSalesforce(record: ActivityRecord, names: Partial<SalesforceFieldNames> = {}): SalesforceShape {
	const n = { ...DEFAULT_SALESFORCE_FIELDS, ...names };
	const changes = record.contactChanges;
	const fields: Record<string, string | boolean> = {};
	if (changes.emailDeliveredAt) fields[n.deliveredAt] = changes.emailDeliveredAt;
	if (changes.emailLastOpenedAt) fields[n.lastOpenedAt] = changes.emailLastOpenedAt;
	if (changes.emailLastClickedAt) fields[n.lastClickedAt] = changes.emailLastClickedAt;
	if (changes.emailUndeliverable) {
		fields.EmailBouncedDate = record.occurredAt;
		fields.EmailBouncedReason = (record.activity.bounce?.reason ?? 'Hard bounce').slice(0, 255);
	}
	if (changes.doNotContact) fields[n.doNotContact] = true;
	if (changes.marketingOptOut) fields.HasOptedOutOfEmail = true;

	const whoId = record.contact.id;
	return {
		task: {
			Subject: activityTitle(record).slice(0, 255),
			TaskSubtype: 'Email',
			Status: 'Completed',
			ActivityDate: record.occurredAt.slice(0, 10),
			Description: describeActivity(record),
			WhoId: whoId,
			WhatId: record.deal?.id ?? null,
			[n.taskEventId]: record.id,
		},
		whoUpdate:
			whoId && Object.keys(fields).length > 0
				? { sobject: whoId.startsWith('00Q') ? 'Lead' : 'Contact', id: whoId, fields }
				: null,
	};
}
