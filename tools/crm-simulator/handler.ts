import type { IncomingHttpHeaders } from 'node:http';
import type { CrmName } from './types';
import type { LimitState } from './rateLimit';
import type { ParsedBody } from './body';

export interface RequestContext {
	method: string;
	/** Path without the query string. */
	path: string;
	query: URLSearchParams;
	headers: IncomingHttpHeaders;
	json: ParsedBody;
	now: number;
	baseUrl: string;
}

export interface WriteDraft {
	kind: string;
	key: string | null;
	item: unknown;
	created: boolean;
}

export interface Reply {
	status: number;
	body?: unknown;
	headers?: Record<string, string>;
	writes?: WriteDraft[];
}

/** One simulated CRM: its routes, its error shapes and whatever records it keeps. */
export interface CrmHandler {
	readonly name: CrmName;
	readonly activityKind: string;
	limitHeaders(state: LimitState): Record<string, string>;
	overLimit(state: LimitState): Reply;
	unauthorized(): Reply;
	/** Body for an injected status fault that did not bring its own. */
	faultBody(status: number, state: LimitState): unknown;
	handle(ctx: RequestContext): Reply;
	reset(): void;
}
