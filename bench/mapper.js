'use strict';
/**
 * Throughput of the Event Mapper's core (mapEvents) on this machine, in events per second,
 * next to two baselines measured in the same run: copying the events through JSON, and
 * normalising them (what the trigger already does for every event).
 *
 *   npm run bench:mapper
 *   MAILTARGET_DIST=.tmp/dist-x node bench/mapper.js   (a build somewhere else)
 */
const fs = require('fs');
const os = require('os');
const path = require('path');

const dist = path.resolve(process.env.MAILTARGET_DIST || path.join(__dirname, '..', 'dist'));
const { mapEvents, normalizeEvent } = require(path.join(dist, 'core'));

const fixtures = path.join(__dirname, '..', 'test', 'fixtures');
const official = JSON.parse(fs.readFileSync(path.join(fixtures, 'official-batch.json'), 'utf8'));
const guide = JSON.parse(fs.readFileSync(path.join(fixtures, 'guide-events.json'), 'utf8'));

const BATCH_SIZE = 1000;
const ROUNDS = 7;
const ROUND_MS = 250;

/** A campaign-sized batch: the fixture events of both shapes, repeated with distinct event ids and times. */
function campaignBatch() {
	const templates = [...official.events, ...guide];
	const events = [];
	for (let i = 0; i < BATCH_SIZE; i++) {
		const event = { ...templates[i % templates.length] };
		if (event.eventId !== undefined) event.eventId = `${event.eventId}-${i}`;
		if (typeof event.timestamp === 'number') event.timestamp += i;
		events.push(event);
	}
	return { batchId: official.batchId, retryCount: 0, events };
}

/** Events per second of `work(batch)`, the median of several timed rounds after a warm-up. */
function measure(work, batch) {
	for (let i = 0; i < 20; i++) work(batch);
	const rates = [];
	for (let round = 0; round < ROUNDS; round++) {
		let events = 0;
		const start = process.hrtime.bigint();
		let elapsed = 0n;
		while (elapsed < BigInt(ROUND_MS) * 1000000n) {
			work(batch);
			events += batch.events.length;
			elapsed = process.hrtime.bigint() - start;
		}
		rates.push(events / (Number(elapsed) / 1e9));
	}
	rates.sort((a, b) => a - b);
	return rates[Math.floor(rates.length / 2)];
}

function main() {
	const batch = campaignBatch();
	const mapped = mapEvents(batch);
	const invalid = mapped.filter((result) => !result.ok);
	if (mapped.length !== BATCH_SIZE || invalid.length > 0) throw new Error(`bench batch did not map cleanly: ${invalid.length} invalid`);

	const cases = [
		['baseline: JSON copy of each event', (b) => b.events.map((event) => JSON.parse(JSON.stringify(event)))],
		['baseline: normalizeEvent', (b) => b.events.map((event) => normalizeEvent(event, b))],
		['mapEvents, Neutral', (b) => mapEvents(b)],
		['mapEvents, HubSpot', (b) => mapEvents(b, { target: 'hubspot' })],
		['mapEvents, Salesforce', (b) => mapEvents(b, { target: 'salesforce' })],
		['mapEvents, Zendesk', (b) => mapEvents(b, { target: 'zendesk' })],
	];
	const results = cases.map(([name, work]) => ({ name, rate: measure(work, batch) }));
	const baseline = results[0].rate;

	console.log(`Mailtarget Event Mapper throughput (Node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}; ${BATCH_SIZE}-event batches, median of ${ROUNDS} rounds)`);
	console.log('');
	const rows = results.map(({ name, rate }) => [name, Math.round(rate).toLocaleString('en-US'), (1e6 / rate).toFixed(2), `${(baseline / rate).toFixed(1)}x`]);
	const header = ['case', 'events/s', 'µs/event', 'time vs JSON copy'];
	const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
	const line = (cells) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ');
	console.log(line(header));
	console.log(widths.map((width) => '-'.repeat(width)).join('  '));
	for (const row of rows) console.log(line(row));
}

main();
