'use strict';
/** Starts a real n8n (dist/tools/n8n) for the benchmark with one expression-engine setting. */
const path = require('path');

const repoRoot = path.join(__dirname, '..', '..');
const { startN8nServer, hasN8nServer } = require(path.join(repoRoot, 'dist', 'tools', 'n8n', 'n8nServer.js'));

/** The three engine settings issue 10 compares. */
const ENGINES = {
	vm: { N8N_EXPRESSION_ENGINE: 'vm' },
	lazy: { N8N_EXPRESSION_ENGINE: 'vm', N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE: 'true' },
	legacy: { N8N_EXPRESSION_ENGINE: 'legacy' },
};

async function startBenchN8n(engine, { env = {}, postgres, database = 'postgres' } = {}) {
	if (!hasN8nServer()) throw new Error('n8n is not installed: run scripts/ensure-n8n-host.sh');
	return startN8nServer({
		database,
		postgres,
		env: { ...ENGINES[engine], N8N_CUSTOM_EXTENSIONS: path.join(__dirname, 'custom'), N8N_LOG_LEVEL: process.env.BENCH_N8N_LOG_LEVEL || 'warn', ...env },
	});
}

/** Creates, activates and waits for each workflow; returns each one's webhook URL by key. */
async function deploy(server, workflows) {
	const urls = {};
	for (const [key, workflow] of Object.entries(workflows)) {
		await server.createWorkflow(workflow, { activate: true });
		const trigger = workflow.nodes.find((node) => node.webhookId);
		const webhookPath = trigger.parameters.path || `${trigger.webhookId}/webhook`;
		await server.waitForWebhook(webhookPath, 60000);
		urls[key] = `${server.url}/webhook/${webhookPath}`;
	}
	return urls;
}

/** Runs the custom-CRM setup template once (it creates the outbox and dead-letter Data Tables), then deactivates it. */
async function setUpCustomCrmTables(server) {
	const { loadTemplate } = require('./workflows');
	const setup = loadTemplate('Mailtarget to custom CRM - 1 setup.json');
	const created = await server.createWorkflow(setup, { activate: true });
	const hook = setup.nodes.find((node) => node.type === 'n8n-nodes-base.webhook');
	const deadline = Date.now() + 60000;
	while ((await fetch(`${server.url}/webhook/${hook.parameters.path}`)).status !== 200) {
		if (Date.now() > deadline) throw new Error('setup workflow did not run');
		await new Promise((done) => setTimeout(done, 500));
	}
	await server.deactivateWorkflow(created.id);
}

module.exports = { ENGINES, startBenchN8n, deploy, setUpCustomCrmTables };
