'use strict';
/**
 * Runs one node of ours in a one-node n8n workflow with n8n-core's real execution engine
 * (WorkflowExecute), as an n8n instance would in `execute()`: the items go on the node's input,
 * `this.helpers` are n8n-core's own (so deduplication goes through n8n-core's
 * DataDeduplicationService and whatever provider it was given). Plain JavaScript so that a
 * separate process (an n8n stand-in, see n8nHost.js) can use it as well as the jest tests.
 * Written from n8n-core/n8n-workflow 2.41's public API; n8n's own test harness is not used.
 */

/**
 * @param {{ core: any, workflow: any }} n8n  the `n8n-core` and `n8n-workflow` modules to run on
 * @param {{ nodeType: any, typeName: string, parameters: object, items: object[], workflowId: string, nodeId: string, mode?: string }} job
 * @returns {Promise<{ outputs: object[][] | undefined, error: { message: string, description?: string } | undefined }>}
 */
async function runNodeInWorkflow(n8n, job) {
	const { WorkflowExecute, ExecutionLifecycleHooks } = n8n.core;
	const { Workflow, NodeHelpers, createRunExecutionData } = n8n.workflow;
	const mode = job.mode || 'trigger';
	const nodeTypes = {
		getByName: () => job.nodeType,
		getByNameAndVersion: (_name, version) => NodeHelpers.getVersionedNodeType(job.nodeType, version),
		getKnownTypes: () => ({}),
	};
	const node = { id: job.nodeId, name: 'Mailtarget Dedupe', type: job.typeName, typeVersion: 1, position: [0, 0], parameters: job.parameters };
	const workflowData = { id: job.workflowId, name: 'dedupe test', active: true, nodes: [node], connections: {}, settings: {}, isArchived: false, createdAt: new Date(), updatedAt: new Date() };
	const workflow = new Workflow({ id: job.workflowId, name: workflowData.name, nodes: [node], connections: {}, active: true, nodeTypes, settings: {} });

	const executionId = `execution-${Date.now()}-${Math.random().toString(16).slice(2)}`;
	const hooks = new ExecutionLifecycleHooks(mode, executionId, workflowData);
	const additionalData = {
		hooks,
		executionId,
		workflowId: job.workflowId,
		credentialsHelper: {},
		executeWorkflow: async () => {
			throw new Error('sub-workflows are not available here');
		},
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		currentNodeExecutionIndex: 0,
		restApiUrl: 'http://localhost:5678/rest',
		instanceBaseUrl: 'http://localhost:5678/',
		formBaseUrl: 'http://localhost:5678/form',
		formWaitingBaseUrl: 'http://localhost:5678/form-waiting',
		formTestBaseUrl: 'http://localhost:5678/form-test',
		webhookBaseUrl: 'http://localhost:5678/webhook',
		webhookWaitingBaseUrl: 'http://localhost:5678/webhook-waiting',
		webhookTestBaseUrl: 'http://localhost:5678/webhook-test',
		mcpBaseUrl: 'http://localhost:5678/mcp',
		mcpTestBaseUrl: 'http://localhost:5678/mcp-test',
		variables: {},
		logAiEvent: () => undefined,
		setExecutionStatus: () => undefined,
		sendDataToUI: () => undefined,
		startRunnerTask: async () => {
			throw new Error('task runners are not available here');
		},
	};
	const runExecutionData = createRunExecutionData({
		executionData: { nodeExecutionStack: [{ node, data: { main: [job.items] }, source: null }] },
	});
	const run = await new WorkflowExecute(additionalData, mode, runExecutionData).processRunExecutionData(workflow);
	const task = run.data.resultData.runData[node.name]?.[0];
	const error = run.data.resultData.error || task?.error;
	return {
		outputs: task?.data?.main,
		error: error ? { message: error.message, description: error.description } : undefined,
	};
}

module.exports = { runNodeInWorkflow };
