import { EventEmitter } from 'events';
import type { Request, Response } from 'express';

import { signBody } from '../../core';
import { CREDENTIAL_REUSE_MS } from '../../nodes/MailtargetTrigger/credentialCache';
import { MailtargetTrigger } from '../../nodes/MailtargetTrigger/MailtargetTrigger.node';
import { fixtureBytes } from '../helpers/fixtures';
import { webhookContext } from './webhookContext';

const batch = fixtureBytes('official-batch.json');

/** A request whose raw body n8n already read, and a response that records what the node answered. */
function exchange(body: Buffer, signature: string) {
	const request = Object.assign(new EventEmitter(), {
		method: 'POST',
		headers: { 'content-type': 'application/json', 'x-mailtarget-signature': signature },
		rawBody: body,
		readRawBody: async () => undefined,
	}) as unknown as Request;
	const answer = { status: 200, body: '' };
	const response = {
		status(code: number) {
			answer.status = code;
			return response;
		},
		send(text: string) {
			answer.body = text;
			return response;
		},
		end: () => response,
	} as unknown as Response;
	return { request, response, answer };
}

/** One delivery to the trigger of workflow `workflowId`, whose credential currently holds `currentSecret`. */
async function deliver(workflowId: string, currentSecret: string, signingKey: string) {
	const { request, response, answer } = exchange(batch, signBody(signingKey, batch));
	const { context, credentialReads } = webhookContext({ request, response, workflowId, credentials: { mailtargetWebhookApi: { signingSecret: currentSecret } } });
	const result = await new MailtargetTrigger().webhook.call(context);
	return { status: result.noWebhookResponse ? answer.status : 200, events: result.workflowData?.[0]?.length ?? 0, credentialReads: credentialReads.length };
}

describe('MailtargetTrigger reuses its webhook credential within a process', () => {
	afterEach(() => jest.useRealTimers());

	it('reads the credential once for many accepted requests of one workflow', async () => {
		const first = await deliver('reuse-a', 's1', 's1');
		const second = await deliver('reuse-a', 's1', 's1');
		expect(first).toEqual({ status: 200, events: 7, credentialReads: 1 });
		expect(second).toEqual({ status: 200, events: 7, credentialReads: 0 });
	});

	it('keeps workflows apart: another workflow reads its own credential', async () => {
		await deliver('reuse-b', 's1', 's1');
		expect(await deliver('reuse-c', 'other', 'other')).toEqual({ status: 200, events: 7, credentialReads: 1 });
		expect((await deliver('reuse-c', 'other', 's1')).status).toBe(401);
	});

	it('re-reads the credential before refusing, so a rotated secret works at once', async () => {
		await deliver('reuse-d', 'old', 'old');
		expect(await deliver('reuse-d', 'new', 'new')).toEqual({ status: 200, events: 7, credentialReads: 1 });
		expect(await deliver('reuse-d', 'new', 'new')).toEqual({ status: 200, events: 7, credentialReads: 0 });
	});

	it('refuses a forged request after reading the saved credential, and emits nothing', async () => {
		await deliver('reuse-e', 'real', 'real');
		expect(await deliver('reuse-e', 'real', 'forged')).toEqual({ status: 401, events: 0, credentialReads: 1 });
	});

	it('stops accepting a removed secret once the reuse time is over', async () => {
		jest.useFakeTimers({ now: Date.UTC(2026, 11, 1), doNotFake: ['nextTick', 'setImmediate'] });
		await deliver('reuse-f', 'old', 'old');
		jest.setSystemTime(Date.now() + CREDENTIAL_REUSE_MS - 1);
		expect(await deliver('reuse-f', 'new', 'old')).toEqual({ status: 200, events: 7, credentialReads: 0 });
		jest.setSystemTime(Date.now() + 2);
		expect(await deliver('reuse-f', 'new', 'old')).toEqual({ status: 401, events: 0, credentialReads: 1 });
	});
});
