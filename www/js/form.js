// Forms checked by deploy-edge as the user types. Each field wrapper carries `data-path`, the JSON
// pointer it edits; an error (the package's or the server's) goes to the field with the longest
// matching prefix. Nothing is sent while the payload is invalid (docs/console.md).

import { h, nextId } from './ui.js';
import * as validator from './validator.js';

/** A labelled control ('input', 'textarea' or 'select' with [[value, text]]): `wrapper.control`. */
export function field({ label, path, control = 'input', options, hint, attrs = {}, value }) {
  const id = nextId('f');
  const errId = `${id}-error`;
  const hintId = typeof hint === 'string' ? `${id}-hint` : null;
  let el;
  if (control === 'select') {
    el = h('select', { id, ...attrs }, options.map(([v, t]) => h('option', { value: v }, t)));
  } else if (control === 'textarea') {
    el = h('textarea', { id, rows: 4, spellcheck: 'false', ...attrs });
  } else {
    el = h('input', { id, type: 'text', autocomplete: 'off', spellcheck: 'false', ...attrs });
  }
  if (value !== undefined && value !== null) {
    if (el.type === 'checkbox') el.checked = !!value;
    else el.value = value;
  }
  el.setAttribute('aria-describedby', [hintId, errId].filter(Boolean).join(' '));
  const isCheck = el.type === 'checkbox';
  const lab = h('label', { for: id }, label);
  const wrap = h('div', { class: `field${isCheck ? ' check' : ''}`, dataset: path && { path } },
    isCheck ? [el, lab] : [lab, el],
    hintId ? h('p', { class: 'hint', id: hintId }, hint) : null,
    h('p', { class: 'field-error', id: errId }));
  wrap.control = el;
  return wrap;
}

const under = (p, base) => p === base || p.startsWith(`${base}/`);

/** Parses a JSON textarea: `{value}` (undefined when blank) or `{error}` naming `path`. */
export function parseJsonField(text, path, label, { object = false } = {}) {
  if (!text.trim()) return { value: undefined };
  try {
    const value = JSON.parse(text);
    if (object && (value === null || typeof value !== 'object' || Array.isArray(value))) {
      return { error: { path, code: 'type', message: `${label} must be a JSON object` } };
    }
    return { value };
  } catch (e) {
    return { error: { path, code: 'invalid_json', message: `${label} is not valid JSON (${e.message})` } };
  }
}

/**
 * A form bound to a kind (or a local `check(payload)`): `collect()` → `{payload, errors}` (local
 * errors such as bad JSON, with paths), `send(payload)` may throw ApiError, `done(result)`.
 */
export function checkedForm({ label, kind, check: localCheck, submitLabel, collect, send, done, extraButtons = [] }) {
  const formAlert = h('div', { class: 'form-alert', role: 'alert' });
  const hintId = nextId('hint');
  const hint = h('p', { class: 'submit-hint', id: hintId, 'aria-live': 'polite' });
  const button = h('button', { type: 'submit', 'aria-describedby': hintId }, submitLabel);
  const fields = h('div', { class: 'fields' });
  const el = h('form', { 'aria-label': label, novalidate: true, class: 'checked-form' },
    formAlert, fields, h('div', { class: 'actions' }, button, ...extraButtons, hint));

  const touched = new Set();
  let submitted = false;
  let sending = false;
  let serverErrors = [];
  let serverMessage = '';
  let current = { errors: [], warnings: [], payload: undefined };

  const targets = () => [...el.querySelectorAll('[data-path]')];
  function targetFor(path, all) {
    let best = null;
    for (const t of all) {
      const p = t.dataset.path;
      if (p && under(path, p) && (!best || p.length > best.dataset.path.length)) best = t;
    }
    return best;
  }
  const ctl = (t) => t.control || t.querySelector(':scope > input, :scope > textarea, :scope > select');
  const errorBox = (t) => t.querySelector(':scope > .field-error');
  const isShown = (t) => submitted || [...touched].some((p) => under(p, t.dataset.path) || under(t.dataset.path, p));

  function check() {
    if (localCheck) {
      const { payload, errors = [] } = collect();
      current = { payload, errors: [...errors, ...localCheck(payload)], warnings: [] };
      return current;
    }
    if (!validator.ready()) {
      current = { errors: [], warnings: [], payload: undefined, unavailable: true };
      return current;
    }
    const { payload, errors: local = [] } = collect();
    let report;
    try {
      report = validator.validate(kind, payload);
    } catch (e) {
      current = { errors: [], warnings: [], payload, unavailable: e.message };
      return current;
    }
    // A local error (bad JSON) replaces what the package says about that member.
    const errors = [...local, ...report.errors.filter((e) => !local.some((l) => under(e.path, l.path)))];
    current = { payload, errors, warnings: report.warnings || [] };
    return current;
  }

  function render() {
    const all = targets();
    for (const t of all) {
      errorBox(t)?.replaceChildren();
      ctl(t)?.removeAttribute('aria-invalid');
      t.classList.remove('invalid');
    }
    const bad = new Set();
    const loose = [];
    const show = (t, e, cls) => {
      errorBox(t)?.append(h('span', { class: cls }, cls === 'warning' ? `Note: ${e.message}` : e.message));
    };
    for (const e of [...current.errors, ...serverErrors]) {
      const t = targetFor(e.path, all);
      if (!t) {
        loose.push(e);
        continue;
      }
      bad.add(t);
      // The package's messages wait until the field was edited or a submit tried; the server's don't.
      if (!isShown(t) && !serverErrors.includes(e)) continue;
      show(t, e, 'error');
      t.classList.add('invalid');
      ctl(t)?.setAttribute('aria-invalid', 'true');
    }
    for (const w of current.warnings) {
      const t = targetFor(w.path, all);
      if (t && isShown(t)) show(t, w, 'warning');
    }
    const formMessages = [...loose.map((e) => e.message), ...(serverMessage ? [serverMessage] : [])];
    formAlert.replaceChildren(...formMessages.map((m) => h('p', {}, m)));

    const count = bad.size + (loose.length ? 1 : 0);
    let why = '';
    if (current.unavailable) {
      why = typeof current.unavailable === 'string'
        ? `The validator cannot check this form (${current.unavailable}), so nothing can be sent`
        : 'The validator is not loaded, so nothing can be sent';
    } else if (sending) {
      why = 'Sending…';
    } else if (count) {
      why = `Fix ${count} field${count === 1 ? '' : 's'} to continue`;
    }
    hint.textContent = why;
    const blocked = sending || current.unavailable || count > 0;
    button.setAttribute('aria-disabled', String(blocked));
    el.setAttribute('aria-busy', String(sending));
  }

  function refresh() {
    check();
    render();
  }

  function onEdit(ev) {
    const t = ev.target.closest('[data-path]');
    if (t) {
      touched.add(t.dataset.path);
      serverErrors = serverErrors.filter((e) => !under(e.path, t.dataset.path));
    }
    serverMessage = '';
    refresh();
  }
  el.addEventListener('input', onEdit);
  el.addEventListener('change', onEdit);

  el.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (sending) return;
    serverMessage = '';
    serverErrors = [];
    submitted = true;
    refresh();
    if (current.unavailable || current.errors.length) {
      const first = el.querySelector('[aria-invalid="true"]') || formAlert;
      first.focus?.();
      return;
    }
    sending = true;
    render();
    let result;
    try {
      result = await send(current.payload);
    } catch (err) {
      sending = false;
      const all = targets();
      const listed = err.errors || [];
      serverErrors = listed.filter((e) => targetFor(e.path ?? '', all));
      const unplaced = listed.filter((e) => !serverErrors.includes(e));
      // Field errors go next to their fields; anything else is said once above the form.
      if (unplaced.length) serverMessage = unplaced.map((e) => e.message).join('; ');
      else if (!serverErrors.length) serverMessage = err.message;
      render();
      (el.querySelector('[aria-invalid="true"]') || formAlert).focus?.();
      return;
    }
    sending = false;
    submitted = false;
    touched.clear();
    render();
    await done?.(result);
  });
  formAlert.tabIndex = -1;

  return {
    el,
    fields,
    button,
    /** Re-checks after a programmatic change (rows added, a mode switched). */
    refresh,
    /** Marks a path as edited, so its messages show. */
    touch(path) {
      touched.add(path);
    },
    get state() {
      return current;
    },
    /** True once the user edited something (or while sending): a live refresh leaves it alone. */
    get dirty() {
      return touched.size > 0 || sending;
    },
  };
}
