import type { QueueState } from '../../node-red/lib/queueRegistry';
import { queueStatus } from '../../node-red/lib/queueStatus';

const now = 1_000_000;
const t = (key: string, values?: Record<string, unknown>) => `${key}${values ? JSON.stringify(values) : ''}`;
const state = (over: Partial<QueueState>): QueueState => ({ pending: 0, inFlight: 0, delivered: 0, deadLettered: 0, room: 100, ...over });

describe('queueStatus (the CRM queue badge)', () => {
	it.each<[string, Partial<QueueState>, string, string]>([
		['empty', {}, 'green', 'dot'],
		['empty with dead letters', { deadLettered: 2 }, 'yellow', 'dot'],
		['empty with dead letters waiting to be re-sent', { deadLettered: 0, deadLetters: 3 }, 'yellow', 'dot'],
		['empty, every dead letter re-sent', { deadLettered: 3, deadLetters: 0 }, 'green', 'dot'],
		['draining', { pending: 5, inFlight: 1, oldestAcceptedAt: now - 3_000 }, 'blue', 'dot'],
		['paused by the CRM', { pending: 5, pausedUntil: now + 30_000 }, 'yellow', 'ring'],
		['full', { pending: 100, room: 0, pausedUntil: now + 30_000 }, 'red', 'ring'],
	])('%s', (_name, over, fill, shape) => {
		expect(queueStatus(state(over), now, t)).toMatchObject({ fill, shape });
	});

	it('counts the dead letters waiting in the file when the queue reports them', () => {
		expect(queueStatus(state({ deadLettered: 1, deadLetters: 4 }), now, t).text).toContain('"dead":4');
	});

	it('shows waiting, sending, delivered and dead counts and the age of the oldest record', () => {
		const status = queueStatus(state({ pending: 12, inFlight: 1, delivered: 40, deadLettered: 2, oldestAcceptedAt: now - 185_000 }), now, t);
		expect(status).toMatchObject({ text: 'status.counts{"pending":12,"inFlight":1,"delivered":40,"dead":2,"oldest":"3 min"}' });
	});

	it('shows only the totals while nothing waits, so the badge stays short', () => {
		const status = queueStatus(state({ delivered: 40, deadLettered: 2 }), now, t);
		expect(status).toMatchObject({ text: 'status.idle{"pending":0,"inFlight":0,"delivered":40,"dead":2,"oldest":"-"}' });
	});

	it.each<[number | undefined, string]>([
		[undefined, '-'],
		[45_000, '45 s'],
		[600_000, '10 min'],
		[3 * 3_600_000, '3 h'],
	])('writes an age of %p ms as %s', (ageMs, text) => {
		const status = queueStatus(state({ pending: 1, oldestAcceptedAt: ageMs === undefined ? undefined : now - ageMs }), now, t);
		expect((status as { text: string }).text).toContain(`"oldest":"${text}"`);
	});

	it('says how long the CRM asked to wait and that the queue is full', () => {
		expect((queueStatus(state({ pending: 1, pausedUntil: now + 30_000 }), now, t) as { text: string }).text).toMatch(/^status\.paused\{"wait":"30 s"\} · status\.counts/);
		expect((queueStatus(state({ room: 0, pending: 1 }), now, t) as { text: string }).text).toMatch(/^status\.full · status\.counts/);
	});
});
