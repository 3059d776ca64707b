'use strict';
/**
 * npm run bench: webhook acknowledgement of both hosts in one table, written to BENCHMARKS.md.
 * Signed Mailtarget batches of BENCH_SIZES events (default 10) at fixed open-loop rates, rising
 * until p95 reaches 200 ms, then a burst; per row p50/p95/p99 at the highest rate held, that rate,
 * ratios to the limit (bare node:http verifying the HMAC) and to the host's hand-built row; the
 * loss ledger of rows that store events; peak RSS of each host process.
 *
 *   npm run bench                                   everything (about 10 min on 2 cores)
 *   npm run bench -- --hosts=limit,node-red --sizes=1,10,100
 *   npm run bench -- --hosts=n8n --engines=vm --rows=webhookNode,mailtargetTrigger
 *   npm run bench -- --hosts=n8n-sync --engines=vm      CRM sync latency under HubSpot's limit (bench/n8n/syncLatency.js)
 *   BENCH_STEP_SECONDS=4 BENCH_BURST=100
 */
const fs = require('fs');
const os = require('os');
const path = require('path');

const { burst, post, rateLadder, signedBatch } = require('./n8n/load');
const { startLimitServer } = require('./limit');
const { startNodeRedRows } = require('./nodeRedRows');
const { peakRssMiB } = require('./n8n/processMemory');
const { measureN8nEngine } = require('./n8n/rows');
const { measureSyncLatency } = require('./n8n/syncLatency');

const SECRET = 'bench-signing-secret';
const args = Object.fromEntries(process.argv.slice(2).filter((arg) => arg.startsWith('--')).map((arg) => { const [key, value = 'true'] = arg.slice(2).split('='); return [key, value]; }));
const list = (name, fallback) => (args[name] ? args[name].split(',') : fallback);
const HOSTS = list('hosts', ['limit', 'node-red', 'n8n', 'n8n-sync']);
const ENGINES = list('engines', ['vm', 'lazy', 'legacy']);
const SIZES = list('sizes', (process.env.BENCH_SIZES || '10').split(',')).map(Number);
const ROWS = args.rows ? args.rows.split(',') : undefined;
const STEP_SECONDS = Number(process.env.BENCH_STEP_SECONDS || 4);
const WARMUP_REQUESTS = Number(process.env.BENCH_WARMUP_REQUESTS || 10);
const BURST = Number(process.env.BENCH_BURST || 100);
const RATES = { fast: [20, 50, 100, 200, 400, 800], slow: [2, 5, 10, 20, 40, 80] };

const makeBatch = (size) => () => {
	const batch = signedBatch(SECRET, size, `b${size}`);
	return { bytes: batch.bytes, headers: { 'X-Mailtarget-Signature': batch.signature }, events: batch.events };
};

/** Ladder then burst for one URL and batch size; `sent` collects the acknowledged event ids. */
async function measureRow(url, size, rates, sent) {
	const make = makeBatch(size);
	// Only events n8n or Node-RED acknowledged with 200 count in the loss ledger.
	const onAnswer = (request, answer) => {
		if (answer.status === 200) sent?.push(...request.events.map((event) => event.eventId));
	};
	// A warm-up first, as a deployed workflow has had: n8n's first requests to a workflow pay for isolates and caches,
	// and one slow request in a 4-s step of 2 req/s is its p95. One request at a time: a row answering on receipt
	// would otherwise leave a backlog of executions running into the rows after it.
	for (let i = 0; i < WARMUP_REQUESTS; i++) {
		const request = make();
		onAnswer(request, await post(url, request.bytes, request.headers));
	}
	const ladder = await rateLadder(url, make, { rates, seconds: STEP_SECONDS, onAnswer });
	const heldStep = ladder.steps.filter((step) => step.rate === ladder.held)[0] ?? ladder.steps[0];
	const spike = await burst(url, make, { count: BURST, onAnswer });
	const failed = ladder.steps.reduce((sum, step) => sum + step.failed, 0) + spike.failed;
	return { size, held: ladder.held, p50: heldStep.p50, p95: heldStep.p95, p99: heldStep.p99, burstP95: spike.p95, failedAbovePeak: failed, steps: ladder.steps };
}

const f0 = (value) => (Number.isFinite(value) ? value.toFixed(0) : '-');
const ratio = (value, base) => (base > 0 ? `${(value / base).toFixed(2)}×` : '-');

async function main() {
	const started = new Date();
	const results = [];
	const memory = [];
	const ledgers = [];
	const notes = ['The ingest-cost table (Webhook node vs community triggers, interleaved), the CPU profile behind it, queue mode, workflow settings and CRM sync latency: bench/n8n/FINDINGS.md (node bench/n8n/ingestCost.js, queueMode.js, settingsCost.js, syncLatency.js).'];
	const sections = [];

	if (HOSTS.includes('limit')) {
		const limit = await startLimitServer(SECRET);
		for (const size of SIZES) results.push({ host: 'limit', name: 'bare node:http verifying the HMAC (the limit)', ...(await measureRow(limit.url, size, RATES.fast)) });
		memory.push(['bench process (node:http limit server inside)', Math.round(process.memoryUsage().rss / 1048576)]);
		await limit.close();
	}

	if (HOSTS.includes('node-red')) {
		const { startCrmSimulator } = require(path.join(__dirname, '..', 'dist', 'tools', 'crm-simulator', 'index.js'));
		const simulator = await startCrmSimulator({ limits: { custom: { max: 100000, intervalMs: 1000 } } });
		const nodeRed = await startNodeRedRows(SECRET, simulator.url);
		try {
			for (const [name, url] of Object.entries(nodeRed.urls)) {
				if (ROWS && !ROWS.includes(name)) continue;
				for (const size of SIZES) results.push({ host: 'node-red', name, handBuilt: name === nodeRed.handBuilt, ...(await measureRow(url, size, RATES.fast)) });
			}
			memory.push(['Node-RED', peakRssMiB(nodeRed.pid)]);
			notes.push(`Node-RED custom-CRM example: the CRM simulator received ${simulator.writes.length} activity writes during the run (no loss ledger for Node-RED rows in this version).`);
		} finally {
			await nodeRed.stop();
			await simulator.close();
		}
	}

	if (HOSTS.includes('n8n')) {
		for (const engine of ENGINES) {
			const measured = await measureN8nEngine(engine, { secret: SECRET, sizes: SIZES, rows: ROWS, measureRow: (url, size, sent) => measureRow(url, size, RATES.slow, sent) });
			results.push(...measured.results);
			memory.push([`n8n (${engine})`, measured.peakMiB]);
			ledgers.push(...measured.ledgers);
		}
	}

	if (HOSTS.includes('n8n-sync')) sections.push(await measureSyncLatency(ENGINES[0]), '');

	const limitBySize = new Map(results.filter((row) => row.host === 'limit').map((row) => [row.size, row.held]));
	const handBuiltBy = new Map(results.filter((row) => row.handBuilt).map((row) => [`${row.host}|${row.engine ?? ''}|${row.size}`, row.held]));
	const lines = [
		'| host | row | engine | events/batch | held req/s at p95 < 200 ms | events/s | p50 ms | p95 ms | p99 ms | burst of ' + BURST + ' p95 ms | × limit | × hand-built | failed |',
		'|---|---|---|---|---|---|---|---|---|---|---|---|---|',
	];
	for (const row of results) {
		const hand = handBuiltBy.get(`${row.host}|${row.engine ?? ''}|${row.size}`);
		const capped = row.held > 0 && row.held === row.steps[row.steps.length - 1].rate && !(row.steps[row.steps.length - 1].p95 >= 200);
		const at = (value) => `${capped ? '≥ ' : ''}${value}`;
		lines.push(`| ${row.host} | ${row.name} | ${row.engine ?? '-'} | ${row.size} | ${at(row.held)} | ${at(row.held * row.size)} | ${f0(row.p50)} | ${f0(row.p95)} | ${f0(row.p99)} | ${f0(row.burstP95)} | ${ratio(row.held, limitBySize.get(row.size))} | ${row.host === 'limit' ? '-' : ratio(row.held, hand)} | ${row.failedAbovePeak} |`);
	}
	const ledgerLines = ['| row | engine | events acknowledged | applied (sent to a CRM) | dead-lettered | pending (in the outbox) | missing |', '|---|---|---|---|---|---|---|'];
	for (const ledger of ledgers) ledgerLines.push(`| ${ledger.name} | ${ledger.engine} | ${ledger.sent} | ${ledger.applied} | ${ledger.dead} | ${ledger.pending} | ${ledger.missing} |`);
	const cpu = os.cpus();
	const markdown = [
		'# Benchmarks',
		'',
		`Machine: ${cpu[0]?.model ?? 'unknown CPU'} × ${cpu.length}, ${Math.round(os.totalmem() / 1073741824)} GiB, ${os.type()} ${os.release()}; load average at start ${os.loadavg().map((v) => v.toFixed(1)).join(' ')} (the machine is shared: compare rows of one run, not runs).`,
		`Node ${process.version}. Command: \`npm run bench -- ${process.argv.slice(2).join(' ')}\`. Date: ${started.toISOString()}, took ${((Date.now() - started.getTime()) / 60000).toFixed(1)} min.`,
		'',
		`Per row, ${WARMUP_REQUESTS} warm-up requests one at a time, then open-loop signed POSTs at ${RATES.slow.join(', ')} req/s (n8n) or ${RATES.fast.join(', ')} req/s (limit, Node-RED), ${STEP_SECONDS} s per step, stopping at the first step whose p95 reaches 200 ms or that has a failed request ("≥": the top step held, the real limit is higher; ratios to such a row are upper bounds); latencies are those of the highest step held (the first step if none was). Then ${BURST} requests at once. n8n: one server per engine on a throwaway PostgreSQL, every workflow active side by side; Node-RED: the packed package in one runtime.`,
		'',
		...lines,
		'',
		'## Loss ledger (rows that store events)',
		'',
		'Every acknowledged event must be in the outbox (pending: no drain runs during this benchmark) or dead-lettered; otherwise the run fails.',
		'',
		...ledgerLines,
		'',
		...sections,
		'## Peak memory (VmHWM)',
		'',
		'| process | peak RSS MiB |',
		'|---|---|',
		...memory.map(([name, mib]) => `| ${name} | ${mib ?? '?'} |`),
		'',
		...notes.map((note) => `- ${note}`),
		'',
	].join('\n');
	const file = path.join(__dirname, '..', args.out || 'BENCHMARKS.md');
	fs.writeFileSync(file, markdown);
	console.log(markdown);
	const lost = ledgers.filter((ledger) => ledger.missing !== 0);
	if (lost.length > 0) {
		console.error(`LOSS: ${lost.map((ledger) => `${ledger.name} (${ledger.engine}) missing ${ledger.missing}`).join(', ')}`);
		return 1;
	}
	return 0;
}

main().then(
	(code) => process.exit(code),
	(error) => {
		console.error(error);
		process.exit(1);
	},
);
