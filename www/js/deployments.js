// Software deployments: a list filtered by server (paged here; the API returns them all, oldest
// first), a create form, a detail panel with the update form (If-Match on the ETag), Delete and
// the agent's logs, and a server panel: its agent (last poll, metadata URL) and its metadata.

import { heat, seg } from './api.js';
import { h, mount, toast, busyRegion, alertBox, pager, facts, confirmAction, statusBadge, jsonBlock, shortId } from './ui.js';
import { checkedForm, field, parseJsonField } from './form.js';
import { rules } from './validator.js';

const PAGE = 10;
const state = { server: '', page: 1 };

/** Config summaries by id, for names in the list and suggestions in the form. */
async function configIndex() {
  try {
    const rows = (await heat('software_config.list', {}, { limit: 1000 })).body.software_configs || [];
    return new Map(rows.map((c) => [c.id, c]));
  } catch {
    return new Map();
  }
}

export function deploymentsView({ main, route, go }) {
  const list = busyRegion({ class: 'card', 'aria-labelledby': 'deployments-list-title' });
  const side = h('div', { class: 'side' });
  const metaCard = metadataCard();
  let configs = new Map();
  const configsReady = configIndex().then((m) => { configs = m; return m; });

  const serverFilter = h('input', { id: 'server-filter', type: 'search', value: state.server, autocomplete: 'off' });
  const filter = h('form', {
    role: 'search', 'aria-label': 'Filter deployments', class: 'filter',
    onsubmit(ev) { ev.preventDefault(); state.server = serverFilter.value.trim(); state.page = 1; load(); },
  },
  h('label', { for: 'server-filter' }, 'Filter by server ID'), serverFilter,
  h('button', { type: 'submit', class: 'secondary' }, 'Apply filter'),
  h('button', { type: 'button', class: 'link', onclick() { serverFilter.value = ''; state.server = ''; state.page = 1; load(); } }, 'Clear filter'));

  list.el.prepend(h('h2', { id: 'deployments-list-title' }, 'Deployments'), filter);
  mount(main,
    h('h1', { tabindex: '-1' }, 'Software deployments'),
    h('div', { class: 'split' }, h('div', { class: 'stack' }, list.el, metaCard.el), side));

  async function load() {
    let rows = [];
    let error = null;
    await list.run(async () => {
      try {
        const query = state.server ? { server_id: state.server } : {};
        rows = (await heat('software_deployment.list', {}, query)).body.software_deployments || [];
        await configsReady;
      } catch (e) {
        error = e;
      }
    });
    const pages = Math.max(1, Math.ceil(rows.length / PAGE));
    state.page = Math.min(state.page, pages);
    const shown = rows.slice((state.page - 1) * PAGE, state.page * PAGE);
    const what = state.server ? ` on server ${state.server}` : '';
    mount(list.body,
      alertBox(error),
      shown.length ? deploymentTable(shown, configs, route.id) : h('p', { class: 'empty' }, `No deployments${what}.`),
      pager({
        label: 'Deployment pages', page: state.page, pages,
        summary: `Page ${state.page} of ${pages} (${rows.length} deployment${rows.length === 1 ? '' : 's'}${what})`,
        hasPrev: state.page > 1, hasNext: state.page < pages,
        onPrev: () => { state.page--; load(); },
        onNext: () => { state.page++; load(); },
      }));
  }

  const refresh = () => { load(); if (route.id) showDeployment(side, route.id, { go, refresh, configsReady, metaCard }); };
  load();
  if (route.id) showDeployment(side, route.id, { go, refresh, configsReady, metaCard });
  else mount(side, createDeploymentForm({ go, configsReady, preset: route.query.get('config_id') || '' }));
}

function deploymentTable(rows, configs, selected) {
  const th = (t) => h('th', { scope: 'col' }, t);
  return h('table', {},
    h('caption', { class: 'sr-only' }, 'Software deployments, oldest first'),
    h('thead', {}, h('tr', {}, th('Deployment'), th('Server'), th('Config'), th('Action'), th('Status'), th('Updated'))),
    h('tbody', {}, rows.map((d) => h('tr', { 'aria-current': d.id === selected ? 'true' : null },
      h('td', {}, h('a', { href: `#/deployments/${seg(d.id)}`, 'aria-label': `Open deployment ${d.id}` }, shortId(d.id))),
      h('td', {}, d.server_id),
      h('td', {}, configs.get(d.config_id)?.name || shortId(d.config_id)),
      h('td', {}, d.action),
      h('td', {}, statusBadge(d.status)),
      h('td', {}, d.updated_time || d.creation_time)))));
}

/** The deployment statuses as select options (the package's list), after `blank` if given. */
function statusOptions(blank) {
  const statuses = rules()?.heat.deploymentStatuses ?? [];
  return [...(blank ? [['', blank]] : []), ...statuses.map((s) => [s, s.replace('_', ' ')])];
}

function createDeploymentForm({ go, configsReady, preset }) {
  const configId = field({ label: 'Config ID', path: '/config_id', value: preset, attrs: { list: 'config-options' } });
  const configHint = h('p', { class: 'hint', id: 'config-id-known', 'aria-live': 'polite' });
  configId.querySelector('label').after(configHint);
  configId.control.setAttribute('aria-describedby', `config-id-known ${configId.control.getAttribute('aria-describedby')}`);
  // Hints and the default status come from the package's rules (none while it is not loaded).
  const heatRules = rules()?.heat;
  const serverId = field({ label: 'Server ID', path: '/server_id', hint: heatRules && `Any name for the server, at most ${heatRules.maxLength.server_id} characters` });
  const action = field({ label: 'Action', path: '/action', hint: heatRules && `Free text such as CREATE or UPDATE; empty means ${heatRules.defaultAction}` });
  const status = field({ label: 'Status', path: '/status', control: 'select', options: statusOptions(heatRules ? `Default (${heatRules.defaultStatus})` : 'Default') });
  const reason = field({ label: 'Status reason', path: '/status_reason' });
  const inputs = field({ label: 'Input values (JSON)', path: '/input_values', control: 'textarea', hint: 'An object of input name to value, e.g. {"port": 8080}', attrs: { rows: 3, class: 'mono' } });
  const timeout = field({ label: 'Timeout (seconds)', path: '/timeout', hint: heatRules && `Optional, ${heatRules.timeout.min} to ${heatRules.timeout.max.toLocaleString('en')}: an IN PROGRESS deployment with no result by then turns FAILED`, attrs: { inputmode: 'numeric' } });
  const options = h('datalist', { id: 'config-options' });
  let configs = new Map();

  function describeConfig() {
    const c = configs.get(configId.control.value.trim());
    configHint.textContent = c ? `Config "${c.name || '(unnamed)'}" (${c.group})` : '';
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
      const iv = parseJsonField(inputs.control.value, '/input_values', 'Input values', { object: true });
      if (iv.error) errors.push(iv.error);
      else if (iv.value !== undefined) payload.input_values = iv.value;
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
  form.fields.append(configId, options, serverId, action, status, reason, inputs, timeout);
  form.refresh();
  return h('section', { class: 'card', 'aria-labelledby': 'new-deployment-title' },
    h('h2', { id: 'new-deployment-title' }, 'New deployment'), form.el);
}

async function showDeployment(side, id, { go, refresh, configsReady, metaCard }) {
  const panel = busyRegion({ class: 'card', 'aria-labelledby': 'deployment-title' });
  if (!side.firstElementChild) mount(side, panel.el);
  else side.firstElementChild.replaceWith(panel.el);
  panel.el.prepend(h('h2', { id: 'deployment-title' }, 'Deployment'));
  let d;
  let etag = null;
  let error = null;
  await panel.run(async () => {
    try {
      const res = await heat('software_deployment.show', { id });
      d = res.body.software_deployment;
      etag = res.headers.get('etag');
    } catch (e) {
      error = e;
    }
  });
  const back = h('p', {}, h('a', { href: '#/deployments' }, '← New deployment'));
  if (error) {
    mount(panel.body, alertBox(error), back);
    return;
  }
  const configs = await configsReady;
  const cfg = configs.get(d.config_id);
  panel.el.querySelector('h2').textContent = `Deployment on ${d.server_id}`;

  const action = field({ label: 'Action', path: '/action', value: d.action });
  const status = field({ label: 'Status', path: '/status', control: 'select', options: statusOptions(), value: d.status });
  const reason = field({ label: 'Status reason', path: '/status_reason', value: d.status_reason });
  const outputs = field({
    label: 'Output values (JSON)', path: '/output_values', control: 'textarea',
    hint: 'An object of output name to value, e.g. {"result": "ok"}; empty leaves them as they are',
    value: d.output_values ? JSON.stringify(d.output_values, null, 2) : '',
    attrs: { rows: 4, class: 'mono' },
  });
  const notice = h('div', { role: 'alert', class: 'form-alert' });
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
      if (action.control.value.trim() !== '') payload.action = action.control.value.trim();
      if (status.control.value) payload.status = status.control.value;
      payload.status_reason = reason.control.value;
      const ov = parseJsonField(outputs.control.value, '/output_values', 'Output values', { object: true });
      if (ov.error) errors.push(ov.error);
      else if (ov.value !== undefined) payload.output_values = ov.value;
      return { payload, errors };
    },
    send: (payload) => heat('software_deployment.update', { id: d.id }, payload, etag ? { 'If-Match': etag } : {}),
    done() {
      toast('Deployment updated');
      refresh();
    },
  });
  form.fields.append(action, status, reason, outputs);
  form.refresh();

  mount(panel.body,
    back,
    notice,
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
    agentLogs(d.output_values),
    agentSummary(d.server_id),
    h('button', { type: 'button', class: 'secondary', onclick: () => metaCard.show(d.server_id) }, `Show server ${d.server_id}`),
    h('h3', { id: 'update-title' }, 'Update'),
    form.el);
}

/** What the agent's hook printed (`deploy_stdout`, `deploy_stderr`), as logs. */
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
function agentSummary(serverId, { manage = false } = {}) {
  const region = busyRegion({ class: 'agent', 'aria-label': `Agent on ${serverId}` });
  region.el.prepend(h('h3', {}, 'Server agent'));
  const server = { server_id: serverId };
  async function load() {
    let a = null;
    let error = null;
    await region.run(async () => {
      try {
        a = (await heat('server_agent.show', server)).body;
      } catch (e) {
        error = e;
      }
    });
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
      let error = null;
      let body = null;
      await out.run(async () => {
        try {
          body = (await heat('software_deployment.metadata', { server_id: p.server_id })).body;
        } catch (e) {
          error = e;
        }
      });
      if (error) throw error;
      mount(out.body,
        agentSummary(p.server_id, { manage: true }),
        h('h3', {}, 'Metadata'),
        h('p', {}, `${body.metadata.length} deployment${body.metadata.length === 1 ? '' : 's'} on ${p.server_id}`),
        jsonBlock(body.metadata, `Metadata for server ${p.server_id}`));
    },
  });
  form.fields.append(serverId);
  form.refresh();
  const el = h('section', { class: 'card', 'aria-labelledby': 'metadata-title' },
    h('h2', { id: 'metadata-title' }, 'Server'), form.el, out.el);
  return {
    el,
    show(server) {
      serverId.control.value = server;
      form.refresh();
      form.el.requestSubmit();
      el.scrollIntoView({ block: 'start' });
    },
  };
}
