// Software deployments: the list (newest first, filtered and paged here, refreshed while one is
// IN_PROGRESS), create and update forms (input values as the config's typed inputs), the detail
// with the agent's logs, and the server panel (its agent and metadata). See docs/console.md.

import { heat, seg } from './api.js';
import { h, mount, toast, busyRegion, alertBox, pager, facts, confirmAction, statusBadge, jsonBlock, depId, table, keepFocus, reveal, plural } from './ui.js';
import { checkedForm, field, parseJsonField } from './form.js';
import { rules, validate } from './validator.js';
import { allConfigs } from './configs.js';

const PAGE = 10;
const REFRESH_MS = 5000;
const state = { server: '', status: '', config: '', page: 1 };
let timer = 0;
let paused = null; // a refresh that came due while the tab was hidden
let generation = 0; // bumped when the page changes: an old view's answers schedule nothing

/** Runs `fn` in REFRESH_MS, or when the tab is visible again if it is hidden then. */
function later(fn) {
  clearTimeout(timer);
  timer = setTimeout(() => {
    if (document.visibilityState === 'hidden') paused = fn;
    else fn();
  }, REFRESH_MS);
}
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState !== 'visible' || !paused) return;
  const fn = paused;
  paused = null;
  fn();
});
window.addEventListener('view-change', () => { clearTimeout(timer); paused = null; generation++; });

const configIndex = () => allConfigs().then((rows) => new Map(rows.map((c) => [c.id, c])), () => new Map());

const fullConfigs = new Map();
/** A config with its inputs (configs never change, so each is read once). */
function configById(id) {
  if (!fullConfigs.has(id)) {
    const p = heat('software_config.show', { id }).then((r) => r.body.software_config);
    p.catch(() => fullConfigs.delete(id));
    fullConfigs.set(id, p);
  }
  return fullConfigs.get(id);
}

const configLabel = (c) => `${c.name || '(unnamed)'} · ${c.id.slice(0, 8)}`;

export function deploymentsView({ main, route, go, focusDetail }) {
  const list = busyRegion({ class: 'card', 'aria-labelledby': 'deployments-list-title' });
  const side = h('div', { class: 'side' });
  const metaCard = metadataCard();
  let configs = new Map();
  const configsReady = configIndex().then((m) => { configs = m; return m; });
  const seen = new Map(); // id → status at the last load, to announce changes

  const server = field({ label: 'Filter by server ID', value: state.server, attrs: { type: 'search' } });
  const status = field({ label: 'Status', control: 'select', options: statusOptions('All statuses'), value: state.status });
  const config = field({ label: 'Config', control: 'select', options: [['', 'All configs']] });
  configsReady.then((m) => {
    config.control.append(...[...m.values()].map((c) => h('option', { value: c.id }, configLabel(c))));
    config.control.value = state.config;
  });
  const apply = (clear) => {
    if (clear) for (const f of [server, status, config]) f.control.value = '';
    Object.assign(state, { server: server.control.value.trim(), status: status.control.value, config: config.control.value, page: 1 });
    load();
  };
  const filter = h('form', { role: 'search', 'aria-label': 'Filter deployments', class: 'filter', onsubmit(ev) { ev.preventDefault(); apply(); } },
    server, status, config,
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'secondary' }, 'Apply filter'),
      h('button', { type: 'button', class: 'link', onclick: () => apply(true) }, 'Clear filter')));
  const liveNote = h('p', { class: 'hint live' });

  list.el.prepend(h('h2', { id: 'deployments-list-title' }, 'Deployments'), filter, liveNote);
  mount(main,
    h('h1', { tabindex: '-1' }, 'Software deployments'),
    h('div', { class: 'split' }, h('div', { class: 'stack' }, list.el, metaCard.el), side));

  let detail = null;
  let inProgress = false;
  const mine = generation;

  async function load(quiet = false) {
    const read = async () => {
      const res = await heat('software_deployment.list', {}, state.server ? { server_id: state.server } : {});
      await configsReady;
      return res.body.software_deployments || [];
    };
    let [rows = [], error] = quiet ? await read().then((r) => [r], (e) => [, e]) : await list.get(read);
    if (quiet && error) return; // a failed background refresh keeps what is shown
    // Newest first (the API lists oldest first; equal times keep that order, reversed).
    rows = rows.map((d, i) => [d, i]).sort((a, b) => (b[0].creation_time || '').localeCompare(a[0].creation_time || '') || b[1] - a[1]).map(([d]) => d);
    for (const d of rows) {
      const was = seen.get(d.id);
      if (quiet && was && was !== d.status) toast(`Deployment on ${d.server_id} is now ${d.status.replace('_', ' ')}`);
      seen.set(d.id, d.status);
    }
    rows = rows.filter((d) => (!state.status || d.status === state.status) && (!state.config || d.config_id === state.config));
    inProgress = rows.some((d) => d.status === 'IN_PROGRESS');
    const pages = Math.max(1, Math.ceil(rows.length / PAGE));
    state.page = Math.min(state.page, pages);
    const shown = rows.slice((state.page - 1) * PAGE, state.page * PAGE);
    const what = [state.server && `on server ${state.server}`, state.status && `with status ${state.status}`,
      state.config && `of config ${configs.get(state.config)?.name || state.config}`].filter(Boolean).join(', ');
    const suffix = what ? ` ${what}` : '';
    keepFocus(list.body, () => mount(list.body,
      alertBox(error),
      shown.length ? deploymentTable(shown, configs, route.id) : h('p', { class: 'empty' }, `No deployments${suffix}.`),
      pager({
        label: 'Deployment pages', page: state.page, pages,
        summary: `Page ${state.page} of ${pages} (${plural(rows.length, 'deployment')}${suffix})`,
        hasPrev: state.page > 1, hasNext: state.page < pages,
        onPrev: () => { state.page--; load(); },
        onNext: () => { state.page++; load(); },
      })));
    plan();
  }

  /** Keeps refreshing while something shown is IN_PROGRESS. */
  function plan() {
    if (generation !== mine) return;
    const live = inProgress || detail?.inProgress();
    liveNote.textContent = live ? 'In progress: refreshing every 5 seconds while this tab is visible.' : '';
    if (live) later(async () => { await load(true); await detail?.refresh(); });
    else clearTimeout(timer);
  }

  const ctx = { go, configsReady, metaCard, plan };
  // After a save: the list and the panel read again, and focus goes to the panel's heading.
  const show = (focus) => { detail = showDeployment(side, route.id, ctx); if (focus) Promise.all([listed, detail.ready]).then(() => reveal(side)); };
  ctx.saved = () => { listed = load(); show(true); };
  let listed = load();
  if (route.id) show(focusDetail); else mount(side, createDeploymentForm({ go, configsReady, preset: route.query.get('config_id') || '' }));
}

function deploymentTable(rows, configs, selected) {
  return table('Software deployments, newest first', ['Deployment', 'Server', 'Config', 'Action', 'Status', 'Updated'],
    rows.map((d) => h('tr', { 'aria-current': d.id === selected ? 'true' : null },
      h('td', {}, h('a', { href: `#/deployments/${seg(d.id)}`, 'aria-label': `Open deployment ${d.id}` }, depId(d.id))),
      h('td', {}, d.server_id),
      h('td', {}, configs.get(d.config_id)?.name || depId(d.config_id)),
      h('td', {}, d.action),
      h('td', {}, statusBadge(d.status)),
      h('td', {}, d.updated_time || d.creation_time))));
}

function statusOptions(blank) {
  const statuses = rules()?.heat.deploymentStatuses ?? [];
  return [...(blank ? [['', blank]] : []), ...statuses.map((s) => [s, s.replace('_', ' ')])];
}

const pointer = (name) => `/input_values/${String(name).replace(/~/g, '~0').replace(/\//g, '~1')}`;
const asText = (v, type) => (v === undefined || v === null ? ''
  : type === 'CommaDelimitedList' && Array.isArray(v) ? v.join(',')
    : typeof v === 'string' ? v : JSON.stringify(v, null, type === 'Json' ? 2 : 0));

/** Text typed into a field of `type` → the value sent (text the type cannot read stays text). */
function typed(text, type) {
  const t = text.trim();
  if (type === 'Number' && /^-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) return Number(t);
  if (type === 'Boolean') return t === 'true' ? true : t === 'false' ? false : text;
  if (type === 'Json') {
    try {
      const v = JSON.parse(t);
      if (v && typeof v === 'object') return v;
    } catch { /* the package says why */ }
  }
  return text;
}

/** Input values: a field per declared input (typed, checked by the package) + JSON for others. */
function inputValuesEditor(form, values = {}) {
  const box = h('div', { class: 'inputs' });
  const other = field({ label: 'Input values (JSON)', path: '/input_values', control: 'textarea', hint: 'An object of input name to value, e.g. {"port": 8080}', attrs: { rows: 3, class: 'mono' } });
  let fields = [];
  // Until the config's inputs are known, every value is in the JSON field (so nothing is lost).
  other.control.value = Object.keys(values).length ? JSON.stringify(values, null, 2) : '';

  function set(inputs = []) {
    const now = collectValues([]);
    fields = inputs.map((i) => {
      const type = i.type || 'String';
      const v = now[i.name];
      const dflt = i.default !== undefined && i.default !== '' ? `empty: the config's default, ${asText(i.default, type)}` : 'empty: not set';
      const hint = `${type}; ${dflt}${i.description ? `. ${i.description}` : ''}`;
      const f = type === 'Boolean'
        ? field({ label: i.name, path: pointer(i.name), control: 'select', hint, value: asText(v, type), options: [['', 'Not set'], ['true', 'true'], ['false', 'false']] })
        : field({ label: i.name, path: pointer(i.name), control: type === 'Json' ? 'textarea' : 'input', hint, value: asText(v, type),
          attrs: type === 'Json' ? { class: 'mono', rows: 3 } : { class: 'mono', inputmode: type === 'Number' ? 'decimal' : null } });
      f.input = i;
      f.orig = v;
      f.origText = asText(v, type);
      return f;
    });
    const rest = Object.fromEntries(Object.entries(now).filter(([k]) => !inputs.some((i) => i.name === k)));
    // Text that is not JSON yet (still being typed when the config's inputs arrived) stays as it is.
    const typing = parseJsonField(other.control.value, '/input_values', 'Input values', { object: true }).error;
    if (!typing) other.control.value = Object.keys(rest).length ? JSON.stringify(rest, null, 2) : '';
    other.querySelector('label').textContent = inputs.length ? 'Other input values (JSON)' : 'Input values (JSON)';
    mount(box, inputs.length ? h('fieldset', { class: 'io' }, h('legend', {}, 'Input values'), fields) : null);
    form.refresh();
  }

  function collectValues(errors) {
    const r = parseJsonField(other.control.value, '/input_values', 'Input values', { object: true });
    if (r.error) errors.push(r.error);
    const out = { ...(r.value || {}) };
    for (const f of fields) {
      const text = f.control.value;
      if (text.trim() === '') continue;
      const { name, type = 'String' } = f.input;
      const v = text === f.origText ? f.orig : typed(text, type);
      out[name] = v;
      // The package's rule for a value of a type: the one a config input's default is held to.
      const report = validate('software_config.create', { inputs: [{ name: 'x', type, default: v }] });
      const bad = report.errors.find((e) => e.path === '/inputs/0/default');
      if (bad) errors.push({ path: pointer(name), code: bad.code, message: bad.message.replace(/^inputs\[0\]\.default/, name), params: bad.params });
    }
    return out;
  }

  return {
    el: h('div', { class: 'fields' }, box, other),
    set,
    collect: collectValues,
  };
}

function followConfig(editor, id) {
  if (!id) return editor.set([]);
  configById(id).then((c) => editor.set(c.inputs || []), () => editor.set([]));
}

function createDeploymentForm({ go, configsReady, preset }) {
  const configId = field({ label: 'Config ID', path: '/config_id', value: preset, attrs: { list: 'config-options' } });
  const configHint = h('p', { class: 'hint', id: 'config-id-known', 'aria-live': 'polite' });
  configId.querySelector('label').after(configHint);
  configId.control.setAttribute('aria-describedby', `config-id-known ${configId.control.getAttribute('aria-describedby')}`);
  const heatRules = rules()?.heat;
  const serverId = field({ label: 'Server ID', path: '/server_id', hint: heatRules && `Any name for the server, at most ${heatRules.maxLength.server_id} characters` });
  const action = field({ label: 'Action', path: '/action', hint: heatRules && `Free text such as CREATE or UPDATE; empty means ${heatRules.defaultAction}` });
  const status = field({ label: 'Status', path: '/status', control: 'select', options: statusOptions(heatRules ? `Default (${heatRules.defaultStatus})` : 'Default') });
  const reason = field({ label: 'Status reason', path: '/status_reason' });
  const timeout = field({ label: 'Timeout (seconds)', path: '/timeout', hint: heatRules && `Optional, ${heatRules.timeout.min} to ${heatRules.timeout.max.toLocaleString('en')}: an IN PROGRESS deployment with no result by then turns FAILED`, attrs: { inputmode: 'numeric' } });
  const options = h('datalist', { id: 'config-options' });
  let configs = new Map();
  let following = null;

  function describeConfig() {
    const id = configId.control.value.trim();
    const c = configs.get(id);
    configHint.textContent = c ? `Config "${c.name || '(unnamed)'}" (${c.group})` : '';
    const known = c ? id : null;
    if (known !== following) { following = known; followConfig(inputs, known); }
  }
  configsReady.then((m) => {
    configs = m;
    mount(options, [...m.values()].map((c) => h('option', { value: c.id }, `${c.name || '(unnamed)'} · ${c.group}`)));
    describeConfig();
  });
  configId.control.addEventListener('input', describeConfig);

  const form = checkedForm({
    label: 'Create deployment',
    kind: 'software_deployment.create',
    submitLabel: 'Create deployment',
    collect() {
      const payload = {};
      const errors = [];
      for (const [key, f] of [['config_id', configId], ['server_id', serverId], ['action', action], ['status', status], ['status_reason', reason]]) {
        const v = f.control.value.trim();
        if (v !== '') payload[key] = v;
      }
      const iv = inputs.collect(errors);
      if (Object.keys(iv).length) payload.input_values = iv;
      const t = timeout.control.value.trim();
      // A whole number goes as a number; anything else as text, which the package refuses by name.
      if (t !== '') payload.timeout = /^-?\d+$/.test(t) ? Number(t) : t;
      return { payload, errors };
    },
    send: (payload) => heat('software_deployment.create', {}, payload),
    done(res) {
      const d = res.body.software_deployment;
      toast(`Deployment created on server ${d.server_id}`);
      go(`#/deployments/${encodeURIComponent(d.id)}`);
    },
  });
  const inputs = inputValuesEditor(form);
  form.fields.append(configId, options, serverId, action, status, reason, inputs.el, timeout);
  form.refresh();
  return h('section', { class: 'card', 'aria-labelledby': 'new-deployment-title' },
    h('h2', { id: 'new-deployment-title' }, 'New deployment'), form.el);
}

/** JSON with object keys sorted, to compare values. */
const canon = (v) => JSON.stringify(v, (k, x) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1))) : x));

function showDeployment(side, id, { go, configsReady, metaCard, plan, saved }) {
  const panel = busyRegion({ class: 'card', 'aria-labelledby': 'deployment-title' });
  if (!side.firstElementChild) mount(side, panel.el);
  else side.firstElementChild.replaceWith(panel.el);
  const title = h('h2', { id: 'deployment-title', tabindex: '-1' }, 'Deployment');
  panel.el.prepend(title);
  const factsBox = h('div');
  const formBox = h('div');
  const notice = h('div', { role: 'alert', class: 'form-alert' });
  let d = null;
  let form = null;

  async function read() {
    const res = await heat('software_deployment.show', { id });
    return { d: res.body.software_deployment, etag: res.headers.get('etag') };
  }

  function showFacts(configs) {
    const cfg = configs.get(d.config_id);
    mount(factsBox,
      facts([
        ['ID', h('code', {}, d.id)],
        ['Server', d.server_id],
        ['Config', h('a', { href: `#/configs/${seg(d.config_id)}` }, cfg ? cfg.name || d.config_id : d.config_id)],
        ['Action', d.action],
        ['Status', statusBadge(d.status)],
        ['Status reason', d.status_reason || '—'],
        ['Input values', d.input_values ? jsonBlock(d.input_values, 'Input values') : '—'],
        ['Output values', d.output_values ? jsonBlock(d.output_values, 'Output values') : '—'],
        ['Timeout', d.timeout ? `${d.timeout} s` : '—'],
        ['Created', d.creation_time],
        ['Updated', d.updated_time || '—'],
      ]),
      agentLogs(d.output_values));
  }

  const ready = (async () => {
    const [got, error] = await panel.get(read);
    const back = h('p', {}, h('a', { href: '#/deployments' }, '← New deployment'));
    if (error) {
      mount(panel.body, alertBox(error), back);
      return;
    }
    const configs = await configsReady;
    ({ d } = got);
    title.textContent = `Deployment on ${d.server_id}`;
    showFacts(configs);
    form = updateForm(d, got.etag, configs, { notice, panel, go, saved });
    mount(formBox, form.el);
    mount(panel.body, back, notice, factsBox,
      agentSummary(d.server_id),
      h('button', { type: 'button', class: 'secondary', onclick: () => metaCard.show(d.server_id) }, `Show server ${d.server_id}`),
      h('h3', { id: 'update-title' }, 'Update'),
      formBox);
    plan();
  })();

  return {
    ready,
    inProgress: () => d?.status === 'IN_PROGRESS',
    /** A background refresh: the facts always; the form only if nobody is editing it. */
    async refresh() {
      const next = form && await read().catch(() => null);
      if (!next) return;
      const configs = await configsReady;
      d = next.d;
      keepFocus(panel.body, () => {
        showFacts(configs);
        if (!form.dirty) {
          form = updateForm(d, next.etag, configs, { notice, panel, go, saved });
          mount(formBox, form.el);
        }
      });
      plan();
    },
  };
}

function updateForm(d, etag, configs, { notice, panel, go, saved }) {
  const list = [...configs.values()];
  if (!configs.has(d.config_id)) list.unshift({ id: d.config_id, name: '(not found)' });
  const config = field({ label: 'Config', path: '/config_id', control: 'select', value: d.config_id,
    hint: 'Another config re-deploys: the agent runs it with these input values',
    options: list.map((c) => [c.id, configLabel(c)]) });
  const action = field({ label: 'Action', path: '/action', value: d.action });
  const status = field({ label: 'Status', path: '/status', control: 'select', options: statusOptions(), value: d.status });
  const reason = field({ label: 'Status reason', path: '/status_reason', value: d.status_reason });
  const outputs = field({
    label: 'Output values (JSON)', path: '/output_values', control: 'textarea',
    hint: 'An object like {"result": "ok"}; empty leaves them as they are',
    value: d.output_values ? JSON.stringify(d.output_values, null, 2) : '',
    attrs: { rows: 4, class: 'mono' },
  });
  const remove = h('button', {
    type: 'button', class: 'danger',
    async onclick() {
      if (!await confirmAction({ title: 'Delete this deployment?', text: `The deployment on server ${d.server_id} will be deleted. This cannot be undone.` })) return;
      try {
        await panel.run(() => heat('software_deployment.delete', { id: d.id }));
        toast('Deployment deleted');
        go('#/deployments');
      } catch (e) {
        mount(notice, h('p', {}, e.message));
      }
    },
  }, 'Delete');
  const form = checkedForm({
    label: 'Update deployment',
    kind: 'software_deployment.update',
    submitLabel: 'Save',
    extraButtons: [remove],
    collect() {
      const payload = {};
      const errors = [];
      if (config.control.value !== d.config_id) payload.config_id = config.control.value;
      if (action.control.value.trim() !== '') payload.action = action.control.value.trim();
      if (status.control.value) payload.status = status.control.value;
      payload.status_reason = reason.control.value;
      // Sent only when changed: new input values re-deploy.
      const iv = inputs.collect(errors);
      if (canon(iv) !== canon(d.input_values || {})) payload.input_values = iv;
      const ov = parseJsonField(outputs.control.value, '/output_values', 'Output values', { object: true });
      if (ov.error) errors.push(ov.error);
      else if (ov.value !== undefined) payload.output_values = ov.value;
      return { payload, errors };
    },
    send: (payload) => heat('software_deployment.update', { id: d.id }, payload, etag ? { 'If-Match': etag } : {}),
    done() {
      toast('Deployment updated');
      saved();
    },
  });
  const inputs = inputValuesEditor(form, d.input_values || {});
  config.control.addEventListener('change', () => followConfig(inputs, config.control.value));
  form.fields.append(config, action, status, reason, inputs.el, outputs);
  followConfig(inputs, d.config_id);
  form.refresh();
  return form;
}

function agentLogs(outputs) {
  const logs = [['deploy_stdout', 'Standard output'], ['deploy_stderr', 'Standard error']]
    .filter(([key]) => typeof outputs?.[key] === 'string' && outputs[key] !== '');
  if (!logs.length) return null;
  return h('section', { class: 'logs', 'aria-label': 'Agent logs' },
    h('h3', {}, 'Agent logs'),
    logs.map(([key, label]) => [
      h('h4', {}, `${label} `, h('code', {}, key)),
      h('pre', { class: 'log', tabindex: '0', 'aria-label': label }, outputs[key]),
    ]));
}

/** A server's agent: whether it has polled (and when), whether a metadata URL is issued. */
export function agentSummary(serverId, { manage = false } = {}) {
  const region = busyRegion({ class: 'agent', 'aria-label': `Agent on ${serverId}` });
  region.el.prepend(h('h3', {}, 'Server agent'));
  const server = { server_id: serverId };
  async function load() {
    const [res, error] = await region.get(() => heat('server_agent.show', server));
    const a = res?.body;
    if (error) {
      mount(region.body, alertBox(error));
      return;
    }
    const act = (kind, label, done) => h('button', {
      type: 'button', class: kind === 'server_agent.revoke' ? 'danger' : 'secondary',
      async onclick() {
        try {
          await region.run(() => heat(kind, server));
          toast(done);
        } catch (e) {
          toast(e.message);
        }
        load();
      },
    }, label);
    mount(region.body,
      facts([
        ['Last poll', a.last_poll_time ? `${a.last_poll_time} (to within 10 minutes)` : 'Never: no agent has polled'],
        ['Metadata URL', a.metadata_url ? h('code', { class: 'url' }, a.metadata_url) : 'Not issued'],
      ]),
      manage ? h('p', { class: 'actions' },
        act('server_agent.issue', a.metadata_url_issued ? 'Show agent URL' : 'Issue agent URL', 'Agent URL issued'),
        a.metadata_url_issued ? act('server_agent.revoke', 'Revoke agent URLs', 'Agent URLs revoked') : null) : null);
  }
  load();
  return region.el;
}

/** "Server": a server's agent, and every deployment on it as its derived config. */
function metadataCard() {
  const out = busyRegion({ class: 'metadata-out' });
  const serverId = field({ label: 'Server ID', path: '/server_id' });
  const form = checkedForm({
    label: 'Server',
    submitLabel: 'Show server',
    collect: () => ({ payload: { server_id: serverId.control.value.trim() } }),
    check: (p) => (p.server_id ? [] : [{ path: '/server_id', message: 'Server ID is required' }]),
    async send(p) {
      const { body } = await out.run(() => heat('software_deployment.metadata', { server_id: p.server_id }));
      mount(out.body,
        agentSummary(p.server_id, { manage: true }),
        h('h3', {}, 'Metadata'),
        h('p', {}, `${plural(body.metadata.length, 'deployment')} on ${p.server_id}`),
        jsonBlock(body.metadata, `Metadata for server ${p.server_id}`));
    },
  });
  form.fields.append(serverId);
  form.refresh();
  const el = h('section', { class: 'card', 'aria-labelledby': 'metadata-title' },
    h('h2', { id: 'metadata-title', tabindex: '-1' }, 'Server'), form.el, out.el);
  return {
    el,
    show(server) {
      serverId.control.value = server;
      form.refresh();
      form.el.requestSubmit();
      reveal(el);
    },
  };
}
