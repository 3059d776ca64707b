import type { IDataObject, INodeExecutionData, INodeParameters, INodeType } from 'n8n-workflow';

export interface NodeRunJob {
	nodeType: INodeType;
	typeName: string;
	parameters: INodeParameters;
	items: Array<{ json: IDataObject }>;
	workflowId: string;
	nodeId: string;
	mode?: 'trigger' | 'webhook' | 'manual';
}

export interface NodeRunResult {
	outputs: INodeExecutionData[][] | undefined;
	error: { message: string; description?: string } | undefined;
}

export function runNodeInWorkflow(n8n: { core: unknown; workflow: unknown }, job: NodeRunJob): Promise<NodeRunResult>;
