import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import type { DedupeWindow } from '../../core/dedupe/store';
import { dedupeStoreFile, leaseDedupeStore } from '../../node-red/lib/dedupeStores';
import { JournalDedupeStore } from '../../node-red/lib/journalDedupeStore';
import { runStoreContract, type ContractSubject } from './storeContract';

const dirs: string[] = [];
function tempDir(): string {
	const dir = mkdtempSync(join(tmpdir(), 'mt-journal-'));
	dirs.push(dir);
	return dir;
}
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

runStoreContract('JournalDedupeStore (Node-RED)', (window: DedupeWindow): ContractSubject => {
	const file = join(tempDir(), 'store.journal');
	let current = JournalDedupeStore.open(file, window, 0);
	const subject: ContractSubject = {
		store: current,
		reopen: () => {
			current.close();
			// Opening prunes with `now`; 0 keeps everything, and the checks after it apply the TTL.
			current = JournalDedupeStore.open(file, window, 0);
			return current;
		},
		close: () => current.close(),
	};
	return subject;
});

describe('JournalDedupeStore', () => {
	const window = { ttlMs: 60_000, maxEntries: 100 };
	const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean);

	it('records each new key in the file before answering, so a process that is killed right after loses nothing', () => {
		const file = join(tempDir(), 'kill.journal');
		const store = JournalDedupeStore.open(file, window, 1000);
		store.checkAndRecord(['a', 'b', 'a'], 1000);
		// No flush, no close: what a SIGKILL leaves behind.
		expect(lines(file)).toEqual(['mailtarget-dedupe journal 1', '1000 "a"', '1000 "b"']);
		const reopened = JournalDedupeStore.open(file, window, 2000);
		expect(reopened.checkAndRecord(['a', 'b', 'c'], 2000).map((r) => r.duplicate)).toEqual([true, true, false]);
		reopened.close();
		store.close();
	});

	it('skips a last line cut short by a crash and rewrites the file clean', () => {
		const file = join(tempDir(), 'torn.journal');
		const store = JournalDedupeStore.open(file, window, 1000);
		store.checkAndRecord(['a'], 1000);
		store.close();
		appendFileSync(file, '1001 "b');
		const reopened = JournalDedupeStore.open(file, window, 1002);
		expect(reopened.checkAndRecord(['a', 'b'], 1002).map((r) => r.duplicate)).toEqual([true, false]);
		reopened.close();
		expect(lines(file)).toEqual(['mailtarget-dedupe journal 1', '1000 "a"', '1002 "b"']);
	});

	it('opens a file with foreign lines without failing, keeping the valid ones', () => {
		const file = join(tempDir(), 'odd.journal');
		writeFileSync(file, 'mailtarget-dedupe journal 1\nnot a line\n5 {"x":1}\n1000 "kept"\n\n');
		const store = JournalDedupeStore.open(file, window, 1000);
		expect(store.size()).toBe(1);
		store.close();
	});

	it('keeps the file bounded by rewriting it with only the live keys', () => {
		const file = join(tempDir(), 'compact.journal');
		const small = { ttlMs: 60_000, maxEntries: 10 };
		const store = JournalDedupeStore.open(file, small, 0);
		let largest = 0;
		for (let index = 0; index < 5000; index += 1) {
			store.checkAndRecord([`key-${index}`], index);
			largest = Math.max(largest, lines(file).length);
		}
		expect(largest).toBeLessThanOrEqual(1024 + 2);
		store.compact();
		expect(lines(file)).toHaveLength(11);
		expect(statSync(file).size).toBeLessThan(300);
		store.close();
	});

	it('flushes (fsync) only when something was recorded since the last flush', () => {
		const file = join(tempDir(), 'flush.journal');
		const store = JournalDedupeStore.open(file, window, 0);
		const before = readFileSync(file, 'utf8');
		store.flush();
		store.checkAndRecord(['a'], 1);
		store.flush();
		expect(readFileSync(file, 'utf8')).toBe(`${before}1 "a"\n`);
		store.close();
	});
});

describe('dedupe store files and leases (Node-RED)', () => {
	const window = { ttlMs: 60_000, maxEntries: 100 };

	it.each([
		['a node of its own', 'a1b2.c3', undefined, 'node-a1b2.c3.journal'],
		['a shared store name', 'a1b2.c3', 'crm events', 'shared-crm%20events.journal'],
		['a name that tries to leave the folder', 'n1', '../../etc/passwd', 'shared-..%2F..%2Fetc%2Fpasswd.journal'],
	])('puts %s in the user dir', (_case, nodeId, storeName, fileName) => {
		expect(dedupeStoreFile('/data', nodeId, storeName)).toBe(join('/data', 'mailtarget-dedupe', fileName));
	});

	it('gives nodes that lease the same file one store, closed when the last lets go', () => {
		const file = dedupeStoreFile(tempDir(), 'n', 'shared');
		const first = leaseDedupeStore(file, window, 0, () => undefined);
		const second = leaseDedupeStore(file, { ttlMs: 1, maxEntries: 1 }, 0, () => undefined);
		expect(second.store).toBe(first.store);
		expect(second.window).toEqual(window);
		first.store.checkAndRecord(['a'], 0);
		first.release();
		expect(second.store.checkAndRecord(['a'], 1)[0].duplicate).toBe(true);
		second.release();
		const third = leaseDedupeStore(file, window, 2, () => undefined);
		expect(third.store).not.toBe(first.store);
		expect(third.store.checkAndRecord(['a'], 2)[0].duplicate).toBe(true);
		third.release(true);
		expect(existsSync(file)).toBe(false);
	});
});
