import type * as http from 'node:http';
import { PAGE_CSP, PAGE_HTML } from './pageHtml';
import { pageState, type PageSources } from './pageState';

/** The page's own routes: served before anything is recorded, so they never count as CRM requests. */
export const PAGE_PATHS = ['/', '/crm'] as const;
export const STATE_PATH = '/_simulator/state';
export const EVENTS_PATH = '/_simulator/events';

const KEEPALIVE_MS = 15_000;

const COMMON_HEADERS = {
	'Cache-Control': 'no-store',
	'X-Content-Type-Options': 'nosniff',
	'Referrer-Policy': 'no-referrer',
};

export interface PageRoutes {
	/** Answers the request when it is one of the page's routes; false leaves it to the CRMs. */
	serve(req: http.IncomingMessage, res: http.ServerResponse): boolean;
	/** Tells open pages that something changed. */
	changed(): void;
	close(): void;
}

export function createPageRoutes(sources: () => PageSources): PageRoutes {
	const streams = new Set<http.ServerResponse>();
	let version = 0;
	let keepalive: ReturnType<typeof setInterval> | undefined;

	function body(res: http.ServerResponse, status: number, type: string, text: string, head: boolean, extra: Record<string, string> = {}) {
		res.writeHead(status, { ...COMMON_HEADERS, ...extra, 'Content-Type': type, 'Content-Length': String(Buffer.byteLength(text)) });
		res.end(head ? undefined : text);
	}

	function openStream(req: http.IncomingMessage, res: http.ServerResponse) {
		res.writeHead(200, { ...COMMON_HEADERS, 'Content-Type': 'text/event-stream; charset=utf-8', Connection: 'keep-alive' });
		res.write(`retry: 2000\ndata: ${version}\n\n`);
		streams.add(res);
		req.on('close', () => streams.delete(res));
		if (keepalive === undefined) {
			keepalive = setInterval(() => {
				for (const stream of streams) stream.write(': keepalive\n\n');
			}, KEEPALIVE_MS);
			keepalive.unref();
		}
	}

	return {
		serve(req, res) {
			const method = req.method ?? 'GET';
			const path = new URL(req.url ?? '/', 'http://simulator.invalid').pathname;
			const isPage = (PAGE_PATHS as readonly string[]).includes(path);
			if (!isPage && !path.startsWith('/_simulator/') && path !== '/favicon.ico') return false;
			const head = method === 'HEAD';
			if (method !== 'GET' && !head) {
				// POST / and friends stay CRM requests (recorded 404s), as before the page existed.
				if (isPage) return false;
				body(res, 405, 'application/json; charset=utf-8', JSON.stringify({ error: 'method_not_allowed' }), false, { Allow: 'GET, HEAD' });
				return true;
			}
			if (isPage) {
				body(res, 200, 'text/html; charset=utf-8', PAGE_HTML, head, { 'Content-Security-Policy': PAGE_CSP, 'X-Frame-Options': 'DENY' });
			} else if (path === STATE_PATH) {
				body(res, 200, 'application/json; charset=utf-8', JSON.stringify(pageState(sources())), head);
			} else if (path === EVENTS_PATH && !head) {
				openStream(req, res);
			} else if (path === '/favicon.ico') {
				res.writeHead(204, COMMON_HEADERS).end();
			} else {
				body(res, 404, 'application/json; charset=utf-8', JSON.stringify({ error: 'not_found' }), head);
			}
			return true;
		},
		changed() {
			version++;
			for (const stream of streams) stream.write(`data: ${version}\n\n`);
		},
		close() {
			if (keepalive !== undefined) clearInterval(keepalive);
			keepalive = undefined;
			for (const stream of streams) stream.end();
			streams.clear();
		},
	};
}
