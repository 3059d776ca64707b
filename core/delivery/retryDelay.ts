export interface BackoffPolicy {
	/** Wait after the first failure. */
	baseMs: number;
	/** Longest backoff (a longer Retry-After is still honoured). */
	capMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1_000, capMs: 5 * 60_000 };

/**
 * A `Retry-After` header in milliseconds from `now`: delay-seconds or an HTTP-date.
 * Undefined when absent or unreadable; never negative.
 */
export function parseRetryAfter(value: unknown, now: number): number | undefined {
	if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value * 1000 : undefined;
	if (typeof value !== 'string' || value.trim() === '') return undefined;
	const text = value.trim();
	if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
	// An HTTP-date names its day and month; Date.parse alone would read '-5' as a year.
	if (!/[a-z]{3}/i.test(text)) return undefined;
	const at = Date.parse(text);
	return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * How long to wait before retry number `attempt` (1 after the first failure): exponential
 * backoff from `baseMs`, capped at `capMs`, with jitter between half and all of it (`random`
 * returns [0, 1)), and never shorter than what the CRM asked for in `Retry-After`.
 */
export function retryDelay(attempt: number, retryAfter: unknown, random: () => number, now: number, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
	// A count read back from a damaged journal may be anything: treat what is not a number as the first retry.
	const exponent = Number.isFinite(attempt) ? Math.max(0, Math.floor(attempt) - 1) : 0;
	const backoff = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(exponent, 52));
	const share = random();
	const jittered = backoff / 2 + (backoff / 2) * (Number.isFinite(share) ? Math.min(Math.max(share, 0), 1) : 1);
	const asked = parseRetryAfter(retryAfter, now) ?? 0;
	return Math.ceil(Math.max(jittered, asked));
}
