import * as http from 'http';
import { connect, type Socket } from 'net';
import { readFileSync } from 'fs';

export interface RawAnswer {
	/** 0 when the connection closed without an answer. */
	status: number;
	body: string;
	error?: string;
}

export interface RawRequestOptions {
	method?: string;
	/** Arrays send the header once per value, as a proxy or a buggy client might. */
	headers?: Record<string, string | string[]>;
	body?: Buffer | string;
	timeoutMs?: number;
}

/** One HTTP request with exactly the headers and bytes given (fetch would normalise them). */
export function rawRequest(url: string, options: RawRequestOptions = {}): Promise<RawAnswer> {
	return new Promise((resolve) => {
		const body = options.body === undefined ? Buffer.alloc(0) : Buffer.from(options.body);
		const req = http.request(url, {
			method: options.method ?? 'POST',
			headers: { 'Content-Length': String(body.length), ...options.headers },
			timeout: options.timeoutMs ?? 30_000,
		});
		req.on('response', (res) => {
			const chunks: Buffer[] = [];
			res.on('data', (chunk: Buffer) => chunks.push(chunk));
			res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
			res.on('error', (err) => resolve({ status: res.statusCode ?? 0, body: '', error: err.message }));
		});
		req.on('timeout', () => req.destroy(new Error('timed out')));
		req.on('error', (err) => resolve({ status: 0, body: '', error: err.message }));
		req.end(body);
	});
}

/** A client that sends the headers, then the body in `pieces` pieces `gapMs` apart. */
export function slowRequest(url: string, headers: Record<string, string>, body: Buffer, pieces: number, gapMs: number): Promise<RawAnswer> {
	return new Promise((resolve) => {
		const target = new URL(url);
		const socket = connect(Number(target.port), target.hostname);
		let answer = '';
		socket.on('data', (chunk) => (answer += chunk.toString('utf8')));
		socket.on('error', () => undefined);
		socket.on('close', () => {
			const status = /^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1];
			resolve({ status: status ? Number(status) : 0, body: answer.split('\r\n\r\n').slice(1).join('\r\n\r\n') });
		});
		socket.on('connect', async () => {
			const head = [`POST ${target.pathname} HTTP/1.1`, `Host: ${target.host}`, `Content-Length: ${body.length}`, 'Connection: close', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
			socket.write(`${head.join('\r\n')}\r\n\r\n`);
			const size = Math.ceil(body.length / pieces);
			for (let at = 0; at < body.length; at += size) {
				await new Promise((r) => setTimeout(r, gapMs));
				if (socket.destroyed) return;
				socket.write(body.subarray(at, at + size));
			}
		});
	});
}

/** Clients that send headers and half a body, then stall; `release()` drops them. */
export function stalledClients(url: string, count: number, headers: Record<string, string>): Promise<{ release(): void; sockets: Socket[] }> {
	const target = new URL(url);
	const sockets: Socket[] = [];
	const opened = Array.from(
		{ length: count },
		() =>
			new Promise<void>((resolve) => {
				const socket = connect(Number(target.port), target.hostname, () => {
					socket.write(`POST ${target.pathname} HTTP/1.1\r\nHost: ${target.host}\r\nContent-Length: 1000\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n{"events":[`);
					resolve();
				});
				socket.on('error', () => resolve());
				sockets.push(socket);
			}),
	);
	return Promise.all(opened).then(() => ({ sockets, release: () => sockets.forEach((s) => s.destroy()) }));
}

/** A memory line of /proc/<pid>/status (Linux), in MiB. */
function statusMiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
	const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
	if (!match) throw new Error(`no ${field} for process ${pid}`);
	return Number(match[1]) / 1024;
}

/** Resident memory of a process now, MiB. */
export const rssMiB = (pid: number): number => statusMiB(pid, 'VmRSS');

/** Peak resident memory of a process so far, MiB. */
export const peakRssMiB = (pid: number): number => statusMiB(pid, 'VmHWM');
