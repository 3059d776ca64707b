/** Runs async tasks one after another, in the order they were queued; a failing task does not stop the queue. */
export interface SerialQueue {
	run<T>(task: () => Promise<T>): Promise<T>;
}

export function createSerialQueue(): SerialQueue {
	let tail: Promise<unknown> = Promise.resolve();
	return {
		run<T>(task: () => Promise<T>): Promise<T> {
			const result = tail.then(task, task);
			tail = result.catch(() => undefined);
			return result;
		},
	};
}

/** One queue per name, created on first use; for serialising work on a shared resource such as one stored list. */
export function createQueueRegistry(): (name: string) => SerialQueue {
	const queues = new Map<string, SerialQueue>();
	return (name) => {
		let queue = queues.get(name);
		if (!queue) {
			queue = createSerialQueue();
			queues.set(name, queue);
		}
		return queue;
	};
}
