export interface LimitState {
	max: number;
	intervalMs: number;
	/** Requests admitted in the current window. */
	used: number;
	remaining: number;
	/** Time until the oldest admitted request leaves the window; 0 while there is room. */
	retryAfterMs: number;
}

/** Admits at most `max` requests in any rolling window of `intervalMs` (t - intervalMs, t]. */
export class RollingWindowLimiter {
	private admitted: number[] = [];
	private arrivals: number[] = [];
	private peakArrivals = 0;
	private peakAdmitted = 0;
	private refused = 0;

	constructor(
		readonly max: number,
		readonly intervalMs: number,
	) {
		if (!(Number.isInteger(max) && max > 0)) throw new RangeError(`rate limit max must be a positive integer, got ${max}`);
		if (!(intervalMs > 0)) throw new RangeError(`rate limit intervalMs must be positive, got ${intervalMs}`);
	}

	take(now: number): { allowed: boolean; state: LimitState } {
		this.arrivals.push(now);
		this.expire(this.arrivals, now);
		this.peakArrivals = Math.max(this.peakArrivals, this.arrivals.length);

		this.expire(this.admitted, now);
		const allowed = this.admitted.length < this.max;
		if (allowed) {
			this.admitted.push(now);
			this.peakAdmitted = Math.max(this.peakAdmitted, this.admitted.length);
		} else {
			this.refused++;
		}
		return { allowed, state: this.state(now) };
	}

	peek(now: number): LimitState {
		this.expire(this.admitted, now);
		return this.state(now);
	}

	get maxArrivalsInWindow(): number {
		return this.peakArrivals;
	}

	get maxAdmittedInWindow(): number {
		return this.peakAdmitted;
	}

	get refusedCount(): number {
		return this.refused;
	}

	reset(): void {
		this.admitted = [];
		this.arrivals = [];
		this.peakArrivals = 0;
		this.peakAdmitted = 0;
		this.refused = 0;
	}

	private state(now: number): LimitState {
		const used = this.admitted.length;
		const oldest = this.admitted[0];
		const full = used >= this.max && oldest !== undefined;
		return {
			max: this.max,
			intervalMs: this.intervalMs,
			used,
			remaining: Math.max(0, this.max - used),
			retryAfterMs: full ? Math.max(0, oldest + this.intervalMs - now) : 0,
		};
	}

	private expire(times: number[], now: number): void {
		let stale = 0;
		while (stale < times.length && (times[stale] as number) <= now - this.intervalMs) stale++;
		if (stale > 0) times.splice(0, stale);
	}
}
