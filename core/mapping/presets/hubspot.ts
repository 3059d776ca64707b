import type { ActivityRecord } from '../types';
import { contactFields, contactIncrements, DEFAULT_MAILTARGET_FIELD_NAMES, type ContactFieldNames } from './contactFields';
import { activityTitle, describeActivity } from './describe';

export interface HubSpotPropertyNames extends ContactFieldNames {
	undeliverable: string;
	/** Custom property on notes that holds the record id (idempotency key). */
	noteEventId: string;
}

export const DEFAULT_HUBSPOT_PROPERTIES: HubSpotPropertyNames = {
	...DEFAULT_MAILTARGET_FIELD_NAMES,
	noteEventId: 'mailtarget_event_id',
};

/** HubSpot's default association type id for note -> contact. */
const NOTE_TO_CONTACT = 202;
const NOTE_TO_DEAL = 214;

export interface HubSpotShape {
	/** Contact properties to set; flags are only ever `'true'`, never cleared. */
	contactProperties: Record<string, string>;
	/** Number properties to raise by the given amount (read, add, write; or a HubSpot workflow "Increase property value"). */
	increments: Record<string, number>;
	/** Note to log on the contact's timeline (n8n HubSpot node: Engagement > Create > Note). */
	note: { timestamp: string; body: string; eventId: string };
	/** Ready-made inputs for HubSpot's batch REST endpoints (100 per call). */
	api: {
		/** POST /crm/v3/objects/contacts/batch/upsert, `inputs[]` item; null when nothing to set. */
		contactUpsert: { idProperty: 'email'; id: string; properties: Record<string, string> } | null;
		/** POST /crm/v3/objects/notes/batch/create, `inputs[]` item. */
		noteCreate: {
			properties: Record<string, string>;
			associations: { to: { id: string }; types: { associationCategory: 'HUBSPOT_DEFINED'; associationTypeId: number }[] }[];
		};
	};
}

export function toHubSpot(record: ActivityRecord, names: Partial<HubSpotPropertyNames> = {}): HubSpotShape {
	const n = { ...DEFAULT_HUBSPOT_PROPERTIES, ...names };
	const changes = record.contactChanges;
	const properties = contactFields(changes, n, 'true');
	const increments = contactIncrements(changes, n);

	const body = `${activityTitle(record)}\n${describeActivity(record)}`;
	const associations: HubSpotShape['api']['noteCreate']['associations'] = [];
	if (record.contact.id) associations.push(association(record.contact.id, NOTE_TO_CONTACT));
	if (record.deal) associations.push(association(record.deal.id, NOTE_TO_DEAL));

	const email = record.contact.email;
	return {
		contactProperties: properties,
		increments,
		note: { timestamp: record.occurredAt, body, eventId: record.id },
		api: {
			contactUpsert: email && Object.keys(properties).length > 0 ? { idProperty: 'email', id: email, properties } : null,
			noteCreate: {
				properties: { hs_timestamp: record.occurredAt, hs_note_body: body, [n.noteEventId]: record.id },
				associations,
			},
		},
	};
}

function association(id: string, associationTypeId: number) {
	return { to: { id }, types: [{ associationCategory: 'HUBSPOT_DEFINED' as const, associationTypeId }] };
}
