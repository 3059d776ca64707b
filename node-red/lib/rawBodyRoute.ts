import type { ServerResponse } from 'http';

import type { ExpressApp, ExpressLayer, ExpressResponse, NodeRedRuntime, RawRequest } from './types';

/**
 * Mailtarget paths served in this runtime, with their body limits and handlers. The editor's
 * express app parses JSON before any route of httpNode runs, so a route alone never sees the
 * exact bytes a signature covers: a middleware at the very top of the root app reads them first,
 * and answers the request itself (express's routing and middleware cost more than the trigger's
 * own work). With `httpNodeAuth` set it hands the request on instead, so that Node-RED's
 * authentication of HTTP nodes still applies.
 */
const routes = new Map<string, { maxBytes: number; handler: RawBodyHandler; direct: boolean }>();
const installedOn = new WeakSet<object>();

function rootApp(app: ExpressApp): ExpressApp {
	return app.parent ? rootApp(app.parent) : app;
}

function stackOf(app: ExpressApp): ExpressLayer[] {
	const stack = (app._router ?? app.router)?.stack;
	if (!stack) throw new Error('Node-RED HTTP node server has no express router');
	return stack;
}

export function normalizePath(path: string): string {
	return `/${path}`.replace(/\/{2,}/g, '/').replace(/\/$/, '') || '/';
}

function fullPath(RED: NodeRedRuntime, path: string): string {
	const root = typeof RED.settings.httpNodeRoot === 'string' ? RED.settings.httpNodeRoot : '/';
	return normalizePath(`${root}/${path}`);
}

function captureRawBody(req: RawRequest, res: ServerResponse, next: (err?: unknown) => void): void {
	const route = routes.get(normalizePath(req._parsedUrl?.pathname ?? (req.url ?? '').split('?')[0]));
	if (route === undefined || req._body) return next();
	const limit = route.maxBytes;
	const chunks: Buffer[] = [];
	let size = 0;
	req.on('data', (chunk: Buffer) => {
		size += chunk.length;
		if (size <= limit) chunks.push(chunk);
		else req.mailtargetTooLarge = true;
	});
	req.on('end', () => {
		req.mailtargetRawBody = req.mailtargetTooLarge ? Buffer.alloc(0) : chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
		req._body = true;
		req.body = undefined;
		if (route.direct) route.handler(req, replyTo(res));
		else next();
	});
	req.on('error', next);
}

function installCapture(httpNode: ExpressApp): void {
	const root = rootApp(httpNode);
	if (installedOn.has(root)) return;
	installedOn.add(root);
	root.use(captureRawBody);
	const stack = stackOf(root);
	const index = stack.findIndex((layer) => layer.handle === captureRawBody);
	if (index > 0) stack.unshift(...stack.splice(index, 1));
}

export interface RawBodyRoute {
	close(): void;
}

/** Answers a request once: a status, a short text body, and extra headers. */
export type Reply = (status: number, body: string, headers?: Record<string, string>) => void;

export type RawBodyHandler = (req: RawRequest, reply: Reply) => void;

function replyTo(res: ServerResponse): Reply {
	return (status, body, headers) => {
		if (res.headersSent || res.writableEnded) return;
		res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body), ...headers });
		res.end(body);
	};
}

/**
 * Serves `path` on Node-RED's HTTP node server for every method, handing the exact request
 * bytes to `handler` as `req.mailtargetRawBody` (`req.mailtargetTooLarge` above `maxBytes`).
 * `close()` removes this route only, not others on the same path.
 */
export function serveRawBody(RED: NodeRedRuntime, path: string, maxBytes: number, handler: RawBodyHandler): RawBodyRoute {
	const httpNode = RED.httpNode;
	if (!httpNode) throw new Error('Node-RED HTTP node server is disabled (httpNodeRoot is false)');
	const key = fullPath(RED, path);
	if (routes.has(key)) throw new Error(`path ${normalizePath(path)} is already served by another Mailtarget node`);
	installCapture(httpNode);
	routes.set(key, { maxBytes, handler, direct: !RED.settings.httpNodeAuth });
	const route = normalizePath(path);
	const ownHandler = (req: RawRequest, res: ExpressResponse) => handler(req, replyTo(res));
	httpNode.all(route, ownHandler);
	return {
		close() {
			routes.delete(key);
			const stack = stackOf(httpNode);
			const index = stack.findIndex((layer) => layer.route?.path === route && routeHandles(layer, ownHandler));
			if (index >= 0) stack.splice(index, 1);
		},
	};
}

function routeHandles(layer: ExpressLayer, handler: unknown): boolean {
	const inner = (layer.route as unknown as { stack?: ExpressLayer[] } | undefined)?.stack ?? [];
	return inner.some((sub) => sub.handle === handler);
}
