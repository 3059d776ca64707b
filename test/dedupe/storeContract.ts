import type { DedupeStore, DedupeWindow, SeenResult } from '../../core/dedupe/store';

/** A store under test, at a location of its own. */
export interface ContractSubject {
	store: DedupeStore;
	/** Closes the store and opens the same location again, as a restart does. Absent for stores that live in memory only. */
	reopen?: () => DedupeStore | Promise<DedupeStore>;
	close?: () => void | Promise<void>;
}

export interface ContractOptions {
	/** How much later than its TTL a store may forget a key (0: exactly at the TTL). */
	ttlSlackMs?: (window: DedupeWindow) => number;
	/** How much earlier than the real first sighting a reported `firstSeenAt` may be. */
	firstSeenPrecisionMs?: (window: DedupeWindow) => number;
	/** The store cannot drop expired keys before the bound pushes them out, so `size()` still counts them. */
	sizeCountsExpired?: boolean;
}

const T0 = Date.UTC(2026, 10, 27, 8, 0, 0);
const HOUR = 3600 * 1000;
const WINDOW: DedupeWindow = { ttlMs: 10 * HOUR, maxEntries: 50 };

/**
 * The behaviour every dedupe store must show: declares the jest tests for one store. `open`
 * gives a fresh store at a fresh location for each test.
 */
export function runStoreContract(name: string, open: (window: DedupeWindow) => ContractSubject | Promise<ContractSubject>, options: ContractOptions = {}): void {
	const slack = (window: DedupeWindow) => options.ttlSlackMs?.(window) ?? 0;
	const precision = (window: DedupeWindow) => options.firstSeenPrecisionMs?.(window) ?? 0;

	describe(`${name} (dedupe store contract)`, () => {
		let subjects: ContractSubject[] = [];
		afterEach(async () => {
			for (const subject of subjects) await subject.close?.();
			subjects = [];
		});

		async function fresh(window: DedupeWindow = WINDOW): Promise<ContractSubject> {
			const subject = await open(window);
			subjects.push(subject);
			return subject;
		}
		const check = async (store: DedupeStore, keys: string[], now: number): Promise<SeenResult[]> => await store.checkAndRecord(keys, now);
		const duplicates = (results: SeenResult[]) => results.map((result) => result.duplicate);
		function expectFirstSeen(result: SeenResult, window: DedupeWindow, at: number): void {
			expect(result.duplicate).toBe(true);
			expect(result.firstSeenAt).toBeLessThanOrEqual(at);
			expect(result.firstSeenAt).toBeGreaterThanOrEqual(at - precision(window));
		}

		it('keeps a key the first time and discards it when it comes again, with the time it was first seen', async () => {
			const { store } = await fresh();
			expect(await check(store, ['a'], T0)).toEqual([{ duplicate: false, firstSeenAt: T0 }]);
			const [again] = await check(store, ['a'], T0 + 90_000);
			expectFirstSeen(again, WINDOW, T0);
			expect(duplicates(await check(store, ['b', 'a'], T0 + 100_000))).toEqual([false, true]);
		});

		it('keeps only the first of one key repeated in one call', async () => {
			const { store } = await fresh();
			const results = await check(store, ['a', 'b', 'a', 'a'], T0);
			expect(duplicates(results)).toEqual([false, false, true, true]);
			expect(results[2].firstSeenAt).toBe(T0);
		});

		it.each([
			['just before the TTL', true, (window: DedupeWindow) => window.ttlMs - 1],
			['once the TTL (and any slack) has passed', false, (window: DedupeWindow) => window.ttlMs + slack(window)],
			['long after the TTL', false, (window: DedupeWindow) => 20 * window.ttlMs],
		])('a key seen again %s is a duplicate: %s', async (_when, duplicate, offset) => {
			const { store } = await fresh();
			await check(store, ['a'], T0);
			expect(duplicates(await check(store, ['a'], T0 + offset(WINDOW)))).toEqual([duplicate]);
		});

		it('does not extend the window when a duplicate comes', async () => {
			const { store } = await fresh();
			await check(store, ['a'], T0);
			expect(duplicates(await check(store, ['a'], T0 + WINDOW.ttlMs / 2))).toEqual([true]);
			expect(duplicates(await check(store, ['a'], T0 + WINDOW.ttlMs + slack(WINDOW)))).toEqual([false]);
		});

		it('remembers a key that comes back after expiring from its new first sighting', async () => {
			const { store } = await fresh();
			const back = T0 + WINDOW.ttlMs + slack(WINDOW);
			await check(store, ['a'], T0);
			expect(await check(store, ['a'], back)).toEqual([{ duplicate: false, firstSeenAt: back }]);
			expectFirstSeen((await check(store, ['a'], back + WINDOW.ttlMs - 1))[0], WINDOW, back);
		});

		it('forgets the oldest keys first when the bound is reached', async () => {
			const window = { ...WINDOW, maxEntries: 3 };
			const { store } = await fresh(window);
			for (const [index, key] of ['a', 'b', 'c', 'd'].entries()) await check(store, [key], T0 + index);
			expect(duplicates(await check(store, ['d', 'c', 'b'], T0 + 10))).toEqual([true, true, true]);
			expect(duplicates(await check(store, ['a'], T0 + 11))).toEqual([false]);
			expect(duplicates(await check(store, ['b'], T0 + 12))).toEqual([false]);
			expect(await store.size()).toBe(3);
		});

		it('stays within the bound whatever the traffic', async () => {
			const window = { ...WINDOW, maxEntries: 5 };
			const { store } = await fresh(window);
			for (let call = 0; call < 40; call += 1) {
				await check(store, Array.from({ length: 7 }, (_, index) => `key-${call}-${index}`), T0 + call);
				expect(await store.size()).toBeLessThanOrEqual(5);
			}
			expect(duplicates(await check(store, ['key-39-2', 'key-39-6', 'key-0-0'], T0 + 50))).toEqual([true, true, false]);
		});

		it('drops expired keys, so they do not count towards the bound', async () => {
			const { store } = await fresh({ ...WINDOW, maxEntries: 3 });
			await check(store, ['a', 'b'], T0);
			const later = T0 + WINDOW.ttlMs + slack(WINDOW);
			expect(duplicates(await check(store, ['c'], later))).toEqual([false]);
			if (!options.sizeCountsExpired) expect(await store.size()).toBe(1);
			expect(duplicates(await check(store, ['c', 'a'], later + 1))).toEqual([true, false]);
		});

		it('handles keys of any shape', async () => {
			const { store } = await fresh();
			const keys = [' ', 'with space', 'line\nbreak', 'tab\there', 'quote " and \\', 'ünïcødé 🚀', 'mailtarget:92356927693813852', 'x'.repeat(200)];
			expect(duplicates(await check(store, keys, T0))).toEqual(keys.map(() => false));
			expect(duplicates(await check(store, keys, T0 + 1))).toEqual(keys.map(() => true));
		});

		it('gives exactly one caller the key when many check it at the same time', async () => {
			const { store } = await fresh();
			const results = await Promise.all(Array.from({ length: 25 }, () => check(store, ['same'], T0)));
			expect(results.filter(([result]) => !result.duplicate)).toHaveLength(1);
			const overlapping = await Promise.all([check(store, ['x', 'y'], T0), check(store, ['y', 'z'], T0), check(store, ['z', 'x'], T0)]);
			const keptPerKey = new Map<string, number>();
			[['x', 'y'], ['y', 'z'], ['z', 'x']].forEach((keys, call) =>
				keys.forEach((key, index) => {
					if (!overlapping[call][index].duplicate) keptPerKey.set(key, (keptPerKey.get(key) ?? 0) + 1);
				}),
			);
			expect(Object.fromEntries(keptPerKey)).toEqual({ x: 1, y: 1, z: 1 });
		});

		describe('after a restart', () => {
			async function restartable(window: DedupeWindow = WINDOW) {
				const subject = await fresh(window);
				if (!subject.reopen) return undefined;
				return { store: subject.store, reopen: subject.reopen };
			}

			it('still discards the keys seen before, with their first-seen time', async () => {
				const subject = await restartable();
				if (!subject) return expect(subject).toBeUndefined();
				await check(subject.store, ['a', 'b'], T0);
				const reopened = await subject.reopen();
				const results = await check(reopened, ['a', 'b', 'c'], T0 + 5000);
				expect(duplicates(results)).toEqual([true, true, false]);
				expectFirstSeen(results[0], WINDOW, T0);
				const again = await subject.reopen();
				expect(duplicates(await check(again, ['c'], T0 + 6000))).toEqual([true]);
			});

			it('still forgets keys after the TTL and beyond the bound', async () => {
				const window = { ...WINDOW, maxEntries: 3 };
				const subject = await restartable(window);
				if (!subject) return expect(subject).toBeUndefined();
				for (const [index, key] of ['a', 'b', 'c', 'd'].entries()) await check(subject.store, [key], T0 + index);
				const reopened = await subject.reopen();
				expect(duplicates(await check(reopened, ['d', 'c', 'b', 'a'], T0 + 10))).toEqual([true, true, true, false]);
				expect(duplicates(await check(await subject.reopen(), ['d'], T0 + 10 + window.ttlMs + slack(window)))).toEqual([false]);
			});
		});
	});
}
