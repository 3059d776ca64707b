import { mapEvents } from '../../core/mapping/mapEvents';
import { DEFAULT_HUBSPOT_PROPERTIES } from '../../core/mapping/presets/hubspot';
import { outputCount, outputIndex, routeResults } from '../../core/mapping/routing';
import { DEFAULT_FIELD_NAMES, readMapperSettings } from '../../core/mapping/settings';
import { MAPPER_ROUTES, type MapperRoute } from '../../core/mapping/types';
import { officialBatch } from '../helpers/fixtures';

describe('routing', () => {
	it.each([
		['delivered', 0, 0],
		['opened', 0, 1],
		['clicked', 0, 2],
		['bounced', 0, 3],
		['complaint', 0, 4],
		['unsubscribed', 0, 5],
		['other', 0, 6],
		['invalid', null, 7],
	] as Array<[MapperRoute, number | null, number]>)('%s goes to output %p with one output and %p with one per action', (route, single, perAction) => {
		expect(outputIndex(route, 'single')).toBe(single);
		expect(outputIndex(route, 'perAction')).toBe(perAction);
	});

	it('has 1 or 8 outputs, one per route in MAPPER_ROUTES order', () => {
		expect(outputCount('single')).toBe(1);
		expect(outputCount('perAction')).toBe(8);
		expect(MAPPER_ROUTES.map((route) => outputIndex(route, 'perAction'))).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
	});

	const batch = () => {
		const b = officialBatch();
		return { ...b, events: [...b.events, { status: 'open', recipient: 'x@example.com' }] };
	};

	it('with one output: every mapped event on it in order, invalid events as errors', () => {
		const { outputs, errors } = routeResults(mapEvents(batch()), 'single');
		expect(outputs).toHaveLength(1);
		expect(outputs[0].map((result) => result.route)).toEqual(['other', 'delivered', 'opened', 'clicked', 'bounced', 'bounced', 'other']);
		expect(errors).toEqual([{ ok: false, route: 'invalid', reason: expect.stringContaining('timestamp'), raw: { status: 'open', recipient: 'x@example.com' } }]);
	});

	it('with one output per action: each event on its route, invalid ones on the last output', () => {
		const { outputs, errors } = routeResults(mapEvents(batch()), 'perAction');
		expect(errors).toEqual([]);
		expect(outputs.map((list) => list.length)).toEqual([1, 1, 1, 2, 0, 0, 2, 1]);
		outputs.forEach((list, index) => list.forEach((result) => expect(result.route).toBe(MAPPER_ROUTES[index])));
	});
});

describe('readMapperSettings', () => {
	it('defaults to neutral, one output and the documented metadata keys', () => {
		expect(readMapperSettings({})).toEqual({
			ok: true,
			routing: 'single',
			options: { target: 'neutral', metadataKeys: { contactId: 'crm_contact_id', dealId: 'crm_deal_id', owner: 'crm_owner' } },
		});
	});

	it('takes custom metadata keys, trimmed, and falls back to the default for empty ones', () => {
		const settings = readMapperSettings({ contactIdKey: ' hs_id ', dealIdKey: '', ownerKey: 'rep', routing: 'perAction' });
		expect(settings).toMatchObject({ ok: true, routing: 'perAction', options: { metadataKeys: { contactId: 'hs_id', dealId: 'crm_deal_id', owner: 'rep' } } });
	});

	it.each([
		['hubspot', 'hubspotProperties'],
		['salesforce', 'salesforceFields'],
		['zendesk', 'zendeskFields'],
	])('reads %s field names from JSON text or an object', (target, option) => {
		const key = Object.keys(DEFAULT_FIELD_NAMES[target as 'hubspot'])[0];
		expect(readMapperSettings({ target, fieldNames: `{"${key}": " custom "}` })).toMatchObject({ ok: true, options: { [option]: { [key]: 'custom' } } });
		expect(readMapperSettings({ target, fieldNames: { [key]: 'custom' } })).toMatchObject({ ok: true, options: { [option]: { [key]: 'custom' } } });
		expect(readMapperSettings({ target, fieldNames: '  ' })).toMatchObject({ ok: true, options: { [option]: {} } });
	});

	it('accepts the full default list as written in the editors', () => {
		expect(readMapperSettings({ target: 'hubspot', fieldNames: JSON.stringify(DEFAULT_HUBSPOT_PROPERTIES, null, 2) })).toMatchObject({
			ok: true,
			options: { hubspotProperties: DEFAULT_HUBSPOT_PROPERTIES },
		});
	});

	it('ignores field names for the neutral target', () => {
		expect(readMapperSettings({ target: 'neutral', fieldNames: 'not json' })).toMatchObject({ ok: true });
	});

	it.each([
		[{ target: 'pipedrive' }, 'unknown CRM "pipedrive"; use one of neutral, hubspot, salesforce, zendesk'],
		[{ routing: 'many' }, 'unknown routing "many"; use one of single, perAction'],
		[{ contactIdKey: 5 }, 'the contact id metadata key must be text'],
		[{ target: 'hubspot', fieldNames: '{"openCount": ' }, 'the HubSpot field names are not valid JSON'],
		[{ target: 'salesforce', fieldNames: '["a"]' }, 'the Salesforce field names must be a JSON object'],
		[{ target: 'zendesk', fieldNames: '{"opens": "x"}' }, '"opens" is not a Zendesk field name; use deliveredAt'],
		[{ target: 'hubspot', fieldNames: { openCount: '' } }, 'the HubSpot field name for "openCount" must be non-empty text'],
	])('refuses %j: %s', (input, reason) => {
		const settings = readMapperSettings(input);
		expect(settings.ok).toBe(false);
		if (!settings.ok) expect(settings.reason).toContain(reason);
	});
});
