'use strict';
/**
 * What the workflow settings the templates ship save: the shipped custom-CRM ingest (trigger) as
 * shipped (saveDataSuccessExecution none, saveExecutionProgress false) against the same workflow
 * with n8n's defaults (every successful execution saved), interleaved on one n8n per engine.
 * Instance settings are compared by running this twice with different environments, e.g.
 *   node bench/n8n/settingsCost.js vm
 *   BENCH_N8N_ENV='{"N8N_DISABLED_MODULES":"mcp-registry"}' node bench/n8n/settingsCost.js vm   (insights on)
 *   BENCH_N8N_ENV='{"N8N_CONCURRENCY_PRODUCTION_LIMIT":"4"}' node bench/n8n/settingsCost.js vm
 */
const { closedLoop, signedBatch } = require('./load');
const { startBenchN8n, deploy, setUpCustomCrmTables } = require('./n8nHost');
const { shipped } = require('./workflows');
const { peakRssMiB } = require('./processMemory');

const SECRET = 'bench-signing-secret';
const SECONDS = Number(process.env.BENCH_SECONDS || 12);
const ROUNDS = Number(process.env.BENCH_ROUNDS || 6);

async function main() {
	const engine = process.argv[2] || 'vm';
	const env = process.env.BENCH_N8N_ENV ? JSON.parse(process.env.BENCH_N8N_ENV) : {};
	const server = await startBenchN8n(engine, { env });
	try {
		await setUpCustomCrmTables(server);
		const credential = await server.createCredential('Mailtarget Webhook', 'mailtargetWebhookApi', { signingSecret: SECRET });
		const asShipped = shipped('Mailtarget to custom CRM - 2 ingest.json', credential, 's1');
		const defaults = shipped('Mailtarget to custom CRM - 2 ingest.json', credential, 's2');
		defaults.settings = { executionOrder: 'v1' };
		defaults.name += ' (n8n default settings)';
		const urls = await deploy(server, { asShipped, defaults });
		const make = () => {
			const batch = signedBatch(SECRET, 10, engine);
			return { bytes: batch.bytes, headers: { 'X-Mailtarget-Signature': batch.signature } };
		};
		const totals = { asShipped: { ok: 0, seconds: 0, failed: 0 }, defaults: { ok: 0, seconds: 0, failed: 0 } };
		for (const key of Object.keys(totals)) await closedLoop(urls[key], make, { connections: 10, seconds: 1.5 });
		for (let round = 0; round < ROUNDS; round++) {
			for (const key of Object.keys(totals)) {
				const result = await closedLoop(urls[key], make, { connections: 10, seconds: SECONDS / ROUNDS });
				totals[key].ok += result.ok;
				totals[key].failed += result.failed;
				totals[key].seconds += SECONDS / ROUNDS;
			}
		}
		const rate = (key) => totals[key].ok / totals[key].seconds;
		console.log(`| ${engine} | ${JSON.stringify(env)} | ${rate('asShipped').toFixed(1)} req/s | ${rate('defaults').toFixed(1)} req/s | ${(rate('asShipped') / rate('defaults')).toFixed(2)}× | ${totals.asShipped.failed + totals.defaults.failed} | ${peakRssMiB(server.pid())} MiB |`);
	} finally {
		await server.stop();
	}
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
