import type { QueueState } from './queueRegistry';
import type { NodeStatus } from './types';

function age(ms: number): string {
	const seconds = Math.max(0, Math.round(ms / 1000));
	if (seconds < 120) return `${seconds} s`;
	if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
	return `${Math.round(seconds / 3600)} h`;
}

/**
 * The badge of a CRM queue: red ring when full, yellow ring while the CRM asked to wait, blue
 * while records wait or are being sent, yellow when some were dead-lettered, green otherwise.
 */
export function queueStatus(state: QueueState, now: number, t: (key: string, values?: Record<string, unknown>) => string): NodeStatus {
	const values = {
		pending: state.pending,
		inFlight: state.inFlight,
		delivered: state.delivered,
		dead: state.deadLetters ?? state.deadLettered,
		oldest: state.oldestAcceptedAt === undefined ? '-' : age(now - state.oldestAcceptedAt),
	};
	// Idle, only the totals: the badge stays short enough not to run under the nodes beside the queue.
	const text = t(state.pending + state.inFlight > 0 || state.room === 0 ? 'status.counts' : 'status.idle', values);
	if (state.room === 0) return { fill: 'red', shape: 'ring', text: `${t('status.full')} · ${text}` };
	if (state.pausedUntil !== undefined) return { fill: 'yellow', shape: 'ring', text: `${t('status.paused', { wait: age(state.pausedUntil - now) })} · ${text}` };
	if (state.pending + state.inFlight > 0) return { fill: 'blue', shape: 'dot', text };
	return { fill: (state.deadLetters ?? state.deadLettered) > 0 ? 'yellow' : 'green', shape: 'dot', text };
}
