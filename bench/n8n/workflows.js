'use strict';
/**
 * The n8n workflows the benchmark compares, each a webhook at its own path ending in the same
 * downstream (a NoOp for the ingest-cost rows; the shipped template's own nodes for its row).
 */
const fs = require('fs');
const path = require('path');

const PKG = '@crm-bridge/n8n-nodes-mailtarget';
const repoRoot = path.join(__dirname, '..', '..');

function line(name, nodes, settings = {}) {
	const connections = {};
	for (let i = 0; i < nodes.length - 1; i++) connections[nodes[i].name] = { main: [[{ node: nodes[i + 1].name, type: 'main', index: 0 }]] };
	return { name, nodes: nodes.map((node, i) => ({ position: [i * 220, 0], ...node })), connections, settings };
}

const noOp = { id: 'bench-noop', name: 'Done', type: 'n8n-nodes-base.noOp', typeVersion: 1, parameters: {} };

/** n8n's Webhook node answering at once, raw body kept for a verifier downstream. */
function webhookNode(pathName, extra = {}) {
	return { id: `wh-${pathName}`, name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2, webhookId: `bench-${pathName}`, parameters: { httpMethod: 'POST', path: pathName, responseMode: 'onReceived', options: { rawBody: true }, ...extra } };
}

function ourTrigger(pathName, credential, typeVersion = 2) {
	return { id: `mt-${pathName}`, name: 'Mailtarget Trigger', type: `${PKG}.mailtargetTrigger`, typeVersion, webhookId: `bench-${pathName}`, parameters: { authentication: 'signature', events: [], registerWebhook: false, options: {} }, credentials: { mailtargetWebhookApi: credential } };
}

function noopTrigger(pathName, credential, readCredential) {
	return { id: `noop-${pathName}`, name: 'Bench Trigger', type: 'CUSTOM.benchNoopTrigger', typeVersion: 1, webhookId: `bench-${pathName}`, parameters: { readCredential }, credentials: { mailtargetWebhookApi: credential } };
}

/** The ingest-cost variants of issue 10's table, all ending in one NoOp. */
function ingestCostWorkflows(credential, settings) {
	return {
		webhookNode: line('bench webhook node', [webhookNode('bench-webhook-node'), noOp], settings),
		noopTrigger: line('bench no-op trigger', [noopTrigger('bench-noop-trigger', credential, false), noOp], settings),
		noopTriggerReadsCredential: line('bench no-op trigger + credential', [noopTrigger('bench-noop-credential', credential, true), noOp], settings),
		mailtargetTriggerV1: line('bench mailtarget trigger v1', [ourTrigger('bench-mailtarget-trigger-v1', credential, 1), noOp], settings),
		mailtargetTrigger: line('bench mailtarget trigger', [ourTrigger('bench-mailtarget-trigger', credential), noOp], settings),
	};
}

function loadTemplate(file) {
	return JSON.parse(fs.readFileSync(path.join(repoRoot, 'workflows', file), 'utf8'));
}

module.exports = { PKG, line, noOp, webhookNode, ourTrigger, noopTrigger, ingestCostWorkflows, loadTemplate };

/** The Code node a user would write to verify Mailtarget's HMAC on the Webhook node's raw body. */
const VERIFY_CODE = (secret) => `const crypto = require('crypto');
const item = $input.first();
const raw = await this.helpers.getBinaryDataBuffer(0, 'data');
const received = Buffer.from(String(item.json.headers['x-mailtarget-signature'] || ''), 'hex');
const expected = crypto.createHmac('sha256', ${JSON.stringify(secret)}).update(raw).digest();
if (received.length !== expected.length || !crypto.timingSafeEqual(received, expected)) throw new Error('bad signature');
return [{ json: item.json.body }];`;

const SPLIT_CODE = `return ($input.first().json.events || []).map((event) => ({ json: event }));`;

/** The outbox insert of the custom-CRM template, for the hand-built workflow's own records. */
function outboxInsert(recordIdExpression) {
	const template = loadTemplate('Mailtarget to custom CRM - 2 ingest.json');
	const store = template.nodes.find((node) => node.name === 'Store as due');
	const copy = JSON.parse(JSON.stringify(store));
	copy.parameters.columns.value.recordId = recordIdExpression;
	copy.parameters.columns.value.record = '={{ JSON.stringify($json) }}';
	return { ...copy, id: 'bench-store', name: 'Store as due' };
}

/** Webhook -> Code verifying the HMAC -> Code splitting events -> Remove Duplicates -> the same outbox insert. */
function handBuilt(pathName, secret, settings, webhookExtra = {}) {
	return line('bench hand-built', [
		webhookNode(pathName, webhookExtra),
		{ id: 'hb-verify', name: 'Verify HMAC', type: 'n8n-nodes-base.code', typeVersion: 2, parameters: { jsCode: VERIFY_CODE(secret) } },
		{ id: 'hb-split', name: 'One item per event', type: 'n8n-nodes-base.code', typeVersion: 2, parameters: { jsCode: SPLIT_CODE } },
		{ id: 'hb-dedupe', name: 'Remove Duplicates', type: 'n8n-nodes-base.removeDuplicates', typeVersion: 2, parameters: { operation: 'removeItemRepeatedAcrossExecutions', dedupeValue: '={{ $json.eventId }}', options: {} } },
		outboxInsert('={{ "handbuilt:" + $json.eventId }}'),
	], settings);
}

/** Webhook node -> Mailtarget Verify -> NoOp: the fast path's own cost. */
function fastPathAlone(pathName, credential, settings) {
	return line('bench fast path alone', [
		webhookNode(pathName),
		{ id: 'fp-verify', name: 'Mailtarget Verify', type: `${PKG}.mailtargetVerify`, typeVersion: 1, parameters: { authentication: 'signature', events: [], options: {} }, credentials: { mailtargetWebhookApi: credential } },
		noOp,
	], settings);
}

/** A shipped template with the bench's credential and a webhook path of its own. */
function shipped(file, credential, suffix) {
	const template = loadTemplate(file);
	template.nodes = template.nodes.map((node) => {
		const copy = { ...node };
		if (copy.credentials?.mailtargetWebhookApi) copy.credentials = { ...copy.credentials, mailtargetWebhookApi: credential };
		if (copy.webhookId) copy.webhookId = `${copy.webhookId.slice(0, -2)}${suffix}`;
		if (copy.type === 'n8n-nodes-base.webhook') copy.parameters = { ...copy.parameters, path: `${copy.parameters.path}-${suffix}` };
		return copy;
	});
	return template;
}

/** A shipped ingest set to answer on receipt, as the templates did before they answered once stored (issue 10). */
function answeringOnReceipt(template) {
	for (const node of template.nodes) {
		if (node.type.endsWith('.mailtargetTrigger') || node.type === 'n8n-nodes-base.webhook') {
			node.parameters = { ...node.parameters, responseMode: 'onReceived' };
			delete node.parameters.responseData;
		}
	}
	return template;
}

module.exports.handBuilt = handBuilt;
module.exports.answeringOnReceipt = answeringOnReceipt;
module.exports.fastPathAlone = fastPathAlone;
module.exports.shipped = shipped;
