/**
 * What came back from one CRM call. Node-RED's `http request` node sets `statusCode` to the HTTP
 * status, or to the network error code (e.g. 'ECONNRESET') when no answer came; a Catch node
 * adds `error` instead.
 */
export interface CrmAnswer {
	statusCode?: number | string;
	headers?: Record<string, unknown>;
	body?: unknown;
	error?: unknown;
}

export type DeliveryVerdict =
	| { outcome: 'delivered'; reason: string }
	/** `rateLimited`: the CRM asked everyone to slow down, not just this request. */
	| { outcome: 'retry'; reason: string; rateLimited: boolean; retryAfter?: string }
	| { outcome: 'dead'; reason: string };

const SALESFORCE_LIMIT_CODE = 'REQUEST_LIMIT_EXCEEDED';

function httpStatus(statusCode: CrmAnswer['statusCode']): number | undefined {
	const status = typeof statusCode === 'string' && /^\d{3}$/.test(statusCode.trim()) ? Number(statusCode) : statusCode;
	return typeof status === 'number' && Number.isInteger(status) && status >= 100 && status <= 599 ? status : undefined;
}

function headerValue(headers: CrmAnswer['headers'], name: string): string | undefined {
	for (const [key, value] of Object.entries(headers ?? {})) {
		if (key.toLowerCase() !== name) continue;
		const first: unknown = Array.isArray(value) ? value[0] : value;
		return typeof first === 'string' || typeof first === 'number' ? String(first) : undefined;
	}
	return undefined;
}

function parsedBody(body: unknown): unknown {
	const text = typeof body === 'string' ? body : body instanceof Uint8Array ? Buffer.from(body).toString('utf8') : undefined;
	if (text === undefined) return body;
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return text;
	}
}

/** Salesforce answers an exhausted API allocation with 403 and this error code, not with 429. */
function isSalesforceLimit(body: unknown): boolean {
	const parsed = parsedBody(body);
	const items = Array.isArray(parsed) ? parsed : [parsed];
	return items.some((item) => typeof item === 'object' && item !== null && (item as { errorCode?: unknown }).errorCode === SALESFORCE_LIMIT_CODE);
}

/**
 * Records a 2xx batch answer says it refused: Salesforce's sObject Collections answer 200 with
 * `success: false` items, HubSpot's batch endpoints 207 with `errors`/`numErrors`.
 */
function refusedInBatch(status: number, parsed: unknown): number {
	if (Array.isArray(parsed)) {
		return parsed.filter((item) => typeof item === 'object' && item !== null && (item as { success?: unknown }).success === false).length;
	}
	if (typeof parsed === 'object' && parsed !== null) {
		const { numErrors, errors } = parsed as { numErrors?: unknown; errors?: unknown };
		if (typeof numErrors === 'number' && numErrors > 0) return numErrors;
		if (Array.isArray(errors) && errors.length > 0) return errors.length;
	}
	return status === 207 ? 1 : 0;
}

/**
 * Why a 2xx answer is not an acceptance, or null when it is one. Some APIs and gateways answer
 * 200 with an error object (`{"success": false}`, `{"status": "error"}`, `{"error": ...}`) or with
 * an HTML page (a login or maintenance page in front of the API); counting those as delivered
 * would drop the records without a trace, so they go to the dead letter with the answer.
 */
function errorInSuccess(parsed: unknown): string | null {
	if (typeof parsed === 'string') return /^\s*<(!doctype\s+html|html)[\s>]/i.test(parsed) ? 'an HTML page' : null;
	if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
	const { success, status, error } = parsed as { success?: unknown; status?: unknown; error?: unknown };
	if (success === false) return '"success": false';
	if (typeof status === 'string' && /^(error|fail|failed|failure)$/i.test(status)) return `"status": "${status}"`;
	if ((typeof error === 'string' && error.trim() !== '') || (typeof error === 'object' && error !== null)) return 'an "error"';
	return null;
}

function errorText(answer: CrmAnswer): string {
	const error = answer.error;
	const code = typeof answer.statusCode === 'string' && answer.statusCode.trim() !== '' ? answer.statusCode.trim() : undefined;
	const message = typeof error === 'string' ? error : typeof error === 'object' && error !== null ? (error as { message?: unknown }).message : undefined;
	const parts = [code, typeof message === 'string' && message !== '' ? message : undefined].filter(Boolean);
	return parts.length > 0 ? parts.join(': ') : 'no answer';
}

/**
 * Sorts a CRM's answer: 2xx delivered, unless the answer lists records it refused (dead letter); 429, 503 and Salesforce's 403 REQUEST_LIMIT_EXCEEDED are
 * rate limits (retry, and slow the whole queue down); 408, other 5xx and network errors or
 * timeouts (no status) are retried; every other status is permanent (dead letter).
 */
export function classifyResponse(answer: CrmAnswer): DeliveryVerdict {
	const status = httpStatus(answer.statusCode);
	if (status === undefined) return { outcome: 'retry', reason: `network error (${errorText(answer)})`, rateLimited: false };
	const retryAfter = headerValue(answer.headers, 'retry-after');
	if (status >= 200 && status < 300) {
		const parsed = parsedBody(answer.body);
		const refused = refusedInBatch(status, parsed);
		// Records the CRM did take are written by idempotent upserts, so sending the dead letter again is safe.
		if (refused > 0) return { outcome: 'dead', reason: `the CRM refused ${refused} record(s) of the call (${status})` };
		const notAccepted = errorInSuccess(parsed);
		if (notAccepted) return { outcome: 'dead', reason: `the CRM answered ${status} with ${notAccepted}, not an acceptance` };
		return { outcome: 'delivered', reason: `accepted (${status})` };
	}
	if (status === 429) return { outcome: 'retry', reason: 'rate limited (429)', rateLimited: true, retryAfter };
	if (status === 503) return { outcome: 'retry', reason: 'CRM unavailable (503)', rateLimited: true, retryAfter };
	if (status === 403 && isSalesforceLimit(answer.body)) {
		return { outcome: 'retry', reason: `API limit reached (403 ${SALESFORCE_LIMIT_CODE})`, rateLimited: true, retryAfter };
	}
	if (status === 408) return { outcome: 'retry', reason: 'CRM timed out (408)', rateLimited: false, retryAfter };
	if (status >= 500) return { outcome: 'retry', reason: `CRM server error (${status})`, rateLimited: false, retryAfter };
	if (status >= 400) return { outcome: 'dead', reason: `rejected by the CRM (${status})` };
	return { outcome: 'dead', reason: `unexpected answer (${status})` };
}
