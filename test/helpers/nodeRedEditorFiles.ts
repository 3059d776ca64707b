import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { runInNewContext } from 'vm';

const NODE_RED_DIR = join(__dirname, '..', '..', 'node-red');

/** Every folder under node-red/ that holds a node: its editor .html beside its .ts. */
export const NODE_TYPES = readdirSync(NODE_RED_DIR).filter((name) => {
	try {
		return readFileSync(join(NODE_RED_DIR, name, `${name}.html`)).length > 0;
	} catch {
		return false;
	}
});

export type Messages = Record<string, unknown>;

export interface EditorField {
	/** The property name: `path` for `node-input-path`. */
	property: string;
	/** The label shown beside it (its own, or the one of the row it sits in), from the locale. */
	label: string;
	hidden: boolean;
}

export interface NodeEditorFiles {
	type: string;
	/** The editor's JavaScript (the `text/javascript` script of the .html). */
	script: string;
	/** The edit dialog's template. */
	template: string;
	/** The help page's HTML. */
	help: string;
	messages: Messages;
}

function scriptBody(html: string, attribute: string, what: string): string {
	const match = new RegExp(`<script type="${attribute}"[^>]*>([\\s\\S]*?)</script>`).exec(html);
	if (!match) throw new Error(`no ${what} found`);
	return match[1];
}

export function readNodeEditor(type: string): NodeEditorFiles {
	const editor = readFileSync(join(NODE_RED_DIR, type, `${type}.html`), 'utf8');
	const help = readFileSync(join(NODE_RED_DIR, type, 'locales', 'en-US', `${type}.html`), 'utf8');
	const messages = JSON.parse(readFileSync(join(NODE_RED_DIR, type, 'locales', 'en-US', `${type}.json`), 'utf8')) as Messages;
	return {
		type,
		script: scriptBody(editor, 'text/javascript', `editor script in ${type}.html`),
		template: scriptBody(editor, `text/html" data-template-name="${type}`, `edit template in ${type}.html`),
		help: scriptBody(help, `text/html" data-help-name="${type}`, `help in locales/en-US/${type}.html`),
		messages,
	};
}

/** A message as Node-RED's `RED._` gives it: looked up by dotted key, `__name__` filled in; the key itself when missing. */
export function translate(messages: Messages, key: string, args: Record<string, unknown> = {}): string {
	let value: unknown = messages;
	for (const part of key.split('.')) value = value !== null && typeof value === 'object' ? (value as Messages)[part] : undefined;
	if (typeof value !== 'string') return key;
	return value.replace(/__([A-Za-z0-9_]+)__/g, (whole, name: string) => (name in args ? String(args[name]) : whole));
}

/** Each input of the edit dialog (`node-input-*`, or `node-config-input-*` for a config node), with the label a user sees beside it. */
export function editorFields(files: NodeEditorFiles): EditorField[] {
	const fields: EditorField[] = [];
	const rows = files.template.split(/(?=<div class="form-row)|(?=<input type="hidden")/);
	for (const row of rows) {
		const labelKey = /<label[^>]*>[\s\S]*?data-i18n="([^"]+)"[\s\S]*?<\/label>/.exec(row)?.[1];
		for (const match of row.matchAll(/<(input|select|textarea)\b([^>]*)>/g)) {
			const id = /\bid="node-(?:config-)?input-([^"]+)"/.exec(match[2])?.[1];
			if (!id) continue;
			const hidden = /type="hidden"/.test(match[2]);
			fields.push({ property: id, label: labelKey && !hidden ? translate(files.messages, labelKey) : '', hidden });
		}
	}
	return fields;
}

/** The text of each `<option>` of the dialog's selects, from the locale. */
export function selectOptionLabels(files: NodeEditorFiles): string[] {
	return [...files.template.matchAll(/<option[^>]*data-i18n="([^"]+)"/g)].map((match) => translate(files.messages, match[1]));
}

export interface Validation {
	validate?: (this: Record<string, unknown>, value: unknown, opt?: Record<string, unknown>) => unknown;
	value?: unknown;
}

export interface NodeDefinition {
	defaults: Record<string, Validation>;
	inputs?: number;
	outputs?: number;
	category?: string;
}

/**
 * Runs the editor script as Node-RED's editor would, with a small RED. As in Node-RED, plain
 * `RED._` does not know a package's messages (it gives the key back); the registered type's `_`
 * does, from the node's locale. `RED.validators` are Node-RED's (3.x form, returning a message when
 * given `opt`), and `$` finds no dialog (so validators read the node's own values, as they do
 * outside an open dialog).
 */
export function loadNodeDefinition(files: NodeEditorFiles): NodeDefinition {
	let definition: (NodeDefinition & { _?: unknown }) | undefined;
	const _ = (key: string) => key;
	const RED = {
		_,
		nodes: {
			registerType: (type: string, def: NodeDefinition & { _?: unknown }) => {
				if (type !== files.type) return;
				def._ = (key: string, args?: Record<string, unknown>) => translate(files.messages, key, args);
				definition = def;
			},
			getType: (type: string) => (type === files.type ? definition : undefined),
		},
		validators: {
			number: (blankAllowed?: boolean) => (v: unknown, opt?: object) =>
				(blankAllowed && (v === '' || v === undefined)) || (v !== '' && !Number.isNaN(Number(v))) ? true : opt ? _('validator.errors.invalid-num') : false,
			regex: (re: RegExp) => (v: unknown, opt?: object) => (re.test(String(v)) ? true : opt ? _('validator.errors.invalid-regexp') : false),
		},
	};
	const $ = () => ({ length: 0, val: () => undefined, on: () => undefined });
	runInNewContext(files.script, { RED, $ });
	if (!definition) throw new Error(`${files.type}.html does not register ${files.type}`);
	return definition;
}
