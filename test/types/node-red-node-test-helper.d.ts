declare module 'node-red-node-test-helper' {
	interface TestNode {
		on(event: string, listener: (...args: any[]) => void): void;
		receive(msg: unknown): void;
		[key: string]: any;
	}
	interface Helper {
		init(nodeRedRuntime: string, userSettings?: Record<string, unknown>): void;
		load(nodes: unknown, flow: unknown[], credentials?: Record<string, unknown>): Promise<void>;
		unload(): Promise<void>;
		getNode(id: string): TestNode;
		startServer(done: (err?: unknown) => void): void;
		stopServer(done: (err?: unknown) => void): void;
		url(): string;
		/** The spy on Node-RED's log: every node.log/warn/error call. */
		log(): { args: unknown[][] };
		/** supertest on the editor's admin app. */
		request(): import('supertest').SuperTest<import('supertest').Test>;
		settings(settings: Record<string, unknown>): void;
		_context: { load(): Promise<void> };
	}
	const helper: Helper;
	export = helper;
}
