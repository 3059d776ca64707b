import { ACTIVITY_TYPES, activityOf, contactOf, eventRecordsIn, timeOf, type ActivityType, type BounceView } from './pageRecords';
import type { CrmName, RecordedRequest, RecordedWrite } from './types';

/** What the CRM page shows, built from what the simulator recorded; never a header or a token. */

export const FRESHNESS_TARGET_MS = 60_000;
const TIMELINE_MAX = 40;
const CONTACTS_MAX = 200;
const FAULTS_MAX = 25;
const CHART_BUCKETS = 40;

export const PAGE_CRMS: ReadonlyArray<{ crm: CrmName; label: string }> = [
	{ crm: 'custom', label: 'Custom CRM' },
	{ crm: 'hubspot', label: 'HubSpot' },
	{ crm: 'salesforce', label: 'Salesforce' },
	{ crm: 'zendesk', label: 'Zendesk' },
];

export interface ActivityView {
	key: string | null;
	type: ActivityType;
	subject: string | null;
	/** ISO time the event happened (the record's own time), null when the record has none. */
	eventAt: string | null;
	/** ISO time the CRM first stored it. */
	writtenAt: string;
	/** writtenAt - eventAt: the CRM freshness of this activity. */
	freshnessMs: number | null;
	url: string | null;
	bounce: BounceView | null;
	/** Later writes of the same record (retries, redeliveries) the CRM absorbed. */
	repeats: number;
	/** 'activity' for a record of its own; 'contact field' when only a contact timestamp says so (Zendesk). */
	source: 'activity' | 'contact field';
}

export interface ContactView {
	key: string;
	email: string | null;
	flags: { undeliverable: boolean; doNotContact: boolean; optedOut: boolean };
	counts: Record<ActivityType, number>;
	bounces: { hard: number; soft: number; unknown: number };
	lastWrittenAt: string;
	/** Newest first, at most TIMELINE_MAX. */
	timeline: ActivityView[];
	timelineTotal: number;
}

export interface FreshnessSummary {
	count: number;
	p50Ms: number;
	p95Ms: number;
	maxMs: number;
	withinTarget: number;
}

export interface FaultView {
	at: string;
	method: string;
	/** Path without the query string. */
	path: string;
	/** 0 for a connection reset without an answer. */
	status: number;
	label: string;
}

export interface ChartView {
	startAt: string;
	endAt: string;
	/** Cumulative counts at the end of each of CHART_BUCKETS equal slices of [startAt, endAt]. */
	received: number[];
	written: number[];
	/** Refused or failed requests per slice. */
	faults: number[];
}

export interface CrmView {
	crm: CrmName;
	label: string;
	requests: number;
	writes: number;
	activities: number;
	duplicates: number;
	contactsTotal: number;
	freshness: FreshnessSummary | null;
	faults: {
		rateLimited: number;
		serverErrors: number;
		resets: number;
		unauthorized: number;
		rejected: number;
		recent: FaultView[];
	};
	chart: ChartView | null;
	contacts: ContactView[];
}

export interface PageState {
	generatedAt: string;
	freshnessTargetMs: number;
	crms: CrmView[];
}

export interface PageSources {
	requests: readonly RecordedRequest[];
	writes: readonly RecordedWrite[];
	/** The custom CRM's merged contact states (sticky flags, counted opens). */
	customContacts: Map<string, Record<string, unknown>>;
	now: number;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: number[], q: number): number {
	return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] as number;
}

export function freshnessOf(values: number[]): FreshnessSummary | null {
	if (values.length === 0) return null;
	const sorted = [...values].sort((a, b) => a - b);
	return {
		count: sorted.length,
		p50Ms: percentile(sorted, 0.5),
		p95Ms: percentile(sorted, 0.95),
		maxMs: sorted[sorted.length - 1] as number,
		withinTarget: sorted.filter((v) => v < FRESHNESS_TARGET_MS).length,
	};
}

const FLAG_PATTERNS = {
	undeliverable: /undeliverable|bounceddate/i,
	doNotContact: /do_?not_?contact/i,
	optedOut: /opt_?out|optedout/i,
} as const;

/** Flags under any CRM's names: a field matching the pattern set to true ('true'), or a bounce date. */
function flagsIn(fields: Record<string, unknown>, flags: ContactView['flags']): void {
	for (const [name, value] of Object.entries(fields)) {
		const set = value === true || value === 'true' || (/bounceddate/i.test(name) && typeof value === 'string' && value !== '');
		if (!set) continue;
		for (const flag of Object.keys(FLAG_PATTERNS) as Array<keyof typeof FLAG_PATTERNS>) {
			if (FLAG_PATTERNS[flag].test(name)) flags[flag] = true;
		}
	}
}

/** Contact timestamp fields that stand for an event when the CRM keeps no activity of it (Zendesk). */
const FIELD_TYPES: Array<[RegExp, ActivityType]> = [
	[/delivered/i, 'delivered'],
	[/opened/i, 'opened'],
	[/clicked/i, 'clicked'],
];

interface ContactDraft {
	key: string;
	email: string | null;
	flags: ContactView['flags'];
	activities: ActivityView[];
	lastWrittenMs: number;
}

function emptyCounts(): Record<ActivityType, number> {
	return Object.fromEntries(ACTIVITY_TYPES.map((t) => [t, 0])) as Record<ActivityType, number>;
}

function faultLabel(crm: CrmName, status: number): string {
	if (status === 0) return 'connection reset';
	if (status === 429) return '429 Too Many Requests';
	if (status === 403 && crm === 'salesforce') return '403 request limit';
	if (status === 401) return '401 unauthorized';
	if (status >= 500) return `${status} server error`;
	return `${status} refused`;
}

function faultsOf(crm: CrmName, requests: RecordedRequest[]): CrmView['faults'] {
	const failed = requests.filter((r) => r.status === 0 || r.status >= 400);
	const count = (test: (status: number) => boolean) => failed.filter((r) => test(r.status)).length;
	const limited = (status: number) => status === 429 || (crm === 'salesforce' && status === 403);
	return {
		rateLimited: count(limited),
		serverErrors: count((s) => s >= 500),
		resets: count((s) => s === 0),
		unauthorized: count((s) => s === 401),
		rejected: count((s) => s >= 400 && s < 500 && s !== 401 && !limited(s)),
		recent: failed
			.slice(-FAULTS_MAX)
			.reverse()
			.map((r) => ({ at: iso(r.at), method: r.method, path: r.path.replace(/\?.*$/, ''), status: r.status, label: faultLabel(crm, r.status) })),
	};
}

function chartOf(requests: RecordedRequest[], written: number[], now: number): ChartView | null {
	const first = requests[0];
	if (first === undefined) return null;
	const start = first.at;
	const end = Math.max(now, start + 1000);
	const slice = (end - start) / CHART_BUCKETS;
	const bucket = (at: number) => Math.min(CHART_BUCKETS - 1, Math.max(0, Math.floor((at - start) / slice)));
	const receivedPer = new Array<number>(CHART_BUCKETS).fill(0);
	const writtenPer = new Array<number>(CHART_BUCKETS).fill(0);
	const faults = new Array<number>(CHART_BUCKETS).fill(0);
	const seen = new Set<string>();
	for (const request of requests) {
		const b = bucket(request.at);
		for (const key of eventRecordsIn(request)) {
			if (key !== null && seen.has(key)) continue;
			if (key !== null) seen.add(key);
			receivedPer[b]!++;
		}
		if (request.status === 0 || request.status >= 400) faults[b]!++;
	}
	for (const at of written) writtenPer[bucket(at)]!++;
	const cumulative = (per: number[]) => {
		let sum = 0;
		return per.map((n) => (sum += n));
	};
	return { startAt: iso(start), endAt: iso(end), received: cumulative(receivedPer), written: cumulative(writtenPer), faults };
}

function crmView(crm: CrmName, label: string, sources: PageSources): CrmView {
	const requests = sources.requests.filter((r) => r.crm === crm);
	const writes = sources.writes.filter((w) => w.crm === crm);
	const contacts = new Map<string, ContactDraft>();
	const contact = (key: string, email: string | null, at: number): ContactDraft => {
		let draft = contacts.get(key);
		if (!draft) {
			draft = { key, email, flags: { undeliverable: false, doNotContact: false, optedOut: false }, activities: [], lastWrittenMs: at };
			contacts.set(key, draft);
		}
		draft.email ??= email;
		draft.lastWrittenMs = Math.max(draft.lastWrittenMs, at);
		return draft;
	};

	const byKey = new Map<string, ActivityView>();
	const writtenTimes: number[] = [];
	let duplicates = 0;
	for (const write of writes) {
		const activity = activityOf(write);
		if (activity) {
			const known = activity.key === null ? undefined : byKey.get(activity.key);
			if (known) {
				known.repeats++;
				duplicates++;
				continue;
			}
			const view: ActivityView = {
				key: activity.key,
				type: activity.type,
				subject: activity.subject,
				eventAt: activity.eventMs === null ? null : iso(activity.eventMs),
				writtenAt: iso(write.at),
				freshnessMs: activity.eventMs === null ? null : write.at - activity.eventMs,
				url: activity.url,
				bounce: activity.bounce,
				repeats: 0,
				source: 'activity',
			};
			if (activity.key !== null) byKey.set(activity.key, view);
			contact(activity.contactKey, activity.email, write.at).activities.push(view);
			writtenTimes.push(write.at);
			continue;
		}
		const update = contactOf(write);
		if (!update) continue;
		const draft = contact(update.contactKey, update.email, write.at);
		flagsIn(update.fields, draft.flags);
		if (update.optedOut) draft.flags.optedOut = true;
		if (crm !== 'zendesk') continue;
		writtenTimes.push(write.at);
		for (const [name, value] of Object.entries(update.fields)) {
			const type = FIELD_TYPES.find(([pattern]) => pattern.test(name))?.[1];
			const eventMs = timeOf(value);
			if (type === undefined || eventMs === null) continue;
			const fieldKey = `${update.contactKey}|${type}|${eventMs}`;
			const known = byKey.get(fieldKey);
			if (known) {
				known.repeats++;
				continue;
			}
			const view: ActivityView = {
				key: null,
				type,
				subject: null,
				eventAt: iso(eventMs),
				writtenAt: iso(write.at),
				freshnessMs: write.at - eventMs,
				url: null,
				bounce: null,
				repeats: 0,
				source: 'contact field',
			};
			byKey.set(fieldKey, view);
			draft.activities.push(view);
		}
	}
	if (crm === 'custom') {
		for (const [key, fields] of sources.customContacts) {
			const draft = contacts.get(key);
			if (draft) flagsIn(fields, draft.flags);
		}
	}

	const all = [...contacts.values()].sort((a, b) => b.lastWrittenMs - a.lastWrittenMs || a.key.localeCompare(b.key));
	const activities = all.flatMap((c) => c.activities);
	return {
		crm,
		label,
		requests: requests.length,
		writes: writes.length,
		activities: activities.length,
		duplicates,
		contactsTotal: all.length,
		freshness: freshnessOf(activities.flatMap((a) => (a.freshnessMs === null ? [] : [a.freshnessMs]))),
		faults: faultsOf(crm, requests),
		chart: chartOf(requests, writtenTimes, sources.now),
		contacts: all.slice(0, CONTACTS_MAX).map(contactView),
	};
}

function contactView(draft: ContactDraft): ContactView {
	const counts = emptyCounts();
	const bounces = { hard: 0, soft: 0, unknown: 0 };
	for (const activity of draft.activities) {
		counts[activity.type]++;
		if (activity.type === 'bounced') {
			const cls = activity.bounce?.class;
			if (cls === 'hard' || cls === 'soft') bounces[cls]++;
			else bounces.unknown++;
		}
	}
	const timeline = [...draft.activities].sort(
		(a, b) => (b.eventAt ?? b.writtenAt).localeCompare(a.eventAt ?? a.writtenAt) || b.writtenAt.localeCompare(a.writtenAt),
	);
	return {
		key: draft.key,
		email: draft.email,
		flags: draft.flags,
		counts,
		bounces,
		lastWrittenAt: iso(draft.lastWrittenMs),
		timeline: timeline.slice(0, TIMELINE_MAX),
		timelineTotal: timeline.length,
	};
}

export function pageState(sources: PageSources): PageState {
	return {
		generatedAt: iso(sources.now),
		freshnessTargetMs: FRESHNESS_TARGET_MS,
		crms: PAGE_CRMS.map(({ crm, label }) => crmView(crm, label, sources)),
	};
}
