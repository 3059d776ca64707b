/**
 * Hostile requests against a real n8n 2.41.1 running the packed package and the shipped custom-CRM
 * ingest template: each case has its expected status (n8n's own body reader and parsers answer
 * some of them before the Mailtarget Trigger); afterwards n8n still stores a good batch, no
 * prototype is polluted and its memory settles near the baseline.
 */
import { spawnSync } from 'child_process';
import { existsSync, readFileSync } from 'fs';
import { join } from 'path';
import { gzipSync } from 'zlib';

import { signBody } from '../../core';
import { startCrmSimulator, type CrmSimulator } from '../../tools/crm-simulator';
import { hasN8nServer, N8N_HOST_DIR, node24, startN8nServer, type N8nServer } from '../helpers/n8nServer';
import { loadTemplate, tableRows, webhookPathOf, withCredentials, withScheduleSeconds, withSettings, type Template } from '../helpers/n8nTemplates';
import { rawRequest, rssMiB, slowRequest, stalledClients, type RawAnswer } from './hostileHttp';
import { sleep } from '../helpers/waiting';
import { deeplyNested, pollutionBody } from '../helpers/hostileBodies';

const PKG = '@crm-bridge/n8n-nodes-mailtarget';
const SECRET = 'n8n-hostile-signing-secret-5Vb1';
const BASIC_USER = 'mailtarget-hooks';
const BASIC_PASSWORD = 'n8n-hostile-basic-password-8Jw3';
const CRM_TOKEN = 'n8n-hostile-crm-token-2Hs6';
const SECRETS: Record<string, string> = { 'the signing secret': SECRET, 'the Basic-auth password': BASIC_PASSWORD, 'the CRM token': CRM_TOKEN };
const DEAD = 'mailtarget_custom_deadletters';
/** What `startN8nServer` gives n8n, for an `n8n export:workflow` beside the running server. */
const ENCRYPTION_KEY = 'mailtarget-test-encryption-key';
const OUTBOX = 'mailtarget_custom_outbox';
const OUR_LIMIT = 10 * 1024 * 1024;
const N8N_LIMIT = 16 * 1024 * 1024;
const PROBE_PATH = 'mailtarget-prototype-probe';

interface Case {
	name: string;
	expected: number;
	send: () => Promise<RawAnswer>;
}

let sequence = 0;
function event(extra: Record<string, unknown> = {}) {
	const n = sequence++;
	return { status: 'open', eventId: `n8n-hostile-${n}`, recipient: `r${n}@example.com`, timestamp: 1_700_000_000_000 + n, recipientMeta: JSON.stringify({ crm_contact_id: `C-${n}` }), ...extra };
}
const sig = (body: Buffer | string) => signBody(SECRET, body);
const signedHeaders = (body: Buffer | string, extra: Record<string, string | string[]> = {}) => ({ 'Content-Type': 'application/json', 'X-Mailtarget-Signature': sig(body), ...extra });

/** A webhook whose answer reads, in an expression in the n8n main process, the keys the pollution body tried to put on Object and Array prototypes. */
function prototypeProbe(): Template {
	return {
		name: 'prototype probe',
		nodes: [
			{ name: 'Probe', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0], webhookId: PROBE_PATH, parameters: { path: PROBE_PATH, httpMethod: 'GET', responseMode: 'lastNode', options: {} } },
			{
				name: 'Prototypes',
				type: 'n8n-nodes-base.set',
				typeVersion: 3.4,
				position: [200, 0],
				parameters: {
					mode: 'manual',
					includeOtherFields: false,
					assignments: {
						assignments: [
							{ id: 'p1', name: 'objectReads', type: 'string', value: '={{ [({}).polluted, ({}).status, ("polluted" in {})].map(String).join(",") }}' },
							{ id: 'p2', name: 'arrayReads', type: 'string', value: '={{ [[].polluted, [].status, ("polluted" in [])].map(String).join(",") }}' },
						],
					},
					options: {},
				},
			},
		],
		connections: { Probe: { main: [[{ node: 'Prototypes', type: 'main', index: 0 }]] } },
		settings: {},
	} as unknown as Template;
}

const describeIfN8n = hasN8nServer() ? describe : describe.skip;

describeIfN8n('hostile requests against the custom-CRM ingest template in a real n8n 2.41.1', () => {
	let server: N8nServer;
	let crm: CrmSimulator;
	let credentials: Record<string, { id: string; name: string }>;
	let url: string;
	let baselineRss = 0;
	const answers: RawAnswer[] = [];

	const post = (body: Buffer | string, headers: Record<string, string | string[]> = signedHeaders(body)) => rawRequest(url, { body, headers });
	const batch = (events: unknown[]) => JSON.stringify({ batchId: `b-${sequence}`, retryCount: 0, events });
	async function stored(eventId: string, timeoutMs = 30_000): Promise<boolean> {
		const deadline = Date.now() + timeoutMs;
		while (Date.now() < deadline) {
			if ((await tableRows(server, OUTBOX)).some((row) => row.recordId === `mailtarget:${eventId}`)) return true;
			await sleep(250);
		}
		return false;
	}

	beforeAll(async () => {
		crm = await startCrmSimulator({ tokens: { custom: CRM_TOKEN } });
		server = await startN8nServer({ env: { N8N_LOG_LEVEL: 'debug' } });
		const webhookCredential = await server.createCredential('Mailtarget Webhook', 'mailtargetWebhookApi', { signingSecret: SECRET, basicAuthUser: BASIC_USER, basicAuthPassword: BASIC_PASSWORD });
		const crmCredential = await server.createCredential('Custom CRM token', 'httpHeaderAuth', { name: 'Authorization', value: `Bearer ${CRM_TOKEN}` });
		credentials = { mailtargetWebhookApi: webhookCredential, httpHeaderAuth: crmCredential };
		const setup = loadTemplate('Mailtarget to custom CRM - 1 setup.json');
		const created = await server.createWorkflow(setup, { activate: true });
		const setupPath = webhookPathOf(setup, 'n8n-nodes-base.webhook');
		for (let tries = 0; (await fetch(`${server.url}/webhook/${setupPath}`)).status !== 200; tries++) {
			if (tries > 120) throw new Error('the setup workflow did not run');
			await sleep(250);
		}
		await server.deactivateWorkflow(created.id);
		const ingest = withCredentials(loadTemplate('Mailtarget to custom CRM - 2 ingest.json'), credentials);
		await server.createWorkflow(ingest, { activate: true });
		const ingestPath = webhookPathOf(ingest, `${PKG}.mailtargetTrigger`);
		url = `${server.url}/webhook/${ingestPath}`;
		await server.waitForWebhook(ingestPath);
		await server.createWorkflow(prototypeProbe(), { activate: true });
		const warm = event();
		expect((await post(batch([warm]))).status).toBe(200);
		expect(await stored(warm.eventId)).toBe(true);
		await sleep(2000);
		baselineRss = rssMiB(server.pid() as number);
	}, 300_000);

	afterAll(async () => {
		await server?.stop();
		await crm?.close();
	});

	/** A signed-able JSON batch of exactly `length` bytes (a padding field fills it up). */
	const jsonOfLength = (length: number) => {
		const head = '{"events":[],"pad":"';
		return `${head}${'x'.repeat(length - head.length - 2)}"}`;
	};
	const CASES: Case[] = [
		{ name: 'empty body (signed)', expected: 400, send: () => post('') },
		{ name: 'empty body, no signature', expected: 401, send: () => post('', { 'Content-Type': 'application/json' }) },
		// n8n parses an application/json body itself before the trigger sees it (422); without that content type the trigger answers.
		{ name: 'truncated JSON (signed, application/json)', expected: 422, send: () => { const b = batch([event()]).slice(0, -7); return post(b); } },
		{ name: 'truncated JSON (signed, no Content-Type)', expected: 400, send: () => { const b = batch([event()]).slice(0, -7); return post(b, { 'X-Mailtarget-Signature': sig(b) }); } },
		{ name: 'nesting 100 000 deep (signed)', expected: 400, send: () => post(deeplyNested(100_000, '1')) },
		{ name: 'nesting 100 000 deep inside an event (signed)', expected: 400, send: () => post(batch([event({ extra: 'DEEP' })]).replace('"DEEP"', deeplyNested(100_000, '1'))) },
		{ name: 'valid JSON one byte over the trigger\'s 10 MiB limit (signed)', expected: 413, send: () => post(jsonOfLength(OUR_LIMIT + 1)) },
		// raw-body's 413 inside n8n's webhook handler comes out as n8n's generic 500, before the trigger runs.
		{ name: 'valid JSON one byte over n8n\'s 16 MiB N8N_PAYLOAD_SIZE_MAX (signed)', expected: 500, send: () => post(jsonOfLength(N8N_LIMIT + 1)) },
		{ name: 'a batch of 100 000 tiny events (signed, under both size limits)', expected: 413, send: () => post(JSON.stringify({ events: Array.from({ length: 100_000 }, (_, i) => ({ status: 'delay', eventId: `t${i}`, recipient: 'a@b.co', timestamp: 1.7e12 })) })) },
		{ name: 'invalid UTF-8 inside a JSON string (signed)', expected: 200, send: () => { const [head, tail] = batch([event({ subject: 'BYTES' })]).split('BYTES'); return post(Buffer.concat([Buffer.from(head!), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from(tail!)])); } },
		{ name: 'invalid UTF-8 bytes as the whole body (signed, application/json)', expected: 422, send: () => post(Buffer.from([0xff, 0xfe, 0xfd, 0x80, 0x00])) },
		{ name: 'invalid UTF-8 bytes as the whole body (signed, no Content-Type)', expected: 400, send: () => { const b = Buffer.from([0xff, 0xfe, 0xfd, 0x80, 0x00]); return post(b, { 'X-Mailtarget-Signature': sig(b) }); } },
		{ name: 'gzip body, Content-Encoding: gzip, signature over the gzip bytes', expected: 401, send: () => { const g = gzipSync(batch([event()])); return post(g, signedHeaders(g, { 'Content-Encoding': 'gzip' })); } },
		{ name: 'gzip body, signature over the uncompressed JSON', expected: 200, send: () => { const b = batch([event()]); return post(gzipSync(b), signedHeaders(b, { 'Content-Encoding': 'gzip' })); } },
		{ name: 'Content-Type: text/plain (signed JSON)', expected: 200, send: () => { const b = batch([event()]); return post(b, signedHeaders(b, { 'Content-Type': 'text/plain' })); } },
		{ name: 'Content-Type: application/x-www-form-urlencoded (signed JSON)', expected: 200, send: () => { const b = batch([event()]); return post(b, signedHeaders(b, { 'Content-Type': 'application/x-www-form-urlencoded' })); } },
		// n8n reads multipart bodies as form data and XML bodies with its XML parser, before the trigger.
		{ name: 'Content-Type: multipart/form-data (signed JSON)', expected: 400, send: () => { const b = batch([event()]); return post(b, signedHeaders(b, { 'Content-Type': 'multipart/form-data; boundary=x' })); } },
		{ name: 'Content-Type: application/xml (signed JSON)', expected: 422, send: () => { const b = batch([event()]); return post(b, signedHeaders(b, { 'Content-Type': 'application/xml' })); } },
		{ name: 'no Content-Type (signed JSON)', expected: 200, send: () => { const b = batch([event()]); return post(b, { 'X-Mailtarget-Signature': sig(b) }); } },
		{ name: 'signature header twice (a wrong one, then the right one)', expected: 401, send: () => { const b = batch([event()]); return post(b, { 'Content-Type': 'application/json', 'X-Mailtarget-Signature': ['0'.repeat(64), sig(b)] }); } },
		{ name: 'signature header twice (the right one twice)', expected: 401, send: () => { const b = batch([event()]); return post(b, { 'Content-Type': 'application/json', 'X-Mailtarget-Signature': [sig(b), sig(b)] }); } },
		{ name: 'signature header name in mixed case (x-MAILTARGET-signature)', expected: 200, send: () => { const b = batch([event()]); return post(b, { 'Content-Type': 'application/json', 'x-MAILTARGET-signature': sig(b) }); } },
		{ name: 'signature in upper-case hex with sha256= prefix', expected: 200, send: () => { const b = batch([event()]); return post(b, { 'Content-Type': 'application/json', 'X-Mailtarget-Signature': `sha256=${sig(b).toUpperCase()}` }); } },
		{ name: 'signature of the re-serialised body (body sent pretty-printed)', expected: 401, send: () => { const value = JSON.parse(batch([event()])) as unknown; return post(JSON.stringify(value, null, 2), signedHeaders(JSON.stringify(value))); } },
		{ name: 'signature header of 8 KiB', expected: 401, send: () => { const b = batch([event()]); return post(b, { 'Content-Type': 'application/json', 'X-Mailtarget-Signature': 'a'.repeat(8192) }); } },
		{ name: 'one header of 20 KiB (beyond Node\'s 16 KiB header limit)', expected: 431, send: () => { const b = batch([event()]); return post(b, signedHeaders(b, { 'X-Padding': 'p'.repeat(20 * 1024) })); } },
		{ name: 'slow client: a signed batch in 10 pieces over 2 s', expected: 200, send: () => { const b = Buffer.from(batch([event()])); return slowRequest(url, { 'X-Mailtarget-Signature': sig(b), 'Content-Type': 'application/json' }, b, 10, 200); } },
		{
			name: 'a normal signed batch while 50 clients stall mid-body',
			expected: 200,
			send: async () => {
				const stalled = await stalledClients(url, 50, { 'X-Mailtarget-Signature': '0'.repeat(64), 'Content-Type': 'application/json' });
				try {
					return await post(batch([event()]));
				} finally {
					stalled.release();
				}
			},
		},
		{ name: '__proto__ / constructor keys in envelope, event, metadata and as event types (signed)', expected: 200, send: () => post(pollutionBody(event)) },
		{ name: 'GET', expected: 404, send: () => rawRequest(url, { method: 'GET' }) },
	];

	test('each hostile request gets its expected status', async () => {
		const rows: Array<{ name: string; expected: number; actual: number; ms: number; answer: string }> = [];
		for (const c of CASES) {
			const started = Date.now();
			const answer = await c.send();
			answers.push(answer);
			rows.push({ name: c.name, expected: c.expected, actual: answer.status, ms: Date.now() - started, answer: (answer.body || answer.error || '').slice(0, 90).replace(/\s+/g, ' ') });
		}
		const table = ['| request | expected | got | ms | answer |', '|---|---|---|---|---|', ...rows.map((r) => `| ${r.name} | ${r.expected} | ${r.actual} | ${r.ms} | ${r.answer.replace(/\|/g, '\\|')} |`)].join('\n');
		console.log(`Hostile input, n8n 2.41.1:\n${table}`);
		expect(rows.filter((r) => r.actual !== r.expected).map((r) => `${r.name}: expected ${r.expected}, got ${r.actual} (${r.answer})`)).toEqual([]);
		expect(rows.filter((r) => r.actual >= 400 && r.actual !== 431 && r.answer === '').map((r) => r.name)).toEqual([]);
	}, 300_000);

	test('prototype keys: no pollution of the n8n process, and the event carrying them is stored once, intact', async () => {
		const answer = await (await fetch(`${server.url}/webhook/${PROBE_PATH}`)).text();
		expect(JSON.parse(answer)).toEqual({ objectReads: 'undefined,undefined,false', arrayReads: 'undefined,undefined,false' });
		expect(await stored('proto-1')).toBe(true);
		const rows = (await tableRows(server, OUTBOX)).filter((row) => String(row.recordId).startsWith('mailtarget:proto-'));
		expect(rows.map((row) => row.recordId)).toEqual(['mailtarget:proto-1']);
		const record = JSON.parse(String(rows[0]?.record)) as { contact: { id: string }; raw: { recipientMeta: string; metadata: unknown } };
		expect(record.contact.id).toBe('C-proto');
		expect(record.raw.metadata).toEqual({ crm_contact_id: 'C-proto' });
		// The metadata string is kept as received; nothing parsed out of it or the envelope carries the keys.
		expect(JSON.stringify({ ...record, raw: { ...record.raw, recipientMeta: '' } })).not.toContain('polluted');
		expect(server.output()).not.toMatch(/TypeError|RangeError|Maximum call stack/);
	}, 60_000);

	test('afterwards n8n keeps serving and its memory returns near the baseline', async () => {
		const after = event();
		expect((await post(batch([after]))).status).toBe(200);
		expect(await stored(after.eventId)).toBe(true);
		const pid = server.pid() as number;
		let rss = rssMiB(pid);
		const peak = rss;
		for (let i = 0; i < 60 && rss > baselineRss + 150; i++) {
			await sleep(1000);
			rss = rssMiB(pid);
		}
		console.log(`n8n RSS: baseline ${baselineRss.toFixed(0)} MiB, after the hostile table ${peak.toFixed(0)} MiB, settled ${rss.toFixed(0)} MiB`);
		expect(rss).toBeLessThan(baselineRss + 150);
	}, 120_000);

	test('no secret in any n8n log line (debug), workflow export, execution data, node error, HTTP answer or diagnostics output', async () => {
		// Signature and Basic auth, with the trigger's diagnostics on: the settings most likely to print too much.
		const strict = withCredentials(loadTemplate('Mailtarget to custom CRM - 2 ingest.json'), credentials);
		strict.name = `${strict.name} (signature and Basic auth, diagnostics)`;
		// The templates save no successful execution; a user who turns that on must not find secrets there either.
		const saveAll = (template: Template) => ({ ...template, settings: { ...template.settings, saveDataSuccessExecution: 'all' } });
		const trigger = strict.nodes.find((node) => node.type === `${PKG}.mailtargetTrigger`) as { webhookId: string; parameters: Record<string, unknown> };
		trigger.webhookId = '7f3e1a52-2c4d-4e8b-9a61-3b5d7c9e0f12';
		trigger.parameters = { ...trigger.parameters, authentication: 'both', options: { diagnostics: true } };
		await server.createWorkflow(saveAll(strict), { activate: true });
		const strictPath = webhookPathOf(strict, `${PKG}.mailtargetTrigger`);
		await server.waitForWebhook(strictPath);
		const strictUrl = `${server.url}/webhook/${strictPath}`;
		const basic = (password: string) => `Basic ${Buffer.from(`${BASIC_USER}:${password}`).toString('base64')}`;
		const good = event();
		const body = batch([good]);
		const sent: Array<[string, Record<string, string>]> = [
			['wrong password', { ...signedHeaders(body), Authorization: basic('not-the-password') }],
			['no Authorization', signedHeaders(body)],
			['right password, wrong signature', { 'Content-Type': 'application/json', 'X-Mailtarget-Signature': '2'.repeat(64), Authorization: basic(BASIC_PASSWORD) }],
			['right password, signature cut short', { 'Content-Type': 'application/json', 'X-Mailtarget-Signature': sig(body).slice(0, 40), Authorization: basic(BASIC_PASSWORD) }],
			['both right', { ...signedHeaders(body), Authorization: basic(BASIC_PASSWORD) }],
		];
		const statuses: number[] = [];
		for (const [, headers] of sent) {
			const answer = await rawRequest(strictUrl, { body, headers });
			answers.push(answer);
			statuses.push(answer.status);
		}
		expect(statuses).toEqual([401, 401, 401, 401, 200]);
		expect(await stored(good.eventId)).toBe(true);

		// The drain, with one 401 from the CRM (a node error carrying the CRM's answer) before it delivers.
		crm.inject({ kind: 'status', status: 401, count: 1, crm: 'custom', body: { error: 'unauthorized' } });
		const drain = withScheduleSeconds(withSettings(withCredentials(loadTemplate('Mailtarget to custom CRM - 3 drain.json'), credentials), 'Settings', { crmBaseUrl: crm.url, recordsPerTick: 5 }), 1);
		const drainId = (await server.createWorkflow(saveAll(drain), { activate: true })).id;
		const waitFor = async (check: () => Promise<boolean> | boolean, what: string) => {
			const deadline = Date.now() + 60_000;
			while (!(await check())) {
				if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
				await sleep(500);
			}
		};
		await waitFor(async () => (await tableRows(server, DEAD)).length > 0, 'a dead letter');
		const after = event();
		expect((await post(batch([after]))).status).toBe(200);
		await waitFor(() => crm.activityCounts('custom').has(`mailtarget:${after.eventId}`), 'a delivered record');
		await server.deactivateWorkflow(drainId);
		expect(crm.requests.filter((request) => request.crm === 'custom' && request.status === 401)).toHaveLength(1);

		const executions = await server.api<{ data: unknown[] }>('GET', '/executions?includeData=true&limit=250');
		const workflows = await server.api<{ data: unknown[] }>('GET', '/workflows?limit=250');
		const exportFile = join(server.userFolder, 'exported-workflows.json');
		const cli = spawnSync(node24(), [join(N8N_HOST_DIR, 'node_modules', 'n8n', 'bin', 'n8n'), 'export:workflow', '--all', `--output=${exportFile}`], {
			env: { ...process.env, N8N_USER_FOLDER: server.userFolder, N8N_ENCRYPTION_KEY: ENCRYPTION_KEY, DB_TYPE: 'sqlite', DB_SQLITE_POOL_SIZE: '2', N8N_LOG_LEVEL: 'debug', NODE_ENV: 'production' },
			timeout: 120_000,
			encoding: 'utf8',
		});
		const cliOutput = `${cli.stdout}${cli.stderr}`;
		if (cli.status !== 0 || !existsSync(exportFile)) throw new Error(`n8n export:workflow failed (${cli.status}):\n${cliOutput.slice(-3000)}`);
		const exported = readFileSync(exportFile, 'utf8');
		const log = server.output();
		expect(log).toContain('Mailtarget Trigger verification details');
		expect(log).toContain('Mailtarget Trigger refused a request (401)');
		expect(JSON.stringify(executions)).toContain('rejected by the CRM (401)');
		expect(JSON.stringify(executions)).toContain(good.eventId);
		expect(exported).toContain(`${PKG}.mailtargetTrigger`);

		const texts: Array<[string, string[]]> = [
			['n8n stdout/stderr (debug)', log.split('\n')],
			['GET /api/v1/executions?includeData=true', [JSON.stringify(executions)]],
			['GET /api/v1/workflows', [JSON.stringify(workflows)]],
			['n8n export:workflow --all', [exported]],
			['n8n export:workflow output (debug)', cliOutput.split('\n')],
			['HTTP answers', answers.map((answer) => JSON.stringify(answer))],
			['dead letters', [JSON.stringify(await tableRows(server, DEAD))]],
			['outbox', [JSON.stringify(await tableRows(server, OUTBOX))]],
		];
		const leaks = texts.flatMap(([where, lines]) =>
			lines.flatMap((line, index) => Object.entries(SECRETS).filter(([, secret]) => line.includes(secret)).map(([what]) => `${where}, line ${index + 1}: ${what}: ${line.slice(0, 200)}`)),
		);
		console.log(`Secrets grep: ${log.split('\n').length} log lines, ${executions.data.length} executions, ${workflows.data.length} workflows, ${answers.length} answers`);
		expect(leaks).toEqual([]);
	}, 240_000);
});
