'use strict';
/**
 * Ingest speed of the n8n template "Mailtarget to custom CRM - 2 ingest" in a real n8n 2.41.1
 * (SQLite, the packed tarball in its community-nodes folder): events per second stored in the
 * outbox while it already remembers 10,000 records (the baseline: the dedupe node's default
 * window) and 1,000,000 records (the 72 h window at campaign scale). Signed batches of 100 new
 * events, two in flight. Remembered records are seeded through the public API.
 *
 *   npm run bench:n8n-ingest
 *   BENCH_REMEMBERED=10000,100000 BENCH_BATCHES=10 node bench/n8nIngest.js
 */
const path = require('path');

const dist = path.resolve(process.env.MAILTARGET_DIST || path.join(__dirname, '..', 'dist'));
const { startN8nServer, hasN8nServer } = require(path.join(dist, 'tools', 'n8n', 'n8nServer.js'));
const { campaignEvents, postSigned } = require(path.join(dist, 'tools', 'demo', 'mailtargetSender.js'));
const { readFileSync } = require('fs');

const REMEMBERED = (process.env.BENCH_REMEMBERED || '10000,1000000').split(',').map(Number);
const BATCHES = Number(process.env.BENCH_BATCHES || 10);
const BATCH_SIZE = 100;
const IN_FLIGHT = 2;
const SECRET = 'bench-secret';
const OUTBOX = 'mailtarget_custom_outbox';
const workflowsDir = path.join(__dirname, '..', 'workflows');
const template = (file) => JSON.parse(readFileSync(path.join(workflowsDir, file), 'utf8'));
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

async function tableId(server, name) {
	const tables = await server.api('GET', '/data-tables?limit=250');
	return tables.data.find((table) => table.name === name).id;
}

async function seed(server, count) {
	const id = await tableId(server, OUTBOX);
	const now = Date.now();
	for (let start = 0; start < count; start += 1000) {
		const data = Array.from({ length: Math.min(1000, count - start) }, (_row, i) => ({
			recordId: `mailtarget:seed-${start + i}`, record: '{}', status: 'delivered', dueAt: now, acceptedAt: now, attempts: 1, claim: '', claimedAt: now, lastAnswer: '201',
		}));
		await server.api('POST', `/data-tables/${id}/rows`, { data, returnType: 'count' });
	}
}

/** Rows whose recordId starts with `prefix` (paged through the public API). */
async function storedCount(server, prefix) {
	const id = await tableId(server, OUTBOX);
	const filter = encodeURIComponent(JSON.stringify({ type: 'and', filters: [{ columnName: 'recordId', condition: 'like', value: `${prefix}%` }] }));
	let count = 0;
	let cursor;
	for (let page = 0; page < 1000; page++) {
		const result = await server.api('GET', `/data-tables/${id}/rows?limit=250&filter=${filter}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
		count += result.data.length;
		if (!result.nextCursor) break;
		cursor = result.nextCursor;
	}
	return count;
}

async function measure(remembered) {
	const server = await startN8nServer({ env: { N8N_DATA_TABLES_MAX_SIZE_BYTES: String(4 * 1024 ** 3), N8N_LOG_LEVEL: 'warn' } });
	try {
		const credential = await server.createCredential('Mailtarget Webhook', 'mailtargetWebhookApi', { signingSecret: SECRET });
		const setup = await server.createWorkflow(template('Mailtarget to custom CRM - 1 setup.json'), { activate: true });
		for (let i = 0; i < 120 && (await fetch(`${server.url}/webhook/mailtarget-custom-setup`)).status !== 200; i++) await sleep(250);
		await server.deactivateWorkflow(setup.id);
		const ingest = template('Mailtarget to custom CRM - 2 ingest.json');
		const trigger = ingest.nodes.find((node) => node.type.endsWith('.mailtargetTrigger'));
		trigger.credentials = { mailtargetWebhookApi: credential };
		await server.createWorkflow(ingest, { activate: true });
		const url = `${server.url}/webhook/${trigger.webhookId}/webhook`;
		await server.waitForWebhook(`${trigger.webhookId}/webhook`);

		const seedStart = Date.now();
		await seed(server, remembered);
		const seedSeconds = (Date.now() - seedStart) / 1000;

		// Unique events: campaignEvents gives ~8 per contact; ids get a per-run prefix.
		const events = campaignEvents(Math.ceil(((BATCHES + 1) * BATCH_SIZE) / 3)).map((event, i) => ({ ...event, eventId: `bench${i}` }));
		const batches = [];
		for (let i = 0; i < BATCHES + 1; i++) batches.push({ batchId: `bench-${i}`, retryCount: 0, events: events.slice(i * BATCH_SIZE, (i + 1) * BATCH_SIZE) });
		await postSigned(url, SECRET, batches.shift()); // warm-up
		// The mapper stores the six event types; others leave on its "other" output.
		const SIX = new Set(['delivery', 'open', 'click', 'bounce', 'complaint', 'unsubscribe']);
		const target = events.slice(0, (BATCHES + 1) * BATCH_SIZE).filter((event) => SIX.has(event.status)).length;
		for (let i = 0; i < 120 && (await storedCount(server, 'mailtarget:bench')) < target - batches.reduce((sum, b) => sum + b.events.filter((e) => SIX.has(e.status)).length, 0); i++) await sleep(250);
		const start = Date.now();
		let next = 0;
		await Promise.all(
			Array.from({ length: IN_FLIGHT }, async () => {
				while (next < batches.length) {
					const status = await postSigned(url, SECRET, batches[next++]);
					if (status !== 200) throw new Error(`ingest answered ${status}`);
				}
			}),
		);
		const deadline = Date.now() + 30 * 60_000;
		let stored = 0;
		while ((stored = await storedCount(server, 'mailtarget:bench')) < target && Date.now() < deadline) await sleep(200);
		const seconds = (Date.now() - start) / 1000;
		const sent = batches.reduce((sum, batch) => sum + batch.events.length, 0);
		const warmUp = target - batches.reduce((sum, batch) => sum + batch.events.filter((event) => SIX.has(event.status)).length, 0);
		return { remembered, seedSeconds, sent, stored: stored - warmUp, seconds, perSecond: (stored - warmUp) / seconds };
	} finally {
		await server.stop();
	}
}

async function main() {
	if (!hasN8nServer()) throw new Error('n8n is not installed: run scripts/ensure-n8n-host.sh');
	const rows = [];
	for (const remembered of REMEMBERED) {
		const result = await measure(remembered);
		rows.push(result);
		console.log(`measured ${remembered} remembered: ${result.perSecond.toFixed(1)} events/s`);
	}
	const baseline = rows[0].perSecond;
	console.log('\nn8n ingest template (trigger, dedupe, mapper, outbox insert-if-absent), SQLite, batches of 100 events, 2 in flight');
	console.log('| remembered records | seeding (s) | events sent | records stored | time (s) | records stored/s | vs first row |');
	console.log('|---:|---:|---:|---:|---:|---:|---:|');
	for (const row of rows) {
		console.log(`| ${row.remembered.toLocaleString('en')} | ${row.seedSeconds.toFixed(0)} | ${row.sent} | ${row.stored} | ${row.seconds.toFixed(1)} | ${row.perSecond.toFixed(1)} | ${(row.perSecond / baseline).toFixed(2)}x |`);
	}
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
