import { guideEvents, officialBatch, type RawEvent } from './fixtures';

/** The same event in the official shape: `status`, epoch-ms `timestamp`, `recipientMeta` as a JSON string. */
export function toOfficialShape(event: RawEvent, eventId: string): RawEvent {
	const { event: type, timestamp, metadata, ...rest } = event;
	const ms = typeof timestamp === 'number' ? (timestamp < 1e12 ? timestamp * 1000 : timestamp) : Date.parse(String(timestamp));
	return { ...rest, status: type, eventId, timestamp: ms, recipientMeta: metadata === undefined ? '' : JSON.stringify(metadata) };
}

/** The same event in the integration guide's shape: `event`, ISO `timestamp`, `metadata` as an object. */
export function toGuideShape(event: RawEvent): RawEvent {
	const { status, timestamp, recipientMeta, eventId: _eventId, ...rest } = event;
	let metadata: unknown = {};
	try {
		metadata = JSON.parse(String(recipientMeta));
	} catch {
		metadata = {};
	}
	return { ...rest, event: status, timestamp: new Date(Number(timestamp)).toISOString(), metadata };
}

export type Shape = 'official' | 'guide';

/**
 * Every event type of both fixture files in both payload shapes: the fixture as written,
 * plus its conversion to the other shape. `bounce` is the hard bounce of each file.
 */
export function everyTypeInBothShapes(): Array<{ type: string; shape: Shape; origin: string; event: RawEvent }> {
	const official = officialBatch().events;
	const guide = guideEvents();
	const rows: Array<{ type: string; shape: Shape; origin: string; event: RawEvent }> = [];
	const seen = new Set<string>();
	for (const event of official) {
		const type = String(event.status);
		if (seen.has(`official:${type}`)) continue;
		seen.add(`official:${type}`);
		rows.push({ type, shape: 'official', origin: 'official-batch.json', event });
		rows.push({ type, shape: 'guide', origin: 'official-batch.json', event: toGuideShape(event) });
	}
	guide.forEach((event, index) => {
		const type = String(event.event);
		rows.push({ type, shape: 'guide', origin: 'guide-events.json', event });
		rows.push({ type, shape: 'official', origin: 'guide-events.json', event: toOfficialShape(event, `guide-${index}`) });
	});
	return rows;
}

/** Every ordering of `items` (Heap's algorithm); n! of them, so keep n small. */
export function* permutations<T>(items: readonly T[]): Generator<T[]> {
	const a = [...items];
	const c = new Array<number>(a.length).fill(0);
	yield [...a];
	let i = 0;
	while (i < a.length) {
		if (c[i] < i) {
			const j = i % 2 === 0 ? 0 : c[i];
			[a[j], a[i]] = [a[i], a[j]];
			yield [...a];
			c[i] += 1;
			i = 0;
		} else {
			c[i] = 0;
			i += 1;
		}
	}
}
