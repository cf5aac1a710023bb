// deploy-edge bundled by esbuild, with the commands the package README gives: esbuild does not
// follow `new URL('…', import.meta.url)`, so the README's step copies deploy_edge_bg.wasm next to
// the bundle. The app (tests/consumers/app.js) runs in Chromium and in Node, first without that
// step (it must fail saying what to do), then with it (it must give the package's answers).
//
//   bash scripts/build-pkg.sh && node --test tests/consumers/esbuild.test.mjs

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import {
  APP, BIN, CHROMIUM_ARGS, assertRealVerdict, consumerProject, expectedReport, page, reportIn, run, serve,
} from './support.mjs';

let dir;
let browser;
let expected;

/** The README's step: `cp node_modules/deploy-edge/deploy_edge_bg.wasm OUT/`. */
const copyWasm = (out) => fs.copyFileSync(path.join(dir, 'node_modules/deploy-edge/deploy_edge_bg.wasm'),
  path.join(dir, out, 'deploy_edge_bg.wasm'));

before(async () => {
  dir = consumerProject('esbuild', { 'app.js': APP });
  expected = await expectedReport();
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
});

test('browsers: esbuild --bundle --format=esm, then the .wasm copied next to the bundle', async () => {
  run(path.join(BIN, 'esbuild'), ['app.js', '--bundle', '--format=esm', '--outdir=dist'], { cwd: dir });
  fs.writeFileSync(path.join(dir, 'dist/index.html'), page('app.js'));
  const server = await serve(path.join(dir, 'dist'));
  try {
    const before = await reportIn(browser, `${server.url}/`);
    assert.equal(before.report.ok, false, 'without the copy the .wasm is not there');
    assert.match(before.report.error, /could not load deploy_edge_bg\.wasm.*esbuild: copy node_modules\/deploy-edge\/deploy_edge_bg\.wasm/);
    assert.match(before.report.error, /404/);
    assert.deepEqual(server.requests.filter(([p]) => p.endsWith('.wasm')), [['/deploy_edge_bg.wasm', 404]]);

    copyWasm('dist');
    server.requests.length = 0;
    const after = await reportIn(browser, `${server.url}/`);
    assert.deepEqual(after.errors, []);
    assertRealVerdict(assert, after.report);
    assert.deepEqual(after.report, expected);
    assert.deepEqual(server.requests.filter(([p]) => p.endsWith('.wasm')), [['/deploy_edge_bg.wasm', 200]]);
  } finally {
    await server.close();
  }
});

test('Node: esbuild --bundle --format=esm --platform=node, then the .wasm copied next to the bundle', () => {
  run(path.join(BIN, 'esbuild'), ['app.js', '--bundle', '--format=esm', '--platform=node', '--outfile=out/app.mjs'], { cwd: dir });
  const bundle = path.join(dir, 'out/app.mjs');
  const before = spawnSync(process.execPath, [bundle], { cwd: dir, encoding: 'utf8' });
  assert.notEqual(before.status, 0);
  assert.match(before.stderr, /could not read deploy_edge_bg\.wasm.*copy node_modules\/deploy-edge\/deploy_edge_bg\.wasm next to the bundle/);

  copyWasm('out');
  // Run from elsewhere: the bundle finds the .wasm next to itself, not in node_modules.
  const report = JSON.parse(run(process.execPath, [bundle], { cwd: path.dirname(dir) }));
  assertRealVerdict(assert, report);
  assert.deepEqual(report, expected);
});
