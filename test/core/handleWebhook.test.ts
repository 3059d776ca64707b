import { DEFAULT_MAX_EVENTS, handleWebhook, signBody, type WebhookOptions } from '../../core';
import { fixtureBytes } from '../helpers/fixtures';

const secret = 's3cret-value';
const options: WebhookOptions = { verification: { method: 'signature', secrets: [secret] } };
const batch = fixtureBytes('official-batch.json');
const signed = (body: Buffer | string) => ({ 'content-type': 'application/json', 'x-mailtarget-signature': signBody(secret, body) });

describe('handleWebhook', () => {
	it('answers 200 with one event per item of a signed batch', () => {
		const result = handleWebhook({ method: 'POST', headers: signed(batch), rawBody: batch }, options);
		expect(result.status).toBe(200);
		expect(result.events).toHaveLength(7);
		expect(result.filteredOut).toBe(0);
	});

	it.each([
		['GET', 405],
		['PUT', 405],
		['post', 200],
	])('method %s -> %i', (method, status) => {
		expect(handleWebhook({ method, headers: signed(batch), rawBody: batch }, options).status).toBe(status);
	});

	it('answers 413 above the size limit before checking anything else', () => {
		const result = handleWebhook({ method: 'POST', headers: {}, rawBody: batch }, { ...options, maxBodyBytes: batch.length - 1 });
		expect(result.status).toBe(413);
		expect(handleWebhook({ method: 'POST', headers: signed(batch), rawBody: batch }, { ...options, maxBodyBytes: batch.length }).status).toBe(200);
	});

	it('answers 401 without saying which part failed', () => {
		const result = handleWebhook({ method: 'POST', headers: { 'x-mailtarget-signature': '0'.repeat(64) }, rawBody: batch }, options);
		expect(result).toMatchObject({ status: 401, body: 'Unauthorized', events: [] });
		expect(result.reason).toContain('does not match');
	});

	it('checks the signature before parsing: an unsigned bad body is 401, a signed one 400', () => {
		expect(handleWebhook({ method: 'POST', headers: {}, rawBody: 'nope' }, options).status).toBe(401);
		const bad = handleWebhook({ method: 'POST', headers: signed('nope'), rawBody: 'nope' }, options);
		expect(bad.status).toBe(400);
		expect(bad.body).toBe('Bad Request: body is not valid JSON');
		const shape = handleWebhook({ method: 'POST', headers: signed('[1,2]'), rawBody: '[1,2]' }, options);
		expect(shape.status).toBe(400);
		expect(shape.body).toContain('every array item must be an event object');
	});

	it('answers 400 to a signed object with no event type, but 200 to a batch in which only some events are unusable', () => {
		for (const body of ['{"recipient":"jane@example.com","timestamp":1764230400000}', '{}', '{"status":"  "}']) {
			const result = handleWebhook({ method: 'POST', headers: signed(body), rawBody: body }, options);
			expect(result).toMatchObject({ status: 400, events: [] });
			expect(result.body).toBe('Bad Request: no event type: expected "status", "event" or "type", an "events" array or an array of events');
		}
		const mixed = JSON.stringify({ batchId: 'b', retryCount: 0, events: [{ status: 'open', recipient: 'a@example.com', timestamp: 1764230400000 }, { recipient: 'b@example.com' }] });
		const result = handleWebhook({ method: 'POST', headers: signed(mixed), rawBody: mixed }, options);
		expect(result.status).toBe(200);
		expect(result.events.map((event) => event.type)).toEqual(['open', '']);
		const array = '[{"event":"click","recipient":"c@example.com"},{"foo":1}]';
		expect(handleWebhook({ method: 'POST', headers: signed(array), rawBody: array }, options).status).toBe(200);
	});

	it('acknowledges filtered-out event types without emitting them', () => {
		const result = handleWebhook({ method: 'POST', headers: signed(batch), rawBody: batch }, { ...options, eventTypes: ['Bounce', 'click'] });
		expect(result.status).toBe(200);
		expect(result.events.map((e) => e.type)).toEqual(['click', 'bounce', 'bounce']);
		expect(result.filteredOut).toBe(4);
	});

	it('fails closed when the chosen method has no secret', () => {
		expect(handleWebhook({ method: 'POST', headers: signed(batch), rawBody: batch }, { verification: { method: 'signature' } }).status).toBe(401);
		expect(handleWebhook({ method: 'POST', headers: {}, rawBody: batch }, { verification: { method: 'basicAuth' } }).status).toBe(401);
	});

	it('reports diagnostics for a failing signature without any secret', () => {
		const tampered = Buffer.concat([batch, Buffer.from('\n')]);
		const result = handleWebhook(
			{ method: 'POST', headers: { ...signed(batch), 'Content-Type': 'text/plain' }, rawBody: tampered },
			{ ...options, diagnostics: true },
		);
		expect(result.status).toBe(401);
		expect(result.diagnostics).toEqual({
			headerNames: ['content-type', 'x-mailtarget-signature', 'Content-Type'],
			signatureHeader: 'X-Mailtarget-Signature',
			signatureValue: signBody(secret, batch),
			bodyLength: tampered.length,
			contentType: 'application/json',
			outcome: '401: signature does not match the body under any configured secret',
		});
		expect(JSON.stringify(result.diagnostics)).not.toContain(secret);
	});

	it('masks the signature of an accepted request in diagnostics', () => {
		const result = handleWebhook({ method: 'POST', headers: signed(batch), rawBody: batch }, { ...options, diagnostics: true });
		expect(result.diagnostics?.outcome).toBe('accepted');
		expect(result.diagnostics?.signatureValue).toBe(`${signBody(secret, batch).slice(0, 8)}… (64 characters)`);
	});

	it('omits diagnostics unless asked', () => {
		expect(handleWebhook({ method: 'POST', headers: signed(batch), rawBody: batch }, options).diagnostics).toBeUndefined();
	});

	it('answers 503 when the queue behind it has no room for the events, so Mailtarget retries', () => {
		const request = { method: 'POST', headers: signed(batch), rawBody: batch };
		expect(handleWebhook(request, { ...options, capacity: 7 }).status).toBe(200);
		const full = handleWebhook(request, { ...options, capacity: 6 });
		expect(full).toMatchObject({ status: 503, events: [], reason: '7 events, room for 6' });
		expect(handleWebhook(request, { ...options, capacity: 2, eventTypes: ['bounce'] }).status).toBe(200);
		expect(handleWebhook({ ...request, headers: {} }, { ...options, capacity: 0 }).status).toBe(401);
	});
});

describe('handleWebhook: how many events one request may carry', () => {
	const signed = (body: string) => ({ method: 'POST', headers: { 'x-mailtarget-signature': signBody(secret, Buffer.from(body)) }, rawBody: Buffer.from(body) });
	const batchOf = (count: number) => JSON.stringify({ events: Array.from({ length: count }, (_, i) => ({ status: 'open', eventId: `e${i}`, recipient: 'a@b.co', timestamp: 1.7e12 })) });

	it('takes up to 10,000 events and answers 413 with a reason above that, before emitting any', () => {
		expect(handleWebhook(signed(batchOf(DEFAULT_MAX_EVENTS)), options).status).toBe(200);
		const refused = handleWebhook(signed(batchOf(DEFAULT_MAX_EVENTS + 1)), options);
		expect(refused).toMatchObject({ status: 413, events: [] });
		expect(refused.body).toMatch(/more than 10000 events/);
		expect(handleWebhook(signed(batchOf(3)), { ...options, maxEvents: 2 }).status).toBe(413);
	});
});
