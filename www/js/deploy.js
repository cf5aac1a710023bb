// Deploying a CodeArts application (its first task, `arrange_infos[0]`): its environments (create,
// import hosts from a cluster, list their hosts), the Deploy form (parameters, checked by the
// package as task.start), a record's live view (#/applications/{app_id}?record={record_id}: read
// every 2 s while it runs; Stop) and the task's history with Roll back. Requests: environment.*
// and task.* kinds. See docs/codearts.md, "Deploying".

import { sendKind, seg } from './api.js';
import { h, mount, toast, busyRegion, alertBox, confirmAction, statusBadge, table, facts, keepFocus, reveal, plural } from './ui.js';
import { checkedForm, field } from './form.js';
import { rules } from './validator.js';
import { pid, osField, nameField, rowsOf, more, deleteButton, hostTable } from './hosts.js';

const POLL_MS = 2000;
const TYPES = ['text', 'enum', 'encrypt', 'host_group'];
let live = 0; // bumped by a new record view and by a page change: an older view's poll stops
let timer = 0;
window.addEventListener('view-change', () => { live++; clearTimeout(timer); });

export const recordHash = (app, record) => `#/applications/${seg(app)}?record=${seg(record)}`;
const card = (id, title, ...children) => h('section', { class: 'card', 'aria-labelledby': id }, h('h2', { id }, title), ...children);
const envList = (app) => sendKind('environment.list', { app_id: app.id }, { project_id: pid(), page_size: 100 });

/** The cards of an application's detail: Environments, Deploy, History. */
export function deployCards(app, go) {
  const task = app.arrange_infos?.[0]?.id;
  if (!task) return [card('deploy-title', 'Deploy', h('p', { class: 'empty' }, 'Add a deployment task to deploy this application.'))];
  return [environments(app), deployCard(app, task, go), history(app, task, go).el];
}

/** A record's live view and the task's history. */
export function recordCards(app, record, go) {
  const task = app.arrange_infos?.[0]?.id;
  const past = history(app, task, go, record);
  return [recordPanel(app, task, record, past), past.el];
}

function environments(app) {
  const region = busyRegion({ class: 'card', 'aria-labelledby': 'envs-title' });
  const detail = h('div');
  region.el.prepend(h('h2', { id: 'envs-title' }, 'Environments'));
  const act = (label, e, fn) => h('button', { type: 'button', class: 'secondary small', 'aria-label': `${label}: ${e.name}`, onclick: () => fn(e) }, label);
  const ids = (e) => ({ app_id: app.id, environment_id: e.id });

  async function load() {
    const [res, error] = await region.get(() => envList(app));
    const rows = rowsOf(res);
    mount(region.body, alertBox(error),
      rows.length ? table(`Environments of ${app.name}, newest first`, ['Environment', 'OS', 'Hosts', 'Actions'], rows.map((e) => h('tr', {},
        h('th', { scope: 'row' }, e.name, h('span', { class: 'sub' }, h('code', {}, e.id))),
        h('td', {}, e.os),
        h('td', {}, e.instance_count),
        h('td', {}, h('div', { class: 'row-actions' }, act('Hosts', e, hosts), act('Import hosts', e, importForm),
          deleteButton(`environment ${e.name}`, `Environment "${e.name}" will be deleted (its hosts stay in their clusters).`, region,
            () => sendKind('environment.delete', ids(e)), () => { mount(detail); load(); }))))))
        : h('p', { class: 'empty' }, 'No environments yet. Create one, then import hosts into it.'),
      more(res, 'environment'));
  }

  async function hosts(e) {
    const box = busyRegion({ 'aria-labelledby': 'env-hosts-title' });
    box.el.prepend(h('h3', { id: 'env-hosts-title', tabindex: '-1' }, `Hosts of ${e.name}`));
    mount(detail, box.el);
    reveal(detail);
    const [res, error] = await box.get(() => sendKind('environment.hosts', ids(e), { page_size: 100 }));
    mount(box.body, alertBox(error), rowsOf(res).length ? hostTable(`Hosts of ${e.name}`, rowsOf(res))
      : h('p', { class: 'empty' }, 'No hosts yet: Import hosts adds them from a cluster.'), more(res, 'host'));
  }

  /** Import hosts: a cluster of the environment's OS, then its hosts ticked. */
  async function importForm(e) {
    const box = busyRegion({ 'aria-labelledby': 'import-title' });
    const cluster = field({ label: 'Host cluster', path: '/group_id', control: 'select', options: [['', 'Choose a cluster']] });
    const picks = h('div', { class: 'rows' });
    let boxes = [];
    const form = checkedForm({
      label: `Import hosts into ${e.name}`,
      kind: 'environment.import_hosts',
      submitLabel: 'Import hosts',
      collect: () => ({ payload: { group_id: cluster.control.value, host_ids: boxes.filter((b) => b.control.checked).map((b) => b.host) } }),
      send: (p) => sendKind('environment.import_hosts', ids(e), p),
      done(res) {
        toast(`${plural(res.body.result.length, 'host')} imported into ${e.name}`);
        load();
        hosts(e);
      },
    });
    cluster.control.addEventListener('change', async () => {
      const id = cluster.control.value;
      const [res, error] = id ? await box.get(() => sendKind('host.list', { group_id: id }, { page_size: 100 })) : [];
      boxes = rowsOf(res).map((x) => Object.assign(field({ label: `${x.host_name} (${x.ip}, ${x.connection_status})`, attrs: { type: 'checkbox' } }), { host: x.uuid }));
      mount(picks, alertBox(error), boxes, id && !boxes.length && !error ? h('p', { class: 'empty' }, 'This cluster has no hosts.') : null, more(res, 'host'));
      form.refresh();
    });
    form.fields.append(cluster, h('fieldset', { class: 'io', dataset: { path: '/host_ids' } }, h('legend', {}, 'Hosts to import'), picks, h('p', { class: 'field-error' })));
    box.el.prepend(h('h3', { id: 'import-title', tabindex: '-1' }, `Import hosts into ${e.name}`), h('p', { class: 'hint' }, `From a ${e.os} host cluster (Hosts, in the menu).`));
    mount(box.body, form.el);
    mount(detail, box.el);
    reveal(detail);
    const [res, error] = await box.get(() => sendKind('host_cluster.list', {}, { project_id: pid(), os: e.os, page_size: 100 }));
    cluster.control.append(...rowsOf(res).map((c) => h('option', { value: c.id }, `${c.name} (${plural(c.host_count, 'host')})`)));
    if (error) box.body.prepend(alertBox(error));
    form.refresh();
  }

  const name = nameField('Name', '; unique in this application');
  const os = osField();
  const form = checkedForm({
    label: 'Create environment',
    kind: 'environment.create',
    submitLabel: 'Create environment',
    collect: () => ({ payload: { project_id: pid(), name: name.control.value.trim(), deploy_type: 0, os: os.control.value } }),
    send: (p) => sendKind('environment.create', { app_id: app.id }, p),
    done() {
      toast(`Environment ${name.control.value.trim()} created`);
      name.control.value = '';
      form.refresh();
      load();
    },
  });
  form.fields.append(name, os);
  form.refresh();
  region.el.append(detail, h('h3', {}, 'New environment'), form.el);
  load();
  return region.el;
}

/** Deploy: a button that opens the parameters form (the environment, then rows of key, value, type). */
function deployCard(app, task, go) {
  const body = h('div');
  const open = h('button', {
    type: 'button',
    async onclick() {
      open.hidden = true;
      const form = await paramsForm(app, task, go, body, () => { mount(body, open); open.hidden = false; open.focus(); });
      form.el.querySelector('input, select, button')?.focus();
    },
  }, 'Deploy');
  mount(body, open);
  return card('deploy-title', 'Deploy', h('p', { class: 'hint' }, `Runs ${plural(app.arrange_infos[0].operation_list?.length ?? 0, 'step')} of task 1 on an environment's hosts, through their agents.`), body);
}

async function paramsForm(app, task, go, body, cancel) {
  const region = busyRegion();
  mount(body, region.el);
  const [res, error] = await region.get(() => envList(app));
  const envs = rowsOf(res);
  const r = rules()?.codearts;
  // Several environments: the one chosen is the host_group parameter (first, so rows are /params/1…).
  const env = envs.length > 1 ? field({ label: 'Environment', path: '/params/0', control: 'select', hint: 'Sent as the host_group parameter',
    options: [['', 'Choose an environment'], ...envs.map((e) => [e.id, `${e.name} (${plural(e.instance_count, 'host')})`])] }) : null;
  const off = env ? 1 : 0;
  const where = error ? alertBox(error) : h('p', { class: envs.length ? 'note' : 'alert' }, envs.length === 1 ? `Deploys to ${envs[0].name}, the application's only environment (${plural(envs[0].instance_count, 'host')}).`
    : envs.length ? 'Choose the environment to deploy to.' : 'This application has no environment yet: create one and import hosts into it first.');
  const box = h('div', { class: 'rows' });
  let rows = [];
  const read = () => rows.map((p) => ({ key: p.key.control.value, value: p.value.control.value, type: p.type.control.value }));
  const add = h('button', { type: 'button', class: 'secondary', onclick() { build([...read(), {}]); form.refresh(); rows.at(-1).key.control.focus(); } }, 'Add parameter');
  function build(items) {
    rows = items.map((p, i) => {
      const base = `/params/${i + off}`;
      const key = field({ label: 'Key', path: `${base}/key`, value: p.key, attrs: { maxlength: 64 } });
      const value = field({ label: 'Value', path: `${base}/value`, value: p.value, attrs: { type: p.type === 'encrypt' ? 'password' : 'text', autocomplete: 'off' } });
      const type = field({ label: 'Type', path: `${base}/type`, control: 'select', value: p.type || 'text', options: TYPES.map((t) => [t, t]) });
      type.control.addEventListener('change', () => { value.control.type = type.control.value === 'encrypt' ? 'password' : 'text'; });
      const remove = h('button', { type: 'button', class: 'link', onclick() { const now = read(); now.splice(i, 1); build(now); form.touch('/params'); form.refresh(); (box.querySelector('input') || add).focus(); } }, `Remove parameter ${i + 1}`);
      return { key, value, type, el: h('fieldset', { class: 'row', dataset: { path: base } }, h('legend', {}, `Parameter ${i + 1}`), h('div', { class: 'cells' }, key, value, type), remove, h('p', { class: 'field-error' })) };
    });
    mount(box, rows.map((p) => p.el));
    add.disabled = rows.length >= (r?.maxItems.params ?? 100);
  }
  const form = checkedForm({
    label: 'Deploy parameters',
    kind: 'task.start',
    submitLabel: `Deploy ${app.name}`,
    extraButtons: [h('button', { type: 'button', class: 'secondary', onclick: cancel }, 'Cancel')],
    collect() {
      const params = read().map((p) => ({ ...p, key: p.key.trim() }));
      if (env) params.unshift({ key: 'host_group', value: env.control.value, type: 'host_group' });
      return { payload: params.length ? { params } : {} };
    },
    send: (p) => sendKind('task.start', { task_id: task }, p),
    done(res) {
      toast(`Deployment #${res.body.release_id} of ${app.name} started`);
      go(recordHash(app.id, res.body.id));
    },
  });
  build([]);
  form.fields.append(where, ...(env ? [env] : []), h('fieldset', { class: 'io', dataset: { path: '/params' } }, h('legend', {}, 'Parameters'),
    h('p', { class: 'hint' }, '${key} in a step\'s script is replaced by the value of a text, enum or host_group parameter. An encrypt value is never kept or substituted.'),
    box, add, h('p', { class: 'field-error' })));
  form.refresh();
  mount(region.body, form.el);
  return form;
}

/** One record, read again every 2 s while it runs: hosts × steps, each host's step with its output. */
function recordPanel(app, task, record, past) {
  const mine = ++live;
  clearTimeout(timer);
  const panel = busyRegion({ class: 'card', 'aria-labelledby': 'record-title' });
  const title = h('h2', { id: 'record-title', tabindex: '-1' }, 'Deployment record');
  panel.el.prepend(title);
  const back = h('p', {}, h('a', { href: `#/applications/${seg(app.id)}` }, `← ${app.name}`));
  const opened = new Set(); // the <details> opened, kept open when the record is read again
  const ids = { task_id: task, record_id: record };
  let shown = '';
  let was = '';

  async function refresh(first) {
    const read = () => sendKind('task.state', { task_id: task }, { record_id: record });
    const [res, error] = first ? await panel.get(read) : await read().then((x) => [x], (e) => [, e]);
    if (mine !== live) return;
    if (error && first) mount(panel.body, back, alertBox(error));
    const s = res?.body.result;
    if (s && JSON.stringify(s) !== shown) {
      shown = JSON.stringify(s);
      if (was && was !== s.status) {
        toast(`Deployment #${s.release_id} is now ${s.status}`);
        past.load();
      }
      was = s.status;
      title.textContent = `${s.type === 'rollback' ? 'Rollback' : 'Deployment'} #${s.release_id} of ${app.name}`;
      keepFocus(panel.body, () => mount(panel.body, back, ...view(s)));
    }
    if (error && !first && !s) return schedule(); // a failed background read keeps what is shown
    if (s?.status === 'running') schedule();
    return undefined;
  }
  const schedule = () => { clearTimeout(timer); timer = setTimeout(() => (document.hidden ? schedule() : refresh()), POLL_MS); };

  const stop = h('button', {
    type: 'button', class: 'danger',
    async onclick() {
      if (!await confirmAction({ title: 'Stop this deployment?', text: 'Steps not finished are taken back from their hosts; a host that has not polled yet runs nothing.', ok: 'Stop' })) return;
      const [, e] = await panel.get(() => sendKind('task.stop', ids, {}));
      toast(e ? e.message : 'Deployment stopped');
      clearTimeout(timer);
      await refresh();
      if (!panel.el.contains(document.activeElement)) title.focus(); // the Stop button is gone
    },
  }, 'Stop');

  function view(s) {
    const steps = s.step_state || [];
    const at = (step, host) => step.hosts?.find((x) => x.host_id === host.host_id);
    const log = (label, text, where) => (text ? h('pre', { class: 'log', tabindex: '0', 'aria-label': `${label} of ${where}` }, text) : '—');
    return [
      facts([
        ['Status', statusBadge(s.status)],
        ['Message', s.message || '—'],
        ['Environment', s.environment_name],
        ['Started', `${s.start_time} by ${s.nick_name || s.executor}`],
        ['Ended', s.end_time || '—'],
        ['Record ID', h('code', {}, s.record_id)],
      ]),
      s.status === 'running' ? h('div', { class: 'actions' }, stop, h('p', { class: 'hint' }, 'Running: read again every 2 seconds.')) : null,
      h('h3', {}, 'Hosts and steps'),
      (s.hosts || []).length ? table(`Each host's status at each step of record #${s.release_id}`, ['Host', ...steps.map((st, i) => `Step ${i + 1}: ${st.name}`)],
        s.hosts.map((host) => h('tr', {},
          h('th', { scope: 'row' }, host.host_name, h('span', { class: 'sub' }, host.ip)),
          steps.map((st) => h('td', {}, statusBadge(at(st, host)?.status || 'pending'))))))
        : h('p', { class: 'empty' }, 'No hosts.'),
      h('h3', {}, 'Output'),
      steps.flatMap((st) => (st.hosts || []).map((x) => {
        const k = `${st.id}/${x.host_id}`;
        const where = `${x.host_name}, ${st.name}`;
        return h('details', { open: opened.has(k), ontoggle: (ev) => (ev.target.open ? opened.add(k) : opened.delete(k)) },
          h('summary', {}, `${where}: `, statusBadge(x.status)),
          facts([
            ['Exit code', x.exit_code ?? '—'],
            ['Started', x.start_time || '—'],
            ['Ended', x.end_time || '—'],
            ['Message', x.message || '—'],
            ['Standard output', log('Standard output', x.stdout, where)],
            ['Standard error', log('Standard error', x.stderr, where)],
          ]));
      })),
    ];
  }

  refresh(true);
  return panel.el;
}

/** The task's records from today and the 29 days before (UTC), newest first, 20 of them. */
function history(app, task, go, current) {
  const region = busyRegion({ class: 'card', 'aria-labelledby': 'history-title' });
  const notice = h('div', { class: 'form-alert', role: 'alert' });
  region.el.prepend(h('h2', { id: 'history-title' }, 'History'), h('p', { class: 'hint' }, 'Today and the 29 days before (UTC), newest first.'), notice);
  const day = (ms) => new Date(ms).toISOString().slice(0, 10);

  async function rollback(x) {
    if (!await confirmAction({ title: `Roll back to #${x.release_id}?`, text: `The parameters of record #${x.release_id} run again, as a new record.`, ok: 'Roll back' })) return;
    notice.replaceChildren();
    const [res, e] = await region.get(() => sendKind('task.start', { task_id: task }, { record_id: x.execution_id }));
    if (e) return mount(notice, h('p', {}, e.message));
    toast(`Rollback #${res.body.release_id} started`);
    return go(recordHash(app.id, res.body.id));
  }

  async function load() {
    const [res, error] = await region.get(() => sendKind('task.history', { project_id: pid(), task_id: task },
      { page: 1, size: 20, start_date: day(Date.now() - 29 * 864e5), end_date: day(Date.now()) }));
    const rows = res?.body.result || [];
    mount(region.body, alertBox(error),
      rows.length ? table('Deployment records, newest first', ['Record', 'State', 'Started', 'Duration', 'Actions'], rows.map((x) => h('tr', { 'aria-current': x.execution_id === current ? 'true' : null },
        h('th', { scope: 'row' }, h('a', { href: recordHash(app.id, x.execution_id) }, `#${x.release_id}`), h('span', { class: 'sub' }, `${x.type} by ${x.nickname || x.operator}`)),
        h('td', {}, statusBadge(x.state)),
        h('td', {}, x.start_time),
        h('td', {}, x.duration || '—'),
        h('td', {}, h('button', { type: 'button', class: 'secondary small', onclick: () => rollback(x) }, 'Roll back to this', h('span', { class: 'sr-only' }, ` (#${x.release_id})`))))))
        : h('p', { class: 'empty' }, 'Not deployed in the last 30 days.'),
      res?.body.total_num > rows.length ? h('p', { class: 'hint' }, `The newest ${rows.length} of ${res.body.total_num}`) : null);
  }
  load();
  return { el: region.el, load };
}
