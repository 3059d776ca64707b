import { mapEvents, type InvalidEvent, type MappedEvent } from '../../core/mapping/mapEvents';
import { routeResults } from '../../core/mapping/routing';
import { readMapperSettings } from '../../core/mapping/settings';
import { unusableEventError } from '../lib/durableAck';
import { statusBadge } from '../lib/statusBadge';
import type { Node, NodeDef, NodeMessage, NodeRedRuntime } from '../lib/types';

interface MapperDef extends NodeDef {
	target?: string;
	routing?: string;
	contactIdKey?: string;
	dealIdKey?: string;
	ownerKey?: string;
	fieldNames?: string;
}

export = function (RED: NodeRedRuntime) {
	function MailtargetEventMapper(this: Node<never>, def: MapperDef) {
		RED.nodes.createNode(this, def);
		const node = this;
		const settings = readMapperSettings(def);
		const counts = { mapped: 0, other: 0, invalid: 0 };
		if (!settings.ok) node.status({ fill: 'red', shape: 'ring', text: RED._('mailtarget-event-mapper.status.badSettings') });
		else node.status({ fill: 'grey', shape: 'ring', text: RED._('mailtarget-event-mapper.status.counts', counts) });
		let fill: 'red' | 'yellow' | 'green' = 'green';
		const badge = statusBadge(
			(status) => node.status(status),
			() => ({ fill, shape: 'dot', text: RED._('mailtarget-event-mapper.status.counts', counts) }),
		);
		node.on('close', (_removed, done) => {
			badge.stop();
			done();
		});

		/** One message per result: the input message's other properties kept, each message its own copy. */
		const messageFor = (msg: NodeMessage, result: MappedEvent): NodeMessage =>
			RED.util.cloneMessage(
				result.ok
					? { ...msg, payload: result.record, topic: result.record.activity.type }
					: { ...msg, payload: result.raw, topic: 'invalid', reason: result.reason },
			);
		const shallowMessageFor = (msg: NodeMessage, result: MappedEvent): NodeMessage =>
			result.ok ? Object.assign(msg, { payload: result.record, topic: result.record.activity.type }) : Object.assign(msg, { payload: result.raw, topic: 'invalid', reason: result.reason });
		const errorFor = (invalid: InvalidEvent) => unusableEventError(`${RED._('mailtarget-event-mapper.errors.invalid')}: ${invalid.reason}`);

		node.on('input', (msg, send, done) => {
			if (!settings.ok) {
				done(new Error(`${RED._('mailtarget-event-mapper.errors.settings')}: ${settings.reason}`));
				return;
			}
			const results = mapEvents(msg.payload, settings.options);
			const { outputs, errors } = routeResults(results, settings.routing);
			// One result per message (as the trigger sends them): the input message is not used again, so no copy is needed.
			const single = results.length === 1;
			if (results.length > errors.length) send(outputs.map((list) => (list.length > 0 ? list.map((result) => (single ? shallowMessageFor(msg, result) : messageFor(msg, result))) : null)));

			const invalid = results.filter((result) => !result.ok).length;
			const other = results.filter((result) => result.route === 'other').length;
			counts.invalid += invalid;
			counts.other += other;
			counts.mapped += results.length - invalid - other;
			fill = errors.length > 0 ? 'red' : invalid > 0 ? 'yellow' : 'green';
			badge.update();

			if (errors.length === 0) {
				done();
				return;
			}
			// done() takes one error and reports it with the input message, so earlier ones go through node.error.
			for (const extra of errors.slice(0, -1)) node.error(errorFor(extra), messageFor(msg, extra));
			const last = errors[errors.length - 1];
			Object.assign(msg, { payload: last.raw, topic: 'invalid', reason: last.reason });
			done(errorFor(last));
		});
	}
	RED.nodes.registerType('mailtarget-event-mapper', MailtargetEventMapper);
};
