'use strict';
/**
 * Issue 10's ingest-cost table: requests per second that n8n answers for a 12-event signed batch,
 * 10 keep-alive connections, each workflow ending in a NoOp, per expression engine:
 *   n8n Webhook node | no-op community trigger | the same + one getCredentials() | Mailtarget Trigger
 * One n8n (PostgreSQL) per engine, all four workflows active side by side.
 *
 * Then, in the same interleaved rounds, issue 10's other pairs: the Webhook-node fast path (Webhook ->
 * Mailtarget Verify -> NoOp) against the bare Webhook node, and both shipped custom-CRM ingests
 * (answering once stored) against the hand-built ingest storing into the same outbox.
 *
 *   npm run build && node bench/n8n/ingestCost.js [vm lazy legacy]
 *   BENCH_VARIANTS=webhookNode,fastPath node bench/n8n/ingestCost.js vm
 *   BENCH_SECONDS=8 BENCH_CPU_PROF=dir node bench/n8n/ingestCost.js vm   (CPU profile of n8n)
 */
const path = require('path');
const { closedLoop, signedBatch } = require('./load');
const { startBenchN8n, deploy, setUpCustomCrmTables } = require('./n8nHost');
const { answeringOnReceipt, fastPathAlone, handBuilt, ingestCostWorkflows, shipped } = require('./workflows');
const { peakRssMiB } = require('./processMemory');

const SECRET = 'bench-signing-secret';
const SECONDS = Number(process.env.BENCH_SECONDS || 12);
const ROUNDS = Number(process.env.BENCH_ROUNDS || 6);
const TRIGGER_VARIANTS = ['webhookNode', 'noopTrigger', 'noopTriggerReadsCredential', 'mailtargetTriggerV1', 'mailtargetTrigger'];
/** Issue 10's other ratios: the fast path against the bare Webhook node, the shipped ingests against the hand-built one. */
/**
 * Every storing row answers once its last node has run: a row answering on receipt leaves its executions running
 * after its round, and they slow down the rounds of the rows after it (measured: the bare Webhook node fell from 125 to
 * 24 req/s). `handBuilt` and `shippedIngestImmediate` (answering on receipt) are there to be named in BENCH_VARIANTS.
 */
const STORING_VARIANTS = ['fastPath', 'handBuiltWhenStored', 'shippedIngest', 'shippedFastPath'];
const ON_RECEIPT_VARIANTS = ['handBuilt', 'shippedIngestImmediate'];
/** Only named in BENCH_VARIANTS. */
const EXPERIMENT_VARIANTS = ['shippedIngestOneOutput'];

/** The shipped ingest with the mapper on one output (what the per-action fan-out costs; every bench event is valid). */
function mapperOnOneOutput(template) {
	const mapper = template.nodes.find((node) => node.type.endsWith('.mailtargetEventMapper'));
	mapper.parameters = { ...mapper.parameters, routing: 'single' };
	template.connections[mapper.name] = { main: [template.connections[mapper.name].main[0]] };
	return template;
}

const VARIANTS = process.env.BENCH_VARIANTS ? process.env.BENCH_VARIANTS.split(',') : [...TRIGGER_VARIANTS, ...STORING_VARIANTS];

async function measureEngine(engine) {
	const env = process.env.BENCH_CPU_PROF ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${path.resolve(process.env.BENCH_CPU_PROF, engine)}` } : {};
	const server = await startBenchN8n(engine, { env: { NODE_FUNCTION_ALLOW_BUILTIN: 'crypto', ...env } });
	try {
		const credential = await server.createCredential('Mailtarget Webhook', 'mailtargetWebhookApi', { signingSecret: SECRET });
		const storing = VARIANTS.some((variant) => [...STORING_VARIANTS, ...ON_RECEIPT_VARIANTS, ...EXPERIMENT_VARIANTS].includes(variant));
		if (storing) await setUpCustomCrmTables(server);
		const all = {
			...ingestCostWorkflows(credential, {}),
			fastPath: fastPathAlone('bench-fast-path', credential, {}),
			handBuilt: handBuilt('bench-hand-built', SECRET, {}),
			// The same, answering once its last node has run, as the shipped ingests do.
			handBuiltWhenStored: handBuilt('bench-hand-built-when-stored', SECRET, {}, { responseMode: 'lastNode', responseData: 'noData' }),
			shippedIngestImmediate: answeringOnReceipt(shipped('Mailtarget to custom CRM - 2 ingest.json', credential, 'c3')),
			shippedIngestOneOutput: mapperOnOneOutput(shipped('Mailtarget to custom CRM - 2 ingest.json', credential, 'c4')),
			shippedIngest: shipped('Mailtarget to custom CRM - 2 ingest.json', credential, 'c1'),
			shippedFastPath: shipped('Mailtarget to custom CRM - 2 ingest (Webhook node).json', credential, 'c2'),
		};
		const urls = await deploy(server, Object.fromEntries(VARIANTS.map((variant) => [variant, all[variant]])));
		const make = () => {
			const batch = signedBatch(SECRET, 12);
			return { bytes: batch.bytes, headers: { 'X-Mailtarget-Signature': batch.signature } };
		};
		// Interleaved short rounds, so that a change in the machine's load (it is shared) hits every variant alike.
		const totals = Object.fromEntries(VARIANTS.map((variant) => [variant, { ok: 0, failed: 0, seconds: 0, p95s: [] }]));
		for (const variant of VARIANTS) await closedLoop(urls[variant], make, { connections: 10, seconds: 1.5 });
		for (let round = 0; round < ROUNDS; round++) {
			for (const variant of VARIANTS) {
				const result = await closedLoop(urls[variant], make, { connections: 10, seconds: SECONDS / ROUNDS });
				const total = totals[variant];
				total.ok += result.ok;
				total.failed += result.failed;
				total.seconds += result.ok / Math.max(result.perSecond, 1e-9);
				total.p95s.push(result.p95);
			}
		}
		const rows = {};
		for (const variant of VARIANTS) {
			const total = totals[variant];
			rows[variant] = { perSecond: total.ok / total.seconds, failed: total.failed, p95: total.p95s.sort((a, b) => a - b)[Math.floor(total.p95s.length / 2)] };
			process.stderr.write(`${engine} ${variant}: ${rows[variant].perSecond.toFixed(1)} req/s (median round p95 ${rows[variant].p95.toFixed(0)} ms), failed ${total.failed}\n`);
		}
		return { rows, peakMiB: peakRssMiB(server.pid()) };
	} finally {
		await server.stop();
	}
}

const LABELS = {
	webhookNode: 'n8n Webhook node',
	noopTrigger: 'no-op community trigger (v1)',
	noopTriggerReadsCredential: '+ reads a credential',
	mailtargetTriggerV1: 'Mailtarget Trigger at typeVersion 1',
	mailtargetTrigger: 'Mailtarget Trigger (v2, answers on receipt)',
};

function table(results) {
	const shown = TRIGGER_VARIANTS.filter((variant) => VARIANTS.includes(variant));
	const out = [];
	if (shown.includes('webhookNode')) {
		out.push(`| engine | ${shown.map((variant) => LABELS[variant]).join(' | ')} | n8n peak RSS |`, `|---|${shown.map(() => '---|').join('')}---|`);
		for (const [engine, { rows, peakMiB }] of Object.entries(results)) {
			const base = rows.webhookNode.perSecond;
			const cell = (key) => (key === 'webhookNode' ? `${base.toFixed(1)} req/s` : `${(rows[key].perSecond / base).toFixed(2)}× (${rows[key].perSecond.toFixed(1)} req/s)`) + (rows[key].failed ? `, ${rows[key].failed} failed` : '');
			out.push(`| ${engine} | ${shown.map(cell).join(' | ')} | ${peakMiB ?? '?'} MiB |`);
		}
	}
	const pairs = [
		['fastPath', 'webhookNode', 'Webhook node -> Mailtarget Verify -> NoOp', 'bare Webhook node -> NoOp', 0.9],
		['shippedIngest', 'handBuilt', 'shipped ingest (trigger, answers once stored)', 'hand-built (Webhook -> Code HMAC -> Code split -> Remove Duplicates -> outbox), answers on receipt', 1.0],
		['shippedFastPath', 'handBuilt', 'shipped ingest (Webhook node fast path, answers once stored)', 'hand-built, answers on receipt', 1.0],
		['shippedIngest', 'handBuiltWhenStored', 'shipped ingest (trigger, answers once stored)', 'hand-built, answers once its last node ran', 1.0],
		['shippedFastPath', 'handBuiltWhenStored', 'shipped ingest (Webhook node fast path, answers once stored)', 'hand-built, answers once its last node ran', 1.0],
		['shippedIngestImmediate', 'handBuilt', 'shipped ingest (trigger) set to answer on receipt', 'hand-built, answers on receipt', 1.0],
		['shippedIngestOneOutput', 'shippedIngest', 'shipped ingest (trigger), mapper on one output', 'shipped ingest (trigger), as shipped', null],
	].filter(([row, base]) => VARIANTS.includes(row) && VARIANTS.includes(base));
	if (pairs.length > 0) {
		out.push('', '| engine | row | req/s | events/s | median round p95 ms | against | its req/s | ratio | target |', '|---|---|---|---|---|---|---|---|---|');
		for (const [engine, { rows }] of Object.entries(results)) {
			for (const [row, base, rowLabel, baseLabel, target] of pairs) {
				const ratio = rows[row].perSecond / rows[base].perSecond;
				out.push(`| ${engine} | ${rowLabel} | ${rows[row].perSecond.toFixed(1)} | ${(rows[row].perSecond * 12).toFixed(0)} | ${rows[row].p95.toFixed(0)} | ${baseLabel} | ${rows[base].perSecond.toFixed(1)} | ${ratio.toFixed(2)}× | ${target === null ? '-' : `≥ ${target.toFixed(1)}×`} |`);
			}
		}
	}
	return out.join('\n');
}

async function main() {
	const engines = process.argv.slice(2).length ? process.argv.slice(2) : ['vm', 'lazy', 'legacy'];
	const results = {};
	for (const engine of engines) results[engine] = await measureEngine(engine);
	console.log(table(results));
	return results;
}

if (require.main === module) {
	main().catch((error) => {
		console.error(error);
		process.exit(1);
	});
}
module.exports = { measureEngine, table, main };
