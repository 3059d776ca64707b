/**
 * The rules n8n applies to community node packages (install from the GUI, verification), checked
 * on the packed tarball and on the node descriptions the package ships. Every failure names the
 * rule and the change that satisfies it.
 */
import { existsSync, readFileSync } from 'fs';
import { basename, dirname, join } from 'path';

import type { ICredentialType, INodeType } from 'n8n-workflow';

import { failures, readPackageJson, removeUnpacked, repoRoot, unpackedTarball, type PackageJson } from './publishRules';

const NAME_PATTERN = /^(@[a-z0-9][a-z0-9._~-]*\/)?n8n-nodes-[a-z0-9][a-z0-9._~-]*$/;

function loadClass<T>(file: string): { exported: string[]; instance: T | undefined } {
	const module = require(join(repoRoot, file)) as Record<string, new () => T>;
	const className = basename(file).replace(/\.(node|credentials)\.js$/, '');
	const Ctor = module[className];
	return { exported: Object.keys(module), instance: Ctor ? new Ctor() : undefined };
}

function iconProblems(owner: string, icon: unknown, fileDir: string, tarball: string): Array<[boolean, string, string]> {
	const themed = typeof icon === 'object' && icon !== null ? (icon as { light?: unknown; dark?: unknown }) : {};
	const checks: Array<[boolean, string, string]> = [];
	for (const theme of ['light', 'dark'] as const) {
		const ref = themed[theme];
		const file = typeof ref === 'string' && ref.startsWith('file:') ? join(tarball, fileDir, ref.slice('file:'.length)) : undefined;
		checks.push([
			file !== undefined && existsSync(file) && /<svg[\s>]/.test(readFileSync(file, 'utf8')),
			`${owner}: a ${theme} icon (icon.${theme} = 'file:<name>.svg', an SVG beside the compiled file)`,
			`set icon: { light: 'file:mailtarget.svg', dark: 'file:mailtarget.dark.svg' } and make the build copy both SVGs into ${fileDir}`,
		]);
	}
	return checks;
}

describe('n8n community-node package rules (packed tarball)', () => {
	let tarball: string;
	let pkg: PackageJson;

	beforeAll(() => {
		tarball = unpackedTarball();
		pkg = readPackageJson(tarball);
	});
	afterAll(removeUnpacked);

	test('package.json: name, keyword, n8n section, optional peer n8n-workflow, no runtime dependencies, MIT', () => {
		const n8n = pkg.n8n ?? {};
		const listed = [...(n8n.nodes ?? []), ...(n8n.credentials ?? [])];
		expect(
			failures([
				[NAME_PATTERN.test(pkg.name), `name "${pkg.name}" must be n8n-nodes-<name> or @<scope>/n8n-nodes-<name>`, 'rename the package'],
				[pkg.keywords?.includes('n8n-community-node-package') === true, 'keyword n8n-community-node-package (how n8n finds the package)', 'add it to "keywords"'],
				[n8n.n8nNodesApiVersion === 1, 'n8n.n8nNodesApiVersion is 1', 'set "n8n": { "n8nNodesApiVersion": 1 }'],
				[n8n.strict === true, 'n8n.strict is true (verified packages)', 'set "n8n": { "strict": true }'],
				[(n8n.nodes ?? []).length > 0 && (n8n.credentials ?? []).length > 0, 'n8n.nodes and n8n.credentials list the compiled files', 'list dist/nodes/**/*.node.js and dist/credentials/*.credentials.js'],
				[listed.every((file) => existsSync(join(tarball, file))), `every file in the n8n section is in the tarball (missing: ${listed.filter((f) => !existsSync(join(tarball, f))).join(', ') || 'none'})`, 'build before packing and keep dist/nodes, dist/credentials in "files"'],
				[pkg.peerDependencies?.['n8n-workflow'] === '*', 'peerDependencies: { "n8n-workflow": "*" } (n8n provides it)', 'add the peer dependency with range "*"'],
				[pkg.peerDependenciesMeta?.['n8n-workflow']?.optional === true, 'the n8n-workflow peer is optional (Node-RED users do not have n8n)', 'add peerDependenciesMeta: { "n8n-workflow": { "optional": true } }'],
				[Object.keys(pkg.dependencies ?? {}).length === 0, `no runtime dependencies (n8n installs with --ignore-scripts and no dev deps; found: ${Object.keys(pkg.dependencies ?? {}).join(', ') || 'none'})`, 'move them to devDependencies or inline the code'],
				[pkg.license === 'MIT', `license is MIT (found ${pkg.license})`, 'set "license": "MIT"'],
				[existsSync(join(tarball, 'LICENSE')) && /^MIT License/.test(readFileSync(join(tarball, 'LICENSE'), 'utf8')), 'the MIT LICENSE file ships in the tarball', 'add LICENSE to "files"'],
			]),
		).toEqual([]);
	});

	test('every node: class named after its file, display name, description, defaults, light and dark icons, usableAsTool unless a trigger', () => {
		const problems: string[] = [];
		for (const file of pkg.n8n?.nodes ?? []) {
			const { exported, instance } = loadClass<INodeType>(file);
			const className = basename(file).replace(/\.node\.js$/, '');
			if (!instance) {
				problems.push(`${file} exports ${exported.join(', ')}, not ${className} -> fix: name the exported class after the file (else n8n says "Class could not be found")`);
				continue;
			}
			const d = instance.description;
			const isTrigger = d.group.includes('trigger');
			problems.push(
				...failures([
					[/^Mailtarget [A-Z][A-Za-z]*( [A-Z][A-Za-z]*)*$/.test(d.displayName), `${file}: displayName "${d.displayName}" is "Mailtarget <Title Case>"`, 'rename the displayName'],
					[/^mailtarget[A-Z][A-Za-z]*$/.test(d.name) && d.name.toLowerCase() === className.toLowerCase(), `${file}: name "${d.name}" is camelCase and matches the class`, `set name to "${className[0]!.toLowerCase()}${className.slice(1)}"`],
					[typeof d.description === 'string' && d.description.length >= 20 && !d.description.endsWith('.'), `${file}: a description of at least 20 characters without a final period`, 'write one sentence saying what the node does'],
					[d.defaults?.name === d.displayName, `${file}: defaults.name equals the displayName`, `set defaults: { name: '${d.displayName}' }`],
					[d.properties.every((p) => typeof p.displayName === 'string' && p.displayName !== ''), `${file}: every parameter has a displayName`, 'add the missing displayName'],
					[isTrigger ? d.usableAsTool === undefined : d.usableAsTool === true, `${file}: usableAsTool is ${isTrigger ? 'not set on a trigger (an AI agent cannot start a webhook)' : 'true (the node is a plain transform an AI agent can call)'}`, isTrigger ? 'remove usableAsTool' : 'set usableAsTool: true'],
				]),
				...failures(iconProblems(file, d.icon, dirname(file), tarball)),
			);
		}
		expect(problems).toEqual([]);
	});

	test('every credential: class named after its file, display name, documentation URL, icons, and a test (its own or the node\'s testedBy)', () => {
		const testedBy = new Map<string, string>();
		const credentialTests = new Set<string>();
		for (const file of pkg.n8n?.nodes ?? []) {
			const node = loadClass<INodeType>(file).instance;
			for (const c of node?.description.credentials ?? []) if (c.testedBy) testedBy.set(c.name, String(c.testedBy));
			for (const name of Object.keys(node?.methods?.credentialTest ?? {})) credentialTests.add(name);
		}
		const problems: string[] = [];
		for (const file of pkg.n8n?.credentials ?? []) {
			const { exported, instance } = loadClass<ICredentialType>(file);
			if (!instance) {
				problems.push(`${file} exports ${exported.join(', ')} -> fix: name the exported class after the file`);
				continue;
			}
			const tester = testedBy.get(instance.name);
			problems.push(
				...failures([
					[/Api$/.test(instance.name), `${file}: credential name "${instance.name}" ends in Api`, 'rename it'],
					[/^Mailtarget [A-Z]/.test(instance.displayName), `${file}: displayName "${instance.displayName}" starts with "Mailtarget "`, 'rename the displayName'],
					[/^https:\/\//.test(instance.documentationUrl ?? ''), `${file}: documentationUrl is an https URL`, 'point documentationUrl at the README section'],
					[instance.test !== undefined || (tester !== undefined && credentialTests.has(tester)), `${file}: the credential can be tested`, 'add test: ICredentialTestRequest, or testedBy on the node with a methods.credentialTest function of that name'],
				]),
				...failures(iconProblems(file, instance.icon, dirname(file), tarball)),
			);
		}
		expect(problems).toEqual([]);
	});

	test('the community-node lint over nodes/, credentials/ and core/ is part of npm test', () => {
		const source = readPackageJson(repoRoot);
		const eslintConfig = readFileSync(join(repoRoot, 'eslint.config.mjs'), 'utf8');
		expect(
			failures([
				[/\beslint\b.*\bnodes\b.*\bcredentials\b.*\bcore\b/.test(source.scripts?.lint ?? ''), `scripts.lint runs eslint on nodes, credentials and core (found "${source.scripts?.lint}")`, 'set "lint": "eslint nodes credentials core"'],
				[/\bnpm run lint\b/.test(source.scripts?.test ?? ''), 'scripts.test runs npm run lint', 'add "npm run lint &&" to the test script'],
				[/@n8n\/eslint-plugin-community-nodes/.test(eslintConfig) && /n8nCommunityNodes\.recommended/.test(eslintConfig), 'eslint.config.mjs applies @n8n/eslint-plugin-community-nodes recommended rules', 'spread n8nCommunityNodes.recommended into the config'],
				[/files:\s*\[[^\]]*core\/\*\*\/\*\.ts[^\]]*nodes\/\*\*\/\*\.ts[^\]]*credentials\/\*\*\/\*\.ts/.test(eslintConfig), 'the lint rules cover core/, nodes/ and credentials/ TypeScript', "set files: ['core/**/*.ts', 'nodes/**/*.ts', 'credentials/**/*.ts']"],
			]),
		).toEqual([]);
	});
});
