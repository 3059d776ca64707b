import { createHash } from 'node:crypto';
import { PAGE_SCRIPT } from './pageScript';
import { PAGE_CSS } from './pageStyle';

/** The CRM page: one self-contained document (inline style, script and SVG), nothing fetched from elsewhere. */

const hash = (text: string): string => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** Only the page's own inline style and script run; it may talk to the simulator and nothing else. */
export const PAGE_CSP = [
	"default-src 'none'",
	`script-src ${hash(PAGE_SCRIPT)}`,
	`style-src ${hash(PAGE_CSS)}`,
	"connect-src 'self'",
	"img-src 'self'",
	"base-uri 'none'",
	"form-action 'none'",
	"frame-ancestors 'none'",
].join('; ');

export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>CRM simulator · Mailtarget email activity</title>
<style>${PAGE_CSS}</style>
</head>
<body>
<header class="top">
<div><h1>CRM simulator · Mailtarget email activity</h1><p class="sub">What each CRM stand-in stored: contacts, their email timeline, flags, and how fresh the CRM is</p></div>
<div id="live" class="live" role="status">connecting…</div>
</header>
<nav id="tabs" class="tabs" role="tablist" aria-label="CRM"></nav>
<main id="view" role="tabpanel"><div class="empty"><h2>Waiting for events…</h2><p>Loading the simulator's state.</p></div></main>
<noscript><p class="empty">This page needs JavaScript. The same data is at <a href="/_simulator/state">/_simulator/state</a>.</p></noscript>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
