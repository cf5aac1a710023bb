// The packed package through @arethetypeswrong/cli (attw): every entry point resolves to its types
// under node10, node16 (CommonJS and ESM) and bundler resolution. The package is ES modules only,
// so the one problem attw may report is CJSResolvesToESM (a require() resolves to an ES module:
// true, and fine on Node 20.19 and later, see commonjs.test.mjs), and the documented command
// ignores exactly that rule.
//
//   bash scripts/build-pkg.sh && node --test tests/consumers/attw.test.mjs

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { BIN, PKG, ROOT } from './support.mjs';

const attw = path.join(BIN, 'attw');

test('attw --pack passes, ignoring only cjs-resolves-to-esm', () => {
  const r = spawnSync(attw, ['--pack', PKG, '--ignore-rules', 'cjs-resolves-to-esm'],
    { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /deploy-edge v\d+\.\d+\.\d+/);
});

test('every entry point has types in every resolution mode; the only problem is CJSResolvesToESM', () => {
  // Without the ignore attw reports the problem, and so exits 1.
  const r = spawnSync(attw, ['--pack', PKG, '--format', 'json'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 1, r.stderr);
  const { entrypoints, problems } = JSON.parse(r.stdout).analysis;
  assert.deepEqual(Object.keys(entrypoints), ['.', './deploy_edge_bg.wasm', './package.json']);
  const types = { '.': 'index.d.ts', './deploy_edge_bg.wasm': 'deploy_edge_bg.wasm.d.ts', './package.json': 'package.json' };
  for (const [name, entry] of Object.entries(entrypoints)) {
    assert.deepEqual(Object.keys(entry.resolutions), ['node10', 'node16-cjs', 'node16-esm', 'bundler']);
    for (const [mode, r] of Object.entries(entry.resolutions)) {
      assert.equal(r.resolution?.fileName, `/node_modules/deploy-edge/${types[name]}`, `${name} under ${mode}`);
    }
  }
  assert.deepEqual(problems.map((p) => [p.kind, p.entrypoint, p.resolutionKind]), [
    ['CJSResolvesToESM', '.', 'node16-cjs'],
    ['CJSResolvesToESM', './deploy_edge_bg.wasm', 'node16-cjs'],
  ]);
});
