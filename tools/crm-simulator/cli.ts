import { startCrmSimulator } from './index';

const USAGE = 'Usage: crm-simulator [--port N] [--host HOST]';

function parseArgs(argv: string[]): { port: number; host: string } {
	const options = { port: 4010, host: '127.0.0.1' };
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i] as string;
		const [flag, inline] = arg.split('=', 2) as [string, string | undefined];
		const value = (): string => {
			const next = inline ?? argv[++i];
			if (next === undefined) throw new Error(`${flag} needs a value\n${USAGE}`);
			return next;
		};
		if (flag === '--port') {
			const port = Number(value());
			if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port\n${USAGE}`);
			options.port = port;
		} else if (flag === '--host') {
			options.host = value();
		} else if (flag === '--help' || flag === '-h') {
			console.log(USAGE);
			process.exit(0);
		} else {
			throw new Error(`unknown argument ${arg}\n${USAGE}`);
		}
	}
	return options;
}

async function main(): Promise<void> {
	const { port, host } = parseArgs(process.argv.slice(2));
	const simulator = await startCrmSimulator({
		port,
		host,
		onRequest: (request) => console.log(`${request.method} ${request.path} ${request.status === 0 ? 'reset' : request.status}`),
	});
	console.log(`CRM simulator listening on ${simulator.url}`);
	console.log(`CRM page: ${simulator.pageUrl}`);
	const stop = (): void => {
		simulator.close().then(
			() => process.exit(0),
			() => process.exit(1),
		);
	};
	process.once('SIGINT', stop);
	process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
	console.error(err instanceof Error ? err.message : String(err));
	process.exit(1);
});
