import { readFileSync } from 'fs';
import { join } from 'path';

import { MAILTARGET_EVENT_TYPES } from '../../core/webhook/eventTypes';

const triggerDir = join(__dirname, '..', '..', 'node-red', 'mailtarget-trigger');

/** The editor cannot import core, so its dialog carries its own copy of the event types. */
function editorEventTypes(): string[] {
	const html = readFileSync(join(triggerDir, 'mailtarget-trigger.html'), 'utf8');
	const match = /var EVENT_TYPES = (\[[^\]]*\]);/.exec(html);
	if (!match) throw new Error('mailtarget-trigger.html no longer declares `var EVENT_TYPES = [...]`; update this test with it');
	return JSON.parse(match[1].replace(/'/g, '"')) as string[];
}

describe('the Node-RED trigger editor lists the event types core knows', () => {
	it('offers exactly core/webhook/eventTypes.ts, in the same order', () => {
		expect(editorEventTypes()).toEqual([...MAILTARGET_EVENT_TYPES]);
	});

	it('has a label for each of them in the locale', () => {
		const locale = JSON.parse(readFileSync(join(triggerDir, 'locales', 'en-US', 'mailtarget-trigger.json'), 'utf8')) as Record<string, { events?: Record<string, string> }>;
		const labels = locale['mailtarget-trigger'].events ?? {};
		expect(Object.keys(labels).sort()).toEqual([...MAILTARGET_EVENT_TYPES].sort());
		for (const type of MAILTARGET_EVENT_TYPES) expect(labels[type]?.trim()).toBeTruthy();
	});
});
