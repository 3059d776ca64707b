import { execFileSync } from 'child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve, sep } from 'path';

/** The repository root, from tools/node-red or from its compiled copy in dist/tools/node-red. */
const repoRoot = resolve(__dirname, __dirname.includes(`${sep}dist${sep}`) ? '../../..' : '../..');
export const PACKAGE_NAME = '@crm-bridge/n8n-nodes-mailtarget';

let tarball: string | undefined;

/** `npm pack` of the built package (once per test process); `npm test` builds dist/ first. */
export function packedTarball(): string {
	if (tarball) return tarball;
	if (!existsSync(join(repoRoot, 'dist', 'core', 'index.js'))) throw new Error('dist/ is missing: run `npm run build` first');
	const dir = mkdtempSync(join(tmpdir(), 'mailtarget-pack-'));
	execFileSync('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
	const file = readdirSync(dir).find((name) => name.endsWith('.tgz'));
	if (!file) throw new Error('npm pack produced no tarball');
	tarball = join(dir, file);
	return tarball;
}

/** A fresh folder with the packed tarball `npm install`ed into it, as a user's install would do. */
export function installPacked(prefix: string, extraArgs: string[] = []): string {
	const dir = mkdtempSync(join(tmpdir(), prefix));
	mkdirSync(dir, { recursive: true });
	writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'install-target', version: '1.0.0', private: true }));
	execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...extraArgs, packedTarball()], {
		cwd: dir,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	return dir;
}
