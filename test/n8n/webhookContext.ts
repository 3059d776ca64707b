import type { Request, Response } from 'express';
import type { IDataObject, IWebhookFunctions } from 'n8n-workflow';

export interface WebhookContextOptions {
	parameters?: Record<string, unknown>;
	credentials?: Record<string, Record<string, unknown>>;
	staticData?: IDataObject;
	request: Request;
	response: Response;
	/** Contexts sharing a workflow id share the trigger's reused credential; default: a new id. */
	workflowId?: string;
}

let contexts = 0;

/**
 * The IWebhookFunctions a trigger's webhook() uses, around a real express request and
 * response: parameters and credentials as n8n would resolve them, and n8n's raw body reader.
 */
export function webhookContext(options: WebhookContextOptions) {
	const parameters = { authentication: 'signature', events: [], registerWebhook: false, options: {}, ...options.parameters };
	const logs: Array<{ level: string; message: string; meta?: unknown }> = [];
	const staticData = options.staticData ?? {};
	const credentialReads: string[] = [];
	// Each context is its own workflow, so the trigger's per-process credential copy never crosses tests.
	const workflowId = options.workflowId ?? `test-workflow-${++contexts}`;
	const context = {
		getRequestObject: () => options.request,
		getResponseObject: () => options.response,
		getNodeParameter: (name: string, fallback?: unknown) => (name in parameters ? parameters[name as keyof typeof parameters] : fallback),
		getCredentials: async (name: string) => {
			credentialReads.push(name);
			const credential = options.credentials?.[name];
			if (!credential) throw new Error(`Node does not have credential "${name}" set`);
			return credential;
		},
		getWorkflowStaticData: () => staticData,
		getNode: () => ({ name: 'Mailtarget Trigger', type: 'mailtargetTrigger', typeVersion: 1, credentials: { mailtargetWebhookApi: { id: 'cred-1', name: 'Mailtarget Webhook' } } }),
		getWorkflow: () => ({ id: workflowId, name: 'test', active: true }),
		helpers: { returnJsonArray: (items: IDataObject[]) => items.map((json) => ({ json })) },
		logger: {
			info: (message: string, meta?: unknown) => logs.push({ level: 'info', message, meta }),
			warn: (message: string, meta?: unknown) => logs.push({ level: 'warn', message, meta }),
			debug: () => undefined,
			error: (message: string, meta?: unknown) => logs.push({ level: 'error', message, meta }),
		},
	};
	return { context: context as unknown as IWebhookFunctions, logs, staticData, credentialReads };
}

/** n8n's webhook server adds `readRawBody()` to the request; this is the same contract. */
export function withRawBodyReader(request: Request): Request & { rawBody?: Buffer; readRawBody(): Promise<void> } {
	const req = request as Request & { rawBody?: Buffer; readRawBody(): Promise<void> };
	req.readRawBody = () =>
		new Promise<void>((resolve, reject) => {
			const chunks: Buffer[] = [];
			req.on('data', (chunk: Buffer) => chunks.push(chunk));
			req.on('end', () => {
				req.rawBody = Buffer.concat(chunks);
				resolve();
			});
			req.on('error', reject);
		});
	return req;
}
