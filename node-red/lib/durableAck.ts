import { randomUUID } from 'crypto';

import type { AckLedger } from './ackLedger';
import type { NodeMessage } from './types';

/** The message property carrying the token of the webhook request a message descends from. */
export const ACK_PROPERTY = '_mailtargetAck';

/**
 * A durable store that holds some of a request's writes (a queue journal, a dedupe journal). Its
 * writes are tagged with the request's token and count only once the ledger has the token.
 */
export interface AckParticipant {
	/**
	 * Makes its tagged writes so far durable (fsync, off the event loop); called once per group
	 * commit with the tokens of that group it holds writes of. A participant whose writes must
	 * survive a power cut on their own (the queue) writes its commit lines for `tokens` within that
	 * fsync: the ledger line, written after every participant's fsync, is then fsynced in the
	 * background, and a power cut that loses it only costs the dedupe keys of the last moment.
	 */
	sync(tokens: readonly string[], done: (error?: Error | null) => void): void;
	/** The ledger has the token: the tagged writes count now. */
	commit(token: string): void;
	/** The request was answered with an error (or the flow stopped): forget its tagged writes. */
	abort(token: string): void;
}

export type AckOutcome = { ok: true } | { ok: false; reason: string };

/** Node-RED's message hooks, as `RED.hooks` offers them. */
export interface MessageHooks {
	add(hookId: string, callback: (event: never) => unknown): void;
	remove(hookId: string): void;
}

interface DeliveryEvent {
	msg?: NodeMessage;
	destination?: { id: string; node?: { _expectedDoneCount?: number } };
}
interface CompleteEvent {
	msg?: NodeMessage;
	error?: unknown;
	node?: { id: string; node?: { type?: string } };
}

/** 'committing': its writes are being fsynced and its token written to the ledger; it can no longer fail. */
type State = 'open' | 'committing' | 'committed' | 'failed';

class AckRequest {
	state: State = 'open';
	/** Deliveries not yet completed, by destination node id. */
	readonly pending = new Map<string, number>();
	outstanding = 0;
	sending = true;
	readonly participants = new Set<AckParticipant>();
	readonly dependsOn = new Set<AckRequest>();
	readonly dependents = new Set<AckRequest>();
	timer: NodeJS.Timeout | undefined;

	constructor(
		readonly token: string,
		readonly settle: (outcome: AckOutcome) => void,
	) {}

	get ready(): boolean {
		return !this.sending && this.outstanding === 0;
	}
}

/** Errors that end a message on purpose: the mapper's unusable events (retrying would not help). */
/**
 * An error about the event itself (invalid, no dedupe key): sending it again cannot help, so the
 * request still commits and Mailtarget gets its 200; the event ends at the Catch node. Any other
 * error (a store that failed, bad settings) answers 503 so the batch comes again.
 */
export function unusableEventError(message: string): Error {
	return Object.assign(new Error(message), { mailtargetUnusableEvent: true });
}

function isUnusableEventError(error: unknown): boolean {
	return typeof error === 'object' && error !== null && (error as { mailtargetUnusableEvent?: unknown }).mailtargetUnusableEvent === true;
}
const HOOK_LABEL = 'mailtargetDurableAck';
/**
 * For crash tests only: a pause between the queue journals' fsync and the ledger line, so that a
 * kill lands inside a commit on any machine. Unset (0) in use.
 */
const CRASH_TEST_COMMIT_PAUSE_MS = Number(process.env.MAILTARGET_CRASH_TEST_COMMIT_PAUSE_MS) || 0;
const MAX_GROUP_COMMITS = 3;

/**
 * Follows every message that descends from a webhook request through the flow (Node-RED's
 * preDeliver, postReceive and onComplete hooks) and settles the request once each of them has
 * been completed by every node it reached: then the tagged writes of the request's participants
 * are fsynced and its token committed to the ledger, many requests sharing one fsync.
 */
export class AckTracker {
	private readonly requests = new Map<string, AckRequest>();
	private readonly toCommit = new Set<AckRequest>();
	private flushScheduled = false;
	/** Group commits under way (their fsyncs overlap; each covers what was written before it began). */
	private flushing = 0;
	private readonly settled = new Map<string, State>();

	constructor(
		private readonly ledger: AckLedger,
		private readonly clock: () => number = Date.now,
	) {}

	/** Starts tracking a request; call {@link sent} once its messages are sent. */
	open(deadlineMs: number, settle: (outcome: AckOutcome) => void): string {
		const token = randomUUID();
		const request = new AckRequest(token, settle);
		request.timer = setTimeout(() => this.fail(request, `not stored within ${deadlineMs / 1000} s`), deadlineMs);
		this.requests.set(token, request);
		return token;
	}

	/** Every message of the request has been sent (their first deliveries are counted). */
	sent(token: string): void {
		const request = this.requests.get(token);
		if (!request) return;
		request.sending = false;
		this.check(request);
	}

	/** 'open': writes must be tagged; 'committed' or 'unknown': write as usual; 'failed': the request was answered with an error, drop the message. */
	stateOf(token: string): 'open' | 'committed' | 'failed' | 'unknown' {
		const state = this.requests.get(token)?.state ?? this.settled.get(token) ?? 'unknown';
		return state === 'committing' ? 'committed' : state;
	}

	join(token: string, participant: AckParticipant): void {
		this.requests.get(token)?.participants.add(participant);
	}

	/** `token`'s request may only succeed if `on`'s does (a duplicate it dropped waits on the original). */
	dependOn(token: string, on: string): void {
		const request = this.requests.get(token);
		const other = this.requests.get(on);
		if (!request || request === other || request.state !== 'open') return;
		if (!other) {
			if (this.settled.get(on) === 'failed') this.fail(request, 'an earlier copy of one of its events was not stored');
			return;
		}
		request.dependsOn.add(other);
		other.dependents.add(request);
	}

	/** Fails every open request (the trigger or a participant is stopping). */
	failWhere(predicate: (participants: ReadonlySet<AckParticipant>, token: string) => boolean, reason: string): void {
		for (const request of [...this.requests.values()]) if (predicate(request.participants, request.token)) this.fail(request, reason);
	}

	installHooks(hooks: MessageHooks): void {
		hooks.add(`preDeliver.${HOOK_LABEL}`, (event: DeliveryEvent) => {
			const request = this.tracked(event.msg);
			const id = event.destination?.id;
			if (!request || id === undefined) return;
			request.pending.set(id, (request.pending.get(id) ?? 0) + 1);
			request.outstanding += 1;
		});
		// A node whose input handler takes no `done` never completes a message: it is done once it has it.
		hooks.add(`postReceive.${HOOK_LABEL}`, (event: DeliveryEvent) => {
			if (event.destination?.node?._expectedDoneCount !== 0) return;
			const request = this.tracked(event.msg);
			if (request && event.destination) this.completed(request, event.destination.id);
		});
		hooks.add(`onComplete.${HOOK_LABEL}`, (event: CompleteEvent) => {
			const request = this.tracked(event.msg);
			const id = event.node?.id;
			if (!request || id === undefined) return;
			if (!this.completed(request, id)) return;
			if (event.error !== undefined && event.error !== null && !isUnusableEventError(event.error)) {
				this.fail(request, `node ${id}: ${(event.error as Error).message ?? String(event.error)}`);
			}
		});
	}

	removeHooks(hooks: MessageHooks): void {
		hooks.remove(`*.${HOOK_LABEL}`);
	}

	private tracked(msg: NodeMessage | undefined): AckRequest | undefined {
		const token = msg?.[ACK_PROPERTY];
		if (typeof token !== 'string') return undefined;
		const request = this.requests.get(token);
		return request?.state === 'open' ? request : undefined;
	}

	/** False when that node had no delivery of the request to complete (a Catch or Complete node, say). */
	private completed(request: AckRequest, nodeId: string): boolean {
		const count = request.pending.get(nodeId) ?? 0;
		if (count === 0) return false;
		if (count === 1) request.pending.delete(nodeId);
		else request.pending.set(nodeId, count - 1);
		request.outstanding -= 1;
		this.check(request);
		return true;
	}

	private check(request: AckRequest): void {
		if (request.state !== 'open' || !request.ready) return;
		const closure = new Set<AckRequest>();
		const visit = (current: AckRequest) => {
			if (closure.has(current)) return;
			closure.add(current);
			for (const other of current.dependsOn) visit(other);
		};
		visit(request);
		for (const member of closure) {
			if (member.state === 'failed') return this.fail(request, 'an earlier copy of one of its events was not stored');
		}
		// A request it waits on is still open, or its commit is under way (it could still fail): wait for it.
		for (const member of closure) if ((member.state === 'open' && !member.ready) || (member !== request && member.state === 'committing')) return;
		for (const member of closure) if (member.state === 'open') this.toCommit.add(member);
		this.scheduleFlush();
	}

	private scheduleFlush(): void {
		if (this.flushScheduled || this.flushing >= MAX_GROUP_COMMITS || this.toCommit.size === 0) return;
		this.flushScheduled = true;
		setImmediate(() => this.flush());
	}

	/**
	 * One group commit: the participants' fsyncs run side by side off the event loop (the queue's
	 * carries its commit lines), then the ledger line is written (its fsync follows in the
	 * background) and the requests are answered. Requests that become ready meanwhile go into the
	 * next group, which may start before this one ends (up to {@link MAX_GROUP_COMMITS} at once):
	 * under load, each fsync round serves every request that became ready during the one before.
	 */
	private flush(): void {
		this.flushScheduled = false;
		const batch = [...this.toCommit].filter((request) => request.state === 'open');
		this.toCommit.clear();
		if (batch.length === 0) return;
		this.flushing += 1;
		for (const request of batch) {
			request.state = 'committing';
			clearTimeout(request.timer);
		}
		const participants = new Map<AckParticipant, string[]>();
		for (const request of batch) {
			for (const participant of request.participants) {
				const tokens = participants.get(participant);
				if (tokens) tokens.push(request.token);
				else participants.set(participant, [request.token]);
			}
		}
		const end = (error?: Error | null) => {
			this.flushing -= 1;
			if (error) {
				for (const request of batch) {
					request.state = 'open';
					this.fail(request, `could not be made durable: ${error.message}`);
				}
			} else {
				for (const request of batch) {
					this.finish(request, 'committed');
					for (const participant of request.participants) participant.commit(request.token);
					request.settle({ ok: true });
				}
				for (const request of batch) for (const dependent of request.dependents) this.check(dependent);
			}
			this.scheduleFlush();
		};
		const commitLedger = () => {
			const tokens = batch.filter((request) => request.participants.size > 0).map((request) => request.token);
			if (tokens.length === 0) return end();
			if (CRASH_TEST_COMMIT_PAUSE_MS > 0) setTimeout(() => this.ledger.commit(tokens, this.clock(), end), CRASH_TEST_COMMIT_PAUSE_MS);
			else this.ledger.commit(tokens, this.clock(), end);
		};
		let waiting = participants.size;
		let failure: Error | null = null;
		if (waiting === 0) return commitLedger();
		for (const [participant, tokens] of participants) {
			participant.sync(tokens, (error) => {
				failure ??= error ?? null;
				waiting -= 1;
				if (waiting > 0) return;
				if (failure) end(failure);
				else commitLedger();
			});
		}
	}

	private fail(request: AckRequest, reason: string): void {
		if (request.state !== 'open') return;
		this.finish(request, 'failed');
		for (const participant of request.participants) participant.abort(request.token);
		request.settle({ ok: false, reason });
		for (const dependent of request.dependents) this.fail(dependent, 'an earlier copy of one of its events was not stored');
	}

	private finish(request: AckRequest, state: State): void {
		request.state = state;
		clearTimeout(request.timer);
		this.requests.delete(request.token);
		this.settled.set(request.token, state);
		// Late messages of a settled request are recognised for a while, then treated as untracked.
		if (this.settled.size > 10000) this.settled.delete(this.settled.keys().next().value as string);
		for (const other of request.dependsOn) other.dependents.delete(request);
	}
}

/** The token of the request a message descends from, if any. */
export function ackTokenOf(msg: NodeMessage): string | undefined {
	const token = msg[ACK_PROPERTY];
	return typeof token === 'string' ? token : undefined;
}

let shared: { tracker: AckTracker; users: number; hooks: MessageHooks } | undefined;

/** The tracker of this Node-RED process; the hooks are in place while at least one trigger uses it. */
export function acquireAckTracker(hooks: MessageHooks, ledger: AckLedger): { tracker: AckTracker; release(): void } {
	if (!shared) {
		const tracker = new AckTracker(ledger);
		tracker.installHooks(hooks);
		shared = { tracker, users: 0, hooks };
	}
	const current = shared;
	current.users += 1;
	let released = false;
	return {
		tracker: current.tracker,
		release() {
			if (released) return;
			released = true;
			current.users -= 1;
			if (current.users > 0 || shared !== current) return;
			current.tracker.removeHooks(current.hooks);
			shared = undefined;
		},
	};
}

/** For participants: the running tracker, if a durable trigger runs in this process. */
export function currentAckTracker(): AckTracker | undefined {
	return shared?.tracker;
}
