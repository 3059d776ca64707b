import type { VerificationMethod } from '../verify/verifyRequest';
import { DEFAULT_MAX_BODY_BYTES, type WebhookOptions } from './handleWebhook';

const MIB = 1024 * 1024;

/** What a trigger node's user configured, as either host hands it over. */
export interface TriggerSettings {
	method?: VerificationMethod;
	signatureHeader?: string;
	signingSecret?: string;
	previousSigningSecret?: string;
	basicAuthUser?: string;
	basicAuthPassword?: string;
	/** A list, or comma-separated text as typed in an editor; empty means all types. */
	eventTypes?: readonly string[] | string;
	/** Body limit in MiB; 10 when missing or not a positive number. */
	maxBodyMiB?: number | string;
	diagnostics?: boolean;
	capacity?: number;
}

export function maxBodyBytes(maxBodyMiB: TriggerSettings['maxBodyMiB']): number {
	const mib = Number(maxBodyMiB);
	return Number.isFinite(mib) && mib > 0 ? Math.round(mib * MIB) : DEFAULT_MAX_BODY_BYTES;
}

/** The options `handleWebhook` takes, from a trigger's settings and secrets. */
export function webhookOptionsFrom(settings: TriggerSettings): WebhookOptions {
	const types = typeof settings.eventTypes === 'string' ? settings.eventTypes.split(',') : (settings.eventTypes ?? []);
	return {
		verification: {
			method: settings.method ?? 'signature',
			signatureHeader: settings.signatureHeader,
			secrets: [settings.signingSecret ?? '', settings.previousSigningSecret ?? ''],
			basicAuthUser: settings.basicAuthUser ?? '',
			basicAuthPassword: settings.basicAuthPassword ?? '',
		},
		eventTypes: types.map((type) => type.trim()).filter(Boolean),
		maxBodyBytes: maxBodyBytes(settings.maxBodyMiB),
		diagnostics: settings.diagnostics === true,
		capacity: settings.capacity,
	};
}
