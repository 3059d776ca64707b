import { batches, campaignEvents, postSignedTimed, shuffled, type RawEvent } from '../demo/mailtargetSender';

export interface SenderStats {
	requests: number;
	/** Events in requests answered 200 (re-deliveries included). */
	eventsAccepted: number;
	/** Requests answered 401: the forged one. */
	refused: number;
	/** Any other answer: 4xx, 5xx or no answer at all. */
	otherAnswers: number;
	ackMs: number[];
	/** The distinct event ids accepted, for the summary. */
	acceptedIds: Set<string>;
}

export interface Sender {
	stats: SenderStats;
	/** Resolves when the script has run to its end or was stopped. */
	done: Promise<void>;
	stop(): void;
}

const BATCH_SIZE = 5;
const TICK_MS = 1000;
const FORGE_AT = 8;
const BURST_AT = 15;
const BURST_BATCHES = 12;
const REDELIVER_AT = 25;

/**
 * What Mailtarget would send during a campaign, on a script a person can follow: one signed batch
 * a second, a burst of twelve at once at 15 s, one batch sent again (same batchId, retryCount 1)
 * at 25 s, and at 8 s one request signed with the wrong secret. Event times are the moment of
 * sending, so the CRM page shows real freshness.
 */
export function startSender(url: string, secret: string, contacts = 40): Sender {
	const stats: SenderStats = { requests: 0, eventsAccepted: 0, refused: 0, otherAnswers: 0, ackMs: [], acceptedIds: new Set() };
	const queue = batches(shuffled(campaignEvents(contacts), 2026), BATCH_SIZE, `start-${Date.now().toString(36)}`);
	const sentBatches: typeof queue = [];
	let stopped = false;
	let timer: NodeJS.Timeout | undefined;
	let finish = () => {};

	const post = async (body: { batchId: string; retryCount: number; events: RawEvent[] }, withSecret = secret) => {
		stats.requests += 1;
		try {
			const answer = await postSignedTimed(url, withSecret, body);
			stats.ackMs.push(answer.ms);
			if (answer.status === 200) {
				stats.eventsAccepted += body.events.length;
				for (const event of body.events) stats.acceptedIds.add(String(event.eventId));
			} else if (answer.status === 401) stats.refused += 1;
			else stats.otherAnswers += 1;
		} catch {
			stats.otherAnswers += 1;
		}
	};
	const nextBatch = () => {
		const batch = queue.shift();
		if (!batch) return undefined;
		const now = Date.now();
		const stamped = { ...batch, events: batch.events.map((event) => ({ ...event, timestamp: now })) };
		sentBatches.push(stamped);
		return stamped;
	};

	const done = new Promise<void>((resolve) => {
		finish = resolve;
		let second = 0;
		const tick = async () => {
			if (stopped) return resolve();
			second += 1;
			const work: Array<Promise<void>> = [];
			if (second === FORGE_AT) work.push(post({ batchId: 'forged', retryCount: 0, events: [{ status: 'open', eventId: 'forged-1', recipient: 'ceo@example.com', timestamp: Date.now() }] }, 'not-the-secret'));
			const count = second === BURST_AT ? BURST_BATCHES : 1;
			for (let i = 0; i < count; i++) {
				const batch = nextBatch();
				if (batch) work.push(post(batch));
			}
			if (second === REDELIVER_AT && sentBatches[2]) work.push(post({ ...sentBatches[2], retryCount: 1 }));
			await Promise.all(work);
			if (queue.length === 0 && second >= REDELIVER_AT) return resolve();
			timer = setTimeout(tick, TICK_MS);
		};
		timer = setTimeout(tick, TICK_MS);
	});

	return {
		stats,
		done,
		stop() {
			stopped = true;
			if (timer) clearTimeout(timer);
			finish();
		},
	};
}
