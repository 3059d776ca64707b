import type { NodeBadge } from '../node-red/statusFeed';

export interface FlowProgress {
	duplicatesDropped: number;
	delivered: number;
	deadLettered: number;
	queueDepth: number;
}

const count = (text: string, word: string): number => Number(new RegExp(`${word}\\s+(\\d+)`).exec(text)?.[1] ?? 0);

/** What the dedupe and queue badges of a flow say, added up over every node of each kind. */
export function progressFrom(badges: Map<string, NodeBadge>, typeOf: (id: string) => string | undefined): FlowProgress {
	const progress: FlowProgress = { duplicatesDropped: 0, delivered: 0, deadLettered: 0, queueDepth: 0 };
	for (const [id, badge] of badges) {
		const type = typeOf(id);
		if (type === 'mailtarget-dedupe') progress.duplicatesDropped += count(badge.text, 'discarded');
		if (type === 'mailtarget-crm-queue') {
			progress.delivered += count(badge.text, 'delivered');
			progress.deadLettered += count(badge.text, 'dead');
			progress.queueDepth += count(badge.text, 'waiting') + count(badge.text, 'sending');
		}
	}
	return progress;
}
