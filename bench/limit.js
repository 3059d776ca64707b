'use strict';
/** The limit row: a bare node:http server that reads the body, verifies the HMAC and answers 200. */
const http = require('http');
const path = require('path');

const { checkSignature } = require(path.join(__dirname, '..', 'dist', 'core', 'verify', 'hmac.js'));

function startLimitServer(secret) {
	const server = http.createServer((req, res) => {
		const chunks = [];
		req.on('data', (chunk) => chunks.push(chunk));
		req.on('end', () => {
			const check = checkSignature(req.headers['x-mailtarget-signature'], Buffer.concat(chunks), [secret]);
			res.writeHead(check.ok ? 200 : 401).end();
		});
	});
	return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${server.address().port}/`, close: () => new Promise((done) => server.close(done)) })));
}

module.exports = { startLimitServer };
