// Modules of the Worker's bundle that are not JavaScript: wrangler bundles a `.wasm` import as
// its compiled module (build/core_bg.wasm, the core).
declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
