// deploy-edge for Node (the "node" export condition): the module is read from disk and
// instantiated synchronously on import, so `import { validate } from 'deploy-edge'` is usable at
// once. `await init()` still works (it does nothing), so the same code runs in browsers.
import { readFileSync } from 'node:fs';
import { initSync } from './index.js';

initSync({ module: readFileSync(new URL('./deploy_edge_bg.wasm', import.meta.url)) });

export * from './index.js';
export { default } from './index.js';
