import 'reflect-metadata';

import { existsSync, readdirSync, readFileSync, symlinkSync } from 'fs';
import { dirname, join } from 'path';

import { PackageDirectoryLoader } from 'n8n-core';

import { signBody } from '../../core';
import { startCaptureServer } from '../helpers/captureServer';
import { fixtureBytes } from '../helpers/fixtures';
import { startNodeRed, type NodeRedProcess } from '../helpers/nodeRedProcess';
import { installPacked, PACKAGE_NAME } from '../helpers/packedPackage';

const rootPackage = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
	n8n: { nodes: string[]; credentials: string[] };
	'node-red': { nodes: Record<string, string> };
};

describe('the npm pack tarball in a Node-RED 5 user dir', () => {
	let userDir: string;
	let nodeRed: NodeRedProcess | undefined;

	beforeAll(async () => {
		userDir = installPacked('mailtarget-nr-');
		nodeRed = await startNodeRed(userDir, { env: { MAILTARGET_WEBHOOK_SECRET: 'packed-secret' } });
	});
	afterAll(async () => {
		await nodeRed?.stop();
	});

	it('installs without pulling in n8n', () => {
		expect(existsSync(join(userDir, 'node_modules', PACKAGE_NAME, 'package.json'))).toBe(true);
		expect(existsSync(join(userDir, 'node_modules', 'n8n-workflow'))).toBe(false);
		expect(existsSync(join(userDir, 'node_modules', 'n8n-core'))).toBe(false);
	});

	it('loads every node type of the package in a running Node-RED', async () => {
		if (!nodeRed) throw new Error('Node-RED not started');
		const modules = await nodeRed.get<Array<{ module: string; types: string[]; enabled: boolean; err?: string }>>('/nodes');
		const ours = modules.filter((set) => set.module === PACKAGE_NAME);
		expect(ours.map((set) => set.err).filter(Boolean)).toEqual([]);
		expect(ours.flatMap((set) => set.types).sort()).toEqual(Object.keys(rootPackage['node-red'].nodes).sort());
		expect(ours.every((set) => set.enabled)).toBe(true);
	});

	it('offers every example flow under Import > Examples, each using only node types that are installed', async () => {
		if (!nodeRed) throw new Error('Node-RED not started');
		const files = readdirSync(join(__dirname, '..', '..', 'examples')).filter((name) => name.endsWith('.json'));
		expect(files.length).toBeGreaterThanOrEqual(4);
		const listing = await nodeRed.get<Array<string | { fn: string }>>(`/library/examples/flows/${PACKAGE_NAME}`);
		expect(listing.map((entry) => (typeof entry === 'string' ? entry : entry.fn)).sort()).toEqual(files.map((name) => name.replace(/\.json$/, '')).sort());
		const loaded = new Set((await nodeRed.get<Array<{ types: string[] }>>('/nodes')).flatMap((set) => set.types));
		const used = new Set<string>();
		for (const file of files) {
			const flow = await nodeRed.get<Array<{ type: string }>>(`/library/examples/flows/${PACKAGE_NAME}/${encodeURIComponent(file.replace(/\.json$/, ''))}`);
			for (const node of flow) used.add(node.type);
		}
		expect([...used].filter((type) => !loaded.has(type))).toEqual([]);
		const nonConfig = Object.keys(rootPackage['node-red'].nodes).filter((type) => type !== 'mailtarget-config');
		expect(nonConfig.filter((type) => !used.has(type))).toEqual([]);
	});

	it('verifies a signed request over the real HTTP server and emits the events', async () => {
		if (!nodeRed) throw new Error('Node-RED not started');
		const capture = await startCaptureServer();
		await nodeRed.deploy([
			{ id: 'tab', type: 'tab', label: 'test' },
			{ id: 'cfg', type: 'mailtarget-config', signingSecretEnv: 'MAILTARGET_WEBHOOK_SECRET' },
			{ id: 'trigger', z: 'tab', type: 'mailtarget-trigger', path: '/mailtarget', config: 'cfg', authentication: 'signature', wires: [['post']] },
			{ id: 'post', z: 'tab', type: 'http request', method: 'POST', ret: 'txt', url: `${capture.url}/events`, wires: [] },
		]);
		const batch = fixtureBytes('official-batch.json');
		const post = (signature: string) =>
			fetch(`${nodeRed!.url}/mailtarget`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Mailtarget-Signature': signature }, body: batch });
		expect((await post(signBody('wrong-secret', batch))).status).toBe(401);
		const accepted = await post(signBody('packed-secret', batch));
		expect(accepted.status).toBe(200);
		expect(await accepted.text()).toBe('OK');
		const received = await capture.waitFor(7);
		await capture.close();
		expect(received.map((request) => (JSON.parse(request.body) as { type: string }).type)).toEqual(['injection', 'delivery', 'open', 'click', 'bounce', 'bounce', 'delay']);
	});
});

describe('the npm pack tarball in n8n', () => {
	it('loads every node and credential with n8n-core\'s package loader', async () => {
		const dir = installPacked('mailtarget-n8n-', ['--legacy-peer-deps']);
		// n8n provides n8n-workflow to the community packages it loads; the host here is n8n-core.
		symlinkSync(dirname(require.resolve('n8n-workflow/package.json')), join(dir, 'node_modules', 'n8n-workflow'), 'dir');
		const loader = new PackageDirectoryLoader(join(dir, 'node_modules', PACKAGE_NAME));
		await loader.loadAll();
		const nodeNames = rootPackage.n8n.nodes.map((file) => {
			const base = file.split('/').pop()!.replace('.node.js', '');
			return base.charAt(0).toLowerCase() + base.slice(1);
		});
		expect(Object.keys(loader.known.nodes).sort()).toEqual(nodeNames.sort());
		expect(Object.keys(loader.known.credentials).sort()).toEqual(['mailtargetApi', 'mailtargetWebhookApi'].filter((name) => rootPackage.n8n.credentials.some((f) => f.toLowerCase().includes(name.toLowerCase()))).sort());
		for (const name of nodeNames) {
			const node = loader.getNode(name);
			expect(node.type.description.name).toBe(name);
		}
		expect(loader.getNode('mailtargetTrigger').type.description.displayName).toBe('Mailtarget Trigger');
	});
});
