'use strict';
/** Bench only: the least any community webhook trigger can do (parse the body, emit its events). */
class BenchNoopTrigger {
	constructor() {
		this.description = {
			displayName: 'Bench No-op Trigger',
			name: 'benchNoopTrigger',
			group: ['trigger'],
			version: 1,
			description: 'Benchmark baseline',
			defaults: { name: 'Bench No-op Trigger' },
			inputs: [],
			outputs: ['main'],
			credentials: [{ name: 'mailtargetWebhookApi', required: false }],
			webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', responseData: '', path: 'webhook' }],
			properties: [{ displayName: 'Read Credential', name: 'readCredential', type: 'boolean', default: false }],
		};
	}
	async webhook() {
		const req = this.getRequestObject();
		if (!req.rawBody) await req.readRawBody();
		if (this.getNodeParameter('readCredential', false)) await this.getCredentials('mailtargetWebhookApi');
		const body = JSON.parse(req.rawBody.toString('utf8'));
		return { workflowData: [body.events.map((json) => ({ json }))] };
	}
}
module.exports = { BenchNoopTrigger };
