import { spawn, type ChildProcess } from 'child_process';
import { join } from 'path';
import type { Browser } from 'playwright-core';

import { inspectConfigDialog, inspectEditDialog, launchBrowser, openEditor, screenshotFlow, screenshotPath, typeIntoField, type EditorPage, type FlowNode } from '../helpers/nodeRedEditor';
import { readNodeEditor, translate } from '../helpers/nodeRedEditorFiles';
import { freePort } from '../helpers/nodeRedProcess';
import { batches, campaignEvents, postSigned } from '../helpers/eventStream';

const startScript = join(__dirname, '..', '..', 'dist', 'tools', 'start', 'index.js');
const secret = 'start-test-secret';

/** `npm start` as a person runs it (without its sender), until it has printed its three URLs. */
async function runStart(): Promise<{ child: ChildProcess; output: () => string; editor: string; crmPage: string; webhook: string }> {
	const [port, crmPort] = [await freePort(), await freePort()];
	const child = spawn(process.execPath, [startScript, '--no-sender', '--port', String(port), '--crm-port', String(crmPort)], {
		env: { ...process.env, MAILTARGET_WEBHOOK_SECRET: secret, CRM_BASE_URL: '' },
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let log = '';
	child.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
	child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
	const started = Date.now();
	while (!/Webhook URL/.test(log)) {
		if (child.exitCode !== null || Date.now() - started > 90000) throw new Error(`npm start did not come up:\n${log}`);
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
	const url = (label: string) => new RegExp(`${label}\\s+(http\\S+)`).exec(log)?.[1] ?? '';
	return { child, output: () => log, editor: url('Node-RED editor'), crmPage: url('CRM page'), webhook: url('Webhook URL') };
}

describe('npm start, looked at in a real browser', () => {
	let browser: Browser;
	let start: Awaited<ReturnType<typeof runStart>>;
	let editor: EditorPage;

	beforeAll(async () => {
		browser = await launchBrowser();
		start = await runStart();
		editor = await openEditor(browser, start.editor);
	}, 120000);

	afterAll(async () => {
		await editor?.close();
		await browser?.close();
		if (start?.child.exitCode === null) {
			const exited = new Promise((resolve) => start.child.once('exit', resolve));
			start.child.kill('SIGINT');
			await exited;
		}
	});

	it('prints the editor, CRM page and webhook URLs, and the webhook takes signed batches', async () => {
		expect(start.editor).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
		expect(start.crmPage).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
		expect(start.webhook).toMatch(/\/mailtarget$/);
		expect(start.output()).not.toContain(secret);
		// Stamped with the time of sending, as Mailtarget does, so the CRM page shows real freshness.
		const now = Date.now();
		for (const batch of batches(campaignEvents(4, now), 6, 'start-test')) {
			expect(await postSigned(start.webhook, secret, { ...batch, events: batch.events.map((event) => ({ ...event, timestamp: now })) })).toBe(200);
		}
	}, 30000);

	it('opens the edit dialog of each of our nodes in the deployed example without an editor error, one screenshot each', async () => {
		const flows = (await (await fetch(`${start.editor}flows`)).json()) as FlowNode[];
		const ours = flows.filter((node) => node.type.startsWith('mailtarget-') && 'wires' in node);
		expect(new Set(ours.map((node) => node.type))).toEqual(new Set(['mailtarget-trigger', 'mailtarget-dedupe', 'mailtarget-event-mapper', 'mailtarget-crm-queue']));
		const problems: string[] = [];
		for (const node of ours) problems.push(...(await inspectEditDialog(editor, node.id, `start - ${node.type}`)).problems);
		const trigger = ours.find((node) => node.type === 'mailtarget-trigger') as FlowNode;
		problems.push(...(await inspectConfigDialog(editor, trigger.id, 'start - mailtarget-config')).problems);
		await screenshotFlow(editor, screenshotPath('start - flow'));
		expect(problems).toEqual([]);
		expect(editor.problems).toEqual([]);
	}, 90000);

	it('says what is wrong with a value typed into a dialog, in the words of the locale', async () => {
		const flows = (await (await fetch(`${start.editor}flows`)).json()) as FlowNode[];
		const queue = flows.find((node) => node.type === 'mailtarget-crm-queue') as FlowNode;
		const shown = await typeIntoField(editor, queue.id, 'rate', '0', 'start - mailtarget-crm-queue invalid rate');
		const expected = translate(readNodeEditor('mailtarget-crm-queue').messages, 'mailtarget-crm-queue.validation.rate');
		expect(expected).not.toBe('mailtarget-crm-queue.validation.rate');
		expect(shown).toEqual({ marked: true, message: expected });
		expect(editor.problems).toEqual([]);
	}, 60000);

	it('serves a CRM page that shows what reached the CRM, without console errors', async () => {
		const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
		const errors: string[] = [];
		page.on('pageerror', (error) => errors.push(error.message));
		page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
		const response = await page.goto(start.crmPage);
		expect(response?.status()).toBe(200);
		// The page's CSP allows no string evaluation: wait on what it shows, as a person would.
		await page.getByText('contact1@example.com').first().waitFor({ timeout: 30000 }).finally(() => page.screenshot({ path: screenshotPath('start - CRM page'), fullPage: true }));
		await page.close();
		expect(errors).toEqual([]);
	}, 60000);
});
