import { readFileSync } from 'fs';
import { join } from 'path';

import type { N8nServer } from './n8nServer';

export const WORKFLOWS_DIR = join(__dirname, '..', '..', 'workflows');

type Node = { name: string; type: string; webhookId?: string; parameters: Record<string, unknown>; credentials?: Record<string, { id: string; name: string }> };
export type Template = { name: string; nodes: Node[]; connections: Record<string, unknown>; settings?: Record<string, unknown> };

export function loadTemplate(file: string): Template {
	return JSON.parse(readFileSync(join(WORKFLOWS_DIR, file), 'utf8')) as Template;
}

/** What a user does after importing: pick their credential on each node that needs one. */
export function withCredentials(template: Template, credentials: Record<string, { id: string; name: string }>): Template {
	return {
		...template,
		nodes: template.nodes.map((node) => {
			if (!node.credentials) return node;
			const filled = Object.fromEntries(Object.keys(node.credentials).map((type) => [type, credentials[type] ?? (node.credentials as Record<string, { id: string; name: string }>)[type]]));
			return { ...node, credentials: filled as Record<string, { id: string; name: string }> };
		}),
	};
}

/** What a user types into a Set node named `nodeName` (the templates' "Settings"). */
export function withSettings(template: Template, nodeName: string, values: Record<string, string | number>): Template {
	const node = template.nodes.find((candidate) => candidate.name === nodeName);
	if (!node) throw new Error(`no node "${nodeName}" in ${template.name}`);
	const assignments = (node.parameters.assignments as { assignments: Array<{ name: string; value: unknown }> }).assignments;
	for (const [name, value] of Object.entries(values)) {
		const assignment = assignments.find((candidate) => candidate.name === name);
		if (!assignment) throw new Error(`no setting "${name}" in ${nodeName}`);
		assignment.value = value;
	}
	return template;
}

export function withScheduleSeconds(template: Template, seconds: number): Template {
	const trigger = template.nodes.find((node) => node.type === 'n8n-nodes-base.scheduleTrigger');
	if (!trigger) throw new Error(`no schedule trigger in ${template.name}`);
	trigger.parameters.rule = { interval: [{ field: 'seconds', secondsInterval: seconds }] };
	return template;
}

export function webhookPathOf(template: Template, nodeType: string): string {
	const node = template.nodes.find((candidate) => candidate.type === nodeType);
	if (!node?.webhookId) throw new Error(`no ${nodeType} with a webhookId in ${template.name}`);
	return nodeType.endsWith('.mailtargetTrigger') ? `${node.webhookId}/webhook` : String(node.parameters.path);
}

export interface DataTableRow {
	id: number;
	[column: string]: unknown;
}

/** Every row of the data table whose name is exactly `name`, through the public API. */
export async function tableRows(server: N8nServer, name: string): Promise<DataTableRow[]> {
	const tables = await server.api<{ data: Array<{ id: string; name: string }> }>('GET', '/data-tables?limit=250');
	const table = tables.data.find((candidate) => candidate.name === name);
	if (!table) return [];
	const rows: DataTableRow[] = [];
	let cursor: string | undefined;
	for (let page = 0; page < 10_000; page++) {
		const query = `limit=250${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
		const result = await server.api<{ data: DataTableRow[]; nextCursor?: string | null }>('GET', `/data-tables/${table.id}/rows?${query}`);
		rows.push(...result.data);
		if (!result.nextCursor) break;
		cursor = result.nextCursor;
	}
	return rows;
}

export async function tableId(server: N8nServer, name: string): Promise<string> {
	const tables = await server.api<{ data: Array<{ id: string; name: string }> }>('GET', '/data-tables?limit=250');
	const table = tables.data.find((candidate) => candidate.name === name);
	if (!table) throw new Error(`no data table ${name}`);
	return table.id;
}

/**
 * Fills an outbox with `count` records already delivered (as if that many other events had gone
 * through), through the public API in chunks.
 */
export async function seedDeliveredRows(server: N8nServer, tableName: string, count: number, prefix = 'seed'): Promise<void> {
	const id = await tableId(server, tableName);
	const now = Date.now();
	for (let start = 0; start < count; start += 1000) {
		const data = Array.from({ length: Math.min(1000, count - start) }, (_row, index) => ({
			recordId: `mailtarget:${prefix}-${start + index}`,
			record: '{}',
			status: 'delivered',
			dueAt: now,
			acceptedAt: now,
			attempts: 1,
			claim: '',
			claimedAt: now,
			lastAnswer: '201',
		}));
		await server.api('POST', `/data-tables/${id}/rows`, { data, returnType: 'count' });
	}
}
