// deploy-edge for Node (the "node" export condition): the module is read from disk and
// instantiated synchronously on import, so `import { validate } from 'deploy-edge'` is usable at
// once. `await init()` still works (it does nothing), so the same code runs in browsers.
import { readFileSync } from 'node:fs';
import { initSync } from './index.js';

let bytes;
try {
  bytes = readFileSync(new URL('./deploy_edge_bg.wasm', import.meta.url));
} catch (e) {
  // A bundle for Node (esbuild --platform=node) without the .wasm copied next to it, or not an ES
  // module (no import.meta.url).
  throw new Error('deploy-edge could not read deploy_edge_bg.wasm next to its module: when bundling for Node, '
    + 'copy node_modules/deploy-edge/deploy_edge_bg.wasm next to the bundle and build an ES module '
    + `(esbuild: --format=esm); see the package's README (${e.message})`, { cause: e });
}
initSync({ module: bytes });

export * from './index.js';
export { default } from './index.js';
