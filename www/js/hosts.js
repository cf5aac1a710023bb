// CodeArts host clusters and their hosts: #/hosts lists the project's clusters and creates one;
// #/hosts/{group_id} lists a cluster's hosts with their agent's connection, adds and deletes hosts,
// and shows a host's server agent (a host id is a server id: its agent URL is issued as any
// server's). Requests: host_cluster.* and host.* kinds; the agent panel is the deployments view's.

import { sendKind, session, seg } from './api.js';
import { h, mount, toast, busyRegion, alertBox, confirmAction, statusBadge, table, reveal, facts, plural } from './ui.js';
import { checkedForm, field } from './form.js';
import { rules } from './validator.js';
import { agentSummary } from './deployments.js';

export const pid = () => session.get().projectId;
export const osField = (value) => field({ label: 'OS', path: '/os', control: 'select', value, options: (rules()?.codearts.os ?? []).map((o) => [o, o]) });
/** A name's hint from the package's rule (clusters and environments share the applications' rule). */
export const nameField = (label, hint = '') => {
  const r = rules()?.codearts.name;
  return field({ label, path: '/name', hint: r && `${r.minLength} to ${r.maxLength} ${r.pattern}${hint}`, attrs: { maxlength: 128 } });
};
/** The listing's rows, and a note when there are more than it shows (page_size at most 100). */
export const rowsOf = (res) => res?.body.result || [];
export const more = (res, noun) => (res?.body.total > rowsOf(res).length ? h('p', { class: 'hint' }, `The first ${rowsOf(res).length} of ${plural(res.body.total, noun)}`) : null);

/** A row's Delete: asks first, runs `send` busy in `region`, says how it went, then `after()`. */
export function deleteButton(what, text, region, send, after) {
  return h('button', {
    type: 'button', class: 'danger small', 'aria-label': `Delete ${what}`,
    async onclick() {
      if (!await confirmAction({ title: `Delete ${what}?`, text })) return;
      const [, e] = await region.get(send);
      toast(e ? e.message : `Deleted ${what}`);
      if (e) return;
      // The row goes: focus moves to the list's heading, not to the page's start.
      const head = region.el.querySelector('h2, h3');
      head.tabIndex = -1;
      head.focus();
      after();
    },
  }, 'Delete');
}

/** Hosts with their agent's connection: `connection_status`, `lastest_connection_time` (Huawei's spelling). */
export function hostTable(caption, hosts, actions) {
  return table(caption, ['Host', 'Agent', 'Host ID', ...(actions ? ['Actions'] : [])], hosts.map((x) => h('tr', {},
    h('th', { scope: 'row' }, x.host_name, h('span', { class: 'sub' }, `${x.ip} port ${x.port} · ${x.os}`)),
    h('td', {}, statusBadge(x.connection_status),
      h('span', { class: 'sub' }, x.lastest_connection_time ? `Last poll ${x.lastest_connection_time}` : x.connection_result)),
    h('td', {}, h('code', {}, x.uuid || x.host_id)),
    actions && h('td', {}, actions(x)))));
}

export function hostsView({ main, route, go, focusDetail }) {
  const list = busyRegion({ class: 'card', 'aria-labelledby': 'clusters-title' });
  const side = h('div', { class: 'side' });
  list.el.prepend(h('h2', { id: 'clusters-title' }, 'Host clusters'),
    h('p', { class: 'hint' }, 'A host is one of the project\'s servers; its agent (os-collect-config) runs what an application deploys to it.'));
  mount(main, h('h1', { tabindex: '-1' }, 'Hosts'), h('div', { class: 'split' }, list.el, side));

  async function load() {
    const [res, error] = await list.get(() => sendKind('host_cluster.list', {}, { project_id: pid(), page_size: 100 }));
    const rows = rowsOf(res);
    mount(list.body, alertBox(error),
      rows.length ? table('Host clusters, newest first', ['Cluster', 'OS', 'Hosts', 'Actions'], rows.map((c) => h('tr', { 'aria-current': c.id === route.id ? 'true' : null },
        h('th', { scope: 'row' }, h('a', { href: `#/hosts/${seg(c.id)}` }, c.name)),
        h('td', {}, c.os),
        h('td', {}, c.host_count),
        h('td', {}, deleteButton(`cluster ${c.name}`, `Cluster "${c.name}" and its ${plural(c.host_count, 'host')} will be deleted, and its hosts leave every environment. This cannot be undone.`,
          list, () => sendKind('host_cluster.delete', { group_id: c.id }), () => (c.id === route.id ? go('#/hosts') : load()))))))
        : h('p', { class: 'empty' }, 'No host clusters yet. Create one with the form.'),
      more(res, 'cluster'));
  }

  const listed = load();
  if (route.id) Promise.all([listed, showCluster(side, route.id, load)]).then(() => focusDetail && reveal(side));
  else mount(side, clusterForm(go));
}

function clusterForm(go) {
  const name = nameField('Name');
  const os = osField();
  const form = checkedForm({
    label: 'Create host cluster',
    kind: 'host_cluster.create',
    submitLabel: 'Create cluster',
    collect: () => ({ payload: { project_id: pid(), name: name.control.value.trim(), os: os.control.value, is_proxy_mode: 0 } }),
    send: (p) => sendKind('host_cluster.create', {}, p),
    done(res) {
      toast(`Cluster ${name.control.value.trim()} created`);
      go(`#/hosts/${seg(res.body.id)}`);
    },
  });
  form.fields.append(name, os);
  form.refresh();
  return h('section', { class: 'card', 'aria-labelledby': 'cluster-form-title' }, h('h2', { id: 'cluster-form-title' }, 'New host cluster'), form.el);
}

async function showCluster(side, id, reloadList) {
  const panel = busyRegion({ class: 'card', 'aria-labelledby': 'cluster-title' });
  const title = h('h2', { id: 'cluster-title', tabindex: '-1' }, 'Host cluster');
  const hosts = busyRegion({ 'aria-labelledby': 'hosts-title' });
  const agent = h('div');
  panel.el.prepend(title);
  mount(side, panel.el);
  const back = h('p', {}, h('a', { href: '#/hosts' }, '← New host cluster'));
  const [res, error] = await panel.get(() => sendKind('host_cluster.show', { group_id: id }));
  if (error) return mount(panel.body, alertBox(error), back);
  const c = res.body.result;
  title.textContent = `Cluster ${c.name}`;

  async function load() {
    const [got, e] = await hosts.get(() => sendKind('host.list', { group_id: id }, { page_size: 100 }));
    const rows = rowsOf(got);
    mount(hosts.body, alertBox(e),
      rows.length ? hostTable(`Hosts of ${c.name}`, rows, (x) => h('div', { class: 'row-actions' },
        h('button', { type: 'button', class: 'secondary small', 'aria-label': `Agent of ${x.host_name}`, onclick: () => showAgent(x) }, 'Agent'),
        deleteButton(`host ${x.host_name}`, `Host "${x.host_name}" (${x.ip}) leaves the cluster and every environment. This cannot be undone.`,
          hosts, () => sendKind('host.delete', { group_id: id, host_id: x.uuid }), () => { mount(agent); load(); reloadList(); })))
        : h('p', { class: 'empty' }, 'No hosts yet. Add one with the form.'),
      more(got, 'host'));
  }
  function showAgent(x) {
    mount(agent, h('section', { class: 'card', 'aria-labelledby': 'host-agent-title' },
      h('h3', { id: 'host-agent-title' }, `Agent of ${x.host_name}`),
      h('p', {}, 'Host ID ', h('code', {}, x.uuid), ' is its server ID: ', h('code', { class: 'url' }, `POST /v1/${pid()}/servers/${x.uuid}/agent`),
        ' issues the agent URL its os-collect-config polls (Issue agent URL does the same). Its status turns SUCCESS once the agent polls.'),
      agentSummary(x.uuid, { manage: true })));
    reveal(agent);
  }

  mount(panel.body, back,
    facts([['ID', h('code', {}, c.id)], ['OS', c.os], ['Created', c.created_time]]),
    hosts.el, agent, hostForm(c, () => { load(); reloadList(); }));
  hosts.el.prepend(h('h3', { id: 'hosts-title' }, 'Hosts'));
  return load();
}

/** Add host: deploy-edge never logs in, so the login is checked for shape, then discarded. */
function hostForm(c, added) {
  const name = field({ label: 'Host name', path: '/host_name', attrs: { maxlength: 128 } });
  const ip = field({ label: 'IP address', path: '/ip', hint: 'IPv4 or IPv6' });
  const port = field({ label: 'SSH port', path: '/port', value: '22', attrs: { inputmode: 'numeric' } });
  const user = field({ label: 'User name', path: '/authorization/username', attrs: { autocomplete: 'off' } });
  const password = field({ label: 'Password', path: '/authorization/password', attrs: { type: 'password', autocomplete: 'new-password' } });
  const form = checkedForm({
    label: 'Add host',
    kind: 'host.create',
    submitLabel: 'Add host',
    collect() {
      const p = port.control.value.trim();
      return { payload: { host_name: name.control.value.trim(), ip: ip.control.value.trim(), port: /^\d+$/.test(p) ? Number(p) : p, os: c.os, as_proxy: false,
        authorization: { username: user.control.value.trim(), trusted_type: 0, password: password.control.value } } };
    },
    send: (p) => sendKind('host.create', { group_id: c.id }, p),
    done() {
      toast(`Host ${name.control.value.trim()} added`);
      for (const f of [name, ip, user, password]) f.control.value = '';
      form.refresh();
      added();
    },
  });
  form.fields.append(name, ip, port, h('fieldset', { class: 'io', dataset: { path: '/authorization' } }, h('legend', {}, 'Login (discarded)'),
    h('p', { class: 'note' }, 'Huawei\'s API asks for a login. deploy-edge never logs in to a host (its agent polls instead), so the user name and password are only checked, then discarded: never stored, never shown.'),
    user, password, h('p', { class: 'field-error' })));
  form.refresh();
  return h('section', { 'aria-labelledby': 'host-form-title' }, h('h3', { id: 'host-form-title' }, `Add a ${c.os} host`), form.el);
}
