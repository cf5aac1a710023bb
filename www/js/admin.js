// The admin view (#/admin/{project_id}): signed in with the admin token (kept in this tab only,
// in sessionStorage), it lists, issues and revokes a project's tokens and AK/SK credentials. A new
// token or secret key is shown once, with a copy button; the lists never hold one.

import { admin, adminSession, projectIdProblem, ApiError } from './api.js';
import { h, mount, toast, busyRegion, alertBox, confirmAction, table } from './ui.js';
import { checkedForm, field } from './form.js';

const go = (pid) => {
  const hash = `#/admin/${encodeURIComponent(pid)}`;
  if (location.hash === hash) dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = hash;
};

export function adminView({ main, route, signedIn }) {
  const pid = route.id || signedIn?.projectId || '';
  const signedInAdmin = !!adminSession.get();
  const project = field({ label: 'Project ID', path: '/project_id', value: pid, attrs: { autocomplete: 'off', maxlength: 64 } });
  const secret = field({ label: 'Admin token', path: '/token', hint: 'The Worker secret ADMIN_TOKEN; kept in this tab only (sessionStorage)', attrs: { type: 'password', autocomplete: 'off' } });
  const form = checkedForm({
    label: signedInAdmin ? 'Project' : 'Admin sign-in',
    submitLabel: signedInAdmin ? 'Show project' : 'Sign in as admin',
    collect: () => ({ payload: { project_id: project.control.value.trim(), token: signedInAdmin ? adminSession.get() : secret.control.value.trim() } }),
    check(p) {
      const bad = p.project_id ? projectIdProblem(p.project_id) : 'Project ID is required';
      return [bad && { path: '/project_id', message: bad }, !p.token && { path: '/token', message: 'Admin token is required' }].filter(Boolean);
    },
    async send(p) {
      if (signedInAdmin) return p;
      try {
        await admin('GET', p.project_id, 'tokens', p.token);
      } catch (e) {
        throw e.status === 401 ? new ApiError(401, e.message, { errors: [{ path: '/token', message: 'This admin token was not accepted' }] }) : e;
      }
      adminSession.set(p.token);
      toast('Signed in as admin');
      return p;
    },
    done: (p) => go(p.project_id),
  });
  form.fields.append(project);
  if (!signedInAdmin) form.fields.append(secret);
  form.refresh();
  if (!signedInAdmin) {
    mount(main, h('div', { class: 'sign-in card' }, h('h1', { tabindex: '-1' }, 'Admin'),
      h('p', {}, 'Issue and revoke project tokens and AK/SK credentials.'), form.el,
      signedIn ? null : h('p', {}, h('a', { href: '#/configs' }, '← Project sign-in'))));
    return;
  }
  const out = h('button', { type: 'button', class: 'secondary', onclick() { adminSession.clear(); toast('Signed out of admin'); go(pid); } }, 'Sign out of admin');
  mount(main,
    h('h1', { tabindex: '-1' }, 'Admin'),
    h('div', { class: 'who-admin' }, h('p', {}, 'Signed in with the admin token (this tab only).'), out),
    h('section', { class: 'card', 'aria-labelledby': 'admin-project' }, h('h2', { id: 'admin-project' }, 'Project'), form.el),
    pid && !projectIdProblem(pid) ? h('div', { class: 'split' },
      secrets(pid, 'Project tokens', 'token', 'tokens', 'id', 'ID', 'token', 'Token'),
      secrets(pid, 'AK/SK credentials', 'credential', 'credentials', 'access_key', 'Access key', 'secret_key', 'Secret key')) : null);
}

/** One kind of secret of a project: its list, Issue, Revoke per row, and a new one shown once. */
function secrets(pid, title, noun, rest, key, keyLabel, secretKey, secretLabel) {
  const id = `admin-${rest}`;
  const region = busyRegion({ class: 'card', 'aria-labelledby': id });
  const shown = h('div');
  let issued = []; // a KV list can lag behind a write made elsewhere: what we issued shows at once
  async function load() {
    let [res, error] = await region.get(() => admin('GET', pid, rest));
    const rows = res?.body[rest] || [];
    issued = issued.filter((n) => !rows.some((r) => r[key] === n[key]));
    rows.unshift(...issued);
    const revoke = (k) => h('button', {
      type: 'button', class: 'danger small', 'aria-label': `Revoke ${noun} ${k}`,
      async onclick() {
        if (!await confirmAction({ title: `Revoke this ${noun}?`, text: `Requests with ${noun} ${k} will be refused (401). This cannot be undone.`, ok: 'Revoke' })) return;
        [, error] = await region.get(() => admin('DELETE', pid, `${rest}/${encodeURIComponent(k)}`));
        toast(error ? error.message : `${noun[0].toUpperCase()}${noun.slice(1)} ${k} revoked`);
        issued = issued.filter((n) => n[key] !== k);
        load();
      },
    }, 'Revoke');
    mount(region.body, alertBox(error), rows.length
      ? table(`${title} of project ${pid}, newest first`, [keyLabel, 'Created', 'Actions'],
        rows.map((r) => h('tr', {}, h('td', {}, h('code', {}, r[key])), h('td', {}, r.creation_time || '—'), h('td', {}, revoke(r[key])))))
      : h('p', { class: 'empty' }, `No ${rest} for this project.`));
  }
  const issue = h('button', {
    type: 'button',
    async onclick() {
      const [res, error] = await region.get(() => admin('POST', pid, rest));
      if (error) return mount(shown, alertBox(error));
      const made = res.body;
      issued.unshift({ [key]: made[key], creation_time: 'just now' });
      const input = h('input', { id: `${id}-secret`, readonly: true, value: made[secretKey], class: 'mono', 'aria-describedby': `${id}-once` });
      const said = h('p', { class: 'hint', role: 'status' });
      const copy = async () => {
        try {
          await navigator.clipboard.writeText(input.value);
          said.textContent = 'Copied';
        } catch {
          input.select();
          said.textContent = 'Could not copy: the text is selected, press Ctrl+C (⌘C)';
        }
      };
      mount(shown, h('section', { class: 'secret', 'aria-labelledby': `${id}-new` },
        h('h3', { id: `${id}-new`, tabindex: '-1' }, `New ${noun}: ${made[key]}`),
        h('p', { id: `${id}-once` }, `Copy the ${secretLabel.toLowerCase()} now: it is shown only this once.`),
        h('div', { class: 'field' }, h('label', { for: input.id }, secretLabel), input),
        h('div', { class: 'actions' },
          h('button', { type: 'button', class: 'secondary', onclick: copy }, `Copy ${secretLabel.toLowerCase()}`),
          h('button', { type: 'button', class: 'link', onclick() { shown.replaceChildren(); issue.focus(); } }, 'Done, hide it')),
        said));
      shown.querySelector('h3').focus();
      return load();
    },
  }, `Issue ${noun}`);
  region.el.prepend(h('h2', { id }, title), h('div', { class: 'actions' }, issue), shown);
  load();
  return region.el;
}
