import configModule from '../../node-red/mailtarget-config/mailtarget-config';
import { helper, withRuntime } from './nodeRedHelper';

describe('mailtarget-config in a Node-RED runtime', () => {
	const runtime = withRuntime(configModule);
	const secret = 'value-that-must-never-leave';

	beforeEach((done) => {
		process.env.MAILTARGET_TEST_SECRET = secret;
		delete process.env.MAILTARGET_TEST_MISSING;
		helper.startServer(done);
	});
	afterEach(async () => {
		delete process.env.MAILTARGET_TEST_SECRET;
		await helper.unload();
		await new Promise<void>((resolve) => helper.stopServer(() => resolve()));
	});

	it('tells the edit dialog which named environment variables are set, never their values', async () => {
		await helper.load(runtime.modules, [{ id: 'cfg', type: 'mailtarget-config', signingSecretEnv: 'MAILTARGET_TEST_SECRET' }]);
		const response = await helper.request().get('/mailtarget-config/env-set').query({ names: 'MAILTARGET_TEST_SECRET,MAILTARGET_TEST_MISSING,not a name' });
		expect(response.status).toBe(200);
		expect(response.body).toEqual({ MAILTARGET_TEST_SECRET: true, MAILTARGET_TEST_MISSING: false });
		expect(response.text).not.toContain(secret);
	});

	it('reads a secret from the named variable when its field is empty', async () => {
		await helper.load(runtime.modules, [{ id: 'cfg', type: 'mailtarget-config', signingSecretEnv: 'MAILTARGET_TEST_SECRET' }]);
		const config = helper.getNode('cfg') as unknown as { secrets(): Record<string, string> };
		expect(config.secrets().signingSecret).toBe(secret);
	});
});
