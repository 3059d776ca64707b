import type { NodeStatus } from './types';

/** How long a badge may lag behind: status updates go to every open editor, so a busy node sends at most this often. */
export const BADGE_EVERY_MS = 250;

/**
 * A node's status badge, updated at most every {@link BADGE_EVERY_MS}: `update()` marks it stale,
 * and the badge is computed and sent (when it changed) once the interval is over. The first
 * update after a quiet spell is shown at once.
 */
export function statusBadge(show: (status: NodeStatus) => void, compute: () => NodeStatus): { update(): void; stop(): void } {
	let timer: NodeJS.Timeout | undefined;
	let stale = false;
	let last = '';
	let stopped = false;
	const send = () => {
		const status = compute();
		const text = JSON.stringify(status);
		if (text !== last) show(status);
		last = text;
	};
	const tick = () => {
		timer = undefined;
		if (!stale || stopped) return;
		stale = false;
		send();
		timer = setTimeout(tick, BADGE_EVERY_MS);
	};
	return {
		update() {
			if (stopped) return;
			stale = true;
			if (timer === undefined) tick();
		},
		stop() {
			stopped = true;
			clearTimeout(timer);
		},
	};
}
