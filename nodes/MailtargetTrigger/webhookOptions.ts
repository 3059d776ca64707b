import type { IDataObject, IWebhookFunctions } from 'n8n-workflow';

import {
	verificationForRegistered,
	webhookOptionsFrom,
	type GeneratedBasicAuth,
	type TriggerSettings,
	type VerificationMethod,
	type WebhookOptions,
} from '../../core';
import { reusedCredential } from './credentialCache';

type WebhookCredential = Pick<TriggerSettings, 'signingSecret' | 'previousSigningSecret' | 'basicAuthUser' | 'basicAuthPassword'>;

/**
 * Collects the node's settings, its credential and any auto-registered Basic auth into core's options.
 * `reusedCredential` says whether the credential came from this process's short-lived copy
 * (`fresh: true` always reads it through n8n).
 */
export async function webhookOptions(this: IWebhookFunctions, read: { fresh: boolean } = { fresh: false }): Promise<WebhookOptions & { reusedCredential: boolean }> {
	const method = this.getNodeParameter('authentication', 'signature') as VerificationMethod;
	const options = this.getNodeParameter('options', {}) as IDataObject;
	const { credential, reused } = method === 'none' ? { credential: {} as WebhookCredential, reused: false } : await reusedCredential<WebhookCredential>(this, 'mailtargetWebhookApi', read);
	const settings = webhookOptionsFrom({
		...credential,
		method,
		signatureHeader: options.signatureHeader as string | undefined,
		eventTypes: this.getNodeParameter('events', []) as string[],
		maxBodyMiB: options.maxBodyMiB as number | undefined,
		diagnostics: options.diagnostics === true,
	});
	// Static data only when it can hold something: creating a node's empty static data marks the
	// workflow changed, and n8n then writes the workflow row after the request.
	if (!(this.getNodeParameter('registerWebhook', false) as boolean)) return { ...settings, reusedCredential: reused };
	const registered = this.getWorkflowStaticData('node').basicAuth as GeneratedBasicAuth | undefined;
	if (!registered) return { ...settings, reusedCredential: reused };
	return { ...settings, verification: verificationForRegistered(settings.verification, registered), reusedCredential: reused };
}
