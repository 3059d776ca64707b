import type { CrmAnswer } from './classifyResponse';

type Loose = Record<string, unknown>;

const isObject = (value: unknown): value is Loose => typeof value === 'object' && value !== null && !Array.isArray(value);

function firstDefined(...values: unknown[]): unknown {
	return values.find((value) => value !== undefined && value !== null && value !== '');
}

/**
 * The CRM's answer from what an HTTP client step hands on: a full response
 * (`{statusCode, headers, body}`, e.g. n8n's HTTP Request with "Full Response" and "Never Error"),
 * or an error item (`{error}` from "Continue On Fail": a network error with a `code` such as
 * ECONNRESET or ECONNABORTED, or an HTTP error carrying its status and response).
 */
export function answerFromHttpItem(item: unknown): CrmAnswer {
	if (!isObject(item)) return { error: 'the CRM call produced no answer item' };
	if (item.statusCode !== undefined && item.error === undefined) {
		return { statusCode: item.statusCode as number | string, headers: isObject(item.headers) ? item.headers : undefined, body: item.body };
	}
	const error = item.error;
	if (typeof error === 'string') return { error };
	if (!isObject(error)) return { error: 'the CRM call failed without saying why' };
	const response = isObject(error.response) ? error.response : undefined;
	const cause = isObject(error.cause) ? error.cause : undefined;
	const status = firstDefined(response?.status, response?.statusCode, error.status, error.statusCode, error.httpCode);
	const code = firstDefined(error.code, cause?.code);
	return {
		statusCode: (status ?? code) as number | string | undefined,
		headers: isObject(response?.headers) ? response.headers : undefined,
		body: firstDefined(response?.data, response?.body, error.description),
		error: typeof error.message === 'string' ? error.message : undefined,
	};
}
