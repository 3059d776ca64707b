import type { IDataObject, IWebhookFunctions } from 'n8n-workflow';

import {
	verificationForRegistered,
	type GeneratedBasicAuth,
	type VerificationMethod,
	type WebhookOptions,
} from '../../core';

const MIB = 1024 * 1024;

interface WebhookCredential {
	signingSecret?: string;
	previousSigningSecret?: string;
	basicAuthUser?: string;
	basicAuthPassword?: string;
}

/** Collects the node's settings, its credential and any auto-registered Basic auth into core's options. */
export async function webhookOptions(this: IWebhookFunctions): Promise<WebhookOptions> {
	const method = this.getNodeParameter('authentication', 'signature') as VerificationMethod;
	const options = this.getNodeParameter('options', {}) as IDataObject;
	const credential: WebhookCredential = method === 'none' ? {} : await this.getCredentials<WebhookCredential>('mailtargetWebhookApi');
	const verification = {
		method,
		signatureHeader: options.signatureHeader as string | undefined,
		secrets: [credential.signingSecret ?? '', credential.previousSigningSecret ?? ''],
		basicAuthUser: credential.basicAuthUser ?? '',
		basicAuthPassword: credential.basicAuthPassword ?? '',
	};
	const registered = this.getWorkflowStaticData('node').basicAuth as GeneratedBasicAuth | undefined;
	const useRegistered = registered && (this.getNodeParameter('registerWebhook', false) as boolean);
	return {
		verification: useRegistered ? verificationForRegistered(verification, registered) : verification,
		eventTypes: this.getNodeParameter('events', []) as string[],
		maxBodyBytes: Math.round(((options.maxBodyMiB as number | undefined) ?? 10) * MIB),
		diagnostics: options.diagnostics === true,
	};
}
