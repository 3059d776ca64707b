import { existsSync, mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import request from 'supertest';

import { signBody } from '../../core';
import type { Node, NodeDef, NodeMessage, NodeRedRuntime } from '../../node-red/lib/types';
import configModule from '../../node-red/mailtarget-config/mailtarget-config';
import queueModule from '../../node-red/mailtarget-crm-queue/mailtarget-crm-queue';
import triggerModule from '../../node-red/mailtarget-trigger/mailtarget-trigger';
import { queueState } from '../../node-red/lib/queueRegistry';
import { fixtureBytes } from '../helpers/fixtures';
import { helper, withRuntime } from './nodeRedHelper';

const secret = 'durable-trigger-secret';
const batch = fixtureBytes('official-batch.json');
const credentials = { cfg: { signingSecret: secret } };

/**
 * The test helper's runtime has no `RED.hooks`; the real runtime calls the hooks of
 * @node-red/util, which is what Node-RED hands nodes as `RED.hooks`.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const utilHooks = require('@node-red/util').hooks as NodeRedRuntime['hooks'];
const withHooks = (module: (RED: NodeRedRuntime) => void) => (RED: NodeRedRuntime) => {
	RED.hooks ??= utilHooks;
	module(RED);
};

/** A step between trigger and queue: drops events of `drop`, fails on events of `fail`, passes the rest on. */
const stepModule = (RED: NodeRedRuntime) =>
	RED.nodes.registerType('test-step', function (this: Node<never>, def: NodeDef) {
		RED.nodes.createNode(this, def);
		this.on('input', (msg: NodeMessage, send, done) => {
			const type = (msg.payload as { type?: string }).type;
			if (type === def.fail) return done(new Error(`cannot handle ${type}`));
			if (type !== def.drop) send(msg);
			done();
		});
	});

/** trigger -> (a step) -> queue; the queue's output goes nowhere (no CRM call is needed to see what it holds). */
function flow(step: Record<string, unknown> | undefined, trigger: Record<string, unknown> = {}) {
	const queue = { id: 'queue', type: 'mailtarget-crm-queue', queueName: 'durable-unit', rate: 1, rateIntervalSeconds: 3600, batchSize: 1, wires: [[], [], []] };
	return [
		{ id: 'cfg', type: 'mailtarget-config', name: 'secrets' },
		{ id: 'trigger', type: 'mailtarget-trigger', path: '/mt', config: 'cfg', authentication: 'signature', wires: [[step ? 'step' : 'queue']], ...trigger },
		...(step ? [{ id: 'step', type: 'test-step', wires: [['queue']], ...step }] : []),
		queue,
	];
}

describe('mailtarget-trigger answering once stored, in a Node-RED runtime', () => {
	const runtime = withRuntime(configModule, withHooks(triggerModule), queueModule, stepModule);
	let userDir: string;
	const journal = () => join(userDir, 'mailtarget-queue', 'named-durable-unit.journal');
	const post = () => request(runtime.red().httpNode as never).post('/mt').set('Content-Type', 'application/json').set('X-Mailtarget-Signature', signBody(secret, batch)).send(batch.toString());

	beforeEach((done) => {
		userDir = mkdtempSync(join(tmpdir(), 'mt-durable-trigger-'));
		helper.settings({ userDir });
		helper.startServer(done);
	});
	afterEach(async () => {
		await helper.unload();
		await new Promise<void>((resolve) => helper.stopServer(() => resolve()));
		helper.settings({});
		rmSync(userDir, { recursive: true, force: true });
	});

	it('answers 200 only after the queue holds every event, committed in the ledger', async () => {
		await helper.load(runtime.modules, flow(undefined), credentials);
		const response = await post();
		expect(response.status).toBe(200);
		const lines = readFileSync(journal(), 'utf8').split('\n');
		const tokens = new Set(lines.map((line) => /"held":"([\w-]+)"/.exec(line)?.[1]).filter(Boolean));
		expect(lines.filter((line) => line.includes('"op":"add"'))).toHaveLength(7);
		expect(tokens.size).toBe(1);
		const [token] = [...tokens];
		expect(lines.some((line) => line.includes(`"op":"commit","token":"${token}"`))).toBe(true);
		expect(readFileSync(join(userDir, 'mailtarget-ack', 'committed.ledger'), 'utf8')).toContain(` ${token}\n`);
	});

	it('answers 503 with Retry-After when a node on the way reports an error, and the queue keeps none of the events', async () => {
		const failing = { fail: 'bounce' };
		await helper.load(runtime.modules, flow(failing), credentials);
		const response = await post();
		expect(response.status).toBe(503);
		expect(response.headers['retry-after']).toBe('60');
		await new Promise((resolve) => setTimeout(resolve, 50));
		// The events that did reach the queue were held for the request, which was never committed.
		const lines = existsSync(journal()) ? readFileSync(journal(), 'utf8').split('\n') : [];
		expect(lines.filter((line) => line.includes('"op":"commit"'))).toEqual([]);
		expect(queueState('durable-unit')).toMatchObject({ pending: 0, inFlight: 0 });
		expect(existsSync(join(userDir, 'mailtarget-ack', 'committed.ledger')) ? readFileSync(join(userDir, 'mailtarget-ack', 'committed.ledger'), 'utf8').trim().split('\n') : []).toHaveLength(1);
	});

	it('waits for a message that ends on purpose (a function that passes nothing on) and answers 200', async () => {
		await helper.load(runtime.modules, flow({ drop: 'bounce' }), credentials);
		expect((await post()).status).toBe(200);
		// 7 events, 2 bounces dropped on purpose.
		expect(readFileSync(journal(), 'utf8').split('\n').filter((line) => line.includes('"op":"add"'))).toHaveLength(5);
	});

	it('answers at once, writing no ledger, when set to answer on receipt', async () => {
		await helper.load(runtime.modules, flow(undefined, { acknowledge: 'received' }), credentials);
		expect((await post()).status).toBe(200);
		expect(existsSync(join(userDir, 'mailtarget-ack', 'committed.ledger'))).toBe(false);
	});
});
