// The ledgerlb explorer: plain modern JavaScript, no framework, no build step, nothing fetched
// from elsewhere. Every view reads the allocator's /explorer/api (the queries the CLI runs).
'use strict';

const API = '/explorer/api/';
const view = document.getElementById('view');
let head = { sequence: 0 };
let current = null;          // { name, refresh } of the view on screen
let renderToken = 0;         // a newer navigation makes older renders stop

// ---- small helpers

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

function svg(tag, attrs = {}, ...children) {
  const e = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of children.flat(Infinity)) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  return q.toString();
}

class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

async function api(path, params = {}, options = {}) {
  let response;
  try {
    response = await fetch(API + path + (Object.keys(params).length ? '?' + query(params) : ''),
      { credentials: 'same-origin', ...options });
  } catch (e) {
    throw new ApiError(0, 'the allocator does not answer (' + e.message + ')');
  }
  let body = null;
  try { body = await response.json(); } catch (e) { /* not JSON */ }
  if (!response.ok) {
    if (response.status === 401) showLogin();
    throw new ApiError(response.status, (body && body.error) || ('HTTP ' + response.status));
  }
  return body;
}

function message(kind, text) {
  return el('div', { class: 'message ' + kind, role: kind === 'error' ? 'alert' : 'status' }, text);
}

function short(hash) { return hash ? hash.slice(0, 12) + '…' : ''; }
function fmtTime(t) { return t ? t.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : ''; }
function pct(a, b) { return b > 0 ? Math.min(100, 100 * a / b) : 0; }

function link(hash, text, cls) { return el('a', { href: hash, class: cls }, text); }
function ipLink(ip) { return ip ? link('#/timeline?' + query({ ip }), ip) : ''; }
function serviceLink(s) { return s ? link('#/timeline?' + query({ service: s }), s) : ''; }
function poolLink(p) { return p ? link('#/pool/' + encodeURIComponent(p), p) : ''; }

function exports(path, params) {
  const all = { ...params, all: 1 };
  return el('span', { class: 'exports' }, 'Export:',
    el('a', { href: API + path + '?' + query({ ...all, format: 'csv' }), 'data-export': 'csv', download: '' }, 'CSV'),
    el('a', { href: API + path + '?' + query({ ...all, format: 'json' }), 'data-export': 'json', download: '' }, 'JSON'));
}

function bar(used, total, name) {
  const fill = el('div', { class: 'used' });
  fill.style.width = pct(used, total) + '%';
  return el('div', { class: 'bar', 'data-pool': name, title: used + ' of ' + total + ' used' }, fill);
}

function table(headers, rows, attrs = {}) {
  return el('table', attrs,
    el('thead', {}, el('tr', {}, headers.map(h => el('th', { class: h.endsWith('#') ? 'num' : '' }, h.replace('#', ''))))),
    el('tbody', {}, rows));
}

function pager(page, onPage) {
  const { total, offset, items } = page;
  if (total <= items.length) return el('div', { class: 'muted' }, total + ' in all');
  const size = items.length || 1;
  return el('div', { class: 'pager' },
    el('button', { class: 'secondary', disabled: offset === 0, onclick: () => onPage(Math.max(0, offset - size)) }, '‹ previous'),
    el('span', {}, (offset + 1) + '–' + (offset + items.length) + ' of ' + total),
    el('button', { class: 'secondary', disabled: offset + items.length >= total, onclick: () => onPage(offset + size) }, 'next ›'));
}

// Render timing, as the browser sees it: from the start of a navigation to the frame after the DOM changed.
window.explorerTimings = [];
function rendered(name, start) {
  requestAnimationFrame(() => requestAnimationFrame(() => {
    const ms = performance.now() - start;
    window.explorerTimings.push({ view: name, ms });
    document.body.dataset.rendered = name;
  }));
}

// ---- head and live updates

function showHead() {
  document.getElementById('head-text').textContent = 'seq ' + head.sequence + ' · ' + short(head.hash);
}

async function loadHead() {
  try {
    head = await api('head');
    showHead();
  } catch (e) { /* the view shows the error */ }
}

let live = null;
let refreshTimer = null;
function startLive() {
  if (live) live.close();
  const dot = document.getElementById('live-dot');
  live = new EventSource(API + 'live');
  live.addEventListener('open', () => { dot.className = 'dot on'; dot.title = 'live'; });
  live.addEventListener('error', () => { dot.className = 'dot off'; dot.title = 'not live: reconnecting'; });
  live.addEventListener('head', ev => {
    const { sequence } = JSON.parse(ev.data);
    if (sequence === head.sequence) return;
    head.sequence = sequence;
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(async () => {
      await loadHead();
      if (current && current.refresh) current.refresh();
    }, 150);
  });
  live.addEventListener('broken', ev => {
    view.prepend(message('error', 'The live view of the ledger stopped: ' + JSON.parse(ev.data)));
  });
}

// ---- login (only when the allocator asks for a token)

function showLogin() {
  if (document.getElementById('login')) return;
  const input = el('input', { type: 'password', id: 'token', placeholder: 'token', autocomplete: 'off' });
  const form = el('form', { id: 'login', class: 'card' },
    el('p', {}, 'This explorer needs the token from the allocator\'s --explorer-token-file.'),
    el('div', { class: 'row' }, input, el('button', { type: 'submit' }, 'Log in')));
  form.addEventListener('submit', async ev => {
    ev.preventDefault();
    try {
      await api('login', {}, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Ledgerlb-Explorer': '1' },
        body: JSON.stringify({ token: input.value }) });
      form.remove();
      startLive();
      route();
    } catch (e) { form.append(message('error', e.message)); }
  });
  view.replaceChildren(form);
}

// ---- views

const WAITING_SHOWN = 100;

async function poolsView(start, token) {
  const data = await api('pools');
  if (token !== renderToken) return;
  const rows = data.pools.map(p => el('tr', { 'data-pool': p.name },
    el('td', {}, poolLink(p.name)),
    el('td', { class: 'mono' }, p.addresses),
    el('td', {}, bar(p.assigned, p.total, p.name)),
    el('td', { class: 'num', 'data-count': p.name }, p.assigned + ' / ' + p.total),
    el('td', { class: 'num' }, p.free),
    el('td', { class: 'num' }, p.waiting ? el('span', { class: 'tag refused' }, p.waiting) : '0'),
    el('td', {}, link('#/timeline?' + query({ pool: p.name }), 'timeline'))));
  // the newest refusals only: a table of every one (~950 on a 1 M-event ledger) costs the page more than the query
  const newest = [...data.waiting].sort((a, b) => b.sequence - a.sequence).slice(0, WAITING_SHOWN);
  const waiting = newest.map(w => el('tr', {},
    el('td', {}, serviceLink(w.service)), el('td', {}, el('span', { class: 'tag refused' }, w.reason)),
    el('td', {}, w.message), el('td', {}, w.pools.map(p => [poolLink(p), ' '])),
    el('td', { class: 'mono', title: w.time }, w.sequence)));
  view.replaceChildren(
    el('div', { class: 'row' }, el('h1', {}, 'Pools'), el('span', { class: 'muted' }, 'at sequence ' + data.sequence),
      exports('pools', {})),
    data.pools.length ? table(['Pool', 'Addresses', 'Used', 'Used / total#', 'Free#', 'Waiting#', ''], rows, { id: 'pools-table' })
      : message('info', 'No pool is defined yet: apply an IPAddressPool.'),
    el('h2', {}, 'Waiting for an IP'),
    waiting.length ? table(['Service', 'Reason', 'Message', 'Pools named', 'Seq#'], waiting, { id: 'waiting-table' })
      : el('p', { class: 'muted', id: 'waiting-none' }, 'No Service is waiting.'),
    data.waiting.length > newest.length ? el('p', { class: 'muted', id: 'waiting-more' },
      'The newest ' + newest.length + ' of ' + data.waiting.length + ' waiting Services; the JSON export lists them all.') : '');
  rendered('pools', start);
}

async function poolView(start, token, name, params) {
  const offset = Number(params.get('offset') || 0);
  const q = params.get('q') || '';
  const data = await api('pool', { name, q, offset });
  if (token !== renderToken) return;
  const p = data.pool;
  const filter = el('input', { type: 'search', value: q, placeholder: 'filter: service or IP', id: 'holder-filter' });
  filter.addEventListener('change', () => go('#/pool/' + encodeURIComponent(name) + '?' + query({ q: filter.value })));
  const holders = data.holders.items.map(h => el('tr', {},
    el('td', {}, serviceLink(h.service)), el('td', { class: 'mono' }, ipLink(h.ip)), el('td', {}, h.sharingKey)));
  view.replaceChildren(
    el('div', { class: 'row' }, el('h1', {}, 'Pool ', el('span', { class: 'mono' }, p.name)),
      link('#/timeline?' + query({ pool: name }), 'timeline'), exports('pool', { name, q })),
    el('div', { class: 'card' },
      el('dl', { class: 'kv' }, el('dt', {}, 'Addresses'), el('dd', { class: 'mono' }, p.addresses),
        el('dt', {}, 'Auto-assign'), el('dd', {}, p.autoAssign ? 'yes' : 'no'),
        el('dt', {}, 'Used'), el('dd', { 'data-count': p.name }, p.assigned + ' / ' + p.total + ' (' + p.free + ' free)')),
      el('div', { class: 'row' }), bar(p.assigned, p.total, p.name)),
    el('h2', {}, 'Holders'), el('div', { class: 'row' }, filter),
    table(['Service', 'IP', 'Sharing key'], holders, { id: 'holders-table' }),
    pager(data.holders, o => go('#/pool/' + encodeURIComponent(name) + '?' + query({ q, offset: o }))),
    el('h2', {}, 'Refusals waiting on this pool'),
    data.waiting.length ? table(['Service', 'Reason', 'Message'], data.waiting.map(w => el('tr', {},
      el('td', {}, serviceLink(w.service)), el('td', {}, el('span', { class: 'tag refused' }, w.reason)), el('td', {}, w.message))), { id: 'pool-waiting' })
      : el('p', { class: 'muted' }, 'None.'));
  rendered('pool', start);
}

function timelineForm(params) {
  const kinds = ['ip', 'service', 'pool'];
  const kind = kinds.find(k => params.get(k)) || 'ip';
  const select = el('select', { id: 'tl-kind' }, kinds.map(k => el('option', { value: k, selected: k === kind }, k)));
  const key = el('input', { id: 'tl-key', value: params.get(kind) || '', placeholder: '192.0.2.10, default/web or blue' });
  const since = el('input', { id: 'tl-since', value: params.get('since') || '', placeholder: 'since (2026-12-01T00:00:00Z)' });
  const until = el('input', { id: 'tl-until', value: params.get('until') || '', placeholder: 'until' });
  const form = el('form', { class: 'row', id: 'timeline-form' }, select, key, since, until, el('button', { type: 'submit' }, 'Show'));
  form.addEventListener('submit', ev => {
    ev.preventDefault();
    go('#/timeline?' + query({ [select.value]: key.value.trim(), since: since.value.trim(), until: until.value.trim() }));
  });
  return form;
}

// Holdings on a time axis: for each IP, who held it from when to when; gaps where it was free.
function axis(entries, until) {
  const lanes = new Map();
  const refusals = [];
  const end = until ? Date.parse(until) : Date.now();
  for (const e of entries) {
    const t = Date.parse(e.time);
    if (e.type === 'AllocationRefused') { refusals.push({ t, e }); continue; }
    if (!e.ip || (e.type !== 'IpAssigned' && e.type !== 'IpReleased')) continue;
    if (!lanes.has(e.ip)) lanes.set(e.ip, { spans: [], open: new Map() });
    const lane = lanes.get(e.ip);
    if (e.type === 'IpAssigned' && !lane.open.has(e.service)) lane.open.set(e.service, { from: t, service: e.service, seq: e.sequence });
    if (e.type === 'IpReleased') {
      const o = lane.open.get(e.service) || { from: Date.parse(entries[0].time), service: e.service, seq: e.sequence, cut: true };
      lane.spans.push({ ...o, to: t });
      lane.open.delete(e.service);
    }
  }
  for (const lane of lanes.values()) for (const o of lane.open.values()) lane.spans.push({ ...o, to: end, open: true });
  if (!lanes.size && !refusals.length) return null;
  const times = entries.map(e => Date.parse(e.time));
  const t0 = Math.min(...times), t1 = Math.max(end, ...times);
  const names = [...lanes.keys()].slice(0, 40);
  const W = 1000, left = 130, right = 10, laneH = 24, top = 8;
  const H = top + (names.length + (refusals.length ? 1 : 0)) * laneH + 26;
  const x = t => left + (t1 === t0 ? 0 : (t - t0) / (t1 - t0)) * (W - left - right);
  const g = svg('svg', { class: 'axis', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': 'holdings over time', id: 'axis' });
  const colors = ['#2f7d5b', '#2457d6', '#8a3ffc', '#b05d00', '#007d79', '#9f1853', '#4f6b00'];
  const color = s => colors[[...s].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7) % colors.length];
  names.forEach((ip, i) => {
    const y = top + i * laneH;
    g.append(svg('text', { x: 4, y: y + 15, class: 'lane-label' }, ip));
    g.append(svg('line', { x1: left, x2: W - right, y1: y + 11, y2: y + 11, class: 'gap' }));
    for (const s of lanes.get(ip).spans) {
      const x1 = x(s.from), w = Math.max(2, x(s.to) - x1);
      const held = svg('g', { class: 'held', 'data-service': s.service },
        svg('rect', { x: x1, y: y + 3, width: w, height: laneH - 6, rx: 3, fill: color(s.service) }),
        svg('title', {}, `${s.service} held ${ip} from ${new Date(s.from).toISOString()} ${s.open ? '(still holds it)' : 'to ' + new Date(s.to).toISOString()}`));
      if (w > 60) held.append(svg('text', { x: x1 + 4, y: y + 15 }, s.service.slice(0, Math.floor(w / 7))));
      g.append(held);
    }
  });
  if (refusals.length) {
    const y = top + names.length * laneH;
    g.append(svg('text', { x: 4, y: y + 15, class: 'lane-label' }, 'refused'));
    for (const r of refusals) g.append(svg('rect', { x: x(r.t) - 1, y: y + 4, width: 3, height: laneH - 8, class: 'refusal' },
      svg('title', {}, `${r.e.time}: ${r.e.why}`)));
  }
  const yAxis = H - 10;
  for (let i = 0; i <= 4; i++) {
    const t = t0 + (t1 - t0) * i / 4;
    const anchor = i === 0 ? 'start' : i === 4 ? 'end' : 'middle';
    g.append(svg('text', { x: x(t), y: yAxis, 'text-anchor': anchor }, new Date(t).toISOString().replace('T', ' ').slice(0, 19)));
  }
  return g;
}

function eventRows(entries) {
  return entries.slice().reverse().map(e => el('tr', { 'data-seq': e.sequence },
    el('td', { class: 'num mono' }, e.sequence),
    el('td', { class: 'mono' }, fmtTime(e.time)),
    el('td', {}, e.actor),
    el('td', {}, el('span', { class: 'tag ' + e.type }, e.type)),
    el('td', {}, e.service ? serviceLink(e.service) : e.subject),
    el('td', { class: 'mono' }, ipLink(e.ip)),
    el('td', {}, poolLink(e.pool)),
    el('td', {}, causeText(e.cause, e.why)),
    el('td', {}, e.why),
    el('td', { class: 'mono', title: 'hash ' + e.hash + '\nprev ' + e.prevHash }, short(e.hash))));
}

// What the event answered: the object that changed (its kind, namespace/name) and how it changed.
function causeText(c, why) {
  if (!c || !c.kind) return '';
  return c.kind + ' ' + (c.namespace ? c.namespace + '/' : '') + c.name + (c.reason && c.reason !== why ? ': ' + c.reason : '');
}

const EVENT_HEADERS = ['Seq#', 'Time', 'Actor', 'Event', 'Service', 'IP', 'Pool', 'Cause', 'Why', 'Hash'];

async function timelineView(start, token, params) {
  const form = timelineForm(params);
  const p = Object.fromEntries(['ip', 'service', 'pool', 'since', 'until', 'before'].map(k => [k, params.get(k) || '']));
  if (!p.ip && !p.service && !p.pool) {
    view.replaceChildren(el('h1', {}, 'Timeline'), form,
      message('info', 'Ask about an IP, a Service (namespace/name) or a pool: every event with time, actor, cause and hash.'));
    rendered('timeline-form', start);
    return;
  }
  const head1 = el('div', { class: 'row' }, el('h1', {}, 'Timeline'));
  view.replaceChildren(head1, form, el('p', { class: 'muted' }, 'Reading the ledger…'));
  let data;
  try {
    data = await api('timeline', p);
  } catch (e) {
    if (token !== renderToken) return;
    view.replaceChildren(head1, form, message('error', e.message));
    rendered('timeline-error', start);
    return;
  }
  if (token !== renderToken) return;
  head1.append(el('span', { class: 'muted', id: 'timeline-subject' }, data.subject), exports('timeline', { ...p, before: '' }));
  const parts = [head1, form];
  if (!data.entries.length) {
    parts.push(message('info', 'No event concerns ' + data.subject + (p.since || p.until ? ' in this time range.' : '.')));
  } else {
    const a = axis(data.entries, data.until);
    if (a) parts.push(a);
    parts.push(table(EVENT_HEADERS, eventRows(data.entries), { id: 'timeline-table' }));
    if (data.more) {
      parts.push(el('div', { class: 'pager' }, el('span', { class: 'muted' }, 'Showing the newest ' + data.entries.length + '.'),
        el('button', { class: 'secondary', onclick: () => go('#/timeline?' + query({ ...p, before: data.nextBefore })) }, 'older ›')));
    }
  }
  view.replaceChildren(...parts);
  rendered('timeline', start);
}

async function stateView(start, token, params) {
  const at = params.get('at') || '';
  const cmp = params.get('cmp') || '';
  const q = params.get('q') || '';
  const offset = Number(params.get('offset') || 0);
  const title = el('div', { class: 'row' }, el('h1', {}, 'Point in time'));
  let data;
  try {
    data = await api('state', { at, q, offset });
  } catch (e) {
    if (token !== renderToken) return;
    view.replaceChildren(title, pointForm(at, cmp, head.sequence), message('error', e.message));
    rendered('state-error', start);
    return;
  }
  if (token !== renderToken) return;
  title.append(exports('state', { at: data.sequence, q }));
  const pools = data.pools.map(p => el('tr', {}, el('td', {}, poolLink(p.name)), el('td', {}, bar(p.assigned, p.total, p.name)),
    el('td', { class: 'num' }, p.assigned + ' / ' + p.total)));
  const holdings = data.holdings.items.map(h => el('tr', {},
    el('td', {}, serviceLink(h.service)), el('td', { class: 'mono' }, ipLink(h.ip)), el('td', {}, poolLink(h.pool)), el('td', {}, h.sharingKey)));
  const filter = el('input', { type: 'search', value: q, placeholder: 'filter: service or IP', id: 'state-filter' });
  filter.addEventListener('change', () => go('#/state?' + query({ at: data.sequence, cmp, q: filter.value })));
  const parts = [title, pointForm(String(data.sequence), cmp, Math.max(head.sequence, data.head)),
    el('div', { class: 'card', id: 'state-summary' }, el('dl', { class: 'kv' },
      el('dt', {}, 'Sequence'), el('dd', { id: 'state-sequence' }, data.sequence),
      el('dt', {}, 'Time'), el('dd', { id: 'state-time' }, fmtTime(data.time) || 'before the first event'),
      el('dt', {}, 'Hash'), el('dd', { class: 'mono' }, data.hash))),
    el('h2', {}, 'Pools'), table(['Pool', 'Used', 'Used / total#'], pools, { id: 'state-pools' }),
    el('h2', {}, 'Assignments'), el('div', { class: 'row' }, filter),
    table(['Service', 'IP', 'Pool', 'Sharing key'], holdings, { id: 'state-table' }),
    pager(data.holdings, o => go('#/state?' + query({ at: data.sequence, cmp, q, offset: o })))];
  view.replaceChildren(...parts);
  rendered('state', start);
  if (cmp) await diffSection(token, data.sequence, cmp);
}

function pointForm(at, cmp, max) {
  const slider = el('input', { type: 'range', class: 'slider', id: 'state-slider', min: 0, max: Math.max(max, 0), value: at || max });
  const label = el('span', { class: 'mono', id: 'slider-label' }, 'sequence ' + (at || max));
  slider.addEventListener('input', () => { label.textContent = 'sequence ' + slider.value; });
  slider.addEventListener('change', () => go('#/state?' + query({ at: slider.value, cmp })));
  const atInput = el('input', { id: 'state-at', placeholder: 'sequence or time (2026-12-01T10:00:00Z)', value: '' });
  const cmpInput = el('input', { id: 'state-cmp', placeholder: 'compare with: sequence or time', value: cmp });
  const form = el('form', { class: 'row', id: 'state-form' }, atInput, cmpInput, el('button', { type: 'submit' }, 'Show'));
  form.addEventListener('submit', ev => {
    ev.preventDefault();
    go('#/state?' + query({ at: atInput.value.trim() || at, cmp: cmpInput.value.trim() }));
  });
  return el('div', { class: 'card' }, el('div', { class: 'row' }, label), slider, form);
}

async function diffSection(token, at, cmp) {
  const section = el('section', { id: 'diff' }, el('h2', {}, 'Difference'));
  view.append(section);
  let d;
  try {
    d = await api('diff', { from: cmp, to: at });
  } catch (e) {
    section.append(message('error', e.message));
    return;
  }
  if (token !== renderToken) return;
  section.firstChild.append(' from sequence ' + d.from + ' to ' + d.to);
  section.append(el('div', { class: 'row' }, el('span', { class: 'muted' }, fmtTime(d.fromTime) + ' → ' + fmtTime(d.toTime)),
    exports('diff', { from: d.from, to: d.to })));
  section.append(d.changes.length ? table(['Change', 'Service', 'Before', 'After', 'Pool'], d.changes.map(c => el('tr', {},
    el('td', {}, el('span', { class: 'tag ' + c.kind }, c.kind)), el('td', {}, serviceLink(c.service)),
    el('td', { class: 'mono' }, c.before), el('td', { class: 'mono' }, c.after), el('td', {}, poolLink(c.pool)))), { id: 'diff-table' })
    : el('p', { class: 'muted' }, 'No assignment changed.'));
  section.append(el('h2', {}, 'Refused in between (' + d.refusedTotal + ')'));
  if (d.refused.length) section.append(table(EVENT_HEADERS, eventRows(d.refused), { id: 'refused-table' }));
}

async function trustView(start, token) {
  const [h, recent] = await Promise.all([api('head'), api('timeline', { limit: 25 })]);
  if (token !== renderToken) return;
  head = h; showHead();
  const verifyBox = el('div', { id: 'verify' });
  const button = el('button', { id: 'verify-button', onclick: () => startVerify(button, verifyBox) }, 'Verify the chain');
  view.replaceChildren(
    el('div', { class: 'row' }, el('h1', {}, 'Trust'), exports('head', {})),
    el('div', { class: 'card' }, el('dl', { class: 'kv', id: 'chain-head' },
      el('dt', {}, 'Chain head sequence'), el('dd', { id: 'head-sequence' }, h.sequence),
      el('dt', {}, 'Head hash'), el('dd', { class: 'mono', id: 'head-hash' }, h.hash),
      el('dt', {}, 'Head time'), el('dd', {}, fmtTime(h.time)),
      el('dt', {}, 'Signature'), el('dd', { id: 'head-signature' }, h.signature ? el('span', { class: 'mono' }, 'Ed25519 ' + h.signature + ' by key ' + h.keyId)
        : el('span', { class: 'muted' }, 'unsigned (no signed head: a ledger from before signing, not adopted yet)')),
      el('dt', {}, 'Ledger began'), el('dd', {}, fmtTime(h.firstTime)))),
    el('h2', {}, 'Verification'),
    el('div', { class: 'card' }, el('p', { class: 'muted' },
      'Walks the hash chain of the Kafka topic and of the SQLite journal link by link from the first entry, and checks the audit index — what ledgerlb verify does.'),
      button, verifyBox),
    el('div', { class: 'row' }, el('h2', {}, 'Latest events'), exports('timeline', {})),
    el('p', { class: 'muted' }, 'Each event\'s hash is SHA-256(previous hash ‖ event bytes); compare with ledgerlb audit --json.'),
    table(EVENT_HEADERS, eventRows(recent.entries), { id: 'recent-table' }));
  showVerify(h.verify, verifyBox, button);
  if (h.verify.running) pollVerify(button, verifyBox);
  rendered('trust', start);
}

function showVerify(status, box, button) {
  button.disabled = status.running;
  const parts = [];
  if (status.running) {
    const fill = el('div');
    fill.style.width = (status.total > 0 ? pct(status.done, status.total) : 0) + '%';
    parts.push(el('div', { class: 'progress', id: 'verify-progress' }, fill),
      el('p', {}, 'Verifying… ' + status.done + (status.total > 0 ? ' of ' + status.total : '') + ' entries'));
  }
  if (status.last) {
    parts.push(el('p', { id: 'verify-result' }, 'Last verify (', fmtTime(status.last.finishedAt), '): ',
      el('span', { class: status.last.intact ? 'ok' : 'bad' }, status.last.intact ? 'intact' : 'FAILED')),
      el('ul', {}, status.last.lines.map(l => el('li', { class: 'mono' }, l))));
  } else if (!status.running) {
    parts.push(el('p', { class: 'muted', id: 'verify-result' }, 'Not verified since this allocator started.'));
  }
  box.replaceChildren(...parts);
}

async function startVerify(button, box) {
  button.disabled = true;
  try {
    const started = await api('verify', {}, { method: 'POST', headers: { 'X-Ledgerlb-Explorer': '1' } });
    showVerify(started.verify, box, button); // its progress bar at once, before the first poll
  } catch (e) {
    if (e.status !== 409) { box.replaceChildren(message('error', e.message)); button.disabled = false; return; }
  }
  pollVerify(button, box);
}

async function pollVerify(button, box) {
  for (;;) {
    const status = await api('verify');
    if (!document.body.contains(box)) return;
    showVerify(status, box, button);
    if (!status.running) return;
    await new Promise(r => setTimeout(r, 300));
  }
}

// ---- routing: #/pools, #/pool/NAME, #/timeline?ip=…, #/state?at=…&cmp=…, #/trust

function go(hash) {
  if (location.hash === hash) route(); else location.hash = hash;
}

async function route() {
  const start = performance.now();
  const token = ++renderToken;
  const hash = location.hash || '#/pools';
  const [path, search] = hash.slice(1).split('?');
  const params = new URLSearchParams(search || '');
  const section = path.split('/')[1] || 'pools';
  for (const a of document.querySelectorAll('nav a')) a.classList.toggle('active', a.dataset.nav === section
    || (section === 'pool' && a.dataset.nav === 'pools'));
  const show = {
    pools: () => poolsView(start, token),
    pool: () => poolView(start, token, decodeURIComponent(path.split('/')[2] || ''), params),
    timeline: () => timelineView(start, token, params),
    state: () => stateView(start, token, params),
    trust: () => trustView(start, token),
  }[section];
  current = { name: section, refresh: ['pools', 'pool', 'trust'].includes(section) ? () => route() : null };
  try {
    if (!show) throw new ApiError(404, 'No such view: ' + hash);
    await show();
  } catch (e) {
    if (token !== renderToken || e.status === 401) return;
    view.replaceChildren(message('error', e.message));
    rendered(section + '-error', start);
  }
}

document.getElementById('search').addEventListener('submit', ev => {
  ev.preventDefault();
  const text = document.getElementById('search-input').value.trim();
  if (!text) return;
  const kind = /^[0-9.]+$|:/.test(text) ? 'ip' : text.includes('/') ? 'service' : 'pool';
  go('#/timeline?' + query({ [kind]: text }));
});

window.addEventListener('hashchange', route);
loadHead().then(() => { startLive(); route(); });
