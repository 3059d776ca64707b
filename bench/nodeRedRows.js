'use strict';
/**
 * The Node-RED rows: one packed-package Node-RED serving the hand-built flow (http in, raw body ->
 * function verifying the HMAC, parsing and splitting -> http response), the Mailtarget trigger
 * wired to nothing, and the shipped custom-CRM example sending to a CRM simulator.
 */
const fs = require('fs');
const path = require('path');

const dist = path.join(__dirname, '..', 'dist');
const repoRoot = path.join(__dirname, '..');
const { installPacked } = require(path.join(dist, 'tools', 'node-red', 'packedPackage.js'));
const { onATab, startNodeRed } = require(path.join(dist, 'tools', 'node-red', 'nodeRedProcess.js'));

const HAND_BUILT_FUNCTION = `const received = Buffer.from(String(msg.req.headers['x-mailtarget-signature'] || ''), 'hex');
const expected = crypto.createHmac('sha256', env.get('MAILTARGET_WEBHOOK_SECRET')).update(msg.payload).digest();
if (received.length !== expected.length || !crypto.timingSafeEqual(received, expected)) {
    msg.statusCode = 401;
    return [msg, null];
}
let body;
try { body = JSON.parse(msg.payload.toString('utf8')); } catch (e) { msg.statusCode = 400; return [msg, null]; }
const events = Array.isArray(body.events) ? body.events : [body];
msg.statusCode = 200;
msg.payload = '';
return [msg, events.map((event) => ({ payload: event, batchId: body.batchId }))];`;

function benchFlow() {
	const example = JSON.parse(fs.readFileSync(path.join(repoRoot, 'examples', 'CRM - custom endpoint.json'), 'utf8'));
	const config = example.find((node) => node.type === 'mailtarget-config');
	const tab = 'bench-tab';
	return [
		...onATab(example, tab, 'webhook bench'),
		{ id: 'bench-bare', type: 'mailtarget-trigger', z: tab, path: '/bare', config: config.id, authentication: 'signature', signatureHeader: 'X-Mailtarget-Signature', events: '', maxBodyMiB: 10, diagnostics: false, queueNames: '', wires: [] },
		{ id: 'hb-in', type: 'http in', z: tab, url: '/hand-built', method: 'post', upload: false, skipBodyParsing: true, swaggerDoc: '', wires: [['hb-fn']] },
		{ id: 'hb-fn', type: 'function', z: tab, name: 'verify, parse, split', func: HAND_BUILT_FUNCTION, outputs: 2, libs: [{ var: 'crypto', module: 'crypto' }], wires: [['hb-out'], []] },
		{ id: 'hb-out', type: 'http response', z: tab, statusCode: '', headers: {}, wires: [] },
	];
}

async function startNodeRedRows(secret, crmBaseUrl) {
	const userDir = installPacked('mailtarget-bench-all-');
	const nodeRed = await startNodeRed(userDir, { env: { MAILTARGET_WEBHOOK_SECRET: secret, CRM_BASE_URL: crmBaseUrl }, settings: { functionExternalModules: true } });
	await nodeRed.deploy(benchFlow());
	return {
		pid: nodeRed.pid,
		urls: { 'Node-RED hand-built flow': `${nodeRed.url}/hand-built`, 'Node-RED: our trigger alone': `${nodeRed.url}/bare`, 'Node-RED: shipped custom-CRM example': `${nodeRed.url}/mailtarget` },
		handBuilt: 'Node-RED hand-built flow',
		async stop() {
			await nodeRed.stop();
			fs.rmSync(userDir, { recursive: true, force: true });
		},
	};
}

module.exports = { startNodeRedRows };
