import request from 'supertest';

import { basicAuthHeader, signBody } from '../../core';
import { publishQueue } from '../../node-red/lib/queueRegistry';
import configModule from '../../node-red/mailtarget-config/mailtarget-config';
import triggerModule from '../../node-red/mailtarget-trigger/mailtarget-trigger';
import { fixtureBytes } from '../helpers/fixtures';
import { helper, withRuntime } from './nodeRedHelper';

const secret = 'node-red-secret';
const batch = fixtureBytes('official-batch.json');

function flow(trigger: Record<string, unknown> = {}) {
	return [
		{ id: 'cfg', type: 'mailtarget-config', name: 'secrets' },
		{ id: 'trigger', type: 'mailtarget-trigger', path: '/mt', config: 'cfg', authentication: 'signature', wires: [['sink']], ...trigger },
		{ id: 'sink', type: 'helper' },
	];
}
const credentials = { cfg: { signingSecret: secret, basicAuthUser: 'mt', basicAuthPassword: 'pw' } };

describe('mailtarget-trigger in a Node-RED runtime', () => {
	const runtime = withRuntime(configModule, triggerModule);

	beforeEach((done) => {
		helper.startServer(done);
	});
	afterEach(async () => {
		await helper.unload();
		await new Promise<void>((resolve) => helper.stopServer(() => resolve()));
	});

	async function load(trigger: Record<string, unknown> = {}) {
		await helper.load(runtime.modules, flow(trigger), credentials);
		for (const id of ['cfg', 'trigger', 'sink']) expect(helper.getNode(id)).toBeTruthy();
		return { sink: helper.getNode('sink'), trigger: helper.getNode('trigger'), http: request(runtime.red().httpNode as never) };
	}

	function collect(sink: { on: (event: 'input', cb: (msg: unknown) => void) => void }, count: number) {
		return new Promise<Array<{ payload: Record<string, unknown>; topic: string }>>((resolve) => {
			const received: Array<{ payload: Record<string, unknown>; topic: string }> = [];
			sink.on('input', (msg) => {
				received.push(msg as { payload: Record<string, unknown>; topic: string });
				if (received.length === count) resolve(received);
			});
		});
	}

	it('answers 200 to a signed batch and sends one message per event', async () => {
		const { sink, http } = await load();
		const messages = collect(sink, 7);
		const response = await http.post('/mt').set('Content-Type', 'application/json').set('X-Mailtarget-Signature', signBody(secret, batch)).send(batch.toString());
		expect(response.status).toBe(200);
		const received = await messages;
		expect(received.map((m) => m.topic)).toEqual(['injection', 'delivery', 'open', 'click', 'bounce', 'bounce', 'delay']);
		expect(received[1].payload).toMatchObject({ eventId: '92356927693813852', batchId: '6746d3a0e3b86a0001887bc6', retryCount: 0, occurredAt: '2025-11-27T08:00:02.500Z' });
		expect(received[1].payload.metadata).toEqual({ crm_contact_id: '0035g00000ABCDE', crm_deal_id: '0065g00000XYZ', crm_owner: 'alice@yourcompany.com' });
	});

	it('verifies the exact bytes even when the JSON is oddly formatted', async () => {
		const { sink, http } = await load();
		const body = '{ "event" : "open",\n  "recipient":"jane@example.com", "timestamp": 1764231000 }';
		const messages = collect(sink, 1);
		const response = await http.post('/mt').set('Content-Type', 'application/json').set('x-mailtarget-signature', `sha256=${signBody(secret, body).toUpperCase()}`).send(body);
		expect(response.status).toBe(200);
		expect((await messages)[0].payload).toMatchObject({ type: 'open', recipient: 'jane@example.com' });
	});

	it.each([
		['no signature', {}, 401],
		['a wrong signature', { 'X-Mailtarget-Signature': signBody('wrong', batch) }, 401],
	])('answers 401 to %s and sends nothing', async (_name, headers, status) => {
		const { sink, http, trigger } = await load();
		let sent = 0;
		sink.on('input', () => (sent += 1));
		const response = await http.post('/mt').set('Content-Type', 'application/json').set(headers).send(batch.toString());
		expect(response.status).toBe(status);
		expect(response.text).toBe('Unauthorized');
		expect(sent).toBe(0);
		expect(trigger).toBeTruthy();
	});

	it('answers 400 to a signed body that is not JSON, 413 above the limit and 405 to GET', async () => {
		const { http } = await load({ maxBodyMiB: 0.001 });
		const notJson = 'hello';
		const bad = await http.post('/mt').set('Content-Type', 'text/plain').set('X-Mailtarget-Signature', signBody(secret, notJson)).send(notJson);
		expect(bad.status).toBe(400);
		expect(bad.text).toBe('Bad Request: body is not valid JSON');
		const big = await http.post('/mt').set('Content-Type', 'application/json').set('X-Mailtarget-Signature', signBody(secret, batch)).send(batch.toString());
		expect(big.status).toBe(413);
		expect((await http.get('/mt')).status).toBe(405);
	});

	it('checks Basic auth and both together', async () => {
		const { http } = await load({ authentication: 'both' });
		const signedOnly = await http.post('/mt').set('X-Mailtarget-Signature', signBody(secret, batch)).set('Content-Type', 'application/json').send(batch.toString());
		expect(signedOnly.status).toBe(401);
		const both = await http
			.post('/mt')
			.set('X-Mailtarget-Signature', signBody(secret, batch))
			.set('Authorization', basicAuthHeader('mt', 'pw'))
			.set('Content-Type', 'application/json')
			.send(batch.toString());
		expect(both.status).toBe(200);
	});

	it('acknowledges filtered-out events without sending them', async () => {
		const { sink, http } = await load({ events: 'bounce, click' });
		const messages = collect(sink, 3);
		const response = await http.post('/mt').set('X-Mailtarget-Signature', signBody(secret, batch)).set('Content-Type', 'application/json').send(batch.toString());
		expect(response.status).toBe(200);
		expect((await messages).map((m) => m.topic)).toEqual(['click', 'bounce', 'bounce']);
	});

	it('reads the secret from an environment variable when the credential is empty', async () => {
		process.env.MT_TEST_SECRET = 'from-env';
		await helper.load(runtime.modules, [
			{ id: 'cfg', type: 'mailtarget-config', signingSecretEnv: 'MT_TEST_SECRET' },
			{ id: 'trigger', type: 'mailtarget-trigger', path: '/env', config: 'cfg', authentication: 'signature', wires: [[]] },
		]);
		const http = request(runtime.red().httpNode as never);
		expect((await http.post('/env').set('X-Mailtarget-Signature', signBody('from-env', batch)).send(batch.toString())).status).toBe(200);
		expect((await http.post('/env').set('X-Mailtarget-Signature', signBody(secret, batch)).send(batch.toString())).status).toBe(401);
		delete process.env.MT_TEST_SECRET;
	});

	it('fails closed without a config node and removes only its own route on close', async () => {
		await helper.load(runtime.modules, [
			{ id: 'a', type: 'mailtarget-trigger', path: '/a', authentication: 'signature', wires: [[]] },
			{ id: 'b', type: 'mailtarget-trigger', path: '/b', authentication: 'none', wires: [[]] },
		]);
		const http = request(runtime.red().httpNode as never);
		expect((await http.post('/a').set('X-Mailtarget-Signature', signBody('', batch)).send(batch.toString())).status).toBe(401);
		expect((await http.post('/b').send(batch.toString())).status).toBe(200);
		const a = helper.getNode('a') as unknown as { close: (removed: boolean) => Promise<void> };
		await a.close(true);
		expect((await http.post('/a').send(batch.toString())).status).toBe(404);
		expect((await http.post('/b').send(batch.toString())).status).toBe(200);
	});

	it('does not serve with an event filter naming types Mailtarget never sends, so no event is acknowledged and dropped', async () => {
		const { http } = await load({ events: 'opne, clik' });
		const response = await http.post('/mt').set('X-Mailtarget-Signature', signBody(secret, batch)).send(batch.toString());
		expect(response.status).toBe(404);
		expect(JSON.stringify(helper.log().args)).toMatch(/"level":20.*errors\.badEvents/);
	});

	it('says in its badge, for as long as it is set, that verification "none" lets anyone post', async () => {
		const { http, trigger } = await load({ authentication: 'none' });
		const statuses: Array<{ fill: string; text: string }> = [];
		(trigger as unknown as { on: (e: string, cb: (call: { args: Array<{ fill: string; text: string }> }) => void) => void }).on('call:status', (call) => statuses.push(call.args[0]));
		await new Promise((resolve) => setTimeout(resolve, 300));
		expect((await http.post('/mt').set('Content-Type', 'application/json').send(batch.toString())).status).toBe(200);
		await new Promise((resolve) => setTimeout(resolve, 300));
		expect(statuses.at(-1)).toMatchObject({ fill: 'yellow', shape: 'ring', text: expect.stringContaining('mailtarget-trigger.status.unverified') });
	});

	it('shows accepted and rejected counts in its status, at most every quarter second', async () => {
		const { http, trigger } = await load();
		const statuses: unknown[] = [];
		(trigger as unknown as { on: (e: string, cb: (s: unknown) => void) => void }).on('call:status', (call: unknown) => statuses.push((call as { args: unknown[] }).args[0]));
		await new Promise((resolve) => setTimeout(resolve, 300));
		await http.post('/mt').set('X-Mailtarget-Signature', signBody(secret, batch)).send(batch.toString());
		await http.post('/mt').send(batch.toString());
		await http.post('/mt').send(batch.toString());
		expect(statuses.map((status) => (status as { fill: string }).fill)).toEqual(['green']);
		await new Promise((resolve) => setTimeout(resolve, 300));
		expect(statuses.map((status) => (status as { fill: string }).fill)).toEqual(['green', 'yellow']);
	});

	it('answers 503 with Retry-After while a guarded queue has no room, and 200 once it has', async () => {
		let room = 3;
		const withdraw = publishQueue('crm', 'queue-node', () => ({ pending: 0, inFlight: 0, delivered: 0, deadLettered: 0, room }));
		try {
			const { sink, http } = await load({ queueNames: 'crm, other' });
			let sent = 0;
			sink.on('input', () => (sent += 1));
			const send = () => http.post('/mt').set('X-Mailtarget-Signature', signBody(secret, batch)).set('Content-Type', 'application/json').send(batch.toString());
			const refused = await send();
			expect(refused.status).toBe(503);
			expect(refused.headers['retry-after']).toBe('60');
			expect(sent).toBe(0);
			room = 7;
			expect((await send()).status).toBe(200);
		} finally {
			withdraw();
		}
	});
});
