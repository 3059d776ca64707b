import { rmSync } from 'fs';

import type { CrmAnswer } from '../../core/delivery/classifyResponse';
import { readQueueSettings, type QueueSettingsInput } from '../../core/delivery/queueSettings';
import { ackLedgerFor } from '../lib/ackLedger';
import { CrmQueue, QUEUE_MARKER, type Settled } from '../lib/crmQueue';
import { ackTokenOf, currentAckTracker, type AckParticipant } from '../lib/durableAck';
import { DurableQueueStore, queueJournalFile, type QueueEntry } from '../lib/durableQueueStore';
import { publishQueue } from '../lib/queueRegistry';
import type { Node, NodeDef, NodeMessage, NodeRedRuntime, NodeStatus } from '../lib/types';
import { queueStatus } from '../lib/queueStatus';
import { statusBadge } from '../lib/statusBadge';

const STATUS_EVERY_MS = 1000;
/** The topic of a message that puts dead letters back into the queue (`msg.payload.ids` or `msg.ids` picks some). */
const RESEND_TOPIC = 'resend-dead-letters';

/** Node-RED's runtime events; `flows:started` fires once every node of a deploy is running. */
interface RuntimeEvents {
	once(event: 'flows:started', listener: () => void): void;
	removeListener(event: 'flows:started', listener: () => void): void;
}

interface QueueDef extends NodeDef, QueueSettingsInput {
	queueName?: string;
}

export = function (RED: NodeRedRuntime) {
	function MailtargetCrmQueue(this: Node<never>, def: QueueDef) {
		RED.nodes.createNode(this, def);
		const node = this;
		const queueName = def.queueName?.trim() || node.id;
		const t = (key: string, values?: Record<string, unknown>) => RED._(`mailtarget-crm-queue.${key}`, values);
		let lastStatus = '';
		const setStatus = (status: NodeStatus) => {
			const text = JSON.stringify(status);
			if (text !== lastStatus) node.status(status);
			lastStatus = text;
		};
		const broken = (reason: string) => {
			setStatus({ fill: 'red', shape: 'ring', text: t('status.broken') });
			node.error(t('errors.storeFailed', { reason }));
		};

		let store: DurableQueueStore | undefined;
		let queue: CrmQueue | undefined;
		let withdraw: (() => void) | undefined;
		let setupError: string | undefined;
		const parsed = readQueueSettings(def);
		const batchSize = parsed.ok ? parsed.settings.batchSize : 1;
		const recordsOf = (entries: QueueEntry[]) => (batchSize === 1 ? entries[0]?.message.payload : entries.map((entry) => entry.message.payload));
		const topicOf = (entries: QueueEntry[]) => (batchSize === 1 ? entries[0]?.message.topic : undefined);
		const outcome = (settled: Settled): NodeMessage => ({
			payload: recordsOf(settled.entries),
			topic: topicOf(settled.entries),
			reason: settled.reason,
			attempts: Math.max(...settled.entries.map((entry) => entry.attempts)),
			crm: settled.answer,
		});
		const showState = () => queue && setStatus(queueStatus(queue.state(), Date.now(), t));
		const badge = statusBadge(setStatus, () => (queue ? queueStatus(queue.state(), Date.now(), t) : {}));
		const participant: AckParticipant = {
			sync: (tokens, done) => (store ? store.syncInBackground(done, tokens) : done()),
			commit: (token) => queue?.commitHeld(token),
			abort: (token) => store?.abortHeld(token),
		};

		try {
			if (!parsed.ok) throw new Error(parsed.reason);
			const userDir = RED.settings.userDir;
			if (typeof userDir !== 'string' || userDir === '') throw new Error(t('errors.noUserDir'));
			withdraw = publishQueue(queueName, node.id, () => (queue as CrmQueue).state());
			// The ledger is opened only when the journal holds records of a webhook request (a flow answering once stored).
			store = DurableQueueStore.open(
				queueJournalFile(userDir, node.id, def.queueName),
				parsed.settings.rate.max,
				Date.now(),
				(token) => ackLedgerFor(userDir).has(token),
				(tokens) => ackLedgerFor(userDir).commit(tokens, Date.now(), (error) => {
					if (error) throw error;
				}),
			);
			queue = new CrmQueue(store, queueName, parsed.settings, {
				release: ({ marker, entries }) => node.send([RED.util.cloneMessage({ payload: recordsOf(entries), topic: topicOf(entries), [QUEUE_MARKER]: marker }), null, null]),
				delivered: (settled) => node.send([null, RED.util.cloneMessage(outcome(settled)), null]),
				deadLettered: (settled) => node.send([null, null, RED.util.cloneMessage(outcome(settled))]),
				failed: (error) => broken(error.message),
			});
		} catch (error) {
			withdraw?.();
			store?.close();
			queue = undefined;
			setupError = t('errors.notStarted', { reason: (error as Error).message });
			setStatus({ fill: 'red', shape: 'ring', text: t('status.notStarted') });
			node.error(setupError);
		}
		// Messages sent before every node of the flow runs are dropped by Node-RED, so draining waits for the deploy to finish.
		const events = (RED as NodeRedRuntime & { events?: RuntimeEvents }).events;
		const startDraining = () => queue?.start();
		events?.once('flows:started', startDraining);
		showState();
		const statusTimer = setInterval(() => {
			showState();
			try {
				store?.sync();
			} catch (error) {
				broken((error as Error).message);
			}
		}, STATUS_EVERY_MS);

		node.on('input', (msg, _send, done) => {
			// Its own error, sent back by a Catch node: refusing it again would go round forever.
			if ((msg.error as { source?: { id?: string } } | undefined)?.source?.id === node.id) {
				node.error(t('errors.catchLoop'));
				return done();
			}
			if (!queue) return done(new Error(setupError));
			const marker = msg[QUEUE_MARKER];
			try {
				if (msg.topic === RESEND_TOPIC) {
					const ids = resendIds(msg);
					if (ids === null) return done(new Error(t('errors.resendIds')));
					const outcome = queue.resendDeadLetters(ids);
					if (outcome.noRoom) return done(new Error(t('errors.resendNoRoom', { name: queueName })));
					if (outcome.unknown.length > 0) node.warn(t('log.resendUnknown', { ids: outcome.unknown.join(', ') }));
					node.log(t('log.resent', { number: outcome.resent }));
					return done();
				}
				if (queue.isOwn(marker)) {
					if (queue.answer(marker, answerOf(msg)) === 'late') node.warn(t('log.lateAnswer', { batch: marker.batchId }));
					return done();
				}
				const topic = typeof msg.topic === 'string' ? { topic: msg.topic } : {};
				const records = Array.isArray(msg.payload) ? msg.payload : [msg.payload];
				// From a webhook request still waiting for its answer: held until the request commits.
				const token = ackTokenOf(msg);
				const tracker = token === undefined ? undefined : currentAckTracker();
				const ackState = token === undefined || !tracker ? 'unknown' : tracker.stateOf(token);
				// That request was already answered with an error: Mailtarget sends these events again.
				if (ackState === 'failed') return done();
				const heldBy = ackState === 'open' ? token : undefined;
				if (!queue.enqueue(records.map((payload: unknown) => ({ payload, ...topic })), heldBy)) {
					return done(new Error(t('errors.full', { name: queueName, max: parsed.ok ? parsed.settings.maxPending : 0 })));
				}
				if (heldBy !== undefined) tracker?.join(heldBy, participant);
				done();
			} catch (error) {
				broken((error as Error).message);
				done(new Error(t('errors.notStored', { reason: (error as Error).message })));
			} finally {
				badge.update();
			}
		});

		node.on('close', (removed, done) => {
			clearInterval(statusTimer);
			badge.stop();
			events?.removeListener('flows:started', startDraining);
			currentAckTracker()?.failWhere((participants) => participants.has(participant), t('log.stopped'));
			queue?.stop();
			withdraw?.();
			try {
				const held = store?.size ?? 0;
				store?.close();
				if (removed && store && held === 0) rmSync(store.file, { force: true });
				else if (removed && store) node.warn(t('log.keptOnRemove', { count: held, file: store.file }));
			} catch (error) {
				node.warn(t('errors.close', { reason: (error as Error).message }));
			}
			done();
		});
	}
	RED.nodes.registerType('mailtarget-crm-queue', MailtargetCrmQueue);

	// The editor's button: the same as a message with the re-send topic.
	RED.httpAdmin?.post('/mailtarget-crm-queue/:id/resend-dead-letters', RED.auth?.needsPermission('mailtarget-crm-queue.write') ?? ((_req, _res, next) => next()), (req, res) => {
		const target = RED.nodes.getNode(req.params.id) as { type?: string; receive?: (msg: NodeMessage) => void } | null;
		if (!target || target.type !== 'mailtarget-crm-queue' || !target.receive) return void res.sendStatus(404);
		target.receive({ topic: RESEND_TOPIC });
		res.sendStatus(200);
	});
};

/** The dead letters a re-send names: undefined for all, null when the ids are not a list of strings. */
function resendIds(msg: NodeMessage): string[] | undefined | null {
	const ids = (msg.payload as { ids?: unknown } | undefined)?.ids ?? msg.ids;
	if (ids === undefined) return undefined;
	return Array.isArray(ids) && ids.every((id) => typeof id === 'string') ? ids : null;
}

/** The CRM's answer as the `http request` node (or a Catch node, for a network error) hands it back. */
function answerOf(msg: NodeMessage): CrmAnswer {
	if (msg.statusCode === undefined && msg.error !== undefined) return { error: msg.error };
	return { statusCode: msg.statusCode as CrmAnswer['statusCode'], headers: msg.headers as CrmAnswer['headers'], body: msg.payload, error: msg.error };
}
