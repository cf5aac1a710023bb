// The reference Worker. `/` does nothing but answer: every figure in bench/ is reported as a
// share of its requests per second, measured in the same run (wrangler dev's own proxy caps
// throughput on small machines, so absolute numbers say little). `/get` and `/put` do exactly
// one KV operation, the least a show or a create can cost, so the report shows that floor too.
let n = 0;
const BODY = JSON.stringify({ status: 'COMPLETE', server_id: 'bench', input_values: { foo: 'bar' } });
export default {
  async fetch(req, env) {
    const path = new URL(req.url).pathname;
    if (path === '/get') {
      return new Response(await env.KV.get('k0'), { headers: { 'content-type': 'application/json' } });
    }
    if (path === '/put') {
      await env.KV.put(`k${n++ % 64}`, BODY);
      return new Response(BODY, { headers: { 'content-type': 'application/json' } });
    }
    return new Response('{"status":"ok"}', { headers: { 'content-type': 'application/json' } });
  },
};
