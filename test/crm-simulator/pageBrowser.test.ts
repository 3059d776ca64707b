/**
 * The CRM page in headless Chromium (Debian's, through playwright-core): it renders with no
 * console or page error (a CSP violation would be one), updates by itself when a write arrives,
 * shows hostile recorded data as text, and switches CRM tabs. Screenshots go to artifacts/.
 */
import { mkdirSync } from 'fs';
import { join } from 'path';
import type { Browser, Page } from 'playwright-core';

import { startCrmSimulator, type CrmSimulator } from '../../tools/crm-simulator';
import { launchBrowser } from '../helpers/nodeRedEditor';
import { campaignRecords, exampleFunction, send, type BuiltCall } from './exampleCalls';

const ARTIFACTS = join(__dirname, '..', '..', 'artifacts');
const HOSTILE = '<img src=x onerror=alert(1)>';

/** What the product's queue does on a 429: wait the Retry-After (1 s here) and send again. */
async function sendWaitingOut429(call: BuiltCall | null): Promise<number> {
	let status = await send(call);
	for (let attempt = 0; attempt < 10 && status === 429; attempt++) {
		await new Promise((resolve) => setTimeout(resolve, 1000));
		status = await send(call);
	}
	return status;
}

describe('CRM page in a browser', () => {
	let sim: CrmSimulator;
	let browser: Browser;
	let page: Page;
	const problems: string[] = [];
	const dialogs: string[] = [];

	beforeAll(async () => {
		mkdirSync(ARTIFACTS, { recursive: true });
		sim = await startCrmSimulator({ limits: { custom: { max: 2, intervalMs: 1000, retryAfterSeconds: 1 } } });
		browser = await launchBrowser();
		page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
		page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
		page.on('console', (message) => {
			if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`);
		});
		page.on('dialog', (dialog) => {
			dialogs.push(dialog.message());
			void dialog.dismiss();
		});
		page.on('request', (request) => {
			if (!request.url().startsWith(sim.url)) problems.push(`request elsewhere: ${request.url()}`);
		});
	}, 60_000);

	afterAll(async () => {
		await browser?.close();
		await sim?.close();
	});

	test('shows the empty state first, then fills in live as the CRM is written to, with no error', async () => {
		await page.goto(sim.pageUrl);
		await page.getByRole('heading', { name: 'Waiting for events…' }).waitFor();
		await page.locator('#live.on').waitFor();
		await page.screenshot({ path: join(ARTIFACTS, 'crm-page-empty.png') });

		// A campaign of 6 contacts through the custom-CRM example's call, 8 records per request, over a
		// limit of 2 requests a second: some requests get 429 and are sent again after Retry-After.
		const build = exampleFunction('CRM - custom endpoint.json', 'build custom CRM call', { CRM_BASE_URL: sim.url });
		// Stamped a few seconds ago, as a live sender's events are (the campaign itself spans 13 minutes).
		const now = Date.now();
		const records = campaignRecords('neutral', 6, now - 14 * 60_000).map((r, i) => ({ ...r, occurredAt: new Date(now - 30_000 + i * 900).toISOString() }));
		for (let i = 0; i < records.length; i += 8) expect(await sendWaitingOut429(build(records.slice(i, i + 8)))).toBe(201);
		expect(sim.rateLimitedCount('custom')).toBeGreaterThan(0);
		sim.inject({ kind: 'status', status: 503, count: 1, crm: 'custom' });
		expect(await send(build(records.slice(0, 1)))).toBe(503);

		await page.getByText('contact0@example.com', { exact: true }).waitFor({ timeout: 10_000 });
		await page.getByText(`of ${records.length} within 1 min`).waitFor({ timeout: 10_000 });
		const tab = page.getByRole('tab', { name: /Custom CRM/ });
		expect(await tab.getAttribute('aria-selected')).toBe('true');
		await expect(page.locator('#view article.contact').count()).resolves.toBe(6);
		await expect(page.getByText('Opened ×2').count()).resolves.toBe(6);
		await expect(page.locator('.flag-undeliverable').count()).resolves.toBeGreaterThan(0);
		await expect(page.locator('svg.chart polyline').count()).resolves.toBe(2);
		await expect(page.getByText('503 server error').count()).resolves.toBe(1);
		await expect(page.getByText('429 Too Many Requests').count()).resolves.toBe(sim.rateLimitedCount('custom'));
		await page.screenshot({ path: join(ARTIFACTS, 'crm-page.png') });
		expect(problems).toEqual([]);
	});

	test('a write arriving later appears without a reload; a hostile recipient is shown as text', async () => {
		// A reload would drop this marker.
		await page.evaluate('window.pageMarker = 42');
		const hostile = {
			...campaignRecords('neutral', 1, Date.now() - 2000)[1]!,
			id: 'mailtarget:hostile',
			recipient: HOSTILE,
			contact: { id: null, email: HOSTILE },
		};
		const build = exampleFunction('CRM - custom endpoint.json', 'build custom CRM call', { CRM_BASE_URL: sim.url });
		expect(await sendWaitingOut429(build([hostile]))).toBe(201);

		await page.getByText(HOSTILE, { exact: true }).waitFor({ timeout: 10_000 });
		await expect(page.locator('#view img').count()).resolves.toBe(0);
		expect(await page.evaluate('window.pageMarker')).toBe(42);
		expect(dialogs).toEqual([]);
		expect(problems).toEqual([]);
	});

	test('the HubSpot tab shows what the HubSpot example wrote', async () => {
		const records = campaignRecords('hubspot', 3, Date.now() - 14 * 60_000);
		const vars = { HUBSPOT_BASE_URL: sim.url, HUBSPOT_TOKEN: 'x' };
		expect(await send(exampleFunction('CRM - HubSpot.json', 'build HubSpot notes call', vars)(records))).toBe(201);
		const withContact = records.filter((r) => r.hubspot!.api.contactUpsert);
		expect(await send(exampleFunction('CRM - HubSpot.json', 'build HubSpot contacts call', vars)(withContact))).toBe(200);

		await page.getByRole('tab', { name: /HubSpot/ }).click();
		await page.getByText('contact2@example.com', { exact: true }).waitFor({ timeout: 10_000 });
		await expect(page.locator('#view article.contact').count()).resolves.toBe(3);
		await page.screenshot({ path: join(ARTIFACTS, 'crm-page-hubspot.png') });
		await page.getByRole('tab', { name: /Zendesk/ }).click();
		await page.getByRole('heading', { name: 'Waiting for events…' }).waitFor();
		// The keyboard moves between tabs too: from Zendesk, Home is the custom CRM, ArrowLeft wraps to Zendesk.
		await page.keyboard.press('Home');
		await page.locator('#tab-custom[aria-selected="true"]:focus').waitFor();
		await page.keyboard.press('ArrowLeft');
		await page.locator('#tab-zendesk[aria-selected="true"]:focus').waitFor();
		expect(problems).toEqual([]);
	});
});
