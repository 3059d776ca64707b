import {
	NodeConnectionTypes,
	type ICredentialTestFunctions,
	type IDataObject,
	type ICredentialsDecrypted,
	type INodeCredentialTestResult,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';

import { checkWebhookCredential, handleWebhook } from '../../core';
import { triggerProperties } from './properties';
import { triggerWebhook } from './webhookDescription';
import { webhookOptions } from './webhookOptions';
import { webhookRegistration } from './webhookRegistration';

export class MailtargetTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Mailtarget Trigger',
		name: 'mailtargetTrigger',
		icon: { light: 'file:mailtarget.svg', dark: 'file:mailtarget.dark.svg' },
		group: ['trigger'],
		// Version 2 behaves as 1. It exists because n8n 2.41 evaluates an expression for every request to a
		// version-1 webhook trigger (whether to read the body as binary data), in the expression sandbox.
		// Version 3 answers Mailtarget only once the workflow has finished (Respond), unless set otherwise.
		version: [1, 2, 3],
		defaultVersion: 3,
		subtitle: '={{$parameter["events"].length ? $parameter["events"].join(", ") : "All events"}}',
		description: 'Starts the workflow for each email event Mailtarget reports: delivered, opened, clicked, bounced and more',
		documentationUrl: 'https://www.npmjs.com/package/@crm-bridge/n8n-nodes-mailtarget',
		defaults: { name: 'Mailtarget Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{
				name: 'mailtargetWebhookApi',
				required: true,
				testedBy: 'mailtargetWebhookCredentialTest',
				displayOptions: { show: { authentication: ['signature', 'basicAuth', 'both'] } },
			},
			{
				name: 'mailtargetApi',
				required: true,
				displayOptions: { show: { registerWebhook: [true] } },
			},
		],
		webhooks: [triggerWebhook],
		properties: triggerProperties,
	};

	methods = {
		credentialTest: {
			async mailtargetWebhookCredentialTest(
				this: ICredentialTestFunctions,
				credential: ICredentialsDecrypted,
			): Promise<INodeCredentialTestResult> {
				const problem = checkWebhookCredential(credential.data ?? {});
				return problem ? { status: 'Error', message: problem } : { status: 'OK', message: 'Credential is complete' };
			},
		},
	};

	webhookMethods = { default: webhookRegistration };

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const req = this.getRequestObject();
		if (!req.rawBody) await req.readRawBody();
		const request = { method: req.method, headers: req.headers, rawBody: req.rawBody ?? Buffer.alloc(0) };
		const options = await webhookOptions.call(this);
		let result = handleWebhook(request, options);
		// A refusal with a reused credential is checked again against the credential as saved now (a rotated secret).
		if (result.status === 401 && options.reusedCredential) result = handleWebhook(request, await webhookOptions.call(this, { fresh: true }));
		if (result.diagnostics) this.logger.info('Mailtarget Trigger verification details', { ...result.diagnostics });

		if (result.status !== 200) {
			this.logger.warn(`Mailtarget Trigger refused a request (${result.status}): ${result.reason ?? result.body}`);
			this.getResponseObject().status(result.status).send(result.body).end();
			return { noWebhookResponse: true };
		}
		if (result.events.length === 0) return {};
		return { workflowData: [this.helpers.returnJsonArray(result.events as IDataObject[])] };
	}
}
