// Types of the deploy-edge package. Hand-written: wasm-bindgen only knows `any`.
// Lengths are counted in Unicode characters (code points), never bytes or UTF-16 units.

// ---------------------------------------------------------------------------------------------
// Reports

/** The rule a field broke. */
export type ErrorCode =
  | 'required'
  | 'type'
  | 'too_long'
  | 'too_short'
  | 'pattern'
  | 'enum'
  | 'out_of_range'
  | 'unknown_field'
  | 'invalid_json'
  | 'duplicate';

/** One problem with one field. */
export interface FieldError {
  /** JSON pointer (RFC 6901) into the payload: `/inputs/0/type`; `""` is the whole payload. */
  path: string;
  code: ErrorCode;
  /** A sentence naming the field, e.g. `inputs[0].type must be one of: String, Number, ...`. */
  message: string;
}

/** What `validate` returns: the report the Worker computes for the same payload. */
export interface ValidationResult {
  /** True when there is no error (warnings do not count). */
  valid: boolean;
  errors: FieldError[];
  /** Fields the server ignores (`unknown_field` on Heat bodies). */
  warnings: FieldError[];
}

/** What `buildRequest` throws for invalid input. */
export interface InvalidRequestError extends Error {
  errors: FieldError[];
  warnings: FieldError[];
}

// ---------------------------------------------------------------------------------------------
// Heat / RTS software configs and deployments. `null` counts as absent everywhere.

export type IoType = 'String' | 'Number' | 'CommaDelimitedList' | 'Json' | 'Boolean';

/** A declared input. Unknown keys are errors. */
export interface ConfigInput {
  /** Required, 1 to 255 characters, unique within the config. */
  name: string;
  /** Default `String`. */
  type?: IoType | null;
  /** At most 4,096 characters. */
  description?: string | null;
  /** Must fit `type` (a Number default may be a numeric string; `""` means no default). */
  default?: unknown;
  replace_on_change?: boolean | null;
  /** The value a derived config gives the input (what the `openstack` CLI sends); any JSON. */
  value?: unknown;
}

/** A declared output. Unknown keys are errors. */
export interface ConfigOutput {
  /** Required, 1 to 255 characters, unique within the config. */
  name: string;
  type?: IoType | null;
  description?: string | null;
  /** Default `false`. */
  error_output?: boolean | null;
}

/** Body of `POST /v1/{project_id}/software_configs`. Unknown keys are warnings (ignored). */
export interface SoftwareConfigCreate {
  /** At most 255 characters. */
  name?: string | null;
  /** At most 255 characters; default `Heat::Ungrouped`. */
  group?: string | null;
  /** Any JSON (usually the script). */
  config?: unknown;
  /** At most 100. */
  inputs?: ConfigInput[] | null;
  /** At most 100. */
  outputs?: ConfigOutput[] | null;
  options?: Record<string, unknown> | null;
}

export type DeploymentStatus = 'COMPLETE' | 'IN_PROGRESS' | 'FAILED';

/** One deployment of `POST /v1/{project_id}/software_deployments`. Unknown keys are warnings. */
export interface SoftwareDeploymentCreate {
  /** Required, 1 to 36 characters; must name a config of the project (the server checks). */
  config_id: string;
  /** Required, 1 to 36 characters (free text). */
  server_id: string;
  input_values?: Record<string, unknown> | null;
  /** At most 255 characters; default `INIT`. */
  action?: string | null;
  /** Default `COMPLETE`. */
  status?: DeploymentStatus | null;
  /** At most 65,535 characters; default `""`. */
  status_reason?: string | null;
  /** At most 64 characters. */
  stack_user_project_id?: string | null;
  /**
   * Whole seconds, 1 to 604,800: an IN_PROGRESS deployment not signalled by then reads FAILED
   * ("Deployment timed out after N seconds").
   */
  timeout?: number | null;
}

/** Body of `PUT /v1/{project_id}/software_deployments/{id}`: only what changes. */
export interface SoftwareDeploymentUpdate {
  /** 1 to 36 characters. */
  config_id?: string | null;
  input_values?: Record<string, unknown> | null;
  output_values?: Record<string, unknown> | null;
  action?: string | null;
  status?: DeploymentStatus | null;
  status_reason?: string | null;
  /** Whole seconds, 1 to 604,800; restarts the clock (as does setting IN_PROGRESS or a re-deploy). */
  timeout?: number | null;
}

/** The path ids of one server's agent URL: the project, and the server (1 to 36 characters). */
export interface ServerAgent {
  project_id: string;
  server_id: string;
}

// ---------------------------------------------------------------------------------------------
// CodeArts Deploy applications. Unknown keys are errors. Ids are 32 ASCII letters and digits.

export interface Trigger {
  /** `"0"`: anyone may run it; `"1"`: only a pipeline. The number form is accepted too. */
  trigger_source?: '0' | '1' | 0 | 1 | null;
  artifact_source_system?: '' | 'Artifact' | null;
  artifact_type?: '' | 'generic' | 'docker' | null;
}

/** One action of a deployment orchestration (`DeployV2OperationsDO`). */
export interface Operation {
  id?: string | null;
  /** At most 128 of letters, digits, spaces and `-_,;:./()`; no leading or trailing space. */
  name?: string | null;
  /** At most 1,024 characters (also `entrance`, `version`, `module_id`). */
  description?: string | null;
  /** At most 102,400 characters. */
  code?: string | null;
  /** A JSON document carried as a string, at most 204,800 characters. */
  params?: string | null;
  entrance?: string | null;
  version?: string | null;
  module_id?: string | null;
}

/** A deployment task on create. */
export interface CreateTask {
  deploy_system?: 'deployTemplate' | null;
  template_id?: string | null;
  ansible_type?: 0 | 1 | null;
  /** At most 100. */
  operation_list?: Operation[] | null;
}

/** A deployment task on update: with the `id` of an existing task, or without one for a new task. */
export interface UpdateTask {
  id?: string | null;
  deploy_system?: 'deployTemplate' | null;
  template_id?: string | null;
  operation_list?: Operation[] | null;
}

interface ApplicationFields {
  /** Must be the caller's project. */
  project_id: string;
  /** 3 to 128 of letters, digits, `_` and `-`; unique in the project. */
  name: string;
  /** At most 1,024 characters. */
  description?: string | null;
  /** Empty or an id. */
  group_id?: string | null;
  is_draft: boolean;
  create_type: 'template';
  /** Empty (the default agent pool) or an id. */
  slave_cluster_id?: string | null;
  trigger?: Trigger | null;
  /** At most 512 characters. */
  agency_urn?: string | null;
  /** At most 64 characters. */
  slave_resource_type?: string | null;
  /** Seconds, 0 to 86,400. */
  timeout?: number | null;
}

/** Body of `POST /v1/applications`. */
export interface ApplicationCreate extends ApplicationFields {
  /** At most 10. */
  arrange_infos?: CreateTask[] | null;
}

/** Body of `PUT /v1/applications`. */
export interface ApplicationUpdate extends ApplicationFields {
  /** The application to update. */
  id: string;
  /** At most 10; replaces the task list. */
  arrange_infos?: UpdateTask[] | null;
}

export type ApplicationState =
  | 'abort'
  | 'failed'
  | 'not_started'
  | 'pending'
  | 'running'
  | 'succeeded'
  | 'timeout'
  | 'not_executed';

/** Body of `POST /v1/applications/list`. */
export interface ApplicationList {
  project_id: string;
  /** Case-insensitive part of the name, at most 128 characters. */
  search?: string | null;
  /** 1 to 99,999. */
  page: number;
  /** 1 to 100. */
  size: number;
  /** Default `startTime`. */
  sort_name?: 'name' | 'startTime' | null;
  /** Default `ASC` by name, `DESC` by time. */
  sort_by?: 'ASC' | 'DESC' | null;
  states?: ApplicationState[] | null;
  /** Empty, `no_grouped` or an id. */
  group_id?: string | null;
}

/** Body of `PUT /v1/applications/{app_id}/disable`. */
export interface ApplicationDisable {
  is_disable: boolean;
}

/** Body of `POST /v2/applications/batch-delete`. */
export interface ApplicationBatchDelete {
  project_id: string;
  /** 1 to 100 distinct ids. */
  application_ids: string[];
}

/** Query of `GET /v1/applications/exist`. */
export interface ApplicationExist {
  name: string;
  project_id: string;
}

/** The path id of one application. */
export interface AppId {
  app_id: string;
}

// ---------------------------------------------------------------------------------------------
// Kinds

/** What `validate(kind, payload)` checks for each kind: the body the server reads. */
export interface Payloads {
  'software_config.create': SoftwareConfigCreate;
  'software_deployment.create': SoftwareDeploymentCreate | SoftwareDeploymentCreate[];
  'software_deployment.update': SoftwareDeploymentUpdate;
  /** No body: the path ids. `POST .../servers/{server_id}/agent` issues the metadata URL. */
  'server_agent.issue': ServerAgent;
  /** No body: the path ids. `DELETE .../servers/{server_id}/agent` revokes its URLs. */
  'server_agent.revoke': ServerAgent;
  'application.create': ApplicationCreate;
  'application.update': ApplicationUpdate;
  'application.list': ApplicationList;
  'application.disable': ApplicationDisable;
  'application.batch_delete': ApplicationBatchDelete;
  /** The query parameters. */
  'application.exist': ApplicationExist;
  /** No body: the path id. */
  'application.info': AppId;
  'application.delete': AppId;
  'application.duplicate': AppId;
}

/** Heat's path ids: the project (32 letters and digits). */
export interface ProjectId {
  project_id: string;
}

/** What `buildRequest(kind, input)` takes: the body plus the ids that go in the path. */
export interface Inputs {
  'software_config.create': SoftwareConfigCreate & ProjectId;
  /** One deployment, or a batch of 1 to 100 as `{ project_id, deployments }`. */
  'software_deployment.create':
    | (SoftwareDeploymentCreate & ProjectId)
    | (ProjectId & { deployments: SoftwareDeploymentCreate[] });
  /** `id`: the deployment, at most 36 characters. */
  'software_deployment.update': SoftwareDeploymentUpdate & ProjectId & { id: string };
  'server_agent.issue': ServerAgent;
  'server_agent.revoke': ServerAgent;
  'application.create': ApplicationCreate;
  'application.update': ApplicationUpdate;
  'application.list': ApplicationList;
  'application.disable': ApplicationDisable & AppId;
  'application.batch_delete': ApplicationBatchDelete;
  'application.exist': ApplicationExist;
  'application.info': AppId;
  'application.delete': AppId;
  'application.duplicate': AppId;
}

export type Kind = keyof Payloads;

/** A request ready for `fetch(endpoint + request.path, request)`. */
export interface BuiltRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path and query relative to the endpoint, ids percent-encoded. */
  path: string;
  /** `Accept: application/json`, plus `Content-Type: application/json` when there is a body. */
  headers: Record<string, string>;
  /** Compact JSON with the server's defaults applied, or `null`. */
  body: string | null;
}

/** Anything `signRequest` can sign. */
export interface RequestLike {
  method?: string;
  /** A path (`/v1/applications?x=1`) or an absolute URL (`https://host/v1/applications`). */
  path?: string;
  /** Used when `path` is absent. */
  url?: string;
  headers?: Record<string, string> | Iterable<[string, string]> | null;
  body?: string | Uint8Array | ArrayBuffer | null;
}

export interface Credentials {
  accessKey: string;
  secretKey: string;
  /** Sent and signed as `X-Project-Id`. */
  projectId?: string;
  /** `X-Sdk-Date`: `YYYYMMDDTHHMMSSZ`, a `Date` or epoch milliseconds; default now. */
  date?: string | Date | number;
}

// ---------------------------------------------------------------------------------------------
// Functions

/**
 * Validates a payload (an object, an array, or JSON text as a string or UTF-8 bytes, which is
 * parsed) as `kind`'s body. Never throws for a known kind; throws an `Error` naming the known kinds
 * otherwise.
 */
export function validate<K extends Kind>(
  kind: K,
  payload: Payloads[K] | string | Uint8Array | ArrayBuffer,
): ValidationResult;
export function validate(kind: string, payload: unknown): ValidationResult;

/** Builds `{ method, path, headers, body }`; throws an `InvalidRequestError` for invalid input. */
export function buildRequest<K extends Kind>(kind: K, input: Inputs[K] | string): BuiltRequest;
export function buildRequest(kind: string, input: unknown): BuiltRequest;

/**
 * Returns a copy of `request` whose `headers` (a plain object) gain `X-Sdk-Date`, `X-Project-Id`
 * (with `projectId`) and `Authorization: SDK-HMAC-SHA256 Access=..., SignedHeaders=...,
 * Signature=...`. Signs every header whose name has no `_`, plus `host` from a `host` header or
 * else from an absolute URL in `path`.
 */
export function signRequest<R extends RequestLike>(
  request: R,
  credentials: Credentials,
): Omit<R, 'headers'> & { headers: Record<string, string> };

/** Every kind name. */
export function kinds(): Kind[];

/** The package version. */
export const version: string;

/**
 * Where `init` can load the module from: a URL (string or `URL`), a `Request` or `Response` (or a
 * promise of one), the bytes, a compiled `WebAssembly.Module`, or wasm-bindgen's
 * `{ module_or_path }`. Typed loosely so that projects without the DOM library still compile.
 */
export type InitSource = ArrayBuffer | ArrayBufferView | string | object;

/**
 * Loads the WebAssembly module (idempotent). Needed once in browsers; in Node the package is ready
 * on import and this resolves at once.
 */
export default function init(source?: InitSource): Promise<void>;

/** Loads the module synchronously from its bytes or a compiled `WebAssembly.Module` (or `{ module }`). */
export function initSync(source: ArrayBuffer | ArrayBufferView | object): void;
