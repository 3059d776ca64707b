import { batchRows } from '../../core/delivery/batchRows';
import { bodyPartProblem, crmBatchBody } from '../../core/delivery/crmBodies';
import { mapEvents, type MapperOptions } from '../../core/mapping/mapEvents';
import { readMapperSettings } from '../../core/mapping/settings';

const meta = { crm_contact_id: '0035g00000ABCDE', crm_deal_id: '0065g00000XYZ', crm_owner: 'alice@yourcompany.com' };
const base = { recipient: 'jane@example.com', subject: 'Proposal', metadata: meta };

function records(target: string, events: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
	const settings = readMapperSettings({ target });
	if (!settings.ok) throw new Error(settings.reason);
	return events.flatMap((event) => mapEvents(event, settings.options as MapperOptions)).map((result) => {
		if (!result.ok) throw new Error(result.reason);
		return result.record as unknown as Record<string, unknown>;
	});
}

// A late delivery (earlier timestamp) arrives after the open: the open's newer values win.
const events = [
	{ ...base, event: 'open', eventId: 'e-o', timestamp: Date.UTC(2026, 0, 1, 9) },
	{ ...base, event: 'complaint', eventId: 'e-x', timestamp: Date.UTC(2026, 0, 1, 10) },
	{ ...base, event: 'delivery', eventId: 'e-d', timestamp: Date.UTC(2026, 0, 1, 8) },
];

describe('crmBatchBody', () => {
	it('HubSpot: one note input per record, one contact upsert per contact with the newest values', () => {
		const mapped = records('hubspot', events);
		const notes = crmBatchBody('hubspotNotes', mapped) as { inputs: unknown[] };
		expect(notes.inputs).toHaveLength(3);
		expect(notes.inputs[0]).toEqual((mapped[0] as { hubspot: { api: { noteCreate: unknown } } }).hubspot.api.noteCreate);
		const contacts = crmBatchBody('hubspotContacts', mapped) as { inputs: Array<{ id: string; properties: Record<string, unknown> }> };
		expect(contacts.inputs).toHaveLength(1);
		const perRecord = mapped.map((record) => (record as { hubspot: { api: { contactUpsert: { properties: Record<string, unknown> } } } }).hubspot.api.contactUpsert.properties);
		expect(contacts.inputs[0]?.properties).toEqual({ ...perRecord[2], ...perRecord[0], ...perRecord[1] });
	});

	it('HubSpot unsubscribe: one email per call, only from unsubscribes', () => {
		const mapped = records('hubspot', [...events, { ...base, event: 'unsubscribe', eventId: 'e-u', timestamp: Date.UTC(2026, 0, 1, 11) }]);
		expect(mapped.map((record) => bodyPartProblem('hubspotUnsubscribe', record))).toEqual([
			'the record is not an unsubscribe',
			'the record is not an unsubscribe',
			'the record is not an unsubscribe',
			null,
		]);
		expect(crmBatchBody('hubspotUnsubscribe', mapped.slice(3))).toEqual({ emailAddress: 'jane@example.com', legalBasis: 'LEGITIMATE_INTEREST_OTHER', legalBasisExplanation: 'The contact unsubscribed through a Mailtarget email' });
		const rows = mapped.map((record, index) => ({ id: index, recordId: String(record.id), record: JSON.stringify(record) }));
		const unsubscribes = [rows[3], { ...rows[3], id: 9 }] as typeof rows;
		expect(batchRows(unsubscribes, 100, 'hubspotUnsubscribe').batches).toHaveLength(2);
	});

	it('Salesforce: task upserts, and one update per Contact', () => {
		const mapped = records('salesforce', events);
		const tasks = crmBatchBody('salesforceTasks', mapped) as { allOrNone: boolean; records: unknown[] };
		expect(tasks).toMatchObject({ allOrNone: false });
		expect(tasks.records).toHaveLength(3);
		const who = crmBatchBody('salesforceContacts', mapped) as { records: Array<{ id: string }> };
		expect(who.records.map((record) => record.id)).toEqual(['0035g00000ABCDE']);
	});

	it('Zendesk: one user per email, tickets only from records that need one', () => {
		const mapped = records('zendesk', events);
		const users = crmBatchBody('zendeskUsers', mapped.filter((record) => bodyPartProblem('zendeskUsers', record) === null)) as { users: Array<{ email: string }> };
		expect(users.users.map((user) => user.email)).toEqual(['jane@example.com']);
		const needTicket = mapped.filter((record) => bodyPartProblem('zendeskTickets', record) === null);
		expect(needTicket.map((record) => record.event)).toEqual(['complaint']);
		expect((crmBatchBody('zendeskTickets', needTicket) as { tickets: unknown[] }).tickets).toHaveLength(1);
	});

	it('says why a record cannot go in a body, and batchRows sets it aside', () => {
		const [neutral] = records('neutral', events.slice(0, 1));
		expect(bodyPartProblem('hubspotNotes', neutral)).toBe('the record has no hubspot.api.noteCreate (map it with the matching CRM preset, and store only records that have it)');
		const { batches, unreadable } = batchRows([{ id: 1, recordId: 'mailtarget:e-o', record: JSON.stringify(neutral) }], 10, 'hubspotNotes');
		expect(batches).toEqual([]);
		expect(unreadable[0]?.reason).toContain('has no hubspot.api.noteCreate');
	});
});
