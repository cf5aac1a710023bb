// The console's entry: loads the validator, keeps the session, routes #/{section}[/{id}] to its
// view. The sign-in form renders at once; the views (loaded after it) wait for the package's rules.

import { session, sendKind, ApiError, projectIdProblem } from './api.js';
import { h, mount, toast } from './ui.js';
import { checkedForm, field } from './form.js';
import { loadValidator, version, ready, rules } from './validator.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const who = document.getElementById('who');
const banner = document.getElementById('validator-banner');

const VIEWS = { configs: 'configsView', deployments: 'deploymentsView', hosts: 'hostsView', applications: 'applicationsView', admin: 'adminView' };
const modules = {};
const view = (name) => { modules[name] ??= import(`./${name}.js`).then((m) => m[VIEWS[name]]); return modules[name]; };
let signInNotice = '';
let last = {};
let seq = 0;

function parseRoute() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [pathPart, query = ''] = raw.split('?');
  const [section, ...rest] = pathPart.split('/').filter(Boolean).map(decodeURIComponent);
  return { section: section || 'configs', id: rest[0] || null, query: new URLSearchParams(query) };
}

function current(view) {
  for (const a of nav.querySelectorAll('a')) {
    if (a.getAttribute('href') === `#/${view}`) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

function render() {
  const s = session.get();
  const route = parseRoute();
  nav.hidden = !s;
  who.hidden = !s;
  window.dispatchEvent(new Event('view-change')); // views stop their timers
  const name = VIEWS[route.section] ? route.section : 'configs';
  if (!s && name !== 'admin') {
    document.title = 'Sign in · deploy-edge console';
    signInView();
    last = {};
    return;
  }
  const n = ++seq;
  const shown = Promise.all([view(name), settled]);
  const previous = main.dataset.view;
  if (previous !== name) {
    // The views build their selects from the package's rules: wait for it (it is preloaded).
    main.setAttribute('aria-busy', 'true');
    main.dataset.view = 'loading';
    mount(main, h('p', { class: 'loading' }, 'Loading…'));
  }
  shown.then(([fn]) => {
    if (n !== seq) return;
    main.setAttribute('aria-busy', 'false');
    current(name);
    if (s) document.getElementById('who-project').textContent = s.projectId;
    main.dataset.view = name;
    // A new id in the same section (a row opened, an item created): its panel takes focus once loaded.
    const focusDetail = previous === name && !!route.id && route.id !== last.id;
    last = { name, id: route.id };
    fn({ main, route, focusDetail, signedIn: s, go: (hash) => { location.hash = hash; } });
    if (previous !== name || name === 'admin') main.querySelector('h1')?.focus({ preventScroll: true });
  }, (e) => mount(main, h('p', { class: 'alert', role: 'alert' }, `This page did not load (${e.message}); reload to try again.`)));
}

function signInView() {
  main.dataset.view = 'sign-in';
  const project = field({ label: 'Project ID', path: '/project_id', hint: rules()?.pathIds.project_id.pattern ?? '',
    attrs: { autocomplete: 'username', maxlength: 64 } });
  const token = field({ label: 'Token', path: '/token', hint: 'A project token from POST /admin/v1/projects/{id}/tokens',
    attrs: { type: 'password', autocomplete: 'current-password' } });
  const form = checkedForm({
    label: 'Sign in',
    submitLabel: 'Sign in',
    collect: () => ({ payload: { project_id: project.control.value.trim(), token: token.control.value.trim() } }),
    check(p) {
      const project = p.project_id ? projectIdProblem(p.project_id) : 'Project ID is required';
      return [
        project ? { path: '/project_id', message: project } : null,
        !p.token ? { path: '/token', message: 'Token is required' } : null,
      ].filter(Boolean);
    },
    async send(p) {
      await loadValidator();
      try {
        await sendKind('software_config.list', { project_id: p.project_id }, { limit: 1 }, {}, { token: p.token });
      } catch (e) {
        if (e.status === 401) throw new ApiError(401, e.message, { errors: [{ path: '/token', message: 'This token was not accepted' }] });
        if (e.status === 403) throw new ApiError(403, e.message, { errors: [{ path: '/token', message: 'This token belongs to another project' }] });
        throw e;
      }
      return p;
    },
    done(p) {
      session.set(p.project_id, p.token);
      signInNotice = '';
      toast('Signed in');
      if (!location.hash || location.hash === '#/') location.hash = '#/configs';
      else render();
    },
  });
  form.fields.append(project, token);
  mount(main,
    h('div', { class: 'sign-in card' },
      h('h1', { tabindex: '-1' }, 'Sign in'),
      h('p', {}, 'Use a project token. It is kept in this tab only (sessionStorage) and sent as X-Auth-Token.'),
      signInNotice ? h('p', { class: 'alert', role: 'alert' }, signInNotice) : null,
      form.el,
      h('p', {}, h('a', { href: '#/admin' }, 'Admin: issue and revoke tokens with the admin token'))));
  form.refresh();
  project.control.focus();
  // Rendered before the package loaded: add its hint and re-check what was typed once it has.
  if (!ready()) {
    loadValidator().then(() => {
      project.querySelector('.hint').textContent = rules().pathIds.project_id.pattern;
      form.refresh();
    }, () => {});
  }
}

document.getElementById('sign-out').addEventListener('click', () => {
  session.clear();
  signInNotice = '';
  toast('Signed out');
  history.replaceState(null, '', location.pathname);
  render();
});

window.addEventListener('session-expired', () => {
  if (!session.get()) return;
  session.clear();
  signInNotice = 'The token was rejected (it may have been revoked). Sign in again.';
  render();
});

const settled = loadValidator().then(() => {
  document.documentElement.dataset.validator = version() || 'ready';
  document.getElementById('validator-version').textContent = `deploy-edge ${version()}`.trim();
}, (e) => {
  banner.hidden = false;
  banner.textContent = `The deploy-edge validator did not load (${e.message}). Forms cannot send anything; run "make pkg" (bash scripts/build-pkg.sh) and reload.`;
  document.documentElement.dataset.validator = 'missing';
});
window.addEventListener('hashchange', render);
render();
// The views, fetched once the sign-in form is up, so the first page after it opens at once.
settled.then(() => Object.keys(VIEWS).forEach(view));

