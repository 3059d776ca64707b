import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import { DurableQueueStore, queueJournalFile } from '../../node-red/lib/durableQueueStore';

const dirs: string[] = [];
function journal(): string {
	const dir = mkdtempSync(join(tmpdir(), 'mt-queue-store-'));
	dirs.push(dir);
	return join(dir, 'mailtarget-queue', 'q.journal');
}
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const message = (n: number) => ({ payload: { id: `mailtarget:${n}` }, topic: 'email.opened' });
const ids = (store: DurableQueueStore, now = 10_000) => store.ready(now, 1000).map((entry) => (entry.message.payload as { id: string }).id);

describe('DurableQueueStore', () => {
	it('has every accepted record on disk when add returns, so a process killed right after loses nothing', () => {
		const file = journal();
		const store = DurableQueueStore.open(file, 5, 1000);
		store.add([message(1), message(2)], 1000);
		// No close: what a SIGKILL leaves behind.
		const reopened = DurableQueueStore.open(file, 5, 2000);
		expect(ids(reopened)).toEqual(['mailtarget:1', 'mailtarget:2']);
		expect(reopened.get(1)).toMatchObject({ acceptedAt: 1000, attempts: 0, message: message(1) });
		reopened.close();
		store.close();
	});

	it('makes records that were in flight at a crash ready again, keeps their attempts, and drops finished ones', () => {
		const file = journal();
		const store = DurableQueueStore.open(file, 5, 1000);
		const [a, b, c] = store.add([message(1), message(2), message(3)], 1000);
		store.markSent([a.id], 1100);
		store.markSent([b.id], 1200);
		store.remove([b.id]);
		store.markSent([c.id], 1300);
		store.markRetry([c.id], 9000);
		const reopened = DurableQueueStore.open(file, 5, 2000);
		expect(reopened.size).toBe(2);
		expect(reopened.get(a.id)).toMatchObject({ inFlight: false, attempts: 1, notBefore: 0 });
		expect(reopened.get(c.id)).toMatchObject({ inFlight: false, attempts: 1, notBefore: 9000 });
		expect(ids(reopened, 5000)).toEqual(['mailtarget:1']);
		expect(reopened.nextReadyAt()).toBe(0);
		reopened.close();
	});

	it('counts a call that had no answer at the crash as answered when the store reopens', () => {
		const file = journal();
		const store = DurableQueueStore.open(file, 5, 1000);
		const [a, b] = store.add([message(1), message(2)], 1000);
		const first = store.markSent([a.id], 1100);
		store.markAnswered(first, 1150);
		store.markSent([b.id], 1200);
		const reopened = DurableQueueStore.open(file, 5, 3000);
		expect(reopened.recentCalls().map((call) => [call.sentAt, call.answeredAt])).toEqual([
			[1100, 1150],
			[1200, 3000],
		]);
		reopened.close();
	});

	it('keeps a pause the CRM asked for across a restart', () => {
		const file = journal();
		const store = DurableQueueStore.open(file, 5, 1000);
		store.pause(60_000);
		store.pause(30_000);
		const reopened = DurableQueueStore.open(file, 5, 2000);
		expect(reopened.pausedUntil).toBe(60_000);
		reopened.close();
	});

	it('skips a line cut short by a crash without losing the lines written after it', () => {
		const file = journal();
		const store = DurableQueueStore.open(file, 5, 1000);
		store.add([message(1)], 1000);
		appendFileSync(file, '\n{"op":"add","id":2,"at":1000,"mess');
		store.add([message(3)], 1001);
		store.close();
		const reopened = DurableQueueStore.open(file, 5, 2000);
		expect(ids(reopened)).toEqual(['mailtarget:1', 'mailtarget:3']);
		expect(readFileSync(file, 'utf8')).not.toContain('"mess\n');
		reopened.close();
	});

	it('refuses to use a file that is not a queue journal', () => {
		const file = journal();
		DurableQueueStore.open(file, 5, 0).close();
		writeFileSync(file, 'something else\n');
		expect(() => DurableQueueStore.open(file, 5, 0)).toThrow('is not a Mailtarget queue journal');
	});

	it('rewrites the journal when it holds far more lines than records, so the file stays small', () => {
		const file = journal();
		const store = DurableQueueStore.open(file, 5, 0);
		for (let n = 0; n < 3000; n++) {
			const [entry] = store.add([message(n)], n);
			store.remove([entry.id]);
		}
		store.add([message(5000)], 5000);
		expect(statSync(file).size).toBeLessThan(200_000);
		store.close();
		expect(ids(DurableQueueStore.open(file, 5, 6000))).toEqual(['mailtarget:5000']);
	});

	it('writes dead letters to their own file, fsynced, with the reason and the CRM answer', () => {
		const file = journal();
		const store = DurableQueueStore.open(file, 5, 0);
		const [entry] = store.add([message(9)], 0);
		store.appendDeadLetters([entry], 'rejected by the CRM (400)', { statusCode: 400, body: { error: 'invalid_record' } }, Date.UTC(2026, 0, 1));
		const lines = readFileSync(store.deadLetterFile, 'utf8').split('\n').filter(Boolean);
		expect(lines.map((line) => JSON.parse(line))).toEqual([
			{
				at: '2026-01-01T00:00:00.000Z',
				reason: 'rejected by the CRM (400)',
				attempts: 0,
				acceptedAt: '1970-01-01T00:00:00.000Z',
				answer: { statusCode: 400, body: { error: 'invalid_record' } },
				record: { id: 'mailtarget:9' },
				topic: 'email.opened',
				id: expect.stringMatching(/^[0-9a-f-]{36}$/),
			},
		]);
		expect(store.deadLetterFile).toBe(file.replace(/\.journal$/, '.dead-letters.jsonl'));
		store.close();
	});

	it('puts dead letters back into the queue (all, or by id) once, counting those left', () => {
		const file = journal();
		const store = DurableQueueStore.open(file, 5, 0);
		const entries = store.add([message(1), message(2), message(3)], 0);
		store.appendDeadLetters(entries, 'rejected by the CRM (400)', { statusCode: 400 }, 10);
		store.remove(entries.map((entry) => entry.id));
		expect(store.deadLetters).toBe(3);
		const [first] = store.readDeadLetters();
		expect(store.resendDeadLetters([first.id, 'no-such-id'], 20, 100)).toEqual({ resent: 1, unknown: ['no-such-id'], noRoom: false });
		expect(ids(store)).toEqual(['mailtarget:1']);
		expect(store.ready(30, 10)[0]).toMatchObject({ attempts: 0, acceptedAt: 20, message: message(1) });
		expect(store.deadLetters).toBe(2);
		expect(store.resendDeadLetters(undefined, 30, 1)).toEqual({ resent: 0, unknown: [], noRoom: true });
		expect(store.resendDeadLetters(undefined, 30, 100)).toMatchObject({ resent: 2 });
		expect(store.resendDeadLetters(undefined, 40, 100)).toMatchObject({ resent: 0 });
		expect(ids(store)).toEqual(['mailtarget:1', 'mailtarget:2', 'mailtarget:3']);
		expect(store.deadLetters).toBe(0);
		const reopened = DurableQueueStore.open(file, 5, 50);
		expect(ids(reopened)).toEqual(['mailtarget:1', 'mailtarget:2', 'mailtarget:3']);
		expect(reopened.deadLetters).toBe(0);
		reopened.close();
		store.close();
	});

	it('finishes a re-send cut short between the journal and the dead-letter file on the next open, so nothing is queued twice', () => {
		const file = journal();
		const store = DurableQueueStore.open(file, 5, 0);
		const entries = store.add([message(1), message(2)], 0);
		store.appendDeadLetters(entries, 'rejected', undefined, 10);
		store.remove(entries.map((entry) => entry.id));
		const before = readFileSync(store.deadLetterFile, 'utf8');
		store.resendDeadLetters(undefined, 20, 100);
		// As if the process died after the records were in the journal but before the dead-letter file was rewritten.
		writeFileSync(store.deadLetterFile, before);
		const reopened = DurableQueueStore.open(file, 5, 30);
		expect(reopened.deadLetters).toBe(0);
		expect(reopened.resendDeadLetters(undefined, 40, 100).resent).toBe(0);
		expect(ids(reopened)).toEqual(['mailtarget:1', 'mailtarget:2']);
		reopened.close();
		store.close();
	});

	it('re-sends dead letters written before they had ids, by line number', () => {
		const file = journal();
		const store = DurableQueueStore.open(file, 5, 0);
		writeFileSync(store.deadLetterFile, `${JSON.stringify({ at: 'x', reason: 'old', attempts: 1, acceptedAt: 'y', record: { id: 'mailtarget:old' } })}\n{"cut short`);
		const reopened = DurableQueueStore.open(file, 5, 0);
		expect(reopened.readDeadLetters().map((letter) => letter.id)).toEqual(['line-1']);
		expect(reopened.resendDeadLetters(['line-1'], 0, 10).resent).toBe(1);
		expect(ids(reopened)).toEqual(['mailtarget:old']);
		reopened.close();
		store.close();
	});

	it('stores nothing when a message cannot be written as JSON', () => {
		const file = journal();
		const store = DurableQueueStore.open(file, 5, 0);
		const circular: Record<string, unknown> = {};
		circular.self = circular;
		expect(() => store.add([message(1), { payload: circular }], 0)).toThrow();
		expect(store.size).toBe(0);
		store.close();
		expect(DurableQueueStore.open(file, 5, 0).size).toBe(0);
	});

	it.each([
		['an unnamed queue', 'n1', undefined, 'node-n1.journal'],
		['a named queue', 'n1', ' HubSpot contacts ', 'named-HubSpot%20contacts.journal'],
		['a name with a slash', 'n1', 'a/b', 'named-a%2Fb.journal'],
	])('keeps %s under mailtarget-queue/ in the user dir', (_name, nodeId, queueName, expected) => {
		expect(queueJournalFile('/home/nr/.node-red', nodeId, queueName)).toBe(join('/home/nr/.node-red', 'mailtarget-queue', expected));
	});
});
