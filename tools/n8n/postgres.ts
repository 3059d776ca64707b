import { execFileSync, spawn, spawnSync } from 'child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import { freePort } from '../node-red/nodeRedProcess';

export interface PsqlSession {
	/** Sends SQL and resolves once psql printed `until`. */
	send(sql: string, until: string): Promise<void>;
	close(): Promise<void>;
}

export interface PostgresCluster {
	host: string;
	port: number;
	user: string;
	password: string;
	database: string;
	/** Runs one SQL statement with psql and returns its unaligned output. */
	psql(sql: string): string;
	/** An open psql session (e.g. to hold a lock in a transaction); `close()` ends it. */
	session(): PsqlSession;
	/** Stops the server and deletes the cluster's folder. */
	stop(): Promise<void>;
}

/** Debian's PostgreSQL binaries (the newest installed major version), or POSTGRES_BIN. */
export function postgresBinDir(): string | undefined {
	if (process.env.POSTGRES_BIN) return process.env.POSTGRES_BIN;
	const root = '/usr/lib/postgresql';
	if (!existsSync(root)) return undefined;
	const versions = readdirSync(root)
		.filter((name) => existsSync(join(root, name, 'bin', 'initdb')))
		.sort((a, b) => Number(b) - Number(a));
	return versions.length > 0 ? join(root, versions[0] as string, 'bin') : undefined;
}

export function hasPostgres(): boolean {
	return postgresBinDir() !== undefined;
}

/** PostgreSQL refuses to run as root: the cluster then belongs to `nobody`. */
function runAs(): string[] {
	return typeof process.getuid === 'function' && process.getuid() === 0 ? ['runuser', '-u', 'nobody', '--'] : [];
}

function run(command: string[], env: Record<string, string> = {}): string {
	const [file, ...args] = command as [string, ...string[]];
	return execFileSync(file, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
}

/**
 * A throwaway PostgreSQL cluster on a free loopback port: initdb into a fresh folder under the
 * system temp dir, pg_ctl start, one database with a password user. `stop()` stops it and
 * deletes the folder.
 */
export async function startPostgres(): Promise<PostgresCluster> {
	const bin = postgresBinDir();
	if (!bin) throw new Error('PostgreSQL is not installed (apt-get install postgresql, or set POSTGRES_BIN)');
	const dir = mkdtempSync(join(tmpdir(), 'mailtarget-pg-'));
	chmodSync(dir, 0o777);
	const dataDir = join(dir, 'data');
	const prefix = runAs();
	const port = await freePort();
	const user = 'n8n';
	const password = 'n8n-test-password';
	const database = 'n8n';
	run([...prefix, join(bin, 'initdb'), '-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8'], { LC_ALL: 'C.UTF-8' });
	const options = `-c listen_addresses=127.0.0.1 -c port=${port} -c unix_socket_directories=${dir} -c fsync=on -c max_connections=50`;
	run([...prefix, join(bin, 'pg_ctl'), '-D', dataDir, '-o', options, '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start']);
	const psqlAs = (sql: string, db = 'postgres') =>
		run([...prefix, join(bin, 'psql'), '-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', db, '-v', 'ON_ERROR_STOP=1', '-A', '-t', '-c', sql]);
	const stop = async () => {
		const [file, ...args] = [...prefix, join(bin, 'pg_ctl'), '-D', dataDir, '-m', 'fast', '-w', 'stop'] as unknown as [string, ...string[]];
		spawnSync(file, args, { stdio: 'ignore' });
		rmSync(dir, { recursive: true, force: true });
	};
	try {
		psqlAs(`CREATE USER ${user} WITH PASSWORD '${password}'`);
		psqlAs(`CREATE DATABASE ${database} OWNER ${user}`);
	} catch (error) {
		await stop();
		throw error;
	}
	const session = (): PsqlSession => {
		const [file, ...args] = [...prefix, join(bin, 'psql'), '-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', database, '-v', 'ON_ERROR_STOP=1'] as unknown as [string, ...string[]];
		const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'] });
		let output = '';
		child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
		child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
		const exited = new Promise<void>((done) => child.once('exit', () => done()));
		return {
			async send(sql, until) {
				const from = output.length;
				child.stdin.write(`${sql}\n`);
				const deadline = Date.now() + 30_000;
				while (!output.slice(from).includes(until)) {
					if (Date.now() > deadline || child.exitCode !== null) throw new Error(`psql did not answer ${until}: ${output}`);
					await new Promise((done) => setTimeout(done, 50));
				}
			},
			async close() {
				child.stdin.end();
				const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
				await exited;
				clearTimeout(timer);
			},
		};
	};
	return { host: '127.0.0.1', port, user, password, database, psql: (sql) => psqlAs(sql, database), session, stop };
}
