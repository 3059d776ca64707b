import { createServer, type Server } from 'http';
import type { AddressInfo } from 'net';
import type { IDataObject, IHookFunctions, IHttpRequestOptions } from 'n8n-workflow';

import { MailtargetTrigger } from '../../nodes/MailtargetTrigger/MailtargetTrigger.node';

interface FakeWebhook {
	id: number;
	name: string;
	targetUrl: string;
	eventIds: number[];
	authenticationId: number;
	username: string;
	password: string;
}

/** A loopback stand-in for Mailtarget's Open API webhook endpoints (envelope `{data}`, Bearer key). */
async function fakeMailtargetApi(apiKey: string) {
	const webhooks = new Map<number, FakeWebhook>();
	const calls: string[] = [];
	let nextId = 100;
	const server: Server = createServer((req, res) => {
		let body = '';
		req.on('data', (chunk: Buffer) => (body += chunk.toString()));
		req.on('end', () => {
			calls.push(`${req.method} ${req.url}`);
			const send = (status: number, payload: unknown): void => {
				res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(payload));
			};
			if (req.headers.authorization !== `Bearer ${apiKey}`) return send(401, { error: 'UNAUTHORIZED', message: 'invalid key' });
			const path = (req.url ?? '').split('?')[0];
			const byId = /^\/v1\/webhooks\/(\d+)$/.exec(path);
			if (req.method === 'GET' && path === '/v1/webhook-events') {
				return send(200, { data: [{ id: 1, name: 'Delivery', slug: 'delivery' }, { id: 2, name: 'Open', slug: 'open' }, { id: 3, name: 'Click', slug: 'click' }, { id: 4, name: 'Bounce', slug: 'bounce' }] });
			}
			if (req.method === 'POST' && path === '/v1/webhooks') {
				const webhook = { id: nextId++, ...(JSON.parse(body) as Omit<FakeWebhook, 'id'>) };
				webhooks.set(webhook.id, webhook);
				return send(201, { data: webhook });
			}
			if (byId && req.method === 'GET') {
				const webhook = webhooks.get(Number(byId[1]));
				return webhook ? send(200, { data: webhook }) : send(404, { error: 'NOT_FOUND', message: 'webhook not found' });
			}
			if (byId && req.method === 'DELETE') {
				return webhooks.delete(Number(byId[1])) ? send(200, { data: true }) : send(404, { error: 'NOT_FOUND', message: 'webhook not found' });
			}
			return send(404, { error: 'NOT_FOUND', message: path });
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return { baseUrl: `http://127.0.0.1:${port}/v1`, webhooks, calls, close: () => new Promise((resolve) => server.close(resolve)) };
}

/** IHookFunctions whose authenticated requests go over real HTTP, failing like n8n's helper on non-2xx. */
function hookContext(baseUrl: string, apiKey: string, parameters: Record<string, unknown>, staticData: IDataObject) {
	return {
		getNodeParameter: (name: string, fallback?: unknown) => (name in parameters ? parameters[name] : fallback),
		getWorkflowStaticData: () => staticData,
		getNodeWebhookUrl: () => 'https://n8n.example.com/webhook/abc/webhook',
		getWorkflow: () => ({ id: 'wf1', name: 'Mailtarget to CRM', active: true }),
		getNode: () => ({ name: 'Mailtarget Trigger', type: 'mailtargetTrigger', typeVersion: 1, parameters: {} }),
		getCredentials: async () => ({ apiKey, baseUrl }),
		helpers: {
			async httpRequestWithAuthentication(_name: string, options: IHttpRequestOptions) {
				const url = new URL(options.url);
				for (const [key, value] of Object.entries(options.qs ?? {})) url.searchParams.set(key, String(value));
				const response = await fetch(url, {
					method: options.method,
					headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json' },
					body: options.body === undefined ? undefined : JSON.stringify(options.body),
				});
				const payload: unknown = await response.json();
				if (!response.ok) throw Object.assign(new Error(`Request failed with status code ${response.status}`), { httpCode: String(response.status), response: { status: response.status, data: payload } });
				return payload;
			},
		},
	} as unknown as IHookFunctions;
}

describe('MailtargetTrigger webhook registration', () => {
	const methods = new MailtargetTrigger().webhookMethods.default;
	let api: Awaited<ReturnType<typeof fakeMailtargetApi>>;
	beforeEach(async () => {
		api = await fakeMailtargetApi('open-api-key');
	});
	afterEach(() => api.close());

	it('creates the webhook with the chosen events and generated Basic auth, finds it, and deletes it', async () => {
		const staticData: IDataObject = {};
		const hook = hookContext(api.baseUrl, 'open-api-key', { registerWebhook: true, events: ['open', 'Click'] }, staticData);
		expect(await methods.checkExists.call(hook)).toBe(false);
		expect(await methods.create.call(hook)).toBe(true);
		const [registered] = [...api.webhooks.values()];
		expect(registered).toMatchObject({ targetUrl: 'https://n8n.example.com/webhook/abc/webhook', eventIds: [2, 3], authenticationId: 2, name: 'n8n: Mailtarget to CRM' });
		expect(registered.password.length).toBeGreaterThanOrEqual(24);
		expect(staticData).toEqual({ webhookId: registered.id, basicAuth: { username: registered.username, password: registered.password } });
		expect(await methods.checkExists.call(hook)).toBe(true);

		expect(await methods.delete.call(hook)).toBe(true);
		expect(api.webhooks.size).toBe(0);
		expect(staticData).toEqual({});
	});

	it('registers every event when none is chosen', async () => {
		const hook = hookContext(api.baseUrl, 'open-api-key', { registerWebhook: true, events: [] }, {});
		await methods.create.call(hook);
		expect([...api.webhooks.values()][0].eventIds).toEqual([1, 2, 3, 4]);
	});

	it('treats a webhook deleted in the dashboard as missing, and deleting it again as done', async () => {
		const staticData: IDataObject = { webhookId: 999, basicAuth: { username: 'u', password: 'p' } };
		const hook = hookContext(api.baseUrl, 'open-api-key', { registerWebhook: true, events: [] }, staticData);
		expect(await methods.checkExists.call(hook)).toBe(false);
		staticData.webhookId = 999;
		expect(await methods.delete.call(hook)).toBe(true);
		expect(staticData).toEqual({});
	});

	it('names an event type the account does not offer', async () => {
		const hook = hookContext(api.baseUrl, 'open-api-key', { registerWebhook: true, events: ['complaint'] }, {});
		await expect(methods.create.call(hook)).rejects.toThrow('Mailtarget offers no webhook event called "complaint"');
		expect(api.webhooks.size).toBe(0);
	});

	it('surfaces a rejected API key as a NodeApiError', async () => {
		const hook = hookContext(api.baseUrl, 'wrong-key', { registerWebhook: true, events: [] }, {});
		await expect(methods.create.call(hook)).rejects.toMatchObject({ name: 'NodeApiError', httpCode: '401' });
	});

	it('does nothing without automatic registration', async () => {
		const hook = hookContext(api.baseUrl, 'open-api-key', { registerWebhook: false }, {});
		expect(await methods.checkExists.call(hook)).toBe(true);
		expect(await methods.create.call(hook)).toBe(true);
		expect(await methods.delete.call(hook)).toBe(true);
		expect(api.calls).toEqual([]);
	});
});
