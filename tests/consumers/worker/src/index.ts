// A Worker written as the package README says: `import { ... } from 'deploy-edge'` and nothing else
// (the "workerd" export condition loads the WebAssembly). tests/consumers/worker.test.mjs runs it
// under `wrangler dev`, bundles it with `wrangler deploy --dry-run` and type-checks it with tsc
// against @cloudflare/workers-types.
import init, { buildRequest, initSync, validate, version, type Kind } from 'deploy-edge';
// What some Workers import to load the module themselves: typed, and still accepted.
import wasm from 'deploy-edge/deploy_edge_bg.wasm';

export default {
  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const kind = url.searchParams.get('kind') as Kind;
    switch (url.pathname) {
      case '/validate':
        return Response.json(validate(kind, await request.text()));
      case '/build':
        try {
          return Response.json(buildRequest(kind, await request.text()));
        } catch (e) {
          return Response.json({ errors: (e as { errors?: unknown }).errors }, { status: 400 });
        }
      case '/loaders': {
        // The browser way and the explicit way both do nothing here: the entry loaded the module.
        await init();
        initSync(wasm);
        return Response.json({ version, isModule: wasm instanceof WebAssembly.Module });
      }
      default:
        return new Response('not found', { status: 404 });
    }
  },
} satisfies ExportedHandler;

