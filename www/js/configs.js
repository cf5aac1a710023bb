// Software configs: the list (searchable by name), the create form (inputs and outputs as rows or
// JSON), the detail with Delete and "Edit as new config" (configs never change, as in Heat).

import { heat, seg } from './api.js';
import { h, mount, toast, busyRegion, alertBox, pager, facts, confirmAction, shortId, table, reveal, plural } from './ui.js';
import { checkedForm, field, parseJsonField } from './form.js';
import { rules } from './validator.js';

const PAGE = 10;
const HOOKS = ['script', 'ansible', 'puppet', 'chef', 'salt', 'docker-compose', 'apply-config', 'os-apply-config'];

// Where the list is, kept across re-renders of the section (opening a config keeps the page).
const paging = { search: '', page: 1 };

/** Every config, newest first (1,000 a request); the API has no name filter, so search is here. */
export async function allConfigs() {
  const out = [];
  for (let marker; ;) {
    const rows = (await heat('software_config.list', {}, { limit: 1000, ...(marker && { marker }) })).body.software_configs || [];
    out.push(...rows);
    if (rows.length < 1000) return out;
    marker = rows[rows.length - 1].id;
  }
}

export function configsView({ main, route, go, focusDetail }) {
  const list = busyRegion({ class: 'card', 'aria-labelledby': 'configs-list-title' });
  const side = h('div', { class: 'side' });
  mount(main,
    h('h1', { tabindex: '-1' }, 'Software configs'),
    h('div', { class: 'split' }, list.el, side));
  const search = h('input', { id: 'config-search', type: 'search', value: paging.search, autocomplete: 'off' });
  const find = (text) => { paging.search = text; paging.page = 1; load(); };
  list.el.prepend(h('h2', { id: 'configs-list-title' }, 'Configs'),
    h('form', { role: 'search', 'aria-label': 'Search configs', class: 'filter', onsubmit(ev) { ev.preventDefault(); find(search.value.trim()); } },
      h('label', { for: 'config-search' }, 'Search by name'), search,
      h('button', { type: 'submit', class: 'secondary' }, 'Search'),
      h('button', { type: 'button', class: 'link', onclick() { search.value = ''; find(''); } }, 'Clear search')));

  async function load() {
    const text = paging.search;
    let [rows = [], error] = await list.get(allConfigs);
    if (text) rows = rows.filter((c) => (c.name || '').toLowerCase().includes(text.toLowerCase()));
    const pages = Math.max(1, Math.ceil(rows.length / PAGE));
    const page = paging.page = Math.min(paging.page, pages);
    const n = `${plural(rows.length, 'config')}${text ? ` named like "${text}"` : ''}`;
    rows = rows.slice((page - 1) * PAGE, page * PAGE);
    mount(list.body,
      alertBox(error),
      rows.length ? table('Software configs, newest first', ['Name', 'Group', 'Created', 'ID'],
        rows.map((c) => h('tr', { 'aria-current': c.id === route.id ? 'true' : null },
          h('td', {}, h('a', { href: `#/configs/${seg(c.id)}` }, c.name || '(unnamed)')),
          h('td', {}, c.group),
          h('td', {}, h('time', { datetime: c.creation_time }, c.creation_time)),
          h('td', {}, shortId(c.id)))))
        : h('p', { class: 'empty' }, text ? `No config names contain "${text}".` : 'No configs yet. Create one with the form.'),
      pager({
        label: 'Config pages', page, summary: `Page ${page} of ${pages} (${n})`,
        hasPrev: page > 1, hasNext: page < pages,
        onPrev: () => { paging.page--; load(); },
        onNext: () => { paging.page++; load(); },
      }));
  }

  // Revealed once the list is there too, so nothing moves it afterwards.
  const listed = load();
  const from = route.query.get('from');
  if (route.id) Promise.all([listed, showConfig(side, route.id, go)]).then(() => focusDetail && reveal(side));
  else if (from) {
    Promise.all([heat('software_config.show', { id: from }), listed]).then(([r]) => {
      mount(side, createConfigForm(go, r.body.software_config));
      reveal(side);
    }, (e) => mount(side, alertBox(e), createConfigForm(go)));
  } else mount(side, createConfigForm(go));
}

async function showConfig(side, id, go) {
  const panel = busyRegion({ class: 'card', 'aria-labelledby': 'config-title' });
  mount(side, panel.el);
  panel.el.prepend(h('h2', { id: 'config-title', tabindex: '-1' }, 'Config'));
  const [res, error] = await panel.get(() => heat('software_config.show', { id }));
  const cfg = res?.body.software_config;
  const back = h('p', {}, h('a', { href: '#/configs' }, '← New config'));
  if (error) {
    mount(panel.body, alertBox(error), back);
    return;
  }
  panel.el.querySelector('h2').textContent = `Config ${cfg.name || '(unnamed)'}`;
  const status = h('div', { role: 'alert', class: 'form-alert' });
  const remove = h('button', {
    type: 'button', class: 'danger',
    async onclick() {
      if (!await confirmAction({ title: 'Delete this config?', text: `Config "${cfg.name || cfg.id}" will be deleted. This cannot be undone.` })) return;
      try {
        await panel.run(() => heat('software_config.delete', { id: cfg.id }));
        toast(`Config ${cfg.name || cfg.id} deleted`);
        go('#/configs');
      } catch (e) {
        mount(status, h('p', {}, e.status === 409 ? `${e.message}. Delete its deployments first.` : e.message));
      }
    },
  }, 'Delete');
  mount(panel.body,
    back,
    status,
    facts([['ID', h('code', {}, cfg.id)], ['Name', cfg.name], ['Group', cfg.group], ['Created', cfg.creation_time]]),
    h('h3', {}, 'Config'),
    h('pre', { class: 'json', tabindex: '0', 'aria-label': 'Config text' }, configText(cfg)),
    ioTable('Inputs', cfg.inputs, ['name', 'type', 'default', 'description', 'replace_on_change']),
    ioTable('Outputs', cfg.outputs, ['name', 'type', 'description', 'error_output']),
    h('h3', {}, 'Options'),
    cfg.options && Object.keys(cfg.options).length ? h('pre', { class: 'json', tabindex: '0', 'aria-label': 'Options' }, JSON.stringify(cfg.options, null, 2)) : h('p', { class: 'empty' }, 'No options.'),
    h('div', { class: 'actions' },
      h('a', { class: 'button secondary', href: `#/deployments?config_id=${encodeURIComponent(cfg.id)}` }, 'Deploy this config'),
      h('a', { class: 'button secondary', href: `#/configs?from=${encodeURIComponent(cfg.id)}`, 'aria-describedby': 'edit-as-new-why' }, 'Edit as new config'),
      remove),
    h('p', { class: 'hint', id: 'edit-as-new-why' }, 'Configs cannot be changed (as in Heat): this fills the form from this one, to create a new config.'));
}

const configText = (c) => (c.config == null ? '' : typeof c.config === 'string' ? c.config : JSON.stringify(c.config, null, 2));

function ioTable(title, items, cols) {
  const head = (c) => c.replace(/_/g, ' ').replace(/^./, (x) => x.toUpperCase());
  const flags = ['replace_on_change', 'error_output'];
  const cell = (v, c) => (flags.includes(c) ? (v ? 'yes' : 'no')
    : v === undefined || v === null ? '—' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  return [
    h('h3', {}, title),
    items?.length ? table(title, cols.map(head), items.map((i) => h('tr', {}, cols.map((c) => h('td', {}, cell(i[c], c))))))
      : h('p', { class: 'empty' }, `No ${title.toLowerCase()}.`),
  ];
}

const IO = {
  inputs: { noun: 'input', title: 'Inputs', cols: [['name', 'Name'], ['type', 'Type'], ['default', 'Default'], ['description', 'Description'], ['replace_on_change', 'Replace on change']] },
  outputs: { noun: 'output', title: 'Outputs', cols: [['name', 'Name'], ['type', 'Type'], ['description', 'Description'], ['error_output', 'Error output']] },
};
const KINDS = Object.keys(IO);

/** Rows → payload items: blank cells are left out so the package reports what is missing. */
function readRows(list) {
  return [...list.children].map((row) => {
    const item = {};
    for (const f of row.querySelectorAll('.field')) {
      const key = f.dataset.path.split('/').pop();
      const c = f.control;
      if (c.type === 'checkbox') {
        if (c.checked) item[key] = true;
      } else if (c.value !== '') {
        item[key] = c.value;
      }
    }
    return item;
  });
}

function ioRow(kind, index, values, onRemove) {
  const { noun, cols } = IO[kind];
  const base = `/${kind}/${index}`;
  const cells = cols.map(([key, label]) => {
    const path = `${base}/${key}`;
    if (key === 'type') {
      const heatRules = rules()?.heat;
      const types = heatRules?.ioTypes ?? [];
      return field({ label, path, control: 'select', options: types.map((t) => [t, t]), value: values.type || heatRules?.defaultIoType });
    }
    if (key === 'replace_on_change' || key === 'error_output') return field({ label, path, attrs: { type: 'checkbox' }, value: !!values[key] });
    const v = values[key];
    return field({ label, path, value: v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v) });
  });
  const title = `${noun[0].toUpperCase()}${noun.slice(1)} ${index + 1}`;
  return h('fieldset', { class: 'row', dataset: { path: base } },
    h('legend', {}, title),
    h('div', { class: 'cells' }, cells),
    h('button', { type: 'button', class: 'link', onclick: () => onRemove(index) }, `Remove ${noun} ${index + 1}`),
    h('p', { class: 'field-error' }));
}

/** The inputs/outputs editor: repeatable rows, or two JSON textareas. */
function ioEditor(form) {
  let mode = 'rows';
  const lists = {};
  const groups = {};
  const json = {
    inputs: field({ label: 'Inputs (JSON)', path: '/inputs', control: 'textarea', hint: 'A list like [{"name": "port", "type": "Number", "default": 80}]', attrs: { rows: 6 } }),
    outputs: field({ label: 'Outputs (JSON)', path: '/outputs', control: 'textarea', hint: 'A list like [{"name": "result"}]', attrs: { rows: 4 } }),
  };
  const jsonBox = h('div', { class: 'json-mode', hidden: true }, json.inputs, json.outputs);

  function rebuild(kind, items) {
    const remove = (i) => {
      const now = readRows(lists[kind]);
      now.splice(i, 1);
      rebuild(kind, now);
      form.touch(`/${kind}`);
      form.refresh();
    };
    mount(lists[kind], items.map((v, i) => ioRow(kind, i, v, remove)));
  }
  for (const kind of KINDS) {
    lists[kind] = h('div', { class: 'rows' });
    const add = h('button', {
      type: 'button', class: 'secondary',
      onclick() {
        const now = readRows(lists[kind]);
        now.push({});
        rebuild(kind, now);
        form.refresh();
        lists[kind].lastElementChild.querySelector('input').focus();
      },
    }, `Add ${IO[kind].noun}`);
    groups[kind] = h('fieldset', { class: 'io', dataset: { path: `/${kind}` } },
      h('legend', {}, IO[kind].title), lists[kind], add, h('p', { class: 'field-error' }));
  }
  const rowsBox = h('div', { class: 'rows-mode' }, groups.inputs, groups.outputs);

  const modeError = h('p', { class: 'field-error', role: 'alert' });
  const radio = (value, label) => {
    const id = `io-mode-${value}`;
    return h('span', { class: 'radio' },
      h('input', { type: 'radio', name: 'io-mode', id, value, checked: value === mode, onchange: () => switchTo(value) }),
      h('label', { for: id }, label));
  };
  const switcher = h('fieldset', { class: 'mode' }, h('legend', {}, 'Edit inputs and outputs as'), radio('rows', 'Rows'), radio('json', 'JSON'), modeError);

  function switchTo(next) {
    modeError.textContent = '';
    if (next === mode) return;
    if (next === 'json') {
      for (const kind of KINDS) {
        const items = readRows(lists[kind]);
        json[kind].control.value = items.length ? JSON.stringify(items, null, 2) : '';
      }
    } else {
      const parsed = {};
      for (const kind of KINDS) {
        const r = parseJsonField(json[kind].control.value, `/${kind}`, IO[kind].title);
        const ok = !r.error && (r.value === undefined || (Array.isArray(r.value) && r.value.every((x) => x && typeof x === 'object' && !Array.isArray(x))));
        if (!ok) {
          modeError.textContent = `Fix the ${kind} JSON (a list of objects) before switching to rows.`;
          switcher.querySelector('#io-mode-json').checked = true;
          return;
        }
        parsed[kind] = r.value || [];
      }
      for (const kind of KINDS) rebuild(kind, parsed[kind]);
    }
    mode = next;
    rowsBox.hidden = mode !== 'rows';
    jsonBox.hidden = mode !== 'json';
    // Hidden controls must not carry data-path, or errors would be placed on invisible fields.
    for (const [box, on] of [[rowsBox, mode === 'rows'], [jsonBox, mode === 'json']]) {
      for (const el of box.querySelectorAll('[data-path], [data-off-path]')) {
        if (on && el.dataset.offPath) { el.dataset.path = el.dataset.offPath; delete el.dataset.offPath; }
        if (!on && el.dataset.path) { el.dataset.offPath = el.dataset.path; delete el.dataset.path; }
      }
    }
    form.refresh();
  }
  for (const el of jsonBox.querySelectorAll('[data-path]')) { el.dataset.offPath = el.dataset.path; delete el.dataset.path; }

  return {
    el: h('div', { class: 'io-editor' }, switcher, rowsBox, jsonBox),
    /** Fills the editor from a config; as JSON if an item has members the rows do not edit. */
    load(cfg) {
      const known = (kind, item) => Object.keys(item).every((k) => IO[kind].cols.some(([c]) => c === k));
      const rows = KINDS.every((kind) => (cfg[kind] || []).every((i) => known(kind, i)));
      if (!rows) {
        switcher.querySelector('#io-mode-json').checked = true;
        switchTo('json');
      }
      for (const kind of KINDS) {
        rebuild(kind, rows ? cfg[kind] || [] : []);
        json[kind].control.value = cfg[kind]?.length ? JSON.stringify(cfg[kind], null, 2) : '';
      }
    },
    collect(payload, errors) {
      for (const kind of KINDS) {
        if (mode === 'rows') {
          const items = readRows(lists[kind]);
          if (items.length) payload[kind] = items;
        } else {
          const r = parseJsonField(json[kind].control.value, `/${kind}`, IO[kind].title);
          if (r.error) errors.push(r.error);
          else if (r.value !== undefined) payload[kind] = r.value;
        }
      }
    },
  };
}

function createConfigForm(go, from) {
  const defaultGroup = rules()?.heat.defaultGroup;
  const groups = [HOOKS[0], ...(defaultGroup ? [defaultGroup] : []), ...HOOKS.slice(1)];
  const name = field({ label: 'Name', path: '/name', attrs: { maxlength: 300 } });
  const group = field({ label: 'Group', path: '/group', hint: defaultGroup && `How agents apply it, e.g. script; empty means ${defaultGroup}`, attrs: { list: 'config-groups' } });
  const config = field({ label: 'Config', path: '/config', control: 'textarea', hint: 'The script or document the agent runs', attrs: { rows: 6, class: 'mono' } });
  const options = field({ label: 'Options (JSON)', path: '/options', control: 'textarea', hint: 'Optional: an object the agent hook reads, e.g. {"deploy_timeout": 600}', attrs: { rows: 3, class: 'mono' } });
  let editor;
  const form = checkedForm({
    label: 'Create config',
    kind: 'software_config.create',
    submitLabel: 'Create config',
    collect() {
      const payload = {};
      const errors = [];
      if (name.control.value !== '') payload.name = name.control.value;
      if (group.control.value !== '') payload.group = group.control.value;
      if (config.control.value !== '') payload.config = config.control.value;
      editor.collect(payload, errors);
      const o = parseJsonField(options.control.value, '/options', 'Options', { object: true });
      if (o.error) errors.push(o.error);
      else if (o.value !== undefined) payload.options = o.value;
      return { payload, errors };
    },
    send: (payload) => heat('software_config.create', {}, payload),
    done(res) {
      const cfg = res.body.software_config;
      toast(`Config ${cfg.name || cfg.id} created`);
      paging.page = 1;
      go(`#/configs/${encodeURIComponent(cfg.id)}`);
    },
  });
  editor = ioEditor(form);
  form.fields.append(name, group, h('datalist', { id: 'config-groups' }, groups.map((g) => h('option', { value: g }))), config, editor.el, options);
  let intro = null;
  if (from) {
    name.control.value = from.name || '';
    group.control.value = from.group || '';
    config.control.value = configText(from);
    options.control.value = from.options && Object.keys(from.options).length ? JSON.stringify(from.options, null, 2) : '';
    editor.load(from);
    intro = h('p', { class: 'note' }, `Configs cannot be changed: saving creates a new config. "${from.name || from.id}" stays, and its deployments keep it until you change their Config.`);
  }
  form.refresh();
  return h('section', { class: 'card', 'aria-labelledby': 'new-config-title' },
    h('h2', { id: 'new-config-title', tabindex: '-1' }, from ? `New config from ${from.name || from.id}` : 'New config'), intro, form.el);
}
