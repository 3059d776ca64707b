/** Building blocks shared by the n8n workflow templates. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export const PKG = '@crm-bridge/n8n-nodes-mailtarget';

export type ColumnType = 'string' | 'number';
export type Columns = Record<string, ColumnType>;

export const OUTBOX_TYPES: Columns = {
	recordId: 'string',
	record: 'string',
	status: 'string',
	dueAt: 'number',
	acceptedAt: 'number',
	attempts: 'number',
	claim: 'string',
	claimedAt: 'number',
	lastAnswer: 'string',
};
export const DEAD_TYPES: Columns = {
	recordId: 'string',
	lane: 'string',
	reason: 'string',
	answer: 'string',
	attempts: 'number',
	deadAt: 'number',
};

/** One row per drain of a CRM: that drain's last rate limit, which pauses every drain of the CRM until `until`. */
export const PAUSE_TYPES: Columns = {
	lane: 'string',
	until: 'number',
	reason: 'string',
};

export function table(name: string): JsonObject {
	return { __rl: true, mode: 'name', value: name };
}

export function cond(keyName: string, condition: string, keyValue: Json): JsonObject {
	return { keyName, condition, keyValue };
}

export function mapping(values: JsonObject, types: Columns): JsonObject {
	return {
		mappingMode: 'defineBelow',
		value: values,
		matchingColumns: [],
		schema: Object.keys(values).map((k) => ({
			id: k,
			displayName: k,
			required: false,
			defaultMatch: false,
			display: true,
			type: types[k],
			readOnly: false,
			removed: false,
		})),
		attemptToConvertTypes: false,
		convertFieldsToString: false,
	};
}

export function sticky(id: string, text: string, position: [number, number], width = 460, height = 420): JsonObject {
	return {
		id,
		name: 'Read me',
		type: 'n8n-nodes-base.stickyNote',
		typeVersion: 1,
		position,
		parameters: { content: text, height, width },
	};
}

export function to(...names: string[]): JsonObject[] {
	return names.map((node) => ({ node, type: 'main', index: 0 }));
}

export interface Workflow {
	name: string;
	nodes: JsonObject[];
	connections: { [node: string]: { main: JsonObject[][] } };
	settings: JsonObject;
}
