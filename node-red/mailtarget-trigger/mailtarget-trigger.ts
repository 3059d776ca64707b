import { handleWebhook, maxBodyBytes, unknownEventTypes, webhookOptionsFrom, type VerificationMethod, type WebhookOptions } from '../../core';
import { ackLedgerFor } from '../lib/ackLedger';
import type { MailtargetConfigNode } from '../lib/configNode';
import { downstreamOf, type Downstream } from '../lib/downstream';
import { ACK_PROPERTY, acquireAckTracker, type AckOutcome, type AckTracker } from '../lib/durableAck';
import { queueState } from '../lib/queueRegistry';
import { statusBadge } from '../lib/statusBadge';
import { serveRawBody, type RawBodyRoute, type Reply } from '../lib/rawBodyRoute';
import type { Node, NodeDef, NodeRedRuntime, RawRequest } from '../lib/types';

/** Well under the 10 s Mailtarget waits for an answer, so it gets our 503 and not its own timeout. */
const STORED_DEADLINE_MS = 5000;
const RETRY_AFTER_SECONDS = '60';

interface TriggerDef extends NodeDef {
	path?: string;
	config?: string;
	authentication?: VerificationMethod;
	signatureHeader?: string;
	events?: string;
	maxBodyMiB?: number | string;
	diagnostics?: boolean;
	/** Comma-separated names of mailtarget-crm-queue nodes whose room decides between 200 and 503. */
	queueNames?: string;
	/** 'stored' (default): answer 200 once every event is stored by a queue or finished; 'received': at once. */
	acknowledge?: 'stored' | 'received';
}

interface RuntimeEvents {
	on(event: 'flows:started', listener: () => void): void;
	removeListener(event: 'flows:started', listener: () => void): void;
}

export = function (RED: NodeRedRuntime) {
	function MailtargetTrigger(this: Node<never>, def: TriggerDef) {
		RED.nodes.createNode(this, def);
		const node = this;
		const counts = { accepted: 0, rejected: 0 };
		const badge = statusBadge(
			(status) => node.status(status),
			() => {
				const text = RED._('mailtarget-trigger.status.counts', counts);
				// Verification "none" is a risky setting: the badge says so for as long as it is on.
				if (method === 'none') return { fill: 'yellow', shape: 'ring', text: `${RED._('mailtarget-trigger.status.unverified')} · ${text}` };
				return { fill: counts.rejected > 0 ? 'yellow' : 'green', shape: 'dot', text };
			},
		);
		const showCounts = () => badge.update();

		const config = def.config ? (RED.nodes.getNode(def.config) as MailtargetConfigNode | null) : null;
		const method = def.authentication ?? 'signature';
		const bodyLimit = maxBodyBytes(def.maxBodyMiB);
		const queueNames = (def.queueNames ?? '').split(',').map((name) => name.trim()).filter(Boolean);
		const capacity = () => {
			const rooms = queueNames.map((name) => queueState(name)?.room).filter((room): room is number => room !== undefined);
			return rooms.length > 0 ? Math.min(...rooms) : undefined;
		};
		// Secrets and settings are fixed for the life of this node (a redeploy makes a new one); only the queues' room changes.
		let fixedOptions: WebhookOptions | undefined;
		const options = (): WebhookOptions => {
			fixedOptions ??= webhookOptionsFrom({
				...config?.secrets(),
				method,
				signatureHeader: def.signatureHeader,
				eventTypes: def.events,
				maxBodyMiB: def.maxBodyMiB,
				diagnostics: def.diagnostics === true,
			});
			return queueNames.length > 0 ? { ...fixedOptions, capacity: capacity() } : fixedOptions;
		};

		// Durable acknowledgement: only where a queue can be reached, so a flow without one is not slowed.
		let acker: { tracker: AckTracker; release(): void } | undefined;
		const userDir = RED.settings.userDir;
		if (def.acknowledge !== 'received' && RED.hooks && typeof userDir === 'string' && userDir !== '') {
			try {
				acker = acquireAckTracker(RED.hooks, ackLedgerFor(userDir));
			} catch (error) {
				node.error(RED._('mailtarget-trigger.errors.noLedger', { reason: (error as Error).message }));
			}
		}
		let downstream: Downstream | undefined;
		const forgetDownstream = () => (downstream = undefined);
		const events = (RED as NodeRedRuntime & { events?: RuntimeEvents }).events;
		events?.on('flows:started', forgetDownstream);
		const waitsForStorage = () => {
			downstream ??= downstreamOf(node.wires, (id) => RED.nodes.getNode(id));
			return acker !== undefined && downstream !== 'none';
		};
		const openRequests = new Set<string>();

		const refuse = (reply: Reply, status: number, body: string, reason: string) => {
			reply(status, body, status === 503 ? { 'Retry-After': RETRY_AFTER_SECONDS } : undefined);
			counts.rejected += 1;
			node.warn(RED._('mailtarget-trigger.log.rejected', { status, reason }));
			showCounts();
		};

		const respond = (req: RawRequest, reply: Reply) => {
			const result = handleWebhook(
				{ method: req.method ?? 'GET', headers: req.headers, rawBody: req.mailtargetTooLarge ? Buffer.alloc(bodyLimit + 1) : req.mailtargetRawBody ?? Buffer.alloc(0) },
				options(),
			);
			if (result.diagnostics) node.log(RED._('mailtarget-trigger.log.diagnostics', { details: JSON.stringify(result.diagnostics) }));
			if (result.status !== 200) return refuse(reply, result.status, result.body, result.reason ?? result.body);
			if (result.events.length === 0 || !waitsForStorage()) {
				reply(200, result.body);
				counts.accepted += 1;
				showCounts();
				for (const event of result.events) node.send({ payload: event, topic: event.type });
				return;
			}
			const tracker = (acker as { tracker: AckTracker }).tracker;
			const token = tracker.open(STORED_DEADLINE_MS, (outcome: AckOutcome) => {
				openRequests.delete(token);
				if (outcome.ok) {
					reply(200, result.body);
					counts.accepted += 1;
					showCounts();
				} else {
					refuse(reply, 503, 'Service Unavailable: the events could not be stored, send again later', outcome.reason);
				}
			});
			openRequests.add(token);
			for (const event of result.events) node.send({ payload: event, topic: event.type, [ACK_PROPERTY]: token });
			tracker.sent(token);
		};

		let route: RawBodyRoute | undefined;
		const typos = unknownEventTypes(def.events);
		if (typos.length > 0) {
			// Serving with a filter that matches nothing would acknowledge and drop every event; not serving makes Mailtarget retry.
			node.status({ fill: 'red', shape: 'ring', text: RED._('mailtarget-trigger.status.badEvents') });
			node.error(RED._('mailtarget-trigger.errors.badEvents', { types: typos.join(', ') }));
		} else {
			if (method !== 'none' && !config) {
				node.status({ fill: 'red', shape: 'ring', text: RED._('mailtarget-trigger.status.noConfig') });
			}
			try {
				route = serveRawBody(RED, def.path || '/mailtarget', bodyLimit, respond);
				if (method === 'none' || config) {
					showCounts();
				}
			} catch (error) {
				node.status({ fill: 'red', shape: 'ring', text: RED._('mailtarget-trigger.status.notServing') });
				node.error(RED._('mailtarget-trigger.errors.notServing', { reason: (error as Error).message }));
			}
		}
		node.on('close', (_removed, done) => {
			badge.stop();
			events?.removeListener('flows:started', forgetDownstream);
			route?.close();
			acker?.tracker.failWhere((_participants, token) => openRequests.has(token), RED._('mailtarget-trigger.log.stopped'));
			acker?.release();
			done();
		});
	}
	RED.nodes.registerType('mailtarget-trigger', MailtargetTrigger);
};
