import {
	NodeConnectionTypes,
	NodeOperationError,
	type ICredentialTestFunctions,
	type ICredentialsDecrypted,
	type IDataObject,
	type INodeCredentialTestResult,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { checkWebhookCredential, handleWebhook, webhookOptionsFrom, type TriggerSettings, type VerificationMethod } from '../../core';
import { reusedCredential } from '../MailtargetTrigger/credentialCache';
import { verifyProperties } from './properties';

type WebhookCredential = Pick<TriggerSettings, 'signingSecret' | 'previousSigningSecret' | 'basicAuthUser' | 'basicAuthPassword'>;

/** What the Webhook node hands over for one request: its headers in `json`, its exact bytes in a binary property. */
async function receivedRequest(context: IExecuteFunctions, itemIndex: number, binaryProperty: string) {
	const item = context.getInputData()[itemIndex];
	const headers = (item.json.headers ?? {}) as Record<string, string | string[] | undefined>;
	if (!item.binary?.[binaryProperty]) return { headers, rawBody: undefined };
	return { headers, rawBody: await context.helpers.getBinaryDataBuffer(itemIndex, binaryProperty) };
}

export class MailtargetVerify implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Mailtarget Verify',
		name: 'mailtargetVerify',
		icon: { light: 'file:mailtarget.svg', dark: 'file:mailtarget.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["authentication"] === "basicAuth" ? "Basic auth" : "Signature"}}',
		description: "Checks that a request n8n's Webhook node received comes from Mailtarget, and passes on its events one item each",
		documentationUrl: 'https://www.npmjs.com/package/@crm-bridge/n8n-nodes-mailtarget',
		defaults: { name: 'Mailtarget Verify' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		usableAsTool: true,
		credentials: [{ name: 'mailtargetWebhookApi', required: true, testedBy: 'mailtargetWebhookCredentialTest' }],
		properties: verifyProperties,
	};

	methods = {
		credentialTest: {
			async mailtargetWebhookCredentialTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
				const problem = checkWebhookCredential(credential.data ?? {});
				return problem ? { status: 'Error', message: problem } : { status: 'OK', message: 'Credential is complete' };
			},
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const events: INodeExecutionData[] = [];
		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			const method = this.getNodeParameter('authentication', itemIndex, 'signature') as VerificationMethod;
			const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
			const binaryProperty = (options.binaryProperty as string | undefined) || 'data';
			const { headers, rawBody } = await receivedRequest(this, itemIndex, binaryProperty);
			const refuse = (reason: string) => {
				const error = new NodeOperationError(this.getNode(), `Refused a request that is not a verified Mailtarget batch: ${reason}`, {
					itemIndex,
					description: 'Nothing was passed on. Mailtarget was answered 200 by the Webhook node; a forged or damaged request ends here.',
				});
				if (!this.continueOnFail()) throw error;
				this.logger.warn(error.message);
			};
			if (rawBody === undefined) {
				refuse(`no raw body in binary property "${binaryProperty}": turn on "Raw Body" in the Webhook node's options`);
				continue;
			}
			const verifyWith = async (fresh: boolean) => {
				const { credential, reused } = await reusedCredential<WebhookCredential>(this, 'mailtargetWebhookApi', { fresh });
				const settings = { ...credential, method, signatureHeader: options.signatureHeader as string | undefined, eventTypes: this.getNodeParameter('events', itemIndex, []) as string[], maxBodyMiB: options.maxBodyMiB as number | undefined };
				return { result: handleWebhook({ method: 'POST', headers, rawBody }, webhookOptionsFrom(settings)), reused };
			};
			let { result, reused } = await verifyWith(false);
			// A refusal with a reused credential is checked again against the credential as saved now (a rotated secret).
			if (result.status === 401 && reused) ({ result } = await verifyWith(true));
			if (result.status !== 200) {
				refuse(`${result.status} ${result.reason ?? result.body}`);
				continue;
			}
			for (const event of result.events) events.push({ json: event as unknown as IDataObject, pairedItem: { item: itemIndex } });
		}
		return [events];
	}
}
