import type { ICredentialType, INodeProperties, INodePropertyOptions, INodeType, NodeParameterValue } from 'n8n-workflow';

import { MailtargetApi } from '../../credentials/MailtargetApi.credentials';
import { MailtargetWebhookApi } from '../../credentials/MailtargetWebhookApi.credentials';
import { MailtargetCrmBatch } from '../../nodes/MailtargetCrmBatch/MailtargetCrmBatch.node';
import { MailtargetDedupe } from '../../nodes/MailtargetDedupe/MailtargetDedupe.node';
import { MailtargetDeliveryOutcome } from '../../nodes/MailtargetDeliveryOutcome/MailtargetDeliveryOutcome.node';
import { MailtargetEventMapper } from '../../nodes/MailtargetEventMapper/MailtargetEventMapper.node';
import { MailtargetTrigger } from '../../nodes/MailtargetTrigger/MailtargetTrigger.node';
import { MailtargetVerify } from '../../nodes/MailtargetVerify/MailtargetVerify.node';
import packageJson from '../../package.json';

const nodes: INodeType[] = [new MailtargetTrigger(), new MailtargetVerify(), new MailtargetDedupe(), new MailtargetEventMapper(), new MailtargetDeliveryOutcome(), new MailtargetCrmBatch()];
const credentials: ICredentialType[] = [new MailtargetWebhookApi(), new MailtargetApi()];

/** Every property a user can meet in the panel, with where it sits: top level, inside collections and fixed collections. */
function allProperties(properties: INodeProperties[], path = ''): Array<{ path: string; property: INodeProperties }> {
	return properties.flatMap((property) => {
		const here = `${path}${property.name}`;
		const inner = (property.options ?? []).flatMap((option) => {
			if ('type' in option) return allProperties([option as INodeProperties], `${here}.`);
			if ('values' in option) return allProperties((option as { values: INodeProperties[] }).values, `${here}.${(option as { name: string }).name}.`);
			return [];
		});
		return [{ path: here, property }, ...inner];
	});
}

function choices(property: INodeProperties): INodePropertyOptions[] {
	return property.type === 'options' || property.type === 'multiOptions' ? ((property.options ?? []) as INodePropertyOptions[]) : [];
}

type Condition = NodeParameterValue | { _cnd: Record<string, unknown> };

/** n8n's display rule for one parameter value: a listed value, or a `_cnd` comparison. */
function matches(condition: Condition, value: unknown): boolean {
	if (condition === null || typeof condition !== 'object' || !('_cnd' in condition)) return condition === value;
	const [[operator, operand]] = Object.entries(condition._cnd) as Array<[string, number]>;
	const number = Number(value);
	if (operator === 'lt') return number < operand;
	if (operator === 'lte') return number <= operand;
	if (operator === 'gt') return number > operand;
	if (operator === 'gte') return number >= operand;
	if (operator === 'eq') return value === operand;
	if (operator === 'not') return value !== operand;
	throw new Error(`this test does not know the display condition ${operator}`);
}

function shown(property: INodeProperties, parameters: Record<string, unknown>): boolean {
	const { show = {}, hide = {} } = property.displayOptions ?? {};
	const rule = (name: string, conditions: Condition[] | undefined) => (conditions ?? []).some((condition) => matches(condition, parameters[name.replace(/^\//, '')]));
	return Object.entries(show).every(([name, conditions]) => rule(name, conditions as Condition[])) && !Object.entries(hide).some(([name, conditions]) => rule(name, conditions as Condition[]));
}

function defaults(properties: INodeProperties[]): Record<string, unknown> {
	return Object.fromEntries(properties.map((property) => [property.name, property.default]));
}

/** The notices a user sees with these parameter values. */
function visibleNotices(properties: INodeProperties[], parameters: Record<string, unknown>): string[] {
	return properties.filter((property) => property.type === 'notice' && shown(property, parameters)).map((property) => property.displayName);
}

describe.each([
	...nodes.map((node) => ({ kind: 'node', name: node.description.displayName, properties: node.description.properties })),
	...credentials.map((credential) => ({ kind: 'credential', name: credential.displayName, properties: credential.properties })),
])('the $kind $name', ({ properties }) => {
	const everything = allProperties(properties);

	it('describes every property in words (a notice says it in its text)', () => {
		const undescribed = everything
			.filter(({ property }) => (property.type === 'notice' ? property.displayName.trim().split(' ').length < 8 : !property.description?.trim()))
			.map(({ path }) => path);
		expect(undescribed).toEqual([]);
	});

	it('describes every choice of its option lists', () => {
		const undescribed = everything.flatMap(({ path, property }) => choices(property).filter((choice) => !choice.description?.trim()).map((choice) => `${path}=${String(choice.value)}`));
		expect(undescribed).toEqual([]);
	});
});

it('each node links to the package page for its documentation', () => {
	for (const node of nodes) expect([node.description.name, node.description.documentationUrl]).toEqual([node.description.name, `https://www.npmjs.com/package/${packageJson.name}`]);
});

describe('risky settings', () => {
	const trigger = new MailtargetTrigger().description.properties;
	const dedupe = new MailtargetDedupe().description.properties;

	it.each([
		{ node: 'Mailtarget Trigger', properties: trigger, parameter: 'authentication', safe: 'signature', risky: 'none' },
		{ node: 'Mailtarget Dedupe', properties: dedupe, parameter: 'ttlHours', safe: 72, risky: 2 },
		{ node: 'Mailtarget Dedupe', properties: dedupe, parameter: 'ttlHours', safe: 24, risky: 23.5 },
	])('$node shows a warning when $parameter is $risky, and not when it is $safe', ({ properties, parameter, safe, risky }) => {
		const base = defaults(properties);
		const atSafe = visibleNotices(properties, { ...base, [parameter]: safe });
		const atRisky = visibleNotices(properties, { ...base, [parameter]: risky });
		const warnings = atRisky.filter((notice) => !atSafe.includes(notice));
		expect(warnings).toHaveLength(1);
		expect(warnings[0]).toMatch(/anyone|risky/i);
	});

	it.each([
		{ node: new MailtargetTrigger(), path: 'options.diagnostics' },
		{ node: new MailtargetTrigger(), path: 'options.signatureHeader' },
		{ node: new MailtargetVerify(), path: 'options.binaryProperty' },
		{ node: new MailtargetDedupe(), path: 'keyFields' },
		{ node: new MailtargetDedupe(), path: 'maxEntries' },
		{ node: new MailtargetDeliveryOutcome(), path: 'options.retryHorizonHours' },
		{ node: new MailtargetCrmBatch(), path: 'batchSize' },
	])('$node.description.displayName: $path, a setting that is easy to get wrong, carries a hint', ({ node, path }) => {
		const found = allProperties(node.description.properties).find((entry) => entry.path === path);
		expect(found?.property.hint?.trim()).toBeTruthy();
	});
});
