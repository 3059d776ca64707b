/**
 * workflows/ is the generator's output: a hand edit, a stale file or a missing one fails here.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import { TEMPLATES_COMMAND, WORKFLOWS_DIR, writeTemplates } from '../../tools/n8n-templates';

describe('the n8n templates in workflows/', () => {
	let dir: string;
	beforeAll(() => {
		dir = mkdtempSync(join(tmpdir(), 'n8n-templates-'));
	});
	afterAll(() => rmSync(dir, { recursive: true, force: true }));

	test('equal what the generator writes', () => {
		const generated = writeTemplates(dir).sort();
		const committed = readdirSync(WORKFLOWS_DIR).filter((name) => name.endsWith('.json')).sort();
		const problems: string[] = [];
		for (const name of generated) {
			if (!committed.includes(name)) problems.push(`workflows/${name} is missing`);
			else if (readFileSync(join(WORKFLOWS_DIR, name), 'utf8') !== readFileSync(join(dir, name), 'utf8')) problems.push(`workflows/${name} differs from the generator`);
		}
		for (const name of committed) if (!generated.includes(name)) problems.push(`workflows/${name} is not generated`);
		const advice = problems.length ? [`edit tools/n8n-templates/ and run \`${TEMPLATES_COMMAND}\`; never edit workflows/ by hand`] : [];
		expect([...problems, ...advice]).toEqual([]);
		expect(generated.length).toBeGreaterThan(0);
	});
});
