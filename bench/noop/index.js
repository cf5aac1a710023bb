// The reference: a Worker that does nothing but answer. Every figure in bench/ is reported as a
// share of this one's requests per second, measured in the same run (wrangler dev's own proxy
// caps throughput on small machines, so absolute numbers say little).
export default {
  async fetch() {
    return new Response('{"status":"ok"}', { headers: { 'content-type': 'application/json' } });
  },
};
