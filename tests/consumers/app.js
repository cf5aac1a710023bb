// The app each bundler test builds (esbuild, Vite, webpack): the package README's code for browsers
// and bundlers, then answers that only the WebAssembly can give. It reports them as JSON in
// <body data-result> in a browser, or on stdout in Node.
import init, { validate, buildRequest, version } from 'deploy-edge';

async function main() {
  await init();
  return {
    ok: true,
    version,
    verdict: validate('software_deployment.create', { config_id: 'c1', status: 'DONE' }),
    request: buildRequest('application.disable', { app_id: 'e700f15965694253940502911220d76b', is_disable: true }),
  };
}

function report(result) {
  const text = JSON.stringify(result);
  if (typeof document === 'object') document.body.dataset.result = text;
  else console.log(text);
}

main().then(report, (e) => {
  report({ ok: false, error: String(e && e.message ? e.message : e) });
  if (typeof process === 'object') process.exitCode = 1;
});
