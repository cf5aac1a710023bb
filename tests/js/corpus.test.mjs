// The payload corpus (tests/corpus/*.json) through the npm package in Node, then through the
// running Worker over HTTP: same verdict, same error paths and codes (and the same messages
// between the package and the server) for every case. tests/corpus.rs holds the native core to
// the same files. Needs `make pkg` (pkg/) and the Worker build (build/; wrangler builds it if
// missing).
//
//   node --test --test-concurrency=1 tests/js/

import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import init, { validate, buildRequest, signRequest, kinds, rules } from '../../pkg/node.js';
import {
  loadCorpus, expand, placeholders, pairs, OFFLINE_IDS, startWorker, stopWorker, newProject,
} from './support.mjs';

const cases = loadCorpus();
/** What a kind's request carries besides its path ids: 'body', 'query' or 'nothing'. */
const carries = (kind) => rules().kinds[kind].carries;
const label = (c) => `${c.kind}: ${c.name}`;

test('the corpus covers every kind with a body', async () => {
  await init(); // a no-op under the Node entry, which initialises on import
  const covered = new Set(cases.map((c) => c.kind));
  for (const k of kinds()) {
    // Kinds that carry only path ids are checked by tests of their own.
    if (carries(k) === 'nothing') continue;
    assert.ok(covered.has(k), `no corpus case for ${k}`);
  }
  assert.ok(cases.length >= 80, `only ${cases.length} cases`);
});

describe('the package gives every corpus verdict', () => {
  for (const c of cases) {
    test(label(c), () => {
      const want = { valid: c.valid, errors: c.errors, warnings: c.warnings ?? [] };
      const check = (payload, how) => {
        const r = validate(c.kind, payload);
        assert.deepEqual(
          { valid: r.valid, errors: pairs(r.errors), warnings: pairs(r.warnings) }, want, how);
        for (const e of [...r.errors, ...r.warnings]) assert.equal(typeof e.message, 'string');
        return r;
      };
      if ('payload_text' in c) {
        const text = expand(c.payload_text, OFFLINE_IDS);
        check(text, 'from text');
        check(new TextEncoder().encode(text), 'from UTF-8 bytes');
        return;
      }
      const payload = expand(c.payload, OFFLINE_IDS);
      const fromText = check(JSON.stringify(payload), 'from JSON text');
      check(new TextEncoder().encode(JSON.stringify(payload)), 'from UTF-8 bytes');
      // A JS string is taken as JSON text, so string payloads only have the text form.
      if (typeof payload !== 'string') {
        const fromValue = check(payload, 'from a JS value');
        assert.deepEqual(fromValue, fromText, 'objects and JSON text give the same report');
      }
    });
  }
});

// ---------------------------------------------------------------------------------------------
// The Worker

/** Method and path of a kind, as a client would route it (buildRequest is checked against it). */
function route(kind, ids) {
  switch (kind) {
    case 'software_config.create': return ['POST', `/v1/${ids.project_id}/software_configs`];
    case 'software_config.list': return ['GET', `/v1/${ids.project_id}/software_configs`];
    case 'software_deployment.list': return ['GET', `/v1/${ids.project_id}/software_deployments`];
    case 'template.validate': return ['POST', `/v1/${ids.project_id}/validate`];
    case 'software_deployment.create': return ['POST', `/v1/${ids.project_id}/software_deployments`];
    case 'software_deployment.update': return ['PUT', `/v1/${ids.project_id}/software_deployments/${ids.id}`];
    case 'application.create': return ['POST', '/v1/applications'];
    case 'application.update': return ['PUT', '/v1/applications'];
    case 'application.list': return ['POST', '/v1/applications/list'];
    case 'application.disable': return ['PUT', `/v1/applications/${ids.app_id}/disable`];
    case 'application.batch_delete': return ['POST', '/v2/applications/batch-delete'];
    case 'application.exist': return ['GET', '/v1/applications/exist'];
    case 'host_cluster.create': return ['POST', '/v1/resources/host-groups'];
    case 'host_cluster.list': return ['GET', '/v1/resources/host-groups'];
    case 'host_cluster.update': return ['PUT', `/v1/resources/host-groups/${ids.group_id}`];
    case 'host.create': return ['POST', `/v1/resources/host-groups/${ids.group_id}/hosts`];
    case 'host.list': return ['GET', `/v1/resources/host-groups/${ids.group_id}/hosts`];
    case 'environment.create': return ['POST', `/v1/applications/${ids.app_id}/environments`];
    case 'environment.list': return ['GET', `/v1/applications/${ids.app_id}/environments`];
    case 'environment.import_hosts':
      return ['POST', `/v1/applications/${ids.app_id}/environments/${ids.environment_id}/hosts/import`];
    case 'environment.hosts':
      return ['GET', `/v1/applications/${ids.app_id}/environments/${ids.environment_id}/hosts`];
    case 'task.start': return ['POST', `/v2/tasks/${ids.task_id}/start`];
    case 'task.state': return ['GET', `/v2/tasks/${ids.task_id}/state`];
    case 'task.stop': return ['PUT', `/v2/tasks/${ids.task_id}/records/${ids.record_id}/stop`];
    case 'task.history': return ['GET', `/v2/${ids.project_id}/task/${ids.task_id}/history`];
    case 'task.params': return ['GET', `/v2/history/tasks/${ids.task_id}/params`];
    default: throw new Error(`no route for ${kind}`);
  }
}

const isHeat = (kind) => rules().kinds[kind].api === 'heat';

describe('the Worker gives every corpus verdict', { concurrency: 1 }, () => {
  let w;
  let heat; // { id, token, config_id }

  before(async () => {
    w = await startWorker();
    heat = await newProject(w);
    const r = await fetch(`${w.url}/v1/${heat.id}/software_configs`, {
      method: 'POST',
      headers: { 'X-Auth-Token': heat.token, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'corpus', group: 'script', config: 'echo hi' }),
    });
    assert.equal(r.status, 200, await r.clone().text());
    heat.config_id = (await r.json()).software_config.id;
  });

  after(async () => {
    await stopWorker(w);
  });

  /** A deployment to update (software_deployment.update needs one in its path). */
  async function newDeployment() {
    const r = await fetch(`${w.url}/v1/${heat.id}/software_deployments`, {
      method: 'POST',
      headers: { 'X-Auth-Token': heat.token, 'Content-Type': 'application/json' },
      body: JSON.stringify({ config_id: heat.config_id, server_id: 'corpus-server' }),
    });
    assert.equal(r.status, 200, await r.clone().text());
    return (await r.json()).software_deployment.id;
  }

  /** A fresh CodeArts project with one application (one deployment task, whose one operation is a
   *  script a start can run), one linux host cluster with one host, and one linux environment of
   *  the application with that host in it: a start deploys to it. */
  async function newApplicationProject() {
    const p = await newProject(w);
    const r = await fetch(`${w.url}/v1/applications`, {
      method: 'POST',
      headers: { 'X-Auth-Token': p.token, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        project_id: p.id, name: `fixture-${p.id.slice(0, 8)}`, is_draft: false, create_type: 'template',
        arrange_infos: [{
          deploy_system: 'deployTemplate',
          operation_list: [{ name: 'hello', params: JSON.stringify({ script: 'echo hi' }) }],
        }],
      }),
    });
    assert.equal(r.status, 200, await r.clone().text());
    const app = (await r.json()).result;
    const g = await fetch(`${w.url}/v1/resources/host-groups`, {
      method: 'POST',
      headers: { 'X-Auth-Token': p.token, 'Content-Type': 'application/json' },
      body: JSON.stringify({ project_id: p.id, name: 'fixture_hosts', os: 'linux', is_proxy_mode: 0 }),
    });
    assert.equal(g.status, 200, await g.clone().text());
    const group = await g.json();
    const post = async (path, body) => {
      const res = await fetch(`${w.url}${path}`, {
        method: 'POST',
        headers: { 'X-Auth-Token': p.token, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      assert.equal(res.status, 200, await res.clone().text());
      return res.json();
    };
    const host = await post(`/v1/resources/host-groups/${group.id}/hosts`, {
      host_name: 'fixture-host', ip: '10.0.0.1', port: 22, os: 'linux', as_proxy: false,
      authorization: { username: 'root', password: 'x', trusted_type: 0 },
    });
    const env = await post(`/v1/applications/${app.id}/environments`, {
      project_id: p.id, name: 'fixture_env', deploy_type: 0, os: 'linux',
    });
    await post(`/v1/applications/${app.id}/environments/${env.id}/hosts/import`, {
      group_id: group.id, host_ids: [host.id],
    });
    return {
      ...p, app_id: app.id, task_id: app.arrange_infos[0].id, group_id: group.id, host_id: host.id,
      environment_id: env.id,
    };
  }

  /** Ids for one case: Heat shares one project; every CodeArts case gets its own. */
  async function idsFor(c) {
    if (isHeat(c.kind)) {
      const ids = { project_id: heat.id, config_id: heat.config_id, token: heat.token };
      if (c.kind === 'software_deployment.update') ids.id = await newDeployment();
      return ids;
    }
    const p = await newApplicationProject();
    const ids = { ...p, project_id: p.id };
    // A record to read or stop: the task's first, still running (its host's agent never polls).
    if (['task.state', 'task.params', 'task.stop'].includes(c.kind)) {
      const r = await fetch(`${w.url}/v2/tasks/${ids.task_id}/start`, {
        method: 'POST',
        headers: { 'X-Auth-Token': p.token, 'Content-Type': 'application/json' },
        body: '{}',
      });
      assert.equal(r.status, 200, await r.clone().text());
      ids.record_id = (await r.json()).id;
    }
    return ids;
  }

  /** Sends a request: Heat with the project token, CodeArts signed with the project's AK/SK. */
  async function send(c, ids, method, path, body) {
    let req = { method, path: w.url + path, headers: { Accept: 'application/json' }, body };
    if (body !== null) req.headers['Content-Type'] = 'application/json';
    if (isHeat(c.kind)) {
      req.headers['X-Auth-Token'] = ids.token;
    } else {
      req = signRequest(req, { accessKey: ids.accessKey, secretKey: ids.secretKey, projectId: ids.id });
    }
    const res = await fetch(req.path, req);
    const text = await res.text();
    return { status: res.status, text, json: text ? JSON.parse(text) : null };
  }

  function errorsOf(c, json) {
    return (isHeat(c.kind) ? json?.error?.errors : json?.errors) ?? [];
  }

  function requestOf(c, ids, payload) {
    let [method, path] = route(c.kind, ids);
    if (carries(c.kind) === 'query') {
      const q = Object.entries(payload).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
      return { method, path: q.length ? `${path}?${q.join('&')}` : path, body: null };
    }
    const body = 'payload_text' in c ? expand(c.payload_text, ids) : JSON.stringify(payload);
    return { method, path, body };
  }

  for (const c of cases) {
    test(label(c), async () => {
      const ids = await idsFor(c);
      const payload = 'payload_text' in c ? undefined : expand(c.payload, ids);
      const { method, path, body } = requestOf(c, ids, payload);
      const res = await send(c, ids, method, path, body);
      if (c.valid) {
        assert.ok(res.status >= 200 && res.status < 300, `valid case answered ${res.status}: ${res.text.slice(0, 500)}`);
      } else {
        assert.equal(res.status, 400, res.text.slice(0, 500));
        const got = errorsOf(c, res.json);
        assert.deepEqual(pairs(got), c.errors);
        // Same code, same sentences: the package's messages are the server's.
        const local = validate(c.kind, body ?? payload);
        assert.deepEqual(got, local.errors);
      }
    });
  }

  for (const c of cases.filter((x) => x.valid && !('payload_text' in x))) {
    test(`buildRequest's request is accepted: ${label(c)}`, async () => {
      const ids = await idsFor(c);
      const payload = expand(c.payload, ids);
      let input;
      if (c.kind === 'software_deployment.create' && Array.isArray(payload)) {
        input = { project_id: ids.project_id, deployments: payload };
      } else {
        input = { ...payload };
        if (isHeat(c.kind)) input.project_id = ids.project_id;
        if (c.kind === 'software_deployment.update') input.id = ids.id;
        if (c.kind === 'application.disable') input.app_id = ids.app_id;
        if (['host_cluster.update', 'host.create', 'host.list'].includes(c.kind)) input.group_id = ids.group_id;
        if (c.kind.startsWith('environment.')) input.app_id = ids.app_id;
        if (['environment.import_hosts', 'environment.hosts'].includes(c.kind)) {
          input.environment_id = ids.environment_id;
        }
        if (c.kind.startsWith('task.')) input.task_id = ids.task_id;
        if (c.kind === 'task.history') input.project_id = ids.project_id;
        if (c.kind === 'task.stop') input.record_id = ids.record_id;
      }
      const built = buildRequest(c.kind, input);
      const [method, path] = route(c.kind, ids);
      assert.equal(built.method, method);
      assert.equal(built.path.split('?')[0], path);
      const res = await send(c, ids, built.method, built.path, built.body);
      assert.ok(res.status >= 200 && res.status < 300, `answered ${res.status}: ${res.text.slice(0, 500)}`);
    });
  }

  test("buildRequest's agent URL requests are the Worker's, and their path rules are its rules", async () => {
    const ids = { project_id: heat.id, server_id: 'web 1/ä' };
    const issue = buildRequest('server_agent.issue', ids);
    assert.deepEqual([issue.method, issue.body], ['POST', null]);
    assert.equal(issue.path, `/v1/${heat.id}/servers/web%201%2F%C3%A4/agent`);
    const issued = await send({ kind: 'server_agent.issue' }, { token: heat.token }, issue.method, issue.path, null);
    assert.equal(issued.status, 201, issued.text);
    assert.equal(issued.json.server_id, 'web 1/ä');
    assert.ok(issued.json.metadata_url.startsWith(`${w.url}/agent/v1/${heat.id}/`));
    assert.equal((await fetch(issued.json.metadata_url)).status, 200);
    const revoke = buildRequest('server_agent.revoke', ids);
    assert.deepEqual([revoke.method, revoke.path], ['DELETE', issue.path]);
    const revoked = await send({ kind: 'server_agent.revoke' }, { token: heat.token }, revoke.method, revoke.path, null);
    assert.equal(revoked.status, 204);
    assert.equal((await fetch(issued.json.metadata_url)).status, 404);
    // A server id the Worker refuses is refused by the package first, with the same path and code.
    const tooLong = { project_id: heat.id, server_id: 'x'.repeat(37) };
    const local = validate('server_agent.issue', tooLong);
    assert.deepEqual(pairs(local.errors), [{ path: '/server_id', code: 'too_long' }]);
    assert.throws(() => buildRequest('server_agent.issue', tooLong));
    const path = `/v1/${heat.id}/servers/${'x'.repeat(37)}/agent`;
    const refused = await send({ kind: 'server_agent.issue' }, { token: heat.token }, 'POST', path, null);
    assert.equal(refused.status, 400);
    assert.deepEqual(pairs(refused.json.error.errors), pairs(local.errors));
  });

  test('placeholders are all known', () => {
    for (const c of cases) {
      for (const p of placeholders(c)) assert.ok(p in OFFLINE_IDS, `${label(c)}: unknown {{${p}}}`);
    }
  });
});
