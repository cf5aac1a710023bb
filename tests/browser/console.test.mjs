// The console in a real browser (Chromium through playwright-core) against the real Worker
// (`wrangler dev`, started by tests/js/support.mjs the way tests/e2e/conftest.py does: free port,
// temporary --persist-to, random secrets; its process group is killed at the end). One flow, in
// order: sign in, configs, deployments, applications, sign out. Screenshots go to
// test-output/screenshots/.
//
//   node --test --test-concurrency=1 tests/browser/

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { ROOT, startWorker, stopWorker, newProject } from '../js/support.mjs';
import { rules } from '../../pkg/node.js';

const SHOTS = path.join(ROOT, 'test-output', 'screenshots');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let worker; // { launched, url, admin, dir, logPath, exited } (tests/js/support.mjs)
let browser;
let page;
let project; // { id, token, ... }
const requests = [];
const pageErrors = [];
const cspViolations = [];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The values of a select's options. */
const optionValues = (select) => select.evaluate((el) => [...el.options].map((o) => o.value));

/** Calls the API directly (fixtures the flow does not need to click through). */
async function api(method, p, body) {
  const res = await fetch(`${worker.url}${p}`, {
    method,
    headers: { 'X-Auth-Token': project.token, 'Content-Type': 'application/json', Accept: 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/**
 * Saves a screenshot, and checks the page it shows: every visible input, select and textarea has a
 * visible <label> with text (a row's selection box is labelled by its row, under a visible
 * "Select" column header), and every visible button has a name.
 */
async function shot(name) {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  const problems = await page.evaluate(() => {
    const visible = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
    const rowBox = (c) => c.type === 'checkbox' && c.closest('tbody tr');
    const controls = [...document.querySelectorAll('input, select, textarea')].filter(visible)
      .filter((c) => ![...c.labels].some((l) => l.textContent.trim() && (visible(l) && !l.classList.contains('sr-only') || rowBox(c))))
      .map((c) => `unlabelled ${c.outerHTML.slice(0, 100)}`);
    const buttons = [...document.querySelectorAll('button, a.button')].filter(visible)
      .filter((b) => !b.textContent.trim()).map((b) => `nameless ${b.outerHTML.slice(0, 100)}`);
    return [...controls, ...buttons];
  });
  assert.deepEqual(problems, [], `on ${name}`);
}

/** Waits until the validator has loaded and no region or form is busy. */
async function settled() {
  await page.waitForFunction(() => document.documentElement.dataset.validator && !document.querySelector('[aria-busy="true"]'));
}

/**
 * Opens a console page and waits for its heading and its requests. The old page is cleared first,
 * so nothing of it can be mistaken for the new one.
 */
async function open(hash, heading) {
  const url = `${worker.url}/${hash}`;
  await page.evaluate(() => document.getElementById('main')?.replaceChildren());
  if (page.url() === url) await page.reload();
  else await page.goto(url);
  await page.getByRole('heading', { name: heading, exact: true }).waitFor();
  await settled();
}

/** The text of the elements that describe a control (aria-describedby): its hint and errors. */
function description(locator) {
  return locator.evaluate((el) => (el.getAttribute('aria-describedby') || '').split(' ')
    .map((id) => document.getElementById(id)?.textContent || '').join(' | '));
}

/**
 * Clicks a submit button that is aria-disabled. It stays focusable and clickable on purpose (so
 * its reason can be read); Playwright's actionability check counts aria-disabled as disabled,
 * hence `force`.
 */
async function submitAnyway(button) {
  assert.equal(await button.getAttribute('aria-disabled'), 'true');
  await button.click({ force: true });
}

before(async () => {
  if (!fs.existsSync(path.join(ROOT, 'www/vendor/deploy-edge'))) {
    execFileSync('bash', ['scripts/build-pkg.sh'], { cwd: ROOT, stdio: 'inherit' });
  }
  fs.mkdirSync(SHOTS, { recursive: true });
  worker = await startWorker();
  project = await newProject(worker); // a fresh project id and a token from the admin API
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
  page.setDefaultTimeout(15_000);
  page.on('request', (r) => requests.push({ method: r.method(), url: r.url() }));
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text()); });
});

after(async () => {
  await browser?.close();
  await stopWorker(worker);
});

test('the console is served with a CSP that forbids framing and foreign code, and nosniff', async () => {
  const res = await fetch(`${worker.url}/`);
  const csp = res.headers.get('content-security-policy') ?? '';
  assert.match(csp, /frame-ancestors 'none'/);
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'(;|$)/);
  assert.match(csp, /default-src 'none'/);
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  const api = await fetch(`${worker.url}/healthz`);
  assert.equal(api.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(api.headers.get('cache-control'), 'no-store');
});

test('the console\'s own JavaScript and CSS, minified as the Worker serves them (build/www/), stay within 100 KiB', () => {
  // scripts/console-files.mjs minifies www/js/*.js and www/*.css into build/www/ (esbuild, file by
  // file): the bytes the browser downloads. Every source file is there, and smaller.
  const own = (dir) => [...fs.readdirSync(path.join(dir, 'js')).filter((f) => f.endsWith('.js')).map((f) => path.join('js', f)),
    ...fs.readdirSync(dir).filter((f) => f.endsWith('.css'))].sort();
  const www = path.join(ROOT, 'www');
  const built = path.join(ROOT, 'build', 'www');
  assert.deepEqual(own(built), own(www), 'build/www/ has the console\'s files (scripts/build-worker.sh)');
  const size = (dir, f) => fs.statSync(path.join(dir, f)).size;
  for (const f of own(www)) assert.ok(size(built, f) < size(www, f), `${f} is minified in build/www/`);
  const bytes = own(built).reduce((n, f) => n + size(built, f), 0);
  assert.ok(bytes <= 100 * 1024, `console JS + CSS, minified, is ${bytes} bytes`);
});

test('sign in keeps the token in sessionStorage only and rejects a wrong token next to its field', async () => {
  await page.goto(`${worker.url}/`);
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  const form = page.getByRole('form', { name: 'Sign in' });
  // Typed before the validator is ready, the field is checked again once it is.
  await form.getByLabel('Project ID').fill('not-a-project');
  await page.waitForFunction(() => document.documentElement.dataset.validator);
  assert.match(await description(form.getByLabel('Project ID')), /Project ID must be 32 letters and digits/);
  await form.getByText('Fix 2 fields to continue').waitFor();
  await shot('01-sign-in');

  await form.getByLabel('Project ID').fill(project.id);
  await form.getByLabel('Token').fill('0'.repeat(64));
  await form.getByRole('button', { name: 'Sign in' }).click();
  await form.getByLabel('Token').and(page.locator('[aria-invalid="true"]')).waitFor();
  assert.match(await description(form.getByLabel('Token')), /This token was not accepted/);

  await form.getByLabel('Token').fill(project.token);
  await form.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Software configs', level: 1 }).waitFor();
  const stored = await page.evaluate(() => ({ session: { ...sessionStorage }, local: localStorage.length, cookies: document.cookie }));
  assert.deepEqual(JSON.parse(stored.session['deploy-edge.session']), { projectId: project.id, token: project.token });
  assert.equal(stored.local, 0);
  assert.equal(stored.cookies, '');
  await page.getByText(project.id).waitFor();
});

let configId;

test('create a config with inputs and outputs as rows, then show it', async () => {
  const form = page.getByRole('form', { name: 'Create config' });
  await form.getByLabel('Name').first().fill('web-setup');
  await form.getByLabel('Group').fill('script');
  await form.getByLabel('Config', { exact: true }).fill('#!/bin/sh\necho "port=$port" > /tmp/out');
  await form.getByRole('button', { name: 'Add input' }).click();
  const input1 = form.getByRole('group', { name: 'Input 1' });
  await input1.getByLabel('Name').fill('port');
  // The select offers the package's types, its default first chosen.
  assert.deepEqual(await optionValues(input1.getByLabel('Type')), rules().heat.ioTypes);
  assert.equal(await input1.getByLabel('Type').inputValue(), rules().heat.defaultIoType);
  await input1.getByLabel('Type').selectOption('Number');
  await input1.getByLabel('Default').fill('eighty');
  // The package checks the default against the type, and says so beside "Default".
  assert.match(await description(input1.getByLabel('Default')), /must be a valid Number value/);
  await form.getByText('Fix 1 field to continue').waitFor();
  await input1.getByLabel('Default').fill('8080');
  await form.getByRole('button', { name: 'Add output' }).click();
  await form.getByRole('group', { name: 'Output 1' }).getByLabel('Name').fill('result');
  assert.equal(await form.locator('.submit-hint').textContent(), '');
  await shot('02-configs-new');

  await form.getByRole('button', { name: 'Create config' }).click();
  await page.getByRole('heading', { name: 'Config web-setup' }).waitFor();
  await settled();
  configId = await page.locator('.facts dd code').first().textContent();
  assert.match(configId, /^[0-9a-f-]{36}$/);
  await page.getByRole('cell', { name: 'port' }).waitFor();
  await page.getByRole('link', { name: 'web-setup' }).waitFor();
  const stored = await api('GET', `/v1/${project.id}/software_configs/${configId}`);
  const { name, type, default: dflt } = stored.body.software_config.inputs[0];
  assert.deepEqual({ name, type, default: dflt }, { name: 'port', type: 'Number', default: '8080' });
  assert.equal(stored.body.software_config.outputs[0].name, 'result');
  await shot('03-config-detail');
});

test('config inputs as JSON: a JSON mistake is shown on the textarea and blocks the request', async () => {
  await open('#/configs', 'New config');
  const form = page.getByRole('form', { name: 'Create config' });
  await form.getByRole('radio', { name: 'JSON' }).check();
  await form.getByLabel('Inputs (JSON)').fill('[{"name": "a", "type": "Colour"}]');
  assert.match(await description(form.getByLabel('Inputs (JSON)')), /inputs\[0\]\.type must be one of/);
  await form.getByLabel('Inputs (JSON)').fill('[{"name": ');
  assert.match(await description(form.getByLabel('Inputs (JSON)')), /Inputs is not valid JSON/);
  const before = requests.length;
  await submitAnyway(form.getByRole('button', { name: 'Create config' }));
  await sleep(300);
  assert.equal(requests.slice(before).filter((r) => r.method === 'POST').length, 0);
});

test('long config lists page', async () => {
  for (let i = 0; i < 11; i++) {
    const r = await api('POST', `/v1/${project.id}/software_configs`, { name: `bulk-${String(i).padStart(2, '0')}`, group: 'script' });
    assert.equal(r.status, 200);
  }
  await open('#/configs', 'New config');
  const list = page.getByRole('region', { name: 'Configs', exact: true });
  assert.equal(await list.locator('tbody tr').count(), 10);
  await list.getByRole('link', { name: 'bulk-10' }).waitFor();
  await list.getByRole('button', { name: 'Next page' }).click();
  await list.getByRole('link', { name: 'web-setup' }).waitFor();
  assert.equal(await list.locator('tbody tr').count(), 2);
  await list.getByText('Page 2').waitFor();
  assert.equal(await list.getByRole('button', { name: 'Next page' }).isDisabled(), true);
  await list.getByRole('button', { name: 'Previous page' }).click();
  await list.getByRole('link', { name: 'bulk-10' }).waitFor();
});

test('a slow request shows progress: aria-busy and a visible "Loading…"', async () => {
  let release;
  const gate = new Promise((r) => { release = r; });
  await page.route('**/software_deployments', async (route) => { await gate; await route.continue(); });
  await page.evaluate(() => document.getElementById('main').replaceChildren());
  await page.goto(`${worker.url}/#/deployments`);
  const list = page.getByRole('region', { name: 'Deployments', exact: true });
  await list.getByText('Loading…').waitFor({ state: 'visible' });
  assert.equal(await list.getAttribute('aria-busy'), 'true');
  await shot('04-deployments-loading');
  release();
  await list.getByText('Loading…').waitFor({ state: 'hidden' });
  assert.equal(await list.getAttribute('aria-busy'), 'false');
  await page.unroute('**/software_deployments');
});

test('an invalid deployment shows the message beside its field and sends nothing', async () => {
  await settled();
  const form = page.getByRole('form', { name: 'Create deployment' });
  requests.length = 0;
  await form.getByLabel('Config ID').fill(configId);
  await form.getByLabel('Server ID').fill('s'.repeat(40));
  await form.getByLabel('Input values (JSON)').fill('{"port": 9090');
  // The config's declared input "port" (a Number) is a field of its own, checked by the package.
  await form.getByLabel('port', { exact: true }).fill('eighty');
  assert.match(await description(form.getByLabel('port', { exact: true })), /port must be a valid Number value/);
  await form.getByLabel('port', { exact: true }).fill('');
  const server = form.getByLabel('Server ID');
  assert.equal(await server.getAttribute('aria-invalid'), 'true');
  assert.match(await description(server), /server_id .*36/);
  assert.match(await description(form.getByLabel('Input values (JSON)')), /Input values is not valid JSON/);
  // The message sits in the server field's own wrapper, right under the control.
  const beside = form.locator('.field', { has: page.getByLabel('Server ID', { exact: true }) }).locator('.field-error');
  assert.match(await beside.textContent(), /server_id/);
  await form.getByText('Fix 2 fields to continue').waitFor();
  const button = form.getByRole('button', { name: 'Create deployment' });
  assert.equal(await button.getAttribute('aria-disabled'), 'true');
  assert.equal(await description(button), 'Fix 2 fields to continue');
  await submitAnyway(button);
  await sleep(400);
  // Focus goes to the first field to fix; no request reached the API.
  assert.equal(await page.evaluate(() => document.activeElement?.closest('.field')?.querySelector('label')?.textContent), 'Server ID');
  await shot('05-deployment-invalid');
  const sent = requests.filter((r) => r.url.includes('/software_deployments'));
  assert.deepEqual(sent, [], `requests sent for invalid input: ${JSON.stringify(sent)}`);
});

test('server field errors are placed the same way as the package\'s', async () => {
  const form = page.getByRole('form', { name: 'Create deployment' });
  await form.getByLabel('Server ID').fill('web-1');
  await form.getByLabel('Input values (JSON)').fill('');
  await form.getByLabel('port', { exact: true }).fill('9090');
  // The Worker accepts this body, so stand in for a server that rejects it: the console must
  // place each error of a Heat fault body by its path.
  await page.route('**/software_deployments', (route) => route.fulfill({
    status: 400, contentType: 'application/json',
    body: JSON.stringify({ code: 400, title: 'Bad Request', explanation: '', error: { message: 'Invalid request', type: 'HTTPBadRequest', traceback: null,
      errors: [{ path: '/input_values/port', code: 'type', message: 'input_values.port is refused by the server' }] } }),
  }), { times: 1 });
  await form.getByRole('button', { name: 'Create deployment' }).click();
  await form.getByText('input_values.port is refused by the server').waitFor();
  assert.match(await description(form.getByLabel('port', { exact: true })), /refused by the server/);
  // Editing the field clears the server's message.
  await form.getByLabel('port', { exact: true }).fill('9091');
  assert.doesNotMatch(await description(form.getByLabel('port', { exact: true })), /refused/);
});

let deploymentId;

test('a valid deployment is created and listed; a server filter narrows the list', async () => {
  const form = page.getByRole('form', { name: 'Create deployment' });
  assert.deepEqual(await optionValues(form.getByLabel('Status', { exact: true })), ['', ...rules().heat.deploymentStatuses]);
  await form.getByLabel('Action').fill('CREATE');
  await form.getByLabel('Status', { exact: true }).selectOption('IN_PROGRESS');
  await form.getByLabel('Status reason').fill('Deploy started');
  await form.getByRole('button', { name: 'Create deployment' }).click();
  await page.getByRole('heading', { name: 'Deployment on web-1' }).waitFor();
  await settled();
  const list = page.getByRole('region', { name: 'Deployments', exact: true });
  const row = list.getByRole('row').filter({ hasText: 'web-1' });
  await row.getByText('IN PROGRESS').waitFor();
  await row.getByText('web-setup').waitFor();
  deploymentId = (await page.locator('.facts dd code').first().textContent()).trim();

  await api('POST', `/v1/${project.id}/software_deployments`, { config_id: configId, server_id: 'db-1' });
  await page.getByLabel('Filter by server ID').fill('db-1');
  await page.getByRole('button', { name: 'Apply filter' }).click();
  await list.getByText('(1 deployment on server db-1)').waitFor();
  assert.equal(await list.getByRole('row').filter({ hasText: 'web-1' }).count(), 0);
  await page.getByRole('button', { name: 'Clear filter' }).click();
  await list.getByText('(2 deployments)').waitFor();
});

test('update the deployment to COMPLETE with output values, then read the server metadata', async () => {
  const form = page.getByRole('form', { name: 'Update deployment' });
  await form.getByLabel('Status', { exact: true }).selectOption('COMPLETE');
  await form.getByLabel('Status reason').fill('Deploy finished');
  await form.getByLabel('Output values (JSON)').fill('[1, 2]');
  assert.match(await description(form.getByLabel('Output values (JSON)')), /must be a JSON object/);
  await form.getByLabel('Output values (JSON)').fill('{"result": "ok", "deploy_status_code": 0}');
  await form.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('status').getByText('Deployment updated').waitFor();
  await settled();
  const facts = page.locator('.facts');
  await facts.getByText('COMPLETE').waitFor();
  await facts.getByText('Deploy finished').waitFor();
  await page.getByRole('region', { name: 'Deployments', exact: true }).getByRole('row').filter({ hasText: 'web-1' }).getByText('COMPLETE').waitFor();
  const stored = await api('GET', `/v1/${project.id}/software_deployments/${deploymentId}`);
  assert.deepEqual(stored.body.software_deployment.output_values, { result: 'ok', deploy_status_code: 0 });
  assert.equal(stored.body.software_deployment.status, 'COMPLETE');

  await page.getByRole('button', { name: 'Show server web-1' }).click();
  const meta = page.getByRole('region', { name: 'Server', exact: true });
  await meta.getByText('1 deployment on web-1').waitFor();
  assert.match(await meta.locator('pre.json').textContent(), /"value": 9091/);
  await shot('06-deployment-detail');
});

test("the server panel issues an agent URL; the agent's poll and its logs show next to the deployment", async () => {
  const meta = page.getByRole('region', { name: 'Server', exact: true });
  const agent = meta.getByRole('region', { name: 'Agent on web-1' });
  await agent.getByText('Never: no agent has polled').waitFor();
  await agent.getByRole('button', { name: 'Issue agent URL' }).click();
  await page.getByRole('status').getByText('Agent URL issued').waitFor();
  const url = (await agent.locator('code.url').textContent()).trim();
  assert.ok(url.startsWith(`${worker.url}/agent/v1/${project.id}/`), url);
  // Be the server's agent: re-deploy, poll the URL with no header, run nothing, report a result.
  await api('PUT', `/v1/${project.id}/software_deployments/${deploymentId}`, { status: 'IN_PROGRESS', action: 'UPDATE' });
  const doc = await (await fetch(url)).json();
  const item = doc.deployments.find((d) => d.inputs.some((i) => i.name === 'deploy_server_id' && i.value === 'web-1'));
  const signal = item.inputs.find((i) => i.name === 'deploy_signal_id').value;
  const sent = await fetch(signal, {
    method: 'PUT', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ deploy_stdout: 'installed nginx\n', deploy_stderr: 'warning: cache cold\n', deploy_status_code: 0 }),
  });
  assert.equal(sent.status, 200, await sent.text());

  await open(`#/deployments/${encodeURIComponent(deploymentId)}`, 'Deployment on web-1');
  const logs = page.getByRole('region', { name: 'Agent logs' });
  assert.equal(await logs.getByLabel('Standard output').textContent(), 'installed nginx\n');
  assert.equal(await logs.getByLabel('Standard error').textContent(), 'warning: cache cold\n');
  const polled = page.getByRole('region', { name: 'Agent on web-1' });
  await polled.getByText(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(to within 10 minutes\)$/).waitFor();
  await page.locator('.facts').getByText('Outputs received').waitFor();
  await shot('06b-agent-logs');

  await page.getByRole('button', { name: 'Show server web-1' }).click();
  const manage = page.getByRole('region', { name: 'Server', exact: true }).getByRole('region', { name: 'Agent on web-1' });
  await manage.getByRole('button', { name: 'Revoke agent URLs' }).click();
  await page.getByRole('status').getByText('Agent URLs revoked').waitFor();
  await manage.getByText('Not issued').waitFor();
  assert.equal((await fetch(url)).status, 404);
});

test('applications: create, edit and disable', async () => {
  await open('#/applications', 'New application');
  const form = page.getByRole('form', { name: 'Create application' });
  assert.deepEqual(await optionValues(form.getByLabel('Who can deploy')), rules().codearts.triggerSources);
  assert.deepEqual(await optionValues(form.getByLabel('Artifact type')), rules().codearts.artifactTypes);
  await form.getByLabel('Name').fill('ab');
  assert.match(await description(form.getByLabel('Name')), /name/);
  await form.getByLabel('Template ID').fill('not-32');
  assert.match(await description(form.getByLabel('Template ID')), /32 letters and digits/);
  await form.getByText('Fix 2 fields to continue').waitFor();
  await form.getByLabel('Name').fill('web_app-1');
  await form.getByLabel('Template ID').fill('fedcba9876543210fedcba9876543210');
  await form.getByLabel('Description').fill('The web tier');
  await form.getByRole('button', { name: 'Create application' }).click();
  await page.getByRole('heading', { name: 'Edit web_app-1' }).waitFor();
  await settled();
  const list = page.getByRole('region', { name: 'Applications', exact: true });
  const row = list.getByRole('row').filter({ hasText: 'web_app-1' });
  await row.getByText('ENABLED').waitFor();

  const edit = page.getByRole('form', { name: 'Edit application' });
  assert.equal(await edit.getByLabel('Template ID').inputValue(), 'fedcba9876543210fedcba9876543210');
  await edit.getByLabel('Description').fill('The web tier, edited');
  await edit.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('status').getByText('Application web_app-1 saved').waitFor();
  await settled();
  await row.getByText('The web tier, edited').waitFor();

  await row.getByRole('button', { name: 'Disable' }).click();
  await row.getByText('DISABLED').waitFor();
  await row.getByRole('button', { name: 'Enable' }).waitFor();
  await shot('07-applications');
  const listed = await api('POST', '/v1/applications/list', { project_id: project.id, page: 1, size: 10 });
  const app = listed.body.result.find((a) => a.name === 'web_app-1');
  assert.equal(app.is_disable, true);
  assert.equal(app.description, 'The web tier, edited');

  await row.getByRole('button', { name: 'Duplicate' }).click();
  await list.getByRole('row').filter({ hasText: 'web_app-1_copy' }).waitFor();
});

test('deletes ask first; a config still in use is refused with the reason', async () => {
  const confirm = () => page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
  await open(`#/configs/${configId}`, 'Config web-setup');
  await page.getByRole('button', { name: 'Delete' }).click();
  await page.getByRole('dialog').getByText('Delete this config?').waitFor();
  await shot('08-confirm-delete');
  await confirm();
  await page.getByRole('alert').filter({ hasText: 'Delete its deployments first' }).waitFor();

  await open(`#/deployments/${deploymentId}`, 'Deployment on web-1');
  await page.getByRole('button', { name: 'Delete', exact: true }).click();
  await confirm();
  await page.getByRole('status').getByText('Deployment deleted').waitFor();
  await settled();
  const list = page.getByRole('region', { name: 'Deployments', exact: true });
  await list.getByText('(1 deployment)').waitFor();
  const [other] = (await api('GET', `/v1/${project.id}/software_deployments`)).body.software_deployments;
  assert.equal((await api('DELETE', `/v1/${project.id}/software_deployments/${other.id}`)).status, 204);

  await open(`#/configs/${configId}`, 'Config web-setup');
  await page.getByRole('button', { name: 'Delete' }).click();
  await confirm();
  await page.getByRole('status').getByText('Config web-setup deleted').waitFor();
  assert.equal((await api('GET', `/v1/${project.id}/software_configs/${configId}`)).status, 404);

  await open('#/applications', 'New application');
  const apps = page.getByRole('region', { name: 'Applications', exact: true });
  await apps.getByLabel('Select web_app-1_copy').check();
  await apps.getByLabel('Select web_app-1', { exact: true }).check();
  await apps.getByRole('button', { name: 'Delete selected (2)' }).click();
  await confirm();
  await page.getByRole('status').getByText('2 applications deleted').waitFor();
  await apps.getByText('No applications yet').waitFor();
});

test('sign out empties sessionStorage and returns to sign in', async () => {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.length), 0);
  // A reload stays signed out.
  await page.reload();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  assert.deepEqual(pageErrors, []);
  assert.deepEqual(cspViolations, [], 'the whole flow ran under the CSP without a violation');
});
