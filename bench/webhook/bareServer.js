'use strict';
/**
 * The floor: a bare node:http server doing what any Mailtarget receiver must (read the body,
 * check the HMAC in constant time, JSON.parse, one object per event) and nothing else.
 * Prints its port; run as a child process of the bench.
 */
const { createServer } = require('http');

const { verifyAndSplit } = require('./bareWork');

const secret = process.env.BENCH_SECRET;
const server = createServer((req, res) => {
	const chunks = [];
	req.on('data', (chunk) => chunks.push(chunk));
	req.on('end', () => {
		if (!verifyAndSplit(Buffer.concat(chunks), req.headers['x-mailtarget-signature'], secret)) {
			res.writeHead(401).end('Unauthorized');
			return;
		}
		res.writeHead(200, { 'Content-Type': 'text/plain' }).end('OK');
	});
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => console.log(`PORT ${server.address().port}`));
// Gone with the bench: its end of stdin closes when it exits, however it exits.
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
