import { randomUUID } from 'crypto';

import { classifyResponse, type CrmAnswer, type DeliveryVerdict } from '../../core/delivery/classifyResponse';
import { planDelivery } from '../../core/delivery/planDelivery';
import type { QueueSettings } from '../../core/delivery/queueSettings';
import { releaseDelay, windowTimes } from '../../core/delivery/rateWindow';
import type { DurableQueueStore, QueueEntry, StoredMessage } from './durableQueueStore';
import type { QueueState } from './queueRegistry';

/** The message property that marks a released batch, so that its answer is recognised when it comes back. */
export const QUEUE_MARKER = '_mailtargetQueue';

/** Travels with a released batch and comes back with the CRM's answer. */
export interface QueueMarker {
	queueId: string;
	batchId: string;
	/** 1 for the first call carrying these records. */
	attempt: number;
}

export interface Batch {
	marker: QueueMarker;
	entries: QueueEntry[];
}

export interface Settled {
	entries: QueueEntry[];
	/** Undefined when no answer came (the answer timeout). */
	answer?: CrmAnswer;
	reason: string;
}

export interface CrmQueueHandlers {
	release(batch: Batch): void;
	delivered(settled: Settled): void;
	deadLettered(settled: Settled): void;
	/** Writing to the journal failed outside an input message (a timer); nothing was lost, the queue stalls. */
	failed(error: Error): void;
}

const LONGEST_TIMER_MS = 2 ** 31 - 1;
const REMEMBERED_BATCHES = 1000;

/**
 * Releases the records of a {@link DurableQueueStore} in batches at the CRM's rate, and settles
 * each batch from the CRM's answer with the rules of core/delivery. Timers live here; every
 * decision is made by core.
 */
export class CrmQueue {
	private readonly inFlight = new Map<string, { entries: QueueEntry[]; call: number; watchdog: NodeJS.Timeout }>();
	private wake: NodeJS.Timeout | undefined;
	private wakeAt = Infinity;
	private readonly runId = randomUUID().slice(0, 8);
	private released = 0;
	private started = false;
	private stopped = false;
	private readonly counts = { delivered: 0, deadLettered: 0 };
	private readonly settledBatches = new Set<string>();

	constructor(
		private readonly store: DurableQueueStore,
		private readonly queueId: string,
		private readonly settings: QueueSettings,
		private readonly handlers: CrmQueueHandlers,
		private readonly clock: () => number = Date.now,
		private readonly random: () => number = Math.random,
	) {}

	/** Starts releasing (call it once the flow's nodes are all running: what is sent earlier is lost). */
	start(): void {
		this.started = true;
		this.pump();
	}

	stop(): void {
		this.stopped = true;
		clearTimeout(this.wake);
		for (const batch of this.inFlight.values()) clearTimeout(batch.watchdog);
		this.inFlight.clear();
	}

	/**
	 * Stores the messages (durably) unless that would exceed the maximum; false when full. Throws
	 * when the journal cannot be written. With `heldBy` (a webhook request's token) they wait for
	 * {@link commitHeld}.
	 */
	enqueue(messages: readonly StoredMessage[], heldBy?: string): boolean {
		if (messages.length > this.settings.maxPending - this.store.size) return false;
		this.store.add(messages, this.clock(), heldBy);
		if (heldBy === undefined) this.pump();
		return true;
	}

	/** Puts dead letters (all, or those with these ids) back into the queue; see {@link DurableQueueStore.resendDeadLetters}. */
	resendDeadLetters(ids?: readonly string[]): { resent: number; unknown: string[]; noRoom: boolean } {
		const outcome = this.store.resendDeadLetters(ids, this.clock(), this.state().room);
		if (outcome.resent > 0) this.pump();
		return outcome;
	}

	/** The webhook request `token` is committed: its records may go. */
	commitHeld(token: string): void {
		this.store.commitHeld(token);
		this.pump();
	}

	isOwn(marker: unknown): marker is QueueMarker {
		return typeof marker === 'object' && marker !== null && (marker as QueueMarker).queueId === this.queueId && typeof (marker as QueueMarker).batchId === 'string';
	}

	/**
	 * Settles the batch the answer belongs to. 'repeat': that batch was settled already (the
	 * `http request` node reports a network error both to its output and to Catch nodes);
	 * 'late': no such batch is in flight (answered after the answer timeout, or before a redeploy).
	 */
	answer(marker: QueueMarker, answer: CrmAnswer): 'settled' | 'repeat' | 'late' {
		if (!this.inFlight.has(marker.batchId)) return this.settledBatches.has(marker.batchId) ? 'repeat' : 'late';
		this.settle(marker.batchId, classifyResponse(answer), answer);
		this.settledBatches.add(marker.batchId);
		if (this.settledBatches.size > REMEMBERED_BATCHES) this.settledBatches.delete(this.settledBatches.values().next().value as string);
		return 'settled';
	}

	state(): QueueState {
		let inFlight = 0;
		for (const batch of this.inFlight.values()) inFlight += batch.entries.length;
		const pausedUntil = this.store.pausedUntil > this.clock() ? this.store.pausedUntil : undefined;
		return {
			pending: this.store.size - inFlight,
			inFlight,
			delivered: this.counts.delivered,
			deadLettered: this.counts.deadLettered,
			deadLetters: this.store.deadLetters,
			room: Math.max(0, this.settings.maxPending - this.store.size),
			oldestAcceptedAt: this.store.oldestAcceptedAt(),
			pausedUntil,
		};
	}

	private settle(batchId: string, verdict: DeliveryVerdict, answer?: CrmAnswer): void {
		const batch = this.inFlight.get(batchId);
		if (!batch || this.stopped) return;
		clearTimeout(batch.watchdog);
		this.inFlight.delete(batchId);
		this.store.markAnswered(batch.call, this.clock());
		const plan = planDelivery(verdict, batch.entries, this.clock(), this.random, this.settings.policy);
		const pick = (indexes: number[]) => indexes.map((index) => batch.entries[index] as QueueEntry);
		const ids = (entries: QueueEntry[]) => entries.map((entry) => entry.id);

		if (plan.retry.length > 0 && plan.retryAt !== undefined) this.store.markRetry(ids(pick(plan.retry)), plan.retryAt);
		if (plan.pauseUntil !== undefined) this.store.pause(plan.pauseUntil);
		// Passed on before they leave the journal: a crash in between repeats them, never loses them.
		if (plan.delivered.length > 0) {
			const entries = pick(plan.delivered);
			this.handlers.delivered({ entries, answer, reason: plan.reason });
			this.store.remove(ids(entries));
			this.counts.delivered += entries.length;
		}
		if (plan.dead.length > 0) {
			const entries = pick(plan.dead);
			const reason = plan.deadReason ?? plan.reason;
			this.store.appendDeadLetters(entries, reason, answer, this.clock());
			this.handlers.deadLettered({ entries, answer, reason });
			this.store.remove(ids(entries));
			this.counts.deadLettered += entries.length;
		}
		this.pump();
	}

	private pump(): void {
		if (!this.started || this.stopped) return;
		try {
			while (this.inFlight.size < this.settings.concurrency) {
				const now = this.clock();
				const wait = Math.max(this.store.pausedUntil - now, releaseDelay(windowTimes(this.store.recentCalls(), now), now, this.settings.rate));
				if (wait > 0) return this.wakeIn(wait);
				const entries = this.store.ready(now, this.settings.batchSize);
				if (entries.length === 0) {
					const next = this.store.nextReadyAt();
					if (next !== undefined) this.wakeIn(Math.max(1, next - now));
					return;
				}
				this.release(entries, now);
			}
		} catch (error) {
			this.handlers.failed(error as Error);
		}
	}

	private release(entries: QueueEntry[], now: number): void {
		const call = this.store.markSent(
			entries.map((entry) => entry.id),
			now,
		);
		this.released += 1;
		const marker: QueueMarker = { queueId: this.queueId, batchId: `${this.runId}-${this.released}`, attempt: Math.max(...entries.map((entry) => entry.attempts)) };
		const seconds = this.settings.answerTimeoutMs / 1000;
		const watchdog = setTimeout(() => {
			try {
				this.settle(marker.batchId, { outcome: 'retry', reason: `no answer from the CRM call within ${seconds} s`, rateLimited: false });
			} catch (error) {
				this.handlers.failed(error as Error);
			}
		}, Math.min(this.settings.answerTimeoutMs, LONGEST_TIMER_MS));
		this.inFlight.set(marker.batchId, { entries, call, watchdog });
		this.handlers.release({ marker, entries });
	}

	private wakeIn(ms: number): void {
		const at = this.clock() + ms;
		if (this.wake && this.wakeAt <= at) return;
		clearTimeout(this.wake);
		this.wakeAt = at;
		this.wake = setTimeout(() => {
			this.wake = undefined;
			this.wakeAt = Infinity;
			this.pump();
		}, Math.min(ms, LONGEST_TIMER_MS));
	}
}
