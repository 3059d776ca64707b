import fc from 'fast-check';

import {
	checkSignature,
	classifyResponse,
	defaultDedupeKey,
	MailtargetError,
	eventKey,
	handleWebhook,
	mapEvents,
	MAPPER_ROUTES,
	parsePayload,
	planDelivery,
	replayContactChanges,
	retryDelay,
	signBody,
	verifyRequest,
	type VerificationConfig,
	type WebhookOptions,
} from '../../core';
import { anyBody, anyEvent, anyHeaders, anySecret, hostileJson, permutation, validBatch, validEvent } from './arbitraries';

export interface NamedProperty {
	name: string;
	// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each property has its own argument tuple
	property: fc.IProperty<any>;
}

const STATUSES_WITH_REASON = new Set([400, 401, 405, 413]);

const anyVerification: fc.Arbitrary<VerificationConfig> = fc.record(
	{
		method: fc.oneof(fc.constantFrom('signature', 'basicAuth', 'both', 'none'), fc.string({ maxLength: 8 })) as fc.Arbitrary<VerificationConfig['method']>,
		signatureHeader: fc.oneof(fc.constant(undefined), fc.constantFrom('X-Mailtarget-Signature', ' x-signature ', ''), fc.string({ maxLength: 10 })),
		secrets: fc.array(fc.string({ maxLength: 20 }), { maxLength: 3 }),
		basicAuthUser: fc.string({ maxLength: 10 }),
		basicAuthPassword: fc.string({ maxLength: 10 }),
	},
	{ requiredKeys: ['method'] },
);

/** Would JSON.parse have given an object whose prototype is not Object.prototype, or a polluted global? */
function prototypesIntact(): boolean {
	const probe: Record<string, unknown> = {};
	return probe['polluted'] === undefined && Object.getPrototypeOf(probe) === Object.prototype && typeof ({} as { toString: unknown }).toString === 'function';
}

/** How many results the mapper owes for an input: one per event of an array or envelope, else one. */
function expectedResults(input: unknown): number {
	let value = input;
	if (typeof input === 'string' || input instanceof Uint8Array) {
		try {
			value = JSON.parse(typeof input === 'string' ? input : Buffer.from(input).toString('utf8'));
		} catch {
			return 1;
		}
	}
	if (Array.isArray(value)) return value.length;
	const events = typeof value === 'object' && value !== null && 'events' in value ? (value as { events: unknown }).events : undefined;
	return Array.isArray(events) ? events.length : 1;
}

/** JSON with object keys sorted, so two equal states compare equal whatever order their fields were set in. */
function canonical(value: unknown): string {
	const sortKeys = (v: unknown): unknown => {
		if (v instanceof Map) return [...v.entries()].sort(([x], [y]) => String(x).localeCompare(String(y))).map(([k, w]) => [k, sortKeys(w)]);
		if (Array.isArray(v)) return v.map(sortKeys);
		if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
		return v;
	};
	return JSON.stringify(sortKeys(value));
}

export const PROPERTIES: NamedProperty[] = [
	{
		name: 'parsePayload: any bytes -> events or INVALID_JSON/INVALID_SHAPE with a message, never a throw',
		property: fc.property(anyBody, (body) => {
			const parsed = parsePayload(body);
			if (parsed.ok) {
				return parsed.events.every((e) => typeof e.type === 'string' && (e.occurredAt === null || typeof e.occurredAt === 'string') && typeof e.metadata === 'object') && prototypesIntact();
			}
			return ['INVALID_JSON', 'INVALID_SHAPE'].includes(parsed.error.code) && parsed.error.message.length > 0;
		}),
	},
	{
		name: 'verifyRequest: any headers, body and settings -> a verdict (a refusal has a reason), never a throw',
		property: fc.property(anyVerification, anyHeaders, anyBody, (config, headers, body) => {
			const verdict = verifyRequest(config, headers, body);
			if (!verdict.ok) return verdict.reason.length > 0;
			// Only 'none', or a credential that actually matched, lets a request through.
			return config.method === 'none' || config.method === 'signature' || config.method === 'basicAuth' || config.method === 'both';
		}),
	},
	{
		name: 'signature: a one-byte change anywhere in a signed body is refused (and the body itself accepted)',
		property: fc.property(
			fc.uint8Array({ minLength: 1, maxLength: 2048 }),
			anySecret,
			fc.nat(),
			fc.integer({ min: 1, max: 255 }),
			(body, secret, at, xor) => {
				const signature = signBody(secret, body);
				if (!checkSignature(signature, body, [secret]).ok) return false;
				const changed = Uint8Array.from(body);
				const index = at % body.length;
				changed[index] = (changed[index] as number) ^ xor;
				const options: WebhookOptions = { verification: { method: 'signature', secrets: [secret] } };
				const result = handleWebhook({ method: 'POST', headers: { 'X-Mailtarget-Signature': signature }, rawBody: changed }, options);
				return !checkSignature(signature, changed, [secret]).ok && result.status === 401 && result.events.length === 0;
			},
		),
	},
	{
		name: 'handleWebhook: any request -> 200, or 400/401/405/413 with a reason; never a 5xx or a throw',
		property: fc.property(
			fc.oneof(fc.constant('POST'), fc.constantFrom('GET', 'post', 'PUT', 'DELETE', ''), fc.string({ maxLength: 8 })),
			anyHeaders,
			anyBody,
			anyVerification,
			fc.boolean(),
			fc.option(fc.integer({ min: 0, max: 300 }), { nil: undefined }),
			fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 }),
			(method, headers, body, verification, sign, maxBodyBytes, eventTypes) => {
				const secret = verification.secrets?.find((s) => s !== '');
				const signed = sign && secret ? { ...headers, [verification.signatureHeader?.trim() || 'X-Mailtarget-Signature']: signBody(secret, body) } : headers;
				const result = handleWebhook({ method, headers: signed, rawBody: body }, { verification, maxBodyBytes, eventTypes, diagnostics: true });
				if (result.status === 200) return Array.isArray(result.events) && prototypesIntact();
				return STATUSES_WITH_REASON.has(result.status) && (result.reason ?? '').length > 0 && result.body.length > 0 && result.events.length === 0;
			},
		),
	},
	{
		name: 'valid signed batch: 200 and every event comes out exactly once, in order, through trigger, mapper and keys',
		property: fc.property(validBatch, anySecret, (batch, secret) => {
			const body = JSON.stringify(batch);
			const result = handleWebhook(
				{ method: 'POST', headers: { 'x-mailtarget-signature': `sha256=${signBody(secret, body).toUpperCase()}` }, rawBody: Buffer.from(body) },
				{ verification: { method: 'signature', secrets: ['old-secret', secret] } },
			);
			if (result.status !== 200) return false;
			const sent = batch.events.map((e) => e.eventId);
			if (JSON.stringify(result.events.map((e) => e['eventId'])) !== JSON.stringify(sent)) return false;
			const mapped = mapEvents(result.events);
			const ids = mapped.map((m) => (m.ok ? m.record.id : null));
			const keys = result.events.map(eventKey);
			return (
				mapped.every((m) => m.ok && m.route !== 'other') &&
				new Set(ids).size === sent.length &&
				JSON.stringify(ids) === JSON.stringify(keys) &&
				JSON.stringify(keys) === JSON.stringify(sent.map((id) => `mailtarget:${id}`))
			);
		}),
	},
	{
		name: 'mapper: any input -> one result per event, a known route or invalid with a reason; never a throw',
		property: fc.property(
			fc.oneof(anyBody, fc.array(anyEvent, { maxLength: 6 }), anyEvent, hostileJson, fc.record({ events: fc.array(anyEvent, { maxLength: 6 }), batchId: hostileJson })),
			fc.constantFrom('neutral', 'hubspot', 'salesforce', 'zendesk') as fc.Arbitrary<'neutral' | 'hubspot' | 'salesforce' | 'zendesk'>,
			(input, target) => {
				const results = mapEvents(input, { target });
				const expected = expectedResults(input);
				if (results.length !== expected) return false;
				return (
					prototypesIntact() &&
					results.every((r) =>
						r.ok
							? MAPPER_ROUTES.includes(r.route) && typeof r.record.id === 'string' && r.record.id.startsWith('mailtarget:') && (target === 'neutral' || r.record[target] !== undefined)
							: r.route === 'invalid' && r.reason.length > 0,
					)
				);
			},
		),
	},
	{
		name: 'dedupe key: any event -> a key, or a MailtargetError when it cannot be told apart; two events with different ids never share a key',
		property: fc.property(anyEvent, anyEvent, (a, b) => {
			const key = (event: unknown): string | null => {
				try {
					return defaultDedupeKey(event);
				} catch (error) {
					if (error instanceof MailtargetError) return null;
					throw error;
				}
			};
			const ka = key(a);
			const kb = key(b);
			const idOf = (e: Record<string, unknown>) => (typeof e['eventId'] === 'string' && e['eventId'].trim() !== '' ? e['eventId'].trim() : null);
			if (ka !== null && kb !== null && idOf(a) !== null && idOf(b) !== null && idOf(a) !== idOf(b)) return ka !== kb;
			return ka === null || typeof ka === 'string';
		}),
	},
	{
		name: 'contact state: any history of events (with re-deliveries) ends in the same state in any order',
		property: fc.property(
			fc
				.integer({ min: 1, max: 30 })
				.chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => validEvent(i))))
				.chain((events) =>
					fc.tuple(
						fc.constant(events),
						fc.array(fc.nat(events.length - 1), { maxLength: 5 }),
					),
				)
				.chain(([events, repeats]) => {
					const history = [...events, ...repeats.map((i) => events[i]!)];
					return fc.tuple(fc.constant(history), permutation(history.length));
				}),
			([history, order]) => {
				const records = mapEvents(history).flatMap((r) => (r.ok ? [r.record] : []));
				if (records.length !== history.length) return false;
				const shuffled = order.map((i) => records[i]!);
				const a = replayContactChanges(records);
				const b = replayContactChanges(shuffled);
				return canonical(a) === canonical(b);
			},
		),
	},
	{
		name: 'delivery: any CRM answer -> delivered, retry or dead with a reason; each record of the batch planned exactly once',
		property: fc.property(
			fc.record(
				{
					statusCode: fc.oneof(fc.integer({ min: 0, max: 999 }), fc.constantFrom(200, 201, 207, 400, 403, 408, 429, 500, 503, 'ECONNRESET', '200', ' 503 ', 'ETIMEDOUT', ''), hostileJson),
					headers: fc.oneof(fc.dictionary(fc.oneof(fc.constantFrom('Retry-After', 'retry-after'), fc.string({ maxLength: 10 })), fc.oneof(fc.constantFrom('0', '5', '120', 'Wed, 21 Oct 2015 07:28:00 GMT', '-5', '1e400', '99999999999999999999'), hostileJson), { noNullPrototype: true }), hostileJson),
					body: fc.oneof(hostileJson, fc.string({ maxLength: 50 }), fc.constant([{ success: false }]), fc.constant([{ errorCode: 'REQUEST_LIMIT_EXCEEDED' }]), fc.uint8Array({ maxLength: 30 })),
					error: hostileJson,
				},
				{ requiredKeys: [] },
			),
			fc.array(fc.record({ acceptedAt: fc.integer({ min: 0, max: 2e12 }), attempts: fc.integer({ min: 0, max: 1000 }) }), { minLength: 1, maxLength: 50 }),
			fc.integer({ min: 0, max: 2e12 }),
			fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
			(answer, records, now, random) => {
				const verdict = classifyResponse(answer as never);
				if (!['delivered', 'retry', 'dead'].includes(verdict.outcome) || verdict.reason.length === 0) return false;
				const plan = planDelivery(verdict, records, now, () => random);
				const all = [...plan.delivered, ...plan.retry, ...plan.dead].sort((x, y) => x - y);
				if (JSON.stringify(all) !== JSON.stringify(records.map((_r, i) => i))) return false;
				if (plan.retry.length > 0 && !(typeof plan.retryAt === 'number' && plan.retryAt >= now && Number.isFinite(plan.retryAt))) return false;
				if (plan.dead.length > 0 && !(plan.deadReason ?? '').length) return false;
				return plan.pauseUntil === undefined || (verdict.outcome === 'retry' && verdict.rateLimited);
			},
		),
	},
	{
		name: 'retryDelay: any attempt and Retry-After -> a wait that is a number >= 0, never NaN',
		property: fc.property(
			fc.oneof(fc.integer({ min: -10, max: 10_000 }), fc.double()),
			fc.oneof(hostileJson, fc.constantFrom('5', '1e400', '-1', 'Wed, 21 Oct 2015 07:28:00 GMT', '99999999999999999999999', 'Infinity'), fc.double()),
			fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
			fc.integer({ min: 0, max: 2e12 }),
			(attempt, retryAfter, random, now) => {
				const wait = retryDelay(attempt, retryAfter, () => random, now);
				return typeof wait === 'number' && !Number.isNaN(wait) && wait >= 0;
			},
		),
	},
];

/** Cases per property: FUZZ_RUNS, else a small number that keeps `npm test` fast. */
export function runsPerProperty(): number {
	const fromEnv = Number(process.env['FUZZ_RUNS']);
	return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : 300;
}
