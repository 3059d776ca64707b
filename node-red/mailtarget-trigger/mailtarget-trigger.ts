import { handleWebhook, maxBodyBytes, unknownEventTypes, webhookOptionsFrom, type VerificationMethod, type WebhookOptions } from '../../core';
import type { MailtargetConfigNode } from '../lib/configNode';
import { queueState } from '../lib/queueRegistry';
import { serveRawBody, type RawBodyRoute } from '../lib/rawBodyRoute';
import type { ExpressResponse, Node, NodeDef, NodeRedRuntime, RawRequest } from '../lib/types';

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
}

export = function (RED: NodeRedRuntime) {
	function MailtargetTrigger(this: Node<never>, def: TriggerDef) {
		RED.nodes.createNode(this, def);
		const node = this;
		const counts = { accepted: 0, rejected: 0 };
		const showCounts = () =>
			node.status({
				fill: counts.rejected > 0 ? 'yellow' : 'green',
				shape: 'dot',
				text: RED._('mailtarget-trigger.status.counts', counts),
			});

		const config = def.config ? (RED.nodes.getNode(def.config) as MailtargetConfigNode | null) : null;
		const method = def.authentication ?? 'signature';
		const bodyLimit = maxBodyBytes(def.maxBodyMiB);
		const queueNames = (def.queueNames ?? '').split(',').map((name) => name.trim()).filter(Boolean);
		const capacity = () => {
			const rooms = queueNames.map((name) => queueState(name)?.room).filter((room): room is number => room !== undefined);
			return rooms.length > 0 ? Math.min(...rooms) : undefined;
		};
		const options = (): WebhookOptions =>
			webhookOptionsFrom({
				...config?.secrets(),
				method,
				signatureHeader: def.signatureHeader,
				eventTypes: def.events,
				maxBodyMiB: def.maxBodyMiB,
				diagnostics: def.diagnostics === true,
				capacity: capacity(),
			});

		const respond = (req: RawRequest, res: ExpressResponse) => {
			const result = handleWebhook(
				{ method: req.method ?? 'GET', headers: req.headers, rawBody: req.mailtargetTooLarge ? Buffer.alloc(bodyLimit + 1) : req.mailtargetRawBody ?? Buffer.alloc(0) },
				options(),
			);
			if (result.diagnostics) node.log(RED._('mailtarget-trigger.log.diagnostics', { details: JSON.stringify(result.diagnostics) }));
			if (result.status === 503) res.setHeader('Retry-After', '60');
			res.status(result.status).type('text/plain').send(result.body);
			if (result.status !== 200) {
				counts.rejected += 1;
				node.warn(RED._('mailtarget-trigger.log.rejected', { status: result.status, reason: result.reason ?? result.body }));
			} else {
				counts.accepted += 1;
				for (const event of result.events) node.send({ payload: event, topic: event.type });
			}
			showCounts();
		};

		let route: RawBodyRoute | undefined;
		const typos = unknownEventTypes(def.events);
		if (typos.length > 0) {
			// Serving with a filter that matches nothing would acknowledge and drop every event; not serving makes Mailtarget retry.
			node.status({ fill: 'red', shape: 'ring', text: RED._('mailtarget-trigger.status.badEvents') });
			node.error(RED._('mailtarget-trigger.errors.badEvents', { types: typos.join(', ') }));
			return;
		}
		if (method !== 'none' && !config) {
			node.status({ fill: 'red', shape: 'ring', text: RED._('mailtarget-trigger.status.noConfig') });
		}
		try {
			route = serveRawBody(RED, def.path || '/mailtarget', bodyLimit, respond);
			if (method === 'none' || config) showCounts();
		} catch (error) {
			node.status({ fill: 'red', shape: 'ring', text: RED._('mailtarget-trigger.status.notServing') });
			node.error(RED._('mailtarget-trigger.errors.notServing', { reason: (error as Error).message }));
		}
		node.on('close', (_removed, done) => {
			route?.close();
			done();
		});
	}
	RED.nodes.registerType('mailtarget-trigger', MailtargetTrigger);
};
