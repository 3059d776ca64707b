import type { MailtargetConfigCredentials, MailtargetConfigNode } from '../lib/configNode';
import type { NodeDef, NodeRedRuntime } from '../lib/types';

const FIELDS = ['signingSecret', 'previousSigningSecret', 'basicAuthUser', 'basicAuthPassword'] as const;

export = function (RED: NodeRedRuntime) {
	function MailtargetConfig(this: MailtargetConfigNode, def: NodeDef) {
		RED.nodes.createNode(this as never, def);
		const node = this;
		node.secrets = () => {
			const out = {} as Required<MailtargetConfigCredentials>;
			for (const field of FIELDS) {
				const fromCredential = node.credentials?.[field] ?? '';
				const envName = typeof def[`${field}Env`] === 'string' ? (def[`${field}Env`] as string).trim() : '';
				const fromEnv = envName ? RED.util.evaluateNodeProperty(envName, 'env', node) : '';
				out[field] = fromCredential !== '' ? fromCredential : typeof fromEnv === 'string' ? fromEnv : '';
			}
			return out;
		};
	}
	RED.nodes.registerType('mailtarget-config', MailtargetConfig as never, {
		credentials: {
			signingSecret: { type: 'password' },
			previousSigningSecret: { type: 'password' },
			basicAuthUser: { type: 'text' },
			basicAuthPassword: { type: 'password' },
		},
	});
};
