import { DEFAULT_MAX_BODY_BYTES, MAILTARGET_EVENT_TYPES, maxBodyBytes, unknownEventTypes, webhookOptionsFrom } from '../../core';
import { EVENT_TYPE_OPTIONS } from '../../nodes/MailtargetTrigger/properties';

describe('webhookOptionsFrom', () => {
	it('turns what either host collects into handleWebhook options', () => {
		expect(
			webhookOptionsFrom({
				method: 'both',
				signatureHeader: 'X-Sig',
				signingSecret: 'new',
				previousSigningSecret: 'old',
				basicAuthUser: 'u',
				basicAuthPassword: 'p',
				eventTypes: ' open, click ,,',
				maxBodyMiB: '0.5',
				diagnostics: true,
				capacity: 3,
			}),
		).toEqual({
			verification: { method: 'both', signatureHeader: 'X-Sig', secrets: ['new', 'old'], basicAuthUser: 'u', basicAuthPassword: 'p' },
			eventTypes: ['open', 'click'],
			maxBodyBytes: 524288,
			diagnostics: true,
			capacity: 3,
		});
	});

	it('defaults to a signature check with no secret (which refuses everything), all events and 10 MiB', () => {
		expect(webhookOptionsFrom({})).toEqual({
			verification: { method: 'signature', signatureHeader: undefined, secrets: ['', ''], basicAuthUser: '', basicAuthPassword: '' },
			eventTypes: [],
			maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
			diagnostics: false,
			capacity: undefined,
		});
		expect(webhookOptionsFrom({ eventTypes: ['bounce', ' '] }).eventTypes).toEqual(['bounce']);
	});

	it.each([
		[undefined, DEFAULT_MAX_BODY_BYTES],
		['', DEFAULT_MAX_BODY_BYTES],
		['abc', DEFAULT_MAX_BODY_BYTES],
		[0, DEFAULT_MAX_BODY_BYTES],
		[-1, DEFAULT_MAX_BODY_BYTES],
		[1, 1048576],
		['2', 2097152],
	])('maxBodyBytes(%j) = %i', (input, bytes) => {
		expect(maxBodyBytes(input)).toBe(bytes);
	});
});

describe('unknownEventTypes (typos in an event filter)', () => {
	it('names what Mailtarget never sends, in any case and spacing', () => {
		expect(unknownEventTypes('opne, Click ,clik,,')).toEqual(['opne', 'clik']);
		expect(unknownEventTypes(['DELIVERY', 'bounce'])).toEqual([]);
		expect(unknownEventTypes('')).toEqual([]);
		expect(unknownEventTypes(undefined)).toEqual([]);
	});

	it('knows the same types the n8n trigger offers', () => {
		expect([...EVENT_TYPE_OPTIONS.map((option) => option.value)].sort()).toEqual([...MAILTARGET_EVENT_TYPES].sort());
	});
});
