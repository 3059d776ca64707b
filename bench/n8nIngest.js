'use strict';
/**
 * Ingest speed of the n8n template "Mailtarget to custom CRM - 2 ingest" in a real n8n 2.41.1
 * (SQLite, the packed tarball in its community-nodes folder): events per second stored in the
 * outbox while it already remembers 10,000 records (the baseline: the dedupe node's default
 * window) and 1,000,000 records (the 72 h window at campaign scale). Signed batches of 100 new
 * events, two in flight. Remembered records are seeded through the public API.
 *
 * BENCH_SHARDS=1,16 also measures the prototype that splits the outbox into 16 Data Tables by
 * the first hex digit of md5(record id): a Switch node (n8n's `.hash()`) sends each record to one
 * of 16 fixed "Only new records" / "Store as due" pairs, so each insert-if-absent lookup scans a
 * sixteenth of the records and each pair still inserts in bulk. (A table name given as an
 * expression instead makes n8n insert row by row, with a size check of every table each time:
 * 20.4 vs 80.5 records/s at 10,000 records.) BENCH_DATABASE=postgres runs on a
 * throwaway PostgreSQL instead of SQLite.
 *
 *   npm run bench:n8n-ingest
 *   BENCH_REMEMBERED=10000,100000 BENCH_BATCHES=10 BENCH_SHARDS=1,16 node bench/n8nIngest.js
 */
const path = require('path');

const dist = path.resolve(process.env.MAILTARGET_DIST || path.join(__dirname, '..', 'dist'));
const { startN8nServer, hasN8nServer } = require(path.join(dist, 'tools', 'n8n', 'n8nServer.js'));
const { campaignEvents, postSigned } = require(path.join(dist, 'tools', 'demo', 'mailtargetSender.js'));
const { readFileSync } = require('fs');
const { createHash } = require('crypto');

const REMEMBERED = (process.env.BENCH_REMEMBERED || '10000,1000000').split(',').map(Number);
const BATCHES = Number(process.env.BENCH_BATCHES || 10);
const SHARDS = (process.env.BENCH_SHARDS || '1').split(',').map(Number);
const DATABASE = process.env.BENCH_DATABASE || 'sqlite';
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

/** The outbox tables: one, or one per value of the first `digits` hex digits of md5(record id). */
function shardTables(shards) {
	if (shards === 1) return [OUTBOX];
	const digits = Math.log(shards) / Math.log(16);
	if (!Number.isInteger(digits)) throw new Error(`BENCH_SHARDS must be 1, 16 or 256, got ${shards}`);
	return Array.from({ length: shards }, (_table, i) => `${OUTBOX}_${i.toString(16).padStart(digits, '0')}`);
}
const shardOf = (recordId, shards) => (shards === 1 ? OUTBOX : `${OUTBOX}_${createHash('md5').update(recordId).digest('hex').slice(0, Math.log(shards) / Math.log(16))}`);

async function createShards(server, shards) {
	if (shards === 1) return;
	const columns = Object.entries({ recordId: 'string', record: 'string', status: 'string', dueAt: 'number', acceptedAt: 'number', attempts: 'number', claim: 'string', claimedAt: 'number', lastAnswer: 'string' }).map(([name, type]) => ({ name, type }));
	for (const name of shardTables(shards)) await server.api('POST', '/data-tables', { name, columns });
}

/** The shipped ingest, or the prototype: a Switch on the record id's hash in front of one outbox pair per table. */
function ingestTemplate(shards) {
	const ingest = template('Mailtarget to custom CRM - 2 ingest.json');
	if (shards === 1) return ingest;
	const digits = Math.log(shards) / Math.log(16);
	const only = ingest.nodes.find((node) => node.name === 'Only new records');
	const store = ingest.nodes.find((node) => node.name === 'Store as due');
	const tables = shardTables(shards);
	const pairs = tables.flatMap((table, i) => [
		{ ...structuredClone(only), id: `${only.id}s${i}`, name: `Only new records ${i}`, position: [940, i * 160], parameters: { ...structuredClone(only.parameters), dataTableId: { __rl: true, mode: 'name', value: table } } },
		{ ...structuredClone(store), id: `${store.id}s${i}`, name: `Store as due ${i}`, position: [1160, i * 160], parameters: { ...structuredClone(store.parameters), dataTableId: { __rl: true, mode: 'name', value: table } } },
	]);
	const to = (node) => [{ node, type: 'main', index: 0 }];
	const router = {
		id: 'bench-shard-switch',
		name: 'Outbox table by hash',
		type: 'n8n-nodes-base.switch',
		typeVersion: 3.2,
		position: [720, 0],
		parameters: { mode: 'expression', numberOutputs: shards, output: `={{ parseInt($json.id.hash('md5').slice(0, ${digits}), 16) }}` },
	};
	ingest.nodes = [...ingest.nodes.filter((node) => node !== only && node !== store), router, ...pairs];
	const connections = {};
	for (const [from, value] of Object.entries(ingest.connections)) {
		if (from === 'Only new records') continue;
		connections[from] = { main: value.main.map((outputs) => outputs.map((link) => (link.node === 'Only new records' ? { ...link, node: router.name } : link))) };
	}
	connections[router.name] = { main: tables.map((_table, i) => to(`Only new records ${i}`)) };
	tables.forEach((_table, i) => (connections[`Only new records ${i}`] = { main: [to(`Store as due ${i}`)] }));
	ingest.connections = connections;
	return ingest;
}

async function seed(server, count, shards) {
	const ids = new Map();
	for (const name of shardTables(shards)) ids.set(name, await tableId(server, name));
	const now = Date.now();
	const pending = new Map([...ids.keys()].map((table) => [table, []]));
	const flush = async (table) => {
		const data = pending.get(table);
		if (data.length > 0) await server.api('POST', `/data-tables/${ids.get(table)}/rows`, { data, returnType: 'count' });
		pending.set(table, []);
	};
	for (let i = 0; i < count; i++) {
		const recordId = `mailtarget:seed-${i}`;
		const table = shardOf(recordId, shards);
		pending.get(table).push({ recordId, record: '{}', status: 'delivered', dueAt: now, acceptedAt: now, attempts: 1, claim: '', claimedAt: now, lastAnswer: '201' });
		if (pending.get(table).length === 1000) await flush(table);
	}
	for (const table of ids.keys()) await flush(table);
}

/** Rows whose recordId starts with `prefix` (paged through the public API), over every outbox table. */
async function storedCount(server, prefix, shards) {
	let total = 0;
	for (const name of shardTables(shards)) total += await storedCountIn(server, await tableId(server, name), prefix);
	return total;
}

async function storedCountIn(server, id, prefix) {
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

async function measure(remembered, shards) {
	const server = await startN8nServer({ database: DATABASE, env: { N8N_DATA_TABLES_MAX_SIZE_BYTES: String(4 * 1024 ** 3), N8N_LOG_LEVEL: 'warn' } });
	try {
		const credential = await server.createCredential('Mailtarget Webhook', 'mailtargetWebhookApi', { signingSecret: SECRET });
		const setup = await server.createWorkflow(template('Mailtarget to custom CRM - 1 setup.json'), { activate: true });
		for (let i = 0; i < 120 && (await fetch(`${server.url}/webhook/mailtarget-custom-setup`)).status !== 200; i++) await sleep(250);
		await server.deactivateWorkflow(setup.id);
		await createShards(server, shards);
		const ingest = ingestTemplate(shards);
		const trigger = ingest.nodes.find((node) => node.type.endsWith('.mailtargetTrigger'));
		trigger.credentials = { mailtargetWebhookApi: credential };
		await server.createWorkflow(ingest, { activate: true });
		const url = `${server.url}/webhook/${trigger.webhookId}/webhook`;
		await server.waitForWebhook(`${trigger.webhookId}/webhook`);

		const seedStart = Date.now();
		await seed(server, remembered, shards);
		const seedSeconds = (Date.now() - seedStart) / 1000;

		// Unique events: campaignEvents gives ~8 per contact; ids get a per-run prefix.
		const events = campaignEvents(Math.ceil(((BATCHES + 1) * BATCH_SIZE) / 3)).map((event, i) => ({ ...event, eventId: `bench${i}` }));
		const batches = [];
		for (let i = 0; i < BATCHES + 1; i++) batches.push({ batchId: `bench-${i}`, retryCount: 0, events: events.slice(i * BATCH_SIZE, (i + 1) * BATCH_SIZE) });
		await postSigned(url, SECRET, batches.shift()); // warm-up
		// The mapper stores the six event types; others leave on its "other" output.
		const SIX = new Set(['delivery', 'open', 'click', 'bounce', 'complaint', 'unsubscribe']);
		const target = events.slice(0, (BATCHES + 1) * BATCH_SIZE).filter((event) => SIX.has(event.status)).length;
		for (let i = 0; i < 120 && (await storedCount(server, 'mailtarget:bench', shards)) < target - batches.reduce((sum, b) => sum + b.events.filter((e) => SIX.has(e.status)).length, 0); i++) await sleep(250);
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
		while ((stored = await storedCount(server, 'mailtarget:bench', shards)) < target && Date.now() < deadline) await sleep(200);
		const seconds = (Date.now() - start) / 1000;
		const sent = batches.reduce((sum, batch) => sum + batch.events.length, 0);
		const warmUp = target - batches.reduce((sum, batch) => sum + batch.events.filter((event) => SIX.has(event.status)).length, 0);
		return { remembered, shards, seedSeconds, sent, stored: stored - warmUp, seconds, perSecond: (stored - warmUp) / seconds };
	} finally {
		await server.stop();
	}
}

async function main() {
	if (!hasN8nServer()) throw new Error('n8n is not installed: run scripts/ensure-n8n-host.sh');
	const rows = [];
	for (const shards of SHARDS) {
		for (const remembered of REMEMBERED) {
			const result = await measure(remembered, shards);
			rows.push(result);
			console.log(`measured ${remembered} remembered, ${shards} outbox table(s): ${result.perSecond.toFixed(1)} records/s`);
		}
	}
	const baseline = rows[0].perSecond;
	console.log(`\nn8n ingest template (trigger, dedupe, mapper, outbox insert-if-absent), ${DATABASE}, batches of 100 events, 2 in flight`);
	console.log('| outbox tables | remembered records | seeding (s) | events sent | records stored | time (s) | records stored/s | vs first row |');
	console.log('|---:|---:|---:|---:|---:|---:|---:|---:|');
	for (const row of rows) {
		console.log(`| ${row.shards} | ${row.remembered.toLocaleString('en')} | ${row.seedSeconds.toFixed(0)} | ${row.sent} | ${row.stored} | ${row.seconds.toFixed(1)} | ${row.perSecond.toFixed(1)} | ${(row.perSecond / baseline).toFixed(2)}x |`);
	}
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
