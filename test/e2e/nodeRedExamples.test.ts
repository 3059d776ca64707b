import { readFileSync } from 'fs';
import { join } from 'path';
import type { Browser } from 'playwright-core';

import { startCrmSimulator, type CrmName, type CrmSimulator } from '../../tools/crm-simulator';
import { wiresTheEditorWouldTrim } from '../../tools/node-red/exampleFlow';
import { batches, campaignEvents, postSigned, shuffled, type RawEvent } from '../helpers/eventStream';
import {
	clearCurrentFlow,
	deploy,
	exportCurrentFlow,
	importExample,
	importJson,
	inspectEditDialog,
	inspectConfigDialog,
	inspectHelp,
	launchBrowser,
	nodeBoxes,
	openEditor,
	overlaps,
	screenshotFlow,
	showLastFlowTab,
	screenshotPath,
	type EditorPage,
	type FlowNode,
	type NodeBox,
} from '../helpers/nodeRedEditor';
import { startNodeRed, type NodeRedProcess } from '../helpers/nodeRedProcess';
import { installPacked, PACKAGE_NAME } from '../helpers/packedPackage';

const examplesDir = join(__dirname, '..', '..', 'examples');
const secret = 'example-webhook-secret';
const tokens: Record<CrmName, string> = { custom: 'custom-token', hubspot: 'hubspot-token', salesforce: 'salesforce-token', zendesk: 'zendesk-token' };
const SIX = new Set(['delivery', 'open', 'click', 'bounce', 'complaint', 'unsubscribe']);

interface ExampleCase {
	name: string;
	crm: CrmName;
	/** The events that must end up as exactly one CRM activity each. */
	activityEvents: (events: RawEvent[]) => RawEvent[];
}

const isHardBounce = (event: RawEvent) => event.status === 'bounce' && event.bounceClassificationCode === 10;
const CASES: ExampleCase[] = [
	{ name: 'CRM - custom endpoint', crm: 'custom', activityEvents: (events) => events.filter((e) => SIX.has(String(e.status))) },
	{ name: 'CRM - HubSpot', crm: 'hubspot', activityEvents: (events) => events.filter((e) => SIX.has(String(e.status))) },
	{ name: 'CRM - Salesforce', crm: 'salesforce', activityEvents: (events) => events.filter((e) => SIX.has(String(e.status))) },
	{ name: 'CRM - Zendesk', crm: 'zendesk', activityEvents: (events) => events.filter((e) => e.status === 'complaint' || isHardBounce(e)) },
];

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
	const start = Date.now();
	while (!check() && Date.now() - start < timeoutMs) await new Promise((resolve) => setTimeout(resolve, 100));
}

const readExample = (name: string) => JSON.parse(readFileSync(join(examplesDir, `${name}.json`), 'utf8')) as FlowNode[];

/**
 * The nodes of `actual` that correspond to the example's, by id, with the placement the import
 * chose taken out (the user clicks where the flow lands), so they compare equal to the file.
 */
function asInFile(example: FlowNode[], actual: FlowNode[]): FlowNode[] {
	const byId = new Map(actual.map((node) => [node.id, node]));
	const anchor = example.find((node) => 'x' in node);
	const placed = anchor ? byId.get(anchor.id) : undefined;
	const dx = anchor && placed ? Number(placed.x) - Number(anchor.x) : 0;
	const dy = anchor && placed ? Number(placed.y) - Number(anchor.y) : 0;
	return example.map((node) => {
		const found = byId.get(node.id);
		if (!found) return { id: node.id, type: node.type, missing: true } as FlowNode;
		const { z: _z, ...rest } = found;
		return 'x' in rest ? { ...rest, x: Number(rest.x) - dx, y: Number(rest.y) - dy } : rest;
	});
}

/** The flow with each id replaced by the node's position in the list, in every place that refers to it. */
function withIdsByPosition(flow: FlowNode[]): unknown[] {
	const nodes = flow.filter((node) => node.type !== 'tab');
	const position = new Map(nodes.map((node, index) => [node.id, `#${index}`]));
	const rename = (value: unknown): unknown => {
		if (typeof value === 'string') return position.get(value) ?? value;
		if (Array.isArray(value)) return value.map(rename);
		return value;
	};
	return nodes.map(({ z: _z, x, y, ...node }) => ({
		...Object.fromEntries(Object.entries(node).map(([key, value]) => [key, rename(value)])),
		...(x === undefined ? {} : { x: Number(x) - Number(nodes.find((n) => 'x' in n)?.x), y: Number(y) - Number(nodes.find((n) => 'y' in n)?.y) }),
	}));
}

let browser: Browser;
beforeAll(async () => {
	browser = await launchBrowser();
});
afterAll(async () => {
	await browser?.close();
});

describe.each(CASES)('Node-RED example "$name", imported and deployed through the editor', ({ name, crm, activityEvents }) => {
	let simulator: CrmSimulator;
	let nodeRed: NodeRedProcess;
	let editor: EditorPage;
	const example = readExample(name);

	beforeAll(async () => {
		simulator = await startCrmSimulator({ tokens, limits: { custom: { max: 20, intervalMs: 1000, retryAfterSeconds: 1 } } });
		nodeRed = await startNodeRed(installPacked('mailtarget-example-'), {
			env: {
				MAILTARGET_WEBHOOK_SECRET: secret,
				CRM_BASE_URL: simulator.url,
				CRM_TOKEN: tokens.custom,
				HUBSPOT_BASE_URL: simulator.url,
				HUBSPOT_TOKEN: tokens.hubspot,
				SALESFORCE_INSTANCE_URL: simulator.url,
				SALESFORCE_ACCESS_TOKEN: tokens.salesforce,
				ZENDESK_BASE_URL: simulator.url,
				ZENDESK_TOKEN: tokens.zendesk,
			},
		});
		editor = await openEditor(browser, nodeRed.url);
	}, 120000);

	afterAll(async () => {
		await editor?.close();
		await nodeRed?.stop();
		await simulator?.close();
	});

	it('is a file in which the editor would trim no wire (the check every /flows deploy of an example makes too)', () => {
		expect(wiresTheEditorWouldTrim(example)).toEqual([]);
	});

	it('keeps every node, property and wire of the file through Import > Examples and the Deploy button, without an editor warning', async () => {
		await importExample(editor, PACKAGE_NAME, name);
		await deploy(editor);
		const deployed = await nodeRed.get<FlowNode[]>('/flows');
		expect(asInFile(example, deployed)).toEqual(example);
		expect(editor.problems).toEqual([]);

		// Before any message: every Mailtarget node already says how it is doing, and every output port says what leaves it.
		const ours = example.filter((node) => node.type.startsWith('mailtarget-') && 'wires' in node).map((node) => node.id);
		await editor.page.waitForFunction(`${JSON.stringify(ours)}.every(function (id) { var n = RED.nodes.node(id); return n.status && n.status.text; })`, undefined, { timeout: 10000 });
		const unlabelled = await editor.page.evaluate(`${JSON.stringify(ours)}.flatMap(function (id) {
			var n = RED.nodes.node(id); var missing = [];
			for (var i = 0; i < n.outputs; i++) { var l = RED.utils.getNodeLabel ? n._def.outputLabels : null; var text = typeof l === 'function' ? l.call(n, i) : (l || [])[i]; if (!text) missing.push(n.type + ' output ' + (i + 1)); }
			return missing; })`);
		expect(unlabelled).toEqual([]);
	}, 60000);

	it('delivers each unique event exactly once through duplicates, reordering, a 429 storm, a 5xx burst and resets, within the rate limit', async () => {
		simulator.inject({ kind: 'status', status: 429, count: 3, crm, retryAfterSeconds: 1 });
		simulator.inject({ kind: 'status', status: 502, count: 2, crm });
		simulator.inject({ kind: 'reset', count: 1, crm });

		const events = campaignEvents(12);
		const sent = batches(shuffled(events, 7), 10, 'batch');
		const url = `${nodeRed.url}/mailtarget`;
		const statuses: number[] = [];
		for (const batch of sent) statuses.push(await postSigned(url, secret, batch));
		for (const batch of sent.slice(0, 3)) statuses.push(await postSigned(url, secret, { ...batch, retryCount: 1 }));
		expect(statuses.every((status) => status === 200)).toBe(true);

		const expected = new Set(activityEvents(events).map((event) => `mailtarget:${String(event.eventId)}`));
		const activityKinds = new Set(['note', 'task', 'ticket', 'activity']);
		const contactWritten = () => crm === 'custom' || simulator.writes.some((write) => write.crm === crm && !activityKinds.has(write.kind));
		// The contact queue drains on its own: the injected faults may have held it back behind the activities.
		await until(() => [...expected].every((key) => simulator.activityCounts(crm).has(key)) && contactWritten(), 90000);
		// Give late duplicates a chance to show up before counting.
		await new Promise((resolve) => setTimeout(resolve, 1500));

		const counts = simulator.activityCounts(crm);
		const missing = [...expected].filter((key) => !counts.has(key));
		const repeated = [...counts].filter(([, count]) => count !== 1);
		const unexpected = [...counts.keys()].filter((key) => !expected.has(key));
		expect({ missing, repeated, unexpected }).toEqual({ missing: [], repeated: [], unexpected: [] });

		const repeatedWrites = simulator.writes.filter((write) => write.crm === crm && activityKinds.has(write.kind) && !write.created);
		expect(repeatedWrites).toEqual([]);
		const contactWrites = simulator.writes.filter((write) => write.crm === crm && !activityKinds.has(write.kind));
		if (crm !== 'custom') expect(contactWrites.length).toBeGreaterThan(0);

		expect(nodeRed.output()).not.toContain('[debug:dead letters]');
		expect(nodeRed.output()).not.toContain('[error]');
		expect(simulator.rateLimitedCount(crm)).toBe(0);
		const faulted = simulator.requests.filter((request) => request.crm === crm && (request.status === 429 || request.status === 502 || request.status === 0));
		expect(faulted.length).toBe(6);
	}, 150000);

	it('wires dropped re-deliveries to their debug node and shows an event it cannot use in the debug sidebar', async () => {
		const dedupe = example.find((node) => node.type === 'mailtarget-dedupe') as FlowNode;
		const dropped = example.find((node) => node.name === 're-deliveries (dropped)') as FlowNode;
		expect((dedupe.wires as string[][])[1]).toEqual([dropped.id]);

		// Neither an eventId nor a recipient: the dedupe cannot tell it from another, and says so.
		expect(await postSigned(`${nodeRed.url}/mailtarget`, secret, { events: [{ status: 'open', timestamp: Date.now() }] })).toBe(200);
		const shown = editor.page.locator('.red-ui-debug-msg', { hasText: 'events the flow could not use' });
		await shown.first().waitFor({ state: 'visible', timeout: 10000 });
		expect(await shown.first().innerText()).toMatch(/no dedupe key/);
	}, 30000);

	it('draws no node, label or status over another, and leaves a margin at the canvas edge', async () => {
		await screenshotFlow(editor, screenshotPath(`${name} - flow`));
		const boxes = await nodeBoxes(editor);
		expect(boxes.length).toBe(example.filter((node) => 'wires' in node).length);
		expect(overlaps(boxes)).toEqual([]);
		// Where the file puts the drawing, with the import's placement taken out: a flow deployed from the file starts there.
		const anchor = example.find((node) => 'x' in node) as FlowNode;
		const placedAnchor = boxes.find((box) => box.id === anchor.id) as NodeBox;
		const dx = placedAnchor.x - Number(anchor.x);
		const dy = placedAnchor.y - Number(anchor.y);
		const margin = { left: Math.min(...boxes.map((box) => box.left - dx)), top: Math.min(...boxes.map((box) => box.top - dy)) };
		expect(margin.left).toBeGreaterThanOrEqual(20);
		expect(margin.top).toBeGreaterThanOrEqual(20);
	}, 30000);

	it('opens every Mailtarget node dialog and help without anything running off, wrapping or touching', async () => {
		const ours = example.filter((node) => node.type.startsWith('mailtarget-') && 'wires' in node);
		const problems: string[] = [];
		for (const node of ours) {
			const dialog = await inspectEditDialog(editor, node.id, `${name} - ${node.type} - ${String(node.name || node.id)}`);
			problems.push(...dialog.problems.map((problem) => `${node.type} dialog: ${problem}`));
			expect(dialog.title).not.toBe('');
			const help = await inspectHelp(editor, node.id, `${name} - ${node.type} - help`);
			problems.push(...help.map((problem) => `${node.type} help: ${problem}`));
		}
		const config = example.find((node) => node.type === 'mailtarget-config') as FlowNode;
		const trigger = example.find((node) => node.type === 'mailtarget-trigger') as FlowNode;
		const configDialog = await inspectConfigDialog(editor, trigger.id, `${name} - mailtarget-config`);
		problems.push(...configDialog.problems.map((problem) => `mailtarget-config dialog: ${problem}`));
		expect(configDialog.title).toMatch(/Mailtarget webhook secrets/);
		// MAILTARGET_WEBHOOK_SECRET is set for this Node-RED: the dialog says so, and shows nothing of its value.
		expect(configDialog.envBadges).toEqual({ signingSecretEnv: '✓ set' });
		expect(JSON.stringify(configDialog)).not.toContain(secret);
		problems.push(...(await inspectHelp(editor, config.id, `${name} - mailtarget-config - help`)).map((problem) => `mailtarget-config help: ${problem}`));
		expect(problems).toEqual([]);
		expect(editor.problems).toEqual([]);
	}, 90000);

	it('marks settings that cannot work as invalid in the editor', async () => {
		const trigger = example.find((node) => node.type === 'mailtarget-trigger') as FlowNode;
		const queue = example.find((node) => node.type === 'mailtarget-crm-queue') as FlowNode;
		const validity = await editor.page.evaluate(`(function () {
			function validWith(id, changes) {
				var node = RED.nodes.node(id); var saved = {};
				Object.keys(changes).forEach(function (k) { saved[k] = node[k]; node[k] = changes[k]; });
				RED.editor.validateNode(node); var valid = node.valid;
				Object.keys(changes).forEach(function (k) { node[k] = saved[k]; });
				RED.editor.validateNode(node);
				return valid;
			}
			var t = ${JSON.stringify(trigger.id)}, q = ${JSON.stringify(queue.id)};
			return {
				asShipped: validWith(t, {}) && validWith(q, {}),
				eventTypo: validWith(t, { events: 'opne, clik' }),
				knownEvents: validWith(t, { events: 'open,click' }),
				negativeBody: validWith(t, { maxBodyMiB: -5 }),
				signatureWithoutSecrets: validWith(t, { config: '' }),
				noneWithoutSecrets: validWith(t, { config: '', authentication: 'none' }),
				retryWaitUpsideDown: validWith(q, { backoffBaseSeconds: 600, backoffMaxSeconds: 300 })
			};
		})()`);
		expect(validity).toEqual({ asShipped: true, eventTypo: false, knownEvents: true, negativeBody: false, signatureWithoutSecrets: false, noneWithoutSecrets: true, retryWaitUpsideDown: false });
	}, 30000);

	it('comes back unchanged from Export and a re-import through the editor', async () => {
		const exported = await exportCurrentFlow(editor);
		expect(asInFile(example, exported)).toEqual(example);
		await clearCurrentFlow(editor);
		await importJson(editor, JSON.stringify(exported));
		// An exported flow comes back as a flow tab of its own: look at that one.
		await showLastFlowTab(editor);
		// The editor gives a re-imported copy new ids; everything else, wires included, must be as exported.
		const again = await exportCurrentFlow(editor);
		expect(withIdsByPosition(again)).toEqual(withIdsByPosition(exported));
		expect(editor.problems).toEqual([]);
	}, 60000);
});
