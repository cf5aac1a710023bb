// Type-checked with the Worker (tsc), never bundled: the types it gets are real ones, not `any`.
import { validate } from 'deploy-edge';
import wasm from 'deploy-edge/deploy_edge_bg.wasm';

export const isModule: WebAssembly.Module = wasm;
// @ts-expect-error: the .wasm subpath is a compiled module, not a URL string
export const notAString: string = wasm;
// @ts-expect-error: not a kind
export const unknownKind = () => validate('software_config.frobnicate', {});
