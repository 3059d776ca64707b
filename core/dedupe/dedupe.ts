import type { Clock } from '../clock';
import type { DedupeStore, SeenResult, SyncDedupeStore } from './store';

export interface KeyedItem<T> {
	item: T;
	key: string;
}

export interface KeptItem<T> extends KeyedItem<T> {
	/** Position in the input, for hosts that pair outputs with inputs. */
	index: number;
}

export interface DiscardedItem<T> extends KeptItem<T> {
	/** When the key was first seen (ms since the epoch). */
	firstSeenAt: number;
}

/** Input order is kept within each list. */
export interface DedupeSplit<T> {
	kept: KeptItem<T>[];
	discarded: DiscardedItem<T>[];
}

function split<T>(items: readonly KeyedItem<T>[], results: readonly SeenResult[]): DedupeSplit<T> {
	if (results.length !== items.length) throw new Error(`the dedupe store answered for ${results.length} of ${items.length} keys`);
	const outcome: DedupeSplit<T> = { kept: [], discarded: [] };
	items.forEach(({ item, key }, index) => {
		const seen = results[index];
		if (seen.duplicate) outcome.discarded.push({ item, key, index, firstSeenAt: seen.firstSeenAt });
		else outcome.kept.push({ item, key, index });
	});
	return outcome;
}

/**
 * The dedupe rule: an item whose key the store has seen within its window is a duplicate and is
 * discarded (with the time it was first seen); every other item is kept, and its key recorded.
 * Of items sharing a key in one call, the first is kept.
 */
export async function splitDuplicates<T>(items: readonly KeyedItem<T>[], store: DedupeStore, clock: Clock): Promise<DedupeSplit<T>> {
	if (items.length === 0) return { kept: [], discarded: [] };
	return split(items, await store.checkAndRecord(items.map((entry) => entry.key), clock()));
}

/** {@link splitDuplicates} without yielding, for hosts that must decide before the next message runs. */
export function splitDuplicatesNow<T>(items: readonly KeyedItem<T>[], store: SyncDedupeStore, clock: Clock): DedupeSplit<T> {
	if (items.length === 0) return { kept: [], discarded: [] };
	return split(items, store.checkAndRecord(items.map((entry) => entry.key), clock()));
}
