import { defaultDedupeKey, fieldsDedupeKey, parseKeyFields, valueDedupeKey } from '../../core/dedupe/dedupeKey';
import { DEFAULT_TTL_HOURS, HOUR_MS, SAFE_MIN_TTL_HOURS, dedupeWindow, type DedupeWindow } from '../../core/dedupe/store';
import { ackLedgerFor } from '../lib/ackLedger';
import { queueCommittedTokens } from '../lib/durableQueueStore';
import { dedupeStoreFile, leaseDedupeStore, type StoreLease } from '../lib/dedupeStores';
import { ackTokenOf, currentAckTracker, unusableEventError, type AckParticipant } from '../lib/durableAck';
import { statusBadge } from '../lib/statusBadge';
import type { Node, NodeDef, NodeMessage, NodeRedRuntime } from '../lib/types';

const DEFAULT_MAX_ENTRIES = 100000;

interface DedupeDef extends NodeDef {
	keyType?: 'event' | 'fields' | 'msg';
	keyFields?: string;
	keyProperty?: string;
	ttlHours?: number | string;
	maxEntries?: number | string;
	storeName?: string;
}

export = function (RED: NodeRedRuntime) {
	function MailtargetDedupe(this: Node<never>, def: DedupeDef) {
		RED.nodes.createNode(this, def);
		const node = this;
		const counts = { kept: 0, discarded: 0, noKey: 0 };
		const fail = (text: string) => node.status({ fill: 'red', shape: 'ring', text });

		const keyFields = parseKeyFields(def.keyFields ?? '');
		const keyOf = (msg: NodeMessage): string => {
			if (def.keyType === 'fields') return fieldsDedupeKey(msg.payload, keyFields);
			if (def.keyType === 'msg') return valueDedupeKey(RED.util.evaluateNodeProperty(def.keyProperty || 'payload.eventId', 'msg', node, msg));
			return defaultDedupeKey(msg.payload);
		};

		let lease: StoreLease | undefined;
		let setupError: string | undefined;
		// Read only when a key's request is not in the ledger: a crash between a queue's commit and the ledger line.
		let queueCommits: Set<string> | undefined;
		try {
			const window: DedupeWindow = dedupeWindow(def.ttlHours ?? DEFAULT_TTL_HOURS, def.maxEntries ?? DEFAULT_MAX_ENTRIES);
			const userDir = RED.settings.userDir;
			if (typeof userDir !== 'string' || userDir === '') throw new Error(RED._('mailtarget-dedupe.errors.noUserDir'));
			lease = leaseDedupeStore(
				dedupeStoreFile(userDir, node.id, def.storeName),
				window,
				Date.now(),
				(error) => node.warn(RED._('mailtarget-dedupe.errors.flush', { reason: error.message })),
				(token) => ackLedgerFor(userDir).has(token) || (queueCommits ??= queueCommittedTokens(userDir)).has(token),
			);
			if (lease.window.ttlMs !== window.ttlMs || lease.window.maxEntries !== window.maxEntries) {
				node.warn(RED._('mailtarget-dedupe.log.sharedWindow', { store: def.storeName ?? '' }));
			}
		} catch (error) {
			setupError = RED._('mailtarget-dedupe.errors.noStore', { reason: (error as Error).message });
			fail(RED._('mailtarget-dedupe.status.noStore'));
			node.error(setupError);
		}
		const hours = lease ? lease.window.ttlMs / HOUR_MS : DEFAULT_TTL_HOURS;
		const shortWindowHours = hours < SAFE_MIN_TTL_HOURS ? Math.round(hours * 100) / 100 : undefined;
		const badge = statusBadge(
			(status) => node.status(status),
			() => {
				const text = RED._('mailtarget-dedupe.status.counts', { ...counts, size: lease?.store.size() ?? 0 });
				// A message without a key is that message's problem (it went to Catch), not the node's: yellow, and counted.
				if (counts.noKey > 0) return { fill: 'yellow', shape: 'dot', text: `${text} · ${RED._('mailtarget-dedupe.status.noKeyCount', counts)}` };
				// A risky setting: the badge says so for as long as it is on.
				if (shortWindowHours !== undefined) return { fill: 'yellow', shape: 'ring', text: `${text} · ${RED._('mailtarget-dedupe.status.shortWindow', { hours: shortWindowHours })}` };
				return { fill: 'green', shape: 'dot', text };
			},
		);
		const showCounts = () => badge.update();
		if (lease) showCounts();
		// Keys are written, not fsynced, with each acknowledgement: a power cut that loses one (at most
		// the last second, as without durable acknowledgement) lets a re-sent event through to the queue
		// again, and the CRM write is an upsert by record id. The queue's records are what must not be lost.
		const participant: AckParticipant = {
			sync: (_tokens, done) => {
				try {
					lease?.store.writeTentative();
				} catch (error) {
					return done(error as Error);
				}
				done();
			},
			commit: (token) => lease?.store.commitTentative(token),
			abort: (token) => lease?.store.abortTentative(token),
		};

		node.on('input', (msg, send, done) => {
			if (!lease) return done(new Error(setupError));
			let key: string;
			try {
				key = keyOf(msg);
			} catch (error) {
				counts.noKey += 1;
				showCounts();
				return done(unusableEventError(RED._('mailtarget-dedupe.errors.noKey', { reason: (error as Error).message })));
			}
			// From a webhook request still waiting for its answer: its key is tentative until the request commits.
			const token = ackTokenOf(msg);
			const tracker = token === undefined ? undefined : currentAckTracker();
			const ackState = token === undefined || !tracker ? 'unknown' : tracker.stateOf(token);
			// That request was already answered with an error: Mailtarget sends this event again.
			if (ackState === 'failed') return done();
			const heldBy = ackState === 'open' ? token : undefined;
			try {
				const owner = lease.store.tentativeOwner(key);
				const [seen] = lease.store.checkAndRecord([key], Date.now(), heldBy);
				if (!seen.duplicate) {
					if (heldBy !== undefined) tracker?.join(heldBy, participant);
					counts.kept += 1;
					send([msg, null]);
				} else {
					// The first copy is not stored yet: this one is only safe to drop if that one gets stored.
					if (heldBy !== undefined && owner !== undefined) tracker?.dependOn(heldBy, owner);
					counts.discarded += 1;
					msg.firstSeenAt = new Date(seen.firstSeenAt).toISOString();
					send([null, msg]);
				}
			} catch (error) {
				fail(RED._('mailtarget-dedupe.status.storeFailed'));
				return done(new Error(RED._('mailtarget-dedupe.errors.storeFailed', { reason: (error as Error).message })));
			}
			showCounts();
			done();
		});

		node.on('close', (removed, done) => {
			badge.stop();
			currentAckTracker()?.failWhere((participants) => participants.has(participant), 'the dedupe node stopped');
			try {
				lease?.release(removed && !def.storeName?.trim());
			} catch (error) {
				node.warn(RED._('mailtarget-dedupe.errors.flush', { reason: (error as Error).message }));
			}
			done();
		});
	}
	RED.nodes.registerType('mailtarget-dedupe', MailtargetDedupe);
};
