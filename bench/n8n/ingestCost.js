'use strict';
/**
 * Issue 10's ingest-cost table: requests per second that n8n answers for a 12-event signed batch,
 * 10 keep-alive connections, each workflow ending in a NoOp, per expression engine:
 *   n8n Webhook node | no-op community trigger | the same + one getCredentials() | Mailtarget Trigger
 * One n8n (PostgreSQL) per engine, all four workflows active side by side.
 *
 *   npm run build && node bench/n8n/ingestCost.js [vm lazy legacy]
 *   BENCH_SECONDS=8 BENCH_CPU_PROF=dir node bench/n8n/ingestCost.js vm   (CPU profile of n8n)
 */
const path = require('path');
const { closedLoop, signedBatch } = require('./load');
const { startBenchN8n, deploy } = require('./n8nHost');
const { ingestCostWorkflows } = require('./workflows');
const { peakRssMiB } = require('./processMemory');

const SECRET = 'bench-signing-secret';
const SECONDS = Number(process.env.BENCH_SECONDS || 12);
const ROUNDS = Number(process.env.BENCH_ROUNDS || 6);
const VARIANTS = ['webhookNode', 'noopTrigger', 'noopTriggerReadsCredential', 'mailtargetTriggerV1', 'mailtargetTrigger'];

async function measureEngine(engine) {
	const env = process.env.BENCH_CPU_PROF ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${path.resolve(process.env.BENCH_CPU_PROF, engine)}` } : {};
	const server = await startBenchN8n(engine, { env });
	try {
		const credential = await server.createCredential('Mailtarget Webhook', 'mailtargetWebhookApi', { signingSecret: SECRET });
		const urls = await deploy(server, ingestCostWorkflows(credential, {}));
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

function table(results) {
	const out = ['| engine | n8n Webhook node | no-op community trigger (v1) | + reads a credential | Mailtarget Trigger at typeVersion 1 | Mailtarget Trigger (v2, shipped) | n8n peak RSS |', '|---|---|---|---|---|---|---|'];
	for (const [engine, { rows, peakMiB }] of Object.entries(results)) {
		const base = rows.webhookNode.perSecond;
		const cell = (key) => (key === 'webhookNode' ? `${base.toFixed(1)} req/s` : `${(rows[key].perSecond / base).toFixed(2)}× (${rows[key].perSecond.toFixed(1)} req/s)`) + (rows[key].failed ? `, ${rows[key].failed} failed` : '');
		out.push(`| ${engine} | ${VARIANTS.map(cell).join(' | ')} | ${peakMiB ?? '?'} MiB |`);
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
