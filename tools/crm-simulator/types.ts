export type CrmName = 'hubspot' | 'salesforce' | 'zendesk' | 'custom';

export interface RateLimit {
	max: number;
	intervalMs: number;
}

export interface CrmSimulatorOptions {
	/** 0 (default) picks a free port. */
	port?: number;
	/** Default '127.0.0.1'. */
	host?: string;
	/** Expected bearer token per CRM; CRMs without one accept any request. */
	tokens?: Partial<Record<CrmName, string>>;
	limits?: {
		/** Default 100 per 10 000 ms. */
		hubspot?: RateLimit;
		/** Default 1000 per 60 000 ms (stands in for the daily allocation). */
		salesforce?: RateLimit;
		/** Default 200 per 60 000 ms. */
		zendesk?: RateLimit;
		/** Default 50 per 1000 ms with Retry-After: 1. */
		custom?: RateLimit & { retryAfterSeconds?: number };
	};
	/** Clock for timestamps and rate windows; default Date.now. */
	now?: () => number;
	/** Called once per request after it has been answered (or reset). */
	onRequest?: (request: RecordedRequest) => void;
}

export interface RecordedRequest {
	at: number;
	crm: CrmName | 'unknown';
	method: string;
	/** Request target as sent, including any query string. */
	path: string;
	/** 0 when the socket was reset without an answer. */
	status: number;
	headers: Record<string, string | string[] | undefined>;
	/** Parsed JSON, the raw text when it is not JSON, undefined when empty. */
	body: unknown;
}

export interface RecordedWrite {
	at: number;
	crm: CrmName;
	method: string;
	path: string;
	/** 'note', 'contact', 'optout', 'task', 'lead', 'ticket', 'user' or 'activity'. */
	kind: string;
	/** Idempotency / external id of the record, when it has one. */
	key: string | null;
	/** One record of the request body. */
	item: unknown;
	/**
	 * True when the write made a new record; false when it updated or repeated an existing one
	 * (custom CRM duplicate id, Salesforce upsert of a known external id, any update endpoint).
	 */
	created: boolean;
}

export type Fault =
	| { kind: 'status'; status: number; count: number; crm?: CrmName; retryAfterSeconds?: number; body?: unknown }
	| { kind: 'latency'; ms: number; count: number; crm?: CrmName }
	| { kind: 'reset'; count: number; crm?: CrmName };

export interface CrmSimulator {
	url: string;
	/**
	 * The live CRM page (`GET /`, also `/crm`): contacts, email timelines, flags, CRM freshness,
	 * faults, a received-vs-written chart. Its data is `GET /_simulator/state` (JSON) and
	 * `GET /_simulator/events` (server-sent "changed" events); none of these are recorded as CRM
	 * requests or reach a rate limiter.
	 */
	pageUrl: string;
	port: number;
	requests: RecordedRequest[];
	writes: RecordedWrite[];
	inject(fault: Fault): void;
	clearFaults(): void;
	reset(): void;
	/** Event key -> number of activities created with that key (updates and duplicates excluded). */
	activityCounts(crm?: CrmName): Map<string, number>;
	/** Most requests that reached the CRM's rate limiter (admitted or refused) within any one interval. */
	maxRequestsInWindow(crm: CrmName): number;
	/** Most requests the CRM's rate limiter admitted within any one interval; never above `max`. */
	maxAdmittedInWindow(crm: CrmName): number;
	rateLimitedCount(crm: CrmName): number;
	/** Custom CRM: merged contact state per contact id (record.contact.id ?? record.recipient). */
	contacts(): Map<string, Record<string, unknown>>;
	close(): Promise<void>;
}
