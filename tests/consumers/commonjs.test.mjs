// CommonJS consumers of the ES-module-only package: Node 20.19 and later (22.12 and later) can
// require() it, and TypeScript (5.8 and later) types that require() under `module: nodenext`,
// while `module: node16` refuses it (TS1471), as the README says.
//
//   bash scripts/build-pkg.sh && node --test tests/consumers/commonjs.test.mjs

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { BIN, consumerProject, run } from './support.mjs';

let dir;

const CTS = `import deployEdge = require('deploy-edge');
export const valid: boolean = deployEdge.validate('application.disable', { is_disable: true }).valid;
`;
const tsconfig = (module) => JSON.stringify({
  compilerOptions: { strict: true, noEmit: true, module, moduleResolution: module, target: 'ES2022', lib: ['ES2022'], types: [] },
  files: ['main.cts'],
});

before(() => {
  dir = consumerProject('commonjs', {
    'main.cjs': `const { validate, version } = require('deploy-edge');
console.log(JSON.stringify({ version, verdict: validate('application.disable', {}) }));
`,
    'main.cts': CTS,
    'tsconfig.json': tsconfig('nodenext'),
    'node16/tsconfig.json': tsconfig('node16'),
    'node16/main.cts': CTS,
  });
});

test("require('deploy-edge') works on this Node", { skip: !process.features.require_module && 'this Node cannot require() ES modules' }, () => {
  const out = JSON.parse(run(process.execPath, ['main.cjs'], { cwd: dir }));
  assert.deepEqual(out.verdict.errors.map((e) => [e.path, e.code]), [['/is_disable', 'required']]);
  assert.match(out.version, /^\d+\.\d+\.\d+/);
});

test('TypeScript types the require() under module nodenext, and refuses it under node16', () => {
  run(path.join(BIN, 'tsc'), ['-p', dir]);
  fs.symlinkSync('../node_modules', path.join(dir, 'node16/node_modules'));
  const r = spawnSync(path.join(BIN, 'tsc'), ['-p', path.join(dir, 'node16')], { encoding: 'utf8' });
  assert.notEqual(r.status, 0);
  assert.match(r.stdout, /error TS1471: Module 'deploy-edge' cannot be imported using this construct/);
});
