/**
 * Faults around the queue and the journals in a real Node-RED 5 with the packed package and the
 * shipped "CRM - custom endpoint" example: 1,000 concurrent deliveries of one batch, a CRM that
 * answers garbage or 200 with an error body, two nodes pointed at the same journal, a kill -9
 * that leaves torn last lines in both journals, the disk holding the journals full, and a read-only
 * journal directory.
 */
import { execFileSync } from 'child_process';
import { appendFileSync, chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'fs';
import { createServer, connect, type Server } from 'net';
import { join } from 'path';

import { signBody } from '../../core';
import { startCrmSimulator, type CrmSimulator } from '../../tools/crm-simulator';
import { onATab, startNodeRed, type NodeRedProcess } from '../helpers/nodeRedProcess';
import { installPacked } from '../helpers/packedPackage';
import { PROBE_CAPTURED_PATH, probeNodes } from './nodeRedProbe';

const SECRET = 'faults-signing-secret-3Hv8';
const CRM_TOKEN = 'faults-crm-token-6Ws1';
const TAB = 'faults-tab';
const EXAMPLE = JSON.parse(readFileSync(join(__dirname, '..', '..', 'examples', 'CRM - custom endpoint.json'), 'utf8')) as Array<Record<string, unknown>>;
const QUEUE_NODE = EXAMPLE.find((n) => n.type === 'mailtarget-crm-queue')!;
const DEDUPE_NODE = EXAMPLE.find((n) => n.type === 'mailtarget-dedupe')!;
/** The directories under the user directory that hold the queue, dedupe and acknowledgement journals. */
const JOURNAL_DIRS = ['mailtarget-queue', 'mailtarget-dedupe', 'mailtarget-ack'];
/** Only root can mount the small file system the disk-full case fills (in a container, with CAP_SYS_ADMIN). */
const canMount = process.getuid?.() === 0;

/** Sits between Node-RED and the CRM; the next `garbage` connections get bytes that are not HTTP. */
async function startGarbageProxy(target: number): Promise<{ url: string; garbage: number; answeredGarbage: number; dropConnections(): void; close(): Promise<void> }> {
	const state = { garbage: 0, answeredGarbage: 0 };
	const open = new Set<import('net').Socket>();
	const server: Server = createServer((socket) => {
		open.add(socket);
		socket.on('close', () => open.delete(socket));
		socket.on('error', () => undefined);
		if (state.garbage > 0) {
			state.garbage -= 1;
			state.answeredGarbage += 1;
			socket.once('data', () => socket.end('\u0000\u00ffNOT HTTP AT ALL\r\n\r\n'));
			return;
		}
		const upstream = connect(target, '127.0.0.1');
		upstream.on('error', () => socket.destroy());
		socket.pipe(upstream).pipe(socket);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const port = (server.address() as { port: number }).port;
	return Object.assign(state, {
		url: `http://127.0.0.1:${port}`,
		/** Ends kept-alive connections, so the next call opens a new one (and meets the garbage). */
		dropConnections: () => open.forEach((socket) => socket.destroy()),
		close: () => new Promise<void>((resolve) => server.close(() => resolve())),
	});
}

let sequence = 0;
const event = (extra: Record<string, unknown> = {}) => {
	const n = sequence++;
	return { status: 'open', eventId: `fault-${n}`, recipient: `f${n}@example.com`, timestamp: 1_700_000_000_000 + n, recipientMeta: JSON.stringify({ crm_contact_id: `C-${n}` }), ...extra };
};

/** Two queues with one queue name and two dedupe nodes sharing one store, on a tab of their own. */
function sameJournalTab(crmUrl: string): Array<Record<string, unknown>> {
	const z = 'same-journal-tab';
	const queue = (id: string) => ({ id, type: 'mailtarget-crm-queue', z, name: `queue ${id}`, rate: 10, rateIntervalSeconds: 1, batchSize: 10, concurrency: 1, maxPending: 1000, retryHorizonHours: 24, answerTimeoutSeconds: 60, backoffBaseSeconds: 1, backoffMaxSeconds: 300, queueName: 'one-journal', wires: [[`${id}-call`], [], []] });
	const call = (id: string) => [
		{ id: `${id}-call`, type: 'function', z, name: '', func: `msg.method = 'POST'; msg.url = '${crmUrl}/activities'; msg.headers = { 'Content-Type': 'application/json', Authorization: 'Bearer ' + env.get('CRM_TOKEN') }; return msg;`, outputs: 1, wires: [[`${id}-http`]] },
		{ id: `${id}-http`, type: 'http request', z, name: '', method: 'use', ret: 'obj', paytoqs: 'ignore', url: '', persist: false, senderr: false, headers: [], wires: [[id]] },
	];
	const feed = (path: string, to: string) => [
		{ id: `feed-${to}`, type: 'http in', z, url: path, method: 'post', upload: false, wires: [[to, `ok-${to}`]] },
		{ id: `ok-${to}`, type: 'change', z, rules: [{ t: 'set', p: 'payload', pt: 'msg', to: 'fed', tot: 'str' }], wires: [['answer']] },
	];
	const dedupe = (id: string) => [
		{ id, type: 'mailtarget-dedupe', z, name: `dedupe ${id}`, keyType: 'event', keyFields: 'eventId', keyProperty: 'payload.eventId', ttlHours: 72, maxEntries: 1000, storeName: 'one-store', wires: [[`${id}-kept`], [`${id}-discarded`]] },
		{ id: `${id}-kept`, type: 'change', z, rules: [{ t: 'set', p: 'payload', pt: 'msg', to: 'kept', tot: 'str' }], wires: [['answer']] },
		{ id: `${id}-discarded`, type: 'change', z, rules: [{ t: 'set', p: 'payload', pt: 'msg', to: 'discarded', tot: 'str' }], wires: [['answer']] },
		{ id: `in-${id}`, type: 'http in', z, url: `/dedupe/${id}`, method: 'post', upload: false, wires: [[id]] },
	];
	return [
		{ id: z, type: 'tab', label: 'same journal' },
		queue('same-a'),
		queue('same-b'),
		...call('same-a'),
		...call('same-b'),
		...feed('/queue/a', 'same-a'),
		...feed('/queue/b', 'same-b'),
		...dedupe('dedupe-a'),
		...dedupe('dedupe-b'),
		{ id: 'answer', type: 'http response', z, statusCode: '', headers: {}, wires: [] },
		{ id: 'same-catch', type: 'catch', z, scope: null, uncaught: false, wires: [['same-errors']] },
		{ id: 'same-errors', type: 'function', z, func: "const l = flow.get('errors') || []; l.push(msg.error && msg.error.message); flow.set('errors', l); return null;", outputs: 1, wires: [[]] },
		{ id: 'in-errors', type: 'http in', z, url: '/same/errors', method: 'get', upload: false, wires: [['list-errors']] },
		{ id: 'list-errors', type: 'function', z, func: "msg.payload = flow.get('errors') || []; return msg;", outputs: 1, wires: [['answer']] },
	];
}

describe('queue and journal faults in a real Node-RED', () => {
	let crm: CrmSimulator;
	let proxy: Awaited<ReturnType<typeof startGarbageProxy>>;
	let nodeRed: NodeRedProcess | undefined;
	let userDir: string;
	let mountedReadOnly: string | undefined;
	let mountedFull: string | undefined;
	const logs: string[] = [];

	const url = () => `${nodeRed!.url}/mailtarget`;
	const postSigned = async (body: string, headers: Record<string, string> = {}) => {
		const res = await fetch(url(), { method: 'POST', body, headers: { 'Content-Type': 'application/json', 'X-Mailtarget-Signature': signBody(SECRET, body), ...headers } });
		return { status: res.status, text: await res.text() };
	};
	const batchOf = (events: unknown[]) => JSON.stringify({ batchId: `fb-${sequence}`, retryCount: 0, events });
	const counts = () => crm.activityCounts('custom');
	async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
		const start = Date.now();
		while (!check() && Date.now() - start < timeoutMs) await new Promise((r) => setTimeout(r, 100));
		return check();
	}
	async function start(): Promise<NodeRedProcess> {
		if (nodeRed) logs.push(nodeRed.output());
		nodeRed = await startNodeRed(userDir, { env: { MAILTARGET_WEBHOOK_SECRET: SECRET, CRM_BASE_URL: proxy.url, CRM_TOKEN } });
		return nodeRed;
	}

	beforeAll(async () => {
		crm = await startCrmSimulator({ tokens: { custom: CRM_TOKEN }, limits: { custom: { max: 20, intervalMs: 1000, retryAfterSeconds: 1 } } });
		proxy = await startGarbageProxy(crm.port);
		userDir = installPacked('mailtarget-faults-');
		await start();
		await nodeRed!.deploy([...onATab(EXAMPLE, TAB, 'custom CRM'), ...probeNodes(TAB), ...sameJournalTab(proxy.url)]);
	}, 180_000);

	afterAll(async () => {
		await nodeRed?.stop();
		if (mountedFull) execFileSync('umount', ['-l', mountedFull]);
		if (mountedReadOnly) execFileSync('umount', [mountedReadOnly]);
		else if (existsSync(join(userDir, 'mailtarget-queue'))) chmodSync(join(userDir, 'mailtarget-queue'), 0o755);
		await proxy?.close();
		await crm?.close();
		if (userDir) rmSync(userDir, { recursive: true, force: true });
	});

	test('1,000 concurrent deliveries of one batch: all acknowledged, each event exactly once at the CRM', async () => {
		const events = Array.from({ length: 20 }, event);
		const body = batchOf(events);
		const answers = await Promise.all(Array.from({ length: 1000 }, () => postSigned(body).catch((error: Error) => ({ status: 0, text: error.message }))));
		const statuses = new Map<number, number>();
		for (const a of answers) statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
		expect(Object.fromEntries(statuses)).toEqual({ 200: 1000 });
		const keys = events.map((e) => `mailtarget:${e.eventId}`);
		expect(await until(() => keys.every((k) => counts().has(k)), 60_000)).toBe(true);
		await new Promise((r) => setTimeout(r, 2000));
		expect(keys.map((k) => counts().get(k))).toEqual(keys.map(() => 1));
		expect(crm.writes.filter((w) => keys.includes(w.key ?? '') && !w.created)).toEqual([]);
	}, 180_000);

	test('the CRM answers bytes that are not HTTP three times: retried, then each event delivered once', async () => {
		proxy.garbage = 3;
		proxy.dropConnections();
		const events = Array.from({ length: 5 }, event);
		expect((await postSigned(batchOf(events))).status).toBe(200);
		const keys = events.map((e) => `mailtarget:${e.eventId}`);
		expect(await until(() => keys.every((k) => counts().has(k)), 60_000)).toBe(true);
		expect(proxy.answeredGarbage).toBe(3);
		expect(keys.map((k) => counts().get(k))).toEqual(keys.map(() => 1));
		expect(nodeRed!.output()).not.toContain('[debug:dead letters]');
	}, 90_000);

	test('the CRM answers 200 with an error body: the records of that call are dead letters (on disk and on output 3), not "delivered"', async () => {
		crm.inject({ kind: 'status', status: 200, count: 1, crm: 'custom', body: { success: false, error: 'invalid_token' } });
		const events = Array.from({ length: 3 }, event);
		expect((await postSigned(batchOf(events))).status).toBe(200);
		const file = join(userDir, 'mailtarget-queue', `named-${String(QUEUE_NODE.queueName)}.dead-letters.jsonl`);
		const letters = () => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as { reason: string; answer: { statusCode: number }; record: { id: string } }) : []);
		const keys = events.map((e) => `mailtarget:${e.eventId}`);
		const settled = () => keys.every((k) => counts().has(k) || letters().some((l) => l.record.id === k));
		expect(await until(settled, 30_000)).toBe(true);
		const dead = letters().filter((l) => keys.includes(l.record.id));
		expect(dead.length).toBeGreaterThan(0);
		expect(dead.every((l) => l.reason === 'the CRM answered 200 with "success": false, not an acceptance' && l.answer.statusCode === 200)).toBe(true);
		expect(dead.filter((l) => counts().has(l.record.id))).toEqual([]);
		expect(await until(() => nodeRed!.output().includes('[debug:dead letters]'), 5000)).toBe(true);
	}, 60_000);

	test('two queue nodes with one queue name: one runs, the other refuses to start and refuses messages with an error', async () => {
		const log = nodeRed!.output();
		expect(log).toMatch(/already uses the queue name "one-journal"/);
		const records = [1, 2].map((i) => ({ id: `mailtarget:same-${i}`, event: 'open', occurredAt: new Date(1.7e12 + i).toISOString() }));
		for (const path of ['/queue/a', '/queue/b']) {
			const res = await fetch(`${nodeRed!.url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(records) });
			expect(res.status).toBe(200);
		}
		expect(await until(() => records.every((r) => counts().has(r.id)), 30_000)).toBe(true);
		await new Promise((r) => setTimeout(r, 1000));
		expect(records.map((r) => counts().get(r.id))).toEqual([1, 1]);
		const errors = await nodeRed!.get<string[]>('/same/errors');
		expect(errors.filter((m) => /one-journal/.test(m))).toHaveLength(1);
		const journals = readdirSync(join(userDir, 'mailtarget-queue')).filter((f) => f.includes('one-journal') && f.endsWith('.journal'));
		expect(journals).toEqual(['named-one-journal.journal']);
	}, 60_000);

	test('two dedupe nodes sharing one store: an event kept by one is discarded by the other', async () => {
		const e = event();
		const send = (id: string) => fetch(`${nodeRed!.url}/dedupe/${id}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(e) }).then((r) => r.text());
		expect(await send('dedupe-a')).toBe('kept');
		expect(await send('dedupe-b')).toBe('discarded');
		expect(await send('dedupe-a')).toBe('discarded');
		const files = readdirSync(join(userDir, 'mailtarget-dedupe')).filter((f) => f.includes('one-store'));
		expect(files).toEqual(['shared-one-store.journal']);
	}, 30_000);

	test('kill -9 with records in flight, then torn last lines in both journals: the runtime starts, nothing is lost or repeated', async () => {
		crm.inject({ kind: 'latency', ms: 15_000, count: 5, crm: 'custom' });
		const events = Array.from({ length: 4 }, event);
		const body = batchOf(events);
		expect((await postSigned(body)).status).toBe(200);
		await new Promise((r) => setTimeout(r, 1500));
		await nodeRed!.kill9();
		crm.clearFaults();
		const queueJournal = join(userDir, 'mailtarget-queue', `named-${String(QUEUE_NODE.queueName)}.journal`);
		const dedupeJournal = join(userDir, 'mailtarget-dedupe', `node-${String(DEDUPE_NODE.id)}.journal`);
		const journalText = readFileSync(queueJournal, 'utf8');
		expect(events.filter((e) => !journalText.includes(`mailtarget:${e.eventId}"`))).toEqual([]);
		// What a power cut leaves of the next append: a prefix of it. Queue lines are written as "\n{...}",
		// dedupe lines as "<ms> <key>\n".
		appendFileSync(queueJournal, '\n{"op":"add","id":99999,"at":17000000000');
		appendFileSync(dedupeJournal, '1700000000000 "mailtarget:torn-ke');

		await start();
		// The only error at start is the queue that shares "one-journal" (the test above).
		expect(nodeRed!.output().split('\n').filter((line) => line.includes('[error]') && !line.includes('one-journal'))).toEqual([]);
		const keys = events.map((e) => `mailtarget:${e.eventId}`);
		expect(await until(() => keys.every((k) => counts().has(k)), 60_000)).toBe(true);
		// The batch again (Mailtarget re-sends what it is unsure of): the recovered dedupe keys drop it.
		expect((await postSigned(body)).status).toBe(200);
		await new Promise((r) => setTimeout(r, 3000));
		expect(keys.map((k) => counts().get(k))).toEqual(keys.map(() => 1));
	}, 120_000);

	(canMount ? test : test.skip)('the disk holding the journals fills up: the trigger answers 503, what was stored before is delivered once, and the refused batch is taken once there is room', async () => {
		await nodeRed!.stop();
		// One small file system for the three journal directories, as one disk would hold them.
		const disk = join(userDir, 'journal-disk');
		mkdirSync(disk);
		try {
			execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'mailtarget-full', disk], { stdio: 'pipe' });
		} catch (error) {
			throw new Error(`disk-full journal test: as root it needs to mount a tmpfs (${(error as Error).message.trim()}) -> fix: give the container CAP_SYS_ADMIN (docker --privileged), or run the tests as a non-root user (the case is then skipped)`);
		}
		mountedFull = disk;
		for (const name of JOURNAL_DIRS) {
			if (existsSync(join(userDir, name))) cpSync(join(userDir, name), join(disk, name), { recursive: true });
			else mkdirSync(join(disk, name));
			rmSync(join(userDir, name), { recursive: true, force: true });
			symlinkSync(join(disk, name), join(userDir, name));
		}
		try {
			await fillTheDisk(disk);
		} finally {
			await nodeRed?.stop();
			for (const name of JOURNAL_DIRS) {
				rmSync(join(userDir, name), { recursive: true, force: true });
				cpSync(join(disk, name), join(userDir, name), { recursive: true });
			}
			execFileSync('umount', [disk]);
			mountedFull = undefined;
			await start();
		}
	}, 180_000);

	async function fillTheDisk(disk: string): Promise<void> {
		await start();
		// The CRM takes a minute to answer, so what is stored stays in the queue journal, with one call in flight.
		crm.inject({ kind: 'latency', ms: 60_000, count: 100, crm: 'custom' });
		const before = Array.from({ length: 10 }, () => event());
		expect((await postSigned(batchOf(before))).status).toBe(200);

		try {
			execFileSync('dd', ['if=/dev/zero', `of=${join(disk, 'filler')}`, 'bs=64k'], { stdio: 'pipe' });
		} catch {
			// dd stops with "No space left on device": the disk is full.
		}
		// Larger than what is left in the last block of each journal, so the write cannot fit.
		const refusedEvents = Array.from({ length: 30 }, () => event({ subject: 'x'.repeat(400) }));
		const refusedBody = batchOf(refusedEvents);
		const whileFull = await postSigned(refusedBody);
		expect(whileFull.status).toBe(503);
		const refusal = () => nodeRed!.output().split('\n').find((line) => line.includes('refused a request (503)'));
		expect(await until(() => refusal() !== undefined, 5000)).toBe(true);
		console.log(`disk full: the trigger answered ${whileFull.status} ${whileFull.text}; logged: ${refusal()}`);
		expect(refusal()).toMatch(/ENOSPC/);

		// A crash while full, then room again: only what is on disk counts now.
		await nodeRed!.kill9();
		rmSync(join(disk, 'filler'));
		await start();
		expect(nodeRed!.output().split('\n').filter((line) => line.includes('[error]') && !line.includes('one-journal'))).toEqual([]);
		crm.clearFaults();
		const beforeKeys = before.map((e) => `mailtarget:${e.eventId}`);
		expect(await until(() => beforeKeys.every((k) => counts().has(k)), 60_000)).toBe(true);
		// Mailtarget sends the refused batch again: accepted now, each of its events once at the CRM.
		expect((await postSigned(refusedBody)).status).toBe(200);
		const refusedKeys = refusedEvents.map((e) => `mailtarget:${e.eventId}`);
		expect(await until(() => refusedKeys.every((k) => counts().has(k)), 60_000)).toBe(true);
		await new Promise((r) => setTimeout(r, 2000));
		expect([...beforeKeys, ...refusedKeys].map((k) => counts().get(k))).toEqual([...beforeKeys, ...refusedKeys].map(() => 1));
	}

	test('a read-only journal directory: the queue does not start and refuses every record with an error instead of accepting it', async () => {
		await nodeRed!.stop();
		const dir = join(userDir, 'mailtarget-queue');
		mkdirSync(dir, { recursive: true });
		if (process.getuid?.() === 0) {
			// root writes through file modes, so give the directory a read-only file system of its own.
			try {
				execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'mailtarget-ro', dir], { stdio: 'pipe' });
			} catch (error) {
				throw new Error(`read-only journal test: as root it needs to mount a read-only tmpfs (${(error as Error).message.trim()}) -> fix: run the tests as a non-root user, or give the container CAP_SYS_ADMIN (docker --privileged)`);
			}
			mountedReadOnly = dir;
		} else {
			chmodSync(dir, 0o555);
		}
		await start();
		const log = nodeRed!.output();
		expect(log).toMatch(/\[error\] \[mailtarget-crm-queue:custom CRM\].*(EROFS|EACCES|read-only)/);
		const events = Array.from({ length: 2 }, event);
		const answer = await postSigned(batchOf(events));
		// The example's queue refuses each record with done(error), which the tab's Catch node (the probe) receives.
		type Captured = { source: string; node?: { id?: string }; error?: { message?: string } };
		const refusals = async () => (await nodeRed!.get<Captured[]>(PROBE_CAPTURED_PATH)).filter((c) => c.source === 'error' && c.node?.id === QUEUE_NODE.id);
		let refused: Captured[] = [];
		for (let i = 0; i < 50 && refused.length === 0; i++) {
			await new Promise((r) => setTimeout(r, 200));
			refused = await refusals();
		}
		// The trigger answers 200 only once the queue has stored the events: here it cannot, so Mailtarget must send again.
		console.log(`read-only journal dir: the trigger answered ${answer.status}; the queue refused with: ${refused[0]?.error?.message}`);
		expect(answer.status).toBe(503);
		expect(refused.length).toBeGreaterThan(0);
		expect(refused[0]!.error!.message).toMatch(/could not start: (EROFS|EACCES)/);
		await new Promise((r) => setTimeout(r, 2000));
		expect(events.every((e) => !counts().has(`mailtarget:${e.eventId}`))).toBe(true);
		expect(readdirSync(dir)).toEqual([]);
	}, 90_000);

	test('no secret in any log line, node status or caught error of these runs', async () => {
		const captured = await nodeRed!.get<unknown[]>(PROBE_CAPTURED_PATH);
		const flows = await nodeRed!.get<unknown>('/flows');
		const all = [...logs, nodeRed!.output(), JSON.stringify(captured), JSON.stringify(flows)].join('\n');
		expect([SECRET, CRM_TOKEN].filter((secret) => all.includes(secret))).toEqual([]);
	}, 30_000);
});
