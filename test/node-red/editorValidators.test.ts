import { editorFields, loadNodeDefinition, NODE_TYPES, readNodeEditor, type NodeDefinition } from '../helpers/nodeRedEditorFiles';

interface Cases {
	/** The other settings of the node while the value is checked. */
	node?: Record<string, unknown>;
	bad: unknown[];
	good: unknown[];
}

/** Values a user might type, per validated field; every validated field must have its cases here. */
const CASES: Record<string, Record<string, Cases[]>> = {
	'mailtarget-config': Object.fromEntries(
		['signingSecretEnv', 'previousSigningSecretEnv', 'basicAuthUserEnv', 'basicAuthPasswordEnv'].map((field) => [
			field,
			[{ bad: ['$MAILTARGET_SECRET', 'MY SECRET', '1SECRET', 'secret-value'], good: ['', 'MAILTARGET_WEBHOOK_SECRET', '_x1'] }],
		]),
	),
	'mailtarget-trigger': {
		path: [{ bad: ['', '   ', '/with space', '/a?b', '/a#b'], good: ['/mailtarget', 'hooks/mt-1', '/a.b_c~d'] }],
		config: [
			{ node: { authentication: 'signature' }, bad: ['', '_ADD_'], good: ['a1b2c3'] },
			{ node: { authentication: 'basicAuth' }, bad: [''], good: ['a1b2c3'] },
			{ node: { authentication: 'none' }, bad: [], good: ['', 'a1b2c3'] },
		],
		authentication: [{ bad: ['hmac', ''], good: ['signature', 'basicAuth', 'both', 'none'] }],
		signatureHeader: [{ bad: ['X Signature', 'X-Signature:', 'Sig\u00e9'], good: ['', 'X-Mailtarget-Signature', 'x-hub-signature-256'] }],
		events: [{ bad: ['opne', 'open,clik', 'opened'], good: ['', 'open', 'open,click', ' Bounce , delivery '] }],
		maxBodyMiB: [{ bad: ['', '0', '-1', 'ten', '2000'], good: ['10', '0.5', 1024, 10] }],
		queueNames: [{ bad: ['a/b', 'a\\b'], good: ['', 'crm', 'crm, other'] }],
		acknowledge: [{ bad: ['later', ''], good: ['stored', 'received'] }],
	},
	'mailtarget-event-mapper': {
		target: [{ bad: ['pipedrive', ''], good: ['neutral', 'hubspot', 'salesforce', 'zendesk'] }],
		routing: [{ bad: ['split'], good: ['single', 'perAction'] }],
		fieldNames: [
			{ node: { target: 'hubspot' }, bad: ['{openCount: "x"}', '["openCount"]', '"x"', '{"opens": "x"}', '{"openCount": ""}', '{"openCount": 3}'], good: ['', '{}', '{"openCount": "email_opens"}'] },
			{ node: { target: 'salesforce' }, bad: ['{"noteEventId": "x"}'], good: ['{"taskEventId": "Event_Id__c"}'] },
			{ node: { target: 'neutral' }, bad: [], good: ['not json'] },
		],
	},
	'mailtarget-dedupe': {
		keyType: [{ bad: ['id', ''], good: ['event', 'fields', 'msg'] }],
		keyFields: [
			{ node: { keyType: 'fields' }, bad: ['', ' , '], good: ['eventId', 'eventId, recipient'] },
			{ node: { keyType: 'event' }, bad: [], good: [''] },
		],
		keyProperty: [
			{ node: { keyType: 'msg' }, bad: ['', 'msg.payload.eventId'], good: ['payload.eventId', 'topic'] },
			{ node: { keyType: 'event' }, bad: [], good: [''] },
		],
		ttlHours: [{ bad: ['', '0', '-3', 'a day'], good: ['72', '0.5', 72] }],
		maxEntries: [{ bad: ['', '0', '1.5', 'many'], good: ['1', '100000', 100000] }],
		storeName: [{ bad: ['a/b', '..\\x'], good: ['', 'shared-events'] }],
	},
	'mailtarget-crm-queue': {
		rate: [{ bad: ['', '0', '1.5', 'ten'], good: ['1', '100'] }],
		rateIntervalSeconds: [{ bad: ['', '0', '-1', 'x'], good: ['0.5', '10'] }],
		batchSize: [{ bad: ['', '0', '201', '2.5'], good: ['1', '100', '200'] }],
		concurrency: [{ bad: ['', '0', '101'], good: ['1', '100'] }],
		maxPending: [{ bad: ['', '0', '1.5'], good: ['1', '10000'] }],
		retryHorizonHours: [{ bad: ['', '-1', 'x'], good: ['0', '24', '0.5'] }],
		answerTimeoutSeconds: [{ bad: ['', '0', 'x'], good: ['0.5', '60'] }],
		backoffBaseSeconds: [
			{ node: { backoffMaxSeconds: 300 }, bad: ['', '0', 'x', '301'], good: ['1', '300'] },
			{ node: { backoffMaxSeconds: 'x' }, bad: ['0'], good: ['1000'] },
		],
		backoffMaxSeconds: [{ node: { backoffBaseSeconds: 10 }, bad: ['', '0', '9'], good: ['10', '300'] }],
		queueName: [{ bad: ['a/b', 'a\\b'], good: ['', 'crm'] }],
	},
};

/** A new trigger verifies signatures, so it has to be given its secrets before it can be deployed. */
const MUST_CHOOSE: Record<string, string[]> = { 'mailtarget-trigger': ['config'] };

function validated(definition: NodeDefinition): string[] {
	return Object.keys(definition.defaults).filter((field) => typeof definition.defaults[field].validate === 'function');
}

describe.each(NODE_TYPES)('the edit dialog of %s', (type) => {
	const files = readNodeEditor(type);
	const definition = loadNodeDefinition(files);
	const labels = new Map(editorFields(files).map((field) => [field.property, field.label]));

	it('has test cases for every validated field, and every one takes the message argument (Node-RED 3 form)', () => {
		expect(validated(definition).sort()).toEqual(Object.keys(CASES[type] ?? {}).sort());
		for (const field of validated(definition)) expect([field, definition.defaults[field].validate?.length]).toEqual([field, 2]);
	});

	it('accepts its own defaults, except a choice a new node must be given', () => {
		const node = Object.fromEntries(Object.entries(definition.defaults).map(([field, spec]) => [field, spec.value]));
		const mustChoose = MUST_CHOOSE[type] ?? [];
		for (const field of validated(definition)) {
			const answer = definition.defaults[field].validate?.call(node, node[field], {});
			expect([field, mustChoose.includes(field) ? typeof answer : answer]).toEqual([field, mustChoose.includes(field) ? 'string' : true]);
		}
	});

	const rows = Object.entries(CASES[type] ?? {}).flatMap(([field, cases]) => cases.map((c) => ({ field, ...c })));
	it.each(rows)('$field: a bad value gets a message naming the field, a good one passes (with $node)', ({ field, node, bad, good }) => {
		const validate = definition.defaults[field]?.validate;
		expect(typeof validate).toBe('function');
		const label = labels.get(field);
		expect(label).toBeTruthy();
		const self = { ...node };
		for (const value of bad) {
			const message = validate?.call(self, value, {});
			expect([value, typeof message]).toEqual([value, 'string']);
			expect(message).not.toMatch(new RegExp(`^${type}\\.`)); // a missing locale key comes back as the key
			expect([value, message]).toEqual([value, expect.stringContaining(label as string)]);
			expect(validate?.call(self, value)).toBe(false);
		}
		for (const value of good) expect([value, validate?.call(self, value, {})]).toEqual([value, true]);
	});
});
