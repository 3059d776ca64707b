import type { ActivityRecord } from '../types';
import { contactFields, contactIncrements, type ContactFieldNames } from './contactFields';
import { activityTitle, describeActivity } from './describe';

export interface SalesforceFieldNames extends Omit<ContactFieldNames, 'undeliverable' | 'marketingOptOut'> {
	/** External-id field on Task holding the record id, so a retried write upserts instead of duplicating. */
	taskEventId: string;
}

export const DEFAULT_SALESFORCE_FIELDS: SalesforceFieldNames = {
	taskEventId: 'Mailtarget_Event_Id__c',
	deliveredAt: 'Mailtarget_Last_Delivered__c',
	lastOpenedAt: 'Mailtarget_Last_Opened__c',
	lastClickedAt: 'Mailtarget_Last_Clicked__c',
	doNotContact: 'Mailtarget_Do_Not_Contact__c',
	openCount: 'Mailtarget_Open_Count__c',
};

type WhoType = 'Contact' | 'Lead';

export interface SalesforceShape {
	task: Record<string, string | null>;
	/** Contact or Lead (by id prefix 003/00Q) fields to update; null without a contact id or nothing to set. */
	whoUpdate: { sobject: WhoType; id: string; fields: Record<string, string | boolean> } | null;
	/** Contact/Lead number fields to raise by the given amount (read, add, write; or a Flow). */
	increments: Record<string, number>;
	/** The same writes as items of the composite sObject collections API (200 records per call). */
	api: {
		/** POST /composite/sobjects, or PATCH /composite/sobjects/Task/<taskEventId> to upsert by the event id. */
		task: { attributes: { type: 'Task' } } & Record<string, unknown>;
		/** PATCH /composite/sobjects; null when `whoUpdate` is null. */
		whoUpdate: ({ attributes: { type: WhoType }; id: string } & Record<string, unknown>) | null;
	};
}

export function toSalesforce(record: ActivityRecord, names: Partial<SalesforceFieldNames> = {}): SalesforceShape {
	const n = { ...DEFAULT_SALESFORCE_FIELDS, ...names };
	const changes = record.contactChanges;
	// Salesforce's own fields carry the bounce and the opt-out.
	const fields = contactFields(changes, { ...n, marketingOptOut: 'HasOptedOutOfEmail' }, true);
	if (changes.emailUndeliverable) {
		fields.EmailBouncedDate = record.occurredAt;
		fields.EmailBouncedReason = (record.activity.bounce?.reason ?? 'Hard bounce').slice(0, 255);
	}

	const whoId = record.contact.id;
	const task = {
		Subject: activityTitle(record).slice(0, 255),
		TaskSubtype: 'Email',
		Status: 'Completed',
		ActivityDate: record.occurredAt.slice(0, 10),
		Description: describeActivity(record),
		WhoId: whoId,
		WhatId: record.deal?.id ?? null,
		[n.taskEventId]: record.id,
	};
	const whoUpdate =
		whoId && Object.keys(fields).length > 0 ? { sobject: whoId.startsWith('00Q') ? ('Lead' as const) : ('Contact' as const), id: whoId, fields } : null;
	return {
		task,
		whoUpdate,
		increments: contactIncrements(changes, n),
		api: {
			task: { attributes: { type: 'Task' }, ...task },
			whoUpdate: whoUpdate ? { attributes: { type: whoUpdate.sobject }, id: whoUpdate.id, ...whoUpdate.fields } : null,
		},
	};
}
