import type { CrmName, Fault } from './types';

/** Faults wait in injection order; each request takes the first one that matches its CRM. */
export class FaultQueue {
	private queue: { fault: Fault; remaining: number }[] = [];

	add(fault: Fault): void {
		if (!(Number.isInteger(fault.count) && fault.count > 0)) {
			throw new RangeError(`fault count must be a positive integer, got ${fault.count}`);
		}
		this.queue.push({ fault: { ...fault }, remaining: fault.count });
	}

	take(crm: CrmName | 'unknown'): Fault | undefined {
		const index = this.queue.findIndex((entry) => entry.fault.crm === undefined || entry.fault.crm === crm);
		const entry = this.queue[index];
		if (entry === undefined) return undefined;
		entry.remaining--;
		if (entry.remaining === 0) this.queue.splice(index, 1);
		return entry.fault;
	}

	clear(): void {
		this.queue = [];
	}
}

/** Timers for latency faults, so that closing the server does not wait for them. */
export class Delays {
	private pending = new Set<{ timer: ReturnType<typeof setTimeout>; done: () => void }>();

	wait(ms: number): Promise<void> {
		return new Promise((resolve) => {
			const entry = {
				timer: setTimeout(() => {
					this.pending.delete(entry);
					resolve();
				}, ms),
				done: resolve,
			};
			this.pending.add(entry);
		});
	}

	cancelAll(): void {
		for (const entry of this.pending) {
			clearTimeout(entry.timer);
			entry.done();
		}
		this.pending.clear();
	}
}
