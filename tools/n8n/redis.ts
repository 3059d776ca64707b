import { spawn } from 'child_process';
import { existsSync } from 'fs';

import { freePort } from '../node-red/nodeRedProcess';

export interface RedisServer {
	host: string;
	port: number;
	stop(): Promise<void>;
}

const REDIS_BIN = process.env.REDIS_SERVER_BIN ?? '/usr/bin/redis-server';

export function hasRedis(): boolean {
	return existsSync(REDIS_BIN);
}

/** Debian's redis-server on a free loopback port, in memory only (no dump, no AOF), for one test or benchmark. */
export async function startRedis(): Promise<RedisServer> {
	const port = await freePort();
	const child = spawn(REDIS_BIN, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes'], { stdio: ['ignore', 'pipe', 'pipe'] });
	let log = '';
	child.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
	child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
	const exited = new Promise<void>((done) => child.once('exit', () => done()));
	const deadline = Date.now() + 15_000;
	while (!log.includes('Ready to accept connections')) {
		if (child.exitCode !== null) throw new Error(`redis-server exited:\n${log}`);
		if (Date.now() > deadline) {
			child.kill('SIGKILL');
			throw new Error(`redis-server did not start:\n${log}`);
		}
		await new Promise((done) => setTimeout(done, 50));
	}
	return {
		host: '127.0.0.1',
		port,
		async stop() {
			if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
			await exited;
		},
	};
}
