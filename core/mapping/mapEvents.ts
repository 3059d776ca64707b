import { isObject, type EnvelopeInfo } from '../payload/normalize';
import { toHubSpot, type HubSpotPropertyNames, type HubSpotShape } from './presets/hubspot';
import { toSalesforce, type SalesforceFieldNames, type SalesforceShape } from './presets/salesforce';
import { toZendesk, type ZendeskFieldNames, type ZendeskShape } from './presets/zendesk';
import { toActivityRecord, type MapOptions } from './toRecord';
import type { ActivityRecord, ActivityRoute } from './types';

export type MapperTarget = 'neutral' | 'hubspot' | 'salesforce' | 'zendesk';
export const MAPPER_TARGETS: readonly MapperTarget[] = ['neutral', 'hubspot', 'salesforce', 'zendesk'];

export interface MapperOptions extends MapOptions {
	target?: MapperTarget;
	hubspotProperties?: Partial<HubSpotPropertyNames>;
	salesforceFields?: Partial<SalesforceFieldNames>;
	zendeskFields?: Partial<ZendeskFieldNames>;
}

export type MappedRecord = ActivityRecord & {
	hubspot?: HubSpotShape;
	salesforce?: SalesforceShape;
	zendesk?: ZendeskShape;
};

export type InvalidEvent = { ok: false; route: 'invalid'; reason: string; raw: unknown };
export type MappedEvent = { ok: true; route: ActivityRoute; record: MappedRecord } | InvalidEvent;

type Split = { ok: true; items: unknown[]; envelope: EnvelopeInfo } | { ok: false; reason: string };

/** JSON text (a string or the bytes of an unparsed request body) is decoded; anything else is taken as is. */
function decode(input: unknown): { ok: true; value: unknown } | { ok: false; reason: string } {
	if (typeof input !== 'string' && !(input instanceof Uint8Array)) return { ok: true, value: input };
	const text = typeof input === 'string' ? input : Buffer.from(input).toString('utf8');
	try {
		return { ok: true, value: JSON.parse(text) as unknown };
	} catch {
		return { ok: false, reason: 'the input is text but not valid JSON' };
	}
}

function split(value: unknown): Split {
	if (Array.isArray(value)) return { ok: true, items: value, envelope: {} };
	if (!isObject(value)) return { ok: false, reason: 'the input must be an event object, an array of events or a batch envelope' };
	if (!('events' in value)) return { ok: true, items: [value], envelope: {} };
	if (!Array.isArray(value.events)) return { ok: false, reason: '"events" in the batch envelope must be an array' };
	return { ok: true, items: value.events, envelope: { batchId: value.batchId, retryCount: value.retryCount } };
}

/**
 * Maps whatever a host hands over: one event, a bare array, a batch envelope, or any of
 * these as JSON text. One result per event, in order; a bad event becomes an `invalid`
 * result and never spoils the others.
 */
export function mapEvents(input: unknown, options: MapperOptions = {}): MappedEvent[] {
	const decoded = decode(input);
	const parts = decoded.ok ? split(decoded.value) : decoded;
	if (!parts.ok) return [{ ok: false, route: 'invalid', reason: parts.reason, raw: input }];
	return parts.items.map((raw): MappedEvent => {
		if (!isObject(raw)) return { ok: false, route: 'invalid', reason: 'the item is not an event object', raw };
		const result = toActivityRecord(raw, options, parts.envelope);
		if (!result.ok) return result;
		return { ok: true, route: result.route, record: withPreset(result.record, options) };
	});
}

function withPreset(record: ActivityRecord, options: MapperOptions): MappedRecord {
	switch (options.target ?? 'neutral') {
		case 'hubspot':
			return { ...record, hubspot: toHubSpot(record, options.hubspotProperties) };
		case 'salesforce':
			return { ...record, salesforce: toSalesforce(record, options.salesforceFields) };
		case 'zendesk':
			return { ...record, zendesk: toZendesk(record, options.zendeskFields) };
		default:
			return record;
	}
}
