// Small DOM helpers shared by every view: element building, status messages, confirmation,
// progress on slow requests and a pager.

let uid = 0;
export const nextId = (prefix = 'f') => `${prefix}-${++uid}`;
export const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** h('button', {type: 'button', onclick}, 'Save'): "on…" attributes become listeners. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'value' || k === 'checked') el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export function toast(text) {
  const el = document.getElementById('toast');
  el.textContent = '';
  // A fresh text node makes screen readers announce a repeated message too.
  requestAnimationFrame(() => { el.textContent = text; });
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { el.textContent = ''; }, 6000);
}

export function confirmAction({ title, text, ok = 'Delete' }) {
  const dialog = document.getElementById('confirm');
  dialog.querySelector('#confirm-title').textContent = title;
  dialog.querySelector('#confirm-text').textContent = text;
  dialog.querySelector('#confirm-ok').textContent = ok;
  dialog.returnValue = '';
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
  });
}

/** A region that shows progress while a request runs: aria-busy and "Loading…" (after 150 ms). */
export function busyRegion(attrs = {}) {
  const loading = h('p', { class: 'loading', hidden: true }, 'Loading…');
  const body = h('div', { class: 'region-body' });
  const el = h('section', { ...attrs, 'aria-busy': 'false' }, loading, body);
  let pending = 0;
  return {
    el,
    body,
    /** Runs `fn` busy; resolves to [its result, null] or [undefined, the error it threw]. */
    async get(fn) {
      try {
        return [await this.run(fn), null];
      } catch (e) {
        return [undefined, e];
      }
    },
    async run(fn) {
      pending++;
      el.setAttribute('aria-busy', 'true');
      loading.hidden = false;
      try {
        return await fn();
      } finally {
        if (--pending === 0) {
          el.setAttribute('aria-busy', 'false');
          loading.hidden = true;
        }
      }
    },
  };
}

export function alertBox(err) {
  if (!err) return null;
  return h('p', { class: 'alert', role: 'alert' }, err.message || String(err));
}

/** "Previous page" / "Next page" with a text position, e.g. "Page 2 of 5". */
export function pager({ label, page, pages, hasPrev, hasNext, onPrev, onNext, summary }) {
  const prev = h('button', { type: 'button', class: 'secondary', onclick: onPrev }, '← Previous page');
  const next = h('button', { type: 'button', class: 'secondary', onclick: onNext }, 'Next page →');
  prev.disabled = !hasPrev;
  next.disabled = !hasNext;
  const where = summary || (pages ? `Page ${page} of ${pages}` : `Page ${page}`);
  return h('nav', { class: 'pager', 'aria-label': label }, prev, h('span', { class: 'where' }, where), next);
}

/** A status word with a glyph, never colour alone (Heat's, CodeArts' records and hosts' agents). */
export function statusBadge(status) {
  const s = String(status || '').toUpperCase();
  const glyph = { COMPLETE: '✓', SUCCEEDED: '✓', SUCCESS: '✓', ENABLED: '✓', IN_PROGRESS: '…', RUNNING: '…', FAILED: '✕', STOPPED: '■', DISABLED: '○', PENDING: '○', UNKNOWN: '?' }[s] || '•';
  return h('span', { class: `badge badge-${s.toLowerCase()}` }, h('span', { 'aria-hidden': 'true' }, glyph + ' '), s.replace('_', ' '));
}

export function jsonBlock(value, label) {
  return h('pre', { class: 'json', tabindex: '0', 'aria-label': label }, JSON.stringify(value, null, 2));
}

export function facts(pairs) {
  return h('dl', { class: 'facts' }, pairs.filter(Boolean).map(([k, v]) => [h('dt', {}, k), h('dd', {}, v ?? '—')]));
}

/** Short form of a long id for tables, with the full id in the title. */
export function shortId(id) {
  return h('code', { title: id }, id && id.length > 13 ? `${id.slice(0, 8)}…` : id);
}

/** A deployment id for lists: ids start with their server's bucket, so its random end. */
export function depId(id) {
  const tail = /^[0-9a-f]{8}-[0-9a-f-]{27}$/.test(id || '') ? `…${id.slice(-12)}` : id;
  return h('code', { title: id }, tail);
}

/**
 * A list table. Body cells get their column's name (shown before them in the cards of narrow
 * screens) and explicit roles (some browsers drop them when a table is not displayed as one).
 */
export function table(caption, heads, rows) {
  const role = (el, r) => { el.setAttribute('role', r); return el; };
  for (const tr of rows) {
    [...role(tr, 'row').children].forEach((c, i) => { c.dataset.label = heads[i]; role(c, c.tagName === 'TH' ? 'rowheader' : 'cell'); });
  }
  return h('table', { class: 'cards', role: 'table' }, h('caption', { class: 'sr-only' }, caption),
    h('thead', { role: 'rowgroup' }, h('tr', { role: 'row' }, heads.map((t) => h('th', { scope: 'col', role: 'columnheader' }, t)))),
    h('tbody', { role: 'rowgroup' }, rows));
}

/** Runs `fn` (which re-renders inside `box`) and puts focus back on the same control. */
export function keepFocus(box, fn) {
  const a = document.activeElement;
  const sig = (el) => `${el.tagName}|${el.getAttribute('href') || ''}|${el.id}|${el.textContent}`;
  const was = box.contains(a) && a !== box ? sig(a) : null;
  fn();
  if (was) [...box.querySelectorAll('a, button, input, select, textarea, pre, summary')].find((el) => sig(el) === was)?.focus({ preventScroll: true });
}

/** Shows a panel that just loaded for the user who asked for it: scrolled to and focused. */
export function reveal(panel) {
  const heading = panel.querySelector('h2, h3');
  if (!heading) return;
  heading.tabIndex = -1;
  heading.focus({ preventScroll: true });
  heading.scrollIntoView({ block: 'start', behavior: 'instant' });
}
