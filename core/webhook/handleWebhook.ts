import { parsePayload } from '../payload/parse';
import type { MailtargetEvent } from '../payload/types';
import { getHeader, type Headers } from '../verify/headers';
import { DEFAULT_SIGNATURE_HEADER } from '../verify/hmac';
import { verifyRequest, type VerificationConfig } from '../verify/verifyRequest';

export const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;

export interface WebhookRequest {
	method: string;
	headers: Headers;
	/** The exact bytes received. */
	rawBody: Uint8Array | string;
}

/** Most events one webhook request may carry unless the options say otherwise. */
export const DEFAULT_MAX_EVENTS = 10_000;

export interface WebhookOptions {
	verification: VerificationConfig;
	/** Event types to emit (lower case); empty or undefined emits all. Others are acknowledged only. */
	eventTypes?: readonly string[];
	maxBodyBytes?: number;
	/**
	 * Most events one request may carry (default {@link DEFAULT_MAX_EVENTS}). A sender's batch is far
	 * smaller; a request with more could not be stored before the sender's timeout, so it is a 413.
	 */
	maxEvents?: number;
	/** Collect what is needed to debug a failing signature; never a secret. */
	diagnostics?: boolean;
	/**
	 * How many more events the delivery queue behind the trigger can hold, when it reports it.
	 * A verified request with more events than that is answered 503, so Mailtarget sends it again later.
	 */
	capacity?: number;
}

export interface WebhookDiagnostics {
	headerNames: string[];
	signatureHeader: string;
	signatureValue: string | null;
	bodyLength: number;
	contentType: string | null;
	outcome: string;
}

export interface WebhookResult {
	status: 200 | 400 | 401 | 405 | 413 | 503;
	/** Short text for the response body; never says which credential failed. */
	body: string;
	/** Events to emit (after the type filter); empty unless status is 200. */
	events: MailtargetEvent[];
	/** Events acknowledged but not emitted because of the type filter. */
	filteredOut: number;
	/** Why the request was refused, for the host's log (not for the response). */
	reason?: string;
	diagnostics?: WebhookDiagnostics;
}

function byteLength(body: Uint8Array | string): number {
	return typeof body === 'string' ? Buffer.byteLength(body, 'utf8') : body.byteLength;
}

function respond(
	status: WebhookResult['status'],
	body: string,
	extra: Partial<WebhookResult> = {},
): WebhookResult {
	return { status, body, events: [], filteredOut: 0, ...extra };
}

/** Everything a Mailtarget webhook endpoint decides, from the raw request to the events to emit. */
export function handleWebhook(request: WebhookRequest, options: WebhookOptions): WebhookResult {
	const result = decide(request, options);
	if (options.diagnostics) result.diagnostics = diagnose(request, options, result);
	return result;
}

function decide(request: WebhookRequest, options: WebhookOptions): WebhookResult {
	if (request.method.toUpperCase() !== 'POST') {
		return respond(405, 'Method Not Allowed: use POST', { reason: `method ${request.method}` });
	}
	const maxBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
	const length = byteLength(request.rawBody);
	if (length > maxBytes) {
		return respond(413, `Payload Too Large: limit is ${maxBytes} bytes`, { reason: `body of ${length} bytes` });
	}
	const verified = verifyRequest(options.verification, request.headers, request.rawBody);
	if (!verified.ok) return respond(401, 'Unauthorized', { reason: verified.reason });

	const parsed = parsePayload(request.rawBody);
	if (!parsed.ok) return respond(400, `Bad Request: ${parsed.error.message}`, { reason: parsed.error.message });

	const maxEvents = options.maxEvents ?? DEFAULT_MAX_EVENTS;
	if (parsed.events.length > maxEvents) {
		return respond(413, `Payload Too Large: more than ${maxEvents} events in one request`, { reason: `${parsed.events.length} events` });
	}
	const wanted = (options.eventTypes ?? []).map((type) => type.toLowerCase());
	const events = wanted.length === 0 ? parsed.events : parsed.events.filter((event) => wanted.includes(event.type));
	if (options.capacity !== undefined && events.length > options.capacity) {
		return respond(503, 'Service Unavailable: the delivery queue is full, send again later', {
			reason: `${events.length} events, room for ${Math.max(0, options.capacity)}`,
		});
	}
	return respond(200, 'OK', { events, filteredOut: parsed.events.length - events.length });
}

function diagnose(request: WebhookRequest, options: WebhookOptions, result: WebhookResult): WebhookDiagnostics {
	const signatureHeader = options.verification.signatureHeader?.trim() || DEFAULT_SIGNATURE_HEADER;
	return {
		headerNames: Object.keys(request.headers),
		signatureHeader,
		signatureValue: maskIfAccepted(getHeader(request.headers, signatureHeader), result.status === 200),
		bodyLength: byteLength(request.rawBody),
		contentType: getHeader(request.headers, 'content-type') ?? null,
		outcome: result.status === 200 ? 'accepted' : `${result.status}: ${result.reason ?? result.body}`,
	};
}

/** A valid signature is as good as a credential for a replay, so only a refused one is shown whole. */
function maskIfAccepted(value: string | undefined, accepted: boolean): string | null {
	if (value === undefined) return null;
	return accepted ? `${value.slice(0, 8)}… (${value.length} characters)` : value;
}
