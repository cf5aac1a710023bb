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

/** The parameters of each rule that has any, by code (the other codes have none). */
export interface ErrorParams {
  /** A JSON type (`string`, `integer`, `boolean`, `object`, `array`, `object or array`) or, for an input's `default`, its declared `IoType`. */
  type: { expected: string };
  /** At most `limit` characters, items or levels of nesting. */
  too_long: { limit: number };
  /** At least `limit` characters or items. */
  too_short: { limit: number };
  /** What the pattern accepts, in words: `32 letters and digits`. */
  pattern: { pattern: string };
  enum: { allowed: string[] };
  out_of_range: { min: number; max: number };
}

/**
 * One problem with one field. Narrow on `code` to read `params`:
 * `if (e.code === 'too_long') e.params.limit`.
 */
export type FieldError = {
  [C in ErrorCode]: {
    /** JSON pointer (RFC 6901) into the payload: `/inputs/0/type`; `""` is the whole payload. */
    path: string;
    code: C;
    /** A sentence naming the field, e.g. `inputs[0].type must be one of: String, Number, ...`. */
    message: string;
  } & (C extends keyof ErrorParams ? { params: ErrorParams[C] } : { params?: undefined });
}[ErrorCode];

/**
 * What `validate` returns: the report the Worker computes for the same payload. `valid` tells
 * which: no errors, or at least one.
 */
export type ValidationResult =
  | {
      valid: true;
      errors: [];
      /** Fields the server ignores (`unknown_field` on Heat bodies). */
      warnings: FieldError[];
    }
  | {
      valid: false;
      errors: [FieldError, ...FieldError[]];
      warnings: FieldError[];
    };

/** What `buildRequest` throws for invalid input. */
export interface InvalidRequestError extends Error {
  errors: FieldError[];
  warnings: FieldError[];
}

// ---------------------------------------------------------------------------------------------
// Heat / RTS software configs and deployments. `null` counts as absent everywhere.

/** An input's or output's type; `rules().heat.ioTypes` lists them, `String` is the default. */
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

/** `rules().heat.deploymentStatuses`; `COMPLETE` is the default. */
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

/** Heat's path ids of a kind whose only input is its path: the project and a config or deployment id (at most 36 characters). */
export interface ResourceIds {
  project_id: string;
  id: string;
}

/** The path ids of one server (its agent URL, its metadata): the project, and the server (1 to 36 characters). */
export interface ServerIds {
  project_id: string;
  server_id: string;
}

/** The same as `ServerIds` (its name before there were metadata requests). */
export type ServerAgent = ServerIds;

/** Query of `GET /v1/{project_id}/software_configs`: a page, newest first. Other parameters are ignored. */
export interface ConfigListQuery {
  /** A non-negative whole number (as a number or its text); more than 1,000 gives 1,000. */
  limit?: number | string | null;
  /** The id of the last config of the previous page. */
  marker?: string | null;
}

/** Query of `GET /v1/{project_id}/software_deployments`. Other parameters are ignored. */
export interface DeploymentListQuery {
  /** Only the deployments of this server. */
  server_id?: string | null;
}

/** `rules().heat.templateResourceTypes`: the resources a template to validate may declare. */
export type TemplateResourceType = 'OS::Heat::SoftwareConfig';

/** One resource of a template: a software config, whose properties are a config's body. */
export interface TemplateResource {
  type: TemplateResourceType;
  properties?: SoftwareConfigCreate | null;
}

/** A Heat template of software configs. Unknown keys are errors. */
export interface HeatTemplate {
  /** Required, at most 255 characters. */
  heat_template_version: string;
  /** At most 4,096 characters. */
  description?: string | null;
  resources?: Record<string, TemplateResource> | null;
}

/** Body of `POST /v1/{project_id}/validate` (what `openstack software config create` sends first). Other keys are warnings (ignored). */
export interface TemplateValidation {
  template: HeatTemplate;
  environment?: unknown;
  files?: unknown;
  environment_files?: unknown;
}

// ---------------------------------------------------------------------------------------------
// CodeArts Deploy applications. Unknown keys are errors. Ids are 32 ASCII letters and digits.

/** `rules().codearts.triggerSources`: `"0"`, anyone may run it; `"1"`, only a pipeline. */
export type TriggerSource = '0' | '1';
/** `rules().codearts.artifactSourceSystems`. */
export type ArtifactSourceSystem = '' | 'Artifact';
/** `rules().codearts.artifactTypes`. */
export type ArtifactType = '' | 'generic' | 'docker';
/** `rules().codearts.deploySystems`: the only deployment system accepted on write. */
export type DeploySystem = 'deployTemplate';
/** `rules().codearts.createTypes`: the only creation type. */
export type CreateType = 'template';
/** `rules().codearts.sortNames`. */
export type SortName = 'name' | 'startTime';
/** `rules().codearts.sortBys`. */
export type SortBy = 'ASC' | 'DESC';

export interface Trigger {
  /** The number form (`0`, `1`) is accepted too, and sent as text. */
  trigger_source?: TriggerSource | 0 | 1 | null;
  artifact_source_system?: ArtifactSourceSystem | null;
  artifact_type?: ArtifactType | null;
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
  deploy_system?: DeploySystem | null;
  template_id?: string | null;
  ansible_type?: 0 | 1 | null;
  /** At most 100. */
  operation_list?: Operation[] | null;
}

/** A deployment task on update: with the `id` of an existing task, or without one for a new task. */
export interface UpdateTask {
  id?: string | null;
  deploy_system?: DeploySystem | null;
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
  create_type: CreateType;
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

/** `rules().codearts.states`: the execution states a listing can filter on. */
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
  sort_name?: SortName | null;
  /** Default `ASC` by name, `DESC` by time. */
  sort_by?: SortBy | null;
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

/** `rules().codearts.os`: a host's or a cluster's operating system. */
export type HostOs = 'linux' | 'windows';

/** Body of `POST /v1/resources/host-groups`: a host cluster. */
export interface HostClusterCreate {
  project_id: string;
  /** 3 to 128 letters, digits, `_` and `-`. */
  name: string;
  os: HostOs;
  /** 1: its hosts are reached through a proxy host; 0: directly. */
  is_proxy_mode: 0 | 1;
  /** Empty or 32 letters and digits. */
  slave_cluster_id?: string | null;
  slave_resource_type?: 'self-hosted' | 'exclusive' | null;
  ansible_type?: 0 | 1 | null;
  /** At most 1,024 characters. */
  description?: string | null;
}

/** Body of `PUT /v1/resources/host-groups/{group_id}`. */
export interface HostClusterUpdate {
  name: string;
  description?: string | null;
  slave_cluster_id?: string | null;
  slave_resource_type?: 'self-hosted' | 'exclusive' | null;
  ansible_type?: 0 | 1 | null;
}

/** Query of `GET /v1/resources/host-groups` (numbers as text, as a query carries them). */
export interface HostClusterListQuery {
  project_id: string;
  /** Part of the name. */
  name?: string;
  os?: HostOs;
  /** From 1. */
  page_index?: string | number;
  /** 1 to 100; 10 by default. */
  page_size?: string | number;
  sort_field?: string;
  sort_type?: string;
  is_proxy_mode?: string | number;
  slave_cluster_id?: string;
}

/** How deploy-edge could log in to a host: checked, then discarded (it never logs in). */
export interface HostAuthorization {
  username: string;
  /** 0: `password` is required; 1: `private_key` is. */
  trusted_type: 0 | 1;
  password?: string | null;
  private_key?: string | null;
}

/** Body of `POST /v1/resources/host-groups/{group_id}/hosts`: a host (one of the project's servers). */
export interface HostCreate {
  /** 1 to 128 characters. */
  host_name: string;
  /** An IPv4 or IPv6 address. */
  ip: string;
  /** 1 to 65,535. */
  port: number;
  /** The cluster's. */
  os: HostOs;
  as_proxy: boolean;
  authorization: HostAuthorization;
  proxy_host_id?: string | null;
  install_icagent?: boolean | null;
}

/** Query of `GET /v1/resources/host-groups/{group_id}/hosts`. */
export interface HostListQuery {
  /** Part of the host name or IP. */
  key_field?: string;
  environment_id?: string;
  page_index?: string | number;
  page_size?: string | number;
  sort_key?: string;
  sort_dir?: string;
  as_proxy?: 'true' | 'false' | boolean;
}

/** Body of `POST /v1/applications/{app_id}/environments`: an environment of hosts. */
export interface EnvironmentCreate {
  project_id: string;
  /** 3 to 128 letters, digits, `_` and `-`; unique within the application. */
  name: string;
  /** 0: hosts (Kubernetes environments are not served). */
  deploy_type: 0;
  os: HostOs;
  description?: string | null;
}

/** Query of `GET /v1/applications/{app_id}/environments`. */
export interface EnvironmentListQuery {
  project_id: string;
  name?: string;
  page_index?: string | number;
  page_size?: string | number;
  sort_key?: string;
  sort_dir?: string;
}

/** Body of `POST …/environments/{environment_id}/hosts/import`. */
export interface HostImport {
  group_id: string;
  /** 1 to 200 distinct host ids of that cluster. */
  host_ids: string[];
}

/** The path ids of one environment. */
export interface EnvironmentIds {
  app_id: string;
  environment_id: string;
}

/** A start parameter (`DynamicConfigInfo`); `text`, `enum` and `host_group` values substitute
 *  into scripts as `${key}`; `encrypt` values are never kept. */
export interface StartParam {
  /** 1 to 64 letters, digits, `_`, `-` and `.`. */
  key: string;
  value?: string;
  /** `host_group`: the id of the environment to deploy to. Default `text`. */
  type?: 'text' | 'enum' | 'host_group' | 'encrypt';
}

/** Body of `POST /v2/tasks/{task_id}/start` (optional). */
export interface TaskStart {
  /** At most 100, each key once. */
  params?: StartParam[];
  /** Runs that record's parameters again (a rollback); then `params` must be empty. */
  record_id?: string;
  trigger_source?: '0' | '1';
}

/** Query of `GET /v2/tasks/{task_id}/state` and `GET /v2/history/tasks/{task_id}/params`:
 *  the task's latest record without `record_id`. */
export interface RecordQuery {
  record_id?: string;
  step_state?: 'true' | 'false';
}

/** Query of `GET /v2/{project_id}/task/{task_id}/history`: all required; dates `yyyy-MM-dd`
 *  (UTC), in order, at most 30 days apart. */
export interface HistoryQuery {
  page: string | number;
  size: string | number;
  start_date: string;
  end_date: string;
}

/** The path id of one deployment task (an application's `arrange_infos[0].id`). */
export interface TaskId {
  task_id: string;
}

/** The path ids of one execution record. */
export interface RecordIds extends TaskId {
  record_id: string;
}

/** The path ids of one host of an environment. */
export interface EnvironmentHostIds extends EnvironmentIds {
  host_id: string;
}

/** The path id of one host cluster. */
export interface GroupId {
  group_id: string;
}

/** The path ids of one host. */
export interface HostIds {
  group_id: string;
  host_id: string;
}

// ---------------------------------------------------------------------------------------------
// Kinds

/**
 * What `validate(kind, payload)` checks for each kind, in the order of the operation table: the
 * body the server reads, a listing's query, or (for kinds without either) the path ids.
 */
export interface Payloads {
  /** The query. */
  'software_config.list': ConfigListQuery;
  'software_config.create': SoftwareConfigCreate;
  /** No body: the path ids. */
  'software_config.show': ResourceIds;
  'software_config.delete': ResourceIds;
  'software_deployment.list': DeploymentListQuery;
  /** One deployment, or a batch of 1 to 100. */
  'software_deployment.create': SoftwareDeploymentCreate | SoftwareDeploymentCreate[];
  'software_deployment.show': ResourceIds;
  'software_deployment.update': SoftwareDeploymentUpdate;
  'software_deployment.delete': ResourceIds;
  /** Every deployment of the server as Heat's derived config. */
  'software_deployment.metadata': ServerIds;
  /** `GET .../servers/{server_id}/agent`: whether it polled, its metadata URL. */
  'server_agent.show': ServerIds;
  /** `POST .../servers/{server_id}/agent` issues the metadata URL. */
  'server_agent.issue': ServerIds;
  /** `DELETE .../servers/{server_id}/agent` revokes its URLs. */
  'server_agent.revoke': ServerIds;
  'template.validate': TemplateValidation;
  'application.create': ApplicationCreate;
  'application.update': ApplicationUpdate;
  'application.list': ApplicationList;
  /** The query parameters. */
  'application.exist': ApplicationExist;
  /** No body: the path id. */
  'application.info': AppId;
  'application.delete': AppId;
  'application.disable': ApplicationDisable;
  'application.duplicate': AppId;
  'application.batch_delete': ApplicationBatchDelete;
  'host_cluster.create': HostClusterCreate;
  /** The query parameters. */
  'host_cluster.list': HostClusterListQuery;
  /** No body: the path id. */
  'host_cluster.show': GroupId;
  'host_cluster.update': HostClusterUpdate;
  'host_cluster.delete': GroupId;
  'host.create': HostCreate;
  'host.list': HostListQuery;
  'host.show': HostIds;
  'host.delete': HostIds;
  'environment.create': EnvironmentCreate;
  'environment.list': EnvironmentListQuery;
  'environment.show': EnvironmentIds;
  'environment.delete': EnvironmentIds;
  'environment.import_hosts': HostImport;
  'environment.hosts': HostListQuery;
  'environment.remove_host': EnvironmentHostIds;
  'task.start': TaskStart;
  'task.state': RecordQuery;
  'task.stop': Record<string, never>;
  'task.history': HistoryQuery;
  'task.params': RecordQuery;
}

/** Heat's path ids: the project (32 letters and digits). */
export interface ProjectId {
  project_id: string;
}

/** What `buildRequest(kind, input)` takes: the body (or query) plus the ids that go in the path. */
export interface Inputs {
  'software_config.list': ConfigListQuery & ProjectId;
  'software_config.create': SoftwareConfigCreate & ProjectId;
  'software_config.show': ResourceIds;
  'software_config.delete': ResourceIds;
  'software_deployment.list': DeploymentListQuery & ProjectId;
  /** One deployment, or a batch of 1 to 100 as `{ project_id, deployments }`. */
  'software_deployment.create':
    | (SoftwareDeploymentCreate & ProjectId)
    | (ProjectId & { deployments: SoftwareDeploymentCreate[] });
  'software_deployment.show': ResourceIds;
  /** `id`: the deployment, at most 36 characters. */
  'software_deployment.update': SoftwareDeploymentUpdate & ResourceIds;
  'software_deployment.delete': ResourceIds;
  'software_deployment.metadata': ServerIds;
  'server_agent.show': ServerIds;
  'server_agent.issue': ServerIds;
  'server_agent.revoke': ServerIds;
  'template.validate': TemplateValidation & ProjectId;
  /** CodeArts bodies carry their own `project_id`. */
  'application.create': ApplicationCreate;
  'application.update': ApplicationUpdate;
  'application.list': ApplicationList;
  'application.exist': ApplicationExist;
  'application.info': AppId;
  'application.delete': AppId;
  'application.disable': ApplicationDisable & AppId;
  'application.duplicate': AppId;
  'application.batch_delete': ApplicationBatchDelete;
  'host_cluster.create': HostClusterCreate;
  'host_cluster.list': HostClusterListQuery;
  'host_cluster.show': GroupId;
  'host_cluster.update': HostClusterUpdate & GroupId;
  'host_cluster.delete': GroupId;
  'host.create': HostCreate & GroupId;
  'host.list': HostListQuery & GroupId;
  'host.show': HostIds;
  'host.delete': HostIds;
  'environment.create': EnvironmentCreate & AppId;
  'environment.list': EnvironmentListQuery & AppId;
  'environment.show': EnvironmentIds;
  'environment.delete': EnvironmentIds;
  'environment.import_hosts': HostImport & EnvironmentIds;
  'environment.hosts': HostListQuery & EnvironmentIds;
  'environment.remove_host': EnvironmentHostIds;
  'task.start': TaskStart & TaskId;
  'task.state': RecordQuery & TaskId;
  'task.stop': RecordIds;
  'task.history': HistoryQuery & TaskId & ProjectId;
  'task.params': RecordQuery & TaskId;
}

/** Every request kind; `kinds()` lists them at run time and `rules().kinds` describes each. */
export type Kind = keyof Payloads;

/** The methods of the kinds' requests. */
export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** The ids that go in a kind's path (`rules().pathIds` has the rule of each). */
export type PathId = 'project_id' | 'id' | 'server_id' | 'app_id' | 'group_id' | 'host_id' | 'environment_id'
  | 'task_id' | 'record_id';

/** A request ready for `fetch(endpoint + request.path, request)`. */
export interface BuiltRequest {
  method: Method;
  /** Path and query relative to the endpoint, ids percent-encoded. */
  path: string;
  /** `Accept: application/json`, plus `Content-Type: application/json` when there is a body. */
  headers: Record<string, string>;
  /** Compact JSON with the server's defaults applied, or `null`. */
  body: string | null;
}

// ---------------------------------------------------------------------------------------------
// Rules: the enums and limits validation applies (`rules()`)

/** A string's rule: lengths in characters (`maxLength` null when unbounded) and, if any, its pattern in words. */
export interface StringRule {
  readonly minLength: number;
  readonly maxLength: number | null;
  readonly pattern?: string;
}

/** Whole numbers from `min` to `max`, both included. */
export interface Range {
  readonly min: number;
  readonly max: number;
}

/** One kind's request, from the operation table. */
export interface KindRule {
  readonly method: Method;
  /** The path template, ids in braces: `/v1/{project_id}/software_deployments/{id}`. */
  readonly path: string;
  /** The template's ids, in path order. */
  readonly pathIds: readonly PathId[];
  /** What the request carries besides its path ids: `validate` checks that (or, with `nothing`, the path ids). */
  readonly carries: 'body' | 'query' | 'nothing';
  readonly api: 'heat' | 'codearts';
}

/** What `rules()` returns (deeply frozen). Lengths count characters; `maxLength`/`maxItems` are keyed by field name. */
export interface Rules {
  readonly errorCodes: readonly ErrorCode[];
  readonly kinds: { readonly [K in Kind]: KindRule };
  readonly pathIds: { readonly [P in PathId]: StringRule };
  readonly heat: {
    readonly ioTypes: readonly IoType[];
    readonly defaultIoType: IoType;
    readonly deploymentStatuses: readonly DeploymentStatus[];
    readonly defaultStatus: DeploymentStatus;
    /** The action of a deployment created without one. */
    readonly defaultAction: string;
    /** The group of a config created without one. */
    readonly defaultGroup: string;
    readonly templateResourceTypes: readonly TemplateResourceType[];
    readonly maxLength: {
      readonly name: number;
      readonly group: number;
      readonly config_id: number;
      readonly server_id: number;
      readonly action: number;
      readonly status_reason: number;
      readonly stack_user_project_id: number;
      /** Of an input's or output's description. */
      readonly description: number;
    };
    readonly maxItems: {
      readonly inputs: number;
      readonly outputs: number;
      /** In one batch create. */
      readonly deployments: number;
      /** Configs one listing returns at most. */
      readonly configPage: number;
    };
    /** A deployment's `timeout`, in seconds. */
    readonly timeout: Range;
  };
  readonly codearts: {
    /** Ids in bodies (`project_id`, `id`, `template_id`, ...). */
    readonly id: StringRule;
    /** `group_id` and `slave_cluster_id`. */
    readonly idOrEmpty: StringRule;
    /** An application's name. */
    readonly name: StringRule;
    /** An operation's name. */
    readonly operationName: StringRule;
    /** A start parameter's `key`. */
    readonly paramName: StringRule;
    readonly createTypes: readonly CreateType[];
    readonly deploySystems: readonly DeploySystem[];
    readonly triggerSources: readonly TriggerSource[];
    readonly artifactSourceSystems: readonly ArtifactSourceSystem[];
    readonly artifactTypes: readonly ArtifactType[];
    readonly sortNames: readonly SortName[];
    readonly sortBys: readonly SortBy[];
    readonly states: readonly ApplicationState[];
    /** A host's or a host cluster's operating system. */
    readonly os: readonly HostOs[];
    readonly slaveResourceTypes: readonly ('self-hosted' | 'exclusive')[];
    /** Most hosts in one cluster. */
    readonly hostsPerCluster: number;
    readonly maxLength: {
      /** Of an application's or an operation's description. */
      readonly description: number;
      readonly agency_urn: number;
      readonly slave_resource_type: number;
      readonly search: number;
      readonly code: number;
      readonly params: number;
      readonly entrance: number;
      readonly version: number;
      readonly module_id: number;
      /** Of a start parameter's value. */
      readonly value: number;
    };
    readonly maxItems: {
      readonly arrange_infos: number;
      readonly operation_list: number;
      readonly application_ids: number;
      /** Parameters in one start. */
      readonly params: number;
    };
    /** An application's `timeout`, in seconds. */
    readonly timeout: Range;
    readonly page: Range;
    readonly size: Range;
    readonly ansibleType: Range;
    /** A task history page's `size`. */
    readonly historySize: Range;
    /** Most days from a task history's `start_date` to its `end_date`. */
    readonly historyDays: number;
  };
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

/** JSON text, as a string or UTF-8 bytes: parsed as the server parses a body. */
export type JsonText = string | Uint8Array | ArrayBuffer;

/**
 * Validates a payload (an object, an array, or JSON text as a string or UTF-8 bytes, which is
 * parsed) as `kind`'s body. Never throws for a known kind; throws an `Error` naming the known kinds
 * otherwise.
 *
 * A payload whose type is known must be `Payloads[kind]` (or JSON text); data whose type is not
 * known (`unknown`, `any`: a form, a file, a response) is what `validate` is for and is accepted
 * as it is. To narrow such data to `Payloads[kind]`, use `isValid`.
 */
export function validate<K extends Kind>(kind: K, payload: Payloads[K] | JsonText): ValidationResult;
export function validate<K extends Kind, P>(
  kind: K,
  payload: unknown extends P ? P : never,
): ValidationResult;

/**
 * True when `value`, as JSON (what `fetch` would send), is a valid `kind` payload: a type
 * predicate, so `value` is a `Payloads[kind]` where it returns true. Strings and bytes are values
 * here, not JSON text (use `validate` for text). Throws like `validate` for an unknown kind.
 */
export function isValid<K extends Kind>(kind: K, value: unknown): value is Payloads[K];

/** Builds `{ method, path, headers, body }`; throws an `InvalidRequestError` for invalid input. */
export function buildRequest<K extends Kind>(kind: K, input: Inputs[K] | string): BuiltRequest;

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

/** Every kind name, in a fresh array. */
export function kinds(): Kind[];

/**
 * The enums and limits validation applies, and each kind's request (method, path, path ids, what
 * it carries): built from the Rust constants and the operation table the validator uses. The same
 * deeply frozen object on every call.
 */
export function rules(): Rules;

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
