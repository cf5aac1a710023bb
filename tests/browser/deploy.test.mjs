// The console's CodeArts hosts and deploys in Chromium against the real Worker (wrangler dev, as
// console.test.mjs starts it), at 375 px (by touch) and on a desktop: create a host cluster and two
// hosts (their agent status, a host's agent panel), an application with one script operation, an
// environment with both hosts imported, Deploy with a parameter checked by the package, the record
// view live while it runs (hosts × steps, read every 2 s), Stop, History, Roll back, and deleting
// hosts and clusters. No agent polls, so the steps stay running until stopped. On every new view:
// nothing scrolls sideways and axe-core finds nothing, light and dark.
//
//   node --test --test-concurrency=1 tests/browser/deploy.test.mjs

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { ROOT, startWorker, stopWorker, newProject } from '../js/support.mjs';

const AXE = fs.readFileSync(path.join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');
const SHOTS = path.join(ROOT, 'test-output', 'screenshots');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const PHONE = { viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true };
const DESKTOP = { viewport: { width: 1360, height: 900 } };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let worker;
let browser;
const problems = []; // page errors and CSP violations, from every page

before(async () => {
  if (!fs.existsSync(path.join(ROOT, 'www/vendor/deploy-edge'))) {
    execFileSync('bash', ['scripts/build-pkg.sh'], { cwd: ROOT, stdio: 'inherit' });
  }
  fs.mkdirSync(SHOTS, { recursive: true });
  worker = await startWorker();
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  if (worker) fs.cpSync(worker.logPath, path.join(ROOT, 'test-output', 'wrangler-deploy.log'));
  await stopWorker(worker);
});

async function settled(page) {
  await page.waitForFunction(() => document.documentElement.dataset.validator && document.querySelector('main h1')
    && !document.querySelector('[aria-busy="true"]'));
}

/** Nothing scrolls sideways, and axe-core finds nothing in the light and the dark scheme. */
async function check(page, name, form) {
  await settled(page);
  await page.screenshot({ path: path.join(SHOTS, `deploy-${form.viewport.width}-${name}.png`), fullPage: true });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.equal(overflow, 0, `${name} scrolls sideways at ${form.viewport.width} px`);
  await page.evaluate(AXE);
  for (const scheme of ['dark', 'light']) {
    await page.emulateMedia({ colorScheme: scheme });
    const found = await page.evaluate(() => axe.run(document, { resultTypes: ['violations'] })
      .then((r) => r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)));
    assert.deepEqual(found, [], `axe on ${name} (${scheme}, ${form.viewport.width} px)`);
  }
}

/** The text of the elements that describe a control (aria-describedby): its hint and errors. */
const description = (locator) => locator.evaluate((el) => (el.getAttribute('aria-describedby') || '').split(' ')
  .map((id) => document.getElementById(id)?.textContent || '').join(' | '));

for (const [label, form] of [['375 px', PHONE], ['desktop', DESKTOP]]) {
  test(`at ${label}: hosts and clusters, an application's environments, Deploy, the live record, Stop, History, Roll back`, async () => {
    const phone = form === PHONE;
    // force: a submit button that is aria-disabled stays clickable, to say why (console.test.mjs).
    const press = (locator, force = false) => (phone ? locator.tap({ force }) : locator.click({ force }));
    const project = await newProject(worker);
    const api = async (method, p, body) => {
      const res = await fetch(`${worker.url}${p}`, {
        method, headers: { 'X-Auth-Token': project.token, 'Content-Type': 'application/json' }, body: body && JSON.stringify(body),
      });
      return res.json();
    };
    const context = await browser.newContext(form);
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) problems.push(m.text()); });
    const states = []; // task.state requests: the record view's polling
    page.on('request', (r) => { if (/\/v2\/tasks\/[0-9a-f]+\/state/.test(r.url())) states.push(Date.now()); });
    await page.goto(`${worker.url}/`);
    await page.evaluate(([p, t]) => sessionStorage.setItem('deploy-edge.session', JSON.stringify({ projectId: p, token: t })), [project.id, project.token]);
    const confirm = (name) => press(page.getByRole('dialog').getByRole('button', { name }));
    const toast = (text) => page.getByRole('status').getByText(text).waitFor();
    /** Waits until a record's status (its first fact) reads `word`. */
    const status = (region, word) => region.locator('.facts').first().locator('dd').first().filter({ hasText: word }).waitFor();

    // Hosts, from the menu: no cluster yet; create one (the package checks the name first).
    await page.goto(`${worker.url}/#/configs`);
    await settled(page);
    await press(page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Hosts' }));
    await page.getByRole('heading', { level: 1, name: 'Hosts' }).waitFor();
    await settled(page);
    const clusters = page.getByRole('region', { name: 'Host clusters' });
    await clusters.getByText('No host clusters yet').waitFor();
    await check(page, 'hosts-empty', form);
    const create = page.getByRole('form', { name: 'Create host cluster' });
    assert.deepEqual(await create.getByLabel('OS').evaluate((s) => [...s.options].map((o) => o.value)), ['linux', 'windows']);
    await create.getByLabel('Name').fill('ab');
    assert.match(await description(create.getByLabel('Name')), /at least 3/);
    await create.getByLabel('Name').fill('web-cluster');
    await press(create.getByRole('button', { name: 'Create cluster' }));
    const cluster = page.getByRole('region', { name: 'Cluster web-cluster' });
    await cluster.waitFor();
    await page.waitForFunction(() => document.activeElement?.id === 'cluster-title');
    await clusters.getByRole('link', { name: 'web-cluster' }).waitFor();

    // Two hosts: the login is explained as discarded; a bad IP is refused by the package.
    const add = page.getByRole('form', { name: 'Add host' });
    await add.getByText('never logs in to a host').waitFor();
    assert.equal(await add.getByLabel('SSH port').inputValue(), '22');
    const posts = [];
    page.on('request', (r) => { if (r.method() === 'POST' && r.url().endsWith('/hosts')) posts.push(r.postDataJSON()); });
    for (const [name, ip] of [['web-1', '10.0.0.1'], ['web-2', 'not-an-ip']]) {
      await add.getByLabel('Host name').fill(name);
      await add.getByLabel('IP address').fill(ip);
      await add.getByLabel('User name').fill('deploy');
      await add.getByLabel('Password').fill('s3cret');
      if (ip === 'not-an-ip') {
        assert.match(await description(add.getByLabel('IP address')), /IPv4 or IPv6/);
        await add.getByText('Fix 1 field to continue').waitFor();
        await add.getByLabel('IP address').fill('10.0.0.2');
      }
      await press(add.getByRole('button', { name: 'Add host' }));
      await toast(`Host ${name} added`);
    }
    assert.deepEqual(posts.map((p) => [p.host_name, p.port, p.os, p.authorization]), [
      ['web-1', 22, 'linux', { username: 'deploy', trusted_type: 0, password: 's3cret' }],
      ['web-2', 22, 'linux', { username: 'deploy', trusted_type: 0, password: 's3cret' }]]);
    const hosts = cluster.getByRole('region', { name: 'Hosts' });
    for (const name of ['web-1', 'web-2']) {
      const row = hosts.getByRole('row').filter({ hasText: name });
      await row.getByText('UNKNOWN').waitFor();
      await row.getByText("The host's agent has not polled yet").waitFor();
    }
    await clusters.getByRole('row').filter({ hasText: 'web-cluster' }).getByRole('cell', { name: '2', exact: true }).waitFor();
    const groupId = new URL(page.url()).hash.split('/')[2];
    const listed = await api('GET', `/v1/resources/host-groups/${groupId}/hosts`);
    const [h1, h2] = listed.result;
    assert.ok(!JSON.stringify(listed).includes('s3cret'), 'the password is not kept');
    // A host's agent: its id is the server id its agent URL is issued for.
    await press(hosts.getByRole('button', { name: 'Agent of web-1' }));
    const agentCard = page.getByRole('region', { name: 'Agent of web-1' });
    await agentCard.getByText(`POST /v1/${project.id}/servers/${h1.uuid}/agent`).waitFor();
    await agentCard.getByRole('region', { name: `Agent on ${h1.uuid}` }).getByText('Never: no agent has polled').waitFor();
    await page.waitForFunction(() => document.activeElement?.id === 'host-agent-title');
    await check(page, 'cluster', form);

    // An application with one operation, a shell script.
    await page.goto(`${worker.url}/#/applications`);
    await settled(page);
    const app = page.getByRole('form', { name: 'Create application' });
    await app.getByLabel('Name').fill('shop');
    await app.getByLabel('Operations (JSON)').fill(JSON.stringify([{ name: 'say hi', params: JSON.stringify({ script: 'echo hi' }) }]));
    await press(app.getByRole('button', { name: 'Create application' }));
    await page.getByRole('heading', { name: 'Edit shop' }).waitFor();
    await settled(page);

    // Environments: create one, import both hosts from the cluster, list its hosts.
    const envs = page.getByRole('region', { name: 'Environments' });
    await envs.getByText('No environments yet').waitFor();
    const envForm = envs.getByRole('form', { name: 'Create environment' });
    await envForm.getByLabel('Name').fill('prod');
    await press(envForm.getByRole('button', { name: 'Create environment' }));
    await toast('Environment prod created');
    const envRow = envs.getByRole('row').filter({ hasText: 'prod' });
    await press(envRow.getByRole('button', { name: 'Import hosts: prod' }));
    const importForm = envs.getByRole('form', { name: 'Import hosts into prod' });
    await importForm.getByLabel('Host cluster').selectOption({ label: 'web-cluster (2 hosts)' });
    await importForm.getByLabel(/^web-1 /).waitFor();
    await press(importForm.getByRole('button', { name: 'Import hosts' }), true);
    await importForm.getByText('host_ids must hold at least one id').waitFor();
    await importForm.getByLabel(/^web-1 /).check();
    await importForm.getByLabel(/^web-2 /).check();
    await check(page, 'import-hosts', form);
    await press(importForm.getByRole('button', { name: 'Import hosts' }));
    await toast('2 hosts imported into prod');
    const envHosts = envs.getByRole('region', { name: 'Hosts of prod' });
    await envHosts.getByRole('row').filter({ hasText: 'web-2' }).getByText('UNKNOWN').waitFor();
    await envRow.getByRole('cell', { name: '2', exact: true }).waitFor();
    await check(page, 'environments', form);

    // Deploy: a parameter the package refuses, then fixed; the record opens, running.
    const deployCard = page.getByRole('region', { name: 'Deploy', exact: true });
    await press(deployCard.getByRole('button', { name: 'Deploy', exact: true }));
    const params = page.getByRole('form', { name: 'Deploy parameters' });
    await params.getByText('Deploys to prod').waitFor();
    await press(params.getByRole('button', { name: 'Add parameter' }));
    const row = params.getByRole('group', { name: 'Parameter 1' });
    await row.getByLabel('Key').fill('bad key');
    await row.getByLabel('Value').fill('1.2');
    assert.match(await description(row.getByLabel('Key')), /letters, digits/);
    await params.getByText('Fix 1 field to continue').waitFor();
    assert.deepEqual(await row.getByLabel('Type').evaluate((s) => [...s.options].map((o) => o.value)), ['text', 'enum', 'encrypt', 'host_group']);
    await check(page, 'deploy-form', form);
    await row.getByLabel('Key').fill('version');
    await press(params.getByRole('button', { name: 'Deploy shop' }));
    const record = page.getByRole('region', { name: 'Deployment #1 of shop' });
    await record.waitFor();
    await page.waitForFunction(() => document.activeElement?.id === 'record-title');
    assert.match(page.url(), /#\/applications\/[0-9a-f]{32}\?record=[0-9a-f]{32}$/);
    await status(record, 'RUNNING');
    const grid = record.getByRole('table');
    assert.deepEqual(await grid.getByRole('columnheader').allTextContents(), ['Host', 'Step 1: say hi']);
    for (const name of ['web-1', 'web-2']) {
      assert.match(await grid.getByRole('row').filter({ hasText: name }).getByRole('cell').textContent(), /RUNNING|PENDING/);
    }
    // Each host's step, with its output (none yet), opens and stays open while it is read again.
    const web1 = record.locator('details').filter({ hasText: 'web-1, say hi' });
    await press(web1.locator('summary'));
    await web1.getByText('Exit code').waitFor();
    const read = states.length;
    await sleep(4500);
    assert.ok(states.length >= read + 2, `read every 2 s while running: ${states.length - read} reads in 4.5 s`);
    assert.equal(await web1.evaluate((d) => d.open), true, 'an opened step stays open');
    const appId = new URL(page.url()).hash.match(/applications\/([0-9a-f]{32})/)[1];
    const taskId = (await api('GET', `/v1/applications/${appId}/info`)).result.arrange_infos[0].id;
    assert.deepEqual(await api('GET', `/v2/history/tasks/${taskId}/params`), [{ name: 'version', type: 'text', value: '1.2' }]);
    await check(page, 'record-running', form);

    // Stop: asks first; the record reads stopped and is read no more.
    await press(record.getByRole('button', { name: 'Stop' }));
    await confirm('Stop');
    await status(record, 'STOPPED');
    assert.equal(await record.getByRole('button', { name: 'Stop' }).count(), 0);
    await page.waitForFunction(() => document.activeElement?.id === 'record-title');
    assert.match(await grid.getByRole('row').filter({ hasText: 'web-2' }).getByRole('cell').textContent(), /STOPPED/);
    const history = page.getByRole('region', { name: 'History' });
    await history.getByRole('row').filter({ hasText: '#1' }).getByText('STOPPED').waitFor();
    assert.equal(await history.locator('tbody tr').count(), 1);
    const after = states.length;
    await sleep(2500);
    assert.equal(states.length, after, 'no reads once stopped');
    await check(page, 'record-stopped', form);

    // Roll back to #1: a new record, running; leaving the page stops its reads.
    await press(history.getByRole('button', { name: 'Roll back to this (#1)' }));
    await confirm('Roll back');
    const rollback = page.getByRole('region', { name: 'Rollback #2 of shop' });
    await status(rollback, 'RUNNING');
    await history.getByRole('row').filter({ hasText: '#2' }).waitFor();
    assert.equal(await history.locator('tbody tr').count(), 2);
    await history.getByRole('link', { name: '#1' }).click();
    await status(page.getByRole('region', { name: 'Deployment #1 of shop' }), 'STOPPED');
    const left = states.length;
    await sleep(2500);
    assert.equal(states.length, left, 'the running rollback is not read once another record is shown');
    await page.goBack();
    await status(rollback, 'RUNNING');
    await press(rollback.getByRole('button', { name: 'Stop' }));
    await confirm('Stop');
    await status(rollback, 'STOPPED');

    // Two environments: the Deploy form asks which one, and sends it as the host_group parameter.
    await api('POST', `/v1/applications/${appId}/environments`, { project_id: project.id, name: 'staging', deploy_type: 0, os: 'linux' });
    const prod = (await api('GET', `/v1/applications/${appId}/environments?project_id=${project.id}`)).result.find((e) => e.name === 'prod');
    await page.goto(`${worker.url}/#/applications/${appId}`);
    await settled(page);
    await press(page.getByRole('region', { name: 'Deploy', exact: true }).getByRole('button', { name: 'Deploy', exact: true }));
    const again = page.getByRole('form', { name: 'Deploy parameters' });
    const envSelect = again.getByLabel('Environment');
    assert.deepEqual(await envSelect.evaluate((s) => [...s.options].map((o) => o.textContent)),
      ['Choose an environment', 'staging (0 hosts)', 'prod (2 hosts)']);
    await press(again.getByRole('button', { name: 'Deploy shop' }), true);
    assert.match(await description(envSelect), /host_group parameter.*must not be empty/);
    await check(page, 'deploy-form-environments', form);
    await envSelect.selectOption({ label: 'prod (2 hosts)' });
    await press(again.getByRole('button', { name: 'Deploy shop' }));
    const third = page.getByRole('region', { name: 'Deployment #3 of shop' });
    await status(third, 'RUNNING');
    assert.deepEqual(await api('GET', `/v2/history/tasks/${taskId}/params`), [{ name: 'host_group', type: 'host_group', value: prod.id }]);
    const recordId = new URL(page.url()).hash.split('record=')[1];
    assert.equal((await api('PUT', `/v2/tasks/${taskId}/records/${recordId}/stop`, {})).status, 'success');

    // Deletes ask first: a host leaves its cluster and the environment, then the cluster goes.
    await page.goto(`${worker.url}/#/hosts/${groupId}`);
    await settled(page);
    await press(hosts.getByRole('button', { name: 'Delete host web-2' }));
    await page.getByRole('dialog').getByText('Delete host web-2?').waitFor();
    await confirm('Delete');
    await toast('Deleted host web-2');
    await hosts.getByRole('row').filter({ hasText: 'web-2' }).waitFor({ state: 'detached' });
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Hosts', 'focus on the list\'s heading');
    assert.deepEqual((await api('GET', `/v1/resources/host-groups/${groupId}/hosts`)).result.map((x) => x.uuid), [h1.uuid]);
    assert.notEqual(h1.uuid, h2.uuid);
    await press(clusters.getByRole('button', { name: 'Delete cluster web-cluster' }));
    await confirm('Delete');
    await clusters.getByText('No host clusters yet').waitFor();
    await page.getByRole('form', { name: 'Create host cluster' }).waitFor();
    await context.close();
  });
}

test('no page logged a script error or a CSP violation', () => {
  assert.deepEqual(problems, []);
});
