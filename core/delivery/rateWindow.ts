export interface RateLimit {
	/** Calls allowed in any one interval. */
	max: number;
	intervalMs: number;
}

export interface CallTimes {
	sentAt: number;
	/** When the answer (or the failure) came back; undefined while the call is in flight. */
	answeredAt?: number;
}

/** Extra spacing for timer and clock granularity: at least 20 ms, 1% of long intervals. */
export function rateMarginMs(limit: RateLimit): number {
	return Math.max(20, Math.ceil(limit.intervalMs * 0.01));
}

/**
 * When each call counts in the CRM's rate window, ascending. A CRM counts a call when it
 * arrives, which is some time after we sent it and no later than its answer came back; so a
 * call counts from its answer, and a call still in flight counts from `now`. Counting from the
 * send time instead lets a slow call and a fast one land in the same window.
 */
export function windowTimes(calls: readonly CallTimes[], now: number): number[] {
	return calls.map((call) => call.answeredAt ?? now).sort((a, b) => a - b);
}

/**
 * Milliseconds until the next call may go out (0 = now), given the times earlier calls count
 * from (ascending, see `windowTimes`), so that no window of `intervalMs` (plus `marginMs`) ever
 * holds more than `max` calls.
 */
export function releaseDelay(countedAt: readonly number[], now: number, limit: RateLimit, marginMs = rateMarginMs(limit)): number {
	if (countedAt.length < limit.max) return 0;
	const oldestThatCounts = countedAt[countedAt.length - limit.max] as number;
	return Math.max(0, oldestThatCounts + limit.intervalMs + marginMs - now);
}
