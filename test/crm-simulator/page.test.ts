/**
 * The CRM page: its JSON state after known writes (timelines, opens counted, flags, freshness,
 * faults), the HTML it serves (self-contained, nothing fetched from elsewhere, a CSP that lets
 * only its own script run), and that its routes are neither recorded nor rate limited.
 */
import { createHash } from 'crypto';
import fc from 'fast-check';

import { pageState, startCrmSimulator, type CrmSimulator, type CrmView, type PageState, type RecordedRequest, type RecordedWrite } from '../../tools/crm-simulator';
import { PAGE_SCRIPT } from '../../tools/crm-simulator/pageScript';
import { campaignRecords, exampleFunction, send } from './exampleCalls';
import { manualClock } from './http';

const T0 = 1_700_000_000_000;
const iso = (ms: number) => new Date(ms).toISOString();

interface Draft {
	id: string;
	event: string;
	at: number;
	contact: { id: string | null; email: string };
	activity?: Record<string, unknown>;
	contactChanges?: Record<string, unknown>;
}

/** An activity record in the shape the mapper emits (core/mapping/types.ts ActivityRecord). */
function record(d: Draft) {
	const type = d.event === 'complaint' ? 'email.complained' : `email.${d.event}`;
	return {
		id: d.id,
		event: d.event,
		occurredAt: iso(d.at),
		recipient: d.contact.email,
		contact: d.contact,
		deal: null,
		owner: null,
		activity: { type, subject: 'Your proposal', ...d.activity },
		contactChanges: d.contactChanges ?? {},
		tasks: [],
		source: { provider: 'mailtarget', eventId: d.id, transmissionId: null, messageId: null, batchId: null, retryCount: null },
		raw: {},
	};
}

const ALICE = { id: 'c-alice', email: 'alice@example.com' };
const BOB = { id: null, email: 'bob@example.com' };
const opened = (id: string, at: number) =>
	record({ id, event: 'opened', at, contact: ALICE, contactChanges: { emailLastOpenedAt: iso(at), emailOpenCount: { increment: 1 } } });

async function post(sim: CrmSimulator, body: unknown, token?: string): Promise<number> {
	const res = await fetch(`${sim.url}/activities`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
		body: JSON.stringify(body),
	});
	await res.arrayBuffer();
	return res.status;
}

async function state(sim: CrmSimulator): Promise<PageState> {
	const res = await fetch(`${sim.url}/_simulator/state`);
	expect(res.status).toBe(200);
	expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
	return (await res.json()) as PageState;
}

const view = (s: PageState, crm: string): CrmView => s.crms.find((c) => c.crm === crm)!;
const contactIn = (v: CrmView, key: string) => {
	const found = v.contacts.find((c) => c.key === key);
	if (!found) throw new Error(`no contact ${key} in ${v.contacts.map((c) => c.key).join(', ')}`);
	return found;
};

describe('CRM page state after a known sequence of custom-CRM writes', () => {
	const clock = manualClock(T0);
	let sim: CrmSimulator;
	let s: PageState;

	beforeAll(async () => {
		sim = await startCrmSimulator({ now: clock.now, tokens: { custom: 'tok-SECRET-1234' } });
		const token = 'tok-SECRET-1234';
		const del = record({ id: 'a-del', event: 'delivered', at: T0 - 5000, contact: ALICE, contactChanges: { emailDeliveredAt: iso(T0 - 5000) } });
		expect(await post(sim, [del, opened('a-open1', T0 - 4000)], token)).toBe(201);

		// Two 429s the queue waits out, then the batch lands at T0 + 2 s.
		sim.inject({ kind: 'status', status: 429, count: 2, crm: 'custom', retryAfterSeconds: 1 });
		const click = record({
			id: 'a-click',
			event: 'clicked',
			at: T0 - 1000,
			contact: ALICE,
			activity: { url: 'https://example.com/proposal?x=1' },
			contactChanges: { emailLastClickedAt: iso(T0 - 1000) },
		});
		const batch = [opened('a-open2', T0 - 3000), opened('a-open3', T0 - 2000), click];
		expect(await post(sim, batch, token)).toBe(429);
		clock.advance(1000);
		expect(await post(sim, batch, token)).toBe(429);
		clock.advance(1000);
		expect(await post(sim, batch, token)).toBe(201);
		// Mailtarget re-delivers an open: the CRM answers "duplicate", nothing new is counted.
		expect(await post(sim, [opened('a-open3', T0 - 2000)], token)).toBe(200);
		expect(await post(sim, [opened('a-open3', T0 - 2000)], 'wrong')).toBe(401);

		clock.advance(68_000);
		const later = [
			record({ id: 'a-hard', event: 'bounced', at: T0 - 500, contact: ALICE, activity: { bounce: { class: 'hard', code: 10, reason: '550 5.1.1 user unknown' } }, contactChanges: { emailUndeliverable: true } }),
			record({ id: 'b-soft', event: 'bounced', at: T0, contact: BOB, activity: { bounce: { class: 'soft', code: 22, reason: 'Mailbox full' } } }),
			record({ id: 'b-complaint', event: 'complaint', at: T0 + 1000, contact: BOB, contactChanges: { doNotContact: true } }),
			record({ id: 'b-unsub', event: 'unsubscribed', at: T0 + 2000, contact: BOB, contactChanges: { marketingOptOut: true } }),
		];
		expect(await post(sim, later, token)).toBe(201);
		sim.inject({ kind: 'status', status: 503, count: 1, crm: 'custom' });
		expect(await post(sim, later.slice(0, 1), token)).toBe(503);
		s = await state(sim);
	});
	afterAll(() => sim.close());

	test('each contact has its timeline: delivered, opened ×3 (the re-delivery not counted), clicked with the URL, bounces by class', () => {
		const custom = view(s, 'custom');
		expect(custom.activities).toBe(9);
		expect(custom.duplicates).toBe(1);
		expect(custom.contactsTotal).toBe(2);

		const alice = contactIn(custom, 'c-alice');
		expect(alice.email).toBe('alice@example.com');
		expect(alice.counts).toEqual({ delivered: 1, opened: 3, clicked: 1, bounced: 1, complaint: 0, unsubscribed: 0, other: 0 });
		expect(alice.bounces).toEqual({ hard: 1, soft: 0, unknown: 0 });
		expect(alice.timeline.map((a) => a.key)).toEqual(['a-hard', 'a-click', 'a-open3', 'a-open2', 'a-open1', 'a-del']);
		expect(alice.timeline.find((a) => a.key === 'a-click')).toMatchObject({ type: 'clicked', url: 'https://example.com/proposal?x=1' });
		expect(alice.timeline.find((a) => a.key === 'a-hard')).toMatchObject({ type: 'bounced', bounce: { class: 'hard', code: 10, reason: '550 5.1.1 user unknown' } });
		expect(alice.timeline.find((a) => a.key === 'a-open3')!.repeats).toBe(1);

		const bob = contactIn(custom, 'bob@example.com');
		expect(bob.counts).toEqual({ delivered: 0, opened: 0, clicked: 0, bounced: 1, complaint: 1, unsubscribed: 1, other: 0 });
		expect(bob.bounces).toEqual({ hard: 0, soft: 1, unknown: 0 });
	});

	test('flags: a hard bounce makes the address undeliverable; a complaint means do-not-contact; an unsubscribe opts out', () => {
		const custom = view(s, 'custom');
		expect(contactIn(custom, 'c-alice').flags).toEqual({ undeliverable: true, doNotContact: false, optedOut: false });
		expect(contactIn(custom, 'bob@example.com').flags).toEqual({ undeliverable: false, doNotContact: true, optedOut: true });
	});

	test('CRM freshness: each activity shows event time, write time and the gap; p50/p95 over all of them', () => {
		const alice = contactIn(view(s, 'custom'), 'c-alice');
		const open2 = alice.timeline.find((a) => a.key === 'a-open2')!;
		// Event 3 s before T0, written after the two 429s at T0 + 2 s.
		expect(open2).toMatchObject({ eventAt: iso(T0 - 3000), writtenAt: iso(T0 + 2000), freshnessMs: 5000 });
		expect(alice.timeline.find((a) => a.key === 'a-hard')).toMatchObject({ writtenAt: iso(T0 + 70_000), freshnessMs: 70_500 });
		// Gaps: 5000, 4000 | 5000, 4000, 3000 | 70500, 70000, 69000, 68000.
		expect(view(s, 'custom').freshness).toEqual({ count: 9, p50Ms: 5000, p95Ms: 70_500, maxMs: 70_500, withinTarget: 5 });
		expect(s.freshnessTargetMs).toBe(60_000);
	});

	test('faults: the two 429s the queue waited out, the 503, the 401, newest first', () => {
		const { faults } = view(s, 'custom');
		expect(faults).toMatchObject({ rateLimited: 2, serverErrors: 1, unauthorized: 1, resets: 0, rejected: 0 });
		expect(faults.recent.map((f) => f.status)).toEqual([503, 401, 429, 429]);
		expect(faults.recent[2]).toMatchObject({ method: 'POST', path: '/activities', label: '429 Too Many Requests', at: iso(T0 + 1000) });
	});

	test('chart: 9 distinct events received, 9 written, 4 refused or failed requests', () => {
		const chart = view(s, 'custom').chart!;
		expect(chart.startAt).toBe(iso(T0));
		expect(chart.received.at(-1)).toBe(9);
		expect(chart.written.at(-1)).toBe(9);
		expect(chart.faults.reduce((a, b) => a + b, 0)).toBe(4);
		// Cumulative series never go down, and writing never runs ahead of receiving.
		chart.written.forEach((w, i) => {
			expect(w).toBeLessThanOrEqual(chart.received[i]!);
			if (i > 0) expect(w).toBeGreaterThanOrEqual(chart.written[i - 1]!);
		});
	});

	test('the other CRMs are empty, and nothing in the state or the page is a token', async () => {
		for (const crm of ['hubspot', 'salesforce', 'zendesk']) {
			expect(view(s, crm)).toMatchObject({ requests: 0, writes: 0, activities: 0, contacts: [], freshness: null, chart: null });
		}
		const text = JSON.stringify(s) + (await (await fetch(sim.pageUrl)).text());
		expect(text).not.toContain('tok-SECRET-1234');
		expect(text).not.toMatch(/authorization/i);
	});
});

describe('CRM page routes', () => {
	let sim: CrmSimulator;

	beforeAll(async () => {
		sim = await startCrmSimulator({ limits: { custom: { max: 1, intervalMs: 60_000 } }, tokens: { custom: 'page-token' } });
	});
	afterAll(() => sim.close());

	test('pageUrl is GET /; / and /crm serve the HTML page with a CSP that lets only its own inline script and style run', async () => {
		expect(sim.pageUrl).toBe(`${sim.url}/`);
		for (const path of ['/', '/crm']) {
			const res = await fetch(sim.url + path);
			expect(res.status).toBe(200);
			expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
			const html = await res.text();
			expect(html).toMatch(/^<!doctype html>/);
			expect(html).toContain('<title>CRM simulator · Mailtarget email activity</title>');
			expect(html).toContain('Waiting for events…');

			const csp = res.headers.get('content-security-policy')!;
			expect(csp).toContain("default-src 'none'");
			expect(csp).toContain("connect-src 'self'");
			const script = /<script>([\s\S]*)<\/script>/.exec(html)![1]!;
			expect(script).toBe(PAGE_SCRIPT);
			expect(csp).toContain(`script-src 'sha256-${createHash('sha256').update(script).digest('base64')}'`);
			const style = /<style>([\s\S]*)<\/style>/.exec(html)![1]!;
			expect(csp).toContain(`style-src 'sha256-${createHash('sha256').update(style).digest('base64')}'`);
		}
	});

	test('the page loads nothing from elsewhere: no http(s) URL in any src/href/url()/import, only the SVG namespace', async () => {
		const html = await (await fetch(sim.pageUrl)).text();
		const targets = [...html.matchAll(/\b(?:src|href|action)\s*=\s*["']?([^"'\s>]*)/gi)].map((m) => m[1]!);
		for (const target of targets) expect(target).toMatch(/^\/(?!\/)/);
		expect(html).not.toMatch(/url\(|@import|<link\b|<iframe\b|<img\b/i);
		expect([...html.matchAll(/[a-z]+:\/\/[^\s'"]*/gi)].map((m) => m[0])).toEqual(['http://www.w3.org/2000/svg']);
		expect((await fetch(`${sim.url}/favicon.ico`)).status).toBe(204);
	});

	test('the script only ever adds text nodes: no innerHTML, outerHTML, insertAdjacentHTML, document.write or eval', () => {
		expect(PAGE_SCRIPT).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\b|new Function/);
		expect(PAGE_SCRIPT).toContain('createTextNode');
	});

	test('page routes are not CRM requests: not recorded, not given to onRequest, never rate limited', async () => {
		sim.reset();
		for (let i = 0; i < 4; i++) {
			for (const path of ['/', '/crm', '/_simulator/state', '/favicon.ico', '/_simulator/nope']) await (await fetch(sim.url + path)).arrayBuffer();
			await (await fetch(sim.url + '/', { method: 'HEAD' })).arrayBuffer();
		}
		const events = new AbortController();
		const stream = await fetch(`${sim.url}/_simulator/events`, { signal: events.signal });
		expect(stream.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
		events.abort();
		expect(sim.requests).toHaveLength(0);
		expect(sim.maxRequestsInWindow('custom')).toBe(0);

		// The one request the limit allows per minute is still there for the CRM.
		const one = record({ id: 'r1', event: 'delivered', at: Date.now(), contact: ALICE });
		expect(await post(sim, [one], 'page-token')).toBe(201);
		expect(sim.requests).toHaveLength(1);
		expect(sim.rateLimitedCount('custom')).toBe(0);
		expect((await fetch(`${sim.url}/_simulator/state`, { method: 'POST' })).status).toBe(405);
		expect(sim.requests).toHaveLength(1);
	});

	test('a POST to / is still a CRM request (recorded 404), as before the page existed', async () => {
		sim.reset();
		const res = await fetch(sim.pageUrl, { method: 'POST', body: '{}', headers: { 'Content-Type': 'application/json' } });
		expect(res.status).toBe(404);
		expect(sim.requests.map((r) => [r.method, r.path, r.status])).toEqual([['POST', '/', 404]]);
	});

	test('the event stream tells an open page about each CRM request', async () => {
		sim.reset();
		const events = new AbortController();
		const res = await fetch(`${sim.url}/_simulator/events`, { signal: events.signal });
		const reader = res.body!.getReader();
		const decoder = new TextDecoder();
		let seen = '';
		const readUntil = async (pattern: RegExp) => {
			for (let i = 0; i < 20 && !pattern.test(seen); i++) seen += decoder.decode((await reader.read()).value);
			return pattern.test(seen);
		};
		expect(await readUntil(/^retry: \d+\ndata: (\d+)\n\n/)).toBe(true);
		const first = Number(/data: (\d+)/.exec(seen)![1]);
		await post(sim, [record({ id: 'r2', event: 'delivered', at: Date.now(), contact: ALICE })], 'page-token');
		expect(await readUntil(new RegExp(`data: ${first + 1}\\n\\n`))).toBe(true);
		events.abort();
	});

	test('times no Date can hold, or no contact at all, still give a state (the activity shown under "no contact")', async () => {
		sim.reset();
		const odd = { ...record({ id: 'odd1', event: 'opened', at: 0, contact: ALICE }), occurredAt: '99999999999999999', contact: {}, recipient: null };
		expect(await post(sim, [odd], 'page-token')).toBe(201);
		const res = await fetch(`${sim.url}/_simulator/state`);
		expect(res.status).toBe(200);
		const custom = view((await res.json()) as PageState, 'custom');
		expect(custom.activities).toBe(1);
		expect(custom.contacts[0]).toMatchObject({ key: '(no contact in the record)', timeline: [{ key: 'odd1', eventAt: null, freshnessMs: null }] });
	});

	test('recorded data is data: a hostile recipient and subject reach the JSON as they are, never the HTML', async () => {
		sim.reset();
		const hostile = '<img src=x onerror=alert(1)>';
		const evil = record({ id: 'x1', event: 'opened', at: Date.now(), contact: { id: null, email: hostile }, activity: { subject: '</script><script>alert(2)</script>' } });
		expect(await post(sim, [evil], 'page-token')).toBe(201);
		const res = await fetch(`${sim.url}/_simulator/state`);
		expect(res.headers.get('x-content-type-options')).toBe('nosniff');
		const s = (await res.json()) as PageState;
		const contact = contactIn(view(s, 'custom'), hostile);
		expect(contact.email).toBe(hostile);
		expect(contact.timeline[0]!.subject).toBe('</script><script>alert(2)</script>');
		const html = await (await fetch(sim.pageUrl)).text();
		expect(html).not.toContain(hostile);
		expect(html).not.toMatch(/<img|alert\(/);
	});
});

describe('CRM page state for HubSpot, Salesforce and Zendesk, from the calls the examples build', () => {
	let sim: CrmSimulator;
	// campaignEvents(2): contact0 gets delivery, 2 opens, a click, a hard and a soft bounce, a complaint, an unsubscribe;
	// contact1 delivery, 2 opens and a click. Events span 13 minutes ending a minute ago.
	const start = Date.now() - 14 * 60_000;

	beforeAll(async () => {
		sim = await startCrmSimulator();
	});
	afterAll(() => sim.close());
	beforeEach(() => sim.reset());

	const CONTACT0 = { delivered: 1, opened: 2, clicked: 1, bounced: 2, complaint: 1, unsubscribed: 1, other: 0 };
	const CONTACT1 = { delivered: 1, opened: 2, clicked: 1, bounced: 0, complaint: 0, unsubscribed: 0, other: 0 };
	const ALL_FLAGS = { undeliverable: true, doNotContact: true, optedOut: true };
	const NO_FLAGS = { undeliverable: false, doNotContact: false, optedOut: false };

	function expectFresh(v: CrmView) {
		expect(v.freshness!.count).toBe(v.activities);
		expect(v.freshness!.p50Ms).toBeGreaterThan(0);
		expect(v.freshness!.maxMs).toBeLessThan(15 * 60_000);
	}

	test('HubSpot: notes become the timeline (type, URL, bounce class from the note), contact properties the flags', async () => {
		const records = campaignRecords('hubspot', 2, start);
		const vars = { HUBSPOT_BASE_URL: sim.url, HUBSPOT_TOKEN: 'x' };
		expect(await send(exampleFunction('CRM - HubSpot.json', 'build HubSpot notes call', vars)(records))).toBe(201);
		const withContact = records.filter((r) => r.hubspot!.api.contactUpsert);
		expect(await send(exampleFunction('CRM - HubSpot.json', 'build HubSpot contacts call', vars)(withContact))).toBe(200);

		const v = view(await state(sim), 'hubspot');
		expect(v.activities).toBe(records.length);
		expect(v.contactsTotal).toBe(2);
		const c0 = contactIn(v, 'contact0@example.com');
		expect(c0.counts).toEqual(CONTACT0);
		expect(c0.bounces).toEqual({ hard: 1, soft: 1, unknown: 0 });
		expect(c0.flags).toEqual(ALL_FLAGS);
		expect(c0.timeline.find((a) => a.type === 'clicked')).toMatchObject({ url: 'https://your-domain.com/proposals/1', subject: 'Your proposal is ready' });
		expect(c0.timeline.find((a) => a.bounce?.class === 'hard')!.bounce).toMatchObject({ code: 10, reason: '550 5.1.1 user unknown' });
		const c1 = contactIn(v, 'contact1@example.com');
		expect(c1.counts).toEqual(CONTACT1);
		expect(c1.flags).toEqual(NO_FLAGS);
		expectFresh(v);
	});

	test('Salesforce: Tasks by WhoId become the timeline; Contact fields (EmailBouncedDate, HasOptedOutOfEmail, do-not-contact) the flags', async () => {
		const records = campaignRecords('salesforce', 2, start);
		const vars = { SALESFORCE_INSTANCE_URL: sim.url, SALESFORCE_ACCESS_TOKEN: 'x' };
		expect(await send(exampleFunction('CRM - Salesforce.json', 'build Salesforce tasks call', vars)(records))).toBe(200);
		const withWho = records.filter((r) => r.salesforce!.api.whoUpdate);
		expect(await send(exampleFunction('CRM - Salesforce.json', 'build Salesforce contacts call', vars)(withWho))).toBe(200);
		// A re-sent batch upserts the same tasks: repeats, not new activities.
		expect(await send(exampleFunction('CRM - Salesforce.json', 'build Salesforce tasks call', vars)(records.slice(0, 3)))).toBe(200);

		const v = view(await state(sim), 'salesforce');
		expect(v.activities).toBe(records.length);
		expect(v.duplicates).toBe(3);
		const c0 = contactIn(v, '0035g0000000000');
		expect(c0.email).toBe('contact0@example.com');
		expect(c0.counts).toEqual(CONTACT0);
		expect(c0.flags).toEqual(ALL_FLAGS);
		expect(c0.timeline.find((a) => a.type === 'clicked')!.url).toBe('https://your-domain.com/proposals/1');
		expect(contactIn(v, '0035g0000000001').flags).toEqual(NO_FLAGS);
		expectFresh(v);
	});

	test('Zendesk: tickets (complaint, hard bounce) and the user fields make the timeline; user fields the flags', async () => {
		const records = campaignRecords('zendesk', 2, start);
		const vars = { ZENDESK_BASE_URL: sim.url, ZENDESK_TOKEN: 'x' };
		const withUser = records.filter((r) => r.zendesk!.user);
		expect(await send(exampleFunction('CRM - Zendesk.json', 'build Zendesk users call', vars)(withUser))).toBe(200);
		const ticketCall = exampleFunction('CRM - Zendesk.json', 'build Zendesk tickets call', vars);
		for (const r of records.filter((r) => r.zendesk!.ticket)) expect(await send(ticketCall(r))).toBe(201);

		const v = view(await state(sim), 'zendesk');
		const c0 = contactIn(v, 'contact0@example.com');
		// One users call carries each contact's newest timestamps, so one delivered/opened/clicked per contact.
		expect(c0.counts).toEqual({ delivered: 1, opened: 1, clicked: 1, bounced: 1, complaint: 1, unsubscribed: 0, other: 0 });
		expect(c0.flags).toEqual(ALL_FLAGS);
		expect(c0.timeline.filter((a) => a.source === 'activity').map((a) => a.type).sort()).toEqual(['bounced', 'complaint']);
		const opened = c0.timeline.find((a) => a.type === 'opened')!;
		expect(opened).toMatchObject({ source: 'contact field', eventAt: iso(start + 9 * 60_000) });
		expect(contactIn(v, 'contact1@example.com').flags).toEqual(NO_FLAGS);
		expectFresh(v);
	});
});

describe('CRM page state from any recorded data', () => {
	const ACTIVITY_KIND = { custom: 'activity', hubspot: 'note', salesforce: 'task', zendesk: 'ticket' } as const;
	const isObject = (value: unknown) => typeof value === 'object' && value !== null && !Array.isArray(value);
	const RUNS = Number(process.env['FUZZ_RUNS']) > 0 ? Number(process.env['FUZZ_RUNS']) : 300;
	const crm = fc.constantFrom('custom' as const, 'hubspot' as const, 'salesforce' as const, 'zendesk' as const);
	const kind = fc.constantFrom('activity', 'note', 'task', 'ticket', 'contact', 'lead', 'user', 'optout');
	const text = fc.oneof(fc.string(), fc.constantFrom('Email opened: x', 'Recipient: a@b.c\nWhen: 99999999999999999999\nBounce: hard (code 9)', '2026-13-45T99:99'));
	const value = fc.oneof(text, fc.anything(), fc.double(), fc.constant('99999999999999999'));
	const item = fc.oneof(
		fc.anything(),
		fc.dictionary(fc.constantFrom('id', 'occurredAt', 'contact', 'activity', 'recipient', 'properties', 'Subject', 'Description', 'WhoId', 'subject', 'comment', 'email', 'user_fields', 'emailAddress', 'idProperty', 'associations'), fc.oneof(value, fc.dictionary(fc.string(), value))),
	);
	const write = fc.record({ at: fc.integer({ min: 0, max: 2 ** 40 }), crm, method: fc.constant('POST'), path: fc.string(), kind, key: fc.option(fc.string()), item, created: fc.boolean() });
	const request = fc.record({
		at: fc.integer({ min: 0, max: 2 ** 40 }),
		crm,
		method: fc.constant('POST'),
		path: fc.constantFrom('/activities', '/crm/v3/objects/notes/batch/create', '/services/data/v60.0/composite/sobjects', '/api/v2/tickets.json', '/api/v2/users/create_or_update_many'),
		status: fc.constantFrom(0, 200, 201, 403, 429, 503),
		headers: fc.constant({}),
		body: item,
	});

	test('never throws, always serialises, counts every written activity once and every failed request once', () => {
		fc.assert(
			fc.property(fc.array(request, { maxLength: 8 }), fc.array(write, { maxLength: 12 }), (requests, writes) => {
				const sorted = [...requests].sort((a, b) => a.at - b.at) as RecordedRequest[];
				const s = pageState({ requests: sorted, writes: writes as RecordedWrite[], customContacts: new Map(), now: 2 ** 40 });
				expect(() => JSON.stringify(s)).not.toThrow();
				for (const v of s.crms) {
					// Oracle: one activity per distinct key (and per keyless write) of the CRM's activity kind.
					const own = writes.filter((w) => w.crm === v.crm && w.kind === ACTIVITY_KIND[v.crm] && (v.crm !== 'custom' || isObject(w.item)));
					const expected = new Set(own.filter((w) => w.key !== null).map((w) => w.key)).size + own.filter((w) => w.key === null).length;
					expect(v.activities).toBe(expected);
					expect(v.contacts.reduce((n, c) => n + c.timeline.filter((a) => a.source === 'activity').length, 0)).toBe(expected);
					expect(v.duplicates).toBe(own.length - expected);
					expect(v.faults.rateLimited + v.faults.serverErrors + v.faults.resets + v.faults.unauthorized + v.faults.rejected).toBe(
						sorted.filter((r) => r.crm === v.crm && (r.status === 0 || r.status >= 400)).length,
					);
				}
			}),
			{ numRuns: RUNS },
		);
	});
});
