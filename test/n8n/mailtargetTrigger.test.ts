import express from 'express';
import type { AddressInfo } from 'net';
import type { Server } from 'http';
import type { IDataObject } from 'n8n-workflow';

import { basicAuthHeader, signBody } from '../../core';
import { MailtargetTrigger } from '../../nodes/MailtargetTrigger/MailtargetTrigger.node';
import { fixtureBytes } from '../helpers/fixtures';
import { webhookContext, withRawBodyReader } from './webhookContext';

const secret = 'n8n-signing-secret';
const batch = fixtureBytes('official-batch.json');
const webhookCredential = { signingSecret: secret, previousSigningSecret: '', basicAuthUser: 'mt', basicAuthPassword: 'pw' };

interface Outcome {
	status: number;
	body: string;
	items: Array<{ json: Record<string, unknown> }> | undefined;
	logs: Array<{ level: string; message: string; meta?: unknown }>;
}

/**
 * Runs the trigger's webhook() behind a real express server, as n8n's webhook route does:
 * no body parser, raw body read through readRawBody(), 200 with an empty body unless the
 * node answered itself (noWebhookResponse).
 */
async function post(
	body: Buffer | string,
	headers: Record<string, string>,
	setup: { parameters?: Record<string, unknown>; credentials?: Record<string, Record<string, unknown>>; staticData?: Record<string, unknown>; method?: string } = {},
): Promise<Outcome> {
	const app = express();
	let items: Outcome['items'];
	let logs: Outcome['logs'] = [];
	app.all('/webhook/test', (req, res, next) => {
		const { context, logs: captured } = webhookContext({
			request: withRawBodyReader(req),
			response: res,
			parameters: setup.parameters,
			credentials: setup.credentials ?? { mailtargetWebhookApi: webhookCredential },
			staticData: setup.staticData as IDataObject | undefined,
		});
		logs = captured;
		new MailtargetTrigger()
			.webhook.call(context)
			.then((result) => {
				if (result.noWebhookResponse) return;
				items = result.workflowData?.[0] as Outcome['items'];
				res.status(200).send('');
			})
			.catch(next);
	});
	const server: Server = await new Promise((resolve) => {
		const s = app.listen(0, '127.0.0.1', () => resolve(s));
	});
	try {
		const { port } = server.address() as AddressInfo;
		const response = await fetch(`http://127.0.0.1:${port}/webhook/test`, { method: setup.method ?? 'POST', headers, body });
		return { status: response.status, body: await response.text(), items, logs };
	} finally {
		await new Promise((resolve) => server.close(resolve));
	}
}

const signed = (body: Buffer | string, key = secret) => ({ 'Content-Type': 'application/json', 'X-Mailtarget-Signature': signBody(key, body) });

describe('MailtargetTrigger.webhook() with a real express request', () => {
	it('emits one item per event of a signed batch and answers 200', async () => {
		const outcome = await post(batch, signed(batch));
		expect(outcome.status).toBe(200);
		expect(outcome.items?.map((item) => item.json.type)).toEqual(['injection', 'delivery', 'open', 'click', 'bounce', 'bounce', 'delay']);
		expect(outcome.items?.[0].json).toMatchObject({ batchId: '6746d3a0e3b86a0001887bc6', retryCount: 0, eventId: '92356927693813851' });
	});

	it('verifies the bytes received even when the content type makes n8n skip rawBody', async () => {
		const body = '{"event":"open",  "recipient":"jane@example.com","timestamp":"2026-11-27T08:05:00Z"}';
		const outcome = await post(body, { ...signed(body), 'Content-Type': 'text/plain' });
		expect(outcome.status).toBe(200);
		expect(outcome.items?.[0].json).toMatchObject({ type: 'open', occurredAt: '2026-11-27T08:05:00.000Z' });
	});

	it('accepts the previous secret during rotation', async () => {
		const credentials = { mailtargetWebhookApi: { ...webhookCredential, signingSecret: 'new-secret', previousSigningSecret: secret } };
		expect((await post(batch, signed(batch), { credentials })).status).toBe(200);
		expect((await post(batch, signed(batch, 'new-secret'), { credentials })).status).toBe(200);
		expect((await post(batch, signed(batch, 'older-secret'), { credentials })).status).toBe(401);
	});

	it.each([
		['no signature', { 'Content-Type': 'application/json' }],
		['a wrong signature', signed(batch, 'not-the-secret')],
	])('answers 401 to %s, starts nothing and logs the reason without the secret', async (_name, headers) => {
		const outcome = await post(batch, headers);
		expect(outcome).toMatchObject({ status: 401, body: 'Unauthorized', items: undefined });
		expect(outcome.logs.some((log) => log.level === 'warn' && log.message.includes('401'))).toBe(true);
		expect(JSON.stringify(outcome.logs)).not.toContain(secret);
	});

	it('answers 400 to a signed body that is not events and 413 above the size option', async () => {
		const bad = '{"events": "nope"}';
		const outcome = await post(bad, signed(bad));
		expect(outcome).toMatchObject({ status: 400, body: 'Bad Request: "events" must be an array of event objects', items: undefined });
		const large = await post(batch, signed(batch), { parameters: { options: { maxBodyMiB: 0.001 } } });
		expect(large.status).toBe(413);
	});

	it('checks Basic auth, and both checks together', async () => {
		const basic = { parameters: { authentication: 'basicAuth' } };
		expect((await post(batch, { Authorization: basicAuthHeader('mt', 'pw') }, basic)).status).toBe(200);
		expect((await post(batch, { Authorization: basicAuthHeader('mt', 'nope') }, basic)).status).toBe(401);
		const both = { parameters: { authentication: 'both' } };
		expect((await post(batch, signed(batch), both)).status).toBe(401);
		expect((await post(batch, { ...signed(batch), Authorization: basicAuthHeader('mt', 'pw') }, both)).status).toBe(200);
	});

	it('accepts anything with verification turned off, without asking for a credential', async () => {
		const outcome = await post(batch, {}, { parameters: { authentication: 'none' }, credentials: {} });
		expect(outcome.status).toBe(200);
		expect(outcome.items).toHaveLength(7);
	});

	it('acknowledges filtered-out events and starts nothing when none is left', async () => {
		const some = await post(batch, signed(batch), { parameters: { events: ['click'] } });
		expect(some.items?.map((item) => item.json.type)).toEqual(['click']);
		const none = await post(batch, signed(batch), { parameters: { events: ['complaint'] } });
		expect(none).toMatchObject({ status: 200, items: undefined });
	});

	it('checks the generated Basic auth of a webhook it registered itself', async () => {
		const staticData = { webhookId: 7, basicAuth: { username: 'n8n-abc', password: 'generated' } };
		const parameters = { authentication: 'basicAuth', registerWebhook: true };
		expect((await post(batch, { Authorization: basicAuthHeader('mt', 'pw') }, { parameters, staticData })).status).toBe(401);
		expect((await post(batch, { Authorization: basicAuthHeader('n8n-abc', 'generated') }, { parameters, staticData })).status).toBe(200);
	});

	it('logs verification details on request, never the secret', async () => {
		const outcome = await post(batch, signed(batch, 'wrong'), { parameters: { options: { diagnostics: true } } });
		const details = outcome.logs.find((log) => log.message === 'Mailtarget Trigger verification details');
		expect(details?.meta).toMatchObject({ signatureHeader: 'X-Mailtarget-Signature', bodyLength: batch.length, contentType: 'application/json' });
		expect(JSON.stringify(outcome.logs)).not.toContain(secret);
	});
});

describe('MailtargetTrigger credential test', () => {
	const test = new MailtargetTrigger().methods.credentialTest.mailtargetWebhookCredentialTest;
	it.each([
		[{ signingSecret: 's' }, 'OK'],
		[{ basicAuthUser: 'u', basicAuthPassword: 'p' }, 'OK'],
		[{}, 'Error'],
		[{ basicAuthUser: 'u' }, 'Error'],
		[{ previousSigningSecret: 'old' }, 'Error'],
	])('%j -> %s', async (data, status) => {
		const result = await test.call({} as never, { id: '1', name: 'c', type: 'mailtargetWebhookApi', data });
		expect(result.status).toBe(status);
		expect(JSON.stringify(result)).not.toContain('"s"');
	});
});
