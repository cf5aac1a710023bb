// `deploy-edge/deploy_edge_bg.wasm`: the WebAssembly module, for setups that load it themselves.
// What importing a .wasm file gives depends on the tool that bundles it; this declares what wrangler
// gives when it bundles a Cloudflare Worker: a compiled module, to pass to `initSync`. In a Worker,
// `import { validate } from 'deploy-edge'` needs no such import (the "workerd" export condition
// loads it). Elsewhere prefer `init()` or `init(url)`; see the README.

/** The compiled WebAssembly module (as wrangler imports it for a Worker). */
declare const wasmModule: WebAssembly.Module;
export default wasmModule;
