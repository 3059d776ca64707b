/** A CRM that answers garbage, or 200 with an error in the body: what core/delivery decides. */
import { classifyResponse } from '../../core';

describe('garbage and error-in-200 answers', () => {
	test.each([
		['200 with {"success": false, "error": ...}', { statusCode: 200, body: { success: false, error: 'invalid_token' } }, 'dead', /"success": false/],
		['200 with {"status": "error"} (as text)', { statusCode: 200, body: '{"status":"error","message":"quota"}' }, 'dead', /"status": "error"/],
		['201 with {"error": {"code": 5}}', { statusCode: 201, body: { error: { code: 5 } } }, 'dead', /an "error"/],
		['200 with an HTML maintenance page', { statusCode: 200, body: '<!DOCTYPE html><html><body>Down for maintenance</body></html>' }, 'dead', /HTML page/],
		['200 with bytes of an HTML page', { statusCode: 200, body: Buffer.from('<html><head></head></html>') }, 'dead', /HTML page/],
		['200 with {"error": null} or {"error": ""}', { statusCode: 200, body: { error: null, ok: true } }, 'delivered', /accepted/],
		['200 with an empty body', { statusCode: 200, body: '' }, 'delivered', /accepted/],
		['200 with text that is not JSON', { statusCode: 200, body: 'OK' }, 'delivered', /accepted/],
		['200 with binary garbage', { statusCode: 200, body: Buffer.from([0xff, 0x00, 0x13, 0x37]) }, 'delivered', /accepted/],
		['HubSpot 200 COMPLETE', { statusCode: 200, body: { status: 'COMPLETE', results: [] } }, 'delivered', /accepted/],
		['Zendesk 200 job queued', { statusCode: 200, body: { job_status: { status: 'queued' } } }, 'delivered', /accepted/],
		['a status outside HTTP (999)', { statusCode: 999 }, 'retry', /network error/],
		['a status that is text garbage', { statusCode: 'HPE_INVALID_CONSTANT', error: { message: 'Parse Error: Expected HTTP/' } }, 'retry', /HPE_INVALID_CONSTANT: Parse Error/],
		['no status, an error object', { error: new Error('socket hang up') }, 'retry', /socket hang up/],
		['502 with an HTML body', { statusCode: 502, body: '<html>Bad gateway</html>' }, 'retry', /server error \(502\)/],
		['400 with a garbage body', { statusCode: 400, body: '\u0000\u0001' }, 'dead', /rejected by the CRM \(400\)/],
	])('%s -> %s', (_label, answer, outcome, reason) => {
		const verdict = classifyResponse(answer);
		expect(verdict.outcome).toBe(outcome);
		expect(verdict.reason).toMatch(reason);
	});
});
