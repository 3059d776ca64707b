import { randomBytes } from 'crypto';

import type { VerificationConfig } from '../verify/verifyRequest';

/** One entry of Mailtarget's `GET /webhook-events`. */
export interface MailtargetWebhookEvent {
	id: number;
	name: string;
	slug?: string;
}

export interface GeneratedBasicAuth {
	username: string;
	password: string;
}

export function generateBasicAuth(): GeneratedBasicAuth {
	return { username: `n8n-${randomBytes(4).toString('hex')}`, password: randomBytes(24).toString('base64url') };
}

/**
 * Mailtarget's ids for the chosen event types (by slug or name, any case); all of them when
 * none is chosen. Throws on a chosen type the account does not offer.
 */
export function pickEventIds(chosen: readonly string[], available: readonly MailtargetWebhookEvent[]): number[] {
	if (chosen.length === 0) return available.map((event) => event.id);
	return chosen.map((type) => {
		const wanted = type.toLowerCase();
		const match = available.find((event) => (event.slug ?? '').toLowerCase() === wanted || event.name.toLowerCase() === wanted);
		if (!match) throw new Error(`Mailtarget offers no webhook event called "${type}"`);
		return match.id;
	});
}

export interface WebhookRegistrationBody {
	name: string;
	targetUrl: string;
	eventIds: number[];
	authenticationId: 2;
	username: string;
	password: string;
}

/** Body of `POST /webhooks`: the URL, the events, and Basic auth (authenticationId 2) with generated credentials. */
export function registrationBody(name: string, targetUrl: string, eventIds: number[], auth: GeneratedBasicAuth): WebhookRegistrationBody {
	return { name, targetUrl, eventIds, authenticationId: 2, ...auth };
}

/**
 * A webhook we registered ourselves carries the Basic auth we generated, so that is what
 * incoming requests must show, on top of a signature when one was chosen.
 */
export function verificationForRegistered(config: VerificationConfig, auth: GeneratedBasicAuth): VerificationConfig {
	const wantsSignature = config.method === 'signature' || config.method === 'both';
	return {
		...config,
		method: wantsSignature ? 'both' : 'basicAuth',
		basicAuthUser: auth.username,
		basicAuthPassword: auth.password,
	};
}
