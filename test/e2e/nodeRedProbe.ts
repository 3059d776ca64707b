/**
 * Nodes put beside an example on its tab (the example itself unchanged) so a test can see what
 * the runtime shows a user: every node status and every caught error on the tab, and the
 * members of the runtime's own Object/Array prototypes (to detect prototype pollution).
 */
export const PROBE_CAPTURED_PATH = '/probe/captured';
export const PROBE_PROTOTYPES_PATH = '/probe/prototypes';

const STORE = `
const list = flow.get('captured') || [];
if (list.length < 5000) list.push({ source: msg.status ? 'status' : 'error', node: (msg.status || msg.error || {}).source, status: msg.status, error: msg.error });
flow.set('captured', list);
return null;`;

const PROTOTYPES = `
const objectProto = Object.getPrototypeOf(msg);
const arrayProto = Object.getPrototypeOf(msg.req.rawHeaders);
msg.payload = {
	object: Object.getOwnPropertyNames(objectProto).sort(),
	array: Object.getOwnPropertyNames(arrayProto).sort(),
	pollutedRead: [msg.polluted, msg.payload.polluted, ({}).polluted].filter((v) => v !== undefined),
};
return msg;`;

export function probeNodes(tabId: string): Array<Record<string, unknown>> {
	return [
		{ id: 'probe-status', type: 'status', z: tabId, name: 'probe: every status', scope: null, wires: [['probe-store']] },
		{ id: 'probe-catch', type: 'catch', z: tabId, name: 'probe: every error', scope: null, uncaught: false, wires: [['probe-store']] },
		{ id: 'probe-store', type: 'function', z: tabId, name: 'probe: keep', func: STORE, outputs: 1, wires: [[]] },
		{ id: 'probe-in-captured', type: 'http in', z: tabId, name: '', url: PROBE_CAPTURED_PATH, method: 'get', upload: false, wires: [['probe-captured']] },
		{ id: 'probe-captured', type: 'function', z: tabId, name: 'probe: list', func: "msg.payload = flow.get('captured') || []; return msg;", outputs: 1, wires: [['probe-out']] },
		{ id: 'probe-in-prototypes', type: 'http in', z: tabId, name: '', url: PROBE_PROTOTYPES_PATH, method: 'get', upload: false, wires: [['probe-prototypes']] },
		{ id: 'probe-prototypes', type: 'function', z: tabId, name: 'probe: prototypes', func: PROTOTYPES, outputs: 1, wires: [['probe-out']] },
		{ id: 'probe-out', type: 'http response', z: tabId, name: '', statusCode: '', headers: {}, wires: [] },
	];
}
