// deploy-edge in a Vite app with no Vite configuration (tests/consumers/vite/index.html and the
// app, tests/consumers/app.js, as src/main.js): `vite build` must emit the .wasm as an asset, and
// the built app and the dev server must both give the package's answers in Chromium.
//
//   bash scripts/build-pkg.sh && node --test tests/consumers/vite.test.mjs

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import {
  APP, BIN, CHROMIUM_ARGS, assertRealVerdict, assertServedApp, consumerProject, expectedReport, freePort, reportIn, run,
  startGroup, stopGroup, waitFor,
} from './support.mjs';

let dir;
let browser;
let expected;
let dev; // the vite dev server's process group

before(async () => {
  dir = consumerProject('vite', { 'src/main.js': APP });
  expected = await expectedReport();
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
});

after(async () => {
  await stopGroup(dev);
  await browser?.close();
});

test('vite build emits the .wasm as a hashed asset and the built app uses it', async () => {
  const log = run(path.join(BIN, 'vite'), ['build'], { cwd: dir });
  assert.match(log, /vite v8\./);
  const assets = fs.readdirSync(path.join(dir, 'dist/assets'));
  const wasm = assets.filter((f) => f.endsWith('.wasm'));
  assert.equal(wasm.length, 1, `one .wasm in ${assets}`);
  assert.match(wasm[0], /^deploy_edge_bg-[\w-]+\.wasm$/);
  await assertServedApp(assert, browser, path.join(dir, 'dist'), expected, `/assets/${wasm[0]}`);
});

test('the vite dev server serves the app and its .wasm', async () => {
  const port = await freePort();
  dev = startGroup(path.join(BIN, 'vite'), ['--host', '127.0.0.1', '--port', String(port), '--strictPort'],
    { cwd: dir, log: path.join(dir, 'vite-dev.log') });
  await waitFor(`http://127.0.0.1:${port}/`, dev);
  const { report, errors, wasm } = await reportIn(browser, `http://127.0.0.1:${port}/`);
  assert.deepEqual(errors, []);
  assertRealVerdict(assert, report);
  assert.deepEqual(report, expected);
  assert.equal(wasm.length, 1, JSON.stringify(wasm));
  assert.match(wasm[0][0], /deploy_edge_bg\.wasm$/);
  assert.equal(wasm[0][1], 200);
});
