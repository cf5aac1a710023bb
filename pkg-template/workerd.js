// deploy-edge for Cloudflare Workers (the "workerd" export condition, which wrangler and
// @cloudflare/vite-plugin resolve): the .wasm is imported as a compiled WebAssembly.Module, which
// those bundlers upload beside the Worker, and instantiated synchronously on import (Workers may
// instantiate a module they were deployed with, not fetch or compile one at run time), so
// `import { validate } from 'deploy-edge'` is usable at once. `await init()` and `initSync(...)`
// still work (they do nothing), so code written for browsers runs unchanged.
import wasmModule from './deploy_edge_bg.wasm';
import { initSync } from './index.js';

initSync({ module: wasmModule });

export * from './index.js';
export { default } from './index.js';
