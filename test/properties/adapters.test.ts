/**
 * Property-based tests over the two host adapters of the webhook: the n8n trigger's webhook() and
 * the Node-RED trigger's HTTP route, for generated bodies, headers and settings. Neither throws,
 * each answers 2xx or a 4xx with a reason, and each gives exactly what core's handleWebhook decides.
 * FUZZ_RUNS cases per property (50 in `npm test`, as each case is a request).
 */
import fc from 'fast-check';
import type { Request, Response } from 'express';
import request from 'supertest';

import { handleWebhook, signBody, webhookOptionsFrom, type VerificationMethod } from '../../core';
import { MailtargetTrigger } from '../../nodes/MailtargetTrigger/MailtargetTrigger.node';
import configModule from '../../node-red/mailtarget-config/mailtarget-config';
import triggerModule from '../../node-red/mailtarget-trigger/mailtarget-trigger';
import { webhookContext } from '../n8n/webhookContext';
import { helper, withRuntime } from '../node-red/nodeRedHelper';
import { anyBody, anyHeaders, PROTOTYPE_KEYS } from './arbitraries';

const SECRET = 'adapter-property-secret';
const BASIC = { basicAuthUser: 'mt', basicAuthPassword: 'pw' };
const REFUSALS = new Set([400, 401, 405, 413]);
const numRuns = (() => {
	const fromEnv = Number(process.env['FUZZ_RUNS']);
	return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : 50;
})();

const method = fc.constantFrom<VerificationMethod>('signature', 'basicAuth', 'both', 'none');
/** Half the cases carry a valid signature (and Basic auth), so that accepted requests are generated too. */
const signed = fc.boolean();
/** Header values a client can put on the wire (printable ASCII). */
const wireValue = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)), maxLength: 80 });
const wireHeaders = fc.dictionary(fc.oneof(fc.constantFrom('X-Mailtarget-Signature', 'Authorization', 'Content-Type', 'X-Other', ...PROTOTYPE_KEYS.filter((key) => /^[a-z]+$/i.test(key))), fc.stringMatching(/^[a-z][a-z0-9-]{0,19}$/)), wireValue, { maxKeys: 5, noNullPrototype: true });

function lowerCased(headers: Record<string, unknown>): Record<string, string | string[] | undefined> {
	const out: Record<string, string | string[] | undefined> = {};
	for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = value as string | string[] | undefined;
	return out;
}

function withCredentials(headers: Record<string, unknown>, body: Uint8Array | string, sign: boolean): Record<string, unknown> {
	if (!sign) return headers;
	return { ...headers, 'X-Mailtarget-Signature': signBody(SECRET, body), Authorization: `Basic ${Buffer.from(`${BASIC.basicAuthUser}:${BASIC.basicAuthPassword}`).toString('base64')}` };
}

/** Core's verdict for the same request and settings, which each adapter must give. */
function coreAnswer(headers: Record<string, unknown>, body: Uint8Array | string, auth: VerificationMethod) {
	const options = webhookOptionsFrom({ method: auth, signingSecret: SECRET, ...BASIC });
	const result = handleWebhook({ method: 'POST', headers: lowerCased(headers), rawBody: Buffer.from(body) }, options);
	return { status: result.status, events: result.events.length };
}

async function check<T extends unknown[]>(property: fc.IAsyncProperty<T>, name: string): Promise<void> {
	const details = await fc.check(property, { numRuns, seed: process.env['FUZZ_SEED'] ? Number(process.env['FUZZ_SEED']) : undefined });
	if (details.failed) {
		throw new Error(`${name}\nfailed after ${details.numRuns} cases (seed ${details.seed}, path "${details.counterexamplePath}")\ncounterexample: ${fc.stringify(details.counterexample)}\n${details.errorInstance ? String(details.errorInstance) : ''}`);
	}
	expect(details.numRuns).toBe(numRuns);
}

describe('n8n: MailtargetTrigger.webhook()', () => {
	/** Runs webhook() as n8n's webhook route does, with the raw body already read. */
	async function callWebhook(headers: Record<string, unknown>, body: Uint8Array | string, auth: VerificationMethod) {
		const answer = { status: 200, body: '' };
		const response = {
			status(code: number) {
				answer.status = code;
				return response;
			},
			send(text: string) {
				answer.body = String(text);
				return response;
			},
			end: () => response,
		};
		const req = { method: 'POST', headers: lowerCased(headers), rawBody: Buffer.from(body), readRawBody: async () => undefined };
		const { context } = webhookContext({
			request: req as unknown as Request,
			response: response as unknown as Response,
			parameters: { authentication: auth },
			credentials: { mailtargetWebhookApi: { signingSecret: SECRET, previousSigningSecret: '', ...BASIC } },
		});
		const result = await new MailtargetTrigger().webhook.call(context);
		const events = result.noWebhookResponse ? 0 : (result.workflowData?.[0]?.length ?? 0);
		return { status: result.noWebhookResponse ? answer.status : 200, body: answer.body, events };
	}

	test(`any body, headers and authentication: no throw, 200 or a 4xx with a reason, as core decides (${numRuns} cases)`, async () => {
		const seen = new Set<number>();
		await check(
			fc.asyncProperty(anyBody, anyHeaders, method, signed, async (body, headers, auth, sign) => {
				const sent = withCredentials(headers, body, sign);
				const answer = await callWebhook(sent, body, auth);
				seen.add(answer.status);
				const expected = coreAnswer(sent, body, auth);
				if (answer.status !== 200 && !(REFUSALS.has(answer.status) && answer.body.length > 0)) return false;
				return answer.status === expected.status && answer.events === expected.events;
			}),
			'n8n webhook()',
		);
		// The generated cases reach both an acceptance and refusals.
		expect(seen.has(200) && [...seen].some((status) => status >= 400)).toBe(true);
	}, 600_000);
});

describe('Node-RED: mailtarget-trigger HTTP route', () => {
	const runtime = withRuntime(configModule, triggerModule);

	beforeAll((done) => {
		helper.startServer(done);
	});
	afterAll(async () => {
		await helper.unload();
		await new Promise<void>((resolve) => helper.stopServer(() => resolve()));
	});

	test(`any body and wire headers, each authentication: no throw, 200 or a 4xx with a reason, as core decides (${numRuns} cases)`, async () => {
		const seen = new Set<number>();
		const flow = (['signature', 'basicAuth', 'both', 'none'] as const).flatMap((auth) => [
			{ id: `cfg-${auth}`, type: 'mailtarget-config', name: auth },
			{ id: `trigger-${auth}`, type: 'mailtarget-trigger', path: `/mt-${auth}`, config: `cfg-${auth}`, authentication: auth, wires: [[]] },
		]);
		const credentials = Object.fromEntries(['signature', 'basicAuth', 'both', 'none'].map((auth) => [`cfg-${auth}`, { signingSecret: SECRET, ...BASIC }]));
		await helper.load(runtime.modules, flow, credentials);
		const http = request(runtime.red().httpNode as never);
		await check(
			fc.asyncProperty(anyBody, wireHeaders, method, signed, async (body, headers, auth, sign) => {
				const sent = withCredentials(headers, body, sign) as Record<string, string>;
				const response = await http.post(`/mt-${auth}`).set(sent).send(Buffer.from(body));
				seen.add(response.status);
				const expected = coreAnswer(sent, body, auth);
				if (response.status !== 200 && !(REFUSALS.has(response.status) && response.text.length > 0)) return false;
				return response.status === expected.status;
			}),
			'Node-RED route',
		);
		expect(seen.has(200) && [...seen].some((status) => status >= 400)).toBe(true);
	}, 600_000);
});
