import { createSerialQueue, type SerialQueue } from './serialQueue';
import type { DedupeStore, DedupeWindow, SeenResult } from './store';

/**
 * A host's list of processed values with no notion of time, e.g. n8n's
 * `checkProcessedAndRecord` in `entries` mode: values are appended in order and the oldest
 * dropped beyond `maxEntries`.
 */
export interface ProcessedList {
	/** Appends the values not in the list yet; answers which of them were already there. */
	checkAndRecord(values: string[], maxEntries: number): Promise<Iterable<string>>;
	remove(values: string[]): Promise<void>;
	count(): Promise<number>;
}

/** The window is cut into this many slices; a key is remembered for its TTL plus at most one slice. */
export const TIME_SLICES = 12;

/**
 * A dedupe store with a TTL on top of a {@link ProcessedList} that has none.
 *
 * A key first seen at time t is recorded as `<slice of t>|<key>`, where a slice is
 * ttl/{@link TIME_SLICES} long. To check a key, every slice that overlaps the last `ttl`
 * before now is looked up at once; since the list records while it checks, the lookups that
 * were not there are removed right after, except the current slice of a key seen for the first
 * time. Hence: a key is forgotten between `ttl` and `ttl + slice` after it was first seen; a
 * repeat does not extend that; `firstSeenAt` is the start of the slice it was first seen in.
 * The list holds one value per key; values of expired keys stay until the bound drops them (the
 * list cannot be searched by time), oldest first. Changing the TTL changes the slice length and
 * so starts a fresh memory. A crash between the two steps leaves lookups behind: the key may
 * then look first seen earlier, or be remembered up to one TTL longer; never forgotten early.
 *
 * Calls on one store run one at a time (`queue`); share the queue between stores over the same
 * list so that calls in one process cannot interleave. Calls from other processes can.
 */
export function slicedStore(list: ProcessedList, window: DedupeWindow, queue: SerialQueue = createSerialQueue()): DedupeStore {
	const sliceMs = Math.max(1, Math.ceil(window.ttlMs / TIME_SLICES));
	const token = (slice: number, key: string) => `${sliceMs}/${slice}|${key}`;

	async function checkAndRecord(keys: readonly string[], now: number): Promise<SeenResult[]> {
		if (keys.length === 0) return [];
		const distinct = [...new Set(keys)];
		const current = Math.floor(now / sliceMs);
		const oldest = Math.floor((now - window.ttlMs + 1) / sliceMs);
		const slices: number[] = [];
		for (let slice = oldest; slice <= current; slice += 1) slices.push(slice);

		// Past slices first: when the list drops its oldest values to stay within the bound, it
		// drops old keys and then these lookups, which go anyway, before the keys of this call.
		const past = slices.slice(0, -1);
		const lookups = [...distinct.flatMap((key) => past.map((slice) => token(slice, key))), ...distinct.map((key) => token(current, key))];
		const found = new Set(await list.checkAndRecord(lookups, window.maxEntries + lookups.length - distinct.length));

		const seen = new Map<string, SeenResult>();
		const notThere: string[] = [];
		for (const key of distinct) {
			const firstSlice = slices.find((slice) => found.has(token(slice, key)));
			seen.set(key, firstSlice === undefined ? { duplicate: false, firstSeenAt: now } : { duplicate: true, firstSeenAt: firstSlice * sliceMs });
			for (const slice of slices) {
				const value = token(slice, key);
				const keepsRecord = firstSlice === undefined && slice === current;
				if (!found.has(value) && !keepsRecord) notThere.push(value);
			}
		}
		if (notThere.length > 0) await list.remove(notThere);
		// Only a call with more new keys than the bound can leave the list above it.
		if (distinct.length > window.maxEntries) await list.checkAndRecord([], window.maxEntries);

		const answered = new Set<string>();
		return keys.map((key) => {
			const result = seen.get(key) ?? { duplicate: false, firstSeenAt: now };
			if (answered.has(key) && !result.duplicate) return { duplicate: true, firstSeenAt: now };
			answered.add(key);
			return result;
		});
	}

	return {
		checkAndRecord: (keys, now) => queue.run(() => checkAndRecord(keys, now)),
		size: () => queue.run(() => list.count()),
	};
}
