import { safeEqual } from './constantTime';

export type BasicAuthCheck = { ok: true } | { ok: false; reason: string };

export function basicAuthHeader(user: string, password: string): string {
	return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}

/** Checks an `Authorization: Basic ...` header; user and password are compared in constant time. */
export function checkBasicAuth(
	authorization: string | undefined,
	expected: { user: string; password: string },
): BasicAuthCheck {
	if (expected.user === '' && expected.password === '') {
		return { ok: false, reason: 'no Basic auth user or password is configured' };
	}
	const match = /^\s*basic\s+(\S+)\s*$/i.exec(authorization ?? '');
	if (!match) return { ok: false, reason: 'Authorization header is missing or not Basic' };
	const decoded = Buffer.from(match[1], 'base64').toString('utf8');
	const colon = decoded.indexOf(':');
	if (colon < 0) return { ok: false, reason: 'Basic credentials are malformed' };
	const userOk = safeEqual(decoded.slice(0, colon), expected.user);
	const passwordOk = safeEqual(decoded.slice(colon + 1), expected.password);
	return userOk && passwordOk ? { ok: true } : { ok: false, reason: 'Basic credentials do not match' };
}
