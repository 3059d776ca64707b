import { randomUUID } from 'crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync } from 'fs';
import { dirname, join } from 'path';
import { BackgroundSync } from './asyncSync';
import { fsyncDir } from './fsyncDir';
import { writeAll } from './writeAll';

const HEADER = 'mailtarget-queue journal 1';

/**
 * Each line is written with its newline in front, so a line cut short by a crash or a full disk
 * stays on a line of its own and cannot swallow the next one.
 */
function frame(line: JournalLine): string {
	return `\n${JSON.stringify(line)}`;
}
/** Below this many lines the journal is never rewritten, however few records it holds. */
const MIN_COMPACT_LINES = 1024;

/** What the queue keeps of a message: the record and its topic (nothing else survives a restart). */
export interface StoredMessage {
	payload: unknown;
	topic?: string;
}

export interface QueueEntry {
	/** Acceptance order, never reused. */
	readonly id: number;
	readonly acceptedAt: number;
	readonly message: StoredMessage;
	/** CRM calls that carried this record so far. */
	attempts: number;
	/** Not to be released before this time (a backoff). */
	notBefore: number;
	inFlight: boolean;
	/** The token of the webhook request it came with, until that request is committed (not released before). */
	heldBy?: string;
}

/** A line of the dead-letter file. */
export interface DeadLetter {
	/** Names it for a re-send; lines written before ids existed get `line-<n>`. */
	id: string;
	at: string;
	reason: string;
	attempts: number;
	acceptedAt: string;
	answer?: unknown;
	record: unknown;
	topic?: string;
}

/** One CRM call, for the rate window. */
export interface CallRecord {
	readonly call: number;
	readonly sentAt: number;
	/** When its answer (or failure) came back; undefined while in flight. */
	answeredAt?: number;
}

type JournalLine =
	| { op: 'add'; id: number; at: number; message: StoredMessage; attempts?: number; notBefore?: number; held?: string; deadLetter?: string }
	/** `records`: how many held records of the request this journal has; a commit short of them (a torn write) does not count. */
	| { op: 'commit'; token: string; records?: number }
	| { op: 'sent'; ids: number[]; at: number; call: number }
	| { op: 'answered'; call: number; at: number }
	| { op: 'call'; call: number; sentAt: number; answeredAt: number }
	| { op: 'retry'; ids: number[]; at: number }
	| { op: 'done'; ids: number[] }
	| { op: 'pause'; until: number };

/**
 * The journal of a queue, under `<userDir>/mailtarget-queue/`: keyed by its queue name when it has
 * one (so a replaced node with the same name picks up what the old one held), else by node id.
 */
export function queueJournalFile(userDir: string, nodeId: string, queueName?: string): string {
	const name = queueName?.trim() ? `named-${encodeURIComponent(queueName.trim())}` : `node-${encodeURIComponent(nodeId)}`;
	return join(userDir, 'mailtarget-queue', `${name}.journal`);
}


function parseJournalLine(text: string): JournalLine | undefined {
	try {
		const line = JSON.parse(text) as JournalLine;
		return typeof line === 'object' && line !== null && typeof line.op === 'string' ? line : undefined;
	} catch {
		return undefined;
	}
}

/**
 * One journal line. Lines are written as "\n{...}", so bytes a power cut leaves after the last
 * record (zeros of a block the file system grew, garbage) join that record's line: the record is
 * still whole up to its last "}". A line cut short by a crash parses neither way.
 */
function parseLine(text: string): JournalLine | undefined {
	return parseJournalLine(text) ?? parseJournalLine(text.slice(0, text.lastIndexOf('}') + 1));
}

function commitIsWhole(line: { records?: number }, heldRecords: number): boolean {
	return line.records === undefined || heldRecords >= line.records;
}

/**
 * The requests committed by a commit line of some queue journal under `<userDir>/mailtarget-queue/`: the
 * queue fsyncs its commit lines before the ledger line is written, so after a crash between the two a
 * dedupe key must count when a queue holds its request's records.
 */
export function queueCommittedTokens(userDir: string): Set<string> {
	const dir = join(userDir, 'mailtarget-queue');
	const committed = new Set<string>();
	let files: string[] = [];
	try {
		files = readdirSync(dir).filter((name) => name.endsWith('.journal'));
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
	}
	for (const name of files) {
		const heldRecords = new Map<string, number>();
		for (const row of readFileSync(join(dir, name), 'utf8').split('\n')) {
			if (!row.includes('"held":"') && !row.includes('"op":"commit"')) continue;
			const line = parseLine(row);
			if (line?.op === 'add' && line.held !== undefined) heldRecords.set(line.held, (heldRecords.get(line.held) ?? 0) + 1);
			else if (line?.op === 'commit' && commitIsWhole(line, heldRecords.get(line.token) ?? 0)) committed.add(line.token);
		}
	}
	return committed;
}

/**
 * The records of one CRM queue, kept in memory and in an append-only journal (one JSON line per
 * change). A record is written and fsynced before `add` returns, so once the queue has accepted
 * it neither a kill nor a power cut loses it. Releases, retries and completions are appended
 * without fsync: losing one of those only means a record goes to the CRM again, and the record
 * id is the CRM's idempotency key. Opening replays the journal (records that were in flight
 * become ready again) and rewrites it with only the live records; it is rewritten again whenever
 * it holds more than twice as many lines as records.
 */
export class DurableQueueStore {
	private readonly entries = new Map<number, QueueEntry>();
	private calls: CallRecord[] = [];
	private nextId = 1;
	private nextCall = 1;
	private lines = 0;
	private fd = -1;
	private pausedUntilMs = 0;
	private unsynced = false;
	/** Add lines of held records not written yet. */
	private readonly heldText = new Map<string, string>();
	private readonly background = new BackgroundSync();
	private deadLetterCount = 0;
	/** Dead-letter ids found on add lines while opening. */
	private readonly requeuedDeadLetters = new Set<string>();
	/** Record ids by the request token holding them. */
	private readonly held = new Map<string, number[]>();
	/** While opening: requests committed by a commit line of this journal. */
	private readonly committedByLines = new Set<string>();
	/** Held requests whose commit line is written already (by {@link syncInBackground}). */
	private readonly committedOnDisk = new Set<string>();

	private constructor(
		readonly file: string,
		/** How many past calls to keep (the rate limit's `max`). */
		private readonly callHistory: number,
	) {}

	/**
	 * Opens (or creates) the journal. Calls that had no answer when the process stopped count as
	 * answered at `now`: they may have reached the CRM as late as that.
	 */
	static open(
		file: string,
		callHistory: number,
		now: number,
		committed: (token: string) => boolean = () => false,
		/** Told the requests this journal's own commit lines committed, before the rewrite drops those lines (for the ledger, so that their dedupe keys count). */
		committedHere: (tokens: string[]) => void = () => undefined,
	): DurableQueueStore {
		mkdirSync(dirname(file), { recursive: true });
		const store = new DurableQueueStore(file, Math.max(1, callHistory));
		let text = '';
		try {
			text = readFileSync(file, 'utf8');
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
		}
		if (text !== '' && !text.startsWith(HEADER)) throw new Error(`${file} is not a Mailtarget queue journal; move it away or choose another queue name`);
		for (const row of text.split('\n').slice(1)) {
			const line = row.trim() === '' ? undefined : parseLine(row);
			if (line) store.replay(line);
		}
		for (const entry of store.entries.values()) entry.inFlight = false;
		// Re-sent before a crash cut the dead-letter file's rewrite short: they are back in the queue, not dead letters.
		store.deadLetterCount = store.readDeadLetters().length;
		if (store.requeuedDeadLetters.size > 0) store.rewriteDeadLetters((letter) => !store.requeuedDeadLetters.has(letter.id));
		store.requeuedDeadLetters.clear();
		// Held by a request whose acknowledgement was never committed: Mailtarget sends it again.
		for (const [token, ids] of store.held) {
			for (const id of ids) {
				const entry = store.entries.get(id);
				if (!entry) continue;
				if (committed(token)) entry.heldBy = undefined;
				else store.entries.delete(id);
			}
		}
		store.held.clear();
		const unknownToLedger = [...store.committedByLines].filter((token) => !committed(token));
		if (unknownToLedger.length > 0) committedHere(unknownToLedger);
		store.committedByLines.clear();
		for (const call of store.calls) call.answeredAt ??= now;
		store.fd = store.rewrite();
		return store;
	}

	/**
	 * Stores messages durably (fsync) as one write; all or nothing. With `heldBy`, the records
	 * wait for that request's commit ({@link commitHeld}), and writing them is left to the next
	 * {@link syncInBackground} (one write and one fsync for many requests): until their request is
	 * committed, losing them loses nothing Mailtarget will not send again.
	 */
	add(messages: readonly StoredMessage[], now: number, heldBy?: string): QueueEntry[] {
		const added: QueueEntry[] = messages.map((message, index) => ({ id: this.nextId + index, acceptedAt: now, message, attempts: 0, notBefore: 0, inFlight: false, heldBy }));
		if (added.length === 0) return added;
		const text = added.map((entry) => frame({ op: 'add', id: entry.id, at: now, message: entry.message, held: heldBy })).join('');
		if (heldBy === undefined) {
			writeAll(this.fd, text);
			fsyncSync(this.fd);
		} else {
			this.heldText.set(heldBy, (this.heldText.get(heldBy) ?? '') + text);
			this.unsynced = true;
		}
		this.lines += added.length;
		this.nextId += added.length;
		for (const entry of added) this.entries.set(entry.id, entry);
		if (heldBy !== undefined) this.hold(heldBy, added.map((entry) => entry.id));
		return added;
	}

	/** Makes every write so far durable (fsync); cheap when nothing waits for it. */
	sync(): void {
		if (!this.unsynced || this.fd < 0) return;
		this.writeHeld();
		fsyncSync(this.fd);
		this.unsynced = false;
	}

	/**
	 * {@link sync} off the event loop: `done` once every write so far is on disk, and with it the
	 * commit lines of the requests `committing` names (those it holds records of). A power cut
	 * after `done` keeps those records, whatever else is lost; they still wait for
	 * {@link commitHeld} before they are sent.
	 */
	syncInBackground(done: (error?: Error | null) => void, committing: readonly string[] = []): void {
		if (this.fd < 0) return done();
		const tokens = committing.filter((token) => this.held.has(token) && !this.committedOnDisk.has(token));
		const written = this.unsynced || tokens.length > 0;
		this.unsynced = false;
		try {
			this.writeHeld();
			if (tokens.length > 0) {
				writeAll(this.fd, tokens.map((token) => frame({ op: 'commit', token, records: this.held.get(token)?.length ?? 0 })).join(''));
				this.lines += tokens.length;
				for (const token of tokens) this.committedOnDisk.add(token);
			}
		} catch (error) {
			this.unsynced = true;
			return done(error as Error);
		}
		this.background.sync(this.fd, written, (error) => {
			if (error) this.unsynced = true;
			done(error);
		});
	}

	/** The request these records came with is committed: they may be sent now. */
	commitHeld(token: string): void {
		const ids = this.held.get(token);
		if (!ids || this.fd < 0) return;
		this.writeHeld();
		this.held.delete(token);
		for (const id of ids) {
			const entry = this.entries.get(id);
			if (entry) entry.heldBy = undefined;
		}
		if (this.committedOnDisk.delete(token)) return;
		this.append({ op: 'commit', token, records: ids.length });
		this.unsynced = true;
	}

	/** The request these records came with was answered with an error: Mailtarget sends them again. */
	abortHeld(token: string): void {
		const ids = this.held.get(token);
		if (!ids || this.fd < 0) return;
		this.held.delete(token);
		this.committedOnDisk.delete(token);
		// Not written yet: forgetting them is enough.
		if (this.heldText.delete(token)) {
			for (const id of ids) this.entries.delete(id);
			this.lines -= ids.length;
			return;
		}
		try {
			this.remove(ids);
		} catch {
			// A full disk: their request is not in the ledger, so the next start drops them anyway.
			for (const id of ids) this.entries.delete(id);
		}
	}

	/** Tokens of the requests some records wait for. */
	heldTokens(): string[] {
		return [...this.held.keys()];
	}

	private hold(token: string, ids: readonly number[]): void {
		const list = this.held.get(token);
		if (list) list.push(...ids);
		else this.held.set(token, [...ids]);
	}

	/** Records a CRM call carrying these records; returns the call's number for {@link markAnswered}. */
	markSent(ids: readonly number[], now: number): number {
		const call = this.nextCall;
		this.append({ op: 'sent', ids: [...ids], at: now, call });
		this.applySent(ids, now, call);
		return call;
	}

	markAnswered(call: number, at: number): void {
		this.append({ op: 'answered', call, at });
		this.applyAnswered(call, at);
	}

	markRetry(ids: readonly number[], at: number): void {
		this.append({ op: 'retry', ids: [...ids], at });
		this.applyRetry(ids, at);
	}

	remove(ids: readonly number[]): void {
		this.append({ op: 'done', ids: [...ids] });
		for (const id of ids) this.entries.delete(id);
		if (this.lines > Math.max(MIN_COMPACT_LINES, 2 * (this.entries.size + this.calls.length))) this.compact();
	}

	/**
	 * Appends dead letters to `<journal>.dead-letters.jsonl` (fsynced) before they leave the
	 * journal, so a dead letter survives even when the flow handling output 3 is cut short.
	 */
	appendDeadLetters(entries: readonly QueueEntry[], reason: string, answer: unknown, now: number): void {
		const at = new Date(now).toISOString();
		const text = entries
			.map((entry) => {
				const letter: DeadLetter = { id: randomUUID(), at, reason, attempts: entry.attempts, acceptedAt: new Date(entry.acceptedAt).toISOString(), answer, record: entry.message.payload, topic: entry.message.topic };
				return JSON.stringify(letter) + '\n';
			})
			.join('');
		const fd = openSync(this.deadLetterFile, 'a');
		try {
			writeAll(fd, text);
			fsyncSync(fd);
		} finally {
			closeSync(fd);
		}
		this.deadLetterCount += entries.length;
	}

	/** Dead letters in the dead-letter file (not re-sent yet). */
	get deadLetters(): number {
		return this.deadLetterCount;
	}

	readDeadLetters(): DeadLetter[] {
		let text = '';
		try {
			text = readFileSync(this.deadLetterFile, 'utf8');
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
		}
		const letters: DeadLetter[] = [];
		text.split('\n').forEach((row, index) => {
			if (row.trim() === '') return;
			try {
				const letter = JSON.parse(row) as DeadLetter;
				if (typeof letter === 'object' && letter !== null && 'record' in letter) letters.push({ ...letter, id: typeof letter.id === 'string' ? letter.id : `line-${index + 1}` });
			} catch {
				// a line cut short by a crash
			}
		});
		return letters;
	}

	/**
	 * Puts dead letters (all, or those with these ids) back into the queue as new records, with
	 * no attempts. The records are fsynced into the journal before the dead-letter file is
	 * rewritten without them; a crash in between is finished on the next open, so a dead letter
	 * is never queued twice. Returns how many went back; none when there is no room for all.
	 */
	resendDeadLetters(ids: readonly string[] | undefined, now: number, room: number): { resent: number; unknown: string[]; noRoom: boolean } {
		const letters = this.readDeadLetters();
		const wanted = ids === undefined ? undefined : new Set(ids);
		const picked = wanted === undefined ? letters : letters.filter((letter) => wanted.has(letter.id));
		const unknown = wanted === undefined ? [] : [...wanted].filter((id) => !letters.some((letter) => letter.id === id));
		if (picked.length === 0) return { resent: 0, unknown, noRoom: false };
		if (picked.length > room) return { resent: 0, unknown, noRoom: true };
		const added: QueueEntry[] = picked.map((letter, index) => ({
			id: this.nextId + index,
			acceptedAt: now,
			message: letter.topic === undefined ? { payload: letter.record } : { payload: letter.record, topic: letter.topic },
			attempts: 0,
			notBefore: 0,
			inFlight: false,
		}));
		writeAll(this.fd, added.map((entry, index) => frame({ op: 'add', id: entry.id, at: now, message: entry.message, deadLetter: picked[index].id })).join(''));
		fsyncSync(this.fd);
		this.lines += added.length;
		this.nextId += added.length;
		for (const entry of added) this.entries.set(entry.id, entry);
		const resentIds = new Set(picked.map((letter) => letter.id));
		this.rewriteDeadLetters((letter) => !resentIds.has(letter.id));
		return { resent: picked.length, unknown, noRoom: false };
	}

	private rewriteDeadLetters(keep: (letter: DeadLetter) => boolean): void {
		const kept = this.readDeadLetters().filter(keep);
		const temporary = `${this.deadLetterFile}.tmp`;
		const fd = openSync(temporary, 'w');
		try {
			writeAll(fd, kept.map((letter) => JSON.stringify(letter) + '\n').join(''));
			fsyncSync(fd);
		} finally {
			closeSync(fd);
		}
		renameSync(temporary, this.deadLetterFile);
		fsyncDir(dirname(this.deadLetterFile));
		this.deadLetterCount = kept.length;
	}

	get deadLetterFile(): string {
		return this.file.replace(/\.journal$/, '') + '.dead-letters.jsonl';
	}

	/** The CRM asked everyone to wait: nothing is released before `until`, even after a restart. */
	pause(until: number): void {
		if (until <= this.pausedUntilMs) return;
		this.append({ op: 'pause', until });
		this.pausedUntilMs = until;
	}

	get pausedUntil(): number {
		return this.pausedUntilMs;
	}

	get(id: number): QueueEntry | undefined {
		return this.entries.get(id);
	}

	/** Up to `limit` records ready to go now, oldest first. */
	ready(now: number, limit: number): QueueEntry[] {
		const batch: QueueEntry[] = [];
		for (const entry of this.entries.values()) {
			if (entry.inFlight || entry.heldBy !== undefined || entry.notBefore > now) continue;
			batch.push(entry);
			if (batch.length >= limit) break;
		}
		return batch;
	}

	/** When the earliest waiting record becomes ready; undefined when none waits. */
	nextReadyAt(): number | undefined {
		let next: number | undefined;
		for (const entry of this.entries.values()) {
			if (!entry.inFlight && entry.heldBy === undefined && (next === undefined || entry.notBefore < next)) next = entry.notBefore;
		}
		return next;
	}

	/** Records not yet delivered or dead-lettered (waiting or in flight). */
	get size(): number {
		return this.entries.size;
	}

	/** When the oldest record still held was accepted. */
	oldestAcceptedAt(): number | undefined {
		for (const entry of this.entries.values()) return entry.acceptedAt;
		return undefined;
	}

	/** The last calls (at most `callHistory`), oldest first, including those before a restart. */
	recentCalls(): readonly CallRecord[] {
		return this.calls;
	}

	close(): void {
		if (this.fd < 0) return;
		this.writeHeld();
		fsyncSync(this.fd);
		this.background.retire(this.fd);
		this.fd = -1;
	}

	/** Rewrites the journal with only the live records. */
	compact(): void {
		const old = this.fd;
		this.fd = this.rewrite();
		this.background.retire(old);
	}

	private writeHeld(): void {
		if (this.heldText.size === 0) return;
		// Kept until written: a request whose write failed is aborted and forgets its own text.
		writeAll(this.fd, [...this.heldText.values()].join(''));
		this.heldText.clear();
	}

	private append(line: JournalLine): void {
		writeAll(this.fd, frame(line));
		this.lines += 1;
	}

	private replay(line: JournalLine): void {
		switch (line.op) {
			case 'add':
				this.entries.set(line.id, { id: line.id, acceptedAt: line.at, message: line.message, attempts: line.attempts ?? 0, notBefore: line.notBefore ?? 0, inFlight: false, heldBy: line.held });
				if (line.held !== undefined) this.hold(line.held, [line.id]);
				if (line.deadLetter !== undefined) this.requeuedDeadLetters.add(line.deadLetter);
				this.nextId = Math.max(this.nextId, line.id + 1);
				return;
			case 'sent':
				return this.applySent(line.ids, line.at, line.call);
			case 'answered':
				return this.applyAnswered(line.call, line.at);
			case 'call':
				this.applySent([], line.sentAt, line.call);
				return this.applyAnswered(line.call, line.answeredAt);
			case 'retry':
				return this.applyRetry(line.ids, line.at);
			case 'done':
				for (const id of line.ids) this.entries.delete(id);
				return;
			case 'commit':
				if (!commitIsWhole(line, this.held.get(line.token)?.length ?? 0)) return;
				if (this.held.has(line.token)) this.committedByLines.add(line.token);
				for (const id of this.held.get(line.token) ?? []) {
					const entry = this.entries.get(id);
					if (entry) entry.heldBy = undefined;
				}
				this.held.delete(line.token);
				return;
			case 'pause':
				this.pausedUntilMs = Math.max(this.pausedUntilMs, line.until);
		}
	}

	private applySent(ids: readonly number[], at: number, call: number): void {
		for (const id of ids) {
			const entry = this.entries.get(id);
			if (!entry) continue;
			entry.attempts += 1;
			entry.inFlight = true;
		}
		this.calls.push({ call, sentAt: at });
		if (this.calls.length > this.callHistory) this.calls.splice(0, this.calls.length - this.callHistory);
		this.nextCall = Math.max(this.nextCall, call + 1);
	}

	private applyAnswered(call: number, at: number): void {
		const record = this.calls.find((candidate) => candidate.call === call);
		if (record) record.answeredAt = at;
	}

	private applyRetry(ids: readonly number[], at: number): void {
		for (const id of ids) {
			const entry = this.entries.get(id);
			if (!entry) continue;
			entry.inFlight = false;
			entry.notBefore = at;
		}
	}

	private rewrite(): number {
		const temporary = `${this.file}.tmp`;
		const fd = openSync(temporary, 'w');
		const rows: string[] = [HEADER];
		const flush = () => writeAll(fd, rows.splice(0).join(''));
		for (const { call, sentAt, answeredAt } of this.calls) {
			rows.push(frame(answeredAt === undefined ? { op: 'sent', ids: [], at: sentAt, call } : { op: 'call', call, sentAt, answeredAt }));
		}
		if (this.pausedUntilMs > 0) rows.push(frame({ op: 'pause', until: this.pausedUntilMs }));
		for (const entry of this.entries.values()) {
			rows.push(frame({ op: 'add', id: entry.id, at: entry.acceptedAt, message: entry.message, attempts: entry.attempts, notBefore: entry.notBefore, held: entry.heldBy }));
			if (rows.length >= 10000) flush();
		}
		for (const token of this.committedOnDisk) rows.push(frame({ op: 'commit', token, records: this.held.get(token)?.length ?? 0 }));
		flush();
		fsyncSync(fd);
		closeSync(fd);
		renameSync(temporary, this.file);
		fsyncDir(dirname(this.file));
		this.lines = this.calls.length + this.entries.size + this.committedOnDisk.size;
		// Held records are in the rewritten file already.
		this.heldText.clear();
		return openSync(this.file, 'a');
	}
}
