import { readdirSync } from 'fs';

import { startCrmSimulator, type CrmName, type CrmSimulator } from '../../tools/crm-simulator';
import { batches, campaignEvents, postSigned, shuffled, type RawEvent } from '../helpers/eventStream';
import { hasN8nServer, hasPostgres, startN8nServer, type N8nServer } from '../helpers/n8nServer';
import { loadTemplate, tableRows, webhookPathOf, withCredentials, withScheduleSeconds, withSettings, WORKFLOWS_DIR } from '../helpers/n8nTemplates';
import { sleep, until } from '../helpers/waiting';

/**
 * The HubSpot, Salesforce and Zendesk templates call each CRM's batch endpoints with HTTP Request
 * and n8n's own credential for that CRM (HubSpot App Token, Salesforce OAuth2, Zendesk API). The
 * host comes from the drain's Settings (`crmBaseUrl`, the CRM's real address by default), so the
 * test points it at the loopback CRM simulator: nothing on the machine (hosts file, CAs) changes.
 */
const PKG = '@crm-bridge/n8n-nodes-mailtarget';
const secret = 'n8n-crm-template-secret';
const tokens = { hubspot: 'hubspot-token', salesforce: 'salesforce-token' };
const SIX = new Set(['delivery', 'open', 'click', 'bounce', 'complaint', 'unsubscribe']);
/** The Retry-After of the injected 429 / 503: every drain of that CRM waits it out, not only the one that got it. */
const PAUSE_SECONDS = 3;
const IN_FLIGHT_MS = 1000;
const isHardBounce = (event: RawEvent) => event.status === 'bounce' && event.bounceClassificationCode === 10;

interface CrmCase {
	crm: Exclude<CrmName, 'custom'>;
	label: string;
	activityEvents: (events: RawEvent[]) => RawEvent[];
}
const CASES: CrmCase[] = [
	{ crm: 'hubspot', label: 'HubSpot', activityEvents: (events) => events.filter((event) => SIX.has(String(event.status))) },
	{ crm: 'salesforce', label: 'Salesforce', activityEvents: (events) => events.filter((event) => SIX.has(String(event.status))) },
	{ crm: 'zendesk', label: 'Zendesk', activityEvents: (events) => events.filter((event) => event.status === 'complaint' || isHardBounce(event)) },
];

const templatesOf = (label: string) => readdirSync(WORKFLOWS_DIR).filter((file) => file.startsWith(`Mailtarget to ${label} - `)).sort();

const describeIfN8n = hasN8nServer() ? describe : describe.skip;
const DATABASES: Array<'sqlite' | 'postgres'> = hasPostgres() ? ['sqlite', 'postgres'] : ['sqlite'];

describeIfN8n.each(DATABASES)('HubSpot, Salesforce and Zendesk templates in a real n8n 2.41.1 (%s)', (database) => {
	let simulator: CrmSimulator;
	let server: N8nServer;
	const ingestUrls = new Map<string, string>();

	beforeAll(async () => {
		simulator = await startCrmSimulator({ tokens });
		server = await startN8nServer({ database });
		const credentials = {
			mailtargetWebhookApi: await server.createCredential('Mailtarget Webhook', 'mailtargetWebhookApi', { signingSecret: secret }),
			hubspotAppToken: await server.createCredential('HubSpot private app', 'hubspotAppToken', { appToken: tokens.hubspot }),
			salesforceOAuth2Api: await server.createCredential('Salesforce', 'salesforceOAuth2Api', {
				environment: 'production',
				clientId: 'test-client',
				clientSecret: 'test-secret',
				oauthTokenData: { access_token: tokens.salesforce, instance_url: simulator.url, token_type: 'Bearer' },
			}),
			zendeskApi: await server.createCredential('Zendesk', 'zendeskApi', { subdomain: 'acme', email: 'agent@example.com', apiToken: 'zendesk-api-token' }),
		};
		for (const { label } of CASES) {
			for (const file of templatesOf(label)) {
				// The Webhook-node variant of ingest has its own test (n8nWebhookFastPath); one ingest per CRM here.
				if (file.includes(' resend') || file.includes('(Webhook node)')) continue;
				let template = withCredentials(loadTemplate(file), credentials);
				if (file.includes(' drain')) template = withScheduleSeconds(withSettings(template, 'Settings', { crmBaseUrl: simulator.url }), 1);
				const created = await server.createWorkflow(template, { activate: true });
				if (file.includes(' setup')) {
					const path = webhookPathOf(template, 'n8n-nodes-base.webhook');
					await until(async () => (await fetch(`${server.url}/webhook/${path}`)).status === 200, 30_000, `${file} to run`);
					await server.deactivateWorkflow(created.id);
				}
				if (file.includes(' ingest')) {
					const path = webhookPathOf(template, `${PKG}.mailtargetTrigger`);
					await server.waitForWebhook(path);
					ingestUrls.set(label, `${server.url}/webhook/${path}`);
				}
			}
		}
	}, 240_000);

	afterAll(async () => {
		await server?.stop();
		await simulator?.close();
	});

	it.each(CASES)('$label: a shuffled campaign with re-delivered batches and a 429 burst reaches the CRM exactly once, within its limit', async ({ crm, label, activityEvents }) => {
		simulator.inject({ kind: 'status', status: crm === 'salesforce' ? 503 : 429, count: 2, crm, retryAfterSeconds: PAUSE_SECONDS });
		const events: RawEvent[] = campaignEvents(6).map((event) => ({ ...event, eventId: `${crm}${String(event.eventId)}` }));
		const sent = batches(shuffled(events, 3), 8, `${crm}-batch`);
		const url = ingestUrls.get(label) as string;
		for (const batch of sent) expect(await postSigned(url, secret, batch)).toBe(200);
		for (const batch of sent.slice(0, 2)) expect(await postSigned(url, secret, { ...batch, retryCount: 1 })).toBe(200);

		const expected = new Set(activityEvents(events).map((event) => `mailtarget:${String(event.eventId)}`));
		const activityKinds = new Set(['note', 'task', 'ticket']);
		await until(() => [...expected].every((key) => simulator.activityCounts(crm).has(key)), 300_000, `every ${label} activity`);
		// The contact drain is a workflow of its own, and the injected 429s paused it too: under load it can come later.
		await until(() => simulator.writes.some((write) => write.crm === crm && !activityKinds.has(write.kind)), 120_000, `a ${label} contact write`);
		await sleep(3000);
		const counts = simulator.activityCounts(crm);
		expect([...counts].filter(([, count]) => count !== 1)).toEqual([]);
		expect(new Set(counts.keys())).toEqual(expected);
		expect(simulator.writes.filter((write) => write.crm === crm && activityKinds.has(write.kind) && !write.created)).toEqual([]);
		expect(simulator.writes.filter((write) => write.crm === crm && !activityKinds.has(write.kind)).length).toBeGreaterThan(0);
		expect(simulator.rateLimitedCount(crm)).toBe(0);
		expect(await tableRows(server, `mailtarget_${crm}_deadletters`)).toEqual([]);
		if (crm === 'hubspot') {
			// Unsubscribes also go to the communication-preferences API, one email per call.
			const unsubscribed = [...new Set(events.filter((event) => event.status === 'unsubscribe').map((event) => String(event.recipient)))].sort();
			expect(unsubscribed.length).toBeGreaterThan(0);
			const optOuts = simulator.writes.filter((write) => write.crm === 'hubspot' && write.kind === 'optout');
			expect(optOuts.map((write) => (write.item as { emailAddress: string }).emailAddress).sort()).toEqual(unsubscribed);
		}
		const calls = simulator.requests.filter((request) => request.crm === crm);
		const limited = calls.filter((call) => call.status === 429 || call.status === 503);
		expect(limited).toHaveLength(2);
		// The drains are separate workflows, one per kind of call (path): none calls while another's pause runs.
		// Only a call another drain had already cleared (its pause check ran before the pause row was written)
		// may land just after the 429, so the pause's first second is left out.
		expect(new Set(calls.map((call) => call.path.split('?')[0])).size).toBeGreaterThan(1);
		const duringPauses = limited.flatMap((refused) =>
			calls
				.filter((call) => call.at > refused.at + IN_FLIGHT_MS && call.at < refused.at + PAUSE_SECONDS * 1000)
				.map((call) => `${call.path} ${call.at - refused.at} ms after a ${refused.status}`),
		);
		expect(duringPauses).toEqual([]);
		// n8n's own credential signed every call.
		const authorization = crm === 'zendesk' ? `Basic ${Buffer.from('agent@example.com/token:zendesk-api-token').toString('base64')}` : `Bearer ${tokens[crm]}`;
		expect(calls.filter((call) => call.headers.authorization !== authorization)).toEqual([]);
	}, 400_000);
});
