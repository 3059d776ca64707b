'use strict';
/**
 * Bench only: the least work a Node-RED node can do to receive a webhook, on the same transport as
 * mailtarget-trigger (the packed package's raw-body route at the top of Node-RED's HTTP server).
 *   work "none"  read the body, answer 200
 *   work "bare"  what the bare node:http server does: HMAC in constant time, JSON.parse, one object per event
 * The rows it gives say how much of the trigger's time is Node-RED's and the transport's, and how
 * much is its own work.
 */
const path = require('path');

module.exports = function (RED) {
	const { serveRawBody } = require(path.join(RED.settings.userDir, 'node_modules', '@crm-bridge', 'n8n-nodes-mailtarget', 'dist', 'node-red', 'lib', 'rawBodyRoute.js'));
	// This file is copied into the bench's user dir; BENCH_BARE_WORK names the shared module in the repository.
	const { verifyAndSplit } = require(process.env.BENCH_BARE_WORK);
	const secret = process.env.MAILTARGET_WEBHOOK_SECRET;

	function BenchFloor(def) {
		RED.nodes.createNode(this, def);
		const bareWork = def.work === 'bare';
		const route = serveRawBody(RED, def.path, 10 * 1024 * 1024, (req, reply) => {
			if (bareWork && !verifyAndSplit(req.mailtargetRawBody, req.headers['x-mailtarget-signature'], secret)) return reply(401, 'Unauthorized');
			reply(200, 'OK');
		});
		this.on('close', (done) => {
			route.close();
			done();
		});
	}
	RED.nodes.registerType('bench-floor', BenchFloor);
};
