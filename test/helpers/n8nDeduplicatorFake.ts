import { createHash } from 'crypto';

import type {
	DeduplicationItemTypes,
	DeduplicationScope,
	ICheckProcessedContextData,
	ICheckProcessedOptions,
	IDataDeduplicator,
	IDeduplicationOutput,
} from 'n8n-workflow';

type Row = { mode: string; data: string[] };

/** Lets other work run, as a database round trip would. */
const roundTrip = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Behaves like the provider n8n's CLI plugs into n8n-core's DataDeduplicationService (facts from
 * n8n 2.41, `entries` mode only): one row per workflow and context (`n:<node id>` for node scope,
 * '' for workflow scope) holding md5 hashes in insertion order; check-and-record reads the row,
 * appends the new hashes, keeps the last `maxEntries` and writes the row back, as two separate
 * round trips, so concurrent calls can interleave. The first call on an empty row reports every
 * value as new, repeats included.
 */
export class FakeN8nDeduplicator implements IDataDeduplicator {
	readonly rows = new Map<string, Row>();

	private static rowKey(scope: DeduplicationScope, context: ICheckProcessedContextData): string {
		if (scope === 'node' && !context.node) throw new Error("No node information has been provided and so cannot use scope 'node'");
		return `${context.workflow.id}|${scope === 'node' ? `n:${context.node?.id}` : ''}`;
	}

	private static hash(value: DeduplicationItemTypes): string {
		return createHash('md5').update(value.toString()).digest('base64');
	}

	async checkProcessedAndRecord(items: DeduplicationItemTypes[], scope: DeduplicationScope, context: ICheckProcessedContextData, options: ICheckProcessedOptions): Promise<IDeduplicationOutput> {
		if (options.mode !== 'entries') throw new Error('only entries mode is modelled');
		const key = FakeN8nDeduplicator.rowKey(scope, context);
		await roundTrip();
		const stored = this.rows.get(key);
		const row: Row = stored ? { mode: stored.mode, data: [...stored.data] } : { mode: options.mode, data: [] };
		const output: IDeduplicationOutput = { new: [], processed: [] };
		if (!stored) {
			output.new = [...items];
			row.data = items.map(FakeN8nDeduplicator.hash);
		} else {
			for (const item of items) {
				const hash = FakeN8nDeduplicator.hash(item);
				if (row.data.includes(hash)) output.processed.push(item);
				else {
					output.new.push(item);
					row.data.push(hash);
				}
			}
		}
		if (options.maxEntries) row.data.splice(0, Math.max(0, row.data.length - options.maxEntries));
		await roundTrip();
		this.rows.set(key, row);
		return output;
	}

	async removeProcessed(items: DeduplicationItemTypes[], scope: DeduplicationScope, context: ICheckProcessedContextData): Promise<void> {
		const key = FakeN8nDeduplicator.rowKey(scope, context);
		await roundTrip();
		const stored = this.rows.get(key);
		if (!stored) return;
		const data = [...stored.data];
		for (const item of items) {
			const index = data.indexOf(FakeN8nDeduplicator.hash(item));
			if (index !== -1) data.splice(index, 1);
		}
		await roundTrip();
		this.rows.set(key, { mode: stored.mode, data });
	}

	async clearAllProcessedItems(scope: DeduplicationScope, context: ICheckProcessedContextData): Promise<void> {
		this.rows.delete(FakeN8nDeduplicator.rowKey(scope, context));
	}

	async getProcessedDataCount(scope: DeduplicationScope, context: ICheckProcessedContextData): Promise<number> {
		await roundTrip();
		return this.rows.get(FakeN8nDeduplicator.rowKey(scope, context))?.data.length ?? 0;
	}
}
