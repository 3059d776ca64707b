import type { InvalidEvent, MappedEvent } from './mapEvents';
import { MAPPER_ROUTES, type MapperRoute } from './types';

/**
 * `single`: every mapped record leaves on one output; an invalid event is an error of the
 * host (n8n: NodeOperationError or, with Continue On Fail, an `{error}` item; Node-RED:
 * `done(err)` for Catch nodes). `perAction`: one output per route, in `MAPPER_ROUTES` order,
 * the last one being `invalid`.
 */
export type RoutingMode = 'single' | 'perAction';
export const ROUTING_MODES: readonly RoutingMode[] = ['single', 'perAction'];

export function outputCount(mode: RoutingMode): number {
	return mode === 'perAction' ? MAPPER_ROUTES.length : 1;
}

/** The output a result with this route leaves on, or `null` when the host must report it as an error. */
export function outputIndex(route: MapperRoute, mode: RoutingMode): number | null {
	if (mode === 'perAction') return MAPPER_ROUTES.indexOf(route);
	return route === 'invalid' ? null : 0;
}

export interface RoutedResults {
	/** One list per output, results in input order. */
	outputs: MappedEvent[][];
	/** Invalid events the host reports as errors (single-output mode only). */
	errors: InvalidEvent[];
}

export function routeResults(results: readonly MappedEvent[], mode: RoutingMode): RoutedResults {
	const routed: RoutedResults = { outputs: Array.from({ length: outputCount(mode) }, () => []), errors: [] };
	for (const result of results) {
		const index = outputIndex(result.route, mode);
		if (index !== null) routed.outputs[index].push(result);
		else if (!result.ok) routed.errors.push(result);
	}
	return routed;
}
