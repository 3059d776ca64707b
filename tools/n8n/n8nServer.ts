import { execFileSync, spawn, type ChildProcess } from 'child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { join, resolve, sep } from 'path';

import { freePort } from '../node-red/nodeRedProcess';
import { packedTarball } from '../node-red/packedPackage';
import { startPostgres, type PostgresCluster } from './postgres';

/** The repository root, from tools/n8n or from its compiled copy in dist/tools/n8n. */
const repoRoot = resolve(__dirname, __dirname.includes(`${sep}dist${sep}`) ? '../../..' : '../..');

/** The full `n8n` package, installed by `scripts/ensure-n8n-host.sh` (which `npm test` runs first). */
export const N8N_HOST_DIR = process.env.N8N_PACKAGE_DIR ?? join(repoRoot, '.n8n-host');
const N8N_BIN = join(N8N_HOST_DIR, 'node_modules', 'n8n', 'bin', 'n8n');

export function hasN8nServer(): boolean {
	return existsSync(join(N8N_HOST_DIR, 'node_modules', 'n8n', 'package.json'));
}

/** The Node 24 the `node` devDependency puts in node_modules/.bin (n8n 2.41 needs Node >= 24). */
export function node24(): string {
	const local = join(repoRoot, 'node_modules', '.bin', 'node');
	if (existsSync(local)) return local;
	return process.execPath;
}

export interface N8nServerOptions {
	/** 'sqlite' (n8n's default) or 'postgres' (a throwaway cluster started here, or `postgres`). */
	database?: 'sqlite' | 'postgres';
	/** A cluster started by the caller; it is not stopped by `stop()`. */
	postgres?: PostgresCluster;
	/** Install this tarball into the community-nodes folder; default: `npm pack` of this package; false: none. */
	tarball?: string | false;
	/** Extra environment for the n8n process (e.g. `N8N_CONCURRENCY_PRODUCTION_LIMIT`, variables templates read). */
	env?: Record<string, string>;
	/** Keep the user folder after `stop()` (default: delete it). */
	keepUserFolder?: boolean;
	/** Milliseconds to wait for readiness; default 120 000. */
	readyTimeoutMs?: number;
	/** Queue mode: executions go through this Redis to workers started with `startWorker()` (needs PostgreSQL). */
	queue?: { redisHost: string; redisPort: number };
}

export interface N8nWorker {
	pid: number | undefined;
	output(): string;
	kill9(): Promise<void>;
	stop(): Promise<void>;
}

export interface N8nWorkflow {
	id: string;
	name: string;
	active: boolean;
	nodes: Array<Record<string, unknown>>;
	connections: Record<string, unknown>;
	settings?: Record<string, unknown>;
}

export interface N8nServer {
	/** e.g. http://127.0.0.1:5678 */
	url: string;
	port: number;
	/** N8N_USER_FOLDER (n8n keeps its data in `<userFolder>/.n8n`). */
	userFolder: string;
	database: 'sqlite' | 'postgres';
	postgres?: PostgresCluster;
	/** The owner's public API key (all owner scopes). */
	apiKey: string;
	/** Everything n8n printed, since the first start. */
	output(): string;
	/** The running n8n process's id (changes on `restart()`), for memory readings and profiles. */
	pid(): number | undefined;
	/** A call to the public API: `api('GET', '/workflows')` calls `/api/v1/workflows`. Throws on non-2xx. */
	api<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
	/** Creates a workflow (a template as exported, with `credentials` filled in), optionally activates it. */
	createWorkflow(workflow: Record<string, unknown>, options?: { activate?: boolean }): Promise<N8nWorkflow>;
	activateWorkflow(id: string): Promise<void>;
	deactivateWorkflow(id: string): Promise<void>;
	createCredential(name: string, type: string, data: Record<string, unknown>): Promise<{ id: string; name: string }>;
	/** Polls `POST /webhook/<path>` until n8n stops answering 404 (webhooks go live ~2 s after activation). */
	waitForWebhook(path: string, timeoutMs?: number): Promise<void>;
	/** SIGKILL, as a crash or an OOM kill would. The data stays for `restart()`. */
	kill9(): Promise<void>;
	/** Starts n8n again on the same data (after `kill9()`), or stops it gracefully first. */
	restart(): Promise<void>;
	/** Queue mode: an `n8n worker` on the same database, encryption key, user folder and Redis, with its own broker port. */
	startWorker(options?: { concurrency?: number }): Promise<N8nWorker>;
	/** Stops the workers, n8n (SIGTERM, then SIGKILL after 20 s), the PostgreSQL cluster it started, and deletes its folder. */
	stop(): Promise<void>;
}

const OWNER = { email: 'owner@example.com', firstName: 'Test', lastName: 'Owner', password: 'Owner-password-1' };
const BROWSER_ID = 'mailtarget-test-browser';

function sleep(ms: number): Promise<void> {
	return new Promise((done) => setTimeout(done, ms));
}

/**
 * Installs a package tarball as the community-nodes panel does: `npm install` into
 * `<userFolder>/.n8n/nodes` (n8n loads every package in its node_modules at start-up).
 */
export function installCommunityPackage(userFolder: string, tarball: string): void {
	const nodesDir = join(userFolder, '.n8n', 'nodes');
	mkdirSync(nodesDir, { recursive: true });
	if (!existsSync(join(nodesDir, 'package.json'))) {
		writeFileSync(join(nodesDir, 'package.json'), JSON.stringify({ name: 'installed-nodes', private: true, dependencies: {} }));
	}
	execFileSync('npm', ['install', '--legacy-peer-deps', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error', tarball], {
		cwd: nodesDir,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
}

function databaseEnv(database: 'sqlite' | 'postgres', postgres?: PostgresCluster): Record<string, string> {
	if (database === 'sqlite') return { DB_TYPE: 'sqlite', DB_SQLITE_POOL_SIZE: '2' };
	if (!postgres) throw new Error('no PostgreSQL cluster');
	return {
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: postgres.host,
		DB_POSTGRESDB_PORT: String(postgres.port),
		DB_POSTGRESDB_DATABASE: postgres.database,
		DB_POSTGRESDB_USER: postgres.user,
		DB_POSTGRESDB_PASSWORD: postgres.password,
	};
}

/**
 * A real n8n server (the `n8n` package in .n8n-host, on Node 24) on a free loopback port, with its
 * own user folder under `.tmp/`, our packed tarball installed in its community-nodes folder, an
 * owner and a public API key. Everything that would call the internet is switched off.
 */
export async function startN8nServer(options: N8nServerOptions = {}): Promise<N8nServer> {
	if (!hasN8nServer()) throw new Error(`n8n is not installed in ${N8N_HOST_DIR}: run scripts/ensure-n8n-host.sh`);
	const database = options.database ?? 'sqlite';
	const ownPostgres = database === 'postgres' && !options.postgres ? await startPostgres() : undefined;
	const postgres = options.postgres ?? ownPostgres;
	mkdirSync(join(repoRoot, '.tmp'), { recursive: true });
	const userFolder = mkdtempSync(join(repoRoot, '.tmp', 'n8n-'));
	try {
		const tarball = options.tarball === undefined ? packedTarball() : options.tarball;
		if (tarball) installCommunityPackage(userFolder, tarball);
	} catch (error) {
		await ownPostgres?.stop();
		rmSync(userFolder, { recursive: true, force: true });
		throw error;
	}

	const port = await freePort();
	const brokerPort = await freePort();
	const url = `http://127.0.0.1:${port}`;
	const env: Record<string, string> = {
		...(process.env as Record<string, string>),
		N8N_USER_FOLDER: userFolder,
		N8N_PORT: String(port),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		N8N_PROTOCOL: 'http',
		N8N_EDITOR_BASE_URL: `${url}/`,
		N8N_ENCRYPTION_KEY: 'mailtarget-test-encryption-key',
		N8N_RUNNERS_BROKER_PORT: String(brokerPort),
		N8N_DISABLED_MODULES: 'mcp-registry,insights',
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_DYNAMIC_BANNERS_ENABLED: 'false',
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
		N8N_UNVERIFIED_PACKAGES_ENABLED: 'true',
		N8N_SECURE_COOKIE: 'false',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		N8N_BLOCK_ENV_ACCESS_IN_NODE: 'false',
		N8N_LOG_LEVEL: 'info',
		N8N_LOG_OUTPUT: 'console',
		NODE_ENV: 'production',
		...databaseEnv(database, postgres),
		...(options.queue ? { EXECUTIONS_MODE: 'queue', QUEUE_BULL_REDIS_HOST: options.queue.redisHost, QUEUE_BULL_REDIS_PORT: String(options.queue.redisPort) } : {}),
		...options.env,
	};

	let log = '';
	let child: ChildProcess | undefined;
	let exited: Promise<void> = Promise.resolve();

	const launch = async () => {
		const started = spawn(node24(), [N8N_BIN, 'start'], { cwd: userFolder, env, stdio: ['ignore', 'pipe', 'pipe'] });
		child = started;
		started.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
		started.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
		exited = new Promise<void>((done) => started.once('exit', () => done()));
		const deadline = Date.now() + (options.readyTimeoutMs ?? 120_000);
		for (;;) {
			if (started.exitCode !== null || started.signalCode !== null) throw new Error(`n8n exited (${started.exitCode ?? started.signalCode}):\n${log.slice(-4000)}`);
			if (Date.now() > deadline) throw new Error(`n8n was not ready after ${options.readyTimeoutMs ?? 120_000} ms:\n${log.slice(-4000)}`);
			const ready = await fetch(`${url}/healthz/readiness`).then(
				(response) => response.ok,
				() => false,
			);
			if (ready) return;
			await sleep(250);
		}
	};

	const rest = async (method: string, path: string, body: unknown, cookie?: string) => {
		const response = await fetch(`${url}/rest${path}`, {
			method,
			headers: { 'Content-Type': 'application/json', 'browser-id': BROWSER_ID, ...(cookie ? { Cookie: cookie } : {}) },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await response.text();
		if (!response.ok) throw new Error(`${method} /rest${path}: ${response.status} ${text.slice(0, 500)}`);
		return { response, json: JSON.parse(text) as { data: Record<string, unknown> } };
	};

	const stopProcess = async () => {
		if (!child || child.exitCode !== null || child.signalCode !== null) return;
		const running = child;
		running.kill('SIGTERM');
		const timer = setTimeout(() => running.kill('SIGKILL'), 20_000);
		await exited;
		clearTimeout(timer);
	};

	const workers: Array<{ child: ChildProcess; exited: Promise<void> }> = [];
	const stopWorker = async (worker: { child: ChildProcess; exited: Promise<void> }, signal: NodeJS.Signals) => {
		if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill(signal);
		const timer = setTimeout(() => worker.child.kill('SIGKILL'), 20_000);
		await worker.exited;
		clearTimeout(timer);
	};

	const cleanUp = async () => {
		await Promise.all(workers.map((worker) => stopWorker(worker, 'SIGTERM')));
		await stopProcess();
		await ownPostgres?.stop();
		if (!options.keepUserFolder) rmSync(userFolder, { recursive: true, force: true });
	};

	let apiKey: string;
	try {
		await launch();
		const owner = await rest('POST', '/owner/setup', OWNER);
		const cookie = (owner.response.headers.get('set-cookie') ?? '').split(';')[0] as string;
		const scopes = (await rest('GET', '/api-keys/scopes', undefined, cookie)).json.data as unknown as string[];
		const created = await rest('POST', '/api-keys', { label: 'tests', scopes, expiresAt: null }, cookie);
		apiKey = String(created.json.data.rawApiKey);
	} catch (error) {
		await cleanUp();
		throw error;
	}

	const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
		const response = await fetch(`${url}/api/v1${path}`, {
			method,
			headers: { 'Content-Type': 'application/json', 'X-N8N-API-KEY': apiKey },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await response.text();
		if (!response.ok) throw new Error(`${method} /api/v1${path}: ${response.status} ${text.slice(0, 1000)}`);
		return (text === '' ? undefined : JSON.parse(text)) as T;
	};

	const server: N8nServer = {
		url,
		port,
		userFolder,
		database,
		postgres,
		apiKey,
		output: () => log,
		pid: () => child?.pid,
		api,
		async createWorkflow(workflow, createOptions = {}) {
			// The public API takes only these fields of an exported workflow.
			const { name, nodes, connections, settings } = workflow as Record<string, unknown>;
			const created = await api<N8nWorkflow>('POST', '/workflows', { name, nodes, connections, settings: settings ?? {} });
			if (createOptions.activate) await server.activateWorkflow(created.id);
			return created;
		},
		async activateWorkflow(id) {
			await api('POST', `/workflows/${id}/activate`);
		},
		async deactivateWorkflow(id) {
			await api('POST', `/workflows/${id}/deactivate`);
		},
		async createCredential(name, type, data) {
			return api<{ id: string; name: string }>('POST', '/credentials', { name, type, data });
		},
		async waitForWebhook(path, timeoutMs = 30_000) {
			const deadline = Date.now() + timeoutMs;
			for (;;) {
				const status = await fetch(`${url}/webhook/${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' }).then(
					(response) => response.status,
					() => 0,
				);
				if (status !== 404 && status !== 0) return;
				if (Date.now() > deadline) throw new Error(`webhook ${path} did not go live within ${timeoutMs} ms:\n${log.slice(-3000)}`);
				await sleep(250);
			}
		},
		async kill9() {
			if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
			await exited;
		},
		async restart() {
			await stopProcess();
			await launch();
		},
		async startWorker(workerOptions = {}) {
			if (!options.queue) throw new Error('startWorker needs the queue option');
			const workerEnv = { ...env, N8N_RUNNERS_BROKER_PORT: String(await freePort()) };
			const started = spawn(node24(), [N8N_BIN, 'worker', `--concurrency=${workerOptions.concurrency ?? 10}`], { cwd: userFolder, env: workerEnv, stdio: ['ignore', 'pipe', 'pipe'] });
			let workerLog = '';
			started.stdout?.on('data', (chunk: Buffer) => (workerLog += chunk.toString()));
			started.stderr?.on('data', (chunk: Buffer) => (workerLog += chunk.toString()));
			const worker = { child: started, exited: new Promise<void>((done) => started.once('exit', () => done())) };
			workers.push(worker);
			const deadline = Date.now() + 120_000;
			while (!/worker.*ready|Worker started|n8n worker is now ready/i.test(workerLog)) {
				if (started.exitCode !== null) throw new Error(`n8n worker exited (${started.exitCode}):\n${workerLog.slice(-3000)}`);
				if (Date.now() > deadline) throw new Error(`n8n worker was not ready:\n${workerLog.slice(-3000)}`);
				await sleep(250);
			}
			return { pid: started.pid, output: () => workerLog, kill9: () => stopWorker(worker, 'SIGKILL'), stop: () => stopWorker(worker, 'SIGTERM') };
		},
		stop: cleanUp,
	};
	return server;
}
