import { eventsFromJson } from '../payload/parse';
import { isObject } from '../payload/normalize';
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

export type MappedEvent =
	| { ok: true; route: ActivityRoute; record: MappedRecord }
	| { ok: false; route: 'invalid'; reason: string; raw: unknown };

/**
 * Maps whatever a host hands over: one event, a bare array or a batch envelope. One result per
 * event; a bad event becomes an `invalid` result and never spoils the others.
 */
export function mapEvents(input: unknown, options: MapperOptions = {}): MappedEvent[] {
	const parsed = eventsFromJson(input);
	if (!parsed.ok) {
		return [{ ok: false, route: 'invalid', reason: parsed.error.message, raw: input }];
	}
	const rawEvents: unknown[] = Array.isArray(input) ? input : isObject(input) && Array.isArray(input.events) ? input.events : [input];
	return parsed.events.map((event, index) => {
		const raw = rawEvents[index] as Record<string, unknown>;
		const result = toActivityRecord({ ...raw, batchId: event.batchId, retryCount: event.retryCount }, options);
		if (!result.ok) return { ...result, raw };
		return { ok: true, route: result.route, record: withPreset({ ...result.record, raw }, options) };
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
