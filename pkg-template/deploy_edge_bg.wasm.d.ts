// `deploy-edge/deploy_edge_bg.wasm`: the WebAssembly module, for setups that load it themselves.
// What importing a .wasm file gives depends on the tool that bundles it; this declares what
// Cloudflare Workers' bundlers (wrangler, @cloudflare/vite-plugin) give: a compiled module, to pass
// to `initSync`. In a Worker `import { validate } from 'deploy-edge'` needs no such import (the
// "workerd" export condition loads it). Elsewhere prefer `init()` or `init(url)`; see the README.

/** The compiled WebAssembly module (under wrangler and workerd). */
declare const wasmModule: WebAssembly.Module;
export default wasmModule;
