'use strict';
/**
 * Webhook acknowledgement latency of the Node-RED Mailtarget trigger on this machine, next to a
 * bare Node-RED `http in` -> `http response` measured in the same run (what any Node-RED webhook
 * costs). The packed package is installed into a fresh Node-RED; one flow serves three endpoints:
 *   /baseline    http in -> http response (200)
 *   /bare        mailtarget-trigger wired to nothing
 *   /mailtarget  examples/CRM - custom endpoint.json: trigger -> dedupe -> mapper -> CRM queue,
 *                sending to a local CRM simulator while the load runs
 * Each gets the same signed Mailtarget batches (test/fixtures/official-batch.json, 7 events, every
 * request with its own eventIds) from concurrent keep-alive clients, after a warm-up.
 *
 *   npm run bench:webhook
 *   BENCH_REQUESTS=5000 BENCH_CONCURRENCY=20 node bench/webhook.js
 */
const fs = require('fs');
const os = require('os');
const path = require('path');

// Always the repository's dist/: the Node-RED under test runs the `npm pack` of this repository.
const dist = path.join(__dirname, '..', 'dist');
const { signBody } = require(path.join(dist, 'core', 'verify', 'hmac.js'));
const { installPacked, packedTarball } = require(path.join(dist, 'tools', 'node-red', 'packedPackage.js'));
const { onATab, startNodeRed } = require(path.join(dist, 'tools', 'node-red', 'nodeRedProcess.js'));
const { startCrmSimulator } = require(path.join(dist, 'tools', 'crm-simulator', 'index.js'));

const REQUESTS = Number(process.env.BENCH_REQUESTS || 2000);
const WARMUP = Number(process.env.BENCH_WARMUP || 200);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY || 10);
const REQUEST_TIMEOUT_MS = 10000;
const ENDPOINT_TIME_LIMIT_MS = 120000;
const TARGET_P95_MS = 200;
const SECRET = 'bench-webhook-secret';
const repoRoot = path.join(__dirname, '..');

/** Signed bodies of the official batch, each with its own batchId and eventIds so dedupe passes them on. */
function signedBodies(count) {
	const batch = JSON.parse(fs.readFileSync(path.join(repoRoot, 'test', 'fixtures', 'official-batch.json'), 'utf8'));
	return Array.from({ length: count }, (_, i) => {
		const events = batch.events.map((event, j) => ({ ...event, eventId: String(70000000000000000n + BigInt(i * batch.events.length + j)) }));
		const bytes = Buffer.from(JSON.stringify({ ...batch, batchId: `bench-${i}`, events }));
		return { bytes, signature: signBody(SECRET, bytes) };
	});
}

function benchFlow() {
	const example = JSON.parse(fs.readFileSync(path.join(repoRoot, 'examples', 'CRM - custom endpoint.json'), 'utf8'));
	const config = example.find((node) => node.type === 'mailtarget-config');
	const tab = 'bench-tab';
	return [
		...onATab(example, tab, 'webhook bench'),
		{ id: 'bench-bare', type: 'mailtarget-trigger', z: tab, path: '/bare', config: config.id, authentication: 'signature', signatureHeader: 'X-Mailtarget-Signature', events: '', maxBodyMiB: 10, diagnostics: false, queueNames: '', wires: [] },
		{ id: 'bench-in', type: 'http in', z: tab, url: '/baseline', method: 'post', upload: false, swaggerDoc: '', wires: [['bench-out']] },
		{ id: 'bench-out', type: 'http response', z: tab, statusCode: '200', headers: {}, wires: [] },
	];
}

/** Sends every body once, `CONCURRENCY` at a time; latency per request from send to the whole answer read. */
async function load(url, bodies) {
	const deadline = performance.now() + ENDPOINT_TIME_LIMIT_MS;
	const latencies = [];
	const failures = new Map();
	let next = 0;
	const client = async () => {
		while (next < bodies.length && performance.now() < deadline) {
			const { bytes, signature } = bodies[next++];
			const started = performance.now();
			let status;
			try {
				const response = await fetch(url, {
					method: 'POST',
					headers: { 'Content-Type': 'application/json', 'X-Mailtarget-Signature': signature },
					body: bytes,
					signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
				});
				await response.arrayBuffer();
				status = response.status;
			} catch (error) {
				status = error.name === 'TimeoutError' ? 'timeout' : 'network error';
			}
			latencies.push(performance.now() - started);
			if (status !== 200) failures.set(status, (failures.get(status) || 0) + 1);
		}
	};
	const started = performance.now();
	await Promise.all(Array.from({ length: CONCURRENCY }, client));
	return { latencies, failures, seconds: (performance.now() - started) / 1000, unsent: bodies.length - next };
}

function percentile(sorted, p) {
	return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function summary(name, result) {
	const sorted = [...result.latencies].sort((a, b) => a - b);
	const ms = (value) => (value === undefined ? '-' : value.toFixed(1));
	return {
		row: [name, String(sorted.length), (sorted.length / result.seconds).toFixed(0), ms(percentile(sorted, 50)), ms(percentile(sorted, 95)), ms(percentile(sorted, 99)), ms(sorted[sorted.length - 1])],
		p95: percentile(sorted, 95),
	};
}

function printTable(rows) {
	const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
	const line = (row) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join(' | ');
	console.log([line(rows[0]), widths.map((width) => '-'.repeat(width)).join('-|-'), ...rows.slice(1).map(line)].join('\n'));
}

async function main() {
	const endpoints = [
		['baseline: Node-RED http in -> http response', '/baseline'],
		['mailtarget-trigger, wired to nothing', '/bare'],
		['mailtarget-trigger + custom-CRM example chain', '/mailtarget'],
	];
	const bodies = signedBodies(WARMUP + REQUESTS);
	const simulator = await startCrmSimulator({ limits: { custom: { max: 100000, intervalMs: 1000 } } });
	let userDir;
	let nodeRed;
	try {
		userDir = installPacked('mailtarget-bench-webhook-');
		nodeRed = await startNodeRed(userDir, { env: { MAILTARGET_WEBHOOK_SECRET: SECRET, CRM_BASE_URL: simulator.url } });
		await nodeRed.deploy(benchFlow());
		console.log(`Webhook acknowledgement, ${REQUESTS} signed POSTs of a 7-event batch (${bodies[0].bytes.length} bytes) per endpoint, ${CONCURRENCY} keep-alive clients, after ${WARMUP} warm-up`);
		console.log(`Node ${process.version}, Node-RED ${require('node-red/package.json').version}, ${os.cpus()[0].model} x${os.cpus().length}, loopback\n`);

		const rows = [['endpoint', 'requests', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms']];
		const p95s = [];
		let bad = 0;
		for (const [name, route] of endpoints) {
			const url = `${nodeRed.url}${route}`;
			const warm = await load(url, bodies.slice(0, WARMUP));
			const result = await load(url, bodies.slice(WARMUP));
			const { row, p95 } = summary(name, result);
			rows.push(row);
			if (route !== '/baseline') p95s.push(`${route} ${p95 === undefined ? '-' : p95.toFixed(1)} ms`);
			const failures = new Map(warm.failures);
			for (const [status, count] of result.failures) failures.set(status, (failures.get(status) || 0) + count);
			for (const [status, count] of failures) {
				console.error(`${route}: ${count} answers were ${status}, not 200`);
				bad += count;
			}
			if (result.unsent > 0) {
				console.error(`${route}: ${result.unsent} requests not sent within ${ENDPOINT_TIME_LIMIT_MS / 1000} s`);
				bad += result.unsent;
			}
		}
		printTable(rows);
		console.log(`\nTarget: webhook acknowledgement p95 < ${TARGET_P95_MS} ms (measured: ${p95s.join(', ')}).`);
		console.log(`CRM simulator received ${simulator.writes.length} activity writes from the example chain while it ran.`);
		if (bad > 0) console.error(`${bad} requests were not answered 200.`);
		return bad > 0 ? 1 : 0;
	} finally {
		await nodeRed?.stop();
		await simulator.close();
		if (userDir) {
			fs.rmSync(userDir, { recursive: true, force: true });
			fs.rmSync(path.dirname(packedTarball()), { recursive: true, force: true });
		}
	}
}

main().then(
	(code) => process.exit(code),
	(error) => {
		console.error(error);
		process.exit(1);
	},
);
