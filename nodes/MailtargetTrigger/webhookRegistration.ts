import { NodeOperationError, type IHookFunctions } from 'n8n-workflow';

import {
	generateBasicAuth,
	pickEventIds,
	registrationBody,
	type MailtargetWebhookEvent,
} from '../../core';
import { mailtargetApiRequest } from './transport/mailtargetApi';

interface RegisteredWebhook {
	id: string | number;
	targetUrl?: string;
}

const wantsRegistration = (hook: IHookFunctions) => hook.getNodeParameter('registerWebhook', false) as boolean;

/**
 * Creates, finds and removes the Mailtarget webhook for this trigger when the user opted in
 * with an Open API credential. Without it, n8n shows the URL to paste into the dashboard.
 */
export const webhookRegistration = {
	async checkExists(this: IHookFunctions): Promise<boolean> {
		if (!wantsRegistration(this)) return true;
		const staticData = this.getWorkflowStaticData('node');
		if (staticData.webhookId === undefined) return false;
		const webhook = await mailtargetApiRequest<RegisteredWebhook>(this, 'GET', `/webhooks/${String(staticData.webhookId)}`);
		if (webhook === undefined) {
			delete staticData.webhookId;
			return false;
		}
		return webhook.targetUrl === undefined || webhook.targetUrl === this.getNodeWebhookUrl('default');
	},

	async create(this: IHookFunctions): Promise<boolean> {
		if (!wantsRegistration(this)) return true;
		const available = await mailtargetApiRequest<MailtargetWebhookEvent[]>(this,
			'GET',
			'/webhook-events',
		);
		let eventIds: number[];
		try {
			eventIds = pickEventIds(this.getNodeParameter('events', []) as string[], available ?? []);
		} catch (error) {
			throw new NodeOperationError(this.getNode(), (error as Error).message);
		}
		const auth = generateBasicAuth();
		const name = `n8n: ${this.getWorkflow().name ?? this.getWorkflow().id ?? 'workflow'}`.slice(0, 100);
		const body = registrationBody(name, this.getNodeWebhookUrl('default') as string, eventIds, auth);
		const webhook = await mailtargetApiRequest<RegisteredWebhook>(this,
			'POST',
			'/webhooks',
			{ ...body },
		);
		const staticData = this.getWorkflowStaticData('node');
		if (webhook?.id === undefined) throw new NodeOperationError(this.getNode(), 'Mailtarget did not return the new webhook id');
		staticData.webhookId = webhook.id;
		staticData.basicAuth = auth;
		return true;
	},

	async delete(this: IHookFunctions): Promise<boolean> {
		if (!wantsRegistration(this)) return true;
		const staticData = this.getWorkflowStaticData('node');
		if (staticData.webhookId !== undefined) {
			await mailtargetApiRequest(this, 'DELETE', `/webhooks/${String(staticData.webhookId)}`);
		}
		delete staticData.webhookId;
		delete staticData.basicAuth;
		return true;
	},
};
