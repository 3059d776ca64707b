/**
 * Power lost while the last journal line was being written: the file ends inside that line (at
 * any byte), or with garbage the disk never finished. Opening recovers every complete line, is
 * not fatal, and what is written afterwards survives the next open (the torn bytes do not glue
 * onto the next line). For the dedupe journal and the queue journal.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import { JournalDedupeStore } from '../../node-red/lib/journalDedupeStore';
import { DurableQueueStore } from '../../node-red/lib/durableQueueStore';

const NOW = Date.UTC(2026, 10, 27, 8);
const WINDOW = { ttlMs: 72 * 3_600_000, maxEntries: 1000 };

let dir: string;
beforeEach(() => {
	dir = mkdtempSync(join(tmpdir(), 'mailtarget-torn-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Every length of the file from just after the second-to-last newline to just before the last one. */
function tornLengths(file: string): number[] {
	const text = readFileSync(file);
	const last = text.lastIndexOf(0x0a, text.length - 2);
	return Array.from({ length: text.length - 1 - (last + 1) }, (_, i) => last + 1 + i);
}

describe('dedupe journal', () => {
	const keys = (n: number) => Array.from({ length: n }, (_, i) => `mailtarget:k-${i}`);

	function written(): string {
		const file = join(dir, 'd.journal');
		const store = JournalDedupeStore.open(file, WINDOW, NOW);
		store.checkAndRecord(keys(5), NOW);
		store.close();
		return file;
	}

	test('cut at every byte of the last line: the other keys are recovered, the cut one is new again, later keys survive', () => {
		const original = readFileSync(written());
		const file = join(dir, 'd.journal');
		for (const length of tornLengths(file)) {
			writeFileSync(file, original.subarray(0, length));
			const store = JournalDedupeStore.open(file, WINDOW, NOW + 1);
			const seen = store.checkAndRecord([...keys(5), 'mailtarget:after'], NOW + 1).map((r) => r.duplicate);
			store.close();
			expect(seen).toEqual([true, true, true, true, false, false]);
			const again = JournalDedupeStore.open(file, WINDOW, NOW + 2);
			expect(again.checkAndRecord([...keys(5), 'mailtarget:after'], NOW + 2).every((r) => r.duplicate)).toBe(true);
			again.close();
		}
	});

	test('garbage after the last line (a block the disk never finished) is ignored, not fatal', () => {
		const file = written();
		appendFileSync(file, Buffer.from([0x00, 0x00, 0xff, 0x31, 0x20, 0x22]));
		const store = JournalDedupeStore.open(file, WINDOW, NOW + 1);
		expect(store.checkAndRecord(keys(5), NOW + 1).every((r) => r.duplicate)).toBe(true);
		expect(store.size()).toBe(5);
		store.close();
	});
});

describe('queue journal', () => {
	const message = (i: number) => ({ payload: { id: `mailtarget:q-${i}` } });

	function written(): string {
		const file = join(dir, 'q.journal');
		const store = DurableQueueStore.open(file, 10, NOW);
		store.add([message(0), message(1), message(2)], NOW);
		store.add([message(3)], NOW);
		store.close();
		return file;
	}

	const ids = (store: DurableQueueStore) => store.ready(NOW + 10, 100).map((e) => (e.message.payload as { id: string }).id);

	test('cut at every byte of the last record: the others are recovered, a record added afterwards survives the next open', () => {
		const file = written();
		const original = readFileSync(file);
		for (const length of tornLengths(file)) {
			writeFileSync(file, original.subarray(0, length));
			const store = DurableQueueStore.open(file, 10, NOW + 1);
			expect(ids(store)).toEqual(['mailtarget:q-0', 'mailtarget:q-1', 'mailtarget:q-2']);
			store.add([message(9)], NOW + 1);
			store.close();
			const again = DurableQueueStore.open(file, 10, NOW + 2);
			expect(ids(again)).toEqual(['mailtarget:q-0', 'mailtarget:q-1', 'mailtarget:q-2', 'mailtarget:q-9']);
			again.close();
		}
	});

	test('a torn "done" line only means those records go again (never lost); garbage at the end is not fatal', () => {
		const file = join(dir, 'q.journal');
		const store = DurableQueueStore.open(file, 10, NOW);
		const [first] = store.add([message(0), message(1)], NOW);
		store.remove([first!.id]);
		store.close();
		const size = statSync(file).size;
		truncateSync(file, size - 3);
		appendFileSync(file, Buffer.from([0xde, 0xad, 0xbe, 0xef]));
		const reopened = DurableQueueStore.open(file, 10, NOW + 1);
		expect(ids(reopened)).toEqual(['mailtarget:q-0', 'mailtarget:q-1']);
		reopened.close();
	});
});

describe('zero bytes after the last complete line (a file system that grew the file before writing the block)', () => {
	test('dedupe journal: every key is recovered', () => {
		const file = join(dir, 'd.journal');
		const store = JournalDedupeStore.open(file, WINDOW, NOW);
		store.checkAndRecord(['mailtarget:a', 'mailtarget:b'], NOW);
		store.close();
		appendFileSync(file, Buffer.alloc(512));
		const reopened = JournalDedupeStore.open(file, WINDOW, NOW + 1);
		expect(reopened.checkAndRecord(['mailtarget:a', 'mailtarget:b'], NOW + 1).map((r) => r.duplicate)).toEqual([true, true]);
		reopened.close();
	});

	// Lines are written as "\n{...}": bytes after the last record join its line, and the record is read up to its last "}".
	test('queue journal: the last acknowledged record is recovered', () => {
		const file = join(dir, 'q.journal');
		const store = DurableQueueStore.open(file, 10, NOW);
		store.add([{ payload: { id: 'mailtarget:q-0' } }, { payload: { id: 'mailtarget:q-1' } }], NOW);
		store.close();
		appendFileSync(file, Buffer.alloc(512));
		const reopened = DurableQueueStore.open(file, 10, NOW + 1);
		const ids = reopened.ready(NOW + 10, 100).map((e) => (e.message.payload as { id: string }).id);
		reopened.close();
		expect(ids).toEqual(['mailtarget:q-0', 'mailtarget:q-1']);
	});
});
