import { isObject } from '../payload/normalize';
import { MAPPER_TARGETS, type MapperOptions, type MapperTarget } from './mapEvents';
import { DEFAULT_HUBSPOT_PROPERTIES } from './presets/hubspot';
import { DEFAULT_SALESFORCE_FIELDS } from './presets/salesforce';
import { DEFAULT_ZENDESK_FIELDS } from './presets/zendesk';
import { ROUTING_MODES, type RoutingMode } from './routing';
import { DEFAULT_METADATA_KEYS, type MetadataKeys } from './types';

/** The mapper's settings as a host reads them from its editor: strings, maybe empty. */
export interface MapperSettingsInput {
	target?: unknown;
	routing?: unknown;
	contactIdKey?: unknown;
	dealIdKey?: unknown;
	ownerKey?: unknown;
	/** Property or field names for the chosen CRM, as JSON text or an object; empty keeps the defaults. */
	fieldNames?: unknown;
}

export type MapperSettings = { ok: true; options: MapperOptions; routing: RoutingMode } | { ok: false; reason: string };

/** The property or field names each CRM preset writes, and their defaults. */
export const DEFAULT_FIELD_NAMES: Record<Exclude<MapperTarget, 'neutral'>, Readonly<Record<string, string>>> = {
	hubspot: { ...DEFAULT_HUBSPOT_PROPERTIES },
	salesforce: { ...DEFAULT_SALESFORCE_FIELDS },
	zendesk: { ...DEFAULT_ZENDESK_FIELDS },
};

const CRM_NAMES: Record<MapperTarget, string> = { neutral: 'Neutral', hubspot: 'HubSpot', salesforce: 'Salesforce', zendesk: 'Zendesk' };

type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

function choice<T extends string>(value: unknown, allowed: readonly T[], fallback: T, what: string): Parsed<T> {
	if (value === undefined || value === null || value === '') return { ok: true, value: fallback };
	if (allowed.includes(value as T)) return { ok: true, value: value as T };
	return { ok: false, reason: `unknown ${what} "${String(value)}"; use one of ${allowed.join(', ')}` };
}

function metadataKey(value: unknown, name: keyof MetadataKeys, label: string): Parsed<string> {
	if (value === undefined || value === null) return { ok: true, value: DEFAULT_METADATA_KEYS[name] };
	if (typeof value !== 'string') return { ok: false, reason: `the ${label} metadata key must be text` };
	return { ok: true, value: value.trim() || DEFAULT_METADATA_KEYS[name] };
}

function fieldNames(value: unknown, target: Exclude<MapperTarget, 'neutral'>): Parsed<Record<string, string>> {
	const crm = CRM_NAMES[target];
	let names = value;
	if (typeof value === 'string') {
		if (value.trim() === '') return { ok: true, value: {} };
		try {
			names = JSON.parse(value);
		} catch {
			return { ok: false, reason: `the ${crm} field names are not valid JSON` };
		}
	}
	if (names === undefined || names === null) return { ok: true, value: {} };
	if (!isObject(names)) return { ok: false, reason: `the ${crm} field names must be a JSON object like {"openCount": "my_property"}` };
	const known = Object.keys(DEFAULT_FIELD_NAMES[target]);
	const result: Record<string, string> = {};
	for (const [key, name] of Object.entries(names)) {
		if (!known.includes(key)) return { ok: false, reason: `"${key}" is not a ${crm} field name; use ${known.join(', ')}` };
		if (typeof name !== 'string' || name.trim() === '') return { ok: false, reason: `the ${crm} field name for "${key}" must be non-empty text` };
		result[key] = name.trim();
	}
	return { ok: true, value: result };
}

/** Checks a host's settings once and turns them into mapper options, or says in one sentence what is wrong. */
export function readMapperSettings(input: MapperSettingsInput): MapperSettings {
	const target = choice(input.target, MAPPER_TARGETS, 'neutral', 'CRM');
	if (!target.ok) return target;
	const routing = choice(input.routing, ROUTING_MODES, 'single', 'routing');
	if (!routing.ok) return routing;
	const contactId = metadataKey(input.contactIdKey, 'contactId', 'contact id');
	if (!contactId.ok) return contactId;
	const dealId = metadataKey(input.dealIdKey, 'dealId', 'deal id');
	if (!dealId.ok) return dealId;
	const owner = metadataKey(input.ownerKey, 'owner', 'owner');
	if (!owner.ok) return owner;

	const options: MapperOptions = {
		target: target.value,
		metadataKeys: { contactId: contactId.value, dealId: dealId.value, owner: owner.value },
	};
	if (target.value !== 'neutral') {
		const names = fieldNames(input.fieldNames, target.value);
		if (!names.ok) return names;
		if (target.value === 'hubspot') options.hubspotProperties = names.value;
		if (target.value === 'salesforce') options.salesforceFields = names.value;
		if (target.value === 'zendesk') options.zendeskFields = names.value;
	}
	return { ok: true, options, routing: routing.value };
}
