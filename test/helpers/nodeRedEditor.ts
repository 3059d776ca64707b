import { mkdirSync } from 'fs';
import { join } from 'path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium (scripts/ensure-system-packages.sh installs it); Playwright never downloads a browser here. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Where the editor tests leave their screenshots for a person to look at. */
export const SCREENSHOT_DIR = join(__dirname, '..', '..', 'artifacts', 'editor');

export type FlowNode = Record<string, unknown> & { id: string; type: string };

export async function launchBrowser(): Promise<Browser> {
	return chromium.launch({
		executablePath: CHROMIUM,
		args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
	});
}

export interface EditorPage {
	page: Page;
	/** Page errors, console errors and console warnings about wires, in the order they happened. */
	problems: string[];
	close(): Promise<void>;
}

const WIRE_WARNING = /wires/i;

/** The Node-RED editor at `url`, loaded with our node types, recording every problem it reports. */
export async function openEditor(browser: Browser, url: string): Promise<EditorPage> {
	const page = await browser.newPage({ viewport: { width: 2200, height: 1200 } });
	const problems: string[] = [];
	page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
	page.on('console', (message) => {
		const text = message.text();
		if (message.type() === 'error' || (WIRE_WARNING.test(text) && /warn/i.test(`${message.type()} ${text}`))) problems.push(`console ${message.type()}: ${text}`);
	});
	await page.addInitScript({ path: join(__dirname, 'editorPageChecks.js') });
	await page.goto(url);
	await page.waitForSelector('#red-ui-header-button-deploy', { timeout: 30000 });
	await page.waitForFunction('window.mailtargetEditorChecks.ready()');
	return { page, problems, close: () => page.close() };
}

async function openImportDialog(page: Page): Promise<void> {
	await page.click('#red-ui-header-button-sidemenu');
	await page.click('#menu-item-import');
	await page.waitForSelector('#red-ui-clipboard-dialog', { state: 'visible' });
}

/** Drops the nodes the import dialog hands to the mouse onto the canvas, where a user would click. */
async function placeImportedNodes(page: Page): Promise<void> {
	await page.mouse.move(420, 220);
	await page.mouse.move(430, 230);
	await page.mouse.click(430, 230);
	await page.waitForSelector('#red-ui-clipboard-dialog', { state: 'hidden' });
}

/** Menu > Import > Examples > <module> > <example> > Import, then a click on the canvas: the path a user takes. */
export async function importExample(editor: EditorPage, moduleName: string, example: string): Promise<void> {
	const { page } = editor;
	await openImportDialog(page);
	await page.click('#red-ui-clipboard-dialog a[href="#red-ui-clipboard-dialog-import-tab-examples"]');
	const tree = '#red-ui-clipboard-dialog-import-tab-examples .red-ui-treeList-label-text';
	await page.click(`${tree}:text-is("${moduleName}")`);
	await page.click(`${tree}:text-is("${example}")`);
	await page.click('#red-ui-clipboard-dialog-ok');
	await placeImportedNodes(page);
}

/** Menu > Import > Clipboard with `json` pasted, then a click on the canvas. */
export async function importJson(editor: EditorPage, json: string): Promise<void> {
	const { page } = editor;
	await openImportDialog(page);
	await page.click('#red-ui-clipboard-dialog a[href="#red-ui-clipboard-dialog-import-tab-clipboard"]');
	await page.fill('#red-ui-clipboard-dialog-import-text', json);
	// The dialog checks the text on keyup, as when a user pastes with the keyboard.
	await page.dispatchEvent('#red-ui-clipboard-dialog-import-text', 'keyup');
	await page.click('#red-ui-clipboard-dialog-ok');
	// Nodes with these ids exist already (at least the config node): take the editor's "Import copy", as a user would.
	const copy = page.locator('.red-ui-notification button', { hasText: 'Import copy' });
	await copy.waitFor({ state: 'visible', timeout: 2000 }).then(() => copy.click(), () => undefined);
	await placeImportedNodes(page);
}

/** Menu > Export > current flow, read from the dialog's text as a user would copy it. */
export async function exportCurrentFlow(editor: EditorPage): Promise<FlowNode[]> {
	const { page } = editor;
	await page.click('#red-ui-header-button-sidemenu');
	await page.click('#menu-item-export');
	await page.click('#red-ui-clipboard-dialog-export-rng-flow');
	await page.click('#red-ui-clipboard-dialog a[href="#red-ui-clipboard-dialog-export-tab-clipboard-json"]');
	await page.waitForSelector('#red-ui-clipboard-dialog-export-text', { state: 'visible' });
	const text = await page.inputValue('#red-ui-clipboard-dialog-export-text');
	await page.click('#red-ui-clipboard-dialog-cancel');
	return JSON.parse(text) as FlowNode[];
}

/** Removes every node of the current flow (select all, delete), leaving config nodes in use elsewhere alone. */
export async function clearCurrentFlow(editor: EditorPage): Promise<void> {
	await editor.page.evaluate('window.mailtargetEditorChecks.clearCurrentFlow()');
}

export async function showLastFlowTab(editor: EditorPage): Promise<void> {
	await editor.page.evaluate('(function () { var tabs = []; RED.nodes.eachWorkspace(function (ws) { tabs.push(ws.id); }); RED.workspaces.show(tabs[tabs.length - 1]); })()');
	await editor.page.waitForTimeout(300);
}

/** The Deploy button; resolves when the editor says the deploy succeeded, fails if it asks anything first. */
export async function deploy(editor: EditorPage): Promise<void> {
	const { page } = editor;
	await page.click('#red-ui-header-button-deploy');
	// The editor answers with a notification: success, or a question (nodes not properly configured, unused config nodes, ...).
	const answer = page.locator('.red-ui-notification', { hasText: /Successfully deployed|properly configured|unused|unknown|conflict|error/i }).last();
	await answer.waitFor({ state: 'visible', timeout: 20000 });
	const text = (await answer.innerText()).trim();
	if (!text.includes('Successfully deployed')) throw new Error(`Deploy did not go through; the editor said: ${text}`);
	await page.waitForSelector('#red-ui-header-button-deploy.disabled');
}

export interface NodeBox {
	id: string;
	type: string;
	label: string;
	/** The node's centre, as the flow file stores it. */
	x: number;
	y: number;
	left: number;
	top: number;
	right: number;
	bottom: number;
}

/** Where each node of the current flow is drawn, in workspace units: the node, its ports, label and status text. */
export async function nodeBoxes(editor: EditorPage): Promise<NodeBox[]> {
	return (await editor.page.evaluate('window.mailtargetEditorChecks.nodeBoxes()')) as NodeBox[];
}

/** Pairs of nodes whose drawn boxes (status text included) overlap. */
export function overlaps(boxes: NodeBox[]): string[] {
	const found: string[] = [];
	for (let i = 0; i < boxes.length; i++) {
		for (let j = i + 1; j < boxes.length; j++) {
			const a = boxes[i];
			const b = boxes[j];
			if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) found.push(`"${a.label}" (${a.type}) overlaps "${b.label}" (${b.type})`);
		}
	}
	return found;
}

export function screenshotPath(name: string): string {
	mkdirSync(SCREENSHOT_DIR, { recursive: true });
	return join(SCREENSHOT_DIR, `${name.replace(/[^A-Za-z0-9._-]+/g, '-')}.png`);
}

/** The whole current flow at 100 %, without the sidebar over it. */
export async function screenshotFlow(editor: EditorPage, path: string): Promise<void> {
	const { page } = editor;
	await page.evaluate("RED.actions.invoke('core:toggle-sidebar', false); RED.view.zoomZero && RED.view.zoomZero()");
	await page.waitForTimeout(300);
	// Scrolled to where the flow starts, so the picture shows it from its top-left node.
	await page.evaluate(`(function () {
		var chart = document.getElementById('red-ui-workspace-chart'); var left = Infinity, top = Infinity;
		RED.nodes.eachNode(function (n) { if (n.z === RED.workspaces.active()) { left = Math.min(left, n.x - n.w / 2); top = Math.min(top, n.y - n.h / 2); } });
		chart.scrollLeft = Math.max(0, left - 40); chart.scrollTop = Math.max(0, top - 40);
	})()`);
	await page.evaluate("document.querySelectorAll('.red-ui-notification').forEach(function (n) { n.remove(); })");
	await page.waitForTimeout(200);
	await page.locator('#red-ui-workspace-chart').screenshot({ path });
	await page.evaluate("RED.actions.invoke('core:toggle-sidebar', true)");
	await page.waitForTimeout(300);
}

export interface DialogProblems {
	title: string;
	problems: string[];
}

/**
 * Opens a node's edit dialog (double click on the canvas, as a user does), screenshots it, and
 * reports what a person would see as broken: content wider than the dialog, labels that wrap,
 * tips that touch the row below. Closes it with Cancel.
 */
export async function inspectEditDialog(editor: EditorPage, nodeId: string, screenshotName: string): Promise<DialogProblems> {
	const { page } = editor;
	await page.evaluate(`RED.view.reveal(${JSON.stringify(nodeId)})`);
	await page.waitForTimeout(300);
	await page.dblclick(`[id="${nodeId}"] .red-ui-flow-node`);
	await page.waitForSelector('.red-ui-tray .red-ui-tray-body form', { state: 'visible' });
	await page.waitForTimeout(400);
	const found = await inspectOpenTray(editor, screenshotName);
	await page.click('.red-ui-tray #node-dialog-cancel, .red-ui-tray #node-config-dialog-cancel');
	await page.waitForTimeout(300);
	return found;
}

export interface ConfigDialogProblems extends DialogProblems {
	/** The text shown beside each environment variable name that is filled in. */
	envBadges: Record<string, string>;
}

/** From a trigger's dialog, the pencil beside its secrets opens the config node's dialog, as a user would. */
export async function inspectConfigDialog(editor: EditorPage, triggerId: string, screenshotName: string): Promise<ConfigDialogProblems> {
	const { page } = editor;
	await page.evaluate(`RED.view.reveal(${JSON.stringify(triggerId)})`);
	await page.waitForTimeout(300);
	await page.dblclick(`[id="${triggerId}"] .red-ui-flow-node`);
	await page.waitForSelector('.red-ui-tray .red-ui-tray-body form', { state: 'visible' });
	await page.click('#node-input-btn-config-edit');
	await page.waitForSelector('#node-config-input-signingSecretEnv', { state: 'visible' });
	await page.waitForFunction("document.querySelector('#mailtarget-env-signingSecretEnv').textContent !== ''", undefined, { timeout: 5000 });
	const found = await inspectOpenTray(editor, screenshotName);
	const envBadges = (await page.evaluate(`(function () {
		var out = {};
		document.querySelectorAll('[id^="mailtarget-env-"]').forEach(function (el) { if (el.textContent) out[el.id.replace('mailtarget-env-', '')] = el.textContent; });
		return out; })()`)) as Record<string, string>;
	await page.click('#node-config-dialog-cancel');
	await page.waitForTimeout(300);
	await page.click('.red-ui-tray #node-dialog-cancel');
	await page.waitForTimeout(300);
	return { ...found, envBadges };
}

/** Checks the topmost open edit tray (see inspectEditDialog) and saves its screenshot. */
export async function inspectOpenTray(editor: EditorPage, screenshotName: string): Promise<DialogProblems> {
	const { page } = editor;
	await page.locator('.red-ui-tray').last().screenshot({ path: screenshotPath(screenshotName) });
	return (await page.evaluate('window.mailtargetEditorChecks.inspectTray()')) as DialogProblems;
}

/** Opens the Help sidebar on a node type and reports content that runs off it. */
export async function inspectHelp(editor: EditorPage, nodeId: string, screenshotName: string): Promise<string[]> {
	const { page } = editor;
	await page.evaluate(`window.mailtargetEditorChecks.showHelp(${JSON.stringify(nodeId)})`);
	await page.waitForTimeout(500);
	await page.locator('#red-ui-sidebar').screenshot({ path: screenshotPath(screenshotName) });
	return (await page.evaluate('window.mailtargetEditorChecks.inspectHelp()')) as string[];
}

export interface ValidationShown {
	/** Whether the field is outlined red, as the editor marks an invalid value. */
	marked: boolean;
	/** The text of the tooltip that appears when the pointer rests on the field. */
	message: string;
}

/** Opens a node's edit dialog, types `value` into `field`, rests the pointer on it and reads what the editor says; then Cancel. */
export async function typeIntoField(editor: EditorPage, nodeId: string, field: string, value: string, screenshotName: string): Promise<ValidationShown> {
	const { page } = editor;
	await page.evaluate(`RED.view.reveal(${JSON.stringify(nodeId)})`);
	await page.waitForTimeout(300);
	await page.dblclick(`[id="${nodeId}"] .red-ui-flow-node`);
	await page.waitForSelector('.red-ui-tray .red-ui-tray-body form', { state: 'visible' });
	const input = page.locator(`.red-ui-tray #node-input-${field}`);
	await input.fill('');
	await input.pressSequentially(value);
	const marked = await input.evaluate((el) => el.classList.contains('input-error'));
	await input.hover();
	const tooltip = page.locator('.red-ui-popover:visible').last();
	const message = await tooltip.waitFor({ state: 'visible', timeout: 5000 }).then(
		() => tooltip.innerText(),
		() => '',
	);
	await page.locator('.red-ui-tray').last().screenshot({ path: screenshotPath(screenshotName) });
	await page.click('.red-ui-tray #node-dialog-cancel');
	await page.waitForTimeout(300);
	return { marked, message: message.trim() };
}
