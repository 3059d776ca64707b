'use strict';
/**
 * The floor: a bare node:http server doing what any Mailtarget receiver must (read the body,
 * check the HMAC in constant time, JSON.parse, one object per event) and nothing else.
 * Prints its port; run as a child process of the bench.
 */
const { createHmac, timingSafeEqual } = require('crypto');
const { createServer } = require('http');

const secret = process.env.BENCH_SECRET;
const sink = [];
const server = createServer((req, res) => {
	const chunks = [];
	req.on('data', (chunk) => chunks.push(chunk));
	req.on('end', () => {
		const body = Buffer.concat(chunks);
		const given = Buffer.from(String(req.headers['x-mailtarget-signature'] || ''), 'hex');
		const expected = createHmac('sha256', secret).update(body).digest();
		if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
			res.writeHead(401).end('Unauthorized');
			return;
		}
		const batch = JSON.parse(body.toString('utf8'));
		for (const event of batch.events) sink.push({ ...event, batchId: batch.batchId });
		sink.length = 0;
		res.writeHead(200, { 'Content-Type': 'text/plain' }).end('OK');
	});
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => console.log(`PORT ${server.address().port}`));
// Gone with the bench: its end of stdin closes when it exits, however it exits.
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
