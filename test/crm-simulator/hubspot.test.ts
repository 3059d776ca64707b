import { startCrmSimulator, type CrmSimulator } from '../../tools/crm-simulator';
import { call, manualClock } from './http';

const note = (eventId?: string) => ({
	properties: {
		hs_timestamp: '2024-05-01T10:00:00.000Z',
		hs_note_body: 'Email opened',
		...(eventId ? { mailtarget_event_id: eventId } : {}),
	},
	associations: [{ to: { id: '501' }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 202 }] }],
});

describe('HubSpot', () => {
	let sim: CrmSimulator;
	const clock = manualClock(Date.UTC(2024, 4, 1, 12));

	beforeAll(async () => {
		sim = await startCrmSimulator({ now: clock.now });
	});
	afterAll(() => sim.close());
	beforeEach(() => sim.reset());

	test('creates a note and records it with its event id', async () => {
		const res = await call(sim, 'POST', '/crm/v3/objects/notes', note('evt-1'));
		expect(res.status).toBe(201);
		expect(res.body.id).toBe('1');
		expect(res.body.properties.hs_note_body).toBe('Email opened');
		expect(res.body.properties.mailtarget_event_id).toBe('evt-1');
		expect(res.body.createdAt).toBe('2024-05-01T12:00:00.000Z');
		expect(res.headers.get('x-hubspot-ratelimit-max')).toBe('100');
		expect(res.headers.get('x-hubspot-ratelimit-remaining')).toBe('99');
		expect(res.headers.get('x-hubspot-ratelimit-interval-milliseconds')).toBe('10000');
		expect(sim.writes).toEqual([
			{
				at: clock.now(),
				crm: 'hubspot',
				method: 'POST',
				path: '/crm/v3/objects/notes',
				kind: 'note',
				key: 'evt-1',
				item: note('evt-1'),
				created: true,
			},
		]);
		expect(sim.activityCounts('hubspot')).toEqual(new Map([['evt-1', 1]]));
	});

	test('a note without an event id is recorded with a null key and not counted by key', async () => {
		expect((await call(sim, 'POST', '/crm/v3/objects/notes', note())).status).toBe(201);
		expect(sim.writes[0]?.key).toBeNull();
		expect(sim.activityCounts().size).toBe(0);
	});

	test('batch-creates notes, one write per input', async () => {
		const res = await call(sim, 'POST', '/crm/v3/objects/notes/batch/create', {
			inputs: [note('a'), note('b'), note('a')],
		});
		expect(res.status).toBe(201);
		expect(res.body.status).toBe('COMPLETE');
		expect(res.body.results.map((r: { id: string }) => r.id)).toEqual(['1', '2', '3']);
		expect(sim.writes.map((w) => w.key)).toEqual(['a', 'b', 'a']);
		expect(sim.activityCounts('hubspot')).toEqual(new Map([['a', 2], ['b', 1]]));
	});

	test('rejects a batch of more than 100 inputs and writes nothing', async () => {
		const inputs = Array.from({ length: 101 }, (_, i) => note(`e${i}`));
		const res = await call(sim, 'POST', '/crm/v3/objects/notes/batch/create', { inputs });
		expect(res.status).toBe(400);
		expect(res.body).toMatchObject({ status: 'error', category: 'VALIDATION_ERROR' });
		expect(res.body.message).toContain('101');
		expect(sim.writes).toHaveLength(0);

		const exactly100 = await call(sim, 'POST', '/crm/v3/objects/notes/batch/create', { inputs: inputs.slice(0, 100) });
		expect(exactly100.status).toBe(201);
		expect(sim.writes).toHaveLength(100);
	});

	test.each([
		['not JSON', '{"properties":'],
		['missing hs_note_body', { properties: { hs_timestamp: '2024-05-01T10:00:00Z' } }],
		['missing hs_timestamp', { properties: { hs_note_body: 'x' } }],
		['no properties', { associations: [] }],
	])('answers 400 VALIDATION_ERROR for a note with %s', async (_label, body) => {
		const res = await call(sim, 'POST', '/crm/v3/objects/notes', body);
		expect(res.status).toBe(400);
		expect(res.body.status).toBe('error');
		expect(res.body.category).toBe('VALIDATION_ERROR');
		expect(typeof res.body.message).toBe('string');
		expect(sim.writes).toHaveLength(0);
	});

	test('rejects a batch when one input is invalid', async () => {
		const res = await call(sim, 'POST', '/crm/v3/objects/notes/batch/create', { inputs: [note('ok'), { properties: {} }] });
		expect(res.status).toBe(400);
		expect(res.body.message).toMatch(/inputs\[1\]/);
		expect(sim.writes).toHaveLength(0);
	});

	test('upserts contacts by email; the second upsert updates the same contact', async () => {
		const input = { idProperty: 'email', id: 'ann@example.com', properties: { mailtarget_last_opened_at: '2024-05-01T10:00:00Z' } };
		const first = await call(sim, 'POST', '/crm/v3/objects/contacts/batch/upsert', { inputs: [input] });
		const second = await call(sim, 'POST', '/crm/v3/objects/contacts/batch/upsert', { inputs: [input] });
		expect(first.status).toBe(200);
		expect(first.body.status).toBe('COMPLETE');
		expect(first.body.results[0]).toMatchObject({ new: true, properties: { mailtarget_last_opened_at: '2024-05-01T10:00:00Z' } });
		expect(second.body.results[0].new).toBe(false);
		expect(second.body.results[0].id).toBe(first.body.results[0].id);
		expect(sim.writes.map((w) => [w.kind, w.key, w.created])).toEqual([
			['contact', 'ann@example.com', true],
			['contact', 'ann@example.com', false],
		]);
	});

	test('rejects an upsert of more than 100 contacts or without an id', async () => {
		const inputs = Array.from({ length: 101 }, (_, i) => ({ idProperty: 'email', id: `${i}@x.io`, properties: {} }));
		expect((await call(sim, 'POST', '/crm/v3/objects/contacts/batch/upsert', { inputs })).status).toBe(400);
		const noId = await call(sim, 'POST', '/crm/v3/objects/contacts/batch/upsert', { inputs: [{ properties: {} }] });
		expect(noId.status).toBe(400);
		expect(noId.body.category).toBe('VALIDATION_ERROR');
		expect(sim.writes).toHaveLength(0);
	});

	test('batch-updates contacts by id', async () => {
		const res = await call(sim, 'POST', '/crm/v3/objects/contacts/batch/update', {
			inputs: [
				{ id: '501', properties: { mailtarget_do_not_contact: 'true' } },
				{ id: '502', properties: { mailtarget_do_not_contact: 'true' } },
			],
		});
		expect(res.status).toBe(200);
		expect(res.body.results.map((r: { id: string }) => r.id)).toEqual(['501', '502']);
		expect(sim.writes.map((w) => [w.kind, w.key, w.created])).toEqual([
			['contact', '501', false],
			['contact', '502', false],
		]);
	});

	test.each([
		['upsert', '/crm/v3/objects/contacts/batch/upsert', [
			{ idProperty: 'email', id: 'ann@example.com', properties: { a: '1' } },
			{ idProperty: 'email', id: 'bob@example.com', properties: { a: '1' } },
			{ idProperty: 'email', id: 'ann@example.com', properties: { b: '2' } },
		], 'ann@example.com'],
		['update', '/crm/v3/objects/contacts/batch/update', [
			{ id: '501', properties: { a: '1' } },
			{ id: '501', properties: { b: '2' } },
		], '501'],
	])('refuses a whole batch %s that names one contact twice (400 VALIDATION_ERROR, nothing written)', async (_label, path, inputs, id) => {
		const res = await call(sim, 'POST', path, { inputs });
		expect(res.status).toBe(400);
		expect(res.body).toEqual({
			status: 'error',
			message: `Duplicate IDs found in batch input: [${id}]. IDs must be unique`,
			correlationId: expect.any(String),
			context: { ids: [id] },
			category: 'VALIDATION_ERROR',
		});
		expect(sim.writes).toHaveLength(0);
	});

	test('the same email in two separate upserts is fine', async () => {
		const input = { idProperty: 'email', id: 'ann@example.com', properties: { a: '1' } };
		expect((await call(sim, 'POST', '/crm/v3/objects/contacts/batch/upsert', { inputs: [input] })).status).toBe(200);
		expect((await call(sim, 'POST', '/crm/v3/objects/contacts/batch/upsert', { inputs: [input] })).status).toBe(200);
	});

	test('patches one contact', async () => {
		const res = await call(sim, 'PATCH', '/crm/v3/objects/contacts/777', { properties: { mailtarget_email_undeliverable: 'true' } });
		expect(res.status).toBe(200);
		expect(res.body).toMatchObject({ id: '777', properties: { mailtarget_email_undeliverable: 'true' } });
		expect(sim.writes[0]).toMatchObject({ kind: 'contact', key: '777', method: 'PATCH', path: '/crm/v3/objects/contacts/777' });
		expect((await call(sim, 'PATCH', '/crm/v3/objects/contacts/777', { nope: 1 })).status).toBe(400);
	});

	test('unsubscribes an address from a subscription', async () => {
		const body = { emailAddress: 'ann@example.com', subscriptionId: '9001', legalBasis: 'LEGITIMATE_INTEREST_CLIENT', legalBasisExplanation: 'complaint' };
		const res = await call(sim, 'POST', '/communication-preferences/v3/unsubscribe', body);
		expect(res.status).toBe(200);
		expect(res.body).toMatchObject({ id: '9001', status: 'NOT_SUBSCRIBED', legalBasis: 'LEGITIMATE_INTEREST_CLIENT' });
		expect(sim.writes).toEqual([expect.objectContaining({ kind: 'optout', key: 'ann@example.com', item: body, created: true })]);
		const missing = await call(sim, 'POST', '/communication-preferences/v3/unsubscribe', { emailAddress: 'ann@example.com' });
		expect(missing.status).toBe(400);
		expect(missing.body.category).toBe('VALIDATION_ERROR');
	});

	test('unknown HubSpot paths answer 404 JSON', async () => {
		const res = await call(sim, 'GET', '/crm/v3/objects/deals');
		expect(res.status).toBe(404);
		expect(res.body.status).toBe('error');
		expect(res.headers.get('content-type')).toMatch(/^application\/json/);
	});
});
