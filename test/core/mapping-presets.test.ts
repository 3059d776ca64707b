import { mapEvents, type MappedRecord, type MapperOptions } from '../../core/mapping/mapEvents';
import { DEFAULT_HUBSPOT_PROPERTIES } from '../../core/mapping/presets/hubspot';
import { DEFAULT_SALESFORCE_FIELDS } from '../../core/mapping/presets/salesforce';
import { DEFAULT_ZENDESK_FIELDS } from '../../core/mapping/presets/zendesk';
import { readMapperSettings } from '../../core/mapping/settings';
import type { RawEvent } from '../helpers/fixtures';

const TIME = 1764230400000;
const AT = '2025-11-27T08:00:00.000Z';
const meta = { crm_contact_id: '0035g00000ABCDE', crm_deal_id: '0065g00000XYZ', crm_owner: 'alice@yourcompany.com' };

const events: Record<string, RawEvent> = {
	delivery: { event: 'delivery', eventId: 'e-d', recipient: 'jane@example.com', timestamp: TIME, subject: 'Proposal', metadata: meta },
	open: { event: 'open', eventId: 'e-o', recipient: 'jane@example.com', timestamp: TIME, subject: 'Proposal', metadata: meta },
	click: { event: 'click', eventId: 'e-c', recipient: 'jane@example.com', timestamp: TIME, subject: 'Proposal', url: 'https://x.example/p', metadata: meta },
	hardBounce: { event: 'bounce', eventId: 'e-hb', recipient: 'jane@example.com', timestamp: TIME, bounceClassificationCode: 10, reason: '550 5.1.1 user unknown', metadata: meta },
	softBounce: { event: 'bounce', eventId: 'e-sb', recipient: 'jane@example.com', timestamp: TIME, bounceClassificationCode: 22, reason: '452 mailbox full', metadata: meta },
	complaint: { event: 'complaint', eventId: 'e-x', recipient: 'jane@example.com', timestamp: TIME, metadata: meta },
	unsubscribe: { event: 'unsubscribe', eventId: 'e-u', recipient: 'jane@example.com', timestamp: TIME, metadata: meta },
	injection: { event: 'injection', eventId: 'e-i', recipient: 'jane@example.com', timestamp: TIME, metadata: meta },
};

function mapped(name: string | RawEvent, options: MapperOptions): MappedRecord {
	const [result] = mapEvents(typeof name === 'string' ? events[name] : name, options);
	if (!result.ok) throw new Error(result.reason);
	return result.record;
}

function settings(target: string, fieldNames?: unknown): MapperOptions {
	const result = readMapperSettings({ target, fieldNames });
	if (!result.ok) throw new Error(result.reason);
	return result.options;
}

describe('neutral target', () => {
	it('adds no preset', () => {
		const record = mapped('open', settings('neutral'));
		expect(record).not.toHaveProperty('hubspot');
		expect(record).not.toHaveProperty('salesforce');
		expect(record).not.toHaveProperty('zendesk');
	});
});

describe('HubSpot preset', () => {
	const p = DEFAULT_HUBSPOT_PROPERTIES;
	it.each([
		['delivery', { [p.deliveredAt]: AT }, {}],
		['open', { [p.lastOpenedAt]: AT }, { [p.openCount]: 1 }],
		['click', { [p.lastClickedAt]: AT }, {}],
		['hardBounce', { [p.undeliverable]: 'true' }, {}],
		['softBounce', {}, {}],
		['complaint', { [p.doNotContact]: 'true' }, {}],
		['unsubscribe', { [p.marketingOptOut]: 'true' }, {}],
		['injection', {}, {}],
	])('%s sets %j and increments %j', (name, properties, increments) => {
		const hubspot = mapped(name, settings('hubspot')).hubspot!;
		expect(hubspot.contactProperties).toEqual(properties);
		expect(hubspot.increments).toEqual(increments);
		expect(hubspot.api.contactUpsert).toEqual(Object.keys(properties).length ? { idProperty: 'email', id: 'jane@example.com', properties } : null);
	});

	it('logs a note on the contact and the deal with the record id as its event id', () => {
		const record = mapped('click', settings('hubspot'));
		const { note, api } = record.hubspot!;
		expect(note).toEqual({ timestamp: AT, eventId: 'mailtarget:e-c', body: expect.stringContaining('Email link clicked: Proposal') });
		expect(note.body).toContain('Link: https://x.example/p');
		expect(api.noteCreate).toEqual({
			properties: { hs_timestamp: AT, hs_note_body: note.body, mailtarget_event_id: 'mailtarget:e-c' },
			associations: [
				{ to: { id: '0035g00000ABCDE' }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 202 }] },
				{ to: { id: '0065g00000XYZ' }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 214 }] },
			],
		});
	});

	it('associates nothing without ids and upserts nothing without an email', () => {
		const record = mapped({ event: 'open', timestamp: TIME, metadata: { crm_contact_id: '42' } }, settings('hubspot'));
		expect(record.hubspot!.api.contactUpsert).toBeNull();
		const anonymous = mapped({ event: 'open', recipient: 'a@example.com', timestamp: TIME }, settings('hubspot'));
		expect(anonymous.hubspot!.api.noteCreate.associations).toEqual([]);
	});

	it('uses custom property names', () => {
		const hubspot = mapped('open', settings('hubspot', '{"lastOpenedAt": "last_open", "openCount": "opens", "noteEventId": "evt"}')).hubspot!;
		expect(hubspot.contactProperties).toEqual({ last_open: AT });
		expect(hubspot.increments).toEqual({ opens: 1 });
		expect(hubspot.api.noteCreate.properties).toHaveProperty('evt', 'mailtarget:e-o');
	});
});

describe('Salesforce preset', () => {
	const f = DEFAULT_SALESFORCE_FIELDS;
	it.each([
		['delivery', { [f.deliveredAt]: AT }, {}],
		['open', { [f.lastOpenedAt]: AT }, { [f.openCount]: 1 }],
		['click', { [f.lastClickedAt]: AT }, {}],
		['hardBounce', { EmailBouncedDate: AT, EmailBouncedReason: '550 5.1.1 user unknown' }, {}],
		['softBounce', null, {}],
		['complaint', { [f.doNotContact]: true }, {}],
		['unsubscribe', { HasOptedOutOfEmail: true }, {}],
		['injection', null, {}],
	])('%s updates the Contact with %j', (name, fields, increments) => {
		const salesforce = mapped(name, settings('salesforce')).salesforce!;
		expect(salesforce.whoUpdate).toEqual(fields ? { sobject: 'Contact', id: '0035g00000ABCDE', fields } : null);
		expect(salesforce.api.whoUpdate).toEqual(fields ? { attributes: { type: 'Contact' }, id: '0035g00000ABCDE', ...fields } : null);
		expect(salesforce.increments).toEqual(increments);
	});

	it('creates a completed email Task on the contact and the deal', () => {
		const salesforce = mapped('hardBounce', settings('salesforce')).salesforce!;
		expect(salesforce.task).toEqual({
			Subject: 'Email bounced',
			TaskSubtype: 'Email',
			Status: 'Completed',
			ActivityDate: '2025-11-27',
			Description: expect.stringContaining('Bounce: hard (code 10)'),
			WhoId: '0035g00000ABCDE',
			WhatId: '0065g00000XYZ',
			Mailtarget_Event_Id__c: 'mailtarget:e-hb',
		});
		expect(salesforce.api.task).toEqual({ attributes: { type: 'Task' }, ...salesforce.task });
	});

	it('updates a Lead for a 00Q id, nothing without a contact id, and cuts long reasons to 255', () => {
		const lead = mapped({ ...events.unsubscribe, metadata: { crm_contact_id: '00Q5g00000LEAD' } }, settings('salesforce')).salesforce!;
		expect(lead.whoUpdate).toMatchObject({ sobject: 'Lead', id: '00Q5g00000LEAD' });
		expect(lead.api.whoUpdate?.attributes).toEqual({ type: 'Lead' });
		const anonymous = mapped({ ...events.unsubscribe, metadata: {} }, settings('salesforce')).salesforce!;
		expect(anonymous.whoUpdate).toBeNull();
		expect(anonymous.task.WhoId).toBeNull();
		const long = mapped({ ...events.hardBounce, reason: 'x'.repeat(400) }, settings('salesforce')).salesforce!;
		expect(String(long.whoUpdate?.fields.EmailBouncedReason)).toHaveLength(255);
	});

	it('uses custom field names', () => {
		const salesforce = mapped('open', settings('salesforce', { taskEventId: 'Event__c', lastOpenedAt: 'Opened__c', openCount: 'Opens__c' })).salesforce!;
		expect(salesforce.task).toHaveProperty('Event__c', 'mailtarget:e-o');
		expect(salesforce.task).not.toHaveProperty('Mailtarget_Event_Id__c');
		expect(salesforce.whoUpdate?.fields).toEqual({ Opened__c: AT });
		expect(salesforce.increments).toEqual({ Opens__c: 1 });
	});
});

describe('Zendesk preset', () => {
	const z = DEFAULT_ZENDESK_FIELDS;
	it.each([
		['delivery', { [z.deliveredAt]: AT }, null],
		['open', { [z.lastOpenedAt]: AT }, null],
		['click', { [z.lastClickedAt]: AT }, null],
		['hardBounce', { [z.undeliverable]: true }, 'normal'],
		['softBounce', null, null],
		['complaint', { [z.doNotContact]: true }, 'high'],
		['unsubscribe', { [z.marketingOptOut]: true }, null],
		['injection', null, null],
	])('%s sets user fields %j; ticket priority %s', (name, userFields, priority) => {
		const zendesk = mapped(name, settings('zendesk')).zendesk!;
		expect(zendesk.user).toEqual(userFields ? { email: 'jane@example.com', user_fields: userFields } : null);
		expect(zendesk.ticket?.priority ?? null).toBe(priority);
	});

	it('opens a ticket for the owner on a complaint', () => {
		const zendesk = mapped('complaint', settings('zendesk')).zendesk!;
		expect(zendesk.ticket).toEqual({
			subject: 'Spam complaint',
			comment: { body: expect.stringContaining('Recipient: jane@example.com'), public: false },
			assignee_email: 'alice@yourcompany.com',
			external_id: 'mailtarget:e-x',
			tags: ['mailtarget', 'email_complained', 'notify-owner'],
			priority: 'high',
		});
	});

	it('leaves the assignee to Zendesk without an owner, and counts opens separately', () => {
		const hard = mapped({ ...events.hardBounce, metadata: {} }, settings('zendesk')).zendesk!;
		expect(hard.ticket).not.toHaveProperty('assignee_email');
		expect(hard.ticket?.tags).toEqual(['mailtarget', 'email_bounced', 'revalidate-email']);
		expect(mapped('open', settings('zendesk')).zendesk!.increments).toEqual({ [z.openCount]: 1 });
	});

	it('uses custom field names', () => {
		const zendesk = mapped('complaint', settings('zendesk', '{"doNotContact": "dnc"}')).zendesk!;
		expect(zendesk.user?.user_fields).toEqual({ dnc: true });
	});
});
