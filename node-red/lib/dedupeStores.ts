import { rmSync } from 'fs';
import { join } from 'path';

import type { DedupeWindow } from '../../core/dedupe/store';
import { JournalDedupeStore } from './journalDedupeStore';

/** How often recorded keys are fsynced: a power cut loses at most about this much. */
export const FLUSH_INTERVAL_MS = 1000;

interface OpenStore {
	store: JournalDedupeStore;
	window: DedupeWindow;
	users: Set<(error: Error) => void>;
	timer: NodeJS.Timeout;
}

const openStores = new Map<string, OpenStore>();

/**
 * The journal file of a dedupe node, under `<userDir>/mailtarget-dedupe/`: its own file keyed by
 * node id, or a shared one when the person gives a store name.
 */
export function dedupeStoreFile(userDir: string, nodeId: string, storeName?: string): string {
	const name = storeName?.trim() ? `shared-${encodeURIComponent(storeName.trim())}` : `node-${encodeURIComponent(nodeId)}`;
	return join(userDir, 'mailtarget-dedupe', `${name}.journal`);
}

export interface StoreLease {
	store: JournalDedupeStore;
	/** The window the store really uses: the first opener's, when another node already has it open. */
	window: DedupeWindow;
	/** Lets go of the store; the last user closes it (flushing it) and, if asked, deletes its file. */
	release(deleteFile?: boolean): void;
}

/** Opens the store behind `file`, or joins the nodes that already have it open. */
export function leaseDedupeStore(file: string, window: DedupeWindow, now: number, onFlushError: (error: Error) => void, committed?: (token: string) => boolean): StoreLease {
	let open = openStores.get(file);
	if (!open) {
		const store = JournalDedupeStore.open(file, window, now, committed);
		const users = new Set<(error: Error) => void>();
		const timer = setInterval(() => {
			try {
				store.flush();
			} catch (error) {
				for (const report of users) report(error as Error);
			}
		}, FLUSH_INTERVAL_MS);
		timer.unref();
		open = { store, window, users, timer };
		openStores.set(file, open);
	}
	const lease = open;
	const user = (error: Error) => onFlushError(error);
	lease.users.add(user);
	let released = false;
	return {
		store: lease.store,
		window: lease.window,
		release(deleteFile = false) {
			if (released) return;
			released = true;
			lease.users.delete(user);
			if (lease.users.size > 0) return;
			clearInterval(lease.timer);
			openStores.delete(file);
			lease.store.close();
			if (deleteFile) rmSync(file, { force: true });
		},
	};
}
