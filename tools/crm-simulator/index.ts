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
