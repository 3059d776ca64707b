export type BounceClass = 'hard' | 'soft' | 'unknown';

export interface BounceCode {
	code: number;
	name: string;
	class: Exclude<BounceClass, 'unknown'>;
}

/** Mailtarget's bounce classification codes (help center). */
export const BOUNCE_CODES: readonly BounceCode[] = [
	{ code: 10, name: 'Invalid Recipient', class: 'hard' },
	{ code: 20, name: 'Soft Bounce', class: 'soft' },
	{ code: 21, name: 'DNS Failure', class: 'soft' },
	{ code: 22, name: 'Mailbox Full', class: 'soft' },
	{ code: 23, name: 'Too Large', class: 'soft' },
	{ code: 24, name: 'Timeout', class: 'soft' },
	{ code: 30, name: 'Generic Bounce: No RCPT', class: 'hard' },
	{ code: 40, name: 'Generic Bounce', class: 'soft' },
	{ code: 50, name: 'Mail Block', class: 'hard' },
	{ code: 51, name: 'Spam Block', class: 'hard' },
	{ code: 52, name: 'Spam Content', class: 'hard' },
	{ code: 53, name: 'Prohibited Attachment', class: 'hard' },
	{ code: 54, name: 'Relaying Denied', class: 'hard' },
	{ code: 60, name: 'Auto-Reply', class: 'soft' },
	{ code: 90, name: 'Unsubscribe', class: 'hard' },
];

export interface BounceInfo {
	class: BounceClass;
	code: number | null;
	reason: string | null;
}

function readCode(raw: Record<string, unknown>): number | null {
	for (const value of [raw.bounceClassificationCode, raw.bounceClass, raw.bounceCode]) {
		if (typeof value === 'number' && Number.isInteger(value)) return value;
		if (typeof value === 'string' && /^\d+$/.test(value.trim())) return Number(value.trim());
	}
	return null;
}

/** Hard or soft from the bounce code; a missing or unknown code is `unknown` (never marks the address). */
export function classifyBounce(raw: Record<string, unknown>): BounceInfo {
	const code = readCode(raw);
	const known = BOUNCE_CODES.find((entry) => entry.code === code);
	const reason = [raw.reason, raw.rawReason, raw.bounceReason].find((value) => typeof value === 'string' && value !== '');
	return { class: known?.class ?? 'unknown', code, reason: (reason as string | undefined) ?? null };
}
