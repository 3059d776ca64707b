import { deadLetterTable, outboxTables, type Crm } from './crms';
import { mapping, OUTBOX_TYPES, sticky, table, to, type JsonObject, type Workflow } from './parts';

const SPLIT_RECORD_IDS =
	"const text = String($input.first().json.recordIds ?? '').trim();\nif (text === 'all') return [{ json: { condition: 'like', recordId: '%' } }];\nreturn text.split(/[\\s,]+/).filter(Boolean).map((recordId) => ({ json: { condition: 'eq', recordId } }));";

export function resend(c: Crm, number: number, prefix: string): Workflow {
	const text =
		`## Mailtarget to ${c.label}: re-send dead letters\nPuts dead letters back in the queue after you fixed the cause (a missing custom field, a wrong token...).\n\n` +
		`1. Look up the \`recordId\`s in the data table **${deadLetterTable(c)}**.\n2. Open **Which records** and replace \`all\` with them, one per line (or keep \`all\`).\n3. Click **Execute workflow**. The drain sends them on its next ticks.`;
	const nodes: JsonObject[] = [
		sticky(prefix + '01', text, [-520, -300], 460, 300),
		{ id: prefix + '02', name: 'When clicking Execute workflow', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
		{
			id: prefix + '03',
			name: 'Or POST record ids here',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2,
			position: [0, 200],
			webhookId: `mailtarget-${c.key}-resend`,
			parameters: { path: `mailtarget-${c.key}-resend`, httpMethod: 'POST', responseMode: 'lastNode', options: {} },
		},
		{
			id: prefix + '04',
			name: 'Which records',
			type: 'n8n-nodes-base.set',
			typeVersion: 3.4,
			position: [220, 100],
			parameters: {
				mode: 'manual',
				includeOtherFields: false,
				options: {},
				assignments: { assignments: [{ id: 'r1', name: 'recordIds', type: 'string', value: "={{ $json.body?.recordIds ?? 'all' }}" }] },
			},
		},
		{
			id: prefix + '05',
			name: 'One item per record id',
			type: 'n8n-nodes-base.code',
			typeVersion: 2,
			position: [440, 100],
			parameters: { jsCode: SPLIT_RECORD_IDS },
		},
	];
	const connections: Workflow['connections'] = {
		'When clicking Execute workflow': { main: [to('Which records')] },
		'Or POST record ids here': { main: [to('Which records')] },
		'Which records': { main: [to('One item per record id')] },
	};
	const updates = outboxTables(c).map((t, i) => {
		const name = `Set dead letters due in ${t}`;
		nodes.push({
			id: `${prefix}6${i}`,
			name,
			type: 'n8n-nodes-base.dataTable',
			typeVersion: 1.1,
			position: [660, 100 + 200 * i],
			parameters: {
				resource: 'row',
				operation: 'update',
				dataTableId: table(t),
				matchType: 'allConditions',
				filters: {
					conditions: [
						{ keyName: 'status', condition: 'eq', keyValue: 'dead' },
						{ keyName: 'recordId', condition: '={{ $json.condition }}', keyValue: '={{ $json.recordId }}' },
					],
				},
				columns: mapping({ status: 'due', dueAt: '={{ $now.toMillis() }}', attempts: 0, acceptedAt: '={{ $now.toMillis() }}', claim: '' }, OUTBOX_TYPES),
				options: {},
			},
		});
		return name;
	});
	connections['One item per record id'] = { main: [to(...updates)] };
	return { name: `Mailtarget to ${c.fileLabel} - ${number} re-send dead letters`, nodes, connections, settings: { executionOrder: 'v1' } };
}
