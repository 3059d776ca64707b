/** Bodies the hostile-input tests of both hosts send, built the same way for n8n and Node-RED. */

/** `leaf` inside `depth` nested arrays. */
export const deeplyNested = (depth: number, leaf: string) => '['.repeat(depth) + leaf + ']'.repeat(depth);

/**
 * A batch with `__proto__` and `constructor` keys at every level (envelope, event, `recipientMeta`, `metadata`) and
 * as event types; the keys are written into the JSON text, where `JSON.stringify` of an object would drop them.
 */
export function pollutionBody(event: (extra?: Record<string, unknown>) => Record<string, unknown>): string {
	return JSON.stringify({
		batchId: 'proto',
		events: [
			{ ...event({ eventId: 'proto-1' }), recipientMeta: '{"__proto__":{"polluted":"meta"},"constructor":{"prototype":{"polluted":"meta"}},"crm_contact_id":"C-proto"}', metadata: { constructor: { prototype: { polluted: 'metadata' } } } },
			event({ eventId: 'proto-2', status: '__proto__' }),
			event({ eventId: 'proto-3', status: 'constructor' }),
		],
	})
		.replace('{"batchId"', '{"__proto__":{"polluted":"top"},"constructor":{"prototype":{"polluted":"top"}},"batchId"')
		.replace('{"status":"open","eventId":"proto-1"', '{"__proto__":{"polluted":"event","status":"x"},"status":"open","eventId":"proto-1"');
}
