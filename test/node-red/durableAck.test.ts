import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import { dedupeWindow } from '../../core/dedupe/store';
import { AckLedger } from '../../node-red/lib/ackLedger';
import { downstreamOf } from '../../node-red/lib/downstream';
import { ACK_PROPERTY, AckTracker, unusableEventError, type AckOutcome, type AckParticipant, type MessageHooks } from '../../node-red/lib/durableAck';
import { DurableQueueStore, queueCommittedTokens, queueJournalFile } from '../../node-red/lib/durableQueueStore';
import { JournalDedupeStore } from '../../node-red/lib/journalDedupeStore';

const dirs: string[] = [];
function tempDir(): string {
	const dir = mkdtempSync(join(tmpdir(), 'mt-durable-ack-'));
	dirs.push(dir);
	return dir;
}
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** Node-RED's hook registry, reduced to what the tracker uses; `fire` plays a message's life. */
function fakeHooks() {
	const registered = new Map<string, (event: never) => unknown>();
	const hooks: MessageHooks = {
		add: (id, callback) => registered.set(id.split('.')[0], callback),
		remove: () => registered.clear(),
	};
	const fire = (hook: string, event: unknown) => registered.get(hook)?.(event as never);
	const msg = (token: string) => ({ [ACK_PROPERTY]: token });
	return {
		hooks,
		registered,
		deliver: (token: string, nodeId: string, expectsDone = 1) => fire('preDeliver', { msg: msg(token), destination: { id: nodeId, node: { _expectedDoneCount: expectsDone } } }),
		receive: (token: string, nodeId: string, expectsDone = 1) => fire('postReceive', { msg: msg(token), destination: { id: nodeId, node: { _expectedDoneCount: expectsDone } } }),
		complete: (token: string, nodeId: string, error?: Error, type = 'function') => fire('onComplete', { msg: msg(token), error, node: { id: nodeId, node: { type } } }),
	};
}

function recordingParticipant(): AckParticipant & { log: string[] } {
	const log: string[] = [];
	return {
		log,
		sync: (_tokens, done) => {
			log.push('sync');
			setImmediate(done);
		},
		commit: (token) => log.push(`commit ${token}`), abort: (token) => log.push(`abort ${token}`) };
}

/** Lets the group commit run: its fsyncs finish off the event loop. */
const nextTurn = () => new Promise((resolve) => setTimeout(resolve, 30));

describe('AckTracker', () => {
	function setup() {
		const ledger = AckLedger.open(join(tempDir(), 'ledger'), 0);
		const tracker = new AckTracker(ledger, () => 1000);
		const hooks = fakeHooks();
		tracker.installHooks(hooks.hooks);
		const outcomes = new Map<string, AckOutcome>();
		const open = (deadlineMs = 5000) => {
			const token: string = tracker.open(deadlineMs, (outcome) => outcomes.set(token, outcome));
			return token;
		};
		return { ledger, tracker, hooks, outcomes, open };
	}

	it('settles a request only when every delivery of its messages is completed, then commits it to the ledger once synced', async () => {
		const { tracker, hooks, outcomes, open, ledger } = setup();
		const token = open();
		const queue = recordingParticipant();
		hooks.deliver(token, 'dedupe');
		hooks.deliver(token, 'dedupe');
		tracker.sent(token);
		hooks.deliver(token, 'queue');
		hooks.complete(token, 'dedupe');
		hooks.complete(token, 'dedupe');
		await nextTurn();
		expect(outcomes.has(token)).toBe(false);
		tracker.join(token, queue);
		hooks.complete(token, 'queue');
		expect(outcomes.has(token)).toBe(false);
		await nextTurn();
		expect(outcomes.get(token)).toEqual({ ok: true });
		expect(queue.log).toEqual(['sync', `commit ${token}`]);
		expect(ledger.has(token)).toBe(true);
		expect(tracker.stateOf(token)).toBe('committed');
	});

	it('shares one ledger fsync between requests ready in the same turn, and writes no ledger line for a request nothing stored', async () => {
		const { tracker, hooks, outcomes, open, ledger } = setup();
		const queue = recordingParticipant();
		const stored = [open(), open(), open()];
		const filtered = open();
		for (const token of stored) {
			hooks.deliver(token, 'queue');
			tracker.sent(token);
			tracker.join(token, queue);
		}
		hooks.deliver(filtered, 'debug');
		tracker.sent(filtered);
		for (const token of [...stored, filtered]) hooks.complete(token, token === filtered ? 'debug' : 'queue');
		await nextTurn();
		expect([...outcomes.values()]).toEqual([{ ok: true }, { ok: true }, { ok: true }, { ok: true }]);
		expect(queue.log.filter((entry) => entry === 'sync')).toHaveLength(1);
		expect(readFileSync(ledger.file, 'utf8').trim().split('\n').slice(1)).toHaveLength(3);
		expect(ledger.has(filtered)).toBe(false);
	});

	it('counts a node that takes no done callback as finished once it has the message, and ignores completions it did not deliver', async () => {
		const { tracker, hooks, outcomes, open } = setup();
		const token = open();
		hooks.deliver(token, 'legacy', 0);
		tracker.sent(token);
		hooks.complete(token, 'catch-node');
		hooks.receive(token, 'legacy', 0);
		await nextTurn();
		expect(outcomes.get(token)).toEqual({ ok: true });
	});

	it('fails a request (and aborts its participants) when a node reports an error, but not for the mapper ending an unusable event', async () => {
		const { tracker, hooks, outcomes, open } = setup();
		const failing = open();
		const queue = recordingParticipant();
		hooks.deliver(failing, 'queue');
		tracker.sent(failing);
		tracker.join(failing, queue);
		hooks.complete(failing, 'queue', new Error('queue "crm" is full'), 'mailtarget-crm-queue');
		expect(outcomes.get(failing)).toEqual({ ok: false, reason: 'node queue: queue "crm" is full' });
		expect(queue.log).toEqual([`abort ${failing}`]);
		expect(tracker.stateOf(failing)).toBe('failed');

		const invalid = open();
		hooks.deliver(invalid, 'mapper');
		tracker.sent(invalid);
		hooks.complete(invalid, 'mapper', unusableEventError('invalid event: no type'), 'mailtarget-event-mapper');
		await nextTurn();
		expect(outcomes.get(invalid)).toEqual({ ok: true });

		// The mapper's other errors (its settings are broken) are no reason to acknowledge: the batch must come again.
		const misconfigured = open();
		hooks.deliver(misconfigured, 'mapper');
		tracker.sent(misconfigured);
		hooks.complete(misconfigured, 'mapper', new Error("check the node's settings: field names are not JSON"), 'mailtarget-event-mapper');
		expect(outcomes.get(misconfigured)).toMatchObject({ ok: false });
	});

	it('answers with an error at the deadline when a message never completes', async () => {
		const { tracker, hooks, outcomes, open } = setup();
		const token = open(30);
		hooks.deliver(token, 'stuck');
		tracker.sent(token);
		await new Promise((resolve) => setTimeout(resolve, 60));
		expect(outcomes.get(token)).toEqual({ ok: false, reason: 'not stored within 0.03 s' });
	});

	it('does not fail a request whose commit is under way when its deadline passes, and fails it when the fsync fails', async () => {
		const { tracker, hooks, outcomes, open } = setup();
		let finishSync: (error?: Error) => void = () => undefined;
		const slow: AckParticipant = { sync: (_tokens, done) => (finishSync = done), commit: () => undefined, abort: () => undefined };
		const token = open(20);
		hooks.deliver(token, 'queue');
		tracker.sent(token);
		tracker.join(token, slow);
		hooks.complete(token, 'queue');
		await new Promise((resolve) => setTimeout(resolve, 60));
		expect(outcomes.has(token)).toBe(false);
		finishSync();
		await nextTurn();
		expect(outcomes.get(token)).toEqual({ ok: true });

		const failing = open();
		hooks.deliver(failing, 'queue');
		tracker.sent(failing);
		tracker.join(failing, slow);
		hooks.complete(failing, 'queue');
		await nextTurn();
		finishSync(new Error('EIO'));
		expect(outcomes.get(failing)).toEqual({ ok: false, reason: 'could not be made durable: EIO' });
	});

	it('lets a request that dropped a duplicate succeed only with the request holding the first copy, and fail with it', async () => {
		const { tracker, hooks, outcomes, open } = setup();
		const first = open();
		const copy = open();
		hooks.deliver(first, 'queue');
		tracker.sent(first);
		hooks.deliver(copy, 'dedupe');
		tracker.sent(copy);
		tracker.dependOn(copy, first);
		hooks.complete(copy, 'dedupe');
		await nextTurn();
		expect(outcomes.size).toBe(0);
		hooks.complete(first, 'queue');
		await nextTurn();
		await nextTurn();
		expect(outcomes.get(first)).toEqual({ ok: true });
		expect(outcomes.get(copy)).toEqual({ ok: true });

		const lost = open();
		const waiting = open();
		hooks.deliver(lost, 'queue');
		tracker.sent(lost);
		hooks.deliver(waiting, 'dedupe');
		tracker.sent(waiting);
		tracker.dependOn(waiting, lost);
		hooks.complete(waiting, 'dedupe');
		hooks.complete(lost, 'queue', new Error('disk full'), 'mailtarget-crm-queue');
		expect(outcomes.get(waiting)).toMatchObject({ ok: false });

		// Two requests each holding the first copy of the other's duplicate commit together.
		const a = open();
		const b = open();
		tracker.dependOn(a, b);
		tracker.dependOn(b, a);
		tracker.sent(a);
		tracker.sent(b);
		await nextTurn();
		expect([outcomes.get(a), outcomes.get(b)]).toEqual([{ ok: true }, { ok: true }]);
	});
});

describe('tagged writes survive a crash only when their request was committed', () => {
	it('DurableQueueStore: held records are not released before the commit, dropped on reopen without it, kept with it', () => {
		const file = join(tempDir(), 'q.journal');
		const store = DurableQueueStore.open(file, 5, 0);
		store.add([{ payload: { id: 'kept' } }], 0, 'token-committed');
		store.add([{ payload: { id: 'lost' } }], 0, 'token-never');
		store.add([{ payload: { id: 'plain' } }], 0);
		expect(store.ready(0, 10).map((entry) => (entry.message.payload as { id: string }).id)).toEqual(['plain']);
		store.sync();
		// Killed before either commit line; the ledger has one of the two tokens.
		const reopened = DurableQueueStore.open(file, 5, 0, (token) => token === 'token-committed');
		expect(reopened.ready(0, 10).map((entry) => (entry.message.payload as { id: string }).id).sort()).toEqual(['kept', 'plain']);
		reopened.close();
		store.close();
	});

	it('DurableQueueStore: a commit line releases held records, an abort removes them', () => {
		const file = join(tempDir(), 'q.journal');
		const store = DurableQueueStore.open(file, 5, 0);
		store.add([{ payload: { id: 'a' } }], 0, 't1');
		store.add([{ payload: { id: 'b' } }], 0, 't2');
		store.commitHeld('t1');
		store.abortHeld('t2');
		expect(store.ready(0, 10).map((entry) => (entry.message.payload as { id: string }).id)).toEqual(['a']);
		const reopened = DurableQueueStore.open(file, 5, 0);
		expect(reopened.ready(0, 10).map((entry) => (entry.message.payload as { id: string }).id)).toEqual(['a']);
		reopened.close();
		store.close();
	});

	it('DurableQueueStore: the fsync of a group commit carries its own commit lines, so its records survive without the ledger, yet wait for commitHeld', async () => {
		const file = join(tempDir(), 'q.journal');
		const store = DurableQueueStore.open(file, 5, 0);
		store.add([{ payload: { id: 'in-group' } }], 0, 'g1');
		store.add([{ payload: { id: 'next-group' } }], 0, 'g2');
		await new Promise((resolve, reject) => store.syncInBackground((error) => (error ? reject(error) : resolve(undefined)), ['g1', 'not-mine']));
		expect(store.ready(0, 10)).toEqual([]);
		// Killed (or the power cut) before the ledger line: the ledger knows neither token.
		const afterCrash = DurableQueueStore.open(file, 5, 0, () => false);
		expect(afterCrash.ready(0, 10).map((entry) => (entry.message.payload as { id: string }).id)).toEqual(['in-group']);
		afterCrash.close();
		store.commitHeld('g1');
		expect(store.ready(0, 10).map((entry) => (entry.message.payload as { id: string }).id)).toEqual(['in-group']);
		// A compaction between the fsync and commitHeld keeps the commit line.
		store.add([{ payload: { id: 'third' } }], 0, 'g3');
		await new Promise((resolve, reject) => store.syncInBackground((error) => (error ? reject(error) : resolve(undefined)), ['g3']));
		store.compact();
		const afterCompaction = DurableQueueStore.open(file, 5, 0, () => false);
		expect(afterCompaction.ready(0, 10).map((entry) => (entry.message.payload as { id: string }).id)).toEqual(['in-group', 'third']);
		afterCompaction.close();
		store.close();
	});

	it('a crash between the queue commit and the ledger line: the dedupe keys count through the queue journal, and a torn commit counts for neither', async () => {
		const userDir = tempDir();
		const file = queueJournalFile(userDir, 'n1', 'crm');
		const store = DurableQueueStore.open(file, 5, 0);
		store.add([{ payload: { id: 'a' } }, { payload: { id: 'b' } }], 0, 'whole');
		await new Promise((resolve, reject) => store.syncInBackground((error) => (error ? reject(error) : resolve(undefined)), ['whole']));
		store.close();
		const dedupeFile = join(userDir, 'd.journal');
		const window = dedupeWindow(72, 1000);
		const dedupe = JournalDedupeStore.open(dedupeFile, window, 0);
		dedupe.checkAndRecord(['key-whole'], 1, 'whole');
		dedupe.checkAndRecord(['key-torn'], 1, 'torn');
		dedupe.writeTentative();
		dedupe.close();
		// A power cut kept the commit line of "torn" but only one of its two records.
		appendFileSync(file, '\n' + JSON.stringify({ op: 'add', id: 90, at: 0, message: { payload: { id: 'torn-1' } }, held: 'torn' }) + '\n' + JSON.stringify({ op: 'commit', token: 'torn', records: 2 }));
		// The dedupe opens first: it finds the commit in the queue journal.
		expect([...queueCommittedTokens(userDir)]).toEqual(['whole']);
		const ledger = AckLedger.open(join(userDir, 'ledger'), 0);
		// The queue opens first: its rewrite drops the commit lines, after telling the ledger.
		const reopened = DurableQueueStore.open(file, 5, 0, (token) => ledger.has(token), (tokens) => ledger.commit(tokens, 1, () => undefined));
		expect(reopened.ready(0, 10).map((entry) => (entry.message.payload as { id: string }).id)).toEqual(['a', 'b']);
		reopened.close();
		expect(queueCommittedTokens(userDir).size).toBe(0);
		expect([ledger.has('whole'), ledger.has('torn')]).toEqual([true, false]);
		const keys = JournalDedupeStore.open(dedupeFile, window, 2, (token) => ledger.has(token) || queueCommittedTokens(userDir).has(token));
		expect(keys.checkAndRecord(['key-whole', 'key-torn'], 3).map((result) => result.duplicate)).toEqual([true, false]);
		keys.close();
		ledger.close();
	});

	it('JournalDedupeStore: a tentative key is dropped on reopen unless its request was committed, and forgotten on abort', () => {
		const file = join(tempDir(), 'd.journal');
		const window = dedupeWindow(72, 1000);
		const store = JournalDedupeStore.open(file, window, 0);
		store.checkAndRecord(['committed-key'], 1, 'c');
		store.checkAndRecord(['crashed-key'], 1, 'x');
		store.checkAndRecord(['plain-key'], 1);
		store.checkAndRecord(['aborted-key'], 1, 'a');
		expect(store.tentativeOwner('crashed-key')).toBe('x');
		expect(store.checkAndRecord(['crashed-key'], 2)[0].duplicate).toBe(true);
		store.abortTentative('a');
		expect(store.checkAndRecord(['aborted-key'], 3, 'a2')[0].duplicate).toBe(false);
		store.commitTentative('a2');
		const reopened = JournalDedupeStore.open(file, window, 4, (token) => token === 'c');
		const seen = reopened.checkAndRecord(['committed-key', 'crashed-key', 'plain-key', 'aborted-key'], 5).map((result) => result.duplicate);
		expect(seen).toEqual([true, false, true, true]);
		reopened.close();
		store.close();
	});

	it('AckLedger: a committed token is found after a reopen, and old ones are forgotten', async () => {
		const file = join(tempDir(), 'ledger');
		const ledger = AckLedger.open(file, 0);
		await new Promise((resolve, reject) => ledger.commit(['t-1', 't-2'], 1000, (error) => (error ? reject(error) : resolve(undefined))));
		expect(ledger.has('t-1')).toBe(true);
		expect(AckLedger.open(file, 2000).has('t-2')).toBe(true);
		expect(AckLedger.open(file, 1000 + 61 * 1000).has('t-1')).toBe(false);
		ledger.close();
	});
});

describe('downstreamOf', () => {
	const nodes: Record<string, { type: string; wires?: string[][] }> = {
		dedupe: { type: 'mailtarget-dedupe', wires: [['mapper'], ['debug']] },
		mapper: { type: 'mailtarget-event-mapper', wires: [['fn'], ['debug']] },
		fn: { type: 'function', wires: [['queue']] },
		queue: { type: 'mailtarget-crm-queue', wires: [['http']] },
		debug: { type: 'debug', wires: [] },
		link: { type: 'link out', wires: [] },
		loop: { type: 'function', wires: [['loop']] },
	};
	const get = (id: string) => nodes[id];
	it('finds a queue behind other nodes, says unknown behind a link, none otherwise (loops included)', () => {
		expect(downstreamOf([['dedupe']], get)).toBe('queue');
		expect(downstreamOf([['debug', 'link']], get)).toBe('unknown');
		expect(downstreamOf([['debug', 'loop']], get)).toBe('none');
		expect(downstreamOf(undefined, get)).toBe('none');
	});
});
