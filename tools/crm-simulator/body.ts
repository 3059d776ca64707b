import type { IncomingMessage } from 'node:http';

export type ParsedBody = { ok: true; value: unknown } | { ok: false; error: string };

export function readBody(req: IncomingMessage): Promise<string> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
		req.on('error', reject);
	});
}

export function parseJson(text: string): ParsedBody {
	if (text.trim() === '') return { ok: false, error: 'Request body is empty' };
	try {
		return { ok: true, value: JSON.parse(text) as unknown };
	} catch (err) {
		return { ok: false, error: err instanceof Error ? err.message : 'Invalid JSON' };
	}
}

export function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isNonEmptyString(value: unknown): value is string {
	return typeof value === 'string' && value !== '';
}

/** Strings and numbers as a string key; anything else null. */
export function keyOf(value: unknown): string | null {
	if (typeof value === 'string' && value !== '') return value;
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	return null;
}

/** The array held in `body[field]` with 1..max items, or a message saying what is wrong. */
export function batchOf(body: unknown, field: string, max: number): unknown[] | string {
	const items = isRecord(body) ? body[field] : undefined;
	if (!Array.isArray(items)) return `'${field}' must be an array`;
	if (items.length === 0) return `'${field}' must not be empty`;
	if (items.length > max) return `Too many ${field}: ${items.length} (max ${max})`;
	return items;
}

export function isoTime(ms: number): string {
	return new Date(ms).toISOString();
}
