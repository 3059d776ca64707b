import type { DeduplicationHelperFunctions, DeduplicationScope } from 'n8n-workflow';

import type { ProcessedList } from '../../core/dedupe/slicedStore';

/** n8n's per-node (or per-workflow) list of processed values, kept in its database. */
export function n8nProcessedList(helpers: DeduplicationHelperFunctions, scope: DeduplicationScope): ProcessedList {
	return {
		async checkAndRecord(values, maxEntries) {
			const { processed } = await helpers.checkProcessedAndRecord(values, scope, { mode: 'entries', maxEntries });
			return processed.map(String);
		},
		remove: async (values) => await helpers.removeProcessed(values, scope, { mode: 'entries' }),
		count: async () => await helpers.getProcessedDataCount(scope, { mode: 'entries' }),
	};
}
