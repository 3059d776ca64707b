/**
 * The CRMs' official client libraries perform against the simulator what the examples' function
 * nodes build: the simulator must accept them, record them, and refuse what the real CRM refuses
 * with the real status codes. Otherwise the example proofs only prove our own reading of the APIs.
 */
import { Client as HubSpotClient } from '@hubspot/api-client';
import { Connection } from 'jsforce';
import { createClient as createZendeskClient } from 'node-zendesk';

import { startCrmSimulator, type CrmSimulator, type RecordedRequest } from '../../tools/crm-simulator';
import { campaignRecords as records, exampleFunction, type BuiltCall } from './exampleCalls';

const TOKENS = { hubspot: 'hubspot-token', salesforce: 'salesforce-token', zendesk: 'zendesk-token' };

/** What reached the simulator, as path + method + body. */
function seen(request: RecordedRequest | undefined) {
	return request && { method: request.method, path: request.path.replace(/\?.*$/, ''), body: request.body };
}

function expectSameCall(request: RecordedRequest | undefined, built: BuiltCall | null, base: string) {
	expect(built).not.toBeNull();
	expect(seen(request)).toEqual({ method: built!.method, path: built!.url.slice(base.length), body: built!.payload });
}

describe('official CRM clients against the simulator', () => {
	let sim: CrmSimulator;

	beforeAll(async () => {
		sim = await startCrmSimulator({ tokens: TOKENS });
	});
	afterAll(() => sim.close());
	beforeEach(() => sim.reset());

	describe('@hubspot/api-client', () => {
		const vars = () => ({ HUBSPOT_BASE_URL: sim.url, HUBSPOT_TOKEN: TOKENS.hubspot });
		const client = () => new HubSpotClient({ accessToken: TOKENS.hubspot, basePath: sim.url });

		test('batch-creates the notes the example builds; each is recorded once', async () => {
			const batch = records('hubspot', 12).slice(0, 100);
			const built = exampleFunction('CRM - HubSpot.json', 'build HubSpot notes call', vars())(batch);
			const answer = await client().crm.objects.notes.batchApi.create({ inputs: batch.map((r) => r.hubspot!.api.noteCreate) as never });

			expect(answer.results).toHaveLength(batch.length);
			expectSameCall(sim.requests[0], built, sim.url);
			expect(sim.requests[0]!.status).toBe(201);
			expect(sim.requests[0]!.headers.authorization).toBe(`Bearer ${TOKENS.hubspot}`);
			expect(sim.activityCounts('hubspot')).toEqual(new Map(batch.map((r) => [r.id, 1])));
		});

		test('upserts the contacts the example de-duplicates; without that de-duplication HubSpot refuses the batch', async () => {
			const batch = records('hubspot', 6).filter((r) => r.hubspot!.api.contactUpsert);
			const built = exampleFunction('CRM - HubSpot.json', 'build HubSpot contacts call', vars())(batch);
			const inputs = (built!.payload as { inputs: Array<{ id: string; idProperty: string; properties: Record<string, string> }> }).inputs;
			expect(new Set(inputs.map((i) => i.id)).size).toBe(inputs.length);

			const answer = await client().crm.contacts.batchApi.upsert({ inputs });
			expect(answer.results).toHaveLength(inputs.length);
			expectSameCall(sim.requests[0], built, sim.url);
			expect(sim.writes.filter((w) => w.kind === 'contact').map((w) => w.key).sort()).toEqual(inputs.map((i) => i.id).sort());

			sim.reset();
			const everyRecord = batch.map((r) => r.hubspot!.api.contactUpsert!);
			expect(everyRecord.length).toBeGreaterThan(inputs.length);
			const refused = await client().crm.contacts.batchApi.upsert({ inputs: everyRecord }).then(
				() => undefined,
				(err: { code: number; body: { category: string; context: { ids: string[] } } }) => err,
			);
			expect(refused).toMatchObject({ code: 400, body: { category: 'VALIDATION_ERROR' } });
			expect(refused!.body.context.ids.length).toBeGreaterThan(0);
			expect(sim.writes).toHaveLength(0);
		});

		test('more than 100 inputs: 400 VALIDATION_ERROR; over the rate limit: 429 with policyName', async () => {
			const notes = records('hubspot', 30).slice(0, 101).map((r) => r.hubspot!.api.noteCreate);
			expect(notes).toHaveLength(101);
			await expect(client().crm.objects.notes.batchApi.create({ inputs: notes as never })).rejects.toMatchObject({
				code: 400,
				body: { category: 'VALIDATION_ERROR' },
			});
			sim.inject({ kind: 'status', status: 429, count: 1, crm: 'hubspot' });
			await expect(client().crm.objects.notes.batchApi.create({ inputs: notes.slice(0, 1) as never })).rejects.toMatchObject({
				code: 429,
				body: { policyName: 'TEN_SECONDLY_ROLLING' },
			});
			expect(sim.writes).toHaveLength(0);
		});

		test('a wrong token is 401 INVALID_AUTHENTICATION', async () => {
			const wrong = new HubSpotClient({ accessToken: 'nope', basePath: sim.url });
			await expect(wrong.crm.objects.notes.batchApi.create({ inputs: [] })).rejects.toMatchObject({ code: 401, body: { category: 'INVALID_AUTHENTICATION' } });
		});
	});

	describe('jsforce', () => {
		const vars = () => ({ SALESFORCE_INSTANCE_URL: sim.url, SALESFORCE_ACCESS_TOKEN: TOKENS.salesforce });
		const connection = () => new Connection({ instanceUrl: sim.url, accessToken: TOKENS.salesforce, version: '60.0' });
		const stripType = ({ attributes: _attributes, ...fields }: Record<string, unknown>) => fields;

		test('upserts the Tasks the example builds by Mailtarget_Event_Id__c; a second upsert creates nothing', async () => {
			const batch = records('salesforce', 12).slice(0, 200);
			const built = exampleFunction('CRM - Salesforce.json', 'build Salesforce tasks call', vars())(batch);
			const tasks = batch.map((r) => stripType(r.salesforce!.api.task));

			const first = await connection().sobject('Task').upsert(tasks, 'Mailtarget_Event_Id__c', { allOrNone: false });
			expect(first.map((r) => r.success)).toEqual(batch.map(() => true));
			expectSameCall(sim.requests[0], built, sim.url);

			await connection().sobject('Task').upsert(tasks, 'Mailtarget_Event_Id__c', { allOrNone: false });
			expect([...sim.activityCounts('salesforce').values()].every((n) => n === 1)).toBe(true);
			expect(sim.activityCounts('salesforce').size).toBe(batch.length);
		});

		test('updates the Contacts/Leads the example de-duplicates', async () => {
			const batch = records('salesforce', 8).filter((r) => r.salesforce!.api.whoUpdate);
			const built = exampleFunction('CRM - Salesforce.json', 'build Salesforce contacts call', vars())(batch);
			const entries = (built!.payload as { records: Array<Record<string, unknown> & { id: string; attributes: { type: string } }> }).records;
			expect(entries.length).toBeLessThan(batch.length);

			const types = new Set(entries.map((e) => e.attributes.type));
			expect(types.size).toBe(1);
			const asJsforceTakesThem = entries.map(({ id, ...rest }) => ({ Id: id, ...stripType(rest) }) as { Id: string });
			const answer = await connection().sobject([...types][0]!).update(asJsforceTakesThem, { allOrNone: false });
			expect(answer.map((r) => r.success)).toEqual(entries.map(() => true));
			expectSameCall(sim.requests[0], built, sim.url);
		});

		test('a refused record comes back in a 200 beside the written ones; 201 records are two calls; the daily limit is 403 REQUEST_LIMIT_EXCEEDED', async () => {
			const [valid] = records('salesforce', 1).map((r) => stripType(r.salesforce!.api.task));
			const partial = await connection()
				.sobject('Task')
				.upsert([valid!, { Mailtarget_Event_Id__c: 'no-subject' }], 'Mailtarget_Event_Id__c', { allOrNone: false });
			expect(sim.requests[0]!.status).toBe(200);
			expect(partial[0]).toMatchObject({ success: true });
			expect(partial[1]).toMatchObject({ success: false, errors: [expect.objectContaining({ statusCode: 'REQUIRED_FIELD_MISSING' })] });

			sim.reset();
			const many = records('salesforce', 50).slice(0, 201).map((r) => stripType(r.salesforce!.api.task));
			expect(many).toHaveLength(201);
			const tooMany = await connection()
				.sobject('Task')
				.upsert(many, 'Mailtarget_Event_Id__c', { allOrNone: false })
				.then(() => undefined, (err: { errorCode: string }) => err);
			expect(tooMany).toMatchObject({ errorCode: 'EXCEEDED_ID_LIMIT' });
			expect(sim.requests[0]!.status).toBe(400);
			expect(sim.writes).toHaveLength(0);
			await connection().sobject('Task').upsert(many, 'Mailtarget_Event_Id__c', { allOrNone: false, allowRecursive: true });
			expect(sim.requests.slice(1).map((r) => [r.status, (r.body as { records: unknown[] }).records.length])).toEqual([[200, 200], [200, 1]]);
			expect(sim.activityCounts('salesforce').size).toBe(201);

			sim.inject({ kind: 'status', status: 403, count: 1, crm: 'salesforce', body: [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }] });
			await expect(connection().sobject('Task').upsert([valid!], 'Mailtarget_Event_Id__c')).rejects.toMatchObject({ errorCode: 'REQUEST_LIMIT_EXCEEDED' });
		});
	});

	describe('node-zendesk', () => {
		const vars = () => ({ ZENDESK_BASE_URL: sim.url, ZENDESK_TOKEN: TOKENS.zendesk });
		const client = () => createZendeskClient({ username: 'agent@example.com', token: TOKENS.zendesk, oauth: true, endpointUri: `${sim.url}/api/v2` });

		test('create_or_update_many with the users the example de-duplicates, and a ticket for a complaint', async () => {
			const batch = records('zendesk', 12);
			const withUser = batch.filter((r) => r.zendesk!.user);
			const built = exampleFunction('CRM - Zendesk.json', 'build Zendesk users call', vars())(withUser);
			const users = (built!.payload as { users: Array<{ email: string }> }).users;
			expect(users.length).toBeLessThan(withUser.length);

			const job = await client().users.createOrUpdateMany({ users } as never);
			expect(job).toMatchObject({ result: { job_status: { status: 'queued', total: users.length } } });
			expectSameCall(sim.requests[0], built, sim.url);

			const complaint = batch.find((r) => r.zendesk!.ticket)!;
			const ticketCall = exampleFunction('CRM - Zendesk.json', 'build Zendesk tickets call', vars())(complaint);
			await client().tickets.create({ ticket: complaint.zendesk!.ticket } as never);
			expectSameCall(sim.requests[1], ticketCall, sim.url);
			expect(sim.requests[1]!.status).toBe(201);
			expect(sim.activityCounts('zendesk').size).toBe(1);
		});

		test('over the per-minute limit: the client gets the 429 and its Retry-After (node-zendesk 6 resolves it, it does not throw)', async () => {
			const limited = await startCrmSimulator({ tokens: TOKENS, limits: { zendesk: { max: 1, intervalMs: 60_000 } } });
			try {
				const limitedClient = createZendeskClient({ username: 'agent@example.com', token: TOKENS.zendesk, oauth: true, endpointUri: `${limited.url}/api/v2` });
				const users = [{ email: 'rate@example.com' }];
				await limitedClient.users.createOrUpdateMany({ users } as never);
				const answer = (await limitedClient.users.createOrUpdateMany({ users } as never)) as unknown as {
					response: { status: number; headers: Headers };
					result: Error & { statusCode: number; result: { error: string } };
				};
				expect(answer.response.status).toBe(429);
				const retryAfter = Number(answer.response.headers.get('retry-after'));
				expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true);
				expect(answer.result).toBeInstanceOf(Error);
				expect(answer.result).toMatchObject({ statusCode: 429, result: { error: 'APIRateLimitExceeded' } });
				expect(limited.requests.map((request) => request.status)).toEqual([200, 429]);
				expect(limited.writes.filter((write) => write.crm === 'zendesk')).toHaveLength(1);
			} finally {
				await limited.close();
			}
		});

		test('a ticket without a comment is 422 RecordInvalid; more than 100 users is 400; nothing written', async () => {
			await expect(client().tickets.create({ ticket: { subject: 'no comment' } } as never)).rejects.toThrow(/422/);
			expect(sim.requests[0]).toMatchObject({ status: 422 });
			const users = Array.from({ length: 101 }, (_, i) => ({ email: `u${i}@example.com` }));
			await expect(client().users.createOrUpdateMany({ users } as never)).rejects.toThrow(/400/);
			expect(sim.requests[1]).toMatchObject({ status: 400 });
			expect(sim.writes).toHaveLength(0);
		});
	});
});
