import { execFileSync } from 'child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import { packedTarball } from '../../tools/node-red/packedPackage';

export const repoRoot = join(__dirname, '..', '..');

export interface PackageJson {
	name: string;
	version: string;
	license?: string;
	keywords?: string[];
	engines?: { node?: string };
	files?: string[];
	repository?: { type?: string; url?: string } | string;
	bugs?: { url?: string } | string;
	homepage?: string;
	dependencies?: Record<string, string>;
	peerDependencies?: Record<string, string>;
	peerDependenciesMeta?: Record<string, { optional?: boolean }>;
	scripts?: Record<string, string>;
	n8n?: { n8nNodesApiVersion?: number; strict?: boolean; nodes?: string[]; credentials?: string[] };
	'node-red'?: { version?: string; nodes?: Record<string, string> };
}

/** One publishing rule that failed: which rule, and what to change. */
export function broken(rule: string, fix: string): string {
	return `${rule} -> fix: ${fix}`;
}

/** Collects the failures of a list of checks, so a test shows them all at once. */
export function failures(checks: Array<[ok: boolean, rule: string, fix: string]>): string[] {
	return checks.filter(([ok]) => !ok).map(([, rule, fix]) => broken(rule, fix));
}

let unpacked: string | undefined;

/** The `npm pack` tarball of the built package, unpacked: its `package/` folder. */
export function unpackedTarball(): string {
	if (unpacked) return unpacked;
	const dir = mkdtempSync(join(tmpdir(), 'mailtarget-unpacked-'));
	execFileSync('tar', ['-xzf', packedTarball(), '-C', dir]);
	unpacked = join(dir, 'package');
	if (!existsSync(join(unpacked, 'package.json'))) throw new Error('the tarball has no package/package.json');
	return unpacked;
}

/** Removes what {@link unpackedTarball} unpacked (call it in afterAll). */
export function removeUnpacked(): void {
	if (unpacked) rmSync(join(unpacked, '..'), { recursive: true, force: true });
	unpacked = undefined;
}

export function readPackageJson(dir: string): PackageJson {
	return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;
}

/** The lowest version a `>=x.y.z` / `^x.y.z` / `x.y.z` range admits, or null for other forms. */
export function lowestVersion(range: string): [number, number, number] | null {
	const match = /^\s*(?:>=|\^|~)?\s*v?(\d+)(?:\.(\d+))?(?:\.(\d+))?\s*$/.exec(range);
	if (!match) return null;
	return [Number(match[1]), Number(match[2] ?? 0), Number(match[3] ?? 0)];
}

export function compareVersions(a: readonly number[], b: readonly number[]): number {
	for (let i = 0; i < 3; i++) {
		const diff = (a[i] ?? 0) - (b[i] ?? 0);
		if (diff !== 0) return diff;
	}
	return 0;
}

/** Whether `version` is inside a `>=x.y.z` range (the only form this package uses). */
export function admits(range: string, version: string): boolean {
	const low = lowestVersion(range);
	const v = lowestVersion(version);
	if (!low || !v) return false;
	if (range.trim().startsWith('^')) return v[0] === low[0] && compareVersions(v, low) >= 0;
	if (range.trim().startsWith('>=')) return compareVersions(v, low) >= 0;
	return compareVersions(v, low) === 0;
}
