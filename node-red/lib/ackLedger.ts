import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync } from 'fs';
import { dirname, join } from 'path';

import { BackgroundSync } from './asyncSync';
import { fsyncDir } from './fsyncDir';
import { writeAll } from './writeAll';

const HEADER = 'mailtarget-ack ledger 1\n';
/**
 * How long a committed request stays in the ledger. Journals write a commit line of their own as
 * soon as they hear of the commit (it survives a kill -9) and fsync it within a second; the ledger
 * only has to outlast that, for a power cut, with a wide margin for the restart. Memory and file
 * hold at most this long's worth of tokens.
 */
export const LEDGER_RETENTION_MS = 60 * 1000;
const MIN_COMPACT_LINES = 10000;

/**
 * The commit record of durable acknowledgements: a request's dedupe keys and queue records are
 * written tagged with its token, and they count only once the token is in this file. One line per
 * committed request, `<ms> <token>`, written in groups; nothing else is in it. The dedupe journals
 * resolve their keys against it; the queue journals also carry their own commit lines.
 */
export class AckLedger {
	private readonly committedAt = new Map<string, number>();
	private fd: number;
	private lines = 0;
	private readonly background = new BackgroundSync();
	private syncing = false;
	private unsynced = false;

	private constructor(readonly file: string) {
		this.fd = -1;
	}

	static open(file: string, now: number): AckLedger {
		mkdirSync(dirname(file), { recursive: true });
		const ledger = new AckLedger(file);
		let text = '';
		try {
			text = readFileSync(file, 'utf8');
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
		}
		if (text !== '' && !text.startsWith(HEADER)) throw new Error(`${file} is not a Mailtarget acknowledgement ledger; move it away`);
		for (const row of text.split('\n').slice(1)) {
			const space = row.indexOf(' ');
			const at = Number(row.slice(0, space));
			const token = row.slice(space + 1);
			if (space > 0 && Number.isFinite(at) && /^[\w-]+$/.test(token)) ledger.committedAt.set(token, at);
		}
		ledger.forgetOlderThan(now - LEDGER_RETENTION_MS);
		ledger.fd = ledger.rewrite();
		return ledger;
	}

	has(token: string): boolean {
		return this.committedAt.has(token);
	}

	/**
	 * Commits the tokens: one write for all of them, then `done` (the line survives a kill -9 from
	 * here on). The fsync runs in the background, off the acknowledgement's path: the participants
	 * whose writes must survive a power cut have fsynced their own commit lines before this.
	 */
	commit(tokens: readonly string[], now: number, done: (error?: Error | null) => void): void {
		try {
			if (this.lines > Math.max(MIN_COMPACT_LINES, 2 * this.committedAt.size)) {
				this.forgetOlderThan(now - LEDGER_RETENTION_MS);
				const old = this.fd;
				this.fd = this.rewrite();
				this.background.retire(old);
			}
			writeAll(this.fd, tokens.map((token) => `${now} ${token}\n`).join(''));
		} catch (error) {
			return done(error as Error);
		}
		this.lines += tokens.length;
		for (const token of tokens) this.committedAt.set(token, now);
		this.forgetOlderThan(now - LEDGER_RETENTION_MS);
		this.syncSoon();
		done();
	}

	/** One background fsync at a time; lines written meanwhile wait for the next. */
	private syncSoon(): void {
		this.unsynced = true;
		if (this.syncing) return;
		this.syncing = true;
		this.unsynced = false;
		this.background.sync(this.fd, true, () => {
			this.syncing = false;
			if (this.unsynced && this.fd >= 0) this.syncSoon();
		});
	}

	close(): void {
		if (this.fd < 0) return;
		fsyncSync(this.fd);
		this.background.retire(this.fd);
		this.fd = -1;
	}

	private forgetOlderThan(limit: number): void {
		for (const [token, at] of this.committedAt) {
			if (at >= limit) break;
			this.committedAt.delete(token);
		}
	}

	private rewrite(): number {
		const temporary = `${this.file}.tmp`;
		const fd = openSync(temporary, 'w');
		let rows = HEADER;
		for (const [token, at] of this.committedAt) rows += `${at} ${token}\n`;
		writeAll(fd, rows);
		fsyncSync(fd);
		closeSync(fd);
		renameSync(temporary, this.file);
		fsyncDir(dirname(this.file));
		this.lines = this.committedAt.size;
		return openSync(this.file, 'a');
	}
}

const ledgers = new Map<string, AckLedger>();

/** The ledger of this Node-RED user directory (one per process, opened on first use). */
export function ackLedgerFor(userDir: string): AckLedger {
	const file = join(userDir, 'mailtarget-ack', 'committed.ledger');
	let ledger = ledgers.get(file);
	if (!ledger) {
		ledger = AckLedger.open(file, Date.now());
		ledgers.set(file, ledger);
	}
	return ledger;
}
