/** The event types Mailtarget sends, as its `status` field names them (lower case). */
export const MAILTARGET_EVENT_TYPES = ['delivery', 'open', 'click', 'bounce', 'complaint', 'unsubscribe', 'injection', 'delay'] as const;

const KNOWN = new Set<string>(MAILTARGET_EVENT_TYPES);

/** The names in an event filter (a list, or comma-separated text) that Mailtarget never sends: typos. */
export function unknownEventTypes(filter: readonly string[] | string | undefined): string[] {
	const names = typeof filter === 'string' ? filter.split(',') : (filter ?? []);
	return names.map((name) => name.trim().toLowerCase()).filter((name) => name !== '' && !KNOWN.has(name));
}
