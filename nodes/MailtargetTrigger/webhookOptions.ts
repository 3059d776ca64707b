import type { IDataObject, IWebhookFunctions } from 'n8n-workflow';

import {
	verificationForRegistered,
	webhookOptionsFrom,
	type GeneratedBasicAuth,
	type TriggerSettings,
	type VerificationMethod,
	type WebhookOptions,
} from '../../core';

type WebhookCredential = Pick<TriggerSettings, 'signingSecret' | 'previousSigningSecret' | 'basicAuthUser' | 'basicAuthPassword'>;

/** Collects the node's settings, its credential and any auto-registered Basic auth into core's options. */
export async function webhookOptions(this: IWebhookFunctions): Promise<WebhookOptions> {
	const method = this.getNodeParameter('authentication', 'signature') as VerificationMethod;
	const options = this.getNodeParameter('options', {}) as IDataObject;
	const credential: WebhookCredential = method === 'none' ? {} : await this.getCredentials<WebhookCredential>('mailtargetWebhookApi');
	const settings = webhookOptionsFrom({
		...credential,
		method,
		signatureHeader: options.signatureHeader as string | undefined,
		eventTypes: this.getNodeParameter('events', []) as string[],
		maxBodyMiB: options.maxBodyMiB as number | undefined,
		diagnostics: options.diagnostics === true,
	});
	const registered = this.getWorkflowStaticData('node').basicAuth as GeneratedBasicAuth | undefined;
	if (!registered || !(this.getNodeParameter('registerWebhook', false) as boolean)) return settings;
	return { ...settings, verification: verificationForRegistered(settings.verification, registered) };
}
