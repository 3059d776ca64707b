'use strict';
/**
 * Load generators shared by the benchmarks: signed Mailtarget batches, a closed loop (N
 * connections, each sending its next request when the last answer arrived) and an open loop
 * (requests sent at a fixed rate whatever the answers, as Mailtarget's senders do).
 */
const fs = require('fs');
const http = require('http');
const path = require('path');

const repoRoot = path.join(__dirname, '..', '..');
const { signBody } = require(path.join(repoRoot, 'dist', 'core', 'verify', 'hmac.js'));
const REQUEST_TIMEOUT_MS = 10000;

const template = JSON.parse(fs.readFileSync(path.join(repoRoot, 'test', 'fixtures', 'official-batch.json'), 'utf8'));
let sequence = 0;

/** A signed batch of `size` events, every event id new (so dedupe passes them), stamped `now`. */
function signedBatch(secret, size, tag = 'bench') {
	const batchNo = sequence++;
	const events = Array.from({ length: size }, (_, i) => {
		const base = template.events[i % template.events.length];
		return { ...base, status: ['delivery', 'open', 'click', 'bounce'][i % 4], eventId: `${tag}-${batchNo}-${i}`, timestamp: Date.now() };
	});
	const bytes = Buffer.from(JSON.stringify({ batchId: `${tag}-${batchNo}`, retryCount: 0, events }));
	return { bytes, signature: signBody(secret, bytes), events };
}

/** One POST; resolves with status and milliseconds from send to the whole answer read (status 0: no answer). */
function post(url, body, headers, agent) {
	const started = performance.now();
	return new Promise((resolve) => {
		const request = http.request(url, { method: 'POST', agent, headers: { 'Content-Type': 'application/json', 'Content-Length': body.length, ...headers }, timeout: REQUEST_TIMEOUT_MS }, (response) => {
			response.resume();
			response.on('end', () => resolve({ status: response.statusCode, ms: performance.now() - started }));
			response.on('error', () => resolve({ status: 0, ms: performance.now() - started }));
		});
		request.on('timeout', () => request.destroy(new Error('timeout')));
		request.on('error', () => resolve({ status: 0, ms: performance.now() - started }));
		request.end(body);
	});
}

function percentile(sorted, p) {
	if (sorted.length === 0) return NaN;
	return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function summary(results, seconds) {
	const ms = results.map((r) => r.ms).sort((a, b) => a - b);
	const ok = results.filter((r) => r.status === 200).length;
	return { requests: results.length, ok, failed: results.length - ok, p50: percentile(ms, 50), p95: percentile(ms, 95), p99: percentile(ms, 99), perSecond: ok / seconds };
}

/** `connections` keep-alive clients sending back to back for `seconds`; `make()` returns {bytes, headers}. */
async function closedLoop(url, make, { connections = 10, seconds = 8 } = {}) {
	const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
	const results = [];
	const started = performance.now();
	const endAt = started + seconds * 1000;
	await Promise.all(
		Array.from({ length: connections }, async () => {
			while (performance.now() < endAt) {
				const { bytes, headers } = make();
				results.push(await post(url, bytes, headers, agent));
			}
		}),
	);
	agent.destroy();
	return summary(results, (performance.now() - started) / 1000);
}

/** `rate` requests per second for `seconds`, sent on schedule whatever the answers; waits for every answer. */
async function openLoop(url, make, { rate, seconds = 6, onAnswer } = {}) {
	const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
	const total = Math.max(1, Math.round(rate * seconds));
	const started = performance.now();
	const pending = [];
	for (let i = 0; i < total; i++) {
		const due = started + (i * 1000) / rate;
		const wait = due - performance.now();
		if (wait > 1) await new Promise((done) => setTimeout(done, wait));
		const request = make();
		pending.push(post(url, request.bytes, request.headers, agent).then((answer) => (onAnswer?.(request, answer), answer)));
	}
	const results = await Promise.all(pending);
	agent.destroy();
	return { rate, ...summary(results, seconds) };
}

/** `count` requests at once (a campaign burst); latency of each. */
async function burst(url, make, { count = 200, onAnswer } = {}) {
	const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
	const started = performance.now();
	const results = await Promise.all(Array.from({ length: count }, () => {
		const request = make();
		return post(url, request.bytes, request.headers, agent).then((answer) => (onAnswer?.(request, answer), answer));
	}));
	agent.destroy();
	return summary(results, (performance.now() - started) / 1000);
}

/**
 * Open-loop rates from `rates` upwards until p95 reaches `limitMs` (or a request fails); returns
 * every step and the highest rate held.
 */
async function rateLadder(url, make, { rates, seconds = 6, limitMs = 200, onAnswer }) {
	const steps = [];
	let held = 0;
	for (const rate of rates) {
		const step = await openLoop(url, make, { rate, seconds, onAnswer });
		steps.push(step);
		if (step.failed > 0 || !(step.p95 < limitMs)) break;
		held = rate;
	}
	return { steps, held };
}

module.exports = { signedBatch, post, closedLoop, openLoop, burst, rateLadder, percentile };
