import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import type { Browser, BrowserContext, Page } from 'playwright-core';

import { launchBrowser, screenshotPath } from '../helpers/nodeRedEditor';
import { startN8nServer, type N8nServer, type N8nWorkflow } from '../helpers/n8nServer';
import { dedupeProperties } from '../../nodes/MailtargetDedupe/properties';

const workflowsDir = join(__dirname, '..', '..', 'workflows');
const OUR_TYPES = /^@crm-bridge\/n8n-nodes-mailtarget\./;
// What the harness's owner signs in with (tools/n8n/n8nServer.ts).
const OWNER = { emailOrLdapLoginId: 'owner@example.com', password: 'Owner-password-1' };

/**
 * The n8n editor, in Chromium, on a real n8n with the packed package installed: every custom-CRM
 * template on its canvas and the panel of each of our nodes in it, one screenshot each
 * (artifacts/editor/n8n - *.png), failing on any page error or console error.
 */
describe('the n8n editor with our nodes and templates, in a real browser', () => {
	let n8n: N8nServer;
	let browser: Browser;
	let context: BrowserContext;
	const problems: string[] = [];
	const created: N8nWorkflow[] = [];
	/** The templates no longer use Mailtarget Dedupe; a workflow of one's own still can. */
	let dedupeWorkflow: N8nWorkflow;

	beforeAll(async () => {
		n8n = await startN8nServer({});
		for (const file of readdirSync(workflowsDir).filter((name) => name.startsWith('Mailtarget to custom CRM'))) {
			created.push(await n8n.createWorkflow(JSON.parse(readFileSync(join(workflowsDir, file), 'utf8'))));
		}
		dedupeWorkflow = await n8n.createWorkflow({
			name: 'Mailtarget Dedupe in a workflow of its own',
			nodes: [
				{ id: 'manual', name: 'When clicking Test workflow', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
				{ id: 'dedupe', name: 'Mailtarget Dedupe', type: '@crm-bridge/n8n-nodes-mailtarget.mailtargetDedupe', typeVersion: 1, position: [220, 0], parameters: { keySource: 'event', ttlHours: 72, maxEntries: 10000, options: {} } },
			],
			connections: { 'When clicking Test workflow': { main: [[{ node: 'Mailtarget Dedupe', type: 'main', index: 0 }]] } },
			settings: { executionOrder: 'v1' },
		});
		const login = await fetch(`${n8n.url}/rest/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(OWNER) });
		if (!login.ok) throw new Error(`n8n login: ${login.status}`);
		const [name, value] = (login.headers.get('set-cookie') ?? '').split(';')[0].split('=') as [string, string];
		browser = await launchBrowser();
		context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
		await context.addCookies([{ name, value, url: n8n.url }]);
	}, 240000);

	afterAll(async () => {
		await browser?.close();
		await n8n?.stop();
	});

	// The editor asks for `/schemas/<node type>/<version>.json`, the output schemas n8n ships for its own nodes only;
	// for a community node that lookup is a 404 by design, which the editor handles (it shows the live output).
	const expected404 = (url: string) => new URL(url).pathname.startsWith('/schemas/@crm-bridge/n8n-nodes-mailtarget.');
	const watch = (page: Page) => {
		page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
		page.on('console', (message) => {
			if (message.type() === 'error' && !(message.text().includes('404') && expected404(message.location().url))) problems.push(`console error: ${message.text()} (${message.location().url})`);
		});
		page.on('response', (response) => response.status() >= 400 && !(response.status() === 404 && expected404(response.url())) && problems.push(`${response.status()} for ${response.url()}`));
	};

	it('shows each custom-CRM template on its canvas, and each of our nodes in it opens its panel', async () => {
		const opened: string[] = [];
		for (const workflow of created) {
			const page = await context.newPage();
			watch(page);
			await page.goto(`${n8n.url}/workflow/${workflow.id}`);
			await page.getByText(String(workflow.nodes.find((node) => node.type !== 'n8n-nodes-base.stickyNote')?.name ?? '')).first().waitFor({ timeout: 60000 });
			await page.waitForTimeout(1000);
			await page.screenshot({ path: screenshotPath(`n8n - ${workflow.name}`) });
			for (const node of workflow.nodes.filter((candidate) => OUR_TYPES.test(String(candidate.type)))) {
				await page.goto(`${n8n.url}/workflow/${workflow.id}/${String(node.id)}`);
				// The node's panel: its parameters tab and, for a node n8n could not load, "Install this node" instead.
				await page.getByText('Parameters').first().waitFor({ timeout: 30000 });
				expect(await page.getByText(/Install this node|node is not currently installed/i).count()).toBe(0);
				await page.waitForTimeout(500);
				await page.screenshot({ path: screenshotPath(`n8n - ${String(node.type).replace(OUR_TYPES, '')}`) });
				opened.push(String(node.type).replace(OUR_TYPES, ''));
			}
			await page.close();
		}
		expect(new Set(opened)).toEqual(new Set(['mailtargetTrigger', 'mailtargetVerify', 'mailtargetEventMapper', 'mailtargetCrmBatch', 'mailtargetDeliveryOutcome']));
		expect(problems).toEqual([]);
	}, 300000);

	it('warns in the Dedupe panel as soon as a window under 24 hours is typed', async () => {
		const warning = dedupeProperties.find((property) => property.name === 'shortWindowNotice')?.displayName ?? '';
		expect(warning).not.toBe('');
		const workflow = dedupeWorkflow;
		const dedupe = workflow.nodes.find((node) => node.type === '@crm-bridge/n8n-nodes-mailtarget.mailtargetDedupe') as { id: unknown };
		const page = await context.newPage();
		watch(page);
		await page.goto(`${n8n.url}/workflow/${workflow.id}/${String(dedupe.id)}`);
		const hours = page.locator('[data-test-id="parameter-input-ttlHours"] input');
		await hours.waitFor({ timeout: 30000 });
		// n8n keeps a hidden copy of some texts; what counts is the one a person sees.
		const notice = page.getByText(warning.slice(0, 60)).filter({ visible: true });
		expect(await notice.count()).toBe(0);
		// A number field takes its value when the person leaves it.
		await hours.fill('2');
		await hours.press('Tab');
		await notice.first().waitFor({ state: 'visible', timeout: 10000 });
		await page.screenshot({ path: screenshotPath('n8n - mailtargetDedupe short window') });
		await hours.fill('72');
		await hours.press('Tab');
		await notice.first().waitFor({ state: 'hidden', timeout: 10000 });
		await page.close();
		expect(problems).toEqual([]);
	}, 120000);
});
