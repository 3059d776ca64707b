export { startCrmSimulator } from './server';
export type {
	CrmName,
	CrmSimulator,
	CrmSimulatorOptions,
	Fault,
	RateLimit,
	RecordedRequest,
	RecordedWrite,
} from './types';
export { pageState, FRESHNESS_TARGET_MS } from './pageState';
export type { ActivityView, ContactView, CrmView, FreshnessSummary, PageState } from './pageState';
export { EVENTS_PATH, PAGE_PATHS, STATE_PATH } from './pageRoutes';
