import type { IncomingMessage, ServerResponse } from 'http';

/** The parts of Node-RED's runtime API our nodes use (Node-RED ships no TypeScript types). */
export interface NodeMessage {
	_msgid?: string;
	payload?: unknown;
	topic?: string;
	[key: string]: unknown;
}

export type NodeStatus = { fill?: 'red' | 'green' | 'yellow' | 'blue' | 'grey'; shape?: 'ring' | 'dot'; text?: string } | Record<string, never>;

export interface NodeDef {
	id: string;
	type: string;
	name?: string;
	z?: string;
	[key: string]: unknown;
}

export interface Node<Credentials = Record<string, string | undefined>> {
	id: string;
	type: string;
	name?: string;
	credentials: Credentials;
	/** Node ids wired to each output. */
	wires?: string[][];
	send(msg: NodeMessage | (NodeMessage | NodeMessage[] | null)[] | null): void;
	status(status: NodeStatus): void;
	log(message: unknown): void;
	warn(message: unknown): void;
	error(message: unknown, msg?: NodeMessage): void;
	on(event: 'input', listener: (msg: NodeMessage, send: Node['send'], done: (err?: Error) => void) => void): void;
	on(event: 'close', listener: (removed: boolean, done: () => void) => void): void;
}

export interface ExpressLayer {
	handle: unknown;
	route?: { path: string; methods: Record<string, boolean> };
}

export interface ExpressApp {
	(req: IncomingMessage, res: ServerResponse, next: () => void): void;
	parent?: ExpressApp;
	use(handler: (req: RawRequest, res: ServerResponse, next: (err?: unknown) => void) => void): void;
	all(path: string, handler: (req: RawRequest, res: ExpressResponse) => void): void;
	_router?: { stack: ExpressLayer[] };
	router?: { stack: ExpressLayer[] };
}

export interface RawRequest extends IncomingMessage {
	_parsedUrl?: { pathname?: string };
	body?: unknown;
	mailtargetRawBody?: Buffer;
	mailtargetTooLarge?: boolean;
}

export interface ExpressResponse extends ServerResponse {
	status(code: number): ExpressResponse;
	type(type: string): ExpressResponse;
	send(body: string): ExpressResponse;
}

export type AdminHandler = (req: IncomingMessage & { query: Record<string, unknown>; params: Record<string, string> }, res: ExpressResponse & { json(body: unknown): void; sendStatus(code: number): void }, next: () => void) => void;

/** The editor's express app, for the endpoints a node's edit dialog calls; absent when the editor is disabled. */
export interface AdminApp {
	get(path: string, ...handlers: AdminHandler[]): void;
	post(path: string, ...handlers: AdminHandler[]): void;
}

export interface NodeRedRuntime {
	nodes: {
		createNode(node: Node<never>, def: NodeDef): void;
		registerType(type: string, constructor: (this: Node<never>, def: NodeDef) => void, options?: { credentials?: Record<string, { type: 'text' | 'password' }> }): void;
		getNode(id: string): unknown;
	};
	httpNode?: ExpressApp;
	httpAdmin?: AdminApp;
	auth?: { needsPermission(permission: string): AdminHandler };
	settings: { httpNodeRoot?: string | false; [key: string]: unknown };
	util: {
		evaluateNodeProperty(value: string, type: string, node: unknown, msg?: NodeMessage): unknown;
		cloneMessage<T extends NodeMessage>(msg: T): T;
	};
	_(key: string, substitutions?: Record<string, unknown>): string;
	/** Node-RED's hooks (2.0 and later). */
	hooks?: { add(hookId: string, callback: (event: never) => unknown): void; remove(hookId: string): void };
}
