import { deadLetterTable, outboxTables, pauseTable, type Crm } from './crms';
import { DEAD_TYPES, OUTBOX_TYPES, PAUSE_TYPES, sticky, to, type Columns, type JsonObject, type Workflow } from './parts';

function columns(types: Columns) {
	return { column: Object.entries(types).map(([name, type]) => ({ name, type })) };
}

export function setup(c: Crm, prefix: string): Workflow {
	const tables = outboxTables(c);
	const dead = deadLetterTable(c);
	const pause = pauseTable(c);
	const text =
		`## Mailtarget to ${c.label}: setup (run once)\nCreates the data tables the ingest and drain workflows use:\n` +
		tables.map((t, i) => `- **${t}**: each record for ${c.lanes[i].what}, keyed by \`recordId\`, with its delivery state (due, claimed, delivered, dead)\n`).join('') +
		`- **${dead}**: what the CRM refused, with its answer\n- **${pause}**: when the CRM last asked to slow down (429, 503): every drain waits until then\n\nClick **Execute workflow** once (running it again changes nothing). Do not rename the tables: the other workflows find them by name.`;
	const nodes: JsonObject[] = [
		sticky(prefix + '01', text, [-520, -300], 460, 400),
		{ id: prefix + '02', name: 'When clicking Execute workflow', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
		{
			id: prefix + '03',
			name: 'Or open this URL once',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2,
			position: [0, 200],
			webhookId: `mailtarget-${c.key}-setup`,
			parameters: { path: `mailtarget-${c.key}-setup`, httpMethod: 'GET', responseMode: 'lastNode', options: {} },
		},
	];
	const connections: Workflow['connections'] = {
		'When clicking Execute workflow': { main: [to('Create ' + tables[0])] },
		'Or open this URL once': { main: [to('Create ' + tables[0])] },
	};
	const chain = [...tables, dead, pause];
	const typesOf = (t: string) => (t === dead ? DEAD_TYPES : t === pause ? PAUSE_TYPES : OUTBOX_TYPES);
	chain.forEach((t, i) => {
		nodes.push({
			id: `${prefix}1${i}`,
			name: 'Create ' + t,
			type: 'n8n-nodes-base.dataTable',
			typeVersion: 1.1,
			position: [240 + 220 * i, 100],
			executeOnce: true,
			parameters: { resource: 'table', operation: 'create', tableName: t, columns: columns(typesOf(t)), options: { createIfNotExists: true } },
		});
		if (i + 1 < chain.length) connections['Create ' + t] = { main: [to('Create ' + chain[i + 1])] };
	});
	return { name: `Mailtarget to ${c.fileLabel} - 1 setup`, nodes, connections, settings: { executionOrder: 'v1' } };
}
