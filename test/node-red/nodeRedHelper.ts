import helper from 'node-red-node-test-helper';

import type { NodeRedRuntime } from '../../node-red/lib/types';

helper.init(require.resolve('node-red'));

type NodeModule = (RED: NodeRedRuntime) => void;

/**
 * node-red-node-test-helper runs a real Node-RED runtime; this also hands back the `RED`
 * object so tests can reach `RED.httpNode`, which `helper.request()` (the admin app) does not.
 */
export function withRuntime(...modules: NodeModule[]): { modules: NodeModule[]; red: () => NodeRedRuntime } {
	let captured: NodeRedRuntime | undefined;
	const wrapped = modules.map((module, index) => (RED: NodeRedRuntime) => {
		if (index === 0) captured = RED;
		module(RED);
	});
	return {
		modules: wrapped,
		red: () => {
			if (!captured) throw new Error('Node-RED runtime not loaded yet');
			return captured;
		},
	};
}

export { helper };
