import { outboxTables, type Crm } from './crms';
import { cond, mapping, OUTBOX_TYPES, PKG, sticky, table, to, type JsonObject, type Workflow } from './parts';

export function ingest(c: Crm, prefix: string): Workflow {
	const tables = outboxTables(c);
	const now = '={{ $now.toMillis() }}';
	const values = { recordId: '={{ $json.id }}', record: '={{ JSON.stringify($json) }}', status: 'due', dueAt: now, acceptedAt: now, attempts: 0, claim: '', claimedAt: 0, lastAnswer: '' };
	const text =
		`## Mailtarget to ${c.label}: ingest\nReceives Mailtarget's webhooks and stores each event once in the outbox table(s); the drain workflow(s) send them.\n\n` +
		'1. Run the **setup** workflow once.\n2. Open **Mailtarget Trigger** and create a *Mailtarget Webhook* credential with the signing secret you set in the Mailtarget dashboard.\n' +
		"3. Activate this workflow and copy the trigger's **Production URL** into the Mailtarget dashboard.\n\n" +
		'**Duplicates:** *Only new …* checks the outbox, which remembers every record (delivered ones too) for as long as it is kept, so a batch Mailtarget sends again hours later is still dropped. Nothing here sets a record back to due.\n\n' +
		'**Crash:** the trigger answers (an empty 200) only when this workflow has finished, so every record is stored first. If it fails or n8n stops before, Mailtarget gets a 500 or no answer and sends the batch again.';
	const nodes: JsonObject[] = [
		sticky(prefix + '01', text, [-560, -420], 500, 480),
		{
			id: prefix + '02',
			name: 'Mailtarget Trigger',
			type: `${PKG}.mailtargetTrigger`,
			typeVersion: 3,
			position: [0, 0],
			webhookId: c.webhookId,
			parameters: { authentication: 'signature', events: [], responseMode: 'lastNode', registerWebhook: false, options: {} },
			credentials: { mailtargetWebhookApi: { id: '', name: 'Mailtarget Webhook' } },
		},
		{
			id: prefix + '04',
			name: 'Mailtarget Event Mapper',
			type: `${PKG}.mailtargetEventMapper`,
			typeVersion: 1,
			position: [440, 0],
			parameters: { target: c.target, routing: 'perAction', options: {} },
		},
		{ id: prefix + '05', name: 'Other events (not sent)', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [720, 400], parameters: {} },
		{ id: prefix + '06', name: 'Invalid events', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [720, 560], parameters: {} },
	];
	const firsts: string[] = [];
	// No Mailtarget Dedupe here: it records an event as seen before the store, so a batch re-sent after a crash would be dropped.
	const connections: Workflow['connections'] = { 'Mailtarget Trigger': { main: [to('Mailtarget Event Mapper')] } };
	c.lanes.forEach((l, i) => {
		const t = tables[i];
		const y = i * 200;
		const suffix = c.lanes.length > 1 ? ` (${l.name})` : '';
		const only = 'Only new records' + suffix;
		const store = 'Store as due' + suffix;
		if (l.has) {
			const filter = `Has ${l.name}`;
			nodes.push({
				id: `${prefix}2${i}`,
				name: filter,
				type: 'n8n-nodes-base.filter',
				typeVersion: 2.2,
				position: [720, y],
				parameters: {
					conditions: {
						options: { caseSensitive: true, leftValue: '', typeValidation: 'loose', version: 2 },
						conditions: [
							{
								id: `has-${l.name}`,
								leftValue: '={{ ' + l.has + ' != null }}',
								rightValue: '',
								operator: { type: 'boolean', operation: 'true', singleValue: true },
							},
						],
						combinator: 'and',
					},
					options: {},
				},
			});
			firsts.push(filter);
			connections[filter] = { main: [to(only)] };
		} else {
			firsts.push(only);
		}
		nodes.push({
			id: `${prefix}3${i}`,
			name: only,
			type: 'n8n-nodes-base.dataTable',
			typeVersion: 1.1,
			position: [940, y],
			parameters: {
				resource: 'row',
				operation: 'rowNotExists',
				dataTableId: table(t),
				matchType: 'allConditions',
				filters: { conditions: [cond('recordId', 'eq', '={{ $json.id }}')] },
			},
		});
		nodes.push({
			id: `${prefix}4${i}`,
			name: store,
			type: 'n8n-nodes-base.dataTable',
			typeVersion: 1.1,
			position: [1160, y],
			parameters: { resource: 'row', operation: 'insert', dataTableId: table(t), columns: mapping(values, OUTBOX_TYPES), options: {} },
		});
		connections[only] = { main: [to(store)] };
	});
	connections['Mailtarget Event Mapper'] = { main: [...Array<JsonObject[]>(6).fill(to(...firsts)), to('Other events (not sent)'), to('Invalid events')] };
	return {
		name: `Mailtarget to ${c.fileLabel} - 2 ingest`,
		nodes,
		connections,
		settings: { executionOrder: 'v1', saveDataSuccessExecution: 'none', saveExecutionProgress: false },
	};
}

/** The same ingest with n8n's own Webhook node in front and Mailtarget Verify checking the raw body in the execution. */
export function ingestWithWebhookNode(c: Crm, prefix: string): Workflow {
	const wf = ingest(c, prefix);
	const path = `mailtarget-${c.key}-events`;
	const text =
		`## Mailtarget to ${c.label}: ingest (Webhook node fast path)\nThe same as *2 ingest*, with n8n's own **Webhook** node receiving and **Mailtarget Verify** checking the signature on the raw body inside the execution. n8n answers the Webhook node faster. It answers when the workflow has finished: an empty 200 once the records are stored, a **500** when the execution failed, and so also to a forged or damaged request (it ends at *Mailtarget Verify*, nothing stored, its execution listed as failed).\n\n` +
		'1. Run the **setup** workflow once.\n2. Open **Mailtarget Verify** and create a *Mailtarget Webhook* credential with the signing secret you set in the Mailtarget dashboard.\n' +
		"3. Activate this workflow and copy the Webhook node's **Production URL** into the Mailtarget dashboard. Keep the Webhook node's option **Raw Body** on.\n\n" +
		'Use only one of the two ingest workflows. Duplicates and crashes: as in *2 ingest*.';
	const nodes: JsonObject[] = [];
	for (const node of wf.nodes) {
		if (node.name === 'Read me') (node.parameters as JsonObject).content = text;
		if (node.name === 'Mailtarget Trigger') {
			nodes.push({
				id: node.id,
				name: 'Mailtarget webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [-220, 0],
				webhookId: c.webhookId.slice(0, -2) + 'fb',
				parameters: { httpMethod: 'POST', path, responseMode: 'lastNode', responseData: 'noData', options: { rawBody: true } },
			});
			nodes.push({
				id: node.id + 'v',
				name: 'Mailtarget Verify',
				type: `${PKG}.mailtargetVerify`,
				typeVersion: 1,
				position: [0, 0],
				parameters: { authentication: 'signature', events: [], options: {} },
				credentials: node.credentials,
			});
			continue;
		}
		nodes.push(node);
	}
	const connections = wf.connections;
	const fromTrigger = connections['Mailtarget Trigger'];
	delete connections['Mailtarget Trigger'];
	connections['Mailtarget Verify'] = fromTrigger;
	connections['Mailtarget webhook'] = { main: [to('Mailtarget Verify')] };
	return { ...wf, name: `Mailtarget to ${c.fileLabel} - 2 ingest (Webhook node)`, nodes, connections };
}
