import { signBody } from '../../core/verify/hmac';

export type RawEvent = Record<string, unknown>;

const STEPS: Array<{ status: string; extra?: RawEvent; minute: number }> = [
	{ status: 'injection', minute: 0 },
	{ status: 'delivery', minute: 1 },
	{ status: 'open', minute: 5 },
	{ status: 'click', minute: 6, extra: { targetLinkUrl: 'https://your-domain.com/proposals/1' } },
	{ status: 'open', minute: 9 },
];

/**
 * A campaign's worth of events in Mailtarget's official shape, for `contacts` recipients: every
 * contact gets injection, delivery, two opens and a click; then every fourth contact a hard
 * bounce, every fifth a soft bounce, every sixth a complaint, every seventh an unsubscribe.
 */
export function campaignEvents(contacts: number, start = Date.UTC(2026, 10, 27, 8)): RawEvent[] {
	const events: RawEvent[] = [];
	let sequence = 0;
	for (let i = 0; i < contacts; i++) {
		const contactId = `0035g0000${String(i).padStart(6, '0')}`;
		const base = {
			messageId: `000443ee1457${String(i).padStart(8, '0')}`,
			transmissionId: '84211231',
			subject: 'Your proposal is ready',
			recipient: `contact${i}@example.com`,
			recipientMeta: JSON.stringify({ crm_contact_id: contactId, crm_deal_id: `0065g0000${i}`, crm_owner: 'alice@yourcompany.com' }),
		};
		const steps = [...STEPS];
		if (i % 4 === 0) steps.push({ status: 'bounce', minute: 2, extra: { bounceClassificationCode: 10, reason: '550 5.1.1 user unknown' } });
		if (i % 5 === 0) steps.push({ status: 'bounce', minute: 3, extra: { bounceClassificationCode: 22, reason: '452 4.2.2 Mailbox full' } });
		if (i % 6 === 0) steps.push({ status: 'complaint', minute: 12 });
		if (i % 7 === 0) steps.push({ status: 'unsubscribe', minute: 13 });
		for (const step of steps) {
			events.push({ ...base, ...step.extra, status: step.status, eventId: `923569276939${String(sequence++).padStart(5, '0')}`, timestamp: start + i * 1000 + step.minute * 60000 });
		}
	}
	return events;
}

/** A deterministic shuffle (mulberry32), so a failing order can be replayed. */
export function shuffled<T>(items: T[], seed: number): T[] {
	let state = seed >>> 0;
	const random = () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
	const out = [...items];
	for (let i = out.length - 1; i > 0; i--) {
		const j = Math.floor(random() * (i + 1));
		[out[i], out[j]] = [out[j], out[i]];
	}
	return out;
}

export function batches(events: RawEvent[], size: number, batchPrefix: string): Array<{ batchId: string; retryCount: number; events: RawEvent[] }> {
	const out = [];
	for (let i = 0; i < events.length; i += size) out.push({ batchId: `${batchPrefix}-${i / size}`, retryCount: 0, events: events.slice(i, i + size) });
	return out;
}

/** POSTs a body signed as Mailtarget would; answers the status code. */
export async function postSigned(url: string, secret: string, body: unknown): Promise<number> {
	return (await postSignedTimed(url, secret, body)).status;
}

/** POSTs a signed body and measures how long the answer took, as Mailtarget's sender would see it. */
export async function postSignedTimed(url: string, secret: string, body: unknown): Promise<{ status: number; ms: number; sentAt: number }> {
	const bytes = Buffer.from(JSON.stringify(body));
	const sentAt = Date.now();
	const started = performance.now();
	const response = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Mailtarget-Signature': signBody(secret, bytes) }, body: bytes });
	await response.arrayBuffer();
	return { status: response.status, ms: performance.now() - started, sentAt };
}
