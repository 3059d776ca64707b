import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import { basicAuthHeader, signBody } from '../../core';
import { MailtargetVerify } from '../../nodes/MailtargetVerify/MailtargetVerify.node';
import { fixtureBytes } from '../helpers/fixtures';

const secret = 'verify-secret';
const batch = fixtureBytes('official-batch.json');
const credential = { signingSecret: secret, previousSigningSecret: '', basicAuthUser: 'mt', basicAuthPassword: 'pw' };

/** An item as n8n's Webhook node (v2, Respond Immediately, Raw Body on) emits it: parsed body, headers, raw bytes. */
function webhookItem(body: Buffer, headers: Record<string, string>, rawBody = true): INodeExecutionData {
	return {
		json: { headers: { 'content-type': 'application/json', ...headers }, params: {}, query: {}, body: JSON.parse(body.toString()) as IDataObject },
		binary: rawBody ? { data: { data: body.toString('base64'), mimeType: 'application/json' } } : undefined,
	};
}

function run(
	items: INodeExecutionData[],
	setup: { parameters?: Record<string, unknown>; continueOnFail?: boolean; workflowId?: string; credential?: typeof credential; credentialReads?: string[] } = {},
) {
	const parameters: Record<string, unknown> = { authentication: 'signature', events: [], options: {}, ...setup.parameters };
	const warnings: string[] = [];
	const context = {
		getInputData: () => items,
		getNodeParameter: (name: string, _item: number, fallback?: unknown) => (name in parameters ? parameters[name] : fallback),
		getCredentials: async (type: string) => {
			setup.credentialReads?.push(type);
			return setup.credential ?? credential;
		},
		getWorkflow: () => ({ id: setup.workflowId ?? 'verify-tests' }),
		getNode: () => ({ name: 'Mailtarget Verify', type: 'mailtargetVerify', typeVersion: 1, position: [0, 0], parameters: {} }),
		continueOnFail: () => setup.continueOnFail === true,
		logger: { warn: (message: string) => warnings.push(message) },
		helpers: {
			getBinaryDataBuffer: async (index: number, property: string) => Buffer.from(String(items[index].binary?.[property]?.data), 'base64'),
		},
	} as unknown as IExecuteFunctions;
	return { output: new MailtargetVerify().execute.call(context), warnings };
}

const signed = (body: Buffer, key = secret) => ({ 'x-mailtarget-signature': signBody(key, body) });

describe('MailtargetVerify', () => {
	it('passes on one item per event of a signed batch, paired with its request', async () => {
		const [events] = await run([webhookItem(batch, signed(batch))]).output;
		expect(events.map((item) => item.json.type)).toEqual(['injection', 'delivery', 'open', 'click', 'bounce', 'bounce', 'delay']);
		expect(events[0].json).toMatchObject({ batchId: '6746d3a0e3b86a0001887bc6', eventId: '92356927693813851' });
		expect(events.every((item) => (item.pairedItem as { item: number }).item === 0 && item.binary === undefined)).toBe(true);
	});

	it('fails the execution for a forged signature, naming no secret and emitting nothing', async () => {
		const failure = await run([webhookItem(batch, signed(batch, 'forged'))]).output.catch((error: unknown) => error);
		expect(failure).toBeInstanceOf(NodeOperationError);
		expect(String((failure as Error).message)).toMatch(/^Refused a request that is not a verified Mailtarget batch: 401/);
		expect(String((failure as Error).message)).not.toContain(secret);
	});

	it('verifies the exact bytes: a re-serialised body with a valid-looking signature of other bytes is refused', async () => {
		const spaced = Buffer.from(JSON.stringify(JSON.parse(batch.toString()), null, 2));
		await expect(run([webhookItem(spaced, signed(batch))]).output).rejects.toThrow(/401/);
	});

	it('reads its credential once a minute per workflow, and again before refusing, so a rotated secret works at once', async () => {
		const reads: string[] = [];
		const old = { ...credential, signingSecret: 'old-secret' };
		for (let request = 0; request < 3; request++) {
			const [events] = await run([webhookItem(batch, signed(batch, 'old-secret'))], { workflowId: 'rotation', credential: old, credentialReads: reads }).output;
			expect(events).toHaveLength(7);
		}
		expect(reads).toHaveLength(1);
		const rotated = { ...credential, signingSecret: 'new-secret' };
		const [events] = await run([webhookItem(batch, signed(batch, 'new-secret'))], { workflowId: 'rotation', credential: rotated, credentialReads: reads }).output;
		expect(events).toHaveLength(7);
		expect(reads).toHaveLength(2);
		await expect(run([webhookItem(batch, signed(batch, 'old-secret'))], { workflowId: 'rotation', credential: rotated, credentialReads: reads }).output).rejects.toThrow(/401/);
	});

	it('says to turn on Raw Body when the Webhook node did not keep the bytes', async () => {
		await expect(run([webhookItem(batch, signed(batch), false)]).output).rejects.toThrow(/turn on "Raw Body"/);
	});

	it('with Continue On Fail, drops refused requests, logs them and passes the verified ones', async () => {
		const { output, warnings } = run([webhookItem(batch, signed(batch, 'forged')), webhookItem(batch, signed(batch))], { continueOnFail: true });
		const [events] = await output;
		expect(events).toHaveLength(7);
		expect(events.every((item) => (item.pairedItem as { item: number }).item === 1)).toBe(true);
		expect(warnings).toEqual([expect.stringMatching(/401/)]);
	});

	it('checks Basic auth, and both checks together', async () => {
		const basic = { authorization: basicAuthHeader('mt', 'pw') };
		expect((await run([webhookItem(batch, basic)], { parameters: { authentication: 'basicAuth' } }).output)[0]).toHaveLength(7);
		await expect(run([webhookItem(batch, { authorization: basicAuthHeader('mt', 'nope') })], { parameters: { authentication: 'basicAuth' } }).output).rejects.toThrow(/401/);
		await expect(run([webhookItem(batch, basic)], { parameters: { authentication: 'both' } }).output).rejects.toThrow(/401/);
		expect((await run([webhookItem(batch, { ...basic, ...signed(batch) })], { parameters: { authentication: 'both' } }).output)[0]).toHaveLength(7);
	});

	it('passes only the chosen event types, and refuses a signed body that is not events', async () => {
		const [opens] = await run([webhookItem(batch, signed(batch))], { parameters: { events: ['open', 'bounce'] } }).output;
		expect(opens.map((item) => item.json.type)).toEqual(['open', 'bounce', 'bounce']);
		const notEvents = Buffer.from('{"events": "nope"}');
		await expect(run([webhookItem(notEvents, signed(notEvents))]).output).rejects.toThrow(/400/);
		await expect(run([webhookItem(batch, signed(batch))], { parameters: { options: { maxBodyMiB: 0.001 } } }).output).rejects.toThrow(/413/);
	});
});
