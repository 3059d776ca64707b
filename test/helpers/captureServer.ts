import { createServer, type IncomingHttpHeaders } from 'http';

export interface CapturedRequest {
	method: string;
	url: string;
	headers: IncomingHttpHeaders;
	body: string;
}

/** A loopback HTTP server that answers 200 and keeps every request, for flows to post into. */
export async function startCaptureServer(): Promise<{ url: string; requests: CapturedRequest[]; waitFor(count: number, timeoutMs?: number): Promise<CapturedRequest[]>; close(): Promise<void> }> {
	const requests: CapturedRequest[] = [];
	const server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
			res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"ok":true}');
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const address = server.address();
	const port = typeof address === 'object' && address ? address.port : 0;
	return {
		url: `http://127.0.0.1:${port}`,
		requests,
		async waitFor(count, timeoutMs = 10000) {
			const start = Date.now();
			while (requests.length < count && Date.now() - start < timeoutMs) await new Promise((resolve) => setTimeout(resolve, 25));
			return requests;
		},
		close: () => new Promise<void>((resolve) => server.close(() => resolve())),
	};
}
