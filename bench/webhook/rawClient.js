'use strict';
/**
 * A minimal keep-alive HTTP/1.1 load generator on raw sockets, so that the client costs far less
 * than the servers it measures (fetch/undici tops out near the rates being compared here).
 */
const net = require('net');

/** One request's bytes: the head and the body, ready to write. */
function requestBytes(path, body, headers) {
	const head = [`POST ${path} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: keep-alive', `Content-Length: ${body.length}`, ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`)].join('\r\n');
	return Buffer.concat([Buffer.from(`${head}\r\n\r\n`), body]);
}

/** Reads one response off a buffer: undefined while incomplete, else its status and the bytes it used. */
function parseResponse(buffer) {
	const end = buffer.indexOf('\r\n\r\n');
	if (end < 0) return undefined;
	const head = buffer.subarray(0, end).toString('latin1');
	const status = Number(head.slice(9, 12));
	const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
	if (length) {
		const total = end + 4 + Number(length[1]);
		return buffer.length >= total ? { status, used: total } : undefined;
	}
	if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
		const last = buffer.indexOf('\r\n0\r\n\r\n', end);
		if (last >= 0) return { status, used: last + 7 };
		return buffer.indexOf('0\r\n\r\n', end + 4) === end + 4 ? { status, used: end + 9 } : undefined;
	}
	return { status, used: end + 4 };
}

/**
 * Sends every request once over `connections` keep-alive sockets (one request in flight on each);
 * latency from the first byte written to the last byte of the answer.
 */
function load({ port, requests, connections, timeLimitMs = 120000 }) {
	return new Promise((resolve) => {
		const latencies = [];
		const failures = new Map();
		let next = 0;
		let open = 0;
		const started = performance.now();
		const deadline = started + timeLimitMs;
		const fail = (what) => failures.set(what, (failures.get(what) || 0) + 1);
		const finish = () => {
			if (--open > 0) return;
			resolve({ latencies, failures, seconds: (performance.now() - started) / 1000, unsent: requests.length - next });
		};
		for (let c = 0; c < connections; c++) {
			open += 1;
			const socket = net.connect(port, '127.0.0.1');
			socket.setNoDelay(true);
			let buffer = Buffer.alloc(0);
			let sentAt = 0;
			let busy = false;
			const send = () => {
				if (next >= requests.length || performance.now() > deadline) return socket.end();
				busy = true;
				sentAt = performance.now();
				socket.write(requests[next++]);
			};
			socket.on('connect', send);
			socket.on('data', (chunk) => {
				buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
				const response = parseResponse(buffer);
				if (!response) return;
				buffer = buffer.subarray(response.used);
				latencies.push(performance.now() - sentAt);
				if (response.status !== 200) fail(response.status);
				busy = false;
				send();
			});
			socket.on('error', () => fail('network error'));
			socket.on('close', () => {
				if (busy) fail('connection closed');
				finish();
			});
		}
	});
}

module.exports = { load, requestBytes };
