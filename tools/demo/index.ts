import { readFileSync } from 'fs';
import { join, resolve, sep } from 'path';

import { startCrmSimulator } from '../crm-simulator';
import type { FlowFileNode } from '../node-red/exampleFlow';
import { onATab, startNodeRed } from '../node-red/nodeRedProcess';
import { installPacked } from '../node-red/packedPackage';
import { batches, campaignEvents, postSignedTimed, shuffled } from './mailtargetSender';

const repoRoot = resolve(__dirname, __dirname.includes(`${sep}dist${sep}`) ? '../../..' : '../..');
const SECRET = 'demo-webhook-secret';
const CRM_TOKEN = 'demo-crm-token';
const CONTACTS = 20;
const SIX = new Set(['delivery', 'open', 'click', 'bounce', 'complaint', 'unsubscribe']);

function percentile(values: number[], p: number): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

function table(rows: string[][]): string {
	const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
	return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column])).join('  ')).join('\n');
}

/**
 * The product end to end on this machine: the packed package installed into a fresh Node-RED,
 * the custom-CRM example flow deployed, a campaign's signed Mailtarget batches (shuffled, with
 * re-deliveries) posted to it while the CRM simulator answers 429 twice, and what reached the CRM.
 */
async function main(): Promise<number> {
	const simulator = await startCrmSimulator({ tokens: { custom: CRM_TOKEN }, limits: { custom: { max: 20, intervalMs: 1000, retryAfterSeconds: 1 } } });
	console.log(`CRM simulator       ${simulator.url}`);
	console.log('Installing the packed package into a fresh Node-RED user dir...');
	const userDir = installPacked('mailtarget-demo-');
	const nodeRed = await startNodeRed(userDir, { env: { MAILTARGET_WEBHOOK_SECRET: SECRET, CRM_BASE_URL: simulator.url, CRM_TOKEN } });
	console.log(`Node-RED            ${nodeRed.url} (user dir ${userDir})`);
	try {
		const flow = JSON.parse(readFileSync(join(repoRoot, 'examples', 'CRM - custom endpoint.json'), 'utf8')) as FlowFileNode[];
		await nodeRed.deploy(onATab(flow, 'demo-tab', 'Mailtarget demo'));
		console.log('Deployed            examples/CRM - custom endpoint.json\n');

		simulator.inject({ kind: 'status', status: 429, count: 2, crm: 'custom', retryAfterSeconds: 1 });
		const events = campaignEvents(CONTACTS);
		const sent = batches(shuffled(events, 42), 25, 'demo');
		const redelivered = sent.slice(0, 2).map((batch) => ({ ...batch, retryCount: 1 }));
		const answers = [];
		for (const batch of [...sent, ...redelivered]) answers.push({ ...(await postSignedTimed(`${nodeRed.url}/mailtarget`, SECRET, batch)), batch });

		const postedAt = new Map<string, number>();
		for (const answer of answers) for (const event of answer.batch.events) if (!postedAt.has(String(event.eventId))) postedAt.set(String(event.eventId), answer.sentAt);
		const expected = events.filter((event) => SIX.has(String(event.status))).map((event) => `mailtarget:${String(event.eventId)}`);
		const deadline = Date.now() + 60000;
		while (Date.now() < deadline && !expected.every((key) => simulator.activityCounts('custom').has(key))) await new Promise((r) => setTimeout(r, 100));

		const written = simulator.writes.filter((write) => write.crm === 'custom' && write.created);
		const syncMs = written.map((write) => write.at - (postedAt.get(String(write.key).replace('mailtarget:', '')) ?? write.at));
		const ackMs = answers.map((answer) => answer.ms);
		const missing = expected.filter((key) => !simulator.activityCounts('custom').has(key));

		console.log(table([
			['what', 'count'],
			['Mailtarget events in the campaign', String(events.length)],
			['  of which injection (routed to "other", not sent)', String(events.filter((e) => e.status === 'injection').length)],
			['batches posted (+ re-deliveries)', `${sent.length} (+${redelivered.length})`],
			['answered 200', String(answers.filter((a) => a.status === 200).length)],
			['CRM 429 answers the queue waited out', String(simulator.requests.filter((r) => r.status === 429).length)],
			['activities written to the CRM', String(written.length)],
			['activities expected', String(expected.length)],
			['missing', String(missing.length)],
			['written twice', String(simulator.writes.filter((w) => w.crm === 'custom' && !w.created).length)],
		]));
		console.log();
		console.log(table([
			['measure', 'p50', 'p95', 'max', 'target'],
			['webhook acknowledgement (ms)', percentile(ackMs, 50).toFixed(1), percentile(ackMs, 95).toFixed(1), Math.max(...ackMs).toFixed(1), '< 200 ms p95'],
			['event to CRM write (s)', (percentile(syncMs, 50) / 1000).toFixed(2), (percentile(syncMs, 95) / 1000).toFixed(2), (Math.max(...syncMs) / 1000).toFixed(2), '< 30 s p95'],
		]));
		console.log();
		const contacts = [...simulator.contacts()].slice(0, 6);
		console.log(table([
			['CRM contact', 'delivered at', 'last opened', 'opens', 'undeliverable', 'do not contact', 'opted out'],
			...contacts.map(([id, state]) => [
				id,
				String(state.emailDeliveredAt ?? ''),
				String(state.emailLastOpenedAt ?? ''),
				String(state.emailOpenCount ?? ''),
				String(state.emailUndeliverable ?? ''),
				String(state.doNotContact ?? ''),
				String(state.marketingOptOut ?? ''),
			]),
		]));
		return missing.length === 0 ? 0 : 1;
	} finally {
		await nodeRed.stop();
		await simulator.close();
	}
}

main().then(
	(code) => process.exit(code),
	(error: unknown) => {
		console.error(error);
		process.exit(1);
	},
);
