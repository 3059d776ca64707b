/**
 * The tarball holds what users need and nothing else: compiled code, editor files, icons, examples,
 * README, CHANGELOG, LICENSE. No source maps (their sources are not shipped), no tests, no tools.
 * A change to the list is deliberate: update tarball-files.txt in the same commit.
 */
import { execFileSync } from 'child_process';
import { readFileSync } from 'fs';
import { join } from 'path';

import { repoRoot } from './publishRules';

interface PackDryRun {
	size: number;
	unpackedSize: number;
	entryCount: number;
	files: Array<{ path: string; size: number }>;
}

const NEVER: Array<[RegExp, string]> = [
	[/\.map$/, 'source maps (set "sourceMap": false in tsconfig.build.json)'],
	[/\.ts$/, 'TypeScript sources or declarations outside dist/core (add a "!dist/<dir>/**/*.d.ts" entry to "files")'],
	[/(^|\/)(test|tests|__tests__|bench|scripts|tools)\//, 'tests, benchmarks, scripts and tools (keep them out of "files")'],
	[/\.test\.js$/, 'compiled tests'],
];

describe('npm pack', () => {
	let pack: PackDryRun;

	beforeAll(() => {
		const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
		pack = (JSON.parse(out) as PackDryRun[])[0]!;
		console.log(
			`npm pack: ${pack.entryCount} files, ${(pack.size / 1024).toFixed(1)} KiB packed, ${(pack.unpackedSize / 1024).toFixed(1)} KiB unpacked`,
		);
	});

	test('ships exactly the expected files (test/publish/tarball-files.txt)', () => {
		const expected = readFileSync(join(__dirname, 'tarball-files.txt'), 'utf8').split('\n').filter(Boolean);
		const actual = pack.files.map((f) => f.path).sort();
		const unexpected = actual.filter((path) => !expected.includes(path));
		const missing = expected.filter((path) => !actual.includes(path));
		expect([
			...unexpected.map((path) => `${path} is packed but not expected -> fix: keep it out of package.json "files", or add it to test/publish/tarball-files.txt if users need it`),
			...missing.map((path) => `${path} is expected but not packed -> fix: build first, or drop it from test/publish/tarball-files.txt`),
		]).toEqual([]);
	});

	test('ships no source maps, sources outside dist/core declarations, tests or tools', () => {
		const problems = pack.files.flatMap(({ path }) =>
			NEVER.filter(([pattern]) => pattern.test(path) && !(path.startsWith('dist/core/') && path.endsWith('.d.ts'))).map(
				([, what]) => `${path}: the tarball must not hold ${what}`,
			),
		);
		expect(problems).toEqual([]);
	});

	test('ships what each host loads: every n8n and Node-RED entry point, the typings of "types", the examples', () => {
		const paths = new Set(pack.files.map((f) => f.path));
		const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
			main: string;
			types: string;
			n8n: { nodes: string[]; credentials: string[] };
			'node-red': { nodes: Record<string, string> };
		};
		const needed = [pkg.main, pkg.types, ...pkg.n8n.nodes, ...pkg.n8n.credentials, ...Object.values(pkg['node-red'].nodes), 'LICENSE', 'README.md', 'CHANGELOG.md'];
		expect(needed.filter((path) => !paths.has(path)).map((path) => `${path} is missing -> fix: build first and keep its folder in "files"`)).toEqual([]);
		expect([...paths].filter((p) => p.startsWith('examples/')).length).toBeGreaterThanOrEqual(4);
	});
});
