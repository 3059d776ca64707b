/** The badge a node shows in the editor, as the editor's websocket (`/comms`) reports it. */
export interface NodeBadge {
	text: string;
	fill?: string;
}

export interface StatusFeed {
	/** The latest badge of each node, by node id. */
	badges: Map<string, NodeBadge>;
	close(): void;
}

/**
 * Listens to every node's badge the way the editor does: the runtime's comms websocket, topic
 * `status/#`. Works while the admin API has no login (as in the demo and the tests).
 */
export function watchStatuses(nodeRedUrl: string): Promise<StatusFeed> {
	const badges = new Map<string, NodeBadge>();
	const socket = new WebSocket(`${nodeRedUrl.replace(/^http/, 'ws')}/comms`);
	return new Promise((resolve, reject) => {
		socket.addEventListener('open', () => {
			socket.send(JSON.stringify({ subscribe: 'status/#' }));
			resolve({ badges, close: () => socket.close() });
		});
		socket.addEventListener('error', () => reject(new Error(`cannot open ${nodeRedUrl}/comms`)));
		socket.addEventListener('message', (event) => {
			let messages: unknown;
			try {
				messages = JSON.parse(String(event.data));
			} catch {
				return;
			}
			for (const message of Array.isArray(messages) ? messages : [messages]) {
				const { topic, data } = (message ?? {}) as { topic?: string; data?: { text?: unknown; fill?: string } };
				if (typeof topic === 'string' && topic.startsWith('status/')) badges.set(topic.slice('status/'.length), { text: String(data?.text ?? ''), fill: data?.fill });
			}
		});
	});
}
