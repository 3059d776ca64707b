import { cpSync, mkdirSync, readFileSync, rmSync } from 'fs';
import { join, resolve, sep } from 'path';

import { startCrmSimulator, type CrmSimulator } from '../crm-simulator';
import type { FlowFileNode } from '../node-red/exampleFlow';
import { freePort, onATab, startNodeRed, type NodeRedProcess } from '../node-red/nodeRedProcess';
import { installPacked } from '../node-red/packedPackage';
import { watchStatuses, type StatusFeed } from '../node-red/statusFeed';
import { progressFrom, type FlowProgress } from './flowProgress';
import { startSender, type Sender } from './sender';

const repoRoot = resolve(__dirname, __dirname.includes(`${sep}dist${sep}`) ? '../../..' : '../..');
const USAGE = `Usage: npm start [-- --no-sender] [--port N] [--crm-port N]

  --no-sender    keep everything running without the scripted Mailtarget sender, so you can post your own
  --port N       Node-RED's port (default 1880, or a free one if 1880 is taken)
  --crm-port N   the CRM simulator's port (default 4010, or a free one)

To send to a real CRM instead of the simulator, set CRM_BASE_URL (and CRM_TOKEN) as for the examples.
The webhook secret is MAILTARGET_WEBHOOK_SECRET (default: demo-webhook-secret).`;

interface Options {
	sender: boolean;
	port?: number;
	crmPort?: number;
}

function parseArgs(argv: string[]): Options {
	const options: Options = { sender: true };
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i] as string;
		const number = () => {
			const value = Number(argv[++i]);
			if (!Number.isInteger(value) || value < 0 || value > 65535) throw new Error(`${arg} needs a port number\n\n${USAGE}`);
			return value;
		};
		if (arg === '--no-sender') options.sender = false;
		else if (arg === '--port') options.port = number();
		else if (arg === '--crm-port') options.crmPort = number();
		else if (arg === '--help' || arg === '-h') {
			console.log(USAGE);
			process.exit(0);
		} else throw new Error(`unknown argument ${arg}\n\n${USAGE}`);
	}
	return options;
}

async function portOr(preferred: number): Promise<number> {
	const { createServer } = await import('net');
	return new Promise((resolvePort) => {
		const probe = createServer();
		probe.once('error', () => freePort().then(resolvePort));
		probe.listen(preferred, '127.0.0.1', () => probe.close(() => resolvePort(preferred)));
	});
}

function percentile(values: number[], p: number): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

/**
 * `npm start`: the product running on this machine for a person to watch. A Node-RED with the
 * packed package installed as the palette would, the custom-CRM example deployed, the CRM
 * simulator with its live page, and a sender playing a campaign into the webhook.
 */
async function main(): Promise<void> {
	const options = parseArgs(process.argv.slice(2));
	const secret = process.env.MAILTARGET_WEBHOOK_SECRET || 'demo-webhook-secret';
	const realCrm = process.env.CRM_BASE_URL || undefined;
	let simulator: CrmSimulator | undefined;
	let nodeRed: NodeRedProcess | undefined;
	let sender: Sender | undefined;
	let ticker: NodeJS.Timeout | undefined;
	let statuses: StatusFeed | undefined;
	let stopping = false;
	const flow = JSON.parse(readFileSync(join(repoRoot, 'examples', 'CRM - custom endpoint.json'), 'utf8')) as FlowFileNode[];
	const types = new Map(flow.map((node) => [String(node.id), String(node.type)]));
	const progress = () => progressFrom(statuses?.badges ?? new Map(), (id) => types.get(id));

	const crmToken = realCrm ? process.env.CRM_TOKEN ?? '' : 'demo-crm-token';
	const stop = async (code: number) => {
		if (stopping) return;
		stopping = true;
		if (ticker) clearInterval(ticker);
		sender?.stop();
		const last = progress();
		statuses?.close();
		await nodeRed?.stop();
		if (sender) printSummary(sender, last, simulator);
		await simulator?.close();
		process.exit(code);
	};
	process.on('SIGINT', () => void stop(0));
	process.on('SIGTERM', () => void stop(0));

	if (!realCrm) {
		simulator = await startCrmSimulator({
			port: options.crmPort ?? (await portOr(4010)),
			tokens: { custom: crmToken },
			limits: { custom: { max: 10, intervalMs: 1000, retryAfterSeconds: 1 } },
		});
		// Twice the CRM says "too many requests": the queue waits, nothing is lost.
		simulator.inject({ kind: 'status', status: 429, count: 2, crm: 'custom', retryAfterSeconds: 2 });
	}
	const userDir = join(repoRoot, '.tmp', 'start', 'node-red');
	rmSync(userDir, { recursive: true, force: true });
	mkdirSync(join(repoRoot, '.tmp', 'start'), { recursive: true });
	console.log('Installing the packed package into a fresh Node-RED user dir, as the palette would...');
	const installed = installPacked('mailtarget-start-');
	cpSync(installed, userDir, { recursive: true });
	rmSync(installed, { recursive: true, force: true });

	nodeRed = await startNodeRed(userDir, {
		port: options.port ?? (await portOr(1880)),
		env: { MAILTARGET_WEBHOOK_SECRET: secret, CRM_BASE_URL: realCrm || simulator?.url || '', CRM_TOKEN: crmToken },
	});
	statuses = await watchStatuses(nodeRed.url);
	await nodeRed.deploy(onATab(flow, 'mailtarget-example', 'CRM - custom endpoint'));

	const webhook = `${nodeRed.url}/mailtarget`;
	console.log('');
	console.log(`Node-RED editor   ${nodeRed.url}/`);
	console.log(`CRM page          ${simulator ? `${simulator.url}/` : `(a real CRM: ${realCrm})`}`);
	console.log(`Webhook URL       ${webhook}   (sign with MAILTARGET_WEBHOOK_SECRET=${process.env.MAILTARGET_WEBHOOK_SECRET ? '<yours>' : secret})`);
	console.log(`User dir          ${userDir}`);
	console.log(options.sender ? '\nSending a campaign: a batch a second, a burst at 15 s, a re-delivery at 25 s, a forged request at 8 s. Ctrl-C stops everything.\n' : '\nNo sender: post your own signed batches to the webhook URL. Ctrl-C stops everything.\n');

	if (options.sender) sender = startSender(webhook, secret);
	const live = process.stdout.isTTY;
	let lastLine = 0;
	ticker = setInterval(async () => {
		if (!nodeRed || stopping) return;
		const now = progress();
		const line = [
			`received ${sender?.stats.eventsAccepted ?? '-'}`,
			`refused ${sender?.stats.refused ?? '-'}`,
			`duplicates dropped ${now.duplicatesDropped}`,
			`delivered to the CRM ${now.delivered}`,
			`dead-lettered ${now.deadLettered}`,
			`queue depth ${now.queueDepth}`,
			...(simulator ? [`CRM 429s ${simulator.requests.filter((request) => request.status === 429).length}`] : []),
		].join(' · ');
		if (live) process.stdout.write(`\r${line}\u001b[K`);
		else if (Date.now() - lastLine > 5000) {
			lastLine = Date.now();
			console.log(line);
		}
	}, 500);
}

function printSummary(sender: Sender, progress: FlowProgress, simulator: CrmSimulator | undefined): void {
	const { stats } = sender;
	const lines = [
		'',
		'',
		'Summary',
		`  requests sent                ${stats.requests} (${stats.refused} refused with 401, ${stats.otherAnswers} other answers)`,
		`  distinct events accepted     ${stats.acceptedIds.size}`,
		`  duplicates dropped           ${progress.duplicatesDropped}`,
		`  delivered to the CRM         ${progress.delivered} records`,
		`  dead-lettered                ${progress.deadLettered}`,
		`  still queued                 ${progress.queueDepth}`,
		`  webhook answer p95           ${percentile(stats.ackMs, 95).toFixed(1)} ms`,
	];
	if (simulator) {
		const freshness = simulator.writes.filter((write) => write.created).map((write) => write.at - Date.parse(String((write.item as { occurredAt?: string }).occurredAt)));
		const valid = freshness.filter(Number.isFinite);
		lines.push(`  CRM 429s waited out          ${simulator.requests.filter((request) => request.status === 429).length}`);
		if (valid.length > 0) lines.push(`  event time to CRM write p95  ${(percentile(valid, 95) / 1000).toFixed(2)} s`);
	}
	console.log(lines.join('\n'));
}

main().catch((error: unknown) => {
	console.error(error instanceof Error ? error.message : error);
	process.exit(1);
});
