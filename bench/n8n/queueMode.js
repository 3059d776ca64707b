'use strict';
/**
 * n8n queue mode with the packed package: Redis (Debian's redis-server) + a throwaway PostgreSQL,
 * 1 main + workers (`n8n worker`, same DB, encryption key and user folder, own broker port), the
 * custom-CRM setup, ingest and drain templates, the CRM simulator.
 *   1. ingest throughput with 1 worker, then with 2 (acknowledged req/s and events stored per second)
 *   2. every batch delivered twice at once (the two executions land on whichever workers are free):
 *      each record reaches the CRM as one activity
 *   3. kill -9 of a worker mid-drain: every record still reaches the CRM (ledger)
 *
 *   npm run build && node bench/n8n/queueMode.js
 */
const path = require('path');

const repoRoot = path.join(__dirname, '..', '..');
const dist = path.join(repoRoot, 'dist');
const { startN8nServer } = require(path.join(dist, 'tools', 'n8n', 'n8nServer.js'));
const { startPostgres } = require(path.join(dist, 'tools', 'n8n', 'postgres.js'));
const { startRedis } = require(path.join(dist, 'tools', 'n8n', 'redis.js'));
const { startCrmSimulator } = require(path.join(dist, 'tools', 'crm-simulator', 'index.js'));
const { closedLoop, post, signedBatch } = require('./load');
const { loadTemplate } = require('./workflows');
const { peakRssMiB } = require('./processMemory');

const SECRET = 'queue-signing-secret';
const TOKEN = 'queue-crm-token';
const OUTBOX = 'mailtarget_custom_outbox';
const SECONDS = Number(process.env.BENCH_SECONDS || 10);
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

async function until(check, timeoutMs, what) {
	const deadline = Date.now() + timeoutMs;
	while (!(await check())) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await sleep(500);
	}
}

function withCredentials(template, credentials) {
	template.nodes = template.nodes.map((node) => (node.credentials ? { ...node, credentials: Object.fromEntries(Object.keys(node.credentials).map((type) => [type, credentials[type] ?? node.credentials[type]])) } : node));
	return template;
}

function drainTemplate(credentials, crmBaseUrl) {
	const template = withCredentials(loadTemplate('Mailtarget to custom CRM - 3 drain.json'), credentials);
	const settings = template.nodes.find((node) => node.name === 'Settings');
	for (const assignment of settings.parameters.assignments.assignments) {
		if (assignment.name === 'crmBaseUrl') assignment.value = crmBaseUrl;
		if (assignment.name === 'recordsPerTick') assignment.value = 50;
		if (assignment.name === 'leaseSeconds') assignment.value = 10;
	}
	template.nodes.find((node) => node.type === 'n8n-nodes-base.scheduleTrigger').parameters.rule = { interval: [{ field: 'seconds', secondsInterval: 1 }] };
	return template;
}

async function outboxRows(server) {
	const tables = await server.api('GET', '/data-tables?limit=250');
	const table = tables.data.find((candidate) => candidate.name === OUTBOX);
	if (!table) return [];
	const rows = [];
	let cursor;
	for (let page = 0; page < 10000; page++) {
		const result = await server.api('GET', `/data-tables/${table.id}/rows?limit=250${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
		rows.push(...result.data);
		if (!result.nextCursor) break;
		cursor = result.nextCursor;
	}
	return rows;
}

async function outboxCount(server) {
	const tables = await server.api('GET', '/data-tables?limit=250');
	const table = tables.data.find((candidate) => candidate.name === OUTBOX);
	if (!table) return 0;
	let count = 0;
	let cursor;
	for (let page = 0; page < 10000; page++) {
		const result = await server.api('GET', `/data-tables/${table.id}/rows?limit=250${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
		count += result.data.length;
		if (!result.nextCursor) break;
		cursor = result.nextCursor;
	}
	return count;
}

const makeBatch = (tag) => () => {
	const batch = signedBatch(SECRET, 10, tag);
	return { bytes: batch.bytes, headers: { 'X-Mailtarget-Signature': batch.signature }, events: batch.events };
};

async function ingestThroughput(server, url, tag) {
	const before = await outboxCount(server);
	const started = Date.now();
	const result = await closedLoop(url, makeBatch(tag), { connections: 10, seconds: SECONDS });
	const expected = before + result.ok * 10;
	await until(async () => (await outboxCount(server)) >= expected, 300000, `${tag}: every acknowledged event stored`);
	const storedPerSecond = (result.ok * 10) / ((Date.now() - started) / 1000);
	return { ackPerSecond: result.perSecond, p95: result.p95, failed: result.failed, storedPerSecond };
}

async function main() {
	const redis = await startRedis();
	const postgres = await startPostgres();
	const simulator = await startCrmSimulator({ tokens: { custom: TOKEN }, limits: { custom: { max: 100000, intervalMs: 1000 } } });
	let server;
	const report = [];
	try {
		server = await startN8nServer({ database: 'postgres', postgres, queue: { redisHost: redis.host, redisPort: redis.port } });
		const worker1 = await server.startWorker();
		const setup = loadTemplate('Mailtarget to custom CRM - 1 setup.json');
		const setupWorkflow = await server.createWorkflow(setup, { activate: true });
		const setupPath = setup.nodes.find((node) => node.type === 'n8n-nodes-base.webhook').parameters.path;
		await until(async () => (await fetch(`${server.url}/webhook/${setupPath}`)).status === 200, 60000, 'the setup workflow');
		await server.deactivateWorkflow(setupWorkflow.id);
		const credentials = {
			mailtargetWebhookApi: await server.createCredential('Mailtarget Webhook', 'mailtargetWebhookApi', { signingSecret: SECRET }),
			httpHeaderAuth: await server.createCredential('Custom CRM token', 'httpHeaderAuth', { name: 'Authorization', value: `Bearer ${TOKEN}` }),
		};
		const ingest = withCredentials(loadTemplate('Mailtarget to custom CRM - 2 ingest.json'), credentials);
		await server.createWorkflow(ingest, { activate: true });
		const trigger = ingest.nodes.find((node) => node.webhookId);
		const url = `${server.url}/webhook/${trigger.webhookId}/webhook`;
		await server.waitForWebhook(`${trigger.webhookId}/webhook`, 60000);

		// 1. throughput, 1 worker then 2
		await closedLoop(url, makeBatch('warm'), { connections: 4, seconds: 2 });
		const one = await ingestThroughput(server, url, 'one');
		const worker2 = await server.startWorker();
		const two = await ingestThroughput(server, url, 'two');
		report.push(`| 1 worker | ${one.ackPerSecond.toFixed(1)} | ${one.p95.toFixed(0)} | ${one.storedPerSecond.toFixed(0)} | ${one.failed} |`);
		report.push(`| 2 workers | ${two.ackPerSecond.toFixed(1)} | ${two.p95.toFixed(0)} | ${two.storedPerSecond.toFixed(0)} | ${two.failed} |`);
		console.error(report.join('\n'));

		// 2. duplicates at once, then the drain sends everything
		const agent = undefined;
		const duplicated = [];
		for (let i = 0; i < 20; i++) {
			const batch = makeBatch('dup')();
			duplicated.push(...batch.events.map((event) => `mailtarget:${event.eventId}`));
			const answers = await Promise.all([post(url, batch.bytes, batch.headers, agent), post(url, batch.bytes, batch.headers, agent)]);
			if (answers.some((answer) => answer.status !== 200)) throw new Error(`duplicate delivery answered ${answers.map((a) => a.status)}`);
		}
		await server.createWorkflow(drainTemplate(credentials, simulator.url), { activate: true });
		const allKeys = () => new Set([...simulator.activityCounts('custom').keys()]);
		await until(() => duplicated.every((key) => allKeys().has(key)), 300000, 'every duplicated record at the CRM');
		const counts = simulator.activityCounts('custom');
		const twice = duplicated.filter((key) => counts.get(key) !== 1);
		console.error(`duplicates: ${duplicated.length} records, ${twice.length} not exactly one activity`);

		// 3. kill -9 of a worker mid-drain
		const killBatch = [];
		for (let i = 0; i < 30; i++) {
			const batch = makeBatch('kill')();
			killBatch.push(...batch.events.map((event) => `mailtarget:${event.eventId}`));
			const answer = await post(url, batch.bytes, batch.headers, agent);
			if (answer.status !== 200) throw new Error(`kill batch answered ${answer.status}`);
		}
		await until(() => killBatch.some((key) => allKeys().has(key)), 120000, 'the drain to start on the kill batch');
		const memory = { main: peakRssMiB(server.pid()), worker1: peakRssMiB(worker1.pid), worker2: peakRssMiB(worker2.pid) };
		await worker1.kill9();
		const deliveredAtKill = killBatch.filter((key) => allKeys().has(key)).length;
		console.error(`killed worker 1 with ${deliveredAtKill}/${killBatch.length} kill-batch records at the CRM`);
		try {
			await until(() => killBatch.every((key) => allKeys().has(key)), 240000, 'every kill-batch record at the CRM after the kill');
		} catch (error) {
			const rows = await outboxRows(server);
			const byStatus = {};
			const inOutbox = new Set();
			for (const row of rows) if (killBatch.includes(String(row.recordId))) { inOutbox.add(String(row.recordId)); byStatus[row.status] = (byStatus[row.status] || 0) + 1; }
			console.error(`kill batch: ${killBatch.filter((key) => allKeys().has(key)).length}/${killBatch.length} at the CRM, ${inOutbox.size} in the outbox ${JSON.stringify(byStatus)}, ${killBatch.length - inOutbox.size} acknowledged but never stored`);
			const executions = await server.api('GET', '/executions?limit=250&status=crashed').catch(() => ({ data: [] }));
			console.error(`crashed executions: ${executions.data.length}`);
			throw error;
		}
		const afterKill = simulator.activityCounts('custom');
		const killTwice = killBatch.filter((key) => afterKill.get(key) !== 1);
		const resent = simulator.writes.filter((write) => !write.created).length;

		console.log('## n8n queue mode (1 main + workers, Redis, PostgreSQL)\n');
		console.log(`Ingest: custom-CRM ingest template, 10-event signed batches, 10 connections, ${SECONDS} s; stored/s = events in the outbox per second until the last acknowledged one is stored.\n`);
		console.log('| workers | acknowledged req/s | p95 ms | events stored/s | failed |\n|---|---|---|---|---|');
		console.log(report.join('\n'));
		console.log(`\nDuplicates: ${duplicated.length} records, each batch POSTed twice at once: ${twice.length} records with a CRM activity count other than 1.`);
		console.log(`kill -9 of worker 1 mid-drain (${deliveredAtKill}/${killBatch.length} delivered at the kill): ${killBatch.length - killBatch.filter((key) => afterKill.has(key)).length} lost, ${killTwice.length} with an activity count other than 1; CRM writes that repeated a record: ${resent}.`);
		console.log(`Peak RSS before the kill: main ${memory.main} MiB, worker 1 ${memory.worker1} MiB, worker 2 ${memory.worker2} MiB.`);
		return twice.length === 0 && killTwice.length === 0 ? 0 : 1;
	} finally {
		await server?.stop();
		await postgres.stop();
		await redis.stop();
		await simulator.close();
	}
}

main().then(
	(code) => process.exit(code),
	(error) => {
		console.error(error);
		process.exit(1);
	},
);
