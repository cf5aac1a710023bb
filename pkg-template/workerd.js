// deploy-edge for Cloudflare Workers (the "workerd" export condition, which wrangler resolves): the
// .wasm is imported as a compiled WebAssembly.Module, which wrangler uploads beside the Worker, and
// instantiated synchronously on import (a Worker may instantiate a module it was deployed with, but
// not fetch or compile one at run time, and has no import.meta.url to find it by), so
// `import { validate } from 'deploy-edge'` is usable at once. `await init()` and `initSync(...)`
// still work (they do nothing), so code written for browsers runs unchanged.
import wasmModule from './deploy_edge_bg.wasm';
import { initSync } from './index.js';

initSync({ module: wasmModule });

export * from './index.js';
export { default } from './index.js';
