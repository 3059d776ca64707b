/**
 * The CRM page's script, inlined into the page. It builds every element with createElement and
 * text nodes (never innerHTML), so recorded data can only ever show up as text.
 */
export const PAGE_SCRIPT = String.raw`
(function () {
  'use strict';
  var SVG_NS = 'http://www.w3.org/2000/svg';
  var STATE_PATH = '/_simulator/state';
  var EVENTS_PATH = '/_simulator/events';
  var TYPE_LABELS = { delivered: 'Delivered', opened: 'Opened', clicked: 'Clicked', bounced: 'Bounced',
    complaint: 'Complaint', unsubscribed: 'Unsubscribed', other: 'Other event' };
  var CONTACTS_STEP = 25;
  var ROWS_SHOWN = 8;

  var state = null;
  var selected = decodeURIComponent(location.hash.slice(1)) || null;
  var chosen = selected !== null;
  var contactsShown = {};
  var expanded = {};
  var loading = false;
  var again = false;
  var focusTab = false;
  var liveEl = document.getElementById('live');
  var tabsEl = document.getElementById('tabs');
  var viewEl = document.getElementById('view');

  function append(node, children) {
    if (children === undefined || children === null) return node;
    if (!Array.isArray(children)) children = [children];
    children.forEach(function (child) {
      if (child === null || child === undefined || child === false) return;
      node.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
    });
    return node;
  }
  function el(tag, className, children) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    return append(node, children);
  }
  function svg(tag, attrs, text) {
    var node = document.createElementNS(SVG_NS, tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, String(attrs[name])); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function duration(ms) {
    if (ms === null || ms === undefined) return '–';
    var sign = ms < 0 ? '−' : '';
    var a = Math.abs(ms);
    if (a < 1000) return sign + a + ' ms';
    if (a < 60000) return sign + (a / 1000).toFixed(a < 10000 ? 1 : 0) + ' s';
    if (a < 3600000) return sign + Math.floor(a / 60000) + ' min ' + Math.round((a % 60000) / 1000) + ' s';
    if (a < 86400000) return sign + (a / 3600000).toFixed(1) + ' h';
    return sign + (a / 86400000).toFixed(1) + ' d';
  }
  function freshClass(ms) {
    if (ms === null || ms === undefined) return 'fresh';
    var target = state.freshnessTargetMs;
    return 'fresh ' + (ms < target ? 'ok' : ms < 5 * target ? 'warn' : 'bad');
  }
  function timeText(iso, reference) {
    if (!iso) return '–';
    var d = new Date(iso);
    var time = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
    var ref = reference ? new Date(reference) : new Date();
    return d.toDateString() === ref.toDateString() ? time : d.toLocaleDateString() + ' ' + time;
  }
  function timeCell(iso, reference) {
    var cell = el('td', 'time', timeText(iso, reference));
    if (iso) cell.title = iso;
    return cell;
  }

  function card(label, value, note, valueClass) {
    return el('div', 'card', [el('div', 'label', label), el('div', 'value' + (valueClass ? ' ' + valueClass : ''), value), note ? el('div', 'note', note) : null]);
  }

  function flagBadges(flags) {
    return [
      flags.undeliverable ? el('span', 'badge flag-undeliverable', 'Undeliverable') : null,
      flags.doNotContact ? el('span', 'badge flag-dnc', 'Do not contact') : null,
      flags.optedOut ? el('span', 'badge flag-optout', 'Opted out') : null
    ];
  }

  function countChips(contact) {
    var c = contact.counts;
    var chips = [];
    if (c.delivered) chips.push('Delivered' + (c.delivered > 1 ? ' ×' + c.delivered : ''));
    if (c.opened) chips.push('Opened ×' + c.opened);
    if (c.clicked) chips.push('Clicked ×' + c.clicked);
    if (c.bounced) {
      var parts = [];
      if (contact.bounces.hard) parts.push(contact.bounces.hard + ' hard');
      if (contact.bounces.soft) parts.push(contact.bounces.soft + ' soft');
      if (contact.bounces.unknown) parts.push(contact.bounces.unknown + ' unclassified');
      chips.push('Bounced (' + parts.join(', ') + ')');
    }
    if (c.complaint) chips.push('Complaint' + (c.complaint > 1 ? ' ×' + c.complaint : ''));
    if (c.unsubscribed) chips.push('Unsubscribed');
    if (c.other) chips.push('Other ×' + c.other);
    return el('div', 'chips', chips.map(function (text) { return el('span', 'chip', text); }));
  }

  function detail(activity, previousSubject) {
    var parts = [];
    if (activity.url) parts.push(el('div', null, ['Link: ', el('span', 'url', activity.url)]));
    if (activity.bounce) {
      var b = activity.bounce;
      parts.push(el('div', null, b.class + ' bounce' + (b.code !== null ? ' · code ' + b.code : '') + (b.reason ? ' · ' + b.reason : '')));
    }
    if (activity.subject && activity.subject !== previousSubject) parts.push(el('div', 'muted', activity.subject));
    if (activity.source === 'contact field') parts.push(el('div', 'muted', 'from the contact field (this CRM keeps no activity for it)'));
    if (activity.repeats > 0) parts.push(el('div', 'muted', activity.repeats + ' repeated write' + (activity.repeats > 1 ? 's' : '') + ' absorbed'));
    return parts;
  }

  function timelineRow(activity, index, rows) {
    // The subject once per run of rows about the same email, not on every line.
    var above = rows[index - 1];
    return el('tr', null, [
      el('td', null, el('span', 'type t-' + activity.type, TYPE_LABELS[activity.type] || activity.type)),
      el('td', 'detail', detail(activity, above ? above.subject : null)),
      timeCell(activity.eventAt, activity.writtenAt),
      timeCell(activity.writtenAt),
      el('td', null, el('span', freshClass(activity.freshnessMs), duration(activity.freshnessMs)))
    ]);
  }

  function contactCard(crm, contact) {
    var id = crm + '|' + contact.key;
    var rows = expanded[id] ? contact.timeline : contact.timeline.slice(0, ROWS_SHOWN);
    var head = el('thead', null, el('tr', null, ['Activity', 'Details', 'Event time', 'Written to CRM', 'Freshness'].map(function (t) { return el('th', null, t); })));
    var table = el('table', 'timeline', [head, el('tbody', null, rows.map(timelineRow))]);
    var hidden = contact.timelineTotal - rows.length;
    var more = null;
    if (hidden > 0 || expanded[id]) {
      more = el('button', 'more', expanded[id] ? 'Show fewer' : 'Show ' + hidden + ' more');
      more.type = 'button';
      more.addEventListener('click', function () { expanded[id] = !expanded[id]; render(); });
    }
    var label = contact.email || contact.key;
    return el('article', 'contact', [
      el('header', null, [el('span', 'who', label), contact.email && contact.email.toLowerCase() !== contact.key.toLowerCase() ? el('span', 'key', contact.key) : null].concat(flagBadges(contact.flags))),
      countChips(contact),
      contact.timeline.length ? table : el('p', 'muted', 'Contact fields updated; no activity recorded for it.'),
      more
    ]);
  }

  function chart(view) {
    var c = view.chart;
    var wrap = el('section', 'panel', [el('h2', null, 'Events received vs written')]);
    if (!c) return append(wrap, el('p', 'muted', 'No requests yet.'));
    var W = 400, H = 180, L = 34, R = 8, T = 8, B = 22;
    var n = c.received.length;
    var top = Math.max(1, c.received[n - 1], c.written[n - 1]);
    var maxFault = Math.max(1, Math.max.apply(null, c.faults));
    var x = function (i) { return L + (W - L - R) * (i + 1) / n; };
    var y = function (v) { return T + (H - T - B) * (1 - v / top); };
    var line = function (values) { return [L + ',' + y(0)].concat(values.map(function (v, i) { return x(i).toFixed(1) + ',' + y(v).toFixed(1); })).join(' '); };
    var last = n - 1;
    var graphic = svg('svg', { 'class': 'chart', viewBox: '0 0 ' + W + ' ' + H, role: 'img',
      'aria-label': c.received[last] + ' events received, ' + c.written[last] + ' written, ' + c.faults.reduce(function (a, b) { return a + b; }, 0) + ' refused or failed requests' });
    graphic.appendChild(svg('line', { x1: L, y1: y(0), x2: W - R, y2: y(0), stroke: '#9aa5b1' }));
    graphic.appendChild(svg('line', { x1: L, y1: T, x2: L, y2: y(0), stroke: '#9aa5b1' }));
    graphic.appendChild(svg('text', { x: L - 4, y: T + 9, 'text-anchor': 'end', 'font-size': 10, fill: '#4d5562' }, String(top)));
    graphic.appendChild(svg('text', { x: L - 4, y: y(0), 'text-anchor': 'end', 'font-size': 10, fill: '#4d5562' }, '0'));
    graphic.appendChild(svg('text', { x: L, y: H - 6, 'font-size': 10, fill: '#4d5562' }, timeText(c.startAt)));
    graphic.appendChild(svg('text', { x: W - R, y: H - 6, 'text-anchor': 'end', 'font-size': 10, fill: '#4d5562' }, timeText(c.endAt)));
    var barWidth = Math.max(1, (W - L - R) / n - 1);
    c.faults.forEach(function (count, i) {
      if (!count) return;
      var h = 4 + 26 * count / maxFault;
      graphic.appendChild(svg('rect', { x: (x(i) - barWidth).toFixed(1), y: (y(0) - h).toFixed(1), width: barWidth.toFixed(1), height: h.toFixed(1), fill: '#b42318', opacity: 0.75 }));
    });
    graphic.appendChild(svg('polyline', { points: line(c.received), fill: 'none', stroke: '#0b57d0', 'stroke-width': 2 }));
    graphic.appendChild(svg('polyline', { points: line(c.written), fill: 'none', stroke: '#1f7a35', 'stroke-width': 2, 'stroke-dasharray': '5 3' }));
    return append(wrap, [graphic, el('div', 'legend', [
      el('span', 'l-received', 'received (' + c.received[last] + ')'),
      el('span', 'l-written', 'written (' + c.written[last] + ')'),
      el('span', 'l-faults', 'refused / failed requests')
    ])]);
  }

  function faultsPanel(view) {
    var f = view.faults;
    var wrap = el('section', 'panel', [el('h2', null, 'Rate limits and faults the queue waited out')]);
    if (!f.recent.length) return append(wrap, el('p', 'muted', 'None so far: every request was answered.'));
    return append(wrap, el('ul', 'faults', f.recent.map(function (fault) {
      return el('li', null, [el('span', 'time', timeText(fault.at)), el('strong', null, fault.label), el('span', 'path', fault.method + ' ' + fault.path)]);
    })));
  }

  function emptyView(view) {
    return el('div', 'empty', [
      el('h2', null, 'Waiting for events…'),
      el('p', null, 'Nothing has reached the ' + view.label + ' stand-in yet. This page updates by itself as soon as the flow writes to it.'),
      el('p', null, ['Point the flow at ', el('code', null, location.origin), ' (the examples read it from their CRM base URL variable).'])
    ]);
  }

  function crmView(view) {
    if (view.requests === 0) return emptyView(view);
    var fresh = view.freshness;
    var f = view.faults;
    var others = f.serverErrors + f.resets + f.unauthorized + f.rejected;
    var cards = el('div', 'cards', [
      card('Activities written', view.activities, view.duplicates + ' repeated write' + (view.duplicates === 1 ? '' : 's') + ' absorbed'),
      card('Contacts', view.contactsTotal, view.requests + ' requests, ' + view.writes + ' writes'),
      card('CRM freshness p50', fresh ? duration(fresh.p50Ms) : '–', 'event time → CRM write', fresh ? freshClass(fresh.p50Ms) : ''),
      card('CRM freshness p95', fresh ? duration(fresh.p95Ms) : '–', fresh ? fresh.withinTarget + ' of ' + fresh.count + ' within 1 min' : 'no timed activity yet', fresh ? freshClass(fresh.p95Ms) : ''),
      card('Rate limits waited out', f.rateLimited, view.crm === 'salesforce' ? '429 or 403 request-limit answers' : '429 answers'),
      card('Other faults', others, f.serverErrors + ' 5xx · ' + f.resets + ' resets · ' + f.unauthorized + ' 401 · ' + f.rejected + ' other 4xx')
    ]);
    var limit = contactsShown[view.crm] || CONTACTS_STEP;
    var contacts = view.contacts.slice(0, limit).map(function (c) { return contactCard(view.crm, c); });
    var left = el('section', null, [el('h2', 'section-title', 'Contacts (' + view.contactsTotal + ')')].concat(contacts));
    if (!view.contacts.length) append(left, el('p', 'muted', 'Requests arrived, but nothing was written yet.'));
    if (view.contacts.length > limit) {
      var more = el('button', 'more', 'Show ' + Math.min(CONTACTS_STEP, view.contacts.length - limit) + ' more contacts');
      more.type = 'button';
      more.addEventListener('click', function () { contactsShown[view.crm] = limit + CONTACTS_STEP; render(); });
      append(left, more);
    }
    if (view.contactsTotal > view.contacts.length) append(left, el('p', 'muted', 'Showing the ' + view.contacts.length + ' most recently written contacts.'));
    return el('div', null, [cards, el('div', 'grid', [left, el('aside', null, [chart(view), faultsPanel(view)])])]);
  }

  function render() {
    if (!state) return;
    var crms = state.crms;
    var known = crms.some(function (c) { return c.crm === selected; });
    if (!chosen || !known) {
      var busy = crms.filter(function (c) { return c.requests > 0; })[0];
      selected = (busy || crms[0]).crm;
    }
    // Updates rebuild the tabs: keep the keyboard focus on them if it was there.
    if (tabsEl.contains(document.activeElement)) focusTab = true;
    tabsEl.replaceChildren.apply(tabsEl, crms.map(function (c) {
      var tab = el('button', null, [c.label, el('span', 'count', c.activities)]);
      tab.type = 'button';
      tab.id = 'tab-' + c.crm;
      tab.setAttribute('role', 'tab');
      tab.setAttribute('aria-selected', String(c.crm === selected));
      tab.setAttribute('aria-controls', 'view');
      tab.tabIndex = c.crm === selected ? 0 : -1;
      tab.addEventListener('click', function () { choose(c.crm, false); });
      return tab;
    }));
    if (focusTab) {
      focusTab = false;
      document.getElementById('tab-' + selected).focus();
    }
    var view = crms.filter(function (c) { return c.crm === selected; })[0];
    viewEl.setAttribute('aria-labelledby', 'tab-' + selected);
    viewEl.replaceChildren(crmView(view));
    document.body.setAttribute('data-generated-at', state.generatedAt);
  }

  function choose(crm, focus) {
    selected = crm;
    chosen = true;
    focusTab = focus;
    history.replaceState(null, '', '#' + crm);
    render();
  }

  // Arrow keys, Home and End move between the CRM tabs, as in any tab list.
  tabsEl.addEventListener('keydown', function (event) {
    if (!state) return;
    var names = state.crms.map(function (c) { return c.crm; });
    var at = names.indexOf(selected);
    var next = { ArrowRight: at + 1, ArrowLeft: at - 1 + names.length, Home: 0, End: names.length - 1 }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    choose(names[next % names.length], true);
  });

  function setLive(on, text) {
    liveEl.className = 'live ' + (on ? 'on' : 'off');
    liveEl.textContent = text;
  }

  function load() {
    if (loading) { again = true; return; }
    loading = true;
    fetch(STATE_PATH, { cache: 'no-store' })
      .then(function (res) { if (!res.ok) throw new Error('HTTP ' + res.status); return res.json(); })
      .then(function (next) { state = next; render(); setLive(true, 'live · updated ' + timeText(next.generatedAt)); })
      .catch(function () { setLive(false, 'simulator not answering, retrying…'); })
      .then(function () {
        loading = false;
        // During a burst every request announces a change: fetch at most four times a second.
        if (again) { again = false; setTimeout(load, 250); }
      });
  }

  if (typeof EventSource === 'function') {
    var stream = new EventSource(EVENTS_PATH);
    stream.onmessage = load;
    stream.onerror = function () { setLive(false, 'reconnecting…'); };
  }
  setInterval(load, 5000);
  load();
})();
`;
