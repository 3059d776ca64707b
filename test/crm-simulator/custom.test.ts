import { startCrmSimulator, type CrmSimulator } from '../../tools/crm-simulator';
import { call } from './http';

interface Activity {
	id: string;
	event: string;
	occurredAt: string;
	recipient: string | null;
	contact: { id: string | null; email: string | null };
	contactChanges: Record<string, unknown>;
}

function activity(id: string, occurredAt: string, contactChanges: Record<string, unknown>, contactId: string | null = 'c1'): Activity {
	return {
		id,
		event: 'open',
		occurredAt,
		recipient: contactId === null ? 'bob@example.com' : 'ann@example.com',
		contact: { id: contactId, email: null },
		contactChanges,
	};
}

const RECORDS: Activity[] = [
	activity('r1', '2024-05-01T10:00:00Z', { emailDeliveredAt: '2024-05-01T10:00:00Z', marketingOptOut: false }),
	activity('r2', '2024-05-01T11:00:00Z', { emailLastOpenedAt: '2024-05-01T11:00:00Z', emailOpenCount: { increment: 1 } }),
	activity('r3', '2024-05-01T12:30:00.000Z', { emailLastOpenedAt: '2024-05-01T12:30:00.000Z', emailOpenCount: { increment: 1 } }),
	activity('r4', '2024-05-01T12:40:00+02:00', { emailLastClickedAt: '2024-05-01T12:40:00+02:00' }),
	activity('r5', '2024-05-01T13:00:00Z', { emailUndeliverable: true, doNotContact: true }),
	activity('r6', '2024-05-01T09:00:00Z', { emailLastOpenedAt: '2024-05-01T09:00:00Z', emailOpenCount: { increment: 1 }, doNotContact: false }),
	activity('r7', '2024-05-01T14:00:00Z', { marketingOptOut: true }),
	activity('r8', '2024-05-01T15:00:00Z', { emailLastOpenedAt: '2024-05-01T15:00:00Z', emailOpenCount: { increment: 2 } }, null),
];

const EXPECTED = {
	c1: {
		emailDeliveredAt: '2024-05-01T10:00:00Z',
		emailLastOpenedAt: '2024-05-01T12:30:00.000Z',
		emailOpenCount: 3,
		// 12:40+02:00 is 10:40Z, still the only click
		emailLastClickedAt: '2024-05-01T12:40:00+02:00',
		emailUndeliverable: true,
		doNotContact: true,
		marketingOptOut: true,
	},
	'bob@example.com': { emailLastOpenedAt: '2024-05-01T15:00:00Z', emailOpenCount: 2 },
};

describe('Custom CRM', () => {
	let sim: CrmSimulator;

	beforeAll(async () => {
		sim = await startCrmSimulator({ tokens: { custom: 'secret' } });
	});
	afterAll(() => sim.close());
	beforeEach(() => sim.reset());

	const post = (body: unknown, headers: Record<string, string> = {}) =>
		call(sim, 'POST', '/activities', body, { Authorization: 'Bearer secret', ...headers });

	test('stores a new activity with 201 and acknowledges a repeat with 200', async () => {
		const record = RECORDS[0] as Activity;
		const first = await post(record, { 'Idempotency-Key': 'r1' });
		expect(first.status).toBe(201);
		expect(first.body).toEqual({ results: [{ id: 'r1', status: 'created' }] });

		const again = await post(record, { 'Idempotency-Key': 'r1' });
		expect(again.status).toBe(200);
		expect(again.body).toEqual({ results: [{ id: 'r1', status: 'duplicate' }] });

		expect(sim.writes.map((w) => [w.crm, w.kind, w.key, w.created])).toEqual([
			['custom', 'activity', 'r1', true],
			['custom', 'activity', 'r1', false],
		]);
		expect(sim.writes[1]?.item).toEqual(record);
		expect(sim.activityCounts('custom')).toEqual(new Map([['r1', 1]]));
		expect(sim.requests.map((r) => r.headers['idempotency-key'])).toEqual(['r1', 'r1']);
	});

	test('accepts an array; 201 when any record is new', async () => {
		await post(RECORDS[0]);
		const res = await post([RECORDS[0], RECORDS[1], RECORDS[1]]);
		expect(res.status).toBe(201);
		expect(res.body.results).toEqual([
			{ id: 'r1', status: 'duplicate' },
			{ id: 'r2', status: 'created' },
			{ id: 'r2', status: 'duplicate' },
		]);
		expect(sim.activityCounts()).toEqual(new Map([['r1', 1], ['r2', 1]]));
		expect(sim.writes.filter((w) => !w.created)).toHaveLength(2);
	});

	test.each([
		['missing id', { event: 'open', occurredAt: '2024-05-01T10:00:00Z' }],
		['numeric id', { id: 5, event: 'open', occurredAt: '2024-05-01T10:00:00Z' }],
		['missing event', { id: 'x', occurredAt: '2024-05-01T10:00:00Z' }],
		['missing occurredAt', { id: 'x', event: 'open' }],
		['an invalid record in a batch', [{ id: 'ok', event: 'open', occurredAt: '2024-05-01T10:00:00Z' }, { id: 'bad' }]],
		['an empty batch', []],
	])('answers 400 invalid_record for %s', async (_label, body) => {
		const res = await post(body);
		expect(res.status).toBe(400);
		expect(res.body).toEqual({ error: 'invalid_record', message: expect.any(String) });
		expect(sim.writes).toHaveLength(0);
	});

	test('answers 400 for a body that is not JSON and 415 for another content type', async () => {
		const broken = await post('{"id":');
		expect(broken.status).toBe(400);
		expect(broken.body.error).toBe('invalid_json');
		const text = await post(JSON.stringify(RECORDS[0]), { 'Content-Type': 'text/plain' });
		expect(text.status).toBe(415);
		expect(sim.writes).toHaveLength(0);
	});

	test('merges contact state the same way whatever order the records arrive in', async () => {
		const orders: Activity[][] = [
			RECORDS,
			[...RECORDS].reverse(),
			[4, 7, 0, 2, 6, 1, 5, 3].map((i) => RECORDS[i] as Activity),
			[2, 5, 3, 1, 7, 4, 0, 6].map((i) => RECORDS[i] as Activity),
		];
		const states: unknown[] = [];
		for (const order of orders) {
			sim.reset();
			for (const record of order) expect((await post(record)).status).toBe(201);
			states.push(Object.fromEntries(sim.contacts()));
		}
		// Batched, with repeats mixed in: repeats must not count twice.
		sim.reset();
		await post([RECORDS[3], RECORDS[2], RECORDS[2]]);
		await post([RECORDS[1], RECORDS[7], RECORDS[0], RECORDS[3]]);
		await post([RECORDS[6], RECORDS[5], RECORDS[4], RECORDS[2]]);
		states.push(Object.fromEntries(sim.contacts()));

		for (const state of states) expect(state).toEqual(EXPECTED);
	});

	test('contacts() is a snapshot, not live state', async () => {
		await post(RECORDS[1]);
		const snapshot = sim.contacts();
		(snapshot.get('c1') as Record<string, unknown>)['emailOpenCount'] = 99;
		expect(sim.contacts().get('c1')?.['emailOpenCount']).toBe(1);
	});

	test('health answers without auth, rate limiting or writes', async () => {
		const res = await call(sim, 'GET', '/health');
		expect(res.status).toBe(200);
		expect(res.body).toEqual({ ok: true });
		expect(sim.writes).toHaveLength(0);
		expect(sim.maxRequestsInWindow('custom')).toBe(0);
		expect(sim.requests).toHaveLength(1);
	});
});
