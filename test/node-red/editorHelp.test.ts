import { editorFields, loadNodeDefinition, NODE_TYPES, readNodeEditor, selectOptionLabels } from '../helpers/nodeRedEditorFiles';

const ENTITIES: Record<string, string> = { '&lt;': '<', '&gt;': '>', '&amp;': '&', '&quot;': '"', '&#39;': "'", '&nbsp;': ' ' };

/** What a person reads: tags dropped, entities decoded, white space folded, case ignored. */
function readable(html: string): string {
	return html
		.replace(/<[^>]+>/g, ' ')
		.replace(/&[a-z#0-9]+;/g, (entity) => ENTITIES[entity] ?? entity)
		.replace(/\s+/g, ' ')
		.trim()
		.toLowerCase();
}

function sectionsOf(help: string): string[] {
	return [...help.matchAll(/<h3>([\s\S]*?)<\/h3>/g)].map((match) => readable(match[1]));
}

/** The HTML of a section: from its heading to the next `<h3>` or the end. */
function section(help: string, title: string): string {
	const start = help.search(new RegExp(`<h3>${title}</h3>`, 'i'));
	if (start === -1) return '';
	const rest = help.slice(start + title.length + 9);
	const end = rest.search(/<h3>/);
	return end === -1 ? rest : rest.slice(0, end);
}

describe.each(NODE_TYPES)('the help of %s', (type) => {
	const files = readNodeEditor(type);
	const definition = loadNodeDefinition(files);
	const text = readable(files.help);

	it('opens with a one-paragraph summary, before any heading', () => {
		const opening = /^\s*<div class="mailtarget-help">\s*<p>([\s\S]*?)<\/p>\s*<h3>/.exec(files.help);
		expect(opening).not.toBeNull();
		expect(readable(opening?.[1] ?? '').split(' ').length).toBeGreaterThanOrEqual(20);
	});

	it('has Inputs and Outputs where the node has them, then Details, Example and Common mistakes, in that order', () => {
		const expected = [
			...((definition.inputs ?? 0) > 0 ? ['inputs'] : []),
			...((definition.outputs ?? 0) > 0 ? ['outputs'] : []),
			'details',
			'example',
			'common mistakes',
		];
		const found = sectionsOf(files.help);
		expect(found.filter((title) => expected.includes(title))).toEqual(expected);
		if ((definition.inputs ?? 0) === 0) expect(found).not.toContain('inputs');
		for (const port of ['inputs', 'outputs'].filter((title) => expected.includes(title))) {
			expect([port, section(files.help, port)]).toEqual([port, expect.stringMatching(/<dl class="message-properties">|<ol class="node-ports">/)]);
		}
	});

	it('explains every field of the edit dialog by its label, and every choice of its selects', () => {
		const details = readable(section(files.help, 'Details'));
		const labels = [...new Set(editorFields(files).filter((field) => !field.hidden).map((field) => field.label))];
		expect(labels.length).toBeGreaterThan(0);
		const missing = [...labels, ...selectOptionLabels(files)].filter((label) => !details.includes(readable(label)));
		expect(missing).toEqual([]);
	});

	it('walks through an example', () => {
		const example = section(files.help, 'Example');
		expect(readable(example).split(' ').length).toBeGreaterThanOrEqual(40);
		expect(example).toMatch(/<code>|<pre>/);
	});

	it('lists common mistakes, each with what the user sees, why, and the fix', () => {
		const mistakes = section(files.help, 'Common mistakes');
		const entries = [...mistakes.matchAll(/<dt>([\s\S]*?)<\/dt>\s*<dd>([\s\S]*?)<\/dd>/g)];
		expect(entries.length).toBeGreaterThanOrEqual(3);
		for (const [, symptom, answer] of entries) {
			expect(readable(symptom).length).toBeGreaterThan(5);
			expect([readable(symptom), readable(answer)]).toEqual([readable(symptom), expect.stringMatching(/why: .+ fix: .+/)]);
		}
	});

	it('is plain text a person reads: no template placeholders or missing locale keys', () => {
		expect(text).not.toMatch(new RegExp(`__\\w+__|${type}\\.\\w+\\.`));
	});
});
