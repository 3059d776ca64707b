import { startCrmSimulator, type CrmSimulator } from '../../tools/crm-simulator';
import { batches, campaignEvents, postSigned, shuffled, type RawEvent } from '../helpers/eventStream';
import { hasN8nServer, startN8nServer, type N8nServer } from '../helpers/n8nServer';
import { loadTemplate, tableRows, webhookPathOf, withCredentials, withScheduleSeconds, withSettings, type Template } from '../helpers/n8nTemplates';

const PKG = '@crm-bridge/n8n-nodes-mailtarget';
const secret = 'n8n-template-secret';
const token = 'custom-crm-token';
const OUTBOX = 'mailtarget_custom_outbox';
const DEAD = 'mailtarget_custom_deadletters';
const SIX = new Set(['delivery', 'open', 'click', 'bounce', 'complaint', 'unsubscribe']);

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
async function until(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!(await check())) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await sleep(250);
	}
}

const describeIfN8n = hasN8nServer() ? describe : describe.skip;

describeIfN8n('custom CRM templates in a real n8n 2.41.1 (SQLite)', () => {
	let simulator: CrmSimulator;
	let server: N8nServer;
	let ingestUrl: string;
	let drain: Template;

	beforeAll(async () => {
		simulator = await startCrmSimulator({ tokens: { custom: token }, limits: { custom: { max: 5, intervalMs: 1000, retryAfterSeconds: 1 } } });
		server = await startN8nServer();
		const webhookCredential = await server.createCredential('Mailtarget Webhook', 'mailtargetWebhookApi', { signingSecret: secret });
		const crmCredential = await server.createCredential('Custom CRM token', 'httpHeaderAuth', { name: 'Authorization', value: `Bearer ${token}` });
		const credentials = { mailtargetWebhookApi: webhookCredential, httpHeaderAuth: crmCredential };

		const setup = await server.createWorkflow(loadTemplate('Mailtarget to custom CRM - 1 setup.json'), { activate: true });
		const setupPath = webhookPathOf(loadTemplate('Mailtarget to custom CRM - 1 setup.json'), 'n8n-nodes-base.webhook');
		await until(async () => (await fetch(`${server.url}/webhook/${setupPath}`)).status === 200, 30_000, 'the setup workflow');
		await server.deactivateWorkflow(setup.id);

		const ingest = withCredentials(loadTemplate('Mailtarget to custom CRM - 2 ingest.json'), credentials);
		await server.createWorkflow(ingest, { activate: true });
		const ingestPath = webhookPathOf(ingest, `${PKG}.mailtargetTrigger`);
		ingestUrl = `${server.url}/webhook/${ingestPath}`;
		await server.waitForWebhook(ingestPath);

		drain = withScheduleSeconds(withSettings(withCredentials(loadTemplate('Mailtarget to custom CRM - 3 drain.json'), credentials), 'Settings', { crmBaseUrl: simulator.url, recordsPerTick: 4 }), 1);
		await server.createWorkflow(drain, { activate: true });
	}, 240_000);

	afterAll(async () => {
		await server?.stop();
		await simulator?.close();
	});

	it('delivers a shuffled campaign with re-delivered batches exactly once, within the rate limit', async () => {
		const events = campaignEvents(3);
		const sent = batches(shuffled(events, 11), 5, 'n8n-batch');
		const statuses: number[] = [];
		for (const batch of sent) statuses.push(await postSigned(ingestUrl, secret, batch));
		for (const batch of sent.slice(0, 2)) statuses.push(await postSigned(ingestUrl, secret, { ...batch, retryCount: 1 }));
		expect(statuses.every((status) => status === 200)).toBe(true);

		const expected = new Set(events.filter((event: RawEvent) => SIX.has(String(event.status))).map((event) => `mailtarget:${String(event.eventId)}`));
		await until(() => [...expected].every((key) => simulator.activityCounts('custom').has(key)), 120_000, 'every record at the CRM');
		await sleep(3000);
		const counts = simulator.activityCounts('custom');
		expect([...counts].filter(([, count]) => count !== 1)).toEqual([]);
		expect(new Set(counts.keys())).toEqual(expected);
		expect(simulator.writes.filter((write) => !write.created)).toEqual([]);
		expect(simulator.rateLimitedCount('custom')).toBe(0);
		const outbox = await tableRows(server, OUTBOX);
		expect(outbox.length).toBe(expected.size);
		expect(outbox.filter((row) => row.status !== 'delivered')).toEqual([]);
		expect(await tableRows(server, DEAD)).toEqual([]);
	}, 180_000);
});
