/**
 * CI, publishing and the changelog: the workflows run what .ci/run runs, publishing carries npm
 * provenance, the changelog follows Keep a Changelog with semantic versions.
 */
import { existsSync, readFileSync } from 'fs';
import { join } from 'path';

import { failures, readPackageJson, repoRoot } from './publishRules';

const read = (path: string) => (existsSync(join(repoRoot, path)) ? readFileSync(join(repoRoot, path), 'utf8') : '');
const SEMVER = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;

describe('release files', () => {
	test('.github/workflows/ci.yml runs .ci/run on Node 22 and 24', () => {
		const ci = read('.github/workflows/ci.yml');
		const ciRun = read('.ci/run');
		expect(
			failures([
				[ci !== '', '.github/workflows/ci.yml exists', 'add the CI workflow'],
				[/node(-version)?:\s*\[\s*22\s*,\s*24\s*\]/.test(ci), 'CI runs on a Node 22 and 24 matrix', 'set strategy.matrix.node: [22, 24] and node-version: ${{ matrix.node }}'],
				[/run:\s*bash \.ci\/run\s*$/m.test(ci), 'CI runs the same command as .ci/run (bash .ci/run)', 'make the test step `run: bash .ci/run`'],
				[/npm ci && npm test/.test(ciRun), '.ci/run is npm ci && npm test (the README quick start)', 'keep `npm ci && npm test` in .ci/run'],
				[/on:\s*\n\s+push:/.test(ci) && /pull_request:/.test(ci), 'CI runs on pushes and pull requests', 'add push and pull_request triggers'],
			]),
		).toEqual([]);
	});

	test('.github/workflows/publish.yml publishes with npm provenance', () => {
		const publish = read('.github/workflows/publish.yml');
		expect(
			failures([
				[publish !== '', '.github/workflows/publish.yml exists', 'add the publish workflow'],
				[/id-token:\s*write/.test(publish), 'the publish job may request an OIDC token (id-token: write), which provenance needs', 'add permissions: id-token: write'],
				[/npm publish[^\n]*--provenance/.test(publish), 'npm publish --provenance (n8n verifies packages by their provenance)', 'publish with `npm publish --provenance --access public`'],
				[/bash \.ci\/run/.test(publish) && publish.indexOf('bash .ci/run') < publish.indexOf('npm publish'), 'the tests pass before publishing', 'run `bash .ci/run` before `npm publish`'],
				[/registry-url:\s*https:\/\/registry\.npmjs\.org/.test(publish), 'setup-node points at the npm registry (for NODE_AUTH_TOKEN)', 'set registry-url: https://registry.npmjs.org'],
			]),
		).toEqual([]);
	});

	test('CHANGELOG.md follows Keep a Changelog; versions are semantic; package.json version is released or unreleased', () => {
		const changelog = read('CHANGELOG.md');
		const version = readPackageJson(repoRoot).version;
		const sections = [...changelog.matchAll(/^## \[([^\]]+)\](?: - (\S+))?$/gm)].map((m) => ({ name: m[1]!, date: m[2] }));
		const released = sections.filter((s) => s.name !== 'Unreleased');
		const headings = [...changelog.matchAll(/^### (.+)$/gm)].map((m) => m[1]!);
		const kinds = new Set(['Added', 'Changed', 'Deprecated', 'Removed', 'Fixed', 'Security']);
		const links = new Set([...changelog.matchAll(/^\[([^\]]+)\]: https?:\/\/\S+$/gm)].map((m) => m[1]!));
		expect(
			failures([
				[/^# Changelog\n/.test(changelog), 'CHANGELOG.md starts with "# Changelog"', 'add the title'],
				[/keepachangelog\.com/.test(changelog) && /semver\.org/.test(changelog), 'it says it follows Keep a Changelog and Semantic Versioning', 'add the two links of the Keep a Changelog template'],
				[sections.length > 0 && /^## \[/m.test(changelog), 'versions are "## [x.y.z] - YYYY-MM-DD" (or "## [Unreleased]") sections', 'rewrite the version headings'],
				[released.every((s) => SEMVER.test(s.name) && /^\d{4}-\d{2}-\d{2}$/.test(s.date ?? '')), `released sections have a semantic version and an ISO date (${released.map((s) => `${s.name} ${s.date}`).join(', ') || 'none'})`, 'write "## [1.2.3] - 2026-12-01"'],
				[headings.every((h) => kinds.has(h)), `change groups are Added/Changed/Deprecated/Removed/Fixed/Security (found ${headings.join(', ')})`, 'rename the "###" headings'],
				[SEMVER.test(version), `package.json version "${version}" is semantic`, 'set a x.y.z version'],
				[released.some((s) => s.name === version) || sections.some((s) => s.name === 'Unreleased'), `package.json version ${version} has a section, or changes wait under [Unreleased]`, `add "## [${version}] - <date>" when releasing`],
				[sections.every((s) => links.has(s.name)), 'every version heading has its link reference at the bottom', 'add "[x.y.z]: https://github.com/.../compare/..." lines'],
			]),
		).toEqual([]);
	});
});
