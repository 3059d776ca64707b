import { readFileSync } from 'fs';
import { join } from 'path';

import { startCrmSimulator, type CrmName, type CrmSimulator } from '../../tools/crm-simulator';
import { batches, campaignEvents, postSigned, shuffled, type RawEvent } from '../helpers/eventStream';
import { onATab, startNodeRed, type NodeRedProcess } from '../helpers/nodeRedProcess';
import { installPacked } from '../helpers/packedPackage';

const examplesDir = join(__dirname, '..', '..', 'examples');
const secret = 'example-webhook-secret';
const tokens: Record<CrmName, string> = { custom: 'custom-token', hubspot: 'hubspot-token', salesforce: 'salesforce-token', zendesk: 'zendesk-token' };
const SIX = new Set(['delivery', 'open', 'click', 'bounce', 'complaint', 'unsubscribe']);

interface ExampleCase {
	file: string;
	crm: CrmName;
	/** The events that must end up as exactly one CRM activity each. */
	activityEvents: (events: RawEvent[]) => RawEvent[];
}

const isHardBounce = (event: RawEvent) => event.status === 'bounce' && event.bounceClassificationCode === 10;
const CASES: ExampleCase[] = [
	{ file: 'CRM - custom endpoint.json', crm: 'custom', activityEvents: (events) => events.filter((e) => SIX.has(String(e.status))) },
	{ file: 'CRM - HubSpot.json', crm: 'hubspot', activityEvents: (events) => events.filter((e) => SIX.has(String(e.status))) },
	{ file: 'CRM - Salesforce.json', crm: 'salesforce', activityEvents: (events) => events.filter((e) => SIX.has(String(e.status))) },
	{ file: 'CRM - Zendesk.json', crm: 'zendesk', activityEvents: (events) => events.filter((e) => e.status === 'complaint' || isHardBounce(e)) },
];

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
	const start = Date.now();
	while (!check() && Date.now() - start < timeoutMs) await new Promise((resolve) => setTimeout(resolve, 100));
}

describe.each(CASES)('Node-RED example "$file" against the CRM simulator', ({ file, crm, activityEvents }) => {
	let simulator: CrmSimulator;
	let nodeRed: NodeRedProcess;

	beforeAll(async () => {
		simulator = await startCrmSimulator({ tokens, limits: { custom: { max: 20, intervalMs: 1000, retryAfterSeconds: 1 } } });
		const userDir = installPacked('mailtarget-example-');
		nodeRed = await startNodeRed(userDir, {
			env: {
				MAILTARGET_WEBHOOK_SECRET: secret,
				CRM_BASE_URL: simulator.url,
				CRM_TOKEN: tokens.custom,
				HUBSPOT_BASE_URL: simulator.url,
				HUBSPOT_TOKEN: tokens.hubspot,
				SALESFORCE_INSTANCE_URL: simulator.url,
				SALESFORCE_ACCESS_TOKEN: tokens.salesforce,
				ZENDESK_BASE_URL: simulator.url,
				ZENDESK_TOKEN: tokens.zendesk,
			},
		});
	}, 120000);

	afterAll(async () => {
		await nodeRed?.stop();
		await simulator?.close();
	});

	it('delivers each unique event exactly once through duplicates, reordering, a 429 storm, a 5xx burst and resets, within the rate limit', async () => {
		const flow = JSON.parse(readFileSync(join(examplesDir, file), 'utf8')) as Array<Record<string, unknown>>;
		await nodeRed.deploy(onATab(flow, 'example-tab', 'example'));

		simulator.inject({ kind: 'status', status: 429, count: 3, crm, retryAfterSeconds: 1 });
		simulator.inject({ kind: 'status', status: 502, count: 2, crm });
		simulator.inject({ kind: 'reset', count: 1, crm });

		const events = campaignEvents(12);
		const sent = batches(shuffled(events, 7), 10, 'batch');
		const url = `${nodeRed.url}/mailtarget`;
		const statuses: number[] = [];
		for (const batch of sent) statuses.push(await postSigned(url, secret, batch));
		for (const batch of sent.slice(0, 3)) statuses.push(await postSigned(url, secret, { ...batch, retryCount: 1 }));
		expect(statuses.every((status) => status === 200)).toBe(true);

		const expected = new Set(activityEvents(events).map((event) => `mailtarget:${String(event.eventId)}`));
		await until(() => [...expected].every((key) => simulator.activityCounts(crm).has(key)), 90000);
		// Give late duplicates a chance to show up before counting.
		await new Promise((resolve) => setTimeout(resolve, 1500));

		const counts = simulator.activityCounts(crm);
		const missing = [...expected].filter((key) => !counts.has(key));
		const repeated = [...counts].filter(([, count]) => count !== 1);
		const unexpected = [...counts.keys()].filter((key) => !expected.has(key));
		expect({ missing, repeated, unexpected }).toEqual({ missing: [], repeated: [], unexpected: [] });

		const activityKinds = new Set(['note', 'task', 'ticket', 'activity']);
		const repeatedWrites = simulator.writes.filter((write) => write.crm === crm && activityKinds.has(write.kind) && !write.created);
		expect(repeatedWrites).toEqual([]);
		const contactWrites = simulator.writes.filter((write) => write.crm === crm && !activityKinds.has(write.kind));
		if (crm !== 'custom') expect(contactWrites.length).toBeGreaterThan(0);

		expect(nodeRed.output()).not.toContain('[debug:dead letters]');
		expect(nodeRed.output()).not.toContain('[error]');
		expect(simulator.rateLimitedCount(crm)).toBe(0);
		const faulted = simulator.requests.filter((request) => request.crm === crm && (request.status === 429 || request.status === 502 || request.status === 0));
		expect(faulted.length).toBe(6);
	}, 150000);
});
