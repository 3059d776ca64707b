'use strict';
/**
 * CRM sync latency through the shipped HubSpot templates (setup, ingest with the trigger, the notes, contacts and
 * opt-outs drains as shipped: one call per tick, a tick every 2 s) in a real n8n, the CRM simulator enforcing
 * HubSpot's 100 calls per 10 s. Latency = the event's time (stamped when its batch is sent) to the simulator's
 * receipt of its note. Steady load (an open loop of 10-event batches), then a burst; while the burst's backlog
 * drains, the HubSpot calls made per 10 s against the 100 allowed.
 *
 *   npm run build && BENCH_SYNC_SECONDS=20 BENCH_SYNC_BURST=60 node bench/n8n/syncLatency.js [vm]   (also the n8n-sync section of `npm run bench`)
 *   BENCH_N8N_ENV='{"N8N_CONCURRENCY_PRODUCTION_LIMIT":"10"}' node bench/n8n/syncLatency.js vm      (with n8n settings)
 */
const path = require('path');
const { openLoop, burst, post, percentile } = require('./load');
const { startBenchN8n } = require('./n8nHost');
const { loadTemplate } = require('./workflows');

const repoRoot = path.join(__dirname, '..', '..');
const { startCrmSimulator } = require(path.join(repoRoot, 'dist', 'tools', 'crm-simulator', 'index.js'));
const { campaignEvents } = require(path.join(repoRoot, 'dist', 'tools', 'demo', 'mailtargetSender.js'));
const { signBody } = require(path.join(repoRoot, 'dist', 'core', 'verify', 'hmac.js'));

const PKG = '@crm-bridge/n8n-nodes-mailtarget';
const SECRET = 'sync-latency-secret';
const TOKEN = 'sync-latency-hubspot-token';
const SECONDS = Number(process.env.BENCH_SYNC_SECONDS || 20);
const STEADY_RATE = Number(process.env.BENCH_SYNC_RATE || 1);
const BURST = Number(process.env.BENCH_SYNC_BURST || 60);
const HUBSPOT_LIMIT = { max: 100, intervalMs: 10_000 };
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

async function until(check, timeoutMs, what) {
	const deadline = Date.now() + timeoutMs;
	while (!(await check())) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await sleep(500);
	}
}

let sequence = 0;
/** Two contacts' campaign events (about 10), ids new, every event stamped with the time its batch is sent. */
function makeBatch(tag) {
	const batchNo = sequence++;
	const now = Date.now();
	const events = campaignEvents(2).map((event) => ({ ...event, eventId: `${tag}-${batchNo}-${event.eventId}`, timestamp: now }));
	const bytes = Buffer.from(JSON.stringify({ batchId: `${tag}-${batchNo}`, retryCount: 0, events }));
	return { bytes, headers: { 'X-Mailtarget-Signature': signBody(SECRET, bytes) }, sent: events.map((event) => [`mailtarget:${event.eventId}`, now, event.status]) };
}

/** Only acknowledged events count: Mailtarget re-sends the rest. */
const collect = (into) => (request, answer) => {
	if (answer.status === 200) into.push(...request.sent);
};

/** Waits (at most `timeoutMs`) until every note of `sent` is at the simulator; says how many arrived either way. */
async function notesArrived(simulator, sent, timeoutMs) {
	await until(() => noteLatency(simulator, sent).arrived === sent.length, timeoutMs, 'notes').catch(() => undefined);
	return noteLatency(simulator, sent);
}

async function install(server, simulatorUrl) {
	const credentials = {
		mailtargetWebhookApi: await server.createCredential('Mailtarget Webhook', 'mailtargetWebhookApi', { signingSecret: SECRET }),
		hubspotAppToken: await server.createCredential('HubSpot private app', 'hubspotAppToken', { appToken: TOKEN }),
	};
	const fill = (template) => {
		template.nodes = template.nodes.map((node) => (node.credentials ? { ...node, credentials: Object.fromEntries(Object.keys(node.credentials).map((type) => [type, credentials[type] ?? node.credentials[type]])) } : node));
		const settings = template.nodes.find((node) => node.name === 'Settings');
		for (const assignment of settings?.parameters.assignments.assignments ?? []) if (assignment.name === 'crmBaseUrl') assignment.value = simulatorUrl;
		return template;
	};
	const setup = loadTemplate('Mailtarget to HubSpot - 1 setup.json');
	const created = await server.createWorkflow(setup, { activate: true });
	const hook = setup.nodes.find((node) => node.type === 'n8n-nodes-base.webhook');
	await until(async () => (await fetch(`${server.url}/webhook/${hook.parameters.path}`)).status === 200, 60000, 'the setup workflow');
	await server.deactivateWorkflow(created.id);
	const ingest = fill(loadTemplate('Mailtarget to HubSpot - 2 ingest.json'));
	await server.createWorkflow(ingest, { activate: true });
	const trigger = ingest.nodes.find((node) => node.type === `${PKG}.mailtargetTrigger`);
	await server.waitForWebhook(`${trigger.webhookId}/webhook`, 60000);
	for (const file of ['3 drain (notes)', '4 drain (contacts)', '5 drain (optouts)']) await server.createWorkflow(fill(loadTemplate(`Mailtarget to HubSpot - ${file}.json`)), { activate: true });
	return `${server.url}/webhook/${trigger.webhookId}/webhook`;
}

/** Latency of each acknowledged event's note (receipt minus event time), p50/p95 in ms; and how many arrived. */
function noteLatency(simulator, sent) {
	const receivedAt = new Map();
	for (const write of simulator.writes) if (write.crm === 'hubspot' && write.kind === 'note' && write.key && !receivedAt.has(write.key)) receivedAt.set(write.key, write.at);
	const latencies = sent.filter(([key]) => receivedAt.has(key)).map(([key, at]) => receivedAt.get(key) - at).sort((a, b) => a - b);
	return { p50: percentile(latencies, 50), p95: percentile(latencies, 95), max: latencies[latencies.length - 1], arrived: latencies.length };
}

/** HubSpot calls the simulator received in each whole 10 s window from `from` to `to`. */
function callsPerWindow(simulator, from, to) {
	const windows = [];
	for (let start = from; start + HUBSPOT_LIMIT.intervalMs <= to; start += HUBSPOT_LIMIT.intervalMs) {
		windows.push(simulator.requests.filter((request) => request.crm === 'hubspot' && request.at >= start && request.at < start + HUBSPOT_LIMIT.intervalMs).length);
	}
	return windows;
}

/** Runs the whole measurement on one n8n; returns its section as Markdown. */
async function measureSyncLatency(engine = 'vm') {
	const simulator = await startCrmSimulator({ tokens: { hubspot: TOKEN }, limits: { hubspot: HUBSPOT_LIMIT } });
	// e.g. BENCH_N8N_ENV='{"N8N_CONCURRENCY_PRODUCTION_LIMIT":"10"}', the setting the README recommends for bursts.
	const server = await startBenchN8n(engine, { env: process.env.BENCH_N8N_ENV ? JSON.parse(process.env.BENCH_N8N_ENV) : {} });
	try {
		const url = await install(server, simulator.url);
		const noteKeys = (sent) => sent.filter(([, , status]) => ['delivery', 'open', 'click', 'bounce', 'complaint', 'unsubscribe'].includes(status));
		// Warm-up batch, fully delivered before measuring.
		const warm = makeBatch('warm');
		await post(url, warm.bytes, warm.headers);
		await until(() => noteLatency(simulator, noteKeys(warm.sent)).arrived === noteKeys(warm.sent).length, 120000, 'the warm-up notes');

		const steady = [];
		const steadyLoad = await openLoop(url, () => makeBatch('steady'), { rate: STEADY_RATE, seconds: SECONDS, onAnswer: collect(steady) });
		const steadyLatency = await notesArrived(simulator, noteKeys(steady), 300000);

		await sleep(12000);
		// Every burst event counts: requests n8n does not answer within the sender's 10 s still store their events.
		const spike = [];
		const burstStarted = Date.now();
		const burstLoad = await burst(url, () => makeBatch('burst'), { count: BURST, onAnswer: (request) => spike.push(...request.sent) });
		const backlogFrom = Date.now();
		const burstLatency = await notesArrived(simulator, noteKeys(spike), 600000);
		const drainedAt = Math.max(...simulator.writes.filter((write) => write.crm === 'hubspot').map((write) => write.at));
		const windows = callsPerWindow(simulator, backlogFrom, drainedAt);
		const used = windows.length ? windows.reduce((a, b) => a + b, 0) / windows.length / HUBSPOT_LIMIT.max : NaN;
		const f0 = (value) => (Number.isFinite(value) ? value.toFixed(0) : '-');
		return [
			`## CRM sync latency, n8n (${engine}), shipped HubSpot templates, simulator at ${HUBSPOT_LIMIT.max} calls per ${HUBSPOT_LIMIT.intervalMs / 1000} s`,
			'',
			'| phase | batches (≈10 events) | acknowledged within 10 s | notes arrived / counted (steady: acknowledged; burst: all sent) | ack p95 ms | sync p50 ms | sync p95 ms | sync max ms |',
			'|---|---|---|---|---|---|---|---|',
			`| steady, ${STEADY_RATE} req/s for ${SECONDS} s | ${steadyLoad.requests} | ${steadyLoad.ok} | ${steadyLatency.arrived} / ${noteKeys(steady).length} | ${f0(steadyLoad.p95)} | ${f0(steadyLatency.p50)} | ${f0(steadyLatency.p95)} | ${f0(steadyLatency.max)} |`,
			`| burst of ${BURST} at once | ${burstLoad.requests} | ${burstLoad.ok} | ${burstLatency.arrived} / ${noteKeys(spike).length} | ${f0(burstLoad.p95)} | ${f0(burstLatency.p50)} | ${f0(burstLatency.p95)} | ${f0(burstLatency.max)} |`,
			'',
			`Backlog after the burst: drained ${((drainedAt - burstStarted) / 1000).toFixed(0)} s after it started; HubSpot calls per whole 10 s window while it drained: ${windows.join(', ') || '(shorter than one window)'} → ${Number.isFinite(used) ? (used * 100).toFixed(0) : '-'}% of the ${HUBSPOT_LIMIT.max} allowed; 429s from the simulator: ${simulator.rateLimitedCount('hubspot')}.`,
		].join('\n');
	} finally {
		await server.stop();
		await simulator.close();
	}
}

if (require.main === module) {
	measureSyncLatency(process.argv[2]).then((markdown) => console.log(markdown)).catch((error) => {
		console.error(error);
		process.exit(1);
	});
}
module.exports = { measureSyncLatency };
