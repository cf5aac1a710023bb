// CodeArts Deploy applications: a paged, searchable list with Disable/Enable, Duplicate, Delete and
// batch delete, and a create / edit form with every deployment task. Requests: application.* kinds.
// An application's environments, Deploy, its records (?record=) and history: deploy.js.

import { sendKind, session, seg } from './api.js';
import { h, mount, toast, busyRegion, alertBox, pager, confirmAction, statusBadge, table, reveal, plural } from './ui.js';
import { checkedForm, field, parseJsonField } from './form.js';
import { rules } from './validator.js';
import { deployCards, recordCards } from './deploy.js';

const state = { page: 1, size: 10, search: '' };
/** How the form names the package's trigger sources and artifact types (others show as they are). */
const TRIGGER_LABELS = { 0: 'Anyone with permission', 1: 'Pipelines only' };
const ARTIFACT_LABELS = { '': 'Not set' };

export function applicationsView({ main, route, go, focusDetail }) {
  const list = busyRegion({ class: 'card', 'aria-labelledby': 'apps-list-title' });
  const side = h('div', { class: 'side' });
  const notice = h('div', { class: 'form-alert', role: 'alert' });
  const selected = new Set();
  const record = route.query.get('record');
  const detail = () => showApplication(side, route.id, { go, reload: load, record });

  const search = field({ label: 'Search by name', path: '/search', value: state.search, attrs: { type: 'search' } });
  const listBody = (page, size, search) => ({ project_id: session.get().projectId, page, size, sort_name: 'name', sort_by: 'ASC', ...(search && { search }) });
  const searchForm = checkedForm({
    label: 'Search applications',
    kind: 'application.list',
    submitLabel: 'Search',
    collect: () => ({ payload: listBody(1, state.size, search.control.value.trim()) }),
    async send(payload) {
      state.search = payload.search || '';
      state.page = 1;
      await load();
    },
  });
  searchForm.fields.append(search);
  searchForm.el.setAttribute('role', 'search');
  searchForm.el.classList.add('filter');
  searchForm.refresh();

  const batchDelete = h('button', {
    type: 'button', class: 'danger',
    async onclick() {
      const ids = [...selected];
      if (!ids.length) return;
      if (!await confirmAction({ title: `Delete ${plural(ids.length, 'application')}?`, text: 'The selected applications will be deleted. This cannot be undone.' })) return;
      try {
        const res = await list.run(() => sendKind('application.batch_delete', {}, { project_id: session.get().projectId, application_ids: ids }));
        const failed = (res.body.result || []).filter((r) => r.status !== 'success');
        selected.clear();
        mount(notice, failed.length ? h('p', {}, `Not deleted: ${failed.map((f) => `${f.application_name || f.application_id} (${f.error_reason})`).join(', ')}`) : null);
        toast(`${plural(ids.length - failed.length, 'application')} deleted`);
        if (route.id && ids.includes(route.id)) go('#/applications');
        else load();
      } catch (e) {
        mount(notice, h('p', {}, e.message));
      }
    },
  }, 'Delete selected');

  list.el.prepend(h('h2', { id: 'apps-list-title' }, 'Applications'), searchForm.el, notice);
  mount(main, h('h1', { tabindex: '-1' }, 'Applications'), h('div', { class: 'split' }, list.el, side));

  function updateBatch() {
    batchDelete.disabled = selected.size === 0;
    batchDelete.textContent = selected.size ? `Delete selected (${selected.size})` : 'Delete selected';
  }

  async function rowAction(fn, okText) {
    notice.replaceChildren();
    try {
      await list.run(fn);
      toast(okText);
      await load();
      if (route.id) detail();
    } catch (e) {
      mount(notice, h('p', {}, e.message));
    }
  }

  async function load() {
    const [got, error] = await list.get(() => sendKind('application.list', {}, listBody(state.page, state.size, state.search)));
    const res = got?.body;
    const rows = res?.result || [];
    const total = res?.total_num ?? rows.length;
    const pages = Math.max(1, Math.ceil(total / state.size));
    if (res && state.page > pages) {
      state.page = pages;
      return load();
    }
    for (const id of [...selected]) if (!rows.some((r) => r.id === id)) selected.delete(id);
    updateBatch();
    const act = (label, cls, fn, ok, ask) => h('button', { type: 'button', class: `${cls} small`, async onclick() { if (!ask || await confirmAction(ask)) rowAction(fn, ok); } }, label);
    mount(list.body,
      alertBox(error),
      rows.length ? table('Applications by name', ['Select', 'Name', 'State', 'Updated', 'Actions'],
        rows.map((a) => {
          const id = `sel-${a.id}`;
          const box = h('input', { type: 'checkbox', id, checked: selected.has(a.id), onchange: (ev) => { if (ev.target.checked) selected.add(a.id); else selected.delete(a.id); updateBatch(); } });
          return h('tr', { 'aria-current': a.id === route.id ? 'true' : null },
            h('td', {}, box, h('label', { for: id, class: 'sr-only' }, `Select ${a.name}`)),
            h('th', { scope: 'row' }, h('a', { href: `#/applications/${seg(a.id)}` }, a.name), a.description ? h('span', { class: 'sub' }, a.description) : null),
            h('td', {}, statusBadge(a.is_disable ? 'DISABLED' : 'ENABLED'), a.is_draft ? h('span', { class: 'badge' }, 'Draft') : null),
            h('td', {}, a.update_time || a.create_time || '—'),
            h('td', {}, h('div', { class: 'row-actions' },
              h('a', { href: `#/applications/${seg(a.id)}`, class: 'button secondary small' }, 'Edit'),
              act(a.is_disable ? 'Enable' : 'Disable', 'secondary', () => sendKind('application.disable', { app_id: a.id }, { is_disable: !a.is_disable }),
                `Application ${a.name} ${a.is_disable ? 'enabled' : 'disabled'}`),
              act('Duplicate', 'secondary', () => sendKind('application.duplicate', { app_id: a.id }), `Application ${a.name} duplicated`),
              act('Delete', 'danger', async () => {
                await sendKind('application.delete', { app_id: a.id });
                if (route.id === a.id) go('#/applications');
              }, `Application ${a.name} deleted`, { title: 'Delete this application?', text: `Application "${a.name}" will be deleted. This cannot be undone.` }))));
        })) : h('p', { class: 'empty' }, state.search ? `No applications match "${state.search}".` : 'No applications yet. Create one with the form.'),
      h('div', { class: 'actions' }, batchDelete),
      pager({
        label: 'Application pages', page: state.page, pages,
        summary: `Page ${state.page} of ${pages} (${plural(total, 'application')})`,
        hasPrev: state.page > 1, hasNext: state.page < pages,
        onPrev: () => { state.page--; load(); },
        onNext: () => { state.page++; load(); },
      }));
    return undefined;
  }

  const listed = load();
  // A record opened (Deploy, Roll back, History) takes focus like a new item.
  if (route.id) Promise.all([listed, detail()]).then(() => (focusDetail || record) && reveal(side));
  else mount(side, applicationForm({ go, reload: load }));
}

async function showApplication(side, id, { go, reload, record }) {
  const panel = busyRegion({ class: 'card', 'aria-labelledby': 'app-title' });
  mount(side, panel.el);
  panel.el.prepend(h('h2', { id: 'app-title', tabindex: '-1' }, 'Application'));
  const [res, error] = await panel.get(() => sendKind('application.info', { app_id: id }));
  const app = res?.body.result;
  const back = h('p', {}, h('a', { href: '#/applications' }, '← New application'));
  if (error) {
    mount(panel.body, alertBox(error), back);
    return;
  }
  if (record) {
    mount(side, ...recordCards(app, record, go));
    return;
  }
  panel.el.querySelector('h2').textContent = `Edit ${app.name}`;
  mount(panel.body, back,
    h('p', {}, statusBadge(app.is_disable ? 'DISABLED' : 'ENABLED'), ' ', h('code', {}, app.id)),
    applicationForm({ go, reload, app }).querySelector('form'));
  side.append(...deployCards(app, go));
}

/** The deployment tasks (`arrange_infos`), each a fieldset: Template ID and Operations. */
function tasksEditor(form, tasks, r) {
  const box = h('div', { class: 'rows' });
  const max = r?.maxItems.arrange_infos ?? 10;
  let rows = [];
  const read = () => rows.map((t) => ({ id: t.id, template_id: t.template.control.value, ops: t.ops.control.value }));
  function build(items) {
    rows = items.map((t, i) => {
      const base = `/arrange_infos/${i}`;
      const template = field({ label: 'Template ID', path: `${base}/template_id`, value: t.template_id, hint: r && `The deployment template: ${r.id.pattern} (optional)` });
      const ops = field({ label: 'Operations (JSON)', path: `${base}/operation_list`, control: 'textarea', value: t.ops,
        hint: 'Optional list like [{"name": "Install", "code": "echo hi", "params": "{}"}]', attrs: { rows: 3, class: 'mono' } });
      const remove = items.length > 1 ? h('button', { type: 'button', class: 'link', onclick: () => { const now = read(); now.splice(i, 1); build(now); form.touch('/arrange_infos'); form.refresh(); box.querySelector('input')?.focus(); } }, `Remove task ${i + 1}`) : null;
      const el = h('fieldset', { class: 'row', dataset: { path: base } }, h('legend', {}, `Task ${i + 1}`), template, ops, remove, h('p', { class: 'field-error' }));
      return { id: t.id, template, ops, el };
    });
    mount(box, rows.map((t) => t.el));
    add.disabled = rows.length >= max;
  }
  const add = h('button', { type: 'button', class: 'secondary', onclick() { build([...read(), {}]); form.refresh(); rows[rows.length - 1].template.control.focus(); } }, 'Add task');
  build((tasks?.length ? tasks : [{}]).map((t) => ({ id: t.id, template_id: t.template_id, ops: t.ops ?? (t.operation_list?.length ? JSON.stringify(t.operation_list, null, 2) : '') })));
  return {
    el: h('fieldset', { class: 'io', dataset: { path: '/arrange_infos' } }, h('legend', {}, 'Deployment tasks'), box, add, h('p', { class: 'field-error' })),
    collect(errors) {
      return rows.map((t, i) => {
        const arrange = { deploy_system: r?.deploySystems[0] };
        if (t.id) arrange.id = t.id; // kept: the stored task is updated, not replaced
        if (t.template.control.value.trim()) arrange.template_id = t.template.control.value.trim();
        const list = parseJsonField(t.ops.control.value, `/arrange_infos/${i}/operation_list`, 'Operations');
        if (list.error) errors.push(list.error);
        else if (list.value !== undefined) arrange.operation_list = list.value;
        return arrange;
      });
    },
  };
}

/** The create form, or with `app` the edit form (PUT /v1/applications). */
function applicationForm({ go, reload, app }) {
  const r = rules()?.codearts;
  const options = (values, labels) => (values ?? []).map((v) => [v, labels[v] ?? v]);
  const name = field({ label: 'Name', path: '/name', value: app?.name, hint: r && `${r.name.minLength} to ${r.name.maxLength} ${r.name.pattern}`, attrs: { maxlength: 200 } });
  const description = field({ label: 'Description', path: '/description', control: 'textarea', value: app?.description, attrs: { rows: 2 } });
  const cluster = field({ label: 'Host cluster ID', path: '/slave_cluster_id', value: app?.slave_cluster_id, hint: r && `slave_cluster_id: ${r.idOrEmpty.pattern} (empty: the default)` });
  const trigger = field({ label: 'Who can deploy', path: '/trigger/trigger_source', control: 'select', value: app?.trigger?.trigger_source || r?.triggerSources[0],
    options: options(r?.triggerSources, TRIGGER_LABELS) });
  const artifact = field({ label: 'Artifact type', path: '/trigger/artifact_type', control: 'select', value: app?.trigger?.artifact_type || '',
    options: options(r?.artifactTypes, ARTIFACT_LABELS) });
  const timeout = field({ label: 'Timeout (seconds)', path: '/timeout', value: app?.timeout ?? '', attrs: { inputmode: 'numeric' } });
  const draft = field({ label: 'Save as draft', path: '/is_draft', attrs: { type: 'checkbox' }, value: app?.is_draft });
  const kind = app ? 'application.update' : 'application.create';
  const form = checkedForm({
    label: app ? 'Edit application' : 'Create application',
    kind,
    submitLabel: app ? 'Save' : 'Create application',
    collect() {
      const errors = [];
      const payload = app ? { id: app.id } : {};
      payload.project_id = session.get().projectId;
      if (name.control.value !== '') payload.name = name.control.value;
      payload.description = description.control.value;
      payload.is_draft = draft.control.checked;
      payload.create_type = r?.createTypes[0];
      payload.slave_cluster_id = cluster.control.value.trim();
      payload.trigger = { trigger_source: trigger.control.value };
      if (artifact.control.value) payload.trigger.artifact_type = artifact.control.value;
      const t = timeout.control.value.trim();
      if (t !== '') payload.timeout = /^-?\d+$/.test(t) ? Number(t) : t;
      payload.arrange_infos = tasks.collect(errors);
      return { payload, errors };
    },
    send: (payload) => sendKind(kind, {}, payload),
    done(res) {
      const r = res.body.result || {};
      toast(`Application ${r.name || name.control.value} ${app ? 'saved' : 'created'}`);
      if (app) {
        const side = form.el.closest('.side');
        Promise.all([reload(), showApplication(side, app.id, { go, reload })]).then(() => reveal(side));
      } else {
        go(`#/applications/${encodeURIComponent(r.id)}`);
      }
    },
  });
  const tasks = tasksEditor(form, app?.arrange_infos, r);
  form.fields.append(name, description, cluster, trigger, artifact, timeout, tasks.el, draft);
  form.refresh();
  return h('section', { class: 'card', 'aria-labelledby': 'app-form-title' },
    h('h2', { id: 'app-form-title' }, 'New application'), form.el);
}
