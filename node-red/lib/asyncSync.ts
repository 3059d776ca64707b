import { closeSync, fdatasync } from 'fs';

/**
 * fsyncs of one journal that run off the event loop while the journal goes on being written,
 * and may be rewritten: a descriptor replaced meanwhile is closed only once no fsync uses it.
 */
export class BackgroundSync {
	private running = 0;
	private readonly toClose: number[] = [];
	/** Callbacks waiting for the fsync started last. */
	private latest: Array<(error?: Error | null) => void> | undefined;

	/**
	 * Calls `done` once everything written to `fd` so far is on disk: with `written` false
	 * (nothing new since the last call), that is when the fsync still running ends, if any.
	 */
	sync(fd: number, written: boolean, done: (error?: Error | null) => void): void {
		if (!written) {
			if (this.latest) this.latest.push(done);
			else done();
			return;
		}
		const waiting: Array<(error?: Error | null) => void> = [done];
		this.latest = waiting;
		this.running += 1;
		fdatasync(fd, (error) => {
			this.running -= 1;
			if (this.latest === waiting) this.latest = undefined;
			if (this.running === 0) this.closeRetired();
			for (const callback of waiting) callback(error);
		});
	}

	/** Closes `fd` now, or after the fsyncs still running on it. */
	retire(fd: number): void {
		if (this.running === 0) closeSync(fd);
		else this.toClose.push(fd);
	}

	private closeRetired(): void {
		for (const fd of this.toClose.splice(0)) {
			try {
				closeSync(fd);
			} catch {
				// already closed
			}
		}
	}
}
