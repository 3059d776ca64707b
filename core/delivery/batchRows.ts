import { createHash } from 'crypto';

import { bodyPartProblem, crmBatchBody, type CrmBody } from './crmBodies';

/** A queued record as a table keeps it: the record itself as JSON text in `record`. */
export interface TableRow {
	id: string | number;
	recordId?: unknown;
	record?: unknown;
	acceptedAt?: unknown;
	attempts?: unknown;
}

/** What a CRM call's answer must settle, per row it carried. */
export interface CarriedRow {
	rowId: string | number;
	recordId: string;
	acceptedAt: number;
	attempts: number;
}

export interface RowBatch {
	rows: CarriedRow[];
	/** The records, parsed, in row order. */
	records: unknown[];
	/** The body of the CRM call (`crmBatchBody`). */
	body: unknown;
	/** The same for the same rows: the record id for one row, a hash of the ids for more. */
	idempotencyKey: string;
}

export interface UnreadableRow {
	rowId: string | number;
	recordId: string;
	reason: string;
}

function count(value: unknown): number {
	const parsed = typeof value === 'string' ? Number(value) : value;
	return typeof parsed === 'number' && Number.isFinite(parsed) && parsed >= 0 ? parsed : 0;
}

function readRecord(row: TableRow): { ok: true; record: unknown } | { ok: false; reason: string } {
	if (typeof row.record === 'object' && row.record !== null) return { ok: true, record: row.record };
	if (typeof row.record !== 'string' || row.record === '') return { ok: false, reason: 'the row holds no record' };
	try {
		return { ok: true, record: JSON.parse(row.record) as unknown };
	} catch {
		return { ok: false, reason: 'the stored record is not valid JSON' };
	}
}

export function idempotencyKeyOf(recordIds: readonly string[]): string {
	if (recordIds.length === 1) return recordIds[0] as string;
	return `batch:${createHash('sha256').update(recordIds.join('\n')).digest('hex').slice(0, 32)}`;
}

/** Cuts claimed rows, in order, into CRM calls of at most `batchSize` records each. */
export function batchRows(rows: readonly TableRow[], batchSize: number, kind: CrmBody = 'records'): { batches: RowBatch[]; unreadable: UnreadableRow[] } {
	// HubSpot's unsubscribe call takes one email.
	const size = kind === 'hubspotUnsubscribe' ? 1 : Math.max(1, Math.floor(batchSize));
	const batches: RowBatch[] = [];
	const unreadable: UnreadableRow[] = [];
	let current: { rows: CarriedRow[]; records: unknown[] } = { rows: [], records: [] };
	const close = () => {
		if (current.rows.length === 0) return;
		batches.push({ ...current, body: crmBatchBody(kind, current.records), idempotencyKey: idempotencyKeyOf(current.rows.map((row) => row.recordId)) });
		current = { rows: [], records: [] };
	};
	for (const row of rows) {
		const recordId = typeof row.recordId === 'string' ? row.recordId : String(row.recordId ?? '');
		const read = readRecord(row);
		const problem = read.ok ? bodyPartProblem(kind, read.record) : read.reason;
		if (!read.ok || problem !== null) {
			unreadable.push({ rowId: row.id, recordId, reason: problem ?? 'the record cannot be read' });
			continue;
		}
		current.rows.push({ rowId: row.id, recordId, acceptedAt: count(row.acceptedAt), attempts: count(row.attempts) });
		current.records.push(read.record);
		if (current.rows.length >= size) close();
	}
	close();
	return { batches, unreadable };
}
