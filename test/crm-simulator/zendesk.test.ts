import { startCrmSimulator, type CrmSimulator } from '../../tools/crm-simulator';
import { call } from './http';

const ticket = (externalId: string) => ({
	subject: 'Hard bounce: ann@example.com',
	comment: { body: 'The address bounced.', public: false },
	external_id: externalId,
	tags: ['mailtarget', 'bounce'],
	priority: 'high',
});

describe('Zendesk', () => {
	let sim: CrmSimulator;

	beforeAll(async () => {
		sim = await startCrmSimulator();
	});
	afterAll(() => sim.close());
	beforeEach(() => sim.reset());

	test('creates a ticket and records its external id', async () => {
		const res = await call(sim, 'POST', '/api/v2/tickets.json', { ticket: ticket('evt-1') });
		expect(res.status).toBe(201);
		expect(res.body.ticket).toMatchObject({ id: 1, subject: 'Hard bounce: ann@example.com', external_id: 'evt-1', status: 'new' });
		expect(res.body.ticket.url).toBe(`${sim.url}/api/v2/tickets/1.json`);
		expect(res.headers.get('x-rate-limit')).toBe('200');
		expect(res.headers.get('x-rate-limit-remaining')).toBe('199');
		expect(sim.writes).toEqual([
			expect.objectContaining({ crm: 'zendesk', kind: 'ticket', key: 'evt-1', item: ticket('evt-1'), created: true }),
		]);
		expect(sim.activityCounts('zendesk')).toEqual(new Map([['evt-1', 1]]));
	});

	test('answers 422 RecordInvalid for a ticket without a comment and 400 for a body it cannot read', async () => {
		const noComment = await call(sim, 'POST', '/api/v2/tickets.json', { ticket: { subject: 'x' } });
		expect(noComment.status).toBe(422);
		expect(noComment.body).toEqual({
			error: 'RecordInvalid',
			description: 'Record validation errors',
			details: { base: [{ description: expect.stringContaining('comment.body') }] },
		});
		const broken = await call(sim, 'POST', '/api/v2/tickets.json', 'ticket=1');
		expect(broken.status).toBe(400);
		expect(broken.body.error).toBe('InvalidValue');
		expect(sim.writes).toHaveLength(0);
	});

	test('create_many queues a job, records each ticket, and the job completes', async () => {
		const res = await call(sim, 'POST', '/api/v2/tickets/create_many.json', { tickets: [ticket('a'), ticket('b')] });
		expect(res.status).toBe(200);
		expect(res.body.job_status).toMatchObject({ status: 'queued', total: 2 });
		expect(res.body.job_status.url).toBe(`${sim.url}/api/v2/job_statuses/${res.body.job_status.id}.json`);
		expect(sim.writes.map((w) => [w.kind, w.key])).toEqual([
			['ticket', 'a'],
			['ticket', 'b'],
		]);

		const job = await call(sim, 'GET', res.body.job_status.url.slice(sim.url.length));
		expect(job.status).toBe(200);
		expect(job.body.job_status).toMatchObject({ status: 'completed', progress: 2, results: [{ index: 0, id: 1 }, { index: 1, id: 2 }] });
	});

	test('create_many rejects more than 100 tickets', async () => {
		const tickets = Array.from({ length: 101 }, (_, i) => ticket(`t${i}`));
		const res = await call(sim, 'POST', '/api/v2/tickets/create_many.json', { tickets });
		expect(res.status).toBe(400);
		expect(res.body.error).toBe('InvalidValue');
		expect(sim.writes).toHaveLength(0);
	});

	test('updates one user', async () => {
		const body = { user: { user_fields: { mailtarget_do_not_contact: true } } };
		const res = await call(sim, 'PUT', '/api/v2/users/42.json', body);
		expect(res.status).toBe(200);
		expect(res.body.user).toMatchObject({ id: 42, user_fields: { mailtarget_do_not_contact: true } });
		expect(sim.writes).toEqual([expect.objectContaining({ kind: 'user', key: '42', item: body.user, created: false })]);
		expect((await call(sim, 'PUT', '/api/v2/users/42.json', { nope: true })).status).toBe(400);
	});

	test('update_many records every user', async () => {
		const res = await call(sim, 'PUT', '/api/v2/users/update_many.json', {
			users: [
				{ id: 7, user_fields: { mailtarget_last_opened_at: '2024-05-01T10:00:00Z' } },
				{ email: 'ann@example.com', user_fields: { mailtarget_do_not_contact: true } },
			],
		});
		expect(res.status).toBe(200);
		expect(res.body.job_status.status).toBe('queued');
		expect(sim.writes.map((w) => [w.kind, w.key, w.created])).toEqual([
			['user', '7', false],
			['user', 'ann@example.com', false],
		]);
		const noKey = await call(sim, 'PUT', '/api/v2/users/update_many.json', { users: [{ user_fields: {} }] });
		expect(noKey.status).toBe(422);
		expect(noKey.body.error).toBe('RecordInvalid');
	});

	test('create_or_update_many creates once per email, then updates', async () => {
		const body = { users: [{ email: 'ann@example.com', user_fields: { mailtarget_email_undeliverable: true } }] };
		const first = await call(sim, 'POST', '/api/v2/users/create_or_update_many.json', body);
		const second = await call(sim, 'POST', '/api/v2/users/create_or_update_many.json', body);
		expect(first.status).toBe(200);
		expect(second.status).toBe(200);
		expect(sim.writes.map((w) => [w.kind, w.key, w.created])).toEqual([
			['user', 'ann@example.com', true],
			['user', 'ann@example.com', false],
		]);
		const noEmail = await call(sim, 'POST', '/api/v2/users/create_or_update_many.json', { users: [{ name: 'Ann' }] });
		expect(noEmail.status).toBe(422);
		const tooMany = await call(sim, 'POST', '/api/v2/users/create_or_update_many.json', {
			users: Array.from({ length: 101 }, (_, i) => ({ email: `${i}@x.io` })),
		});
		expect(tooMany.status).toBe(400);
		expect(sim.writes).toHaveLength(2);
	});

	test('create_or_update_many is POST only; unknown routes are 404 JSON', async () => {
		const put = await call(sim, 'PUT', '/api/v2/users/create_or_update_many.json', { users: [{ email: 'a@b.c' }] });
		expect(put.status).toBe(404);
		expect(put.body).toEqual({ error: 'InvalidEndpoint', description: 'Not found' });
		expect(sim.writes).toHaveLength(0);
	});
});
