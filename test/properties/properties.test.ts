/**
 * Property-based tests over the rules in core: FUZZ_RUNS cases per property (300 in `npm test`;
 * `npm run fuzz` runs 100 000 each and prints the table).
 */
import fc from 'fast-check';

import { PROPERTIES, runsPerProperty } from './properties';

interface Row {
	property: string;
	cases: number;
	ms: number;
	failures: number;
}

const rows: Row[] = [];
const numRuns = runsPerProperty();

afterAll(() => {
	const width = Math.max(...rows.map((r) => r.property.length), 'property'.length);
	const lines = [
		`${'property'.padEnd(width)} | ${'cases'.padStart(8)} | ${'time'.padStart(9)} | failures`,
		`${'-'.repeat(width)}-|-${'-'.repeat(8)}-|-${'-'.repeat(9)}-|---------`,
		...rows.map((r) => `${r.property.padEnd(width)} | ${String(r.cases).padStart(8)} | ${`${(r.ms / 1000).toFixed(1)} s`.padStart(9)} | ${r.failures}`),
	];
	console.log(`fast-check, ${numRuns} cases per property\n${lines.join('\n')}`);
});

describe.each(PROPERTIES)('$name', ({ name, property }) => {
	test(`holds for ${numRuns} generated cases`, () => {
		const started = performance.now();
		const details = fc.check(property, { numRuns, seed: process.env['FUZZ_SEED'] ? Number(process.env['FUZZ_SEED']) : undefined });
		rows.push({ property: name.split(':')[0]!, cases: details.numRuns, ms: performance.now() - started, failures: details.failed ? 1 : 0 });
		if (details.failed) {
			throw new Error(`${name}\nfailed after ${details.numRuns} cases (seed ${details.seed}, path "${details.counterexamplePath}")\ncounterexample: ${fc.stringify(details.counterexample)}\n${details.errorInstance ? String(details.errorInstance) : ''}`);
		}
		expect(details.numRuns).toBe(numRuns);
	});
});
