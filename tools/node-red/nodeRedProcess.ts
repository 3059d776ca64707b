import { spawn, type ChildProcess } from 'child_process';
import { writeFileSync } from 'fs';
import { createServer } from 'net';
import { join } from 'path';

import { assertEditorKeepsWires, type FlowFileNode } from './exampleFlow';

export interface NodeRedProcess {
	url: string;
	userDir: string;
	/** The runtime's process id (for its memory in /proc). */
	pid: number;
	output: () => string;
	/** Replaces every flow (full deploy) through the admin API. */
	deploy(flows: unknown[]): Promise<void>;
	get<T = unknown>(path: string): Promise<T>;
	stop(): Promise<void>;
	/** SIGKILL, as a crash or an OOM kill would. */
	kill9(): Promise<void>;
}

/**
 * An example flow as Import > Examples gives it (no tab) placed on a new tab, as the admin API
 * needs it: every node with wires goes on the tab, config nodes stay global. Refuses a flow whose
 * wires the editor would cut on import, so what a /flows deploy proves holds for an editor import too.
 */
export function onATab(nodes: ReadonlyArray<FlowFileNode>, tabId: string, label: string): unknown[] {
	assertEditorKeepsWires(nodes);
	return [{ id: tabId, type: 'tab', label }, ...nodes.map((node) => ('wires' in node ? { ...node, z: tabId } : node))];
}

export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
		});
	});
}

/**
 * A headless Node-RED (the `node-red` devDependency, on the Node running the tests) on a free
 * loopback port, with `userDir` as its user directory. Nodes installed there with npm load as a
 * user's palette install would.
 */
export async function startNodeRed(
	userDir: string,
	options: { env?: Record<string, string>; settings?: Record<string, unknown>; port?: number; /** Extra flags for node, e.g. --cpu-prof. */ nodeArgs?: string[] } = {},
): Promise<NodeRedProcess> {
	const port = options.port ?? (await freePort());
	const settingsFile = join(userDir, 'test-settings.js');
	const settings = {
		uiPort: port,
		uiHost: '127.0.0.1',
		flowFile: 'flows.json',
		credentialSecret: 'test-credential-secret',
		telemetry: { enabled: false },
		diagnostics: { enabled: false },
		logging: { console: { level: 'info', metrics: false, audit: false } },
		editorTheme: { tours: false, palette: { catalogues: [] } },
		...options.settings,
	};
	writeFileSync(settingsFile, `module.exports = ${JSON.stringify(settings, null, 2)};\n`);
	const child = spawn(process.execPath, [...(options.nodeArgs ?? []), require.resolve('node-red/red.js'), '-u', userDir, '-s', settingsFile], {
		env: { ...process.env, ...options.env },
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let log = '';
	child.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
	child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
	const url = `http://127.0.0.1:${port}`;
	await waitFor(() => log.includes('Server now running'), () => `Node-RED did not start:\n${log}`, child, 30000);
	await waitFor(() => log.includes('Started flows') || log.includes('flows file'), () => `Node-RED did not start flows:\n${log}`, child, 30000);
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

	return {
		url,
		userDir,
		pid: child.pid ?? -1,
		output: () => log,
		async deploy(flows) {
			const startedBefore = log.split('Started flows').length;
			const response = await fetch(`${url}/flows`, {
				method: 'POST',
				headers: { 'Content-Type': 'application/json', 'Node-RED-API-Version': 'v2', 'Node-RED-Deployment-Type': 'full' },
				body: JSON.stringify({ flows }),
			});
			if (!response.ok) throw new Error(`deploy failed: ${response.status} ${await response.text()}`);
			await waitFor(() => log.split('Started flows').length > startedBefore, () => `flows did not start after deploy:\n${log}`, child, 15000);
		},
		async get(path) {
			const response = await fetch(`${url}${path}`, { headers: { Accept: 'application/json' } });
			if (!response.ok) throw new Error(`GET ${path}: ${response.status}`);
			return (await response.json()) as never;
		},
		async stop() {
			if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
			await exited;
		},
		async kill9() {
			if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
			await exited;
		},
	};
}

async function waitFor(check: () => boolean, message: () => string, child: ChildProcess, timeoutMs: number): Promise<void> {
	const start = Date.now();
	while (!check()) {
		if (child.exitCode !== null) throw new Error(message());
		if (Date.now() - start > timeoutMs) {
			child.kill('SIGKILL');
			throw new Error(message());
		}
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
}
