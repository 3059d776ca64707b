import { NodeHelpers, resolveWebhookDescriptionField, type INode, type INodeParameters } from 'n8n-workflow';

import { MailtargetTrigger } from '../../nodes/MailtargetTrigger/MailtargetTrigger.node';

const description = new MailtargetTrigger().description;
const webhook = description.webhooks?.[0];
if (!webhook) throw new Error('the trigger has no webhook');

/** The node as n8n builds it for a workflow: its saved parameters plus the defaults of its version. */
function nodeAt(typeVersion: number, saved: INodeParameters): INode {
	const parameters = NodeHelpers.getNodeParameters(description.properties, saved, true, false, { typeVersion } as INode, description) ?? {};
	return { id: 'n1', name: 'Mailtarget Trigger', type: 'mailtargetTrigger', typeVersion, position: [0, 0], parameters };
}

/** What the expression engine computes from the field's template (older n8n evaluates it; 2.41 must agree). */
function templateValue(field: 'responseMode' | 'responseData', parameters: INodeParameters): unknown {
	const template = String(webhook?.[field]);
	const expression = template.replace(/^=\{\{/, '').replace(/\}\}$/, '');
	return new Function('$parameter', `return ${expression}`)(parameters) as unknown;
}

describe('Mailtarget Trigger: when it answers Mailtarget (Respond)', () => {
	it.each([
		[3, {}, 'lastNode', 'noData'],
		[3, { responseMode: 'onReceived' }, 'onReceived', ''],
		[2, {}, 'onReceived', ''],
		[1, {}, 'onReceived', ''],
		[2, { responseMode: 'lastNode' }, 'lastNode', 'noData'],
	])('typeVersion %d with %j: n8n reads responseMode %s and responseData "%s" without the expression engine', (typeVersion, saved, mode, data) => {
		const node = nodeAt(typeVersion, saved as INodeParameters);
		expect(resolveWebhookDescriptionField(node, webhook, 'responseMode')).toEqual({ resolved: true, value: mode });
		expect(resolveWebhookDescriptionField(node, webhook, 'responseData')).toEqual({ resolved: true, value: data });
		expect(templateValue('responseMode', node.parameters)).toBe(mode);
		expect(templateValue('responseData', node.parameters)).toBe(data);
	});

	it('new triggers are version 3, so that existing version 1 and 2 workflows keep answering immediately', () => {
		expect(description.defaultVersion).toBe(3);
		expect(description.version).toEqual([1, 2, 3]);
	});
});
