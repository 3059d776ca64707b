import type { DeliveryVerdict } from './classifyResponse';
import { DEFAULT_BACKOFF, retryDelay, type BackoffPolicy } from './retryDelay';

export const DEFAULT_RETRY_HORIZON_MS = 24 * 60 * 60 * 1000;

export interface DeliveryPolicy {
	/** How long after a record was accepted it may still be retried. */
	horizonMs: number;
	backoff: BackoffPolicy;
}

export const DEFAULT_DELIVERY_POLICY: DeliveryPolicy = { horizonMs: DEFAULT_RETRY_HORIZON_MS, backoff: DEFAULT_BACKOFF };

/** One record of a batch: when the queue accepted it and how many calls carried it so far. */
export interface QueuedRecord {
	acceptedAt: number;
	attempts: number;
}

/** What to do with each record of a batch (indexes into the batch) after one answer. */
export interface DeliveryPlan {
	delivered: number[];
	retry: number[];
	dead: number[];
	/** The answer in words, e.g. 'rate limited (429)'. */
	reason: string;
	/** Why `dead` records were given up, when there are any. */
	deadReason?: string;
	/** When the `retry` records may go again. */
	retryAt?: number;
	/** The CRM asked to slow down: release nothing from the queue before this time. */
	pauseUntil?: number;
}

export function isPastHorizon(acceptedAt: number, at: number, horizonMs: number): boolean {
	return at > acceptedAt + horizonMs;
}

function inWords(ms: number): string {
	if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
	if (ms % 60_000 === 0) return `${ms / 60_000} min`;
	return `${Math.round(ms / 1000)} s`;
}

/**
 * Turns a verdict on one CRM call into a plan for its records. A retry that would fall after a
 * record's horizon dead-letters that record instead; a rate limit pauses the whole queue.
 */
export function planDelivery(verdict: DeliveryVerdict, records: readonly QueuedRecord[], now: number, random: () => number, policy: DeliveryPolicy = DEFAULT_DELIVERY_POLICY): DeliveryPlan {
	const all = records.map((_record, index) => index);
	if (verdict.outcome === 'delivered') return { delivered: all, retry: [], dead: [], reason: verdict.reason };
	if (verdict.outcome === 'dead') return { delivered: [], retry: [], dead: all, reason: verdict.reason, deadReason: verdict.reason };

	const attempt = Math.max(1, ...records.map((record) => record.attempts));
	const retryAt = now + retryDelay(attempt, verdict.retryAfter, random, now, policy.backoff);
	const dead = all.filter((index) => isPastHorizon((records[index] as QueuedRecord).acceptedAt, retryAt, policy.horizonMs));
	const retry = all.filter((index) => !dead.includes(index));
	return {
		delivered: [],
		retry,
		dead,
		reason: verdict.reason,
		deadReason: dead.length > 0 ? `gave up after ${inWords(policy.horizonMs)} of retries; last answer: ${verdict.reason}` : undefined,
		retryAt: retry.length > 0 ? retryAt : undefined,
		pauseUntil: verdict.rateLimited ? retryAt : undefined,
	};
}
