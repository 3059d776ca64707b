'use strict';
/**
 * A stand-in for an n8n process, forked by tests (see n8nHostProcess.ts): it starts n8n's own
 * database layer from the full `n8n` package in N8N_PACKAGE_DIR (SQLite in N8N_USER_FOLDER,
 * migrations run, as `n8n start` does), plugs n8n's own deduplication provider into that
 * package's n8n-core, and runs our compiled node (MAILTARGET_DIST) with n8n-core's execution
 * engine. Answers requests over IPC. Stopping it and forking it again is a restart: only the
 * database file carries over. It runs outside jest because TypeORM loads its drivers with a
 * dynamic import(), which jest's module sandbox refuses.
 */
const { createRequire } = require('module');
const path = require('path');

const { runNodeInWorkflow } = require('./n8nWorkflowRunner');

const n8nRequire = createRequire(path.join(process.env.N8N_PACKAGE_DIR, 'package.json'));
const dist = process.env.MAILTARGET_DIST;

async function start() {
	n8nRequire('reflect-metadata');
	Object.assign(process.env, { DB_TYPE: 'sqlite', N8N_LOG_LEVEL: 'error', DB_LOGGING_ENABLED: 'false' });
	const { Container } = n8nRequire('@n8n/di');
	const { DbConnection } = n8nRequire('@n8n/db');
	const { getDataDeduplicationService } = n8nRequire('n8n/dist/deduplication');
	const core = n8nRequire('n8n-core');
	const workflow = n8nRequire('n8n-workflow');

	const connection = Container.get(DbConnection);
	await connection.init();
	await connection.migrate();
	const deduplicator = getDataDeduplicationService();
	await core.DataDeduplicationService.init(deduplicator);

	const { MailtargetDedupe } = require(path.join(dist, 'nodes', 'MailtargetDedupe', 'MailtargetDedupe.node.js'));
	const { slicedStore } = require(path.join(dist, 'core', 'dedupe', 'slicedStore.js'));
	const query = (sql, parameters = []) => connection.dataSource.query(sql, parameters);
	const realNow = Date.now;
	const stores = new Map();

	function storeFor({ workflowId, nodeId, window }) {
		const name = `${workflowId}|${nodeId}|${window.ttlMs}|${window.maxEntries}`;
		if (!stores.has(name)) {
			const context = { workflow: { id: workflowId, active: true }, node: { id: nodeId, name: 'Dedupe', type: 'CUSTOM.mailtargetDedupe', typeVersion: 1, position: [0, 0], parameters: {} } };
			const list = {
				checkAndRecord: async (values, maxEntries) => (await deduplicator.checkProcessedAndRecord(values, 'node', context, { mode: 'entries', maxEntries })).processed.map(String),
				remove: (values) => deduplicator.removeProcessed(values, 'node', context, { mode: 'entries' }),
				count: () => deduplicator.getProcessedDataCount('node', context, { mode: 'entries' }),
			};
			stores.set(name, slicedStore(list, window));
		}
		return stores.get(name);
	}

	const operations = {
		createWorkflow: ({ workflowId }) =>
			query('INSERT OR IGNORE INTO workflow_entity (id, name, active, nodes, connections, versionId) VALUES (?, ?, ?, ?, ?, ?)', [workflowId, `dedupe test ${workflowId}`, 1, '[]', '{}', `version-${workflowId}`]),
		check: (request) => storeFor(request).checkAndRecord(request.keys, request.now),
		size: (request) => storeFor(request).size(),
		storedRow: async ({ workflowId, context }) => {
			const [row] = await query('SELECT value FROM processed_data WHERE workflowId = ? AND context = ?', [workflowId, context]);
			return row ? JSON.parse(row.value) : null;
		},
		execute: async ({ workflowId, nodeId, parameters, items, now }) => {
			Date.now = now === undefined ? realNow : () => now;
			try {
				return await runNodeInWorkflow({ core, workflow }, { nodeType: new MailtargetDedupe(), typeName: 'CUSTOM.mailtargetDedupe', parameters, items, workflowId, nodeId });
			} finally {
				Date.now = realNow;
			}
		},
		stop: async () => {
			await connection.close();
			setImmediate(() => process.exit(0));
			return null;
		},
	};

	process.on('message', async ({ id, op, args }) => {
		try {
			const result = await operations[op](args);
			process.send({ id, result: result === undefined ? null : result });
		} catch (error) {
			process.send({ id, error: String((error && error.stack) || error) });
		}
	});
	process.send({ ready: true });
}

start().catch((error) => {
	process.send?.({ failed: String((error && error.stack) || error) });
	process.exit(1);
});
