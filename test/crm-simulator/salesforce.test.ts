import { startCrmSimulator, type CrmSimulator } from '../../tools/crm-simulator';
import { call } from './http';

const BASE = '/services/data/v60.0';
const task = (eventId: string) => ({
	Subject: 'Email opened: Spring sale',
	TaskSubtype: 'Email',
	Status: 'Completed',
	ActivityDate: '2024-05-01',
	WhoId: '003000000000001AAA',
	WhatId: null,
	Description: 'Opened at 10:00',
	Mailtarget_Event_Id__c: eventId,
});

describe('Salesforce', () => {
	let sim: CrmSimulator;

	beforeAll(async () => {
		sim = await startCrmSimulator();
	});
	afterAll(() => sim.close());
	beforeEach(() => sim.reset());

	test('creates a Task and reports API usage on every response', async () => {
		const res = await call(sim, 'POST', `${BASE}/sobjects/Task`, task('evt-1'));
		expect(res.status).toBe(201);
		expect(res.body).toEqual({ id: expect.stringMatching(/^00T\w{15}$/), success: true, errors: [] });
		expect(res.headers.get('sforce-limit-info')).toBe('api-usage=1/1000');
		expect(sim.writes).toEqual([
			expect.objectContaining({ crm: 'salesforce', kind: 'task', key: 'evt-1', item: task('evt-1'), created: true }),
		]);

		const missing = await call(sim, 'GET', `${BASE}/sobjects/Task/unknown/route/here`);
		expect(missing.status).toBe(404);
		expect(missing.body).toEqual([{ message: expect.any(String), errorCode: 'NOT_FOUND' }]);
		expect(missing.headers.get('sforce-limit-info')).toBe('api-usage=2/1000');
	});

	test('accepts any API version', async () => {
		expect((await call(sim, 'POST', '/services/data/v58.0/sobjects/Task', task('a'))).status).toBe(201);
		expect((await call(sim, 'POST', '/services/data/v61.0/sobjects/Task', task('b'))).status).toBe(201);
		expect((await call(sim, 'POST', '/services/data/latest/sobjects/Task', task('c'))).status).toBe(404);
	});

	test('answers 400 JSON_PARSER_ERROR and REQUIRED_FIELD_MISSING', async () => {
		const broken = await call(sim, 'POST', `${BASE}/sobjects/Task`, '{"Subject":');
		expect(broken.status).toBe(400);
		expect(broken.body).toEqual([{ message: expect.any(String), errorCode: 'JSON_PARSER_ERROR' }]);
		const { Subject: _subject, ...noSubject } = task('x');
		const missing = await call(sim, 'POST', `${BASE}/sobjects/Task`, noSubject);
		expect(missing.status).toBe(400);
		expect(missing.body).toEqual([{ message: 'Required fields are missing: [Subject]', errorCode: 'REQUIRED_FIELD_MISSING' }]);
		expect(sim.writes).toHaveLength(0);
	});

	test('updates a Contact and a Lead with 204', async () => {
		const contact = await call(sim, 'PATCH', `${BASE}/sobjects/Contact/003000000000001AAA`, { Mailtarget_Last_Opened__c: '2024-05-01T10:00:00Z' });
		const lead = await call(sim, 'PATCH', `${BASE}/sobjects/Lead/00Q000000000001AAA`, { HasOptedOutOfEmail: true });
		expect(contact.status).toBe(204);
		expect(contact.body).toBeUndefined();
		expect(lead.status).toBe(204);
		expect(sim.writes.map((w) => [w.kind, w.key, w.created, w.method])).toEqual([
			['contact', '003000000000001AAA', false, 'PATCH'],
			['lead', '00Q000000000001AAA', false, 'PATCH'],
		]);
		expect(sim.activityCounts('salesforce').size).toBe(0);
	});

	test('upserting the same external id twice creates one Task', async () => {
		const path = `${BASE}/sobjects/Task/Mailtarget_Event_Id__c/evt-7`;
		const { Mailtarget_Event_Id__c: _id, ...fields } = task('evt-7');
		const first = await call(sim, 'PATCH', path, fields);
		const second = await call(sim, 'PATCH', path, { ...fields, Status: 'Completed' });
		expect(first.status).toBe(201);
		expect(first.body).toEqual({ id: expect.stringMatching(/^00T/), success: true, errors: [], created: true });
		expect(second.status).toBe(200);
		expect(second.body).toEqual({ id: first.body.id, success: true, errors: [], created: false });
		expect(sim.writes.map((w) => [w.kind, w.key, w.created])).toEqual([
			['task', 'evt-7', true],
			['task', 'evt-7', false],
		]);
		expect(sim.activityCounts('salesforce')).toEqual(new Map([['evt-7', 1]]));
	});

	test('an upsert finds a Task that a plain POST created', async () => {
		const created = await call(sim, 'POST', `${BASE}/sobjects/Task`, task('evt-8'));
		const upserted = await call(sim, 'PATCH', `${BASE}/sobjects/Task/Mailtarget_Event_Id__c/evt-8`, { Status: 'Completed' });
		expect(upserted.status).toBe(200);
		expect(upserted.body.id).toBe(created.body.id);
		expect(sim.activityCounts()).toEqual(new Map([['evt-8', 1]]));
	});

	test('an upsert that would create a Task still needs its required fields', async () => {
		const res = await call(sim, 'PATCH', `${BASE}/sobjects/Task/Mailtarget_Event_Id__c/evt-9`, { Status: 'Completed' });
		expect(res.status).toBe(400);
		expect(res.body[0].errorCode).toBe('REQUIRED_FIELD_MISSING');
	});

	test('plain POSTs with the same event id are two creates', async () => {
		await call(sim, 'POST', `${BASE}/sobjects/Task`, task('dup'));
		await call(sim, 'POST', `${BASE}/sobjects/Task`, task('dup'));
		expect(sim.activityCounts('salesforce').get('dup')).toBe(2);
	});

	test('composite create records each record by its type', async () => {
		const res = await call(sim, 'POST', `${BASE}/composite/sobjects`, {
			allOrNone: false,
			records: [
				{ attributes: { type: 'Task' }, ...task('c1') },
				{ attributes: { type: 'Lead' }, LastName: 'Doe', Company: 'Acme' },
			],
		});
		expect(res.status).toBe(200);
		expect(res.body).toEqual([
			{ id: expect.stringMatching(/^00T/), success: true, errors: [] },
			{ id: expect.stringMatching(/^00Q/), success: true, errors: [] },
		]);
		expect(sim.writes.map((w) => [w.kind, w.key, w.created])).toEqual([
			['task', 'c1', true],
			['lead', res.body[1].id, true],
		]);
		expect(sim.activityCounts('salesforce')).toEqual(new Map([['c1', 1]]));
	});

	test('composite update changes records by id', async () => {
		const res = await call(sim, 'PATCH', `${BASE}/composite/sobjects`, {
			records: [
				{ attributes: { type: 'Contact' }, id: '003000000000009AAA', HasOptedOutOfEmail: true },
				{ attributes: { type: 'Lead' }, id: '00Q000000000009AAA', HasOptedOutOfEmail: true },
			],
		});
		expect(res.status).toBe(200);
		expect(res.body).toEqual([
			{ id: '003000000000009AAA', success: true, errors: [] },
			{ id: '00Q000000000009AAA', success: true, errors: [] },
		]);
		expect(sim.writes.map((w) => [w.kind, w.key, w.created])).toEqual([
			['contact', '003000000000009AAA', false],
			['lead', '00Q000000000009AAA', false],
		]);
		const noId = await call(sim, 'PATCH', `${BASE}/composite/sobjects`, { records: [{ attributes: { type: 'Contact' }, HasOptedOutOfEmail: true }] });
		expect(noId.status).toBe(200);
		expect(noId.body).toEqual([
			{ id: null, success: false, errors: [{ statusCode: 'REQUIRED_FIELD_MISSING', message: 'Required fields are missing: [Id]', fields: ['Id'] }] },
		]);
		expect(sim.writes).toHaveLength(2);
	});

	test('composite upsert by external id is idempotent', async () => {
		const body = {
			allOrNone: false,
			records: [
				{ attributes: { type: 'Task' }, ...task('u1') },
				{ attributes: { type: 'Task' }, ...task('u2') },
			],
		};
		const first = await call(sim, 'PATCH', `${BASE}/composite/sobjects/Task/Mailtarget_Event_Id__c`, body);
		const second = await call(sim, 'PATCH', `${BASE}/composite/sobjects/Task/Mailtarget_Event_Id__c`, body);
		expect(first.body.map((r: { created: boolean }) => r.created)).toEqual([true, true]);
		expect(second.body.map((r: { created: boolean }) => r.created)).toEqual([false, false]);
		expect(second.body.map((r: { id: string }) => r.id)).toEqual(first.body.map((r: { id: string }) => r.id));
		expect(sim.activityCounts('salesforce')).toEqual(new Map([['u1', 1], ['u2', 1]]));
	});

	test('rejects composite batches over 200 records, without a type, or with missing fields', async () => {
		const records = Array.from({ length: 201 }, (_, i) => ({ attributes: { type: 'Task' }, ...task(`t${i}`) }));
		const tooMany = await call(sim, 'POST', `${BASE}/composite/sobjects`, { records });
		expect(tooMany.status).toBe(400);
		expect(tooMany.body[0]).toEqual({ message: expect.stringContaining('201'), errorCode: 'EXCEEDED_ID_LIMIT' });

		const noType = await call(sim, 'POST', `${BASE}/composite/sobjects`, { records: [task('x')] });
		expect(noType.status).toBe(400);

		// allOrNone: one refused record rolls the others back; all 200, nothing written.
		const noLastName = await call(sim, 'POST', `${BASE}/composite/sobjects`, {
			allOrNone: true,
			records: [{ attributes: { type: 'Task' }, ...task('ok') }, { attributes: { type: 'Contact' }, FirstName: 'A' }],
		});
		expect(noLastName.status).toBe(200);
		expect(noLastName.body).toEqual([
			{ id: null, success: false, errors: [expect.objectContaining({ statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK' })] },
			{ id: null, success: false, errors: [{ statusCode: 'REQUIRED_FIELD_MISSING', message: 'Required fields are missing: [LastName]', fields: ['LastName'] }] },
		]);
		expect(sim.writes).toHaveLength(0);

		// Without allOrNone the valid record is written and the refused one is reported beside it.
		const partial = await call(sim, 'POST', `${BASE}/composite/sobjects`, {
			allOrNone: false,
			records: [{ attributes: { type: 'Task' }, ...task('ok') }, { attributes: { type: 'Contact' }, FirstName: 'A' }],
		});
		expect(partial.status).toBe(200);
		expect(partial.body).toEqual([
			{ id: expect.stringMatching(/^00T/), success: true, errors: [] },
			{ id: null, success: false, errors: [expect.objectContaining({ statusCode: 'REQUIRED_FIELD_MISSING' })] },
		]);
		expect(sim.writes.map((w) => w.key)).toEqual(['ok']);
		sim.reset();

		const exactly200 = await call(sim, 'POST', `${BASE}/composite/sobjects`, { records: records.slice(0, 200) });
		expect(exactly200.status).toBe(200);
		expect(exactly200.body).toHaveLength(200);
	});
	test('a collection naming one id or external id twice: each of those records is refused with DUPLICATE_VALUE, the others are written', async () => {
		const update = await call(sim, 'PATCH', `${BASE}/composite/sobjects`, {
			allOrNone: false,
			records: [
				{ attributes: { type: 'Contact' }, id: '003000000000007AAA', HasOptedOutOfEmail: true },
				{ attributes: { type: 'Contact' }, id: '003000000000008AAA', HasOptedOutOfEmail: true },
				{ attributes: { type: 'Contact' }, id: '003000000000007AAA', Email: 'b@example.com' },
			],
		});
		expect(update.status).toBe(200);
		const duplicateId = { statusCode: 'DUPLICATE_VALUE', message: 'duplicate value found: Id duplicates value on record with id: 003000000000007AAA', fields: ['Id'] };
		expect(update.body).toEqual([
			{ id: null, success: false, errors: [duplicateId] },
			{ id: '003000000000008AAA', success: true, errors: [] },
			{ id: null, success: false, errors: [duplicateId] },
		]);
		expect(sim.writes.map((w) => w.key)).toEqual(['003000000000008AAA']);

		const upsert = await call(sim, 'PATCH', `${BASE}/composite/sobjects/Task/Mailtarget_Event_Id__c`, {
			allOrNone: false,
			records: [{ attributes: { type: 'Task' }, ...task('d1') }, { attributes: { type: 'Task' }, ...task('d1') }, { attributes: { type: 'Task' }, ...task('d2') }],
		});
		expect(upsert.body.map((r: { success: boolean; errors: Array<{ statusCode: string }> }) => [r.success, r.errors[0]?.statusCode])).toEqual([
			[false, 'DUPLICATE_VALUE'],
			[false, 'DUPLICATE_VALUE'],
			[true, undefined],
		]);
		expect(sim.activityCounts('salesforce')).toEqual(new Map([['d2', 1]]));

		// With allOrNone the duplicates roll every other record back.
		sim.reset();
		const rolledBack = await call(sim, 'PATCH', `${BASE}/composite/sobjects/Task/Mailtarget_Event_Id__c`, {
			allOrNone: true,
			records: [{ attributes: { type: 'Task' }, ...task('d3') }, { attributes: { type: 'Task' }, ...task('d4') }, { attributes: { type: 'Task' }, ...task('d3') }],
		});
		expect(rolledBack.body.map((r: { errors: Array<{ statusCode: string }> }) => r.errors[0]?.statusCode)).toEqual(['DUPLICATE_VALUE', 'ALL_OR_NONE_OPERATION_ROLLED_BACK', 'DUPLICATE_VALUE']);
		expect(sim.writes).toHaveLength(0);
	});
});
