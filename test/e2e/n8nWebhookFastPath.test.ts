/**
 * The Webhook-node fast path in a real n8n 2.41.1 with the packed package: n8n's Webhook node
 * (Raw Body on, Respond when the last node finished) -> Mailtarget Verify -> the custom-CRM ingest chain.
 * Forged requests are answered 500 (the execution failed), store nothing and leave a failed execution;
 * a signed batch is answered 200 only once its events are in the outbox.
 * Also the trigger as shipped (typeVersion 3, Respond when stored): forged get 401, signed are stored before the 200.
 */
import { batches, campaignEvents, postSigned, type RawEvent } from '../helpers/eventStream';
import { hasN8nServer, startN8nServer, type N8nServer } from '../helpers/n8nServer';
import { loadTemplate, tableRows, webhookPathOf, withCredentials, type Template } from '../helpers/n8nTemplates';
import { until } from '../helpers/waiting';

const PKG = '@crm-bridge/n8n-nodes-mailtarget';
const secret = 'fast-path-secret';
const OUTBOX = 'mailtarget_custom_outbox';
const SIX = new Set(['delivery', 'open', 'click', 'bounce', 'complaint', 'unsubscribe']);

const tagged = (tag: string, contacts: number): RawEvent[] => campaignEvents(contacts).map((event) => ({ ...event, eventId: `${tag}${String(event.eventId)}` }));
const recordIds = (events: RawEvent[]) => new Set(events.filter((event) => SIX.has(String(event.status))).map((event) => `mailtarget:${String(event.eventId)}`));

interface Execution {
	id: string;
	status: string;
}

const describeIfN8n = hasN8nServer() ? describe : describe.skip;

describeIfN8n('Webhook node fast path in a real n8n 2.41.1', () => {
	let server: N8nServer;
	let fastUrl: string;
	let triggerUrl: string;
	let fastWorkflowId: string;

	beforeAll(async () => {
		server = await startN8nServer({ database: 'sqlite' });
		const credential = await server.createCredential('Mailtarget Webhook', 'mailtargetWebhookApi', { signingSecret: secret });
		const credentials = { mailtargetWebhookApi: credential };
		const setupTemplate = loadTemplate('Mailtarget to custom CRM - 1 setup.json');
		const setup = await server.createWorkflow(setupTemplate, { activate: true });
		const setupPath = webhookPathOf(setupTemplate, 'n8n-nodes-base.webhook');
		await until(async () => (await fetch(`${server.url}/webhook/${setupPath}`)).status === 200, 30_000, 'the setup workflow');
		await server.deactivateWorkflow(setup.id);

		const fast: Template = withCredentials(loadTemplate('Mailtarget to custom CRM - 2 ingest (Webhook node).json'), credentials);
		fastWorkflowId = (await server.createWorkflow(fast, { activate: true })).id;
		const fastPath = webhookPathOf(fast, 'n8n-nodes-base.webhook');
		fastUrl = `${server.url}/webhook/${fastPath}`;
		await server.waitForWebhook(fastPath);

		const ingest = withCredentials(loadTemplate('Mailtarget to custom CRM - 2 ingest.json'), credentials);
		expect((ingest.nodes.find((node) => node.type === `${PKG}.mailtargetTrigger`) as { typeVersion?: number } | undefined)?.typeVersion).toBe(3);
		// One ingest per n8n in real use; here both run side by side at their own paths.
		ingest.nodes = ingest.nodes.map((node) => (node.webhookId ? { ...node, webhookId: `${String(node.webhookId).slice(0, -2)}ee` } : node));
		await server.createWorkflow(ingest, { activate: true });
		const triggerPath = webhookPathOf(ingest, `${PKG}.mailtargetTrigger`);
		triggerUrl = `${server.url}/webhook/${triggerPath}`;
		await server.waitForWebhook(triggerPath);
	}, 240_000);

	afterAll(async () => {
		await server?.stop();
	});

	const storedIds = async () => new Set((await tableRows(server, OUTBOX)).map((row) => String(row.recordId)));
	const executions = async (status: string) => (await server.api<{ data: Execution[] }>('GET', `/executions?workflowId=${fastWorkflowId}&status=${status}&limit=100`)).data;

	it('answers 500 to a forged batch, stores none of its events and records a failed execution', async () => {
		const failedBefore = (await executions('error')).length;
		const forged = tagged('forged-', 2);
		expect(await postSigned(fastUrl, 'not-the-secret', { batchId: 'forged-1', retryCount: 0, events: forged })).toBe(500);
		await until(async () => (await executions('error')).length > failedBefore, 30_000, 'the failed execution of the forged request');
		const stored = await storedIds();
		expect([...recordIds(forged)].filter((id) => stored.has(id))).toEqual([]);
	}, 60_000);

	it('answers a signed batch only once every event of it is stored, each once', async () => {
		const events = tagged('fast-', 3);
		for (const batch of batches(events, 6, 'fast-batch')) {
			expect(await postSigned(fastUrl, secret, batch)).toBe(200);
			const stored = await storedIds();
			expect([...recordIds(batch.events)].filter((id) => !stored.has(id))).toEqual([]);
		}
		const expected = recordIds(events);
		const rows = (await tableRows(server, OUTBOX)).filter((row) => String(row.recordId).startsWith('mailtarget:fast-'));
		expect(rows).toHaveLength(expected.size);
		expect(rows.every((row) => row.status === 'due')).toBe(true);
	}, 90_000);

	it('through the shipped trigger (typeVersion 3): 401 for forged, a signed batch stored before its 200', async () => {
		const forged = tagged('tforged-', 1);
		expect(await postSigned(triggerUrl, 'not-the-secret', { batchId: 'tforged', retryCount: 0, events: forged })).toBe(401);
		const events = tagged('trig-', 2);
		for (const batch of batches(events, 6, 'trig-batch')) {
			expect(await postSigned(triggerUrl, secret, batch)).toBe(200);
			const stored = await storedIds();
			expect([...recordIds(batch.events)].filter((id) => !stored.has(id))).toEqual([]);
		}
		const stored = await storedIds();
		expect([...recordIds(events)].filter((id) => !stored.has(id))).toEqual([]);
		expect([...recordIds(forged)].filter((id) => stored.has(id))).toEqual([]);
	}, 90_000);
});
