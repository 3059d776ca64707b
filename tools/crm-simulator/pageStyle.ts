/** The CRM page's stylesheet, inlined into the page (no CDN, no web fonts). Colours keep 4.5:1 contrast or more. */
export const PAGE_CSS = String.raw`
:root { color-scheme: light; --ink: #1b1f24; --muted: #4d5562; --line: #d8dde4; --bg: #f4f6f8; --card: #ffffff;
  --accent: #0b57d0; --ok-ink: #0f5c1e; --ok-bg: #e3f3e7; --warn-ink: #6b4100; --warn-bg: #fff1d6; --bad-ink: #8a1c12; --bad-bg: #fde7e5; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); background: var(--bg); }
header.top { display: flex; justify-content: space-between; align-items: center; gap: 16px; padding: 14px 24px; background: #112233; color: #ffffff; }
header.top h1 { margin: 0; font-size: 20px; font-weight: 650; }
header.top .sub { margin: 2px 0 0; color: #c9d4e0; font-size: 13px; }
.live { font-size: 13px; padding: 4px 10px; border-radius: 999px; background: #2a3b4d; color: #ffffff; white-space: nowrap; }
.live::before { content: ""; display: inline-block; width: 8px; height: 8px; border-radius: 50%; margin-right: 6px; background: #9aa5b1; vertical-align: 1px; }
.live.on::before { background: #3ddc84; }
.live.off::before { background: #ff8a80; }
nav.tabs { display: flex; gap: 4px; padding: 0 24px; background: #ffffff; border-bottom: 1px solid var(--line); }
nav.tabs button { font: inherit; border: 0; background: none; padding: 12px 14px 10px; cursor: pointer; color: var(--muted); border-bottom: 3px solid transparent; }
nav.tabs button[aria-selected="true"] { color: var(--ink); font-weight: 600; border-bottom-color: var(--accent); }
nav.tabs button:focus-visible { outline: 2px solid var(--accent); outline-offset: -2px; }
nav.tabs .count { display: inline-block; min-width: 22px; margin-left: 6px; padding: 0 6px; border-radius: 999px; background: #e8ecf1; color: var(--ink); font-size: 12px; text-align: center; }
main { padding: 16px 24px 32px; max-width: 1500px; }
.empty { margin: 48px auto; max-width: 560px; text-align: center; color: var(--muted); }
.empty h2 { color: var(--ink); font-size: 22px; margin-bottom: 8px; }
.empty code { background: #e8ecf1; padding: 1px 5px; border-radius: 4px; color: var(--ink); }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 12px; margin-bottom: 16px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; }
.card .label { color: var(--muted); font-size: 13px; font-weight: 600; }
.card .value { font-size: 24px; font-weight: 650; margin-top: 2px; }
.card .note { color: var(--muted); font-size: 12px; }
.grid { display: grid; grid-template-columns: minmax(0, 1fr) 420px; gap: 16px; align-items: start; }
@media (max-width: 1000px) { .grid { grid-template-columns: minmax(0, 1fr); } }
.panel { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; margin-bottom: 16px; }
.panel h2 { font-size: 15px; margin: 0 0 8px; }
.contact { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; margin-bottom: 12px; }
.contact header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 8px; margin-bottom: 6px; }
.contact .who { font-weight: 650; font-size: 15px; overflow-wrap: anywhere; }
.contact .key { color: var(--muted); font-size: 12px; overflow-wrap: anywhere; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 12px; font-weight: 600; border: 1px solid transparent; }
.flag-undeliverable { background: var(--bad-bg); color: var(--bad-ink); border-color: #f3b8b2; }
.flag-dnc { background: var(--warn-bg); color: var(--warn-ink); border-color: #efcf8f; }
.flag-optout { background: #e9ecff; color: #2b3590; border-color: #c3c9f5; }
.chips { display: flex; flex-wrap: wrap; gap: 6px; margin-bottom: 8px; }
.chip { padding: 1px 8px; border-radius: 4px; font-size: 12px; background: #eef1f5; color: var(--ink); border: 1px solid var(--line); }
table.timeline { width: 100%; border-collapse: collapse; font-size: 13px; }
table.timeline th { text-align: left; font-weight: 600; color: var(--muted); font-size: 12px; border-bottom: 1px solid var(--line); padding: 4px 6px; }
table.timeline td { padding: 4px 6px; border-bottom: 1px solid #edf0f3; vertical-align: top; }
table.timeline td.detail { overflow-wrap: anywhere; }
table.timeline td.time { white-space: nowrap; font-variant-numeric: tabular-nums; }
.type { font-weight: 600; white-space: nowrap; }
.type::before { content: ""; display: inline-block; width: 9px; height: 9px; border-radius: 2px; margin-right: 6px; background: #9aa5b1; }
.t-delivered::before { background: #1f7a35; } .t-opened::before { background: #0b57d0; } .t-clicked::before { background: #6b3fb8; }
.t-bounced::before { background: #b42318; } .t-complaint::before { background: #b45309; } .t-unsubscribed::before { background: #4d5562; }
.fresh { display: inline-block; padding: 0 6px; border-radius: 4px; font-variant-numeric: tabular-nums; white-space: nowrap; }
.fresh.ok { background: var(--ok-bg); color: var(--ok-ink); } .fresh.warn { background: var(--warn-bg); color: var(--warn-ink); } .fresh.bad { background: var(--bad-bg); color: var(--bad-ink); }
.muted { color: var(--muted); }
.section-title { font-size: 15px; margin: 0 0 8px; }
button.more { font: inherit; font-size: 13px; margin-top: 6px; border: 1px solid var(--line); background: #ffffff; color: var(--accent); border-radius: 6px; padding: 3px 10px; cursor: pointer; }
ul.faults { list-style: none; margin: 0; padding: 0; font-size: 13px; max-height: 260px; overflow: auto; }
ul.faults li { display: flex; gap: 8px; padding: 3px 0; border-bottom: 1px solid #edf0f3; }
ul.faults .time { font-variant-numeric: tabular-nums; color: var(--muted); }
ul.faults .path { overflow-wrap: anywhere; color: var(--muted); }
svg.chart { width: 100%; height: auto; display: block; }
.legend { display: flex; gap: 14px; font-size: 12px; color: var(--muted); margin-top: 4px; flex-wrap: wrap; }
.legend span::before { content: ""; display: inline-block; width: 14px; height: 3px; margin-right: 5px; vertical-align: 3px; }
.legend .l-received::before { background: #0b57d0; } .legend .l-written::before { background: #1f7a35; } .legend .l-faults::before { background: #b42318; height: 8px; vertical-align: 0; }
`;
