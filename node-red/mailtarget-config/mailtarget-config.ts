import type { MailtargetConfigCredentials, MailtargetConfigNode } from '../lib/configNode';
import type { NodeDef, NodeRedRuntime } from '../lib/types';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

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
	// For the edit dialog: whether each named variable is set, never its value.
	RED.httpAdmin?.get('/mailtarget-config/env-set', RED.auth?.needsPermission('flows.read') ?? ((_req, _res, next) => next()), (req, res) => {
		const names = String(req.query.names ?? '').split(',').filter((name) => ENV_NAME.test(name)).slice(0, 20);
		res.json(Object.fromEntries(names.map((name) => [name, typeof process.env[name] === 'string' && process.env[name] !== ''])));
	});
	RED.nodes.registerType('mailtarget-config', MailtargetConfig as never, {
		credentials: {
			signingSecret: { type: 'password' },
			previousSigningSecret: { type: 'password' },
			basicAuthUser: { type: 'text' },
			basicAuthPassword: { type: 'password' },
		},
	});
};
