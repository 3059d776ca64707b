/**
 * Hostile requests against a real Node-RED 5 with the packed package and the shipped
 * "CRM - custom endpoint" example: each case has its expected status; afterwards the runtime
 * still delivers a normal batch, its Object/Array prototypes are untouched and its memory
 * comes back near the baseline. Then no secret appears in anything the runs showed.
 */
import { readFileSync, rmSync } from 'fs';
import { join } from 'path';
import { gzipSync } from 'zlib';

import { signBody } from '../../core';
import { startCrmSimulator, type CrmSimulator } from '../../tools/crm-simulator';
import { onATab, startNodeRed, type NodeRedProcess } from '../helpers/nodeRedProcess';
import { installPacked } from '../helpers/packedPackage';
import { rawRequest, rssMiB, slowRequest, stalledClients, type RawAnswer } from './hostileHttp';
import { PROBE_CAPTURED_PATH, PROBE_PROTOTYPES_PATH, probeNodes } from './nodeRedProbe';
import { deeplyNested, pollutionBody } from '../helpers/hostileBodies';

const SECRET = 'hostile-signing-secret-7Qx2';
const CRM_TOKEN = 'hostile-crm-token-9Kp4';
const SECRETS = [SECRET, CRM_TOKEN];
const LIMIT = 10 * 1024 * 1024;
const TAB = 'hostile-tab';
const EXAMPLE = JSON.parse(readFileSync(join(__dirname, '..', '..', 'examples', 'CRM - custom endpoint.json'), 'utf8')) as Array<Record<string, unknown>>;

interface Case {
	name: string;
	expected: number;
	send: () => Promise<RawAnswer>;
}

interface Row {
	name: string;
	expected: number;
	actual: number;
	ms: number;
	answer: string;
}

let sequence = 0;
function event(extra: Record<string, unknown> = {}) {
	const n = sequence++;
	return { status: 'open', eventId: `hostile-${n}`, recipient: `r${n}@example.com`, timestamp: 1_700_000_000_000 + n, recipientMeta: JSON.stringify({ crm_contact_id: `C-${n}` }), ...extra };
}

const sig = (body: Buffer | string) => signBody(SECRET, body);
const signedHeaders = (body: Buffer | string, extra: Record<string, string | string[]> = {}) => ({ 'Content-Type': 'application/json', 'X-Mailtarget-Signature': sig(body), ...extra });

describe('hostile requests against the custom-CRM example in a real Node-RED', () => {
	let crm: CrmSimulator;
	let nodeRed: NodeRedProcess;
	let url: string;
	const rows: Row[] = [];
	const answers: RawAnswer[] = [];
	let baselineRss = 0;

	const post = (body: Buffer | string, headers: Record<string, string | string[]> = signedHeaders(body)) => rawRequest(url, { body, headers });
	const batch = (events: unknown[]) => JSON.stringify({ batchId: `b-${sequence}`, retryCount: 0, events });
	async function delivered(eventId: string, timeoutMs = 30_000): Promise<boolean> {
		const start = Date.now();
		while (Date.now() - start < timeoutMs) {
			if (crm.activityCounts('custom').has(`mailtarget:${eventId}`)) return true;
			await new Promise((r) => setTimeout(r, 100));
		}
		return false;
	}

	beforeAll(async () => {
		crm = await startCrmSimulator({ tokens: { custom: CRM_TOKEN } });
		const userDir = installPacked('mailtarget-hostile-');
		nodeRed = await startNodeRed(userDir, { env: { MAILTARGET_WEBHOOK_SECRET: SECRET, CRM_BASE_URL: crm.url, CRM_TOKEN } });
		await nodeRed.deploy([...onATab(EXAMPLE, TAB, 'custom CRM'), ...probeNodes(TAB)]);
		url = `${nodeRed.url}/mailtarget`;
		const warm = event();
		expect((await post(batch([warm]))).status).toBe(200);
		expect(await delivered(warm.eventId)).toBe(true);
		await new Promise((r) => setTimeout(r, 1000));
		baselineRss = rssMiB(nodeRed.pid);
	}, 180_000);

	afterAll(async () => {
		await nodeRed?.stop();
		await crm?.close();
		if (nodeRed) rmSync(nodeRed.userDir, { recursive: true, force: true });
	});

	const CASES: Case[] = [
		{ name: 'empty body (signed)', expected: 400, send: () => post('') },
		{ name: 'empty body, no signature', expected: 401, send: () => post('', { 'Content-Type': 'application/json' }) },
		{ name: 'truncated JSON (signed)', expected: 400, send: () => { const b = batch([event()]); return post(b.slice(0, b.length - 7)); } },
		{ name: 'nesting 100 000 deep (signed)', expected: 400, send: () => post(deeplyNested(100_000, '1')) },
		{ name: 'nesting 100 000 deep inside an event (signed)', expected: 400, send: () => post(batch([event({ extra: 'DEEP' })]).replace('"DEEP"', deeplyNested(100_000, '1'))) },
		{ name: 'one byte over the 10 MiB limit (signed)', expected: 413, send: () => { const pad = 'x'.repeat(LIMIT); const b = Buffer.from(`{"events":[],"pad":"${pad}"}`).subarray(0, LIMIT + 1); return post(b); } },
		{ name: 'a batch of 100 000 tiny events (signed, just under the size limit)', expected: 413, send: () => post(JSON.stringify({ events: Array.from({ length: 100_000 }, (_, i) => ({ status: 'delay', eventId: `t${i}`, recipient: 'a@b.co', timestamp: 1.7e12 })) })) },
		{ name: 'invalid UTF-8 inside a JSON string (signed)', expected: 200, send: () => { const [head, tail] = batch([event({ subject: 'BYTES' })]).split('BYTES'); return post(Buffer.concat([Buffer.from(head!), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from(tail!)])); } },
		{ name: 'invalid UTF-8 bytes as the whole body (signed)', expected: 400, send: () => post(Buffer.from([0xff, 0xfe, 0xfd, 0x80, 0x00])) },
		{ name: 'gzip body, Content-Encoding: gzip, signature over the gzip bytes', expected: 400, send: () => { const g = gzipSync(batch([event()])); return post(g, signedHeaders(g, { 'Content-Encoding': 'gzip' })); } },
		{ name: 'gzip body, signature over the uncompressed JSON', expected: 401, send: () => { const b = batch([event()]); return post(gzipSync(b), signedHeaders(b, { 'Content-Encoding': 'gzip' })); } },
		{ name: 'Content-Type: text/plain (signed JSON)', expected: 200, send: () => { const b = batch([event()]); return post(b, signedHeaders(b, { 'Content-Type': 'text/plain' })); } },
		{ name: 'Content-Type: application/x-www-form-urlencoded (signed JSON)', expected: 200, send: () => { const b = batch([event()]); return post(b, signedHeaders(b, { 'Content-Type': 'application/x-www-form-urlencoded' })); } },
		{ name: 'Content-Type: multipart/form-data (signed JSON)', expected: 200, send: () => { const b = batch([event()]); return post(b, signedHeaders(b, { 'Content-Type': 'multipart/form-data; boundary=x' })); } },
		{ name: 'no Content-Type (signed JSON)', expected: 200, send: () => { const b = batch([event()]); return post(b, { 'X-Mailtarget-Signature': sig(b) }); } },
		{ name: 'signature header twice (a wrong one, then the right one)', expected: 401, send: () => { const b = batch([event()]); return post(b, { 'Content-Type': 'application/json', 'X-Mailtarget-Signature': ['0'.repeat(64), sig(b)] }); } },
		{ name: 'signature header twice (the right one twice)', expected: 401, send: () => { const b = batch([event()]); return post(b, { 'Content-Type': 'application/json', 'X-Mailtarget-Signature': [sig(b), sig(b)] }); } },
		{ name: 'signature header name in mixed case (x-MAILTARGET-signature)', expected: 200, send: () => { const b = batch([event()]); return post(b, { 'Content-Type': 'application/json', 'x-MAILTARGET-signature': sig(b) }); } },
		{ name: 'signature in upper-case hex with sha256= prefix', expected: 200, send: () => { const b = batch([event()]); return post(b, { 'X-Mailtarget-Signature': `sha256=${sig(b).toUpperCase()}` }); } },
		{ name: 'signature of the re-serialised body (body sent pretty-printed)', expected: 401, send: () => { const value = JSON.parse(batch([event()])) as unknown; const sent = JSON.stringify(value, null, 2); return post(sent, signedHeaders(JSON.stringify(value))); } },
		{ name: 'signature header of 8 KiB', expected: 401, send: () => { const b = batch([event()]); return post(b, { 'X-Mailtarget-Signature': 'a'.repeat(8192) }); } },
		{ name: 'one header of 20 KiB (beyond Node\'s 16 KiB header limit)', expected: 431, send: () => { const b = batch([event()]); return post(b, signedHeaders(b, { 'X-Padding': 'p'.repeat(20 * 1024) })); } },
		{ name: 'slow client: a signed batch in 10 pieces over 2 s', expected: 200, send: () => { const b = Buffer.from(batch([event()])); return slowRequest(url, { 'X-Mailtarget-Signature': sig(b), 'Content-Type': 'application/json' }, b, 10, 200); } },
		{
			name: 'a normal signed batch while 50 clients stall mid-body',
			expected: 200,
			send: async () => {
				const stalled = await stalledClients(url, 50, { 'X-Mailtarget-Signature': '0'.repeat(64) });
				try {
					const b = batch([event()]);
					return await post(b);
				} finally {
					stalled.release();
				}
			},
		},
		{ name: '__proto__ / constructor keys in envelope, event, metadata and as event types (signed)', expected: 200, send: () => post(pollutionBody(event)) },
		{ name: 'GET', expected: 405, send: () => rawRequest(url, { method: 'GET' }) },
	];

	test('each hostile request gets its expected status', async () => {
		for (const c of CASES) {
			const started = Date.now();
			const answer = await c.send();
			answers.push(answer);
			rows.push({ name: c.name, expected: c.expected, actual: answer.status, ms: Date.now() - started, answer: (answer.body || answer.error || '').slice(0, 60).replace(/\s+/g, ' ') });
		}
		const table = [
			'| request | expected | got | ms | answer |',
			'|---|---|---|---|---|',
			...rows.map((r) => `| ${r.name} | ${r.expected} | ${r.actual} | ${r.ms} | ${r.answer.replace(/\|/g, '\\|')} |`),
		].join('\n');
		console.log(`Hostile input, Node-RED ${require('node-red/package.json').version}:\n${table}`);
		expect(rows.filter((r) => r.actual !== r.expected).map((r) => `${r.name}: expected ${r.expected}, got ${r.actual} (${r.answer})`)).toEqual([]);
		// Every refusal says why, except Node's own 431, which closes the connection without a body.
		expect(rows.filter((r) => r.actual >= 400 && r.actual !== 431 && r.answer === '').map((r) => r.name)).toEqual([]);
	}, 300_000);

	test('prototype keys: no pollution of the runtime, and the event carrying them still reaches the CRM once', async () => {
		const prototypes = await nodeRed.get<{ object: string[]; array: string[]; pollutedRead: unknown[] }>(PROBE_PROTOTYPES_PATH);
		expect(prototypes.object).toEqual(Object.getOwnPropertyNames(Object.prototype).sort());
		expect(prototypes.array).toEqual(Object.getOwnPropertyNames(Array.prototype).sort());
		expect(prototypes.pollutedRead).toEqual([]);
		expect(await delivered('proto-1')).toBe(true);
		expect(crm.activityCounts('custom').get('mailtarget:proto-1')).toBe(1);
		const record = crm.writes.find((w) => w.key === 'mailtarget:proto-1')!.item as { contact: { id: string } };
		expect(record.contact.id).toBe('C-proto');
		// "__proto__" and "constructor" as event types are "other" events: acknowledged, not sent, not an error.
		expect(crm.activityCounts('custom').has('mailtarget:proto-2')).toBe(false);
		expect(nodeRed.output()).not.toMatch(/TypeError|RangeError|Maximum call stack/);
	}, 60_000);

	test('afterwards the runtime keeps serving and its memory returns near the baseline', async () => {
		const after = event();
		expect((await post(batch([after]))).status).toBe(200);
		expect(await delivered(after.eventId)).toBe(true);
		let rss = rssMiB(nodeRed.pid);
		const peak = rss;
		for (let i = 0; i < 60 && rss > baselineRss + 120; i++) {
			await new Promise((r) => setTimeout(r, 1000));
			rss = rssMiB(nodeRed.pid);
		}
		console.log(`Node-RED RSS: baseline ${baselineRss.toFixed(0)} MiB, after the hostile table ${peak.toFixed(0)} MiB, settled ${rss.toFixed(0)} MiB`);
		expect(rss).toBeLessThan(baselineRss + 120);
	}, 120_000);

	test('no secret in any log line, node status, caught error, HTTP answer or exported flow (diagnostics on too)', async () => {
		// Diagnostics is the feature most likely to print too much: turn it on, fail and pass a signature.
		const withDiagnostics = EXAMPLE.map((node) => (node.type === 'mailtarget-trigger' ? { ...node, diagnostics: true } : node));
		await nodeRed.deploy([...onATab(withDiagnostics, TAB, 'custom CRM'), ...probeNodes(TAB)]);
		const b = batch([event()]);
		answers.push(await post(b, { 'X-Mailtarget-Signature': '1'.repeat(64) }));
		answers.push(await post(b));
		answers.push(await post(b, { 'X-Mailtarget-Signature': sig(b).slice(0, 63) }));
		const crmDown = event();
		crm.inject({ kind: 'status', status: 401, count: 1, crm: 'custom', body: { error: 'unauthorized' } });
		answers.push(await post(batch([crmDown])));
		await new Promise((r) => setTimeout(r, 2000));

		const captured = await nodeRed.get<unknown[]>(PROBE_CAPTURED_PATH);
		const flows = await nodeRed.get<unknown>('/flows');
		const texts: Array<[string, string]> = [
			['Node-RED log', nodeRed.output()],
			['node statuses and caught errors', JSON.stringify(captured)],
			['HTTP answers', JSON.stringify(answers)],
			['exported flows (GET /flows)', JSON.stringify(flows)],
			['flows.json on disk', readFileSync(join(nodeRed.userDir, 'flows.json'), 'utf8')],
		];
		expect(nodeRed.output()).toContain('"signatureHeader"');
		expect(captured.length).toBeGreaterThan(0);
		const leaks = texts.flatMap(([where, text]) => SECRETS.filter((secret) => text.includes(secret)).map((secret) => `${where} contains ${secret === SECRET ? 'the signing secret' : 'the CRM token'}`));
		expect(leaks).toEqual([]);
	}, 60_000);
});
