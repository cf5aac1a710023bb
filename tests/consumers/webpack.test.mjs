// deploy-edge in a webpack 5 app with no webpack configuration (the app, tests/consumers/app.js,
// as src/index.js, webpack's default entry; production mode): webpack must emit the .wasm as an
// asset, and the built app must give the package's answers in Chromium.
//
//   bash scripts/build-pkg.sh && node --test tests/consumers/webpack.test.mjs

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import webpack from 'webpack';
import {
  APP, CHROMIUM_ARGS, assertServedApp, consumerProject, expectedReport, page,
} from './support.mjs';

let dir;
let browser;
let expected;

before(async () => {
  dir = consumerProject('webpack', { 'src/index.js': APP });
  expected = await expectedReport();
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
});

test('webpack emits the .wasm as an asset and the built app uses it', async () => {
  // What `npx webpack --mode production` does in the project: the defaults, from its directory.
  const stats = await new Promise((resolve, reject) => {
    webpack({ mode: 'production', context: dir, output: { path: path.join(dir, 'dist') } },
      (err, s) => (err ? reject(err) : resolve(s)));
  });
  const info = stats.toJson({ all: false, errors: true, warnings: true, assets: true });
  assert.deepEqual(info.errors, []);
  assert.deepEqual(info.warnings.map((w) => w.message), []);
  assert.equal(webpack.version.split('.')[0], '5');
  const wasm = info.assets.map((a) => a.name).filter((n) => n.endsWith('.wasm'));
  assert.equal(wasm.length, 1, `one .wasm in ${info.assets.map((a) => a.name)}`);
  assert.ok(fs.readFileSync(path.join(dir, 'dist', wasm[0]))
    .equals(fs.readFileSync(path.join(dir, 'node_modules/deploy-edge/deploy_edge_bg.wasm'))));

  fs.writeFileSync(path.join(dir, 'dist/index.html'), page('main.js', false));
  await assertServedApp(assert, browser, path.join(dir, 'dist'), expected, `/${wasm[0]}`);
});
