import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync } from 'fs';
import { dirname } from 'path';

import { MemoryDedupeStore } from '../../core/dedupe/memoryStore';
import type { DedupeWindow, SeenResult, SyncDedupeStore } from '../../core/dedupe/store';
import { fsyncDir } from './fsyncDir';
import { writeAll } from './writeAll';

const HEADER = 'mailtarget-dedupe journal 1\n';
/** Below this many lines the journal is never rewritten, however few keys it holds. */
const MIN_COMPACT_LINES = 1024;
const WRITE_CHUNK_LINES = 10000;

function line(key: string, firstSeenAt: number, heldBy?: string): string {
	return `${heldBy === undefined ? '' : `~${heldBy} `}${firstSeenAt} ${JSON.stringify(key)}\n`;
}

function parseLine(text: string): [string, number] | undefined {
	const space = text.indexOf(' ');
	if (space < 1) return undefined;
	const firstSeenAt = Number(text.slice(0, space));
	try {
		const key: unknown = JSON.parse(text.slice(space + 1));
		return typeof key === 'string' && Number.isFinite(firstSeenAt) ? [key, firstSeenAt] : undefined;
	} catch {
		return undefined; // a line cut short by a crash
	}
}


/**
 * A dedupe store that survives restarts and crashes: the keys live in a {@link MemoryDedupeStore}
 * and every newly seen key is appended to a journal file (`<ms> <JSON key>` per line) before the
 * call returns. A killed process therefore loses nothing (the bytes are in the OS); `flush()`
 * fsyncs, so calling it every second bounds what a power cut can lose. Opening replays the
 * journal and rewrites it with only the live keys; it is rewritten again whenever it holds more
 * than twice as many lines as live keys, so the file stays bounded like the memory.
 */
export class JournalDedupeStore implements SyncDedupeStore {
	private fd: number;
	private lines = 0;
	private unsynced = false;
	/** Keys recorded for a webhook request not yet committed, by its token; and the token of each. */
	private readonly tentative = new Map<string, string[]>();
	private readonly ownerOf = new Map<string, string>();
	private closed = false;
	/** Lines of tentative keys not written yet (see {@link writeTentative}). */
	private readonly tentativeText = new Map<string, string>();

	private constructor(
		readonly file: string,
		private readonly memory: MemoryDedupeStore,
	) {
		this.fd = this.rewrite();
	}

	/**
	 * Opens (or creates) the journal. A key written for a webhook request (`~<token>` lines) is
	 * kept only if the request was committed (a `+<token>` line, or `committed(token)`): a crash
	 * before then means Mailtarget sends the event again, and it must pass.
	 */
	static open(file: string, window: DedupeWindow, now: number, committed: (token: string) => boolean = () => false): JournalDedupeStore {
		mkdirSync(dirname(file), { recursive: true });
		const memory = new MemoryDedupeStore(window);
		let text = '';
		try {
			text = readFileSync(file, 'utf8');
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
		}
		// The last line of a key decides: a tentative key re-recorded later for another request is that request's.
		const tentativeOwner = new Map<string, string>();
		const committedHere = new Set<string>();
		for (const row of text.split('\n').slice(1)) {
			if (row.startsWith('+')) {
				committedHere.add(row.slice(1).trim());
				continue;
			}
			const space = row.startsWith('~') ? row.indexOf(' ') : -1;
			const entry = parseLine(space > 0 ? row.slice(space + 1) : row);
			if (!entry) continue;
			memory.restore(entry[0], entry[1]);
			if (space > 0) tentativeOwner.set(entry[0], row.slice(1, space));
			else tentativeOwner.delete(entry[0]);
		}
		for (const [key, token] of tentativeOwner) if (!committedHere.has(token) && !committed(token)) memory.forget(key);
		memory.prune(now);
		return new JournalDedupeStore(file, memory);
	}

	/**
	 * With `heldBy`, the new keys count only once {@link commitTentative} is called for that token,
	 * and are written with the next {@link writeTentative} (before that commit): until then a crash
	 * that loses them loses nothing, as Mailtarget sends the request again.
	 */
	checkAndRecord(keys: readonly string[], now: number, heldBy?: string): SeenResult[] {
		const results = this.memory.checkAndRecord(keys, now);
		const recorded = keys.filter((_key, index) => !results[index].duplicate);
		if (recorded.length === 0) return results;
		const text = recorded.map((key) => line(key, now, heldBy)).join('');
		if (heldBy !== undefined) this.tentativeText.set(heldBy, (this.tentativeText.get(heldBy) ?? '') + text);
		else {
			try {
				writeAll(this.fd, text);
			} catch (error) {
				for (const key of recorded) this.memory.forget(key);
				throw error;
			}
		}
		if (heldBy !== undefined) {
			this.tentative.set(heldBy, [...(this.tentative.get(heldBy) ?? []), ...recorded]);
			for (const key of recorded) this.ownerOf.set(key, heldBy);
		}
		this.unsynced = true;
		this.lines += recorded.length;
		if (this.lines > Math.max(MIN_COMPACT_LINES, 2 * this.memory.size())) this.compact();
		return results;
	}

	/** Writes the tentative keys recorded so far (no fsync): a request is only committed after this. */
	writeTentative(): void {
		if (this.tentativeText.size === 0 || this.closed) return;
		writeAll(this.fd, [...this.tentativeText.values()].join(''));
		this.tentativeText.clear();
	}

	/** The token of the uncommitted request that recorded `key`, if any. */
	tentativeOwner(key: string): string | undefined {
		return this.ownerOf.get(key);
	}

	commitTentative(token: string): void {
		const keys = this.tentative.get(token);
		if (!keys || this.closed) return;
		this.writeTentative();
		this.tentative.delete(token);
		for (const key of keys) this.ownerOf.delete(key);
		writeAll(this.fd, `+${token}\n`);
		this.lines += 1;
		this.unsynced = true;
	}

	/** The request was answered with an error: its keys are forgotten, so its retry passes. */
	abortTentative(token: string): void {
		this.tentativeText.delete(token);
		const keys = this.tentative.get(token);
		if (!keys) return;
		this.tentative.delete(token);
		for (const key of keys) {
			if (this.ownerOf.get(key) !== token) continue;
			this.ownerOf.delete(key);
			this.memory.forget(key);
		}
	}

	size(): number {
		return this.memory.size();
	}

	/** Makes every recorded key durable against a power cut (fsync); cheap when nothing changed. */
	flush(): void {
		this.writeTentative();
		if (!this.unsynced || this.closed) return;
		fsyncSync(this.fd);
		this.unsynced = false;
	}

	close(): void {
		this.flush();
		this.writeTentative();
		this.closed = true;
		closeSync(this.fd);
	}

	/** Rewrites the journal with only the live keys. */
	compact(): void {
		const old = this.fd;
		this.fd = this.rewrite();
		closeSync(old);
	}

	private rewrite(): number {
		const temporary = `${this.file}.tmp`;
		const fd = openSync(temporary, 'w');
		let rows = [HEADER];
		let count = 0;
		for (const [key, firstSeenAt] of this.memory.entries()) {
			rows.push(line(key, firstSeenAt, this.ownerOf?.get(key)));
			count += 1;
			if (rows.length >= WRITE_CHUNK_LINES) {
				writeAll(fd, rows.join(''));
				rows = [];
			}
		}
		writeAll(fd, rows.join(''));
		fsyncSync(fd);
		closeSync(fd);
		renameSync(temporary, this.file);
		fsyncDir(dirname(this.file));
		this.lines = count;
		this.unsynced = false;
		// Tentative keys are in the rewritten file already.
		this.tentativeText.clear();
		return openSync(this.file, 'a');
	}
}
