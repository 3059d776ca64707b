import { basicAuthHeader, checkSignature, getHeader, signBody, verifyRequest, type VerificationConfig } from '../../core';

const body = Buffer.from('{"events":[{"status":"open","recipient":"jane@example.com"}]}');
const secret = 'current-secret';
const previous = 'previous-secret';
const good = signBody(secret, body);

describe('checkSignature', () => {
	it.each([
		['lowercase hex', good],
		['uppercase hex', good.toUpperCase()],
		['sha256= prefix', `sha256=${good}`],
		['SHA256= prefix, upper hex', `SHA256=${good.toUpperCase()}`],
		['surrounding spaces', `  ${good} `],
	])('accepts %s', (_name, header) => {
		expect(checkSignature(header, body, [secret])).toEqual({ ok: true });
	});

	it('accepts a signature made with the previous secret during rotation', () => {
		expect(checkSignature(signBody(previous, body), body, [secret, previous])).toEqual({ ok: true });
		expect(checkSignature(signBody(previous, body), body, [secret]).ok).toBe(false);
	});

	it.each([
		['missing', undefined, 'missing'],
		['empty', '', 'missing'],
		['not hex', 'z'.repeat(64), 'not 64 hex'],
		['too short', good.slice(0, 63), 'not 64 hex'],
		['wrong secret', signBody('other', body), 'does not match'],
		['signature of another body', signBody(secret, Buffer.concat([body, Buffer.from(' ')])), 'does not match'],
	])('rejects a %s signature', (_name, header, reason) => {
		const result = checkSignature(header, body, [secret]);
		expect(result.ok).toBe(false);
		if (!result.ok) expect(result.reason).toContain(reason);
	});

	it('verifies the exact bytes: a re-serialised body does not match', () => {
		const reserialised = JSON.stringify(JSON.parse(body.toString()), null, 2);
		expect(checkSignature(good, reserialised, [secret]).ok).toBe(false);
	});

	it('fails closed without a secret', () => {
		expect(checkSignature(good, body, [])).toEqual({ ok: false, reason: 'no signing secret is configured' });
		expect(checkSignature(good, body, ['', '']).ok).toBe(false);
	});
});

describe('verifyRequest', () => {
	const basic = { basicAuthUser: 'mailtarget', basicAuthPassword: 'p4ss:word' };
	const signed = { 'x-mailtarget-signature': good };
	const authorized = { Authorization: basicAuthHeader('mailtarget', 'p4ss:word') };
	const cases: Array<[string, VerificationConfig, Record<string, string>, boolean]> = [
		['signature ok', { method: 'signature', secrets: [secret] }, signed, true],
		['signature header in another case', { method: 'signature', secrets: [secret] }, { 'X-MAILTARGET-SIGNATURE': good }, true],
		['custom signature header', { method: 'signature', secrets: [secret], signatureHeader: 'X-Sig' }, { 'x-sig': good }, true],
		['custom header, default one sent', { method: 'signature', secrets: [secret], signatureHeader: 'X-Sig' }, signed, false],
		['signature missing', { method: 'signature', secrets: [secret] }, {}, false],
		['signature without secret', { method: 'signature' }, signed, false],
		['basic ok', { method: 'basicAuth', ...basic }, authorized, true],
		['basic scheme in lower case', { method: 'basicAuth', ...basic }, { authorization: authorized.Authorization.replace('Basic', 'basic') }, true],
		['basic wrong password', { method: 'basicAuth', ...basic }, { authorization: basicAuthHeader('mailtarget', 'nope') }, false],
		['basic wrong user', { method: 'basicAuth', ...basic }, { authorization: basicAuthHeader('other', 'p4ss:word') }, false],
		['basic missing', { method: 'basicAuth', ...basic }, {}, false],
		['basic not base64 pair', { method: 'basicAuth', ...basic }, { authorization: 'Basic bm9jb2xvbg==' }, false],
		['bearer instead of basic', { method: 'basicAuth', ...basic }, { authorization: 'Bearer abc' }, false],
		['basic not configured', { method: 'basicAuth' }, { authorization: basicAuthHeader('', '') }, false],
		['both ok', { method: 'both', secrets: [secret], ...basic }, { ...signed, ...authorized }, true],
		['both, signature only', { method: 'both', secrets: [secret], ...basic }, signed, false],
		['both, basic only', { method: 'both', secrets: [secret], ...basic }, authorized, false],
		['none', { method: 'none' }, {}, true],
		['unknown method', { method: 'hmac' as never, secrets: [secret] }, signed, false],
	];
	it.each(cases)('%s', (_name, config, headers, ok) => {
		expect(verifyRequest(config, headers, body).ok).toBe(ok);
	});

	it('never puts a secret into its reasons', () => {
		for (const [, config, headers] of cases) {
			const result = verifyRequest(config, headers, body);
			if (!result.ok) {
				expect(result.reason).not.toContain(secret);
				expect(result.reason).not.toContain('p4ss');
			}
		}
	});
});

describe('getHeader', () => {
	it('reads names case-insensitively and takes the first of repeated values', () => {
		expect(getHeader({ 'Content-Type': 'application/json' }, 'content-type')).toBe('application/json');
		expect(getHeader({ 'x-a': ['1', '2'] }, 'X-A')).toBe('1');
		expect(getHeader({}, 'x-a')).toBeUndefined();
	});
});
