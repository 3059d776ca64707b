import { deadLetterTable, pauseTable, type Crm, type Lane } from './crms';
import { cond, DEAD_TYPES, mapping, OUTBOX_TYPES, PAUSE_TYPES, PKG, sticky, table, to, type JsonObject, type Workflow } from './parts';

const S = "$('Settings').first().json";
const PAUSED = "$('Paused by the CRM?').first().json";

function note(c: Crm, l: Lane, t: string): string {
	return (
		`## Mailtarget to ${c.label}: drain (${l.what})\nSends the records stored in **${t}** to \`${l.method} <crmBaseUrl>${l.path}\` at the CRM's rate, and settles each one.\n\n` +
		`**Set up:** ${c.cred.howto} In **Settings** set ${c.settingsNote} Activate.\n\n` +
		`**The rate:** each tick (every ${c.tickSeconds} s, see **Every tick**) makes at most one CRM call with at most \`recordsPerTick\` records. ${c.rateNote}\n\n` +
		`**On a 429 / 503${c.key === 'salesforce' ? ' / 403 REQUEST_LIMIT_EXCEEDED' : ''}:** every drain of ${c.label} sends nothing until \`Retry-After\` has passed (*Pause every ${c.fileLabel} drain* writes it to **${pauseTable(c)}**; a tick that finds it there just before its call gives its claims back until then); the records of that call wait for the longer of \`Retry-After\` and a growing backoff, then go again. 5xx, timeouts and resets retry the same way, without the pause. Other 4xx go to **${deadLetterTable(c)}** with the CRM's answer; so does anything still failing after 24 h.\n\n` +
		'**Overlapping ticks** (a slow CRM) never send a record twice: a tick claims each row only while it is still due, then sends only the rows carrying its own claim.\n\n' +
		'**Crash:** a row claimed by a tick that died goes back to due after `leaseSeconds` (300 s) and is sent again.' +
		(l.extraNote ? '\n\n' + l.extraNote : '')
	);
}

function dataTableNode(id: string, name: string, x: number, y: number, parameters: JsonObject, extra: JsonObject = {}): JsonObject {
	return { id, name, type: 'n8n-nodes-base.dataTable', typeVersion: 1.1, position: [x, y], ...extra, parameters };
}

function conditionNode(kind: 'filter' | 'if', id: string, name: string, x: number, y: number, conditionId: string, expression: string): JsonObject {
	return {
		id,
		name,
		type: `n8n-nodes-base.${kind}`,
		typeVersion: 2.2,
		position: [x, y],
		parameters: {
			conditions: {
				options: { caseSensitive: true, leftValue: '', typeValidation: 'loose', version: 2 },
				conditions: [{ id: conditionId, leftValue: expression, rightValue: '', operator: { type: 'boolean', operation: 'true', singleValue: true } }],
				combinator: 'and',
			},
			options: {},
		},
	};
}

export function drain(c: Crm, l: Lane, t: string, number: number, prefix: string): Workflow {
	const dead = deadLetterTable(c);
	const pause = pauseTable(c);
	const settleValues = {
		status: '={{ $json.status }}',
		dueAt: '={{ $json.dueAt ?? $now.toMillis() }}',
		attempts: '={{ $json.attempts ?? 0 }}',
		claim: '',
		lastAnswer: '={{ $json.answer ?? $json.reason }}',
	};
	const deadValues = {
		recordId: '={{ $json.recordId }}',
		lane: l.name,
		reason: '={{ $json.reason }}',
		answer: "={{ $json.answer ?? '' }}",
		attempts: '={{ $json.attempts ?? 0 }}',
		deadAt: '={{ $now.toMillis() }}',
	};
	const httpName = `${l.method} ${l.what}`;
	const httpNode: JsonObject = {
		id: prefix + '09',
		name: httpName,
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		position: [1860, 0],
		onError: 'continueRegularOutput',
		parameters: {
			method: l.method,
			url: '={{ ' + S + '.crmBaseUrl }}' + l.path,
			sendHeaders: true,
			headerParameters: { parameters: [{ name: 'Idempotency-Key', value: '={{ $json.idempotencyKey }}' }] },
			sendBody: true,
			specifyBody: 'json',
			jsonBody: l.jsonBody ?? '={{ JSON.stringify($json.body) }}',
			options: { response: { response: { fullResponse: true, neverError: true } }, timeout: 30000 },
			...c.cred.params,
		},
		credentials: { [c.cred.type]: { id: '', name: c.cred.name } },
	};
	const nodes: JsonObject[] = [
		sticky(prefix + '01', note(c, l, t), [-600, -560], 560, 720),
		{
			id: prefix + '02',
			name: 'Every tick',
			type: 'n8n-nodes-base.scheduleTrigger',
			typeVersion: 1.2,
			position: [0, 0],
			parameters: { rule: { interval: [{ field: 'seconds', secondsInterval: c.tickSeconds }] } },
		},
		{
			id: prefix + '03',
			name: 'Settings',
			type: 'n8n-nodes-base.set',
			typeVersion: 3.4,
			position: [200, 0],
			parameters: {
				mode: 'manual',
				includeOtherFields: false,
				options: {},
				assignments: {
					assignments: [
						{ id: 'a1', name: 'recordsPerTick', type: 'number', value: l.perTick },
						{ id: 'a2', name: 'leaseSeconds', type: 'number', value: 300 },
						{ id: 'a3', name: 'crmBaseUrl', type: 'string', value: c.baseUrl },
						{ id: 'a4', name: 'now', type: 'number', value: '={{ $now.toMillis() }}' },
						{ id: 'a5', name: 'claim', type: 'string', value: "={{ 'drain-' + $execution.id }}" },
						...(l.extraSettings ?? []),
					],
				},
			},
		},
		dataTableNode(
			prefix + '04',
			'Free stale claims',
			400,
			0,
			{
				resource: 'row',
				operation: 'update',
				dataTableId: table(t),
				matchType: 'allConditions',
				filters: { conditions: [cond('status', 'eq', 'claimed'), cond('claimedAt', 'lt', `={{ ${S}.now - ${S}.leaseSeconds * 1000 }}`)] },
				columns: mapping({ status: 'due', claim: '' }, OUTBOX_TYPES),
				options: {},
			},
			{ alwaysOutputData: true },
		),
		dataTableNode(
			prefix + '05',
			'Due records, oldest first',
			600,
			0,
			{
				resource: 'row',
				operation: 'get',
				dataTableId: table(t),
				matchType: 'allConditions',
				filters: { conditions: [cond('status', 'eq', 'due'), cond('dueAt', 'lte', `={{ ${S}.now }}`)] },
				limit: `={{ ${S}.recordsPerTick }}`,
				orderBy: true,
				orderByColumn: 'id',
				orderByDirection: 'ASC',
			},
			{ executeOnce: true },
		),
		dataTableNode(prefix + '06', 'Claim each (only if still due)', 800, 0, {
			resource: 'row',
			operation: 'update',
			dataTableId: table(t),
			matchType: 'allConditions',
			filters: { conditions: [cond('id', 'eq', '={{ $json.id }}'), cond('status', 'eq', 'due')] },
			columns: mapping({ status: 'claimed', claim: `={{ ${S}.claim }}`, claimedAt: `={{ ${S}.now }}` }, OUTBOX_TYPES),
			options: {},
		}),
		dataTableNode(
			prefix + '07',
			'Re-read my claims',
			1000,
			0,
			{
				resource: 'row',
				operation: 'get',
				dataTableId: table(t),
				matchType: 'allConditions',
				filters: { conditions: [cond('claim', 'eq', `={{ ${S}.claim }}`), cond('status', 'eq', 'claimed')] },
				limit: `={{ ${S}.recordsPerTick }}`,
				orderBy: true,
				orderByColumn: 'id',
				orderByDirection: 'ASC',
			},
			{ executeOnce: true },
		),
		dataTableNode(
			prefix + '13',
			'Paused by the CRM?',
			1200,
			-220,
			{
				resource: 'row',
				operation: 'get',
				dataTableId: table(pause),
				matchType: 'allConditions',
				filters: { conditions: [cond('until', 'gt', '={{ $now.toMillis() }}')] },
				limit: 1,
			},
			{ executeOnce: true, alwaysOutputData: true },
		),
		conditionNode('if', prefix + '14', 'Not paused?', 1200, 0, 'not-paused', `={{ ${PAUSED}.until == null }}`),
		dataTableNode(prefix + '17', 'Give back my claims until the pause ends', 1420, 240, {
			resource: 'row',
			operation: 'update',
			dataTableId: table(t),
			matchType: 'allConditions',
			filters: { conditions: [cond('id', 'eq', '={{ $json.id }}'), cond('claim', 'eq', `={{ ${S}.claim }}`)] },
			columns: mapping({ status: 'due', claim: '', dueAt: `={{ ${PAUSED}.until }}` }, OUTBOX_TYPES),
			options: {},
		}),
		{
			id: prefix + '08',
			name: 'Mailtarget CRM Batch',
			type: `${PKG}.mailtargetCrmBatch`,
			typeVersion: 1,
			position: [1640, 0],
			parameters: { body: l.body, batchSize: `={{ ${S}.recordsPerTick }}` },
		},
		httpNode,
		{
			id: prefix + '10',
			name: 'Mailtarget Delivery Outcome',
			type: `${PKG}.mailtargetDeliveryOutcome`,
			typeVersion: 1,
			position: [2080, 0],
			parameters: { rows: "={{ $('Mailtarget CRM Batch').item.json.rows }}", options: {} },
		},
		dataTableNode(prefix + '11', 'Settle in outbox', 2340, 0, {
			resource: 'row',
			operation: 'update',
			dataTableId: table(t),
			matchType: 'allConditions',
			filters: { conditions: [cond('id', 'eq', '={{ $json.rowId }}'), cond('claim', 'eq', `={{ ${S}.claim }}`)] },
			columns: mapping(settleValues, OUTBOX_TYPES),
			options: {},
		}),
		dataTableNode(prefix + '12', 'Add to dead letters', 2340, 240, {
			resource: 'row',
			operation: 'insert',
			dataTableId: table(dead),
			columns: mapping(deadValues, DEAD_TYPES),
			options: {},
		}),
		conditionNode('filter', prefix + '15', 'Rate limited', 2340, -240, 'rate-limited', '={{ $json.pauseUntil != null }}'),
		dataTableNode(
			prefix + '16',
			`Pause every ${c.fileLabel} drain`,
			2560,
			-240,
			{
				resource: 'row',
				operation: 'upsert',
				dataTableId: table(pause),
				matchType: 'allConditions',
				filters: { conditions: [cond('lane', 'eq', l.name)] },
				columns: mapping({ lane: l.name, until: '={{ $json.pauseUntil }}', reason: '={{ $json.reason }}' }, PAUSE_TYPES),
				options: {},
			},
			{ executeOnce: true },
		),
	];
	const connections: Workflow['connections'] = {
		'Every tick': { main: [to('Settings')] },
		Settings: { main: [to('Free stale claims')] },
		'Free stale claims': { main: [to('Due records, oldest first')] },
		'Due records, oldest first': { main: [to('Claim each (only if still due)')] },
		'Claim each (only if still due)': { main: [to('Re-read my claims')] },
		'Re-read my claims': { main: [to('Paused by the CRM?', 'Not paused?')] },
		'Not paused?': { main: [to('Mailtarget CRM Batch'), to('Give back my claims until the pause ends')] },
		'Mailtarget CRM Batch': { main: [to(httpName), to('Settle in outbox', 'Add to dead letters')] },
		[httpName]: { main: [to('Mailtarget Delivery Outcome')] },
		'Mailtarget Delivery Outcome': { main: [to('Settle in outbox'), to('Rate limited', 'Settle in outbox'), to('Rate limited', 'Settle in outbox', 'Add to dead letters')] },
		'Rate limited': { main: [to(`Pause every ${c.fileLabel} drain`)] },
	};
	const suffix = c.lanes.length > 1 ? ` (${l.name})` : '';
	return {
		name: `Mailtarget to ${c.fileLabel} - ${number} drain${suffix}`,
		nodes,
		connections,
		settings: { executionOrder: 'v1', executionTimeout: 120, saveDataSuccessExecution: 'none', saveExecutionProgress: false, saveManualExecutions: true },
	};
}
