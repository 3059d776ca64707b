'use strict';
/**
 * Dedupe stores on this machine: keys checked per second (new keys, then repeats) and memory per
 * million keys, next to a bare Set measured in the same run. Keys look like real ones
 * (`mailtarget:<eventId>` and `mailtarget:<32 hex>`), checked one per call as the Node-RED node
 * does. With n8n installed (.n8n-host/ from scripts/ensure-n8n-host.sh, or N8N_PACKAGE_DIR) it also measures the n8n
 * node's store over n8n's own deduplication provider and SQLite, in batches as one execution
 * per Mailtarget batch would.
 *
 *   npm run bench:dedupe
 *   MAILTARGET_DIST=.tmp/dist-x BENCH_KEYS=200000 node bench/dedupe.js
 */
const { execFileSync } = require('child_process');
const { createHash } = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');

if (typeof global.gc !== 'function') {
	execFileSync(process.execPath, ['--expose-gc', __filename, ...process.argv.slice(2)], { stdio: 'inherit' });
	process.exit(0);
}

const dist = path.resolve(process.env.MAILTARGET_DIST || path.join(__dirname, '..', 'dist'));
const { MemoryDedupeStore } = require(path.join(dist, 'core', 'dedupe', 'memoryStore.js'));
const { slicedStore } = require(path.join(dist, 'core', 'dedupe', 'slicedStore.js'));
const { JournalDedupeStore } = require(path.join(dist, 'node-red', 'lib', 'journalDedupeStore.js'));

const KEYS = Number(process.env.BENCH_KEYS || 1000000);
const N8N_KEYS = Number(process.env.BENCH_N8N_KEYS || 10000);
const N8N_BATCH = 100;

/** Where scripts/ensure-n8n-host.sh (run by `npm test`) installs n8n, unless N8N_PACKAGE_DIR says otherwise. */
function n8nPackageDir() {
	return process.env.N8N_PACKAGE_DIR || path.join(__dirname, '..', '.n8n-host');
}
const HOUR = 3600 * 1000;
const T0 = Date.UTC(2026, 10, 27, 8);

/** Half numeric event ids, half hashed keys (events without an eventId); a new string on each call. */
function makeKey(i) {
	return i % 2 === 0 ? `mailtarget:${92356927693813851n + BigInt(i)}` : `mailtarget:${createHash('sha256').update(String(i)).digest('hex').slice(0, 32)}`;
}

function makeKeys(count) {
	return Array.from({ length: count }, (_, i) => makeKey(i));
}

function heapUsed() {
	global.gc();
	global.gc();
	return process.memoryUsage().heapUsed;
}

/**
 * Memory: a fresh store filled with freshly made keys, so that the keys' strings count (the store
 * is what keeps them alive). Speed: every key of `keys` checked once (all new), then again (all
 * repeats), one key per call.
 */
function measureSync(name, open, keys, fileOf) {
	const before = heapUsed();
	const filled = open();
	for (let i = 0; i < keys.length; i++) filled.check(makeKey(i), T0 + i);
	const heap = heapUsed() - before;
	const disk = fileOf ? fs.statSync(fileOf).size : undefined;
	filled.close?.();
	if (fileOf) fs.rmSync(fileOf);

	const store = open();
	let start = process.hrtime.bigint();
	for (let i = 0; i < keys.length; i++) store.check(keys[i], T0 + i);
	const newSeconds = Number(process.hrtime.bigint() - start) / 1e9;
	start = process.hrtime.bigint();
	let repeats = 0;
	for (let i = 0; i < keys.length; i++) if (store.check(keys[i], T0 + keys.length + i)) repeats += 1;
	const repeatSeconds = Number(process.hrtime.bigint() - start) / 1e9;
	if (repeats !== keys.length) throw new Error(`${name}: ${repeats} of ${keys.length} repeats recognised`);
	store.close?.();
	const perMillion = 1e6 / keys.length;
	return {
		store: name,
		'new keys/s': Math.round(keys.length / newSeconds),
		'repeat checks/s': Math.round(keys.length / repeatSeconds),
		'heap MB per 1M keys': ((heap * perMillion) / 1048576).toFixed(1),
		'disk MB per 1M keys': disk === undefined ? '-' : ((disk * perMillion) / 1048576).toFixed(1),
	};
}

async function measureN8n() {
	const { createRequire } = require('module');
	const n8nRequire = createRequire(path.join(n8nPackageDir(), 'package.json'));
	const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'mt-bench-n8n-'));
	Object.assign(process.env, { DB_TYPE: 'sqlite', N8N_USER_FOLDER: folder, N8N_LOG_LEVEL: 'error', DB_LOGGING_ENABLED: 'false' });
	n8nRequire('reflect-metadata');
	const { Container } = n8nRequire('@n8n/di');
	const { DbConnection } = n8nRequire('@n8n/db');
	const { getDataDeduplicationService } = n8nRequire('n8n/dist/deduplication');
	const connection = Container.get(DbConnection);
	const log = console.log;
	console.log = () => undefined; // migrations report every step
	await connection.init();
	await connection.migrate();
	console.log = log;
	await connection.dataSource.query('INSERT INTO workflow_entity (id, name, active, nodes, connections, versionId) VALUES (?, ?, ?, ?, ?, ?)', ['bench', 'bench', 1, '[]', '{}', 'v1']);
	const deduplicator = getDataDeduplicationService();
	const context = { workflow: { id: 'bench', active: true }, node: { id: 'dedupe', name: 'Dedupe', type: 'x', typeVersion: 1, position: [0, 0], parameters: {} } };
	const list = {
		checkAndRecord: async (values, maxEntries) => (await deduplicator.checkProcessedAndRecord(values, 'node', context, { mode: 'entries', maxEntries })).processed.map(String),
		remove: (values) => deduplicator.removeProcessed(values, 'node', context, { mode: 'entries' }),
		count: () => deduplicator.getProcessedDataCount('node', context, { mode: 'entries' }),
	};
	const store = slicedStore(list, { ttlMs: 72 * HOUR, maxEntries: N8N_KEYS });
	const keys = makeKeys(N8N_KEYS);
	const timed = async (now) => {
		const start = process.hrtime.bigint();
		let repeats = 0;
		for (let i = 0; i < keys.length; i += N8N_BATCH) {
			const results = await store.checkAndRecord(keys.slice(i, i + N8N_BATCH), now + i);
			repeats += results.filter((result) => result.duplicate).length;
		}
		return { rate: Math.round(keys.length / (Number(process.hrtime.bigint() - start) / 1e9)), repeats };
	};
	const fresh = await timed(T0);
	const again = await timed(T0 + HOUR);
	if (again.repeats !== keys.length) throw new Error(`n8n: ${again.repeats} of ${keys.length} repeats recognised`);
	const [row] = await connection.dataSource.query('SELECT length(value) AS bytes FROM processed_data');
	await connection.close();
	fs.rmSync(folder, { recursive: true, force: true });
	return {
		store: `n8n node: slicedStore over n8n DeduplicationHelper + SQLite (${N8N_KEYS} keys, batches of ${N8N_BATCH})`,
		'new keys/s': fresh.rate,
		'repeat checks/s': again.rate,
		'heap MB per 1M keys': '-',
		'disk MB per 1M keys': `${((row.bytes * (1e6 / N8N_KEYS)) / 1048576).toFixed(1)} (one DB row)`,
	};
}

async function main() {
	console.log(`Dedupe stores, ${KEYS} keys, Node ${process.version}, ${os.cpus()[0].model} x${os.cpus().length}\n`);
	const keys = makeKeys(KEYS);
	const window = { ttlMs: 72 * HOUR, maxEntries: KEYS };
	const rows = [];

	rows.push(
		measureSync('baseline: bare Set (has + add)', () => {
			const set = new Set();
			return { check: (key) => (set.has(key) ? true : (set.add(key), false)) };
		}, keys),
	);
	rows.push(
		measureSync('MemoryDedupeStore (core reference)', () => {
			const store = new MemoryDedupeStore(window);
			return { check: (key, now) => store.checkAndRecord([key], now)[0].duplicate };
		}, keys),
	);
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mt-bench-journal-'));
	const file = path.join(dir, 'bench.journal');
	rows.push(
		measureSync('JournalDedupeStore (Node-RED, durable)', () => {
			const store = JournalDedupeStore.open(file, window, T0);
			return { check: (key, now) => store.checkAndRecord([key], now)[0].duplicate, close: () => store.close() };
		}, keys, file),
	);
	const reopenStart = process.hrtime.bigint();
	JournalDedupeStore.open(file, window, T0).close();
	const reopenSeconds = Number(process.hrtime.bigint() - reopenStart) / 1e9;
	fs.rmSync(dir, { recursive: true, force: true });

	const hasN8n = fs.existsSync(path.join(n8nPackageDir(), 'node_modules', 'n8n'));
	if (hasN8n) rows.push(await measureN8n());
	console.table(rows);
	console.log(`JournalDedupeStore: opening (replay + rewrite) a journal of ${KEYS} keys took ${reopenSeconds.toFixed(2)} s.`);
	if (!hasN8n) console.log('Run scripts/ensure-n8n-host.sh (or set N8N_PACKAGE_DIR) to measure the n8n store as well.');
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
