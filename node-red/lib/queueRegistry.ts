/**
 * The CRM queues running in this Node-RED process, by queue name, so that other nodes (the
 * Mailtarget trigger) can see whether a queue can take more before they acknowledge a webhook.
 */
export interface QueueState {
	/** Records waiting for their turn (not in flight). */
	pending: number;
	/** Records in CRM calls that have not been answered yet. */
	inFlight: number;
	/** Since the queue started (deploy or restart). */
	delivered: number;
	deadLettered: number;
	/** Dead letters kept in the dead-letter file, waiting to be re-sent. */
	deadLetters?: number;
	/** Records the queue can still accept (its maximum minus what it holds). */
	room: number;
	/** When the oldest record still held was accepted (ms since the epoch). */
	oldestAcceptedAt?: number;
	/** The CRM asked to slow down: nothing is sent before this time (ms since the epoch). */
	pausedUntil?: number;
}

interface Published {
	owner: string;
	read: () => QueueState;
}

const queues = new Map<string, Published>();

/**
 * Publishes a queue under `name`; `owner` is the node id. Throws when another running node
 * already uses the name. Returns the function that withdraws it.
 */
export function publishQueue(name: string, owner: string, read: () => QueueState): () => void {
	const existing = queues.get(name);
	if (existing && existing.owner !== owner) throw new Error(`another CRM queue (node ${existing.owner}) already uses the queue name "${name}"`);
	const entry = { owner, read };
	queues.set(name, entry);
	return () => {
		if (queues.get(name) === entry) queues.delete(name);
	};
}

/** The state of the queue called `name` (its queue name, or its node id when it has none); undefined when none runs. */
export function queueState(name: string): QueueState | undefined {
	return queues.get(name)?.read();
}

/**
 * For a webhook receiver: true when the queue called `name` runs and cannot take `incoming` more
 * records, so the request should be answered 503 (Mailtarget then sends it again later).
 * False when it has room, and when no queue of that name runs (nothing to protect).
 */
export function queueIsFull(name: string, incoming = 1): boolean {
	const state = queueState(name);
	return state !== undefined && state.room < incoming;
}
