import { checkBasicAuth } from './basicAuth';
import { getHeader, type Headers } from './headers';
import { checkSignature, DEFAULT_SIGNATURE_HEADER } from './hmac';

export type VerificationMethod = 'signature' | 'basicAuth' | 'both' | 'none';

export const VERIFICATION_METHODS: readonly VerificationMethod[] = ['signature', 'basicAuth', 'both', 'none'];

export interface VerificationConfig {
	method: VerificationMethod;
	/** Header carrying the HMAC; default `X-Mailtarget-Signature`. */
	signatureHeader?: string;
	/** Up to two active signing secrets (current and previous), empty strings ignored. */
	secrets?: readonly string[];
	basicAuthUser?: string;
	basicAuthPassword?: string;
}

export type VerificationResult = { ok: true } | { ok: false; reason: string };

/**
 * Verifies the sender. Fails closed: an unknown method or a method whose secret is not
 * configured rejects every request. The reason is for logs only, never for the response.
 */
export function verifyRequest(
	config: VerificationConfig,
	headers: Headers,
	rawBody: Uint8Array | string,
): VerificationResult {
	const wantsSignature = config.method === 'signature' || config.method === 'both';
	const wantsBasic = config.method === 'basicAuth' || config.method === 'both';
	if (!wantsSignature && !wantsBasic) {
		return config.method === 'none' ? { ok: true } : { ok: false, reason: `unknown verification method "${String(config.method)}"` };
	}
	if (wantsBasic) {
		const basic = checkBasicAuth(getHeader(headers, 'authorization'), {
			user: config.basicAuthUser ?? '',
			password: config.basicAuthPassword ?? '',
		});
		if (!basic.ok) return basic;
	}
	if (wantsSignature) {
		const header = config.signatureHeader?.trim() || DEFAULT_SIGNATURE_HEADER;
		return checkSignature(getHeader(headers, header), rawBody, config.secrets ?? []);
	}
	return { ok: true };
}

/**
 * What is wrong with a webhook credential as a person filled it in, or null when it can
 * verify something. A local check: Mailtarget offers no endpoint to test a secret against.
 */
export function checkWebhookCredential(data: Record<string, unknown>): string | null {
	const text = (key: string) => (typeof data[key] === 'string' ? (data[key] as string) : '');
	const hasSecret = text('signingSecret') !== '' || text('previousSigningSecret') !== '';
	const user = text('basicAuthUser');
	const password = text('basicAuthPassword');
	if (!hasSecret && user === '' && password === '') return 'Enter a signing secret, a Basic auth user and password, or both';
	if ((user === '') !== (password === '')) return 'Basic auth needs both a user and a password';
	if (text('signingSecret') === '' && text('previousSigningSecret') !== '') return 'Enter the new signing secret too, not only the previous one';
	return null;
}
