// Huawei's Node.js SDK against the Worker: a second real client of the CodeArts API, beside the
// Python SDK (tests/e2e/test_codearts_sdk.py). The generated CodeArts Deploy client
// (services/codeartsdeploy in huaweicloud-sdk-nodejs-v3) is not on the npm registry; its core,
// @huaweicloud/huaweicloud-sdk-core 3.1.211, is. So the client is built as the generated one
// builds itself (`new ClientBuilder(newClient)` with BasicCredentials and an endpoint), and every
// call is the options object its ParamCreater makes (method, url template, content type, path and
// query parameters, headers, data) handed to `HcClient.sendRequest`: AK/SK signed by the SDK.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { newProject, startWorker, stopWorker } from './support.mjs';

const require = createRequire(import.meta.url);
const { BasicCredentials } = require('@huaweicloud/huaweicloud-sdk-core');
const { ClientBuilder } = require('@huaweicloud/huaweicloud-sdk-core/ClientBuilder');

const TEMPLATE = 'ec939bdf63194aca9fad45b3ba05643e';

let worker;
let project;
let client;

/** A client as `CodeArtsDeployClient.newBuilder()...build()` makes one (its `hcClient`). */
function build(url, ak, sk, projectId) {
  const credentials = new BasicCredentials().withAk(ak).withSk(sk).withProjectId(projectId);
  return new ClientBuilder((hcClient) => hcClient).withCredential(credentials).withEndpoint(url).build();
}

/** The options the generated ParamCreater makes for one operation, sent as its client sends them. */
function send(hc, method, url, { pathParams = {}, queryParams = {}, data } = {}) {
  const options = { method, url, contentType: 'application/json', queryParams, pathParams, headers: {} };
  if (data !== undefined) {
    options.headers['Content-Type'] = 'application/json';
    options.data = data;
  }
  options.responseHeaders = [''];
  return hc.sendRequest(options);
}

/** The SDK's exception for a refused call (ClientRequestException for a 4xx). */
async function refusal(call) {
  try {
    await call;
  } catch (e) {
    return e;
  }
  assert.fail('the call was not refused');
}

before(async () => {
  // ClientBuilder writes ~/.huaweicloud/application_id: keep it out of the real home.
  process.env.HOME = fs.mkdtempSync(path.join(os.tmpdir(), 'deploy-edge-sdk-home-'));
  worker = await startWorker();
  project = await newProject(worker);
  client = build(worker.url, project.accessKey, project.secretKey, project.id);
});

after(() => stopWorker(worker));

test('the Node SDK signs every application endpoint and reads every answer', async () => {
  const body = (name) => ({
    project_id: project.id, name, description: 'demo', is_draft: false, create_type: 'template',
    slave_cluster_id: '', trigger: { trigger_source: '0' },
    arrange_infos: [{ deploy_system: 'deployTemplate', template_id: TEMPLATE }],
  });
  // CreateApp
  const created = await send(client, 'POST', '/v1/applications', { data: body('node_app-1') });
  assert.equal(created.httpStatusCode, 200);
  assert.equal(created.status, 'success');
  const appId = created.result.id;
  const taskId = created.result.arrange_infos[0].id;
  assert.match(appId, /^[0-9a-f]{32}$/);
  // CheckIsDuplicateAppName: a GET with query parameters and no data.
  const exists = await send(client, 'GET', '/v1/applications/exist',
    { queryParams: { name: 'node_app-1', project_id: project.id } });
  assert.deepEqual([exists.httpStatusCode, exists.result], [200, true]);
  // UpdateAppInfo
  const renamed = await send(client, 'PUT', '/v1/applications', {
    data: { ...body('node_app-2'), id: appId, arrange_infos: [{ id: taskId, deploy_system: 'deployTemplate', template_id: TEMPLATE }] },
  });
  assert.equal(renamed.result.name, 'node_app-2');
  // ShowAppDetailById
  const shown = await send(client, 'GET', '/v1/applications/{app_id}/info', { pathParams: { app_id: appId } });
  assert.deepEqual([shown.result.id, shown.result.name], [appId, 'node_app-2']);
  // UpdateAppDisableStatus
  const disabled = await send(client, 'PUT', '/v1/applications/{app_id}/disable',
    { pathParams: { app_id: appId }, data: { is_disable: true } });
  assert.equal(disabled.status, 'success');
  // CopyApplication: a POST with no data key at all.
  const copy = await send(client, 'POST', '/v1/applications/{app_id}/duplicate', { pathParams: { app_id: appId } });
  assert.equal(copy.result.name, 'node_app-2_copy');
  // ListAllApp
  const listed = await send(client, 'POST', '/v1/applications/list',
    { data: { project_id: project.id, page: 1, size: 10, sort_name: "name", sort_by: "ASC" } });
  assert.deepEqual(listed.result.map((a) => a.name), ['node_app-2', 'node_app-2_copy']);
  assert.equal(listed.total_num, 2);
  // BatchDeleteApp
  const deleted = await send(client, 'POST', '/v2/applications/batch-delete',
    { data: { project_id: project.id, application_ids: [copy.result.id] } });
  assert.equal(deleted.result[0].application_id, copy.result.id);
  // DeleteApplication
  const gone = await send(client, 'DELETE', '/v1/applications/{app_id}', { pathParams: { app_id: appId } });
  assert.equal(gone.result.id, appId);
  const missing = await refusal(send(client, 'GET', '/v1/applications/{app_id}/info', { pathParams: { app_id: appId } }));
  assert.deepEqual([missing.httpStatusCode, missing.errorCode], [404, 'Deploy.00011020']);
});

test('a GET that carries a body is verified over the body the SDK signed', async () => {
  // HcClient signs and sends `data` on any method: the generated client never puts data on a GET,
  // code that drives HcClient itself may.
  const withBody = await send(client, 'GET', '/v1/applications/exist',
    { queryParams: { name: 'nothing-here', project_id: project.id }, data: {} });
  assert.deepEqual([withBody.httpStatusCode, withBody.result], [200, false]);
  const withContent = await send(client, 'GET', '/v1/applications/exist',
    { queryParams: { name: 'nothing-here', project_id: project.id }, data: { any: ['thing'] } });
  assert.equal(withContent.httpStatusCode, 200);
});

test('a wrong secret key is the SDK\'s ClientRequestException with DEV.00000002', async () => {
  const wrong = build(worker.url, project.accessKey, '0'.repeat(40), project.id);
  const e = await refusal(send(wrong, 'GET', '/v1/applications/exist',
    { queryParams: { name: 'x', project_id: project.id } }));
  assert.equal(e.name, 'ClientRequestException');
  assert.deepEqual([e.httpStatusCode, e.errorCode], [401, 'DEV.00000002']);
  assert.match(e.requestId, /^[0-9a-f]{32}$/);
});
