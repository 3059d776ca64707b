import type { ServerResponse } from 'http';

import type { ExpressApp, ExpressLayer, ExpressResponse, NodeRedRuntime, RawRequest } from './types';

/**
 * Mailtarget paths served in this runtime, with their body limits. The editor's express app
 * parses JSON before any route of httpNode runs, so a route alone never sees the exact bytes
 * a signature covers: a middleware at the very top of the root app reads them first.
 */
const routes = new Map<string, number>();
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

function captureRawBody(req: RawRequest, _res: ServerResponse, next: (err?: unknown) => void): void {
	const limit = routes.get(normalizePath(req._parsedUrl?.pathname ?? (req.url ?? '').split('?')[0]));
	if (limit === undefined || req._body) return next();
	const chunks: Buffer[] = [];
	let size = 0;
	req.on('data', (chunk: Buffer) => {
		size += chunk.length;
		if (size <= limit) chunks.push(chunk);
		else req.mailtargetTooLarge = true;
	});
	req.on('end', () => {
		req.mailtargetRawBody = req.mailtargetTooLarge ? Buffer.alloc(0) : Buffer.concat(chunks);
		req._body = true;
		req.body = undefined;
		next();
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

export type RawBodyHandler = (req: RawRequest, res: ExpressResponse) => void;

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
	routes.set(key, maxBytes);
	const route = normalizePath(path);
	const ownHandler: RawBodyHandler = (req, res) => handler(req, res);
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

function routeHandles(layer: ExpressLayer, handler: RawBodyHandler): boolean {
	const inner = (layer.route as unknown as { stack?: ExpressLayer[] } | undefined)?.stack ?? [];
	return inner.some((sub) => sub.handle === handler);
}
