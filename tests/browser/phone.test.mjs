// The console on a 375 px phone and on a desktop, by keyboard and by touch, against the real
// Worker (wrangler dev, as console.test.mjs starts it): no sideways scrolling, opened and created
// items take focus, deployment ids told apart, typed input values, "Edit as new config", every
// application task, live status, filters and search, the admin view, loading before the
// validator, and axe-core on every page in light and dark.
//
//   node --test --test-concurrency=1 tests/browser/

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { ROOT, startWorker, stopWorker, newProject } from '../js/support.mjs';

const AXE = fs.readFileSync(path.join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const PHONE = { viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true };
const DESKTOP = { viewport: { width: 1360, height: 900 } };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let worker;
let browser;
let project;
let other; // a second project, for the admin view
let config; // a config with one input of each type, and options
const problems = []; // page errors and CSP violations, from every page

async function api(method, p, body, headers = { 'X-Auth-Token': project.token }) {
  const res = await fetch(`${worker.url}${p}`, {
    method,
    headers: { ...headers, 'Content-Type': 'application/json', Accept: 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}
const heat = (method, p, body) => api(method, `/v1/${project.id}${p}`, body);
const adminApi = (method, p) => api(method, `/admin/v1/projects/${other.id}${p}`, undefined, { Authorization: `Bearer ${worker.admin}` });

/** A signed-in page of the given form factor (the session set as the sign-in form would). */
async function open(form, hash = '#/configs', { signedIn = true } = {}) {
  const context = await browser.newContext(form);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: worker.url });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) problems.push(m.text()); });
  if (signedIn) {
    await page.goto(`${worker.url}/`);
    await page.evaluate(([p, t]) => sessionStorage.setItem('deploy-edge.session', JSON.stringify({ projectId: p, token: t })), [project.id, project.token]);
  }
  await page.goto(`${worker.url}/${hash}`);
  await settled(page);
  return page;
}

async function settled(page) {
  try {
    await page.waitForFunction(() => document.documentElement.dataset.validator && document.querySelector('main h1')
      && !document.querySelector('[aria-busy="true"]'));
  } catch (e) {
    const busy = await page.evaluate(() => [...document.querySelectorAll('[aria-busy="true"]')].map((el) => el.outerHTML.slice(0, 200)));
    fs.mkdirSync(path.join(ROOT, 'test-output'), { recursive: true });
    await page.screenshot({ path: path.join(ROOT, 'test-output', 'phone-unsettled.png'), fullPage: true });
    throw new Error(`${e.message}; at ${page.url()}, busy: ${JSON.stringify(busy)}`);
  }
}

/** Presses Tab until `target` has focus (keyboard only): fails if it cannot be reached. */
async function tabTo(page, target, max = 80) {
  for (let i = 0; i < max; i++) {
    if (await target.evaluate((el) => el === document.activeElement)) return;
    await page.keyboard.press('Tab');
  }
  assert.fail(`could not reach ${target} with Tab`);
}

/** Page width beyond the viewport (0 when nothing scrolls sideways). */
const overflow = (page) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

/** Asserts that the element's box lies inside the viewport. */
async function inView(locator) {
  const [box, ok] = await locator.evaluate((el) => {
    const r = el.getBoundingClientRect();
    return [JSON.stringify({ top: r.top, bottom: r.bottom, innerHeight, scrollY }), r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth];
  });
  assert.ok(ok, `${locator} is off screen: ${box}`);
  return ok;
}

const focusedText = (page) => page.evaluate(() => document.activeElement?.textContent?.trim());

async function axe(page, name) {
  await page.evaluate(AXE);
  const found = await page.evaluate(() => axe.run(document, { resultTypes: ['violations'] })
    .then((r) => r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)));
  assert.deepEqual(found, [], `axe on ${name}`);
}

before(async () => {
  if (!fs.existsSync(path.join(ROOT, 'www/vendor/deploy-edge'))) {
    execFileSync('bash', ['scripts/build-pkg.sh'], { cwd: ROOT, stdio: 'inherit' });
  }
  worker = await startWorker();
  project = await newProject(worker);
  other = await newProject(worker);
  config = (await heat('POST', '/software_configs', {
    name: 'typed', group: 'script', config: '#!/bin/sh\necho "$port"',
    inputs: [{ name: 'port', type: 'Number', default: 80 }, { name: 'debug', type: 'Boolean' },
      { name: 'hosts', type: 'CommaDelimitedList' }, { name: 'doc', type: 'Json' }, { name: 'motd', type: 'String' }],
    options: { deploy_timeout: 60 },
  })).body.software_config;
  // Two deployments of one server share the id's first 8 digits (its bucket).
  for (const [server, status] of [['web-1', 'IN_PROGRESS'], ['web-1', 'COMPLETE'], ['db-1', 'FAILED']]) {
    assert.equal((await heat('POST', '/software_deployments', { config_id: config.id, server_id: server, status, input_values: { port: 8080 } })).status, 200);
  }
  const app = await api('POST', '/v1/applications', {
    project_id: project.id, name: 'two_tasks', is_draft: false, create_type: 'template', slave_cluster_id: '', trigger: { trigger_source: '0' },
    arrange_infos: [{ template_id: 'a'.repeat(32) }, { template_id: 'b'.repeat(32) }],
  });
  assert.equal(app.status, 200, JSON.stringify(app.body));
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  // wrangler's log, kept for a failed run (stopWorker removes its directory).
  if (worker) fs.cpSync(worker.logPath, path.join(ROOT, 'test-output', 'wrangler-phone.log'));
  await stopWorker(worker);
});

test('loading: the sign-in form works before the .wasm arrives, and the .wasm does not wait for the modules', async () => {
  const context = await browser.newContext(DESKTOP);
  const page = await context.newPage();
  const wasm = [];
  let release;
  const held = new Promise((r) => { release = r; });
  page.on('request', (r) => { if (r.url().endsWith('.wasm')) wasm.push(r.url()); });
  // The validator module is held: the .wasm must be requested all the same (preloaded by the HTML).
  await page.route('**/js/validator.js', async (route) => { await held; await route.fallback(); });
  const requested = page.waitForRequest((r) => r.url().endsWith('.wasm'));
  await page.goto(`${worker.url}/`, { waitUntil: 'commit' });
  await requested;
  assert.equal(await page.getByRole('form', { name: 'Sign in' }).count(), 0, 'the modules are still held');
  release();
  await page.getByRole('form', { name: 'Sign in' }).waitFor();
  // Now hold the .wasm itself: the form is there and usable without it.
  let releaseWasm;
  const wasmHeld = new Promise((r) => { releaseWasm = r; });
  await page.route('**/*.wasm', async (route) => { await wasmHeld; await route.fallback(); });
  wasm.length = 0;
  await page.reload();
  const form = page.getByRole('form', { name: 'Sign in' });
  await form.getByLabel('Project ID').fill('short');
  assert.equal(await page.evaluate(() => document.documentElement.dataset.validator), undefined);
  releaseWasm();
  // Once the package is there, what was typed is checked by its rule.
  await form.getByText('Project ID must be 32 letters and digits').waitFor();
  assert.equal(wasm.length, 1, `one .wasm request (the preload is used): ${wasm}`);
  await context.close();
});

for (const [label, form] of [['375 px', PHONE], ['desktop', DESKTOP]]) {
  describe(`at ${label}`, () => {
    const phone = form === PHONE;

    test('no page scrolls sideways; list rows show every column', async () => {
      const page = await open(form, '#/', { signedIn: false });
      assert.equal(await overflow(page), 0, 'sign-in');
      await page.evaluate(([p, t]) => sessionStorage.setItem('deploy-edge.session', JSON.stringify({ projectId: p, token: t })), [project.id, project.token]);
      const [dep] = (await heat('GET', '/software_deployments')).body.software_deployments;
      const [app] = (await api('POST', '/v1/applications/list', { project_id: project.id, page: 1, size: 10 })).body.result;
      for (const hash of ['#/configs', `#/configs/${config.id}`, `#/configs?from=${config.id}`, '#/deployments',
        `#/deployments/${dep.id}`, '#/hosts', '#/applications', `#/applications/${app.id}`, `#/admin/${other.id}`]) {
        await page.goto(`${worker.url}/${hash}`);
        await settled(page);
        assert.equal(await overflow(page), 0, hash);
      }
      await page.goto(`${worker.url}/#/deployments`);
      await settled(page);
      const list = page.getByRole('region', { name: 'Deployments', exact: true });
      // Status, Updated and the filter's buttons are on screen (inside the page's width).
      for (const el of [list.locator('tbody .badge').first(), list.getByRole('button', { name: 'Apply filter' }),
        list.getByRole('button', { name: 'Clear filter' })]) {
        const box = await el.boundingBox();
        assert.ok(box.x >= 0 && box.x + box.width <= form.viewport.width, `${el} at ${JSON.stringify(box)}`);
      }
      await page.goto(`${worker.url}/#/applications`);
      await settled(page);
      const del = page.getByRole('region', { name: 'Applications', exact: true }).getByRole('button', { name: 'Duplicate' }).first();
      const box = await del.boundingBox();
      assert.ok(box.x + box.width <= form.viewport.width, `the actions are on screen: ${JSON.stringify(box)}`);
      // On the phone, rows are cards: the column headers are hidden and each cell shows its column's name.
      await page.goto(`${worker.url}/#/deployments`);
      await settled(page);
      const layout = await list.locator('table').evaluate((t) => ({
        head: getComputedStyle(t.tHead).position,
        label: getComputedStyle(t.tBodies[0].rows[0].cells[4], '::before').content,
      }));
      assert.deepEqual(layout, phone ? { head: 'absolute', label: '"Status" / ""' } : { head: 'static', label: 'none' });
      await page.context().close();
    });

    test('opening a row (by touch or keyboard) scrolls its detail into view and focuses it', async () => {
      const page = await open(form, '#/deployments');
      const list = page.getByRole('region', { name: 'Deployments', exact: true });
      const link = list.getByRole('link', { name: /^Open deployment / }).last();
      if (phone) await link.tap();
      else {
        await tabTo(page, link);
        await page.keyboard.press('Enter');
      }
      const heading = page.getByRole('heading', { level: 2, name: /^Deployment on / });
      await heading.waitFor();
      await page.waitForFunction(() => document.activeElement?.id === 'deployment-title');
      assert.ok(await inView(heading), 'the detail heading is on screen');
      await page.context().close();
    });

    test('two deployments of one server show different ids', async () => {
      const page = await open(form, '#/deployments');
      const ids = await page.getByRole('region', { name: 'Deployments', exact: true }).getByRole('row').filter({ hasText: 'web-1' })
        .locator('a code').allTextContents();
      assert.equal(ids.length, 2);
      assert.notEqual(ids[0], ids[1]);
      const full = (await heat('GET', '/software_deployments?server_id=web-1')).body.software_deployments.map((d) => d.id);
      assert.equal(full[0].slice(0, 8), full[1].slice(0, 8), 'the ids share their bucket');
      for (const shown of ids) assert.ok(full.some((id) => id.endsWith(shown.replace('…', ''))), shown);
      await page.context().close();
    });

    test('newest first; filter by status and by config; search configs by name', async () => {
      const newest = (await heat('POST', '/software_deployments', { config_id: config.id, server_id: `new-${phone ? 'p' : 'd'}` })).body.software_deployment;
      const page = await open(form, '#/deployments');
      const list = page.getByRole('region', { name: 'Deployments', exact: true });
      assert.match(await list.getByRole('row').nth(1).textContent(), new RegExp(newest.server_id));
      await list.getByLabel('Status', { exact: true }).selectOption('FAILED');
      await list.getByRole('button', { name: 'Apply filter' }).click();
      await list.getByText('(1 deployment with status FAILED)').waitFor();
      assert.equal(await list.getByRole('row').filter({ hasText: 'db-1' }).count(), 1);
      const another = (await heat('POST', '/software_configs', { name: `other-${phone ? 'p' : 'd'}`, group: 'script' })).body.software_config;
      await heat('POST', '/software_deployments', { config_id: another.id, server_id: 'only-other' });
      await page.reload();
      await settled(page);
      await list.getByLabel('Status', { exact: true }).selectOption('');
      await list.getByLabel('Config', { exact: true }).selectOption(another.id);
      await list.getByRole('button', { name: 'Apply filter' }).click();
      await list.getByText(`(1 deployment of config ${another.name})`).waitFor();
      assert.match(await list.locator('tbody').textContent(), /only-other/);
      await list.getByRole('button', { name: 'Clear filter' }).click();

      await page.goto(`${worker.url}/#/configs`);
      await settled(page);
      const configs = page.getByRole('region', { name: 'Configs', exact: true });
      // Search is by part of the name, in any case.
      const part = another.name.slice(1).toUpperCase();
      await configs.getByLabel('Search by name').fill(part);
      await page.keyboard.press('Enter');
      await configs.getByText(`(1 config named like "${part}")`).waitFor();
      await configs.getByRole('link', { name: another.name }).waitFor();
      assert.equal(await configs.getByRole('link', { name: 'typed', exact: true }).count(), 0);
      await configs.getByRole('button', { name: 'Clear search' }).click();
      await configs.getByRole('link', { name: 'typed', exact: true }).waitFor();
      await page.context().close();
    });

    test("a deployment's input values are the config's inputs, typed and checked; Save sends them", async () => {
      const dep = (await heat('POST', '/software_deployments', { config_id: config.id, server_id: `iv-${phone ? 'p' : 'd'}`, input_values: { port: 8080, extra: 'x' } })).body.software_deployment;
      const page = await open(form, `#/deployments/${dep.id}`);
      const update = page.getByRole('form', { name: 'Update deployment' });
      const port = update.getByLabel('port', { exact: true });
      await port.waitFor();
      assert.equal(await port.inputValue(), '8080');
      assert.equal(await port.getAttribute('inputmode'), 'decimal');
      assert.deepEqual(await update.getByLabel('debug').evaluate((s) => [...s.options].map((o) => o.value)), ['', 'true', 'false']);
      assert.equal(await update.getByLabel('doc', { exact: true }).evaluate((el) => el.tagName), 'TEXTAREA');
      assert.equal(JSON.parse(await update.getByLabel('Other input values (JSON)').inputValue()).extra, 'x');
      const puts = [];
      page.on('request', (r) => { if (r.method() === 'PUT') puts.push(r.url()); });
      // Keyboard only: a Number input refuses text, by the package's rule, beside the field.
      await tabTo(page, port);
      await page.keyboard.press('ControlOrMeta+a');
      await page.keyboard.type('eighty');
      await update.getByText('port must be a valid Number value').waitFor();
      assert.equal(await port.getAttribute('aria-invalid'), 'true');
      await page.keyboard.press('Enter');
      await sleep(300);
      assert.deepEqual(puts, [], 'nothing is sent while a value is wrong');
      await port.fill('9000');
      await update.getByLabel('debug').selectOption('true');
      await update.getByLabel('hosts').fill('a,b');
      await update.getByLabel('doc', { exact: true }).fill('{"k": [1, 2]}');
      await update.getByLabel('doc', { exact: true }).press('Tab');
      await tabTo(page, update.getByRole('button', { name: 'Save' }));
      await page.keyboard.press('Enter');
      await page.getByRole('status').getByText('Deployment updated').waitFor();
      const stored = (await heat('GET', `/software_deployments/${dep.id}`)).body.software_deployment;
      assert.deepEqual(stored.input_values, { port: 9000, debug: true, hosts: 'a,b', doc: { k: [1, 2] }, extra: 'x' });
      await page.waitForFunction(() => document.activeElement?.id === 'deployment-title');
      await page.context().close();
    });

    test('a config is edited as a new config: the form is filled from it and the original stays', async () => {
      const page = await open(form, `#/configs/${config.id}`);
      const edit = page.getByRole('link', { name: 'Edit as new config' });
      assert.match(await edit.evaluate((el) => document.getElementById(el.getAttribute('aria-describedby')).textContent), /cannot be changed/);
      await tabTo(page, edit);
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'New config from typed' }).waitFor();
      await page.waitForFunction(() => document.activeElement?.id === 'new-config-title');
      const create = page.getByRole('form', { name: 'Create config' });
      assert.equal(await create.getByLabel('Name').first().inputValue(), 'typed');
      assert.deepEqual(JSON.parse(await create.getByLabel('Options (JSON)').inputValue()), { deploy_timeout: 60 });
      assert.equal(await create.getByRole('group', { name: 'Input 4' }).getByLabel('Type').inputValue(), 'Json');
      const name = `typed-v2-${phone ? 'p' : 'd'}`;
      await create.getByLabel('Name').first().fill(name);
      await create.getByLabel('Options (JSON)').fill('[1]');
      await create.getByText('Options must be a JSON object').waitFor();
      await create.getByLabel('Options (JSON)').fill('{"deploy_timeout": 120}');
      await create.getByRole('button', { name: 'Create config' }).click();
      const heading = page.getByRole('heading', { name: `Config ${name}` });
      await heading.waitFor();
      // Focus goes to the new config's heading, which is on screen.
      await page.waitForFunction(() => document.activeElement?.id === 'config-title');
      assert.ok(await inView(heading));
      const id = (await page.locator('.facts dd code').first().textContent()).trim();
      assert.notEqual(id, config.id);
      assert.deepEqual((await heat('GET', `/software_configs/${id}`)).body.software_config.options, { deploy_timeout: 120 });
      assert.deepEqual((await heat('GET', `/software_configs/${config.id}`)).body.software_config.options, { deploy_timeout: 60 });
      await page.context().close();
    });

    test('an application edits every task, and a created one takes focus', async () => {
      const page = await open(form, '#/applications');
      const create = page.getByRole('form', { name: 'Create application' });
      await create.getByLabel('Name').fill(`tasks_${phone ? 'p' : 'd'}`);
      await create.getByRole('group', { name: 'Task 1' }).getByLabel('Template ID').fill('c'.repeat(32));
      await create.getByRole('button', { name: 'Add task' }).click();
      assert.ok(await create.getByRole('group', { name: 'Task 2' }).getByLabel('Template ID').evaluate((el) => el === document.activeElement));
      await create.getByRole('group', { name: 'Task 2' }).getByLabel('Template ID').fill('bad');
      await create.getByText('Fix 1 field to continue').waitFor();
      await create.getByRole('group', { name: 'Task 2' }).getByLabel('Template ID').fill('d'.repeat(32));
      await create.getByRole('button', { name: 'Create application' }).click();
      const heading = page.getByRole('heading', { name: `Edit tasks_${phone ? 'p' : 'd'}` });
      await heading.waitFor();
      await page.waitForFunction(() => document.activeElement?.id === 'app-title');
      assert.ok(await inView(heading));
      const edit = page.getByRole('form', { name: 'Edit application' });
      await edit.getByRole('group', { name: 'Task 2' }).getByLabel('Operations (JSON)').fill('[{"name": "Install", "code": "echo hi", "params": "{}"}]');
      await edit.getByRole('group', { name: 'Task 1' }).getByLabel('Template ID').fill('e'.repeat(32));
      const before = (await api('POST', '/v1/applications/list', { project_id: project.id, page: 1, size: 50 })).body.result.find((a) => a.name === `tasks_${phone ? 'p' : 'd'}`);
      const ids = (await api('GET', `/v1/applications/${before.id}/info`)).body.result.arrange_infos.map((t) => t.id);
      await edit.getByRole('button', { name: 'Save' }).click();
      await page.getByRole('status').getByText(/saved/).waitFor();
      const tasks = (await api('GET', `/v1/applications/${before.id}/info`)).body.result.arrange_infos;
      assert.deepEqual(tasks.map((t) => t.id), ids, 'the tasks are updated, not replaced');
      assert.equal(tasks[0].template_id, 'e'.repeat(32));
      assert.equal(tasks[1].operation_list[0].name, 'Install');
      await page.context().close();
    });

    test('IN_PROGRESS deployments refresh every 5 s, not while the tab is hidden', async () => {
      const dep = (await heat('POST', '/software_deployments', { config_id: config.id, server_id: `live-${phone ? 'p' : 'd'}`, status: 'IN_PROGRESS' })).body.software_deployment;
      const context = await browser.newContext(form);
      const page = await context.newPage();
      await page.clock.install();
      await page.goto(`${worker.url}/`);
      await page.evaluate(([p, t]) => sessionStorage.setItem('deploy-edge.session', JSON.stringify({ projectId: p, token: t })), [project.id, project.token]);
      await page.goto(`${worker.url}/#/deployments/${dep.id}`);
      await settled(page);
      const list = page.getByRole('region', { name: 'Deployments', exact: true });
      await list.getByText('refreshing every 5 seconds').waitFor();
      const row = list.getByRole('row').filter({ hasText: dep.server_id });
      await row.getByText('IN PROGRESS').waitFor();
      let reads = 0;
      page.on('request', (r) => { if (r.url().endsWith('/software_deployments')) reads++; });
      // Hidden: nothing is read, however long.
      await page.evaluate(() => {
        Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
        document.dispatchEvent(new Event('visibilitychange'));
      });
      await heat('PUT', `/software_deployments/${dep.id}`, { status: 'COMPLETE', status_reason: 'done' });
      await page.clock.runFor(12_000);
      await sleep(300);
      assert.equal(reads, 0, 'no refresh while hidden');
      assert.equal(await row.getByText('IN PROGRESS').count(), 1);
      // Visible again: it refreshes at once, list and detail, and says what changed.
      await page.evaluate(() => {
        Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'visible' });
        document.dispatchEvent(new Event('visibilitychange'));
      });
      await row.getByText('COMPLETE').waitFor();
      await page.locator('.facts').getByText('COMPLETE').waitFor();
      assert.equal(reads, 1);
      await context.close();
    });

    test('admin: sign in with the admin token, issue a token and a credential (shown once, copied), revoke them', async () => {
      const page = await open(form, '#/', { signedIn: false });
      const link = page.getByRole('link', { name: /^Admin:/ });
      await tabTo(page, link);
      await page.keyboard.press('Enter');
      const signIn = page.getByRole('form', { name: 'Admin sign-in' });
      await signIn.getByLabel('Project ID').fill(other.id);
      await signIn.getByLabel('Admin token').fill('not-the-admin-token');
      await page.keyboard.press('Enter');
      await signIn.getByText('This admin token was not accepted').waitFor();
      await signIn.getByLabel('Admin token').fill(worker.admin);
      await page.keyboard.press('Enter');
      const tokens = page.getByRole('region', { name: 'Project tokens' });
      await tokens.getByRole('button', { name: 'Issue token' }).waitFor();
      await settled(page);
      const stored = await page.evaluate(() => ({ admin: sessionStorage.getItem('deploy-edge.admin'), local: localStorage.length }));
      assert.deepEqual(stored, { admin: worker.admin, local: 0 });
      // The token issued when the project was made is listed, without its secret.
      const [first] = (await adminApi('GET', '/tokens')).body.tokens;
      await tokens.getByRole('cell', { name: first.id, exact: true }).waitFor();
      assert.doesNotMatch(await page.locator('main').textContent(), new RegExp(other.token));

      for (const [region, noun, secretLabel, probe] of [
        [tokens, 'token', 'Token', (s) => api('GET', `/v1/${other.id}/software_configs`, undefined, { 'X-Auth-Token': s })],
        [page.getByRole('region', { name: 'AK/SK credentials' }), 'credential', 'Secret key', null]]) {
        await tabTo(page, region.getByRole('button', { name: `Issue ${noun}` }));
        await page.keyboard.press('Enter');
        const shown = region.getByRole('region', { name: new RegExp(`^New ${noun}: `) });
        await shown.waitFor();
        await page.waitForFunction(() => document.activeElement?.tagName === 'H3');
        const secret = await shown.getByLabel(secretLabel).inputValue();
        assert.match(secret, /^[0-9a-f]{40,64}$/);
        await shown.getByRole('button', { name: `Copy ${secretLabel.toLowerCase()}` }).click();
        await shown.getByText('Copied').waitFor();
        assert.equal(await page.evaluate(() => navigator.clipboard.readText()), secret);
        const key = (await shown.getByRole('heading').textContent()).split(': ')[1];
        await region.getByRole('cell', { name: key, exact: true }).waitFor();
        if (probe) assert.equal((await probe(secret)).status, 200);
        await shown.getByRole('button', { name: 'Done, hide it' }).click();
        assert.doesNotMatch(await page.locator('main').textContent(), new RegExp(secret), 'shown once');
        // Revoke asks first; by keyboard on the desktop, by touch on the phone.
        const revoke = region.getByRole('button', { name: `Revoke ${noun} ${key}` });
        const confirm = page.getByRole('dialog').getByRole('button', { name: 'Revoke' });
        if (phone) {
          await revoke.tap();
          await confirm.tap();
        } else {
          await tabTo(page, revoke);
          await page.keyboard.press('Enter');
          await tabTo(page, confirm, 3);
          await page.keyboard.press('Enter');
        }
        await page.getByRole('status').getByText(`revoked`).waitFor();
        await region.getByRole('cell', { name: key, exact: true }).waitFor({ state: 'detached' });
        if (probe) assert.equal((await probe(secret)).status, 401);
        else assert.ok(!(await adminApi('GET', '/credentials')).body.credentials.some((c) => c.access_key === key));
      }
      await page.getByRole('button', { name: 'Sign out of admin' }).click();
      await page.getByRole('form', { name: 'Admin sign-in' }).waitFor();
      assert.equal(await page.evaluate(() => sessionStorage.getItem('deploy-edge.admin')), null);
      await page.context().close();
    });

    test('axe-core finds nothing on any page, light or dark', async () => {
      const [dep] = (await heat('GET', '/software_deployments')).body.software_deployments;
      const [app] = (await api('POST', '/v1/applications/list', { project_id: project.id, page: 1, size: 10 })).body.result;
      const page = await open(form, '#/', { signedIn: false });
      for (const scheme of ['light', 'dark']) {
        await page.emulateMedia({ colorScheme: scheme });
        await page.evaluate(() => sessionStorage.clear());
        for (const hash of ['#/', '#/admin']) {
          await page.goto(`${worker.url}/${hash}`);
          await settled(page);
          await axe(page, `${hash} (${scheme}, signed out)`);
        }
        await page.evaluate(([p, t, a]) => {
          sessionStorage.setItem('deploy-edge.session', JSON.stringify({ projectId: p, token: t }));
          sessionStorage.setItem('deploy-edge.admin', a);
        }, [project.id, project.token, worker.admin]);
        for (const hash of ['#/configs', `#/configs/${config.id}`, `#/configs?from=${config.id}`, '#/deployments',
          `#/deployments/${dep.id}`, '#/hosts', '#/applications', `#/applications/${app.id}`, `#/admin/${other.id}`]) {
          await page.goto(`${worker.url}/${hash}`);
          await settled(page);
          await axe(page, `${hash} (${scheme})`);
        }
        // With a new secret shown, and a form showing its errors.
        await page.getByRole('button', { name: 'Issue credential' }).click();
        await page.getByRole('region', { name: /^New credential/ }).waitFor();
        await settled(page);
        await axe(page, `admin with a secret shown (${scheme})`);
        await page.goto(`${worker.url}/#/deployments`);
        await settled(page);
        const create = page.getByRole('form', { name: 'Create deployment' });
        await create.getByRole('button', { name: 'Create deployment' }).click({ force: true });
        await create.locator('[aria-invalid="true"]').first().waitFor();
        await axe(page, `deployment form with errors (${scheme})`);
      }
      await page.context().close();
    });
  });
}

test('no page logged a script error or a CSP violation', () => {
  assert.deepEqual(problems, []);
});
