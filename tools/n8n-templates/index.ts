/**
 * Writes the n8n workflow templates into workflows/ (`npm run templates`), or into the folder given as argument.
 * The committed workflows/ must equal this output: test/workflows/templatesUpToDate.test.ts checks it.
 */
import { mkdirSync, writeFileSync } from 'fs';
import { join, resolve, sep } from 'path';

import { CRMS, outboxTables } from './crms';
import { drain } from './drain';
import { ingest, ingestWithWebhookNode } from './ingest';
import { resend } from './resend';
import { setup } from './setup';
import type { Workflow } from './parts';

const repoRoot = resolve(__dirname, __dirname.includes(`${sep}dist${sep}`) ? '../../..' : '../..');
export const WORKFLOWS_DIR = join(repoRoot, 'workflows');
export const TEMPLATES_COMMAND = 'npm run templates';

/** JSON with two-space indent and every non-ASCII character as a \u escape, so the files stay plain ASCII. */
function asciiJson(value: unknown): string {
	return JSON.stringify(value, null, 2).replace(/[\u0080-\uffff]/g, (ch) => '\\u' + ch.charCodeAt(0).toString(16).padStart(4, '0')) + '\n';
}

/** Every template: file name → file content. */
export function buildTemplates(): Map<string, string> {
	const files = new Map<string, string>();
	for (const c of CRMS) {
		const workflows: Array<[string, Workflow]> = [
			['1 setup', setup(c, c.prefix + '00')],
			['2 ingest', ingest(c, c.prefix + '10')],
			['2 ingest (Webhook node)', ingestWithWebhookNode(c, c.prefix + '10')],
		];
		const tables = outboxTables(c);
		let number = 3;
		c.lanes.forEach((l, i) => {
			const suffix = c.lanes.length > 1 ? ` (${l.name})` : '';
			workflows.push([`${number} drain${suffix}`, drain(c, l, tables[i], number, `${c.prefix}2${i}`)]);
			number++;
		});
		workflows.push([`${number} resend`, resend(c, number, c.prefix + '90')]);
		for (const [label, wf] of workflows) files.set(`Mailtarget to ${c.fileLabel} - ${label}.json`, asciiJson(wf));
	}
	return files;
}

export function writeTemplates(dir: string): string[] {
	mkdirSync(dir, { recursive: true });
	const files = buildTemplates();
	for (const [name, content] of files) writeFileSync(join(dir, name), content);
	return [...files.keys()];
}

if (require.main === module) {
	const dir = process.argv[2] ? resolve(process.argv[2]) : WORKFLOWS_DIR;
	const written = writeTemplates(dir);
	console.log(`${written.length} templates written to ${dir}`);
}
