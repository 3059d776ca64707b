import { classifyResponse, type CrmAnswer } from './classifyResponse';
import { DEFAULT_DELIVERY_POLICY, planDelivery, type DeliveryPolicy } from './planDelivery';

/**
 * One stored record a CRM call carried, as a table-backed queue (n8n's Data Tables) keeps it:
 * `attempts` counts the calls that carried it before this one.
 */
export interface StoredRow {
	rowId: string | number;
	acceptedAt: number;
	attempts: number;
}

export type RowStatus = 'delivered' | 'due' | 'dead';

/** What to write back to a row after the call's answer. */
export interface RowSettlement {
	rowId: string | number;
	status: RowStatus;
	/** When the row may be sent again (`due`), else when it was settled. */
	dueAt: number;
	/** Calls that carried the row, this one included. */
	attempts: number;
	/** The answer in words, e.g. 'rate limited (429)', and why a dead letter was given up. */
	reason: string;
}

export interface RowsSettled {
	rows: RowSettlement[];
	/** The CRM asked everyone to slow down: send nothing before this time. */
	pauseUntil?: number;
	/** The answer in one line (status and the start of the body), for a dead-letter table. */
	answer: string;
}

const ANSWER_CHARS = 2000;

function bodyText(body: unknown): string {
	if (body === undefined || body === null || body === '') return '';
	if (typeof body === 'string') return body;
	if (body instanceof Uint8Array) return Buffer.from(body).toString('utf8');
	try {
		return JSON.stringify(body) ?? '';
	} catch {
		return String(body);
	}
}

/** The CRM's answer as one line a person can read in a table cell: status, then body or error. */
export function describeAnswer(answer: CrmAnswer): string {
	const status = answer.statusCode === undefined || answer.statusCode === '' ? 'no answer' : String(answer.statusCode);
	const error = answer.error;
	const errorMessage = typeof error === 'string' ? error : typeof error === 'object' && error !== null ? (error as { message?: unknown }).message : undefined;
	const detail = [typeof errorMessage === 'string' ? errorMessage : '', bodyText(answer.body)].filter((part) => part !== '').join(' ');
	return `${status}${detail === '' ? '' : ` ${detail}`}`.slice(0, ANSWER_CHARS);
}

/**
 * Settles every row one CRM call carried, with the same rules as the Node-RED queue
 * (`classifyResponse` then `planDelivery`): delivered; due again at the later of `Retry-After`
 * and the backoff; or dead when the CRM refused it or the retry would fall past the horizon.
 */
export function settleRows(answer: CrmAnswer, rows: readonly StoredRow[], now: number, random: () => number, policy: DeliveryPolicy = DEFAULT_DELIVERY_POLICY): RowsSettled {
	const verdict = classifyResponse(answer);
	const carried = rows.map((row) => ({ acceptedAt: row.acceptedAt, attempts: row.attempts + 1 }));
	const plan = planDelivery(verdict, carried, now, random, policy);
	const status = (index: number): RowStatus => (plan.delivered.includes(index) ? 'delivered' : plan.retry.includes(index) ? 'due' : 'dead');
	return {
		rows: rows.map((row, index) => {
			const rowStatus = status(index);
			return {
				rowId: row.rowId,
				status: rowStatus,
				dueAt: rowStatus === 'due' ? (plan.retryAt as number) : now,
				attempts: (carried[index] as { attempts: number }).attempts,
				reason: rowStatus === 'dead' ? (plan.deadReason ?? plan.reason) : plan.reason,
			};
		}),
		pauseUntil: plan.pauseUntil,
		answer: describeAnswer(answer),
	};
}
