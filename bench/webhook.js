'use strict';
/**
 * How fast Mailtarget webhooks are received in Node-RED on this machine, each endpoint alone (in
 * BENCH_ROUNDS interleaved rounds, pooled) with the same signed 12-event batches (every request its own batchId and eventIds)
 * from keep-alive raw-socket clients, after a warm-up:
 *   bare node:http       a node:http server checking the HMAC, JSON.parse, one object per event (the floor)
 *   hand-built flow      http in (raw body) -> function (HMAC, JSON.parse, one msg per event) -> http response
 *   Node-RED floor       a bench-only node on the trigger's transport that reads the body and answers 200, and one
 *                        that also does the bare server's work (bench/webhook/nodeRedFloor): the cheapest a node can be
 *   trigger              mailtarget-trigger wired to nothing (answers on receipt: no queue behind it)
 *   trigger -> queue     mailtarget-trigger wired to a CRM queue: 200 once the queue has every event on disk
 *   trigger, example     examples/CRM - custom endpoint.json as shipped: trigger -> dedupe -> mapper -> CRM queue,
 *                        answering 200 once every event is stored, while the queue sends to a local CRM simulator
 * The packed package is installed into a fresh Node-RED. Then, memory: the Node-RED process's
 * peak RSS after 0, 100k and (BENCH_MILLION=1) 1M events through the shipped example.
 *
 *   npm run bench:webhook
 *   BENCH_REQUESTS=20000 BENCH_CONNECTIONS=10 BENCH_ROUNDS=4 BENCH_MILLION=1 node bench/webhook.js
 *   BENCH_CPU_PROF=/tmp/prof node bench/webhook.js     # also writes Node-RED's --cpu-prof there
 *   BENCH_QUEUE_RATE=10 node bench/webhook.js          # the durable row's queue drains 10 calls/s (a CRM's rate), not 1000
 */
const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const { load, requestBytes } = require('./webhook/rawClient');

// Always the repository's dist/: the Node-RED under test runs the `npm pack` of this repository.
const dist = path.join(__dirname, '..', 'dist');
const { signBody } = require(path.join(dist, 'core', 'verify', 'hmac.js'));
const { installPacked, packedTarball } = require(path.join(dist, 'tools', 'node-red', 'packedPackage.js'));
const { onATab, startNodeRed } = require(path.join(dist, 'tools', 'node-red', 'nodeRedProcess.js'));
const { startCrmSimulator } = require(path.join(dist, 'tools', 'crm-simulator', 'index.js'));

const REQUESTS = Number(process.env.BENCH_REQUESTS || 5000);
const WARMUP = Number(process.env.BENCH_WARMUP || 1000);
const ROUNDS = Number(process.env.BENCH_ROUNDS || 4);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS || 10);
const EVENTS_PER_BATCH = 12;
const MEMORY_CHECKPOINTS = process.env.BENCH_ONLY ? [] : process.env.BENCH_MILLION === '1' ? [100000, 1000000] : [100000];
const SECRET = 'bench-webhook-secret';
const repoRoot = path.join(__dirname, '..');

/**
 * Signed 12-event batches (the official fixture's events, repeated), each with its own batchId and
 * eventIds so dedupe passes them on, and every event its own recipient and recipientMeta (no two
 * alike, the least favourable case for the trigger's parsing).
 */
function signedBatches(count, offset = 0) {
	const fixture = JSON.parse(fs.readFileSync(path.join(repoRoot, 'test', 'fixtures', 'official-batch.json'), 'utf8'));
	return Array.from({ length: count }, (_, k) => {
		const i = k + offset;
		const events = Array.from({ length: EVENTS_PER_BATCH }, (_unused, j) => {
			const n = i * EVENTS_PER_BATCH + j;
			const recipientMeta = JSON.stringify({ crm_contact_id: `0035g${String(n).padStart(10, '0')}`, crm_deal_id: `0065g${n}`, crm_owner: 'alice@yourcompany.com' });
			return { ...fixture.events[j % fixture.events.length], eventId: String(70000000000000000n + BigInt(n)), recipient: `contact${n}@example.com`, recipientMeta };
		});
		const bytes = Buffer.from(JSON.stringify({ ...fixture, batchId: `bench-${i}`, events }));
		return { bytes, signature: signBody(SECRET, bytes) };
	});
}

const HAND_BUILT = `const given = Buffer.from(String(msg.req.headers['x-mailtarget-signature'] || ''), 'hex');
const expected = crypto.createHmac('sha256', env.get('MAILTARGET_WEBHOOK_SECRET')).update(msg.payload).digest();
if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) {
    msg.statusCode = 401;
    msg.payload = 'Unauthorized';
    return [null, msg];
}
const batch = JSON.parse(msg.payload.toString('utf8'));
const events = batch.events.map((event) => ({ payload: { ...event, batchId: batch.batchId }, topic: event.status }));
msg.statusCode = 200;
msg.payload = 'OK';
return [events, msg];`;

function benchFlow() {
	const example = JSON.parse(fs.readFileSync(path.join(repoRoot, 'examples', 'CRM - custom endpoint.json'), 'utf8'));
	const config = example.find((node) => node.type === 'mailtarget-config');
	const tab = 'bench-tab';
	return [
		...onATab(example, tab, 'webhook bench'),
		{ id: 'bench-bare', type: 'mailtarget-trigger', z: tab, path: '/bare', config: config.id, authentication: 'signature', signatureHeader: 'X-Mailtarget-Signature', events: '', maxBodyMiB: 10, diagnostics: false, queueNames: '', wires: [] },
		{ id: 'bench-durable', type: 'mailtarget-trigger', z: tab, path: '/durable', config: config.id, authentication: 'signature', signatureHeader: 'X-Mailtarget-Signature', events: '', maxBodyMiB: 10, diagnostics: false, queueNames: '', wires: [['bench-queue']] },
		{ id: 'bench-queue', type: 'mailtarget-crm-queue', z: tab, name: 'bench queue', rate: Number(process.env.BENCH_QUEUE_RATE || 1000), rateIntervalSeconds: 1, batchSize: 50, concurrency: 1, maxPending: 1000000, retryHorizonHours: 24, answerTimeoutSeconds: 60, backoffBaseSeconds: 1, backoffMaxSeconds: 300, queueName: 'bench-durable', wires: [['bench-call'], [], []] },
		{ id: 'bench-call', type: 'function', z: tab, name: 'CRM call', func: "msg.method = 'POST'; msg.url = env.get('CRM_BASE_URL') + '/activities'; msg.headers = { 'Content-Type': 'application/json' }; msg.payload = msg.payload.map((event) => ({ id: 'mailtarget:' + event.eventId, event: event.type, occurredAt: event.occurredAt, recipient: event.recipient, contactChanges: {} })); return msg;", outputs: 1, timeout: 0, noerr: 0, initialize: '', finalize: '', libs: [], wires: [['bench-http']] },
		{ id: 'bench-http', type: 'http request', z: tab, method: 'use', ret: 'obj', paytoqs: 'ignore', url: '', senderr: false, wires: [['bench-queue']] },
		{ id: 'bench-floor-none', type: 'bench-floor', z: tab, path: '/floor', work: 'none' },
		{ id: 'bench-floor-bare', type: 'bench-floor', z: tab, path: '/floor-work', work: 'bare' },
		{ id: 'hand-in', type: 'http in', z: tab, url: '/hand-built', method: 'post', upload: false, skipBodyParsing: true, swaggerDoc: '', wires: [['hand-fn']] },
		{ id: 'hand-fn', type: 'function', z: tab, name: 'verify, parse, split', func: HAND_BUILT, outputs: 2, timeout: 0, noerr: 0, initialize: '', finalize: '', libs: [{ var: 'crypto', module: 'crypto' }], wires: [[], ['hand-out']] },
		{ id: 'hand-out', type: 'http response', z: tab, statusCode: '', headers: {}, wires: [] },
	];
}

function startBareServer() {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, [path.join(__dirname, 'webhook', 'bareServer.js')], { env: { ...process.env, BENCH_SECRET: SECRET }, stdio: ['pipe', 'pipe', 'inherit'] });
		child.stdout.on('data', (chunk) => {
			const match = /PORT (\d+)/.exec(chunk.toString());
			if (match) resolve({ port: Number(match[1]), stop: () => child.kill() });
		});
		child.on('error', reject);
	});
}

function percentile(sorted, p) {
	return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function measure(port, route, offset, count, warmup) {
	const requests = (batches) => batches.map(({ bytes, signature }) => requestBytes(route, bytes, { 'Content-Type': 'application/json', 'X-Mailtarget-Signature': signature }));
	const warm = warmup > 0 ? await load({ port, requests: requests(signedBatches(warmup, offset)), connections: CONNECTIONS }) : { failures: new Map() };
	const result = await load({ port, requests: requests(signedBatches(count, offset + warmup)), connections: CONNECTIONS });
	const failures = new Map(warm.failures);
	for (const [status, count] of result.failures) failures.set(status, (failures.get(status) || 0) + count);
	return { latencies: result.latencies, seconds: result.seconds, failures, unsent: result.unsent };
}

/** Rounds of one endpoint, pooled: rate over the time of all its rounds, percentiles over all their requests. */
function pooled(rounds) {
	const sorted = rounds.flatMap((round) => round.latencies).sort((a, b) => a - b);
	const seconds = rounds.reduce((sum, round) => sum + round.seconds, 0);
	const failures = new Map();
	for (const round of rounds) for (const [status, count] of round.failures) failures.set(status, (failures.get(status) || 0) + count);
	return { rate: sorted.length / seconds, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1], failures, unsent: rounds.reduce((sum, round) => sum + round.unsent, 0) };
}

function printTable(rows) {
	const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
	const line = (row) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join(' | ');
	console.log([line(rows[0]), widths.map((width) => '-'.repeat(width)).join('-|-'), ...rows.slice(1).map(line)].join('\n'));
}

/** Peak and current resident memory of a process, from /proc (Linux). */
function memoryOf(pid) {
	try {
		const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
		const kib = (field) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
		return { peakMiB: kib('VmHWM') / 1024, nowMiB: kib('VmRSS') / 1024 };
	} catch {
		return { peakMiB: NaN, nowMiB: NaN };
	}
}

/**
 * Peak RSS of the Node-RED process as events go through the shipped example. The example's queue
 * sends 10 calls a second (500 records); for this run its rate is raised to 1000 calls a second so
 * that the CRM simulator keeps up and what is measured is the flow, not a backlog of pending records.
 */
async function memoryRun(nodeRed, port, simulator, offset, report) {
	// A queue of its own (the speed runs left the example's queue a backlog at 10 calls/s).
	await nodeRed.deploy(
		benchFlow().map((node) => {
			if (node.type === 'mailtarget-crm-queue' && node.queueName === 'custom-crm') return { ...node, rate: 1000, queueName: 'custom-crm-memory' };
			if (node.type === 'mailtarget-trigger' && node.queueNames === 'custom-crm') return { ...node, queueNames: 'custom-crm-memory' };
			return node;
		}),
	);
	console.log('\nMemory of the Node-RED process, events through the shipped example (trigger -> dedupe -> mapper -> queue at 1000 calls/s -> CRM simulator):');
	const rows = [['events', 'peak RSS MiB', 'RSS MiB', 'CRM activity writes', 'seconds']];
	const started = performance.now();
	// The simulator records every request and write; counted and let go as the run goes, so the bench itself stays small.
	let writes = 0;
	const countWrites = () => {
		writes += simulator.writes.length;
		simulator.writes.length = 0;
		simulator.requests.length = 0;
	};
	countWrites();
	writes = 0;
	const row = (events) => {
		countWrites();
		const memory = memoryOf(nodeRed.pid);
		rows.push([String(events), memory.peakMiB.toFixed(0), memory.nowMiB.toFixed(0), String(writes), ((performance.now() - started) / 1000).toFixed(0)]);
	};
	row(0);
	let sent = 0;
	for (const checkpoint of MEMORY_CHECKPOINTS) {
		while (sent < checkpoint) {
			const count = Math.min(2000, Math.ceil((checkpoint - sent) / EVENTS_PER_BATCH));
			const chunk = signedBatches(count, offset);
			offset += count;
			const result = await load({ port, requests: chunk.map(({ bytes, signature }) => requestBytes('/mailtarget', bytes, { 'Content-Type': 'application/json', 'X-Mailtarget-Signature': signature })), connections: CONNECTIONS, timeLimitMs: 600000 });
			report('memory run', result);
			countWrites();
			sent += count * EVENTS_PER_BATCH;
		}
		row(sent);
	}
	printTable(rows);
	if (MEMORY_CHECKPOINTS.length === 1) console.log('(BENCH_MILLION=1 adds the 1M row; it takes several minutes.)');
}

async function main() {
	const simulator = await startCrmSimulator({ limits: { custom: { max: 100000, intervalMs: 1000 } } });
	const bare = await startBareServer();
	let userDir;
	let nodeRed;
	let bad = 0;
	const report = (name, result) => {
		for (const [status, count] of result.failures) {
			console.error(`${name}: ${count} answers were ${status}, not 200`);
			bad += count;
		}
		if (result.unsent > 0) {
			console.error(`${name}: ${result.unsent} requests not sent in time`);
			bad += result.unsent;
		}
	};
	// Stopped with Ctrl-C or a kill: take Node-RED and the bare server along.
	for (const signal of ['SIGINT', 'SIGTERM']) {
		process.once(signal, () => {
			if (nodeRed) process.kill(nodeRed.pid, 'SIGKILL');
			bare.stop();
			if (userDir) fs.rmSync(userDir, { recursive: true, force: true });
			process.exit(1);
		});
	}
	try {
		userDir = installPacked('mailtarget-bench-webhook-');
		fs.mkdirSync(path.join(userDir, 'nodes'));
		for (const file of ['bench-floor.js', 'bench-floor.html']) fs.copyFileSync(path.join(__dirname, 'webhook', 'nodeRedFloor', file), path.join(userDir, 'nodes', file));
		const cpuProf = process.env.BENCH_CPU_PROF;
		nodeRed = await startNodeRed(userDir, {
			env: { MAILTARGET_WEBHOOK_SECRET: SECRET, CRM_BASE_URL: simulator.url, BENCH_BARE_WORK: path.join(__dirname, 'webhook', 'bareWork.js') },
			nodeArgs: cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${cpuProf}`] : [],
		});
		await nodeRed.deploy(benchFlow());
		const nodeRedPort = Number(new URL(nodeRed.url).port);
		const sample = signedBatches(1)[0].bytes.length;
		console.log(`Webhook receipt: ${REQUESTS} signed POSTs of a ${EVENTS_PER_BATCH}-event batch (${sample} bytes) per endpoint, ${CONNECTIONS} keep-alive connections, after ${WARMUP} warm-up; each endpoint alone, in ${ROUNDS} interleaved rounds`);
		console.log(`Node ${process.version}, Node-RED ${require('node-red/package.json').version}, ${os.cpus()[0].model} x${os.cpus().length}, loopback\n`);

		const endpoints = [
			['bare node:http (HMAC, JSON.parse, split)', bare.port, '/'],
			['hand-built flow (http in raw -> function -> http response)', nodeRedPort, '/hand-built'],
			["Node-RED floor: the trigger's transport, read body, answer 200", nodeRedPort, '/floor'],
			["Node-RED floor + the bare server's work", nodeRedPort, '/floor-work'],
			['mailtarget-trigger, wired to nothing', nodeRedPort, '/bare'],
			['mailtarget-trigger -> CRM queue, 200 once stored', nodeRedPort, '/durable'],
			['mailtarget-trigger, shipped example, 200 once stored', nodeRedPort, '/mailtarget'],
		];
		let offset = 0;
		// BENCH_ONLY=/bare,/durable (routes, or "bare" for the node:http floor) measures only those endpoints, e.g. to profile one.
		const only = process.env.BENCH_ONLY;
		const measured = endpoints.filter(([, port, route]) => !only || only.split(',').some((one) => one === route || (one === 'bare' && port === bare.port)));
		// Interleaved rounds: the machine is shared, and a change in its load then hits every endpoint alike.
		// Each round starts one endpoint further on, so no endpoint always follows the same one (and its garbage).
		const rounds = new Map(measured.map(([name]) => [name, []]));
		for (let round = 0; round < ROUNDS; round++) {
			const order = [...measured.slice(round % measured.length), ...measured.slice(0, round % measured.length)];
			for (const [name, port, route] of order) {
				rounds.get(name).push(await measure(port, route, offset, Math.ceil(REQUESTS / ROUNDS), round === 0 ? WARMUP : 0));
				offset += WARMUP + REQUESTS;
			}
		}
		const results = endpoints.map(([name]) => [name, rounds.has(name) ? pooled(rounds.get(name)) : { rate: NaN, p50: NaN, p99: NaN, max: NaN, failures: new Map(), unsent: 0 }]);
		for (const [name, result] of results) if (rounds.has(name)) report(name, result);
		const handBuilt = results[1][1].rate;
		const floor = results[0][1].rate;
		const rows = [['endpoint', 'req/s', 'events/s', 'p50 ms', 'p99 ms', 'max ms', 'x hand-built', 'x bare']];
		for (const [name, result] of results) {
			rows.push([name, result.rate.toFixed(0), (result.rate * EVENTS_PER_BATCH).toFixed(0), result.p50.toFixed(2), result.p99.toFixed(2), result.max.toFixed(1), (result.rate / handBuilt).toFixed(2), (result.rate / floor).toFixed(2)]);
		}
		printTable(rows);
		console.log('\nTargets: trigger >= 2x hand-built and >= 0.4x bare with p99 <= 5 ms; durable >= 1x hand-built with p99 <= 25 ms.');

		if (MEMORY_CHECKPOINTS.length > 0) await memoryRun(nodeRed, nodeRedPort, simulator, offset, report);
		if (bad > 0) console.error(`${bad} requests were not answered 200.`);
		return bad > 0 ? 1 : 0;
	} finally {
		await nodeRed?.stop();
		bare.stop();
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
