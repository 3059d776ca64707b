import type { DedupeWindow, SeenResult, SyncDedupeStore } from './store';

/**
 * The reference store: keys in a Map in the order they were first seen, so the oldest are at
 * the front. Expired keys are dropped from the front, then the oldest while over `maxEntries`;
 * each key costs O(1) on average. Lives as long as the process; durable stores build on it.
 */
export class MemoryDedupeStore implements SyncDedupeStore {
	private readonly firstSeen = new Map<string, number>();

	constructor(readonly window: DedupeWindow) {}

	checkAndRecord(keys: readonly string[], now: number): SeenResult[] {
		this.forgetExpired(now);
		const results = keys.map((key): SeenResult => {
			const seenAt = this.firstSeen.get(key);
			if (seenAt !== undefined && now - seenAt < this.window.ttlMs) return { duplicate: true, firstSeenAt: seenAt };
			this.remember(key, now);
			return { duplicate: false, firstSeenAt: now };
		});
		this.forgetOldest();
		return results;
	}

	size(): number {
		return this.firstSeen.size;
	}

	/** Puts back a key read from storage, as if it had been recorded at `firstSeenAt`. */
	restore(key: string, firstSeenAt: number): void {
		this.remember(key, firstSeenAt);
		this.forgetOldest();
	}

	/** Forgets a key, e.g. when recording it durably failed. */
	forget(key: string): void {
		this.firstSeen.delete(key);
	}

	/** Drops what has expired by `now` and what is over the bound. */
	prune(now: number): void {
		this.forgetExpired(now);
		this.forgetOldest();
	}

	/** Every remembered key with the time it was first seen, oldest first. */
	entries(): IterableIterator<[string, number]> {
		return this.firstSeen.entries();
	}

	private remember(key: string, firstSeenAt: number): void {
		// Deleting first moves a key that comes back after expiring to the back of the order.
		this.firstSeen.delete(key);
		this.firstSeen.set(key, firstSeenAt);
	}

	private forgetExpired(now: number): void {
		for (const [key, seenAt] of this.firstSeen) {
			if (now - seenAt < this.window.ttlMs) break;
			this.firstSeen.delete(key);
		}
	}

	private forgetOldest(): void {
		let excess = this.firstSeen.size - this.window.maxEntries;
		if (excess <= 0) return;
		for (const key of this.firstSeen.keys()) {
			this.firstSeen.delete(key);
			excess -= 1;
			if (excess === 0) break;
		}
	}
}
