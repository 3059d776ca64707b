import { readFileSync } from 'fs';
import { join } from 'path';

const dir = join(__dirname, '..', 'fixtures');

/** The exact bytes of a fixture file, as a sender would POST them. */
export function fixtureBytes(name: string): Buffer {
	return readFileSync(join(dir, name));
}

export function fixtureJson<T = unknown>(name: string): T {
	return JSON.parse(fixtureBytes(name).toString('utf8')) as T;
}

export type RawEvent = Record<string, unknown>;

export const officialBatch = () => fixtureJson<{ batchId: string; retryCount: number; events: RawEvent[] }>('official-batch.json');
export const guideEvents = () => fixtureJson<RawEvent[]>('guide-events.json');
