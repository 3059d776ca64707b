import type { INodeProperties } from 'n8n-workflow';

import { DEFAULT_HUBSPOT_PROPERTIES } from '../../core/mapping/presets/hubspot';
import { DEFAULT_SALESFORCE_FIELDS } from '../../core/mapping/presets/salesforce';
import { DEFAULT_ZENDESK_FIELDS } from '../../core/mapping/presets/zendesk';
import { DEFAULT_METADATA_KEYS } from '../../core/mapping/types';

const pretty = (names: object) => JSON.stringify(names, null, 2);

export const mapperProperties: INodeProperties[] = [
	{
		displayName:
			'Connect this node after a Mailtarget Trigger, or after a Webhook node that receives Mailtarget events. Each event becomes one item, ready for a CRM node: e.g. an open by jane@example.com, sent with metadata crm_contact_id 0035g00000ABCDE, becomes {"id": "mailtarget:<eventId>", "activity": {"type": "email.opened"}, "contact": {"id": "0035g00000ABCDE", "email": "jane@example.com"}, "contactChanges": {"emailLastOpenedAt": "…"}, …}. Events can arrive out of order: when writing to the CRM, never replace a newer time with an older one, never clear a flag, and count an open once per item "id".',
		name: 'setupNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'CRM',
		name: 'target',
		type: 'options',
		options: [
			{
				name: 'Neutral (Activity Record Only)',
				value: 'neutral',
				description: 'The CRM-neutral activity record, e.g. for your own CRM or an HTTP Request node',
			},
			{
				name: 'HubSpot',
				value: 'hubspot',
				description: 'Adds "hubspot": the note to log and the contact properties to set, also as batch API inputs',
			},
			{
				name: 'Salesforce',
				value: 'salesforce',
				description: 'Adds "salesforce": the Task to create and the Contact or Lead fields to update',
			},
			{
				name: 'Zendesk',
				value: 'zendesk',
				description: 'Adds "zendesk": the user fields to update and, for complaints and hard bounces, a ticket for the owner',
			},
		],
		default: 'neutral',
		description: 'Which CRM the output is prepared for. Every item always carries the neutral activity record too.',
	},
	{
		displayName:
			'Adds "hubspot": contactProperties (HubSpot node: Contact > Create or Update, by email), note (Engagement > Create > Note; associate contact.id and deal.id, which must be HubSpot IDs), increments (the open count: read, add, write, or a HubSpot workflow "Increase property value"), and api.contactUpsert / api.noteCreate for the batch endpoints contacts/batch/upsert and notes/batch/create. Create the custom properties named under Options > HubSpot Property Names first.',
		name: 'hubspotNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { target: ['hubspot'] } },
	},
	{
		displayName:
			'Adds "salesforce": task (Task > Create: Subject, TaskSubtype Email, ActivityDate, WhoId = contact.id, WhatId = deal.id, the event ID), whoUpdate (Contact or Lead fields: HasOptedOutOfEmail, EmailBouncedDate, EmailBouncedReason and the custom fields), increments (the open count), and api.task / api.whoUpdate for the composite sObject collections API. Create the custom fields named under Options > Salesforce Field Names first; make the Task event ID field External ID and Unique.',
		name: 'salesforceNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { target: ['salesforce'] } },
	},
	{
		displayName:
			'Adds "zendesk": user (email and user_fields, for User > Update or users/create_or_update_many), increments (the open count), and for complaints and hard bounces a ticket for the owner (assignee_email, external_id, tags). Create the user fields named under Options > Zendesk Field Names first.',
		name: 'zendeskNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { target: ['zendesk'] } },
	},
	{
		displayName: 'Outputs',
		name: 'routing',
		type: 'options',
		options: [
			{
				name: 'One Output',
				value: 'single',
				description: 'All events leave on one output. An invalid event stops the workflow, or with "Continue On Fail" becomes an item with an "error" field.',
			},
			{
				name: 'One Output per Action',
				value: 'perAction',
				description: 'Delivered, Opened, Clicked, Bounced, Complaint, Unsubscribed, Other and Invalid each get their own output',
			},
		],
		default: 'single',
		description: 'Whether to send all events on one output or to split them by what happened',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		description: 'More settings. The defaults suit most workflows: add one only when you need to change it.',
		default: {},
		options: [
			{
				displayName: 'Contact ID Metadata Key',
				name: 'contactIdKey',
				type: 'string',
				default: DEFAULT_METADATA_KEYS.contactId,
				description: 'The metadata key of your send that holds the CRM contact ID. Events without it are still mapped, by email address.',
			},
			{
				displayName: 'Deal ID Metadata Key',
				name: 'dealIdKey',
				type: 'string',
				default: DEFAULT_METADATA_KEYS.dealId,
				description: 'The metadata key of your send that holds the CRM deal (opportunity) ID',
			},
			{
				displayName: 'Owner Metadata Key',
				name: 'ownerKey',
				type: 'string',
				default: DEFAULT_METADATA_KEYS.owner,
				description: 'The metadata key of your send that holds the owner (e.g. the sales rep\'s email), who gets the follow-up on complaints',
			},
			{
				displayName: 'HubSpot Property Names',
				name: 'hubspotProperties',
				type: 'json',
				default: pretty(DEFAULT_HUBSPOT_PROPERTIES),
				description:
					'Internal names of the HubSpot properties to write. Create them in HubSpot first: date-time contact properties for the three times, single checkboxes for the three flags, a number for the open count, and a single-line text note property for the event ID.',
				displayOptions: { show: { '/target': ['hubspot'] } },
			},
			{
				displayName: 'Salesforce Field Names',
				name: 'salesforceFields',
				type: 'json',
				default: pretty(DEFAULT_SALESFORCE_FIELDS),
				description:
					'API names of the custom fields to write. Create them in Salesforce first: on Task a unique external-ID text field for the event ID; on Contact and Lead date/time fields for the three times, a checkbox for do-not-contact and a number for the open count.',
				displayOptions: { show: { '/target': ['salesforce'] } },
			},
			{
				displayName: 'Zendesk Field Names',
				name: 'zendeskFields',
				type: 'json',
				default: pretty(DEFAULT_ZENDESK_FIELDS),
				description:
					'Keys of the Zendesk user fields to write. Create them in Zendesk first: text fields for the three times (ISO time), checkboxes for the three flags and an integer for the open count.',
				displayOptions: { show: { '/target': ['zendesk'] } },
			},
		],
	},
];
