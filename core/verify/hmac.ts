import { createHmac, timingSafeEqual } from 'crypto';

export const DEFAULT_SIGNATURE_HEADER = 'X-Mailtarget-Signature';

export function signBody(secret: string, rawBody: Uint8Array | string): string {
	return createHmac('sha256', secret).update(rawBody).digest('hex');
}

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

const HEX_SHA256 = /^[0-9a-f]{64}$/;

/**
 * Checks a signature header value (hex in either case, optional `sha256=` prefix) against
 * HMAC-SHA256 of the exact body bytes, under each active secret in turn (rotation).
 */
export function checkSignature(
	headerValue: string | undefined,
	rawBody: Uint8Array | string,
	secrets: readonly string[],
): SignatureCheck {
	const active = secrets.filter((secret) => secret !== '');
	if (active.length === 0) return { ok: false, reason: 'no signing secret is configured' };
	if (headerValue === undefined || headerValue.trim() === '') {
		return { ok: false, reason: 'signature header is missing' };
	}
	const received = headerValue.trim().replace(/^sha256=/i, '').toLowerCase();
	if (!HEX_SHA256.test(received)) {
		return { ok: false, reason: 'signature header is not 64 hex characters' };
	}
	const receivedBytes = Buffer.from(received, 'hex');
	let matched = false;
	for (const secret of active) {
		const expected = createHmac('sha256', secret).update(rawBody).digest();
		// Every secret is tried, so timing does not reveal which one matched.
		if (timingSafeEqual(receivedBytes, expected)) matched = true;
	}
	return matched ? { ok: true } : { ok: false, reason: 'signature does not match the body under any configured secret' };
}
