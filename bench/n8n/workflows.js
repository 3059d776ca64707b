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
