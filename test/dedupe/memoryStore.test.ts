import { MemoryDedupeStore } from '../../core/dedupe/memoryStore';
import { runStoreContract } from './storeContract';

// Memory only: nothing survives a restart, so the contract's restart tests do not apply.
runStoreContract('MemoryDedupeStore', (window) => ({ store: new MemoryDedupeStore(window) }));

describe('MemoryDedupeStore', () => {
	it('lists what it remembers oldest first, and puts back restored keys in order', () => {
		const store = new MemoryDedupeStore({ ttlMs: 1000, maxEntries: 2 });
		store.checkAndRecord(['a', 'b'], 10);
		expect([...store.entries()]).toEqual([
			['a', 10],
			['b', 10],
		]);
		store.restore('c', 20);
		expect([...store.entries()]).toEqual([
			['b', 10],
			['c', 20],
		]);
		store.prune(1010);
		expect([...store.entries()]).toEqual([['c', 20]]);
	});
});
