'use strict';
/**
 * What any Mailtarget receiver must do, and nothing else: check the HMAC of the exact body in
 * constant time, JSON.parse it, make one object per event. Shared by the bare node:http server
 * and the bench-only Node-RED floor node, so both rows do the same work.
 */
const { createHmac, timingSafeEqual } = require('crypto');

const sink = [];

/** Whether `signature` (hex) is the body's HMAC under `secret`; if so, the events are split off. */
function verifyAndSplit(body, signature, secret) {
	const given = Buffer.from(String(signature || ''), 'hex');
	const expected = createHmac('sha256', secret).update(body).digest();
	if (given.length !== expected.length || !timingSafeEqual(given, expected)) return false;
	const batch = JSON.parse(body.toString('utf8'));
	for (const event of batch.events) sink.push({ ...event, batchId: batch.batchId });
	sink.length = 0;
	return true;
}

module.exports = { verifyAndSplit };
