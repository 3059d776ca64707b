'use strict';
/** The n8n rows of `npm run bench` for one expression engine: one n8n, every workflow side by side. */
const { startBenchN8n, deploy, setUpCustomCrmTables } = require('./n8nHost');
const { answeringOnReceipt, fastPathAlone, handBuilt, line, noOp, ourTrigger, shipped, webhookNode } = require('./workflows');
const { peakRssMiB } = require('./processMemory');

const OUTBOX = 'mailtarget_custom_outbox';
const DEAD = 'mailtarget_custom_deadletters';

const ROW_NAMES = {
	webhookNode: "n8n Webhook node (-> NoOp)",
	handBuilt: 'n8n hand-built (Webhook -> Code HMAC -> Code split -> Remove Duplicates -> outbox)',
	mailtargetTrigger: 'n8n: our trigger alone (-> NoOp)',
	fastPath: 'n8n: Webhook node -> Mailtarget Verify (-> NoOp)',
	shippedIngest: 'n8n: shipped ingest template (trigger)',
	shippedFastPath: 'n8n: shipped ingest template (Webhook node fast path)',
	shippedIngestImmediate: 'n8n: shipped ingest template (trigger), set to answer immediately (before issue 10)',
	shippedFastPathImmediate: 'n8n: shipped ingest template (Webhook node fast path), set to answer immediately (before issue 10)',
};
/** Rows that store events, and the record id each acknowledged event must get. */
const record = (id) => `mailtarget:${id}`;
const STORED = { handBuilt: (id) => `handbuilt:${id}`, shippedIngest: record, shippedFastPath: record, shippedIngestImmediate: record, shippedFastPathImmediate: record };

/** The public API answers 503 while n8n's database pool is saturated: ask again. */
async function api(server, method, route) {
	for (let attempt = 0; ; attempt++) {
		try {
			return await server.api(method, route);
		} catch (error) {
			if (attempt >= 20 || !/: 503 /.test(String(error.message))) throw error;
			await sleep(1000);
		}
	}
}

async function tableRows(server, name) {
	const tables = await api(server, 'GET', '/data-tables?limit=250');
	const table = tables.data.find((candidate) => candidate.name === name);
	if (!table) return [];
	const rows = [];
	let cursor;
	for (let page = 0; page < 10000; page++) {
		const result = await api(server, 'GET', `/data-tables/${table.id}/rows?limit=250${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
		rows.push(...result.data);
		if (!result.nextCursor) break;
		cursor = result.nextCursor;
	}
	return rows;
}

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

/** Waits until the outbox stops growing (executions still queued finish), at most `timeoutMs`. */
async function settledOutbox(server, expectedAtLeast, timeoutMs = 180000) {
	const deadline = Date.now() + timeoutMs;
	let last = -1;
	let stableSince = Date.now();
	for (;;) {
		const rows = await tableRows(server, OUTBOX);
		if (rows.length !== last) {
			last = rows.length;
			stableSince = Date.now();
		}
		// 5 s: requests answered late or not at all (a burst with Respond when stored) may still be storing.
		if (rows.length >= expectedAtLeast && Date.now() - stableSince > 5000) return rows;
		if (Date.now() - stableSince > 15000 || Date.now() > deadline) return rows;
		await sleep(1000);
	}
}

async function measureN8nEngine(engine, { secret, sizes, rows, measureRow }) {
	const server = await startBenchN8n(engine, { env: { NODE_FUNCTION_ALLOW_BUILTIN: 'crypto' } });
	try {
		await setUpCustomCrmTables(server);
		const credential = await server.createCredential('Mailtarget Webhook', 'mailtargetWebhookApi', { signingSecret: secret });
		const workflows = {
			webhookNode: line('bench webhook node', [webhookNode('bench-webhook-node'), noOp]),
			handBuilt: handBuilt('bench-hand-built', secret),
			mailtargetTrigger: line('bench mailtarget trigger', [ourTrigger('bench-mailtarget-trigger', credential), noOp]),
			fastPath: fastPathAlone('bench-fast-path', credential),
			shippedIngest: shipped('Mailtarget to custom CRM - 2 ingest.json', credential, 'b1'),
			shippedFastPath: shipped('Mailtarget to custom CRM - 2 ingest (Webhook node).json', credential, 'b2'),
			shippedIngestImmediate: answeringOnReceipt(shipped('Mailtarget to custom CRM - 2 ingest.json', credential, 'b3')),
			shippedFastPathImmediate: answeringOnReceipt(shipped('Mailtarget to custom CRM - 2 ingest (Webhook node).json', credential, 'b4')),
		};
		const chosen = Object.fromEntries(Object.entries(workflows).filter(([key]) => !rows || rows.includes(key) || rows.includes(ROW_NAMES[key])));
		const urls = await deploy(server, chosen);
		const results = [];
		const ledgers = [];
		for (const key of Object.keys(chosen)) {
			const sent = STORED[key] ? [] : undefined;
			for (const size of sizes) {
				const row = await measureRow(urls[key], size, sent);
				results.push({ host: 'n8n', engine, name: ROW_NAMES[key], handBuilt: key === 'handBuilt', ...row });
				process.stderr.write(`n8n ${engine} ${key} ×${size}: held ${row.held} req/s, p95 ${row.p95?.toFixed(0)} ms, burst p95 ${row.burstP95?.toFixed(0)} ms\n`);
			}
			if (sent) {
				const recordOf = STORED[key];
				const wanted = new Set(sent.map(recordOf));
				const outbox = await settledOutbox(server, wanted.size);
				const stored = new Set(outbox.map((row) => String(row.recordId)));
				const dead = new Set((await tableRows(server, DEAD)).map((row) => String(row.recordId)));
				let pending = 0;
				let deadCount = 0;
				let missing = 0;
				for (const id of wanted) {
					if (stored.has(id)) pending++;
					else if (dead.has(id)) deadCount++;
					else missing++;
				}
				ledgers.push({ name: ROW_NAMES[key], engine, sent: wanted.size, applied: 0, dead: deadCount, pending, missing });
			}
		}
		return { results, ledgers, peakMiB: peakRssMiB(server.pid()) };
	} finally {
		await server.stop();
	}
}

module.exports = { measureN8nEngine, ROW_NAMES };
