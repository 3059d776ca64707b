/**
 * The Node-RED flow library's scorecard checks, applied offline to the packed tarball. Every
 * failure names the rule and the change that satisfies it.
 */
import { existsSync, readdirSync, readFileSync } from 'fs';
import { basename, dirname, join } from 'path';

import { admits, compareVersions, failures, lowestVersion, readPackageJson, removeUnpacked, repoRoot, unpackedTarball, type PackageJson } from './publishRules';

const MAX_DEPENDENCIES = 6;

interface RegisteredType {
	type: string;
	category: string | undefined;
}

/** The types an editor file registers, with their palette category. */
function registeredTypes(html: string): RegisteredType[] {
	const found: RegisteredType[] = [];
	const pattern = /RED\.nodes\.registerType\(\s*['"]([^'"]+)['"]\s*,\s*\{([\s\S]*?)\bcategory\s*:\s*['"]([^'"]+)['"]/g;
	for (let m = pattern.exec(html); m; m = pattern.exec(html)) found.push({ type: m[1]!, category: m[3] });
	return found;
}

function urlOf(field: PackageJson['repository'] | PackageJson['bugs']): string {
	return typeof field === 'string' ? field : (field?.url ?? '');
}

describe('Node-RED flow library scorecard (packed tarball)', () => {
	let tarball: string;
	let pkg: PackageJson;
	let nodes: Record<string, string>;
	const nodeRedPackage = JSON.parse(readFileSync(join(repoRoot, 'node_modules', 'node-red', 'package.json'), 'utf8')) as {
		version: string;
		engines: { node: string };
	};

	beforeAll(() => {
		tarball = unpackedTarball();
		pkg = readPackageJson(tarball);
		nodes = pkg['node-red']?.nodes ?? {};
	});
	afterAll(removeUnpacked);

	test('package.json: scoped name, node-red keyword and section, versions Node-RED 5 accepts, licence, repository and bugs, at most 6 dependencies', () => {
		const section = pkg['node-red'];
		const ourNode = lowestVersion(pkg.engines?.node ?? '');
		const theirNode = lowestVersion(nodeRedPackage.engines.node);
		const dependencies = Object.keys(pkg.dependencies ?? {});
		expect(
			failures([
				[/^@[a-z0-9-~][a-z0-9-._~]*\//.test(pkg.name), `name "${pkg.name}" is scoped (new flow-library packages must be)`, 'publish as @<scope>/<name>'],
				[pkg.keywords?.includes('node-red') === true, 'keyword node-red (how the flow library finds the package)', 'add "node-red" to "keywords"'],
				[Object.keys(nodes).length > 0, 'a "node-red" section listing the nodes', 'add "node-red": { "nodes": { "<type>": "dist/.../<type>.js" } }'],
				[typeof section?.version === 'string' && admits(section.version, nodeRedPackage.version), `node-red.version "${section?.version}" admits the current Node-RED ${nodeRedPackage.version}`, 'set "node-red": { "version": ">=4.0.0" }'],
				[ourNode !== null && theirNode !== null && compareVersions(ourNode, theirNode) >= 0, `engines.node "${pkg.engines?.node}" asks for no Node that Node-RED ${nodeRedPackage.version} ("${nodeRedPackage.engines.node}") refuses`, `start engines.node at or above ${nodeRedPackage.engines.node}`],
				[typeof pkg.engines?.node === 'string' && admits(pkg.engines.node, '22.9.0') && admits(pkg.engines.node, process.versions.node), `engines.node "${pkg.engines?.node}" accepts Node 22.9 (Node-RED 5's minimum) and the Node that runs the tests (${process.versions.node})`, 'set "engines": { "node": ">=22.9.0" }'],
				[typeof pkg.license === 'string' && pkg.license !== '' && existsSync(join(tarball, 'LICENSE')), `a licence (found "${pkg.license}") and its LICENSE file`, 'set "license" and add LICENSE to "files"'],
				[/^(git\+)?https:\/\/github\.com\/[^/]+\/[^/]+/.test(urlOf(pkg.repository)), `a repository URL (found "${urlOf(pkg.repository)}")`, 'set "repository": { "type": "git", "url": "git+https://github.com/<owner>/<repo>.git" }'],
				[/^https:\/\//.test(urlOf(pkg.bugs)), `a bugs URL (found "${urlOf(pkg.bugs)}")`, 'set "bugs": { "url": "https://github.com/<owner>/<repo>/issues" }'],
				[dependencies.length <= MAX_DEPENDENCIES, `at most ${MAX_DEPENDENCIES} runtime dependencies (found ${dependencies.length}: ${dependencies.join(', ')})`, 'drop or inline dependencies'],
				[!dependencies.includes('node-red'), 'node-red is not a runtime dependency', 'move node-red to devDependencies'],
			]),
		).toEqual([]);
	});

	test('each node: its .js in the tarball with the .html of the same name beside it, one registered type each, unique mailtarget- ids', () => {
		const problems: string[] = [];
		const seen = new Map<string, string>();
		for (const [type, file] of Object.entries(nodes)) {
			const js = join(tarball, file);
			const html = join(dirname(js), basename(js).replace(/\.js$/, '.html'));
			problems.push(
				...failures([
					[existsSync(js), `${type}: ${file} is in the tarball`, 'build before packing and keep dist/node-red in "files"'],
					[existsSync(html), `${type}: ${basename(html)} beside ${file}`, 'make the build copy node-red/<type>/<type>.html next to the compiled .js'],
					[/^mailtarget-[a-z][a-z-]*$/.test(type), `type id "${type}" starts with mailtarget- (ids are global in the flow library)`, 'rename the type mailtarget-<name>'],
					[!seen.has(type), `type id "${type}" is registered once`, `rename one of ${seen.get(type)} and ${file}`],
				]),
			);
			seen.set(type, file);
			if (!existsSync(html)) continue;
			const registered = registeredTypes(readFileSync(html, 'utf8')).map((r) => r.type);
			problems.push(...failures([[registered.length === 1 && registered[0] === type, `${basename(html)} registers exactly "${type}" (found ${registered.join(', ') || 'none'})`, `RED.nodes.registerType('${type}', ...) in ${basename(html)}`]]));
		}
		expect(problems).toEqual([]);
	});

	test('examples: each file parses as an array of nodes; every non-config type appears in some example', () => {
		const dir = join(tarball, 'examples');
		const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')) : [];
		const used = new Set<string>();
		const problems = failures([[files.length > 0, 'examples/*.json ship in the tarball', 'add "examples" to "files"']]);
		for (const file of files) {
			let flow: unknown;
			try {
				flow = JSON.parse(readFileSync(join(dir, file), 'utf8'));
			} catch (err) {
				problems.push(`examples/${file} is JSON -> fix: ${(err as Error).message}`);
				continue;
			}
			const isNodeArray = Array.isArray(flow) && flow.every((n) => typeof n === 'object' && n !== null && typeof (n as { type?: unknown }).type === 'string');
			problems.push(...failures([[isNodeArray, `examples/${file} is an array of nodes`, 'export the flow as a JSON array (Export > JSON)']]));
			if (isNodeArray) for (const node of flow as Array<{ type: string }>) used.add(node.type);
		}
		for (const [type, file] of Object.entries(nodes)) {
			const html = join(tarball, dirname(file), `${type}.html`);
			const category = existsSync(html) ? registeredTypes(readFileSync(html, 'utf8'))[0]?.category : undefined;
			if (category === 'config') continue;
			problems.push(...failures([[used.has(type), `"${type}" is used in some example`, `add a ${type} node to an example flow in examples/`]]));
		}
		expect(problems).toEqual([]);
	});
});
