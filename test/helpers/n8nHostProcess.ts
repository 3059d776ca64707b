import { fork, type ChildProcess } from 'child_process';
import { existsSync } from 'fs';
import { join } from 'path';

/** Our compiled package (built by `npm test` before jest, or by hand into another folder). */
export const MAILTARGET_DIST = process.env.MAILTARGET_DIST ?? join(__dirname, '..', '..', 'dist');

/**
 * A folder with the full `n8n` package installed (`<dir>/node_modules/n8n`, sqlite3 built for the
 * running Node): `scripts/ensure-n8n-host.sh`, which `npm test` runs first, puts it in `.n8n-host/`.
 */
export const N8N_PACKAGE_DIR = process.env.N8N_PACKAGE_DIR ?? join(__dirname, '..', '..', '.n8n-host');

export function hasN8nPackage(): boolean {
	return Boolean(N8N_PACKAGE_DIR && existsSync(join(N8N_PACKAGE_DIR, 'node_modules', 'n8n', 'package.json')));
}

export interface N8nHost {
	call<T = unknown>(op: string, args?: Record<string, unknown>): Promise<T>;
	/** Closes the database and exits, as stopping n8n does. */
	stop(): Promise<void>;
	/** SIGKILL. */
	kill(): Promise<void>;
}

/** Forks test/helpers/n8nHost.js: an n8n stand-in with n8n's real database layer in `userFolder`. */
export async function startN8nHost(userFolder: string): Promise<N8nHost> {
	if (!N8N_PACKAGE_DIR) throw new Error('N8N_PACKAGE_DIR is not set');
	const child: ChildProcess = fork(join(__dirname, 'n8nHost.js'), [], {
		env: { ...process.env, N8N_PACKAGE_DIR, MAILTARGET_DIST, N8N_USER_FOLDER: userFolder },
		stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
	});
	let log = '';
	child.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
	child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
	let nextId = 0;

	await new Promise<void>((resolve, reject) => {
		child.on('message', (message: { ready?: boolean; failed?: string; id?: number; result?: unknown; error?: string }) => {
			if (message.ready) return resolve();
			if (message.failed) return reject(new Error(`n8n host did not start: ${message.failed}\n${log}`));
			const waiting = message.id === undefined ? undefined : pending.get(message.id);
			if (!waiting || message.id === undefined) return;
			pending.delete(message.id);
			if (message.error) waiting.reject(new Error(message.error));
			else waiting.resolve(message.result);
		});
		child.once('exit', (code) => reject(new Error(`n8n host exited (${code}):\n${log}`)));
	});

	const call = <T>(op: string, args: Record<string, unknown> = {}) =>
		new Promise<T>((resolve, reject) => {
			nextId += 1;
			pending.set(nextId, { resolve: resolve as (value: unknown) => void, reject });
			child.send({ id: nextId, op, args });
		});
	return {
		call,
		async stop() {
			await call('stop').catch(() => undefined);
			await exited;
		},
		async kill() {
			if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
			await exited;
		},
	};
}
