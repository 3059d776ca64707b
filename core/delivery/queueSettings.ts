import type { DeliveryPolicy } from './planDelivery';
import type { RateLimit } from './rateWindow';

/** A delivery queue's settings as a host reads them from its editor: numbers or text, maybe empty. */
export interface QueueSettingsInput {
	rate?: unknown;
	rateIntervalSeconds?: unknown;
	batchSize?: unknown;
	concurrency?: unknown;
	maxPending?: unknown;
	retryHorizonHours?: unknown;
	answerTimeoutSeconds?: unknown;
	backoffBaseSeconds?: unknown;
	backoffMaxSeconds?: unknown;
}

export interface QueueSettings {
	rate: RateLimit;
	/** Records per CRM call: 1 sends one record, more sends an array. */
	batchSize: number;
	/** CRM calls waiting for an answer at the same time. */
	concurrency: number;
	/** Records held (waiting or in flight) before new ones are refused. */
	maxPending: number;
	policy: DeliveryPolicy;
	/** A call with no answer after this long counts as a timeout and is retried. */
	answerTimeoutMs: number;
}

export const QUEUE_DEFAULTS = {
	rate: 10,
	rateIntervalSeconds: 1,
	batchSize: 1,
	concurrency: 1,
	maxPending: 10000,
	retryHorizonHours: 24,
	answerTimeoutSeconds: 60,
	backoffBaseSeconds: 1,
	backoffMaxSeconds: 300,
} as const;

/** The largest batch any supported CRM takes in one call (Salesforce collections: 200). */
export const MAX_BATCH_SIZE = 200;

type Parsed = { ok: true; value: number } | { ok: false; reason: string };

function number(value: unknown, fallback: number, label: string, rule: { integer?: boolean; min: number; max?: number }): Parsed {
	if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return { ok: true, value: fallback };
	const parsed = typeof value === 'number' ? value : typeof value === 'string' ? Number(value.trim()) : NaN;
	const limits = rule.max === undefined ? `at least ${rule.min}` : `from ${rule.min} to ${rule.max}`;
	const kind = rule.integer ? 'a whole number' : 'a number';
	if (!Number.isFinite(parsed) || (rule.integer && !Number.isInteger(parsed)) || parsed < rule.min || (rule.max !== undefined && parsed > rule.max)) {
		return { ok: false, reason: `${label} must be ${kind} ${limits}, got "${String(value)}"` };
	}
	return { ok: true, value: parsed };
}

/** Checks a queue's settings once and fills in the defaults, or says in one sentence what is wrong. */
export function readQueueSettings(input: QueueSettingsInput): { ok: true; settings: QueueSettings } | { ok: false; reason: string } {
	const fields = {
		rate: number(input.rate, QUEUE_DEFAULTS.rate, 'the rate (calls per interval)', { integer: true, min: 1 }),
		rateIntervalSeconds: number(input.rateIntervalSeconds, QUEUE_DEFAULTS.rateIntervalSeconds, 'the rate interval (seconds)', { min: 0.001 }),
		batchSize: number(input.batchSize, QUEUE_DEFAULTS.batchSize, 'the batch size', { integer: true, min: 1, max: MAX_BATCH_SIZE }),
		concurrency: number(input.concurrency, QUEUE_DEFAULTS.concurrency, 'the calls in flight', { integer: true, min: 1, max: 100 }),
		maxPending: number(input.maxPending, QUEUE_DEFAULTS.maxPending, 'the maximum of waiting records', { integer: true, min: 1 }),
		retryHorizonHours: number(input.retryHorizonHours, QUEUE_DEFAULTS.retryHorizonHours, 'the retry horizon (hours)', { min: 0 }),
		answerTimeoutSeconds: number(input.answerTimeoutSeconds, QUEUE_DEFAULTS.answerTimeoutSeconds, 'the answer timeout (seconds)', { min: 0.001 }),
		backoffBaseSeconds: number(input.backoffBaseSeconds, QUEUE_DEFAULTS.backoffBaseSeconds, 'the first retry wait (seconds)', { min: 0.001 }),
		backoffMaxSeconds: number(input.backoffMaxSeconds, QUEUE_DEFAULTS.backoffMaxSeconds, 'the longest retry wait (seconds)', { min: 0.001 }),
	};
	const values: Record<keyof typeof fields, number> = { ...QUEUE_DEFAULTS };
	for (const [key, field] of Object.entries(fields) as [keyof typeof fields, Parsed][]) {
		if (!field.ok) return { ok: false, reason: field.reason };
		values[key] = field.value;
	}
	if (values.backoffMaxSeconds < values.backoffBaseSeconds) {
		return { ok: false, reason: 'the longest retry wait must not be shorter than the first retry wait' };
	}
	return {
		ok: true,
		settings: {
			rate: { max: values.rate, intervalMs: values.rateIntervalSeconds * 1000 },
			batchSize: values.batchSize,
			concurrency: values.concurrency,
			maxPending: values.maxPending,
			policy: {
				horizonMs: values.retryHorizonHours * 3_600_000,
				backoff: { baseMs: values.backoffBaseSeconds * 1000, capMs: values.backoffMaxSeconds * 1000 },
			},
			answerTimeoutMs: values.answerTimeoutSeconds * 1000,
		},
	};
}
