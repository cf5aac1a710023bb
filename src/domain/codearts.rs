//! CodeArts Deploy applications: the stored [`Application`], its wire forms, and validation of
//! every request payload.
//!
//! `parse_*` functions take a payload as JSON and return either a validated value or `None` with
//! every problem recorded in the [`Report`], each with a JSON-pointer path and a [`Rule`]. The same
//! functions back the Worker and the npm package. Unknown keys are errors (`unknown_field`): the
//! Huawei models are closed and the SDKs never send keys outside them, so an unknown key is a typo.

use crate::validate::{check_str, item, Expected, Fields, Report, Rule, StrRule};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

/// Application names: 3 to 128 characters.
pub const NAME_MIN: usize = 3;
pub const NAME_MAX: usize = 128;
/// Application and operation descriptions.
pub const DESCRIPTION_MAX: usize = 1024;
/// Operation fields.
pub const OP_NAME_MAX: usize = 128;
pub const OP_TEXT_MAX: usize = 1024;
pub const OP_CODE_MAX: usize = 102_400;
pub const OP_PARAMS_MAX: usize = 204_800;
/// Our own bounds where the docs give none (documented in docs/codearts.md).
pub const ARRANGE_INFOS_MAX: usize = 10;
pub const OPERATIONS_MAX: usize = 100;
pub const AGENCY_URN_MAX: usize = 512;
pub const SLAVE_RESOURCE_TYPE_MAX: usize = 64;
pub const TIMEOUT_MIN: i64 = 0;
pub const TIMEOUT_MAX: i64 = 86_400;
pub const SEARCH_MAX: usize = 128;
pub const BATCH_DELETE_MAX: usize = 100;
/// Listing bounds (Huawei's).
pub const PAGE_MIN: i64 = 1;
pub const PAGE_MAX: i64 = 99_999;
pub const SIZE_MIN: i64 = 1;
pub const SIZE_MAX: i64 = 100;
/// `ansible_type`: 0 or 1.
pub const ANSIBLE_TYPE_MIN: i64 = 0;
pub const ANSIBLE_TYPE_MAX: i64 = 1;

/// The only creation type.
pub const CREATE_TYPES: &[&str] = &["template"];
/// The only deployment system accepted on write.
pub const DEPLOY_SYSTEMS: &[&str] = &["deployTemplate"];
pub const TRIGGER_SOURCES: &[&str] = &["0", "1"];
pub const ARTIFACT_SOURCE_SYSTEMS: &[&str] = &["", "Artifact"];
pub const ARTIFACT_TYPES: &[&str] = &["", "generic", "docker"];
pub const SORT_NAMES: &[&str] = &["name", "startTime"];
pub const SORT_BYS: &[&str] = &["ASC", "DESC"];
/// Execution states a listing can filter on.
pub const STATES: &[&str] = &[
    "abort",
    "failed",
    "not_started",
    "pending",
    "running",
    "succeeded",
    "timeout",
    "not_executed",
];
/// The execution state of an application that has never been deployed (all of ours).
pub const NEVER_EXECUTED: &str = "not_executed";
/// `group_id` value of a listing that asks for applications in no group.
pub const NO_GROUP: &str = "no_grouped";
/// The region every application reports.
pub const REGION: &str = "deploy-edge";

const CREATE_KEYS: &[&str] = &[
    "project_id",
    "name",
    "description",
    "group_id",
    "is_draft",
    "create_type",
    "slave_cluster_id",
    "trigger",
    "arrange_infos",
    "agency_urn",
    "slave_resource_type",
    "timeout",
];
const UPDATE_KEYS: &[&str] = &[
    "id",
    "project_id",
    "name",
    "description",
    "group_id",
    "is_draft",
    "create_type",
    "slave_cluster_id",
    "trigger",
    "arrange_infos",
    "agency_urn",
    "slave_resource_type",
    "timeout",
];
const TRIGGER_KEYS: &[&str] = &["trigger_source", "artifact_source_system", "artifact_type"];
const CREATE_TASK_KEYS: &[&str] = &[
    "deploy_system",
    "template_id",
    "ansible_type",
    "operation_list",
];
const UPDATE_TASK_KEYS: &[&str] = &["id", "deploy_system", "template_id", "operation_list"];
const OPERATION_KEYS: &[&str] = &[
    "id",
    "name",
    "description",
    "code",
    "params",
    "entrance",
    "version",
    "module_id",
];
const LIST_KEYS: &[&str] = &[
    "project_id",
    "search",
    "page",
    "size",
    "sort_name",
    "sort_by",
    "states",
    "group_id",
];
const DISABLE_KEYS: &[&str] = &["is_disable"];
const BATCH_DELETE_KEYS: &[&str] = &["project_id", "application_ids"];
const EXIST_KEYS: &[&str] = &["name", "project_id"];

/// 32 ASCII letters and digits: Huawei's ids.
pub fn is_id(s: &str) -> bool {
    s.len() == 32 && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Letters, digits, `_` and `-` (the length is checked separately).
pub fn is_app_name(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Letters, digits, spaces and `-_,;:./()`, not starting or ending with a space.
pub fn is_operation_name(s: &str) -> bool {
    !s.starts_with(' ')
        && !s.ends_with(' ')
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b" -_,;:./()".contains(&b))
}

fn is_id_or_empty(s: &str) -> bool {
    s.is_empty() || is_id(s)
}

/// What an id is, in words (the `pattern` of its errors).
pub const ID_PATTERN: &str = "32 letters and digits";

pub(crate) const ID: StrRule = StrRule::required(32).pattern(is_id, ID_PATTERN);
pub(crate) const OPTIONAL_ID: StrRule = StrRule::optional(32).pattern(is_id, ID_PATTERN);
pub(crate) const ID_OR_EMPTY: StrRule =
    StrRule::optional(32).pattern(is_id_or_empty, "empty or 32 letters and digits");
pub(crate) const NAME: StrRule = StrRule::required(NAME_MAX).min(NAME_MIN).pattern(
    is_app_name,
    "letters, digits, underscores (_) and hyphens (-)",
);
pub(crate) const OP_NAME: StrRule = StrRule::optional(OP_NAME_MAX).pattern(
    is_operation_name,
    "letters, digits, spaces and -_,;:./() without a leading or trailing space",
);

/// When a deployment may run (`TaskTriggerVO`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Trigger {
    /// `"0"`: anyone may run it; `"1"`: only a pipeline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trigger_source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_source_system: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_type: Option<String>,
}

/// One action of a deployment orchestration (`DeployV2OperationsDO`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Operation {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// A JSON document carried as a string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub params: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entrance: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub module_id: Option<String>,
}

/// One deployment task of a request (`TaskV2RequestBody` on create, `UpdateTaskV2RequestBody`
/// on update). Absent fields are `None`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TaskSpec {
    /// Only on update: the id of an existing task of the application.
    pub id: Option<String>,
    pub deploy_system: Option<String>,
    pub template_id: Option<String>,
    /// Only on create: 1 = new system, 0 = old.
    pub ansible_type: Option<i64>,
    pub operation_list: Option<Vec<Operation>>,
}

/// A stored deployment task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArrangeInfo {
    pub id: String,
    pub deploy_system: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ansible_type: Option<i64>,
    #[serde(default)]
    pub operation_list: Vec<Operation>,
}

/// The validated body of `POST /v1/applications`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewApplication {
    pub project_id: String,
    pub name: String,
    pub description: Option<String>,
    pub group_id: Option<String>,
    pub is_draft: bool,
    pub create_type: String,
    pub slave_cluster_id: Option<String>,
    pub trigger: Option<Trigger>,
    pub arrange_infos: Vec<TaskSpec>,
    pub agency_urn: Option<String>,
    pub slave_resource_type: Option<String>,
    pub timeout: Option<i64>,
}

/// The validated body of `PUT /v1/applications`. Optional fields that are absent (or null) leave
/// the stored value unchanged; `arrange_infos`, when present, replaces the task list (tasks with
/// an `id` keep it and are merged with the stored task; tasks without one are new).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationUpdate {
    pub id: String,
    pub project_id: String,
    pub name: String,
    pub description: Option<String>,
    pub group_id: Option<String>,
    pub is_draft: bool,
    pub create_type: String,
    pub slave_cluster_id: Option<String>,
    pub trigger: Option<Trigger>,
    pub arrange_infos: Option<Vec<TaskSpec>>,
    pub agency_urn: Option<String>,
    pub slave_resource_type: Option<String>,
    pub timeout: Option<i64>,
}

/// How a listing is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortName {
    Name,
    /// By start time; an application never deployed starts at its creation.
    StartTime,
}

/// The validated body of `POST /v1/applications/list`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListQuery {
    pub project_id: String,
    /// Case-insensitive substring of the name.
    pub search: Option<String>,
    pub page: u32,
    pub size: u32,
    pub sort_name: SortName,
    /// `sort_by == ASC`; defaults to ascending for names and descending (newest first) for times.
    pub ascending: bool,
    /// Execution states to keep (empty: all).
    pub states: Vec<String>,
    /// A group id, or [`NO_GROUP`].
    pub group_id: Option<String>,
}

/// The validated body of `POST /v2/applications/batch-delete`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchDelete {
    pub project_id: String,
    pub application_ids: Vec<String>,
}

/// The validated query of `GET /v1/applications/exist`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExistQuery {
    pub name: String,
    pub project_id: String,
}

/// An application as stored under `p/{project}/app/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Application {
    pub id: String,
    pub project_id: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
    pub is_draft: bool,
    #[serde(default)]
    pub is_disable: bool,
    pub create_type: String,
    #[serde(default)]
    pub slave_cluster_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trigger: Option<Trigger>,
    #[serde(default)]
    pub arrange_infos: Vec<ArrangeInfo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agency_urn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slave_resource_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<i64>,
    pub create_time: String,
    pub update_time: String,
    pub created_ms: u64,
    pub updated_ms: u64,
}

fn owned(s: Option<&str>) -> Option<String> {
    s.map(str::to_owned)
}

/// The fields create and update share, read in the SDK's key order.
struct Common {
    project_id: Option<String>,
    name: Option<String>,
    description: Option<String>,
    group_id: Option<String>,
    is_draft: Option<bool>,
    create_type: Option<String>,
    slave_cluster_id: Option<String>,
    trigger: Option<Trigger>,
    arrange_infos: Option<Vec<TaskSpec>>,
    agency_urn: Option<String>,
    slave_resource_type: Option<String>,
    timeout: Option<i64>,
}

fn parse_common(f: &mut Fields<'_, '_>, update: bool) -> Common {
    let project_id = owned(f.str("project_id", ID));
    let name = owned(f.str("name", NAME));
    let description = owned(f.str("description", StrRule::optional(DESCRIPTION_MAX)));
    let group_id = owned(f.str("group_id", ID_OR_EMPTY));
    let is_draft = f.bool("is_draft", true);
    let create_type = f
        .one_of("create_type", CREATE_TYPES, true)
        .map(str::to_owned);
    let slave_cluster_id = owned(f.str("slave_cluster_id", ID_OR_EMPTY));
    let trigger = f
        .present("trigger")
        .and_then(|v| parse_trigger(v, &f.at("trigger"), f.report));
    let arrange_infos = f
        .array("arrange_infos", false, ARRANGE_INFOS_MAX)
        .map(|items| {
            let base = f.at("arrange_infos");
            items
                .iter()
                .enumerate()
                .filter_map(|(i, v)| parse_task(v, &item(&base, i), update, f.report))
                .collect()
        });
    let agency_urn = owned(f.str("agency_urn", StrRule::optional(AGENCY_URN_MAX)));
    let slave_resource_type = owned(f.str(
        "slave_resource_type",
        StrRule::optional(SLAVE_RESOURCE_TYPE_MAX),
    ));
    let timeout = f.int("timeout", false, TIMEOUT_MIN, TIMEOUT_MAX);
    Common {
        project_id,
        name,
        description,
        group_id,
        is_draft,
        create_type,
        slave_cluster_id,
        trigger,
        arrange_infos,
        agency_urn,
        slave_resource_type,
        timeout,
    }
}

/// `trigger_source` is a string in the SDK models, but the docs' example sends the number `0`:
/// both are accepted and stored as a string.
fn parse_trigger(v: &Value, path: &str, report: &mut Report) -> Option<Trigger> {
    let mut f = Fields::of(v, path, report)?;
    f.unknown_keys(TRIGGER_KEYS, true);
    let trigger_source = match f.present("trigger_source") {
        Some(Value::Number(n)) => {
            let s = n.to_string();
            if TRIGGER_SOURCES.contains(&s.as_str()) {
                Some(s)
            } else {
                let p = f.at("trigger_source");
                f.report.not_one_of(&p, TRIGGER_SOURCES);
                None
            }
        }
        _ => f
            .one_of("trigger_source", TRIGGER_SOURCES, false)
            .map(str::to_owned),
    };
    let artifact_source_system = f
        .one_of("artifact_source_system", ARTIFACT_SOURCE_SYSTEMS, false)
        .map(str::to_owned);
    let artifact_type = f
        .one_of("artifact_type", ARTIFACT_TYPES, false)
        .map(str::to_owned);
    Some(Trigger {
        trigger_source,
        artifact_source_system,
        artifact_type,
    })
}

fn parse_task(v: &Value, path: &str, update: bool, report: &mut Report) -> Option<TaskSpec> {
    let mut f = Fields::of(v, path, report)?;
    f.unknown_keys(
        if update {
            UPDATE_TASK_KEYS
        } else {
            CREATE_TASK_KEYS
        },
        true,
    );
    let id = if update {
        owned(f.str("id", OPTIONAL_ID))
    } else {
        None
    };
    let deploy_system = f
        .one_of("deploy_system", DEPLOY_SYSTEMS, false)
        .map(str::to_owned);
    let template_id = owned(f.str("template_id", OPTIONAL_ID));
    let ansible_type = if update {
        None
    } else {
        f.int("ansible_type", false, ANSIBLE_TYPE_MIN, ANSIBLE_TYPE_MAX)
    };
    let operation_list = f.array("operation_list", false, OPERATIONS_MAX).map(|ops| {
        let base = f.at("operation_list");
        ops.iter()
            .enumerate()
            .filter_map(|(i, v)| parse_operation(v, &item(&base, i), f.report))
            .collect()
    });
    Some(TaskSpec {
        id,
        deploy_system,
        template_id,
        ansible_type,
        operation_list,
    })
}

fn parse_operation(v: &Value, path: &str, report: &mut Report) -> Option<Operation> {
    let mut f = Fields::of(v, path, report)?;
    f.unknown_keys(OPERATION_KEYS, true);
    let id = owned(f.str("id", OPTIONAL_ID));
    let name = owned(f.str("name", OP_NAME));
    let description = owned(f.str("description", StrRule::optional(OP_TEXT_MAX)));
    let code = owned(f.str("code", StrRule::optional(OP_CODE_MAX)));
    let params = owned(f.str("params", StrRule::optional(OP_PARAMS_MAX)));
    if let Some(p) = params.as_deref().filter(|p| !p.trim().is_empty()) {
        if serde_json::from_str::<Value>(p).is_err() {
            let at = f.at("params");
            f.report.error(
                &at,
                Rule::InvalidJson,
                "must be a JSON document carried as a string",
            );
        }
    }
    let entrance = owned(f.str("entrance", StrRule::optional(OP_TEXT_MAX)));
    let version = owned(f.str("version", StrRule::optional(OP_TEXT_MAX)));
    let module_id = owned(f.str("module_id", StrRule::optional(OP_TEXT_MAX)));
    Some(Operation {
        id,
        name,
        description,
        code,
        params,
        entrance,
        version,
        module_id,
    })
}

/// Validates a `POST /v1/applications` body.
pub fn parse_create(body: &Value, report: &mut Report) -> Option<NewApplication> {
    let mut f = Fields::of(body, "", report)?;
    f.unknown_keys(CREATE_KEYS, true);
    let c = parse_common(&mut f, false);
    if !report.is_valid() {
        return None;
    }
    Some(NewApplication {
        project_id: c.project_id?,
        name: c.name?,
        description: c.description,
        group_id: c.group_id,
        is_draft: c.is_draft?,
        create_type: c.create_type?,
        slave_cluster_id: c.slave_cluster_id,
        trigger: c.trigger,
        arrange_infos: c.arrange_infos.unwrap_or_default(),
        agency_urn: c.agency_urn,
        slave_resource_type: c.slave_resource_type,
        timeout: c.timeout,
    })
}

/// Validates a `PUT /v1/applications` body.
pub fn parse_update(body: &Value, report: &mut Report) -> Option<ApplicationUpdate> {
    let mut f = Fields::of(body, "", report)?;
    f.unknown_keys(UPDATE_KEYS, true);
    let id = owned(f.str("id", ID));
    let c = parse_common(&mut f, true);
    if let Some(tasks) = &c.arrange_infos {
        let mut seen = std::collections::BTreeSet::new();
        for (i, id) in tasks.iter().enumerate() {
            if let Some(id) = &id.id {
                if !seen.insert(id.as_str()) {
                    report.error(
                        &format!("/arrange_infos/{i}/id"),
                        Rule::Duplicate,
                        format_args!("\"{id}\" appears twice"),
                    );
                }
            }
        }
    }
    if !report.is_valid() {
        return None;
    }
    Some(ApplicationUpdate {
        id: id?,
        project_id: c.project_id?,
        name: c.name?,
        description: c.description,
        group_id: c.group_id,
        is_draft: c.is_draft?,
        create_type: c.create_type?,
        slave_cluster_id: c.slave_cluster_id,
        trigger: c.trigger,
        arrange_infos: c.arrange_infos,
        agency_urn: c.agency_urn,
        slave_resource_type: c.slave_resource_type,
        timeout: c.timeout,
    })
}

/// Validates a `POST /v1/applications/list` body.
pub fn parse_list(body: &Value, report: &mut Report) -> Option<ListQuery> {
    let mut f = Fields::of(body, "", report)?;
    f.unknown_keys(LIST_KEYS, true);
    let project_id = owned(f.str("project_id", ID));
    let search = owned(f.str("search", StrRule::optional(SEARCH_MAX)));
    let page = f.int("page", true, PAGE_MIN, PAGE_MAX);
    let size = f.int("size", true, SIZE_MIN, SIZE_MAX);
    let sort_name = f.one_of("sort_name", SORT_NAMES, false);
    let sort_by = f.one_of("sort_by", SORT_BYS, false);
    let states = f.array("states", false, STATES.len()).map(|items| {
        let base = f.at("states");
        let mut out = Vec::new();
        for (i, v) in items.iter().enumerate() {
            let path = item(&base, i);
            match v {
                Value::String(s) if STATES.contains(&s.as_str()) => out.push(s.clone()),
                Value::String(_) => f.report.not_one_of(&path, STATES),
                other => f.report.type_error(&path, Expected::STRING, other),
            }
        }
        out
    });
    let group_id = f
        .str(
            "group_id",
            StrRule::optional(32).pattern(
                |s| s.is_empty() || s == NO_GROUP || is_id(s),
                "empty, no_grouped or 32 letters and digits",
            ),
        )
        .filter(|g| !g.is_empty())
        .map(str::to_owned);
    if !report.is_valid() {
        return None;
    }
    let sort_name = match sort_name {
        Some("name") => SortName::Name,
        _ => SortName::StartTime,
    };
    let ascending = match sort_by {
        Some(s) => s == "ASC",
        None => sort_name == SortName::Name,
    };
    Some(ListQuery {
        project_id: project_id?,
        search: search.filter(|s| !s.is_empty()),
        page: u32::try_from(page?).ok()?,
        size: u32::try_from(size?).ok()?,
        sort_name,
        ascending,
        states: states.unwrap_or_default(),
        group_id,
    })
}

/// Validates a `PUT /v1/applications/{id}/disable` body: `{"is_disable": bool}`.
pub fn parse_disable(body: &Value, report: &mut Report) -> Option<bool> {
    let mut f = Fields::of(body, "", report)?;
    f.unknown_keys(DISABLE_KEYS, true);
    let v = f.bool("is_disable", true);
    report.is_valid().then_some(v).flatten()
}

/// Validates a `POST /v2/applications/batch-delete` body.
pub fn parse_batch_delete(body: &Value, report: &mut Report) -> Option<BatchDelete> {
    let mut f = Fields::of(body, "", report)?;
    f.unknown_keys(BATCH_DELETE_KEYS, true);
    let project_id = owned(f.str("project_id", ID));
    let ids = f.array("application_ids", true, BATCH_DELETE_MAX);
    let mut application_ids = Vec::new();
    if let Some(items) = ids {
        if items.is_empty() {
            f.report.error(
                "/application_ids",
                Rule::TooShort { limit: 1 },
                "must hold at least one id",
            );
        }
        for (i, v) in items.iter().enumerate() {
            let path = item("/application_ids", i);
            match v {
                Value::String(s) => {
                    if check_str(s, &path, ID, f.report) {
                        if application_ids.contains(s) {
                            f.report.error(
                                &path,
                                Rule::Duplicate,
                                format_args!("\"{s}\" appears twice"),
                            );
                        } else {
                            application_ids.push(s.clone());
                        }
                    }
                }
                other => f.report.type_error(&path, Expected::STRING, other),
            }
        }
    }
    if !report.is_valid() {
        return None;
    }
    Some(BatchDelete {
        project_id: project_id?,
        application_ids,
    })
}

/// Validates the query of `GET /v1/applications/exist` (`{"name","project_id"}` as an object of
/// the decoded parameters; paths are `/name` and `/project_id`).
pub fn parse_exist(query: &Value, report: &mut Report) -> Option<ExistQuery> {
    let mut f = Fields::of(query, "", report)?;
    f.unknown_keys(EXIST_KEYS, true);
    let name = owned(f.str("name", NAME));
    let project_id = owned(f.str("project_id", ID));
    if !report.is_valid() {
        return None;
    }
    Some(ExistQuery {
        name: name?,
        project_id: project_id?,
    })
}

fn merge_task(stored: Option<&ArrangeInfo>, spec: TaskSpec, id: String) -> ArrangeInfo {
    let base = stored.cloned().unwrap_or(ArrangeInfo {
        id: String::new(),
        deploy_system: DEPLOY_SYSTEMS[0].to_owned(),
        template_id: None,
        ansible_type: None,
        operation_list: Vec::new(),
    });
    ArrangeInfo {
        id,
        deploy_system: spec.deploy_system.unwrap_or(base.deploy_system),
        template_id: spec.template_id.or(base.template_id),
        ansible_type: spec.ansible_type.or(base.ansible_type),
        operation_list: spec.operation_list.unwrap_or(base.operation_list),
    }
}

impl Application {
    /// A new application with `id`, and one task per `task_ids` entry (as many as `new.arrange_infos`).
    pub fn create(id: String, task_ids: Vec<String>, new: NewApplication, now_ms: u64) -> Self {
        let now = crate::clock::codearts_time(now_ms);
        let arrange_infos = new
            .arrange_infos
            .into_iter()
            .zip(task_ids)
            .map(|(spec, tid)| merge_task(None, spec, tid))
            .collect();
        Application {
            id,
            project_id: new.project_id,
            name: new.name,
            description: new.description.unwrap_or_default(),
            group_id: new.group_id.filter(|g| !g.is_empty()),
            is_draft: new.is_draft,
            is_disable: false,
            create_type: new.create_type,
            slave_cluster_id: new.slave_cluster_id.unwrap_or_default(),
            trigger: new.trigger,
            arrange_infos,
            agency_urn: new.agency_urn,
            slave_resource_type: new.slave_resource_type,
            timeout: new.timeout,
            create_time: now.clone(),
            update_time: now,
            created_ms: now_ms,
            updated_ms: now_ms,
        }
    }

    /// Applies an update. `new_task_ids` supplies ids for tasks sent without one. Returns the
    /// index of a task whose `id` is not one of this application's, if any (nothing is changed
    /// then).
    pub fn apply(
        &mut self,
        update: ApplicationUpdate,
        new_task_ids: &mut dyn Iterator<Item = String>,
        now_ms: u64,
    ) -> Result<(), usize> {
        let tasks = match update.arrange_infos {
            None => None,
            Some(specs) => {
                if let Some(bad) = specs.iter().position(|s| {
                    s.id.as_ref()
                        .is_some_and(|id| !self.arrange_infos.iter().any(|a| &a.id == id))
                }) {
                    return Err(bad);
                }
                let mut out = Vec::with_capacity(specs.len());
                for spec in specs {
                    let stored = spec
                        .id
                        .as_ref()
                        .and_then(|id| self.arrange_infos.iter().find(|a| &a.id == id));
                    let id = match (&spec.id, stored) {
                        (Some(id), _) => id.clone(),
                        (None, _) => new_task_ids.next().unwrap_or_default(),
                    };
                    out.push(merge_task(stored, spec, id));
                }
                Some(out)
            }
        };
        self.name = update.name;
        self.is_draft = update.is_draft;
        self.create_type = update.create_type;
        if let Some(d) = update.description {
            self.description = d;
        }
        if let Some(g) = update.group_id {
            self.group_id = Some(g).filter(|g| !g.is_empty());
        }
        if let Some(s) = update.slave_cluster_id {
            self.slave_cluster_id = s;
        }
        if update.trigger.is_some() {
            self.trigger = update.trigger;
        }
        if let Some(t) = tasks {
            self.arrange_infos = t;
        }
        if update.agency_urn.is_some() {
            self.agency_urn = update.agency_urn;
        }
        if update.slave_resource_type.is_some() {
            self.slave_resource_type = update.slave_resource_type;
        }
        if update.timeout.is_some() {
            self.timeout = update.timeout;
        }
        self.touch(now_ms);
        Ok(())
    }

    /// Sets `update_time`.
    pub fn touch(&mut self, now_ms: u64) {
        self.updated_ms = now_ms;
        self.update_time = crate::clock::codearts_time(now_ms);
    }

    /// A copy named `name` with a new id and new task ids, enabled, created `now_ms`.
    pub fn duplicate(&self, id: String, name: String, task_ids: Vec<String>, now_ms: u64) -> Self {
        let mut copy = self.clone();
        copy.id = id;
        copy.name = name;
        copy.is_disable = false;
        for (task, tid) in copy.arrange_infos.iter_mut().zip(task_ids) {
            task.id = tid;
        }
        let now = crate::clock::codearts_time(now_ms);
        copy.create_time = now.clone();
        copy.update_time = now;
        copy.created_ms = now_ms;
        copy.updated_ms = now_ms;
        copy
    }

    /// The deployment system reported at application level (its first task's).
    pub fn deploy_system(&self) -> &str {
        self.arrange_infos
            .first()
            .map_or(DEPLOY_SYSTEMS[0], |a| a.deploy_system.as_str())
    }

    /// Its execution state (never deployed here).
    pub fn execution_state(&self) -> &'static str {
        NEVER_EXECUTED
    }

    /// `AppBaseResponse`: `{id, name, region, arrange_infos: [{id}], is_disable}` (create, update,
    /// delete).
    pub fn base_wire(&self) -> Value {
        let tasks: Vec<Value> = self
            .arrange_infos
            .iter()
            .map(|a| json!({"id": a.id}))
            .collect();
        json!({"id": self.id, "name": self.name, "region": REGION, "is_disable": self.is_disable, "arrange_infos": tasks})
    }

    /// `AppBaseInfo`: `{id, name, region, is_disable}` (duplicate).
    pub fn info_wire(&self) -> Value {
        json!({"id": self.id, "name": self.name, "region": REGION, "is_disable": self.is_disable})
    }

    fn permissions(m: &mut Map<String, Value>) {
        for key in [
            "can_modify",
            "can_delete",
            "can_view",
            "can_execute",
            "can_copy",
            "can_manage",
            "can_create_env",
            "can_disable",
        ] {
            m.insert(key.into(), Value::Bool(true));
        }
    }

    /// `AppExecutionInfo`, one row of a listing (plus `description` and `is_draft`, which the SDK
    /// model lacks and ignores).
    pub fn list_wire(&self) -> Value {
        let mut m = Map::new();
        m.insert("id".into(), self.id.clone().into());
        m.insert("name".into(), self.name.clone().into());
        m.insert("duration".into(), "".into());
        m.insert("is_disable".into(), self.is_disable.into());
        m.insert("project_id".into(), self.project_id.clone().into());
        m.insert("project_name".into(), "".into());
        m.insert("is_care".into(), false.into());
        Self::permissions(&mut m);
        m.insert("deploy_system".into(), self.deploy_system().into());
        m.insert("create_user_id".into(), "".into());
        m.insert("create_tenant_id".into(), "".into());
        m.insert("create_time".into(), self.create_time.clone().into());
        m.insert("update_time".into(), self.update_time.clone().into());
        m.insert("execution_time".into(), "".into());
        m.insert("end_time".into(), "".into());
        m.insert("execution_state".into(), self.execution_state().into());
        m.insert("executor_id".into(), "".into());
        m.insert("executor_nick_name".into(), "".into());
        let tasks: Vec<Value> = self
            .arrange_infos
            .iter()
            .map(|a| json!({"id": a.id, "state": self.execution_state(), "deploy_system": a.deploy_system}))
            .collect();
        m.insert("arrange_infos".into(), tasks.into());
        m.insert("description".into(), self.description.clone().into());
        m.insert("is_draft".into(), self.is_draft.into());
        Value::Object(m)
    }

    /// `AppDetailInfo` (plus the request fields the SDK model cannot show: `is_draft`, `group_id`,
    /// `trigger`, `agency_urn`, `slave_resource_type`, `timeout`, and each task's
    /// `operation_list`).
    pub fn detail_wire(&self) -> Value {
        let mut m = Map::new();
        m.insert("id".into(), self.id.clone().into());
        m.insert("name".into(), self.name.clone().into());
        m.insert("region".into(), REGION.into());
        m.insert("description".into(), self.description.clone().into());
        m.insert("is_disable".into(), self.is_disable.into());
        m.insert("create_type".into(), self.create_type.clone().into());
        m.insert("project_id".into(), self.project_id.clone().into());
        m.insert("project_name".into(), "".into());
        m.insert(
            "slave_cluster_id".into(),
            self.slave_cluster_id.clone().into(),
        );
        m.insert("is_care".into(), false.into());
        Self::permissions(&mut m);
        m.insert("owner_tenant_id".into(), "".into());
        m.insert("create_user_id".into(), "".into());
        m.insert("create_tenant_id".into(), "".into());
        m.insert("create_time".into(), self.create_time.clone().into());
        m.insert("update_time".into(), self.update_time.clone().into());
        m.insert("permission_level".into(), "instance".into());
        let tasks: Vec<Value> = self
            .arrange_infos
            .iter()
            .map(|a| self.task_wire(a))
            .collect();
        m.insert("arrange_infos".into(), tasks.into());
        m.insert("is_draft".into(), self.is_draft.into());
        m.insert(
            "group_id".into(),
            self.group_id.clone().map_or(Value::Null, Value::String),
        );
        m.insert(
            "trigger".into(),
            serde_json::to_value(self.trigger.clone().unwrap_or_default()).unwrap_or(Value::Null),
        );
        m.insert(
            "agency_urn".into(),
            self.agency_urn.clone().map_or(Value::Null, Value::String),
        );
        m.insert(
            "slave_resource_type".into(),
            self.slave_resource_type
                .clone()
                .map_or(Value::Null, Value::String),
        );
        m.insert(
            "timeout".into(),
            self.timeout.map_or(Value::Null, Value::from),
        );
        Value::Object(m)
    }

    /// `TaskV2Info`. `steps` is an object (`step1`, `step2`, ... from the operation list; the SDK
    /// crashes on a list), each `{id, name, params, enable}` with `params` the operation's JSON
    /// object flattened to strings.
    fn task_wire(&self, a: &ArrangeInfo) -> Value {
        let mut steps = Map::new();
        for (i, op) in a.operation_list.iter().enumerate() {
            let params: Map<String, Value> = op
                .params
                .as_deref()
                .and_then(|p| serde_json::from_str::<Value>(p).ok())
                .and_then(|v| match v {
                    Value::Object(o) => Some(o),
                    _ => None,
                })
                .unwrap_or_default()
                .into_iter()
                .map(|(k, v)| {
                    let s = match v {
                        Value::String(s) => s,
                        other => other.to_string(),
                    };
                    (k, Value::String(s))
                })
                .collect();
            steps.insert(
                format!("step{}", i + 1),
                json!({"id": op.id.clone().unwrap_or_default(), "name": op.name.clone().unwrap_or_default(), "params": params, "enable": true}),
            );
        }
        let mut m = Map::new();
        m.insert("id".into(), a.id.clone().into());
        m.insert("name".into(), self.name.clone().into());
        m.insert("state".into(), self.execution_state().into());
        m.insert("description".into(), self.description.clone().into());
        m.insert("owner".into(), "".into());
        m.insert("steps".into(), Value::Object(steps));
        m.insert("project_id".into(), self.project_id.clone().into());
        m.insert("project_name".into(), "".into());
        m.insert("deploy_system".into(), a.deploy_system.clone().into());
        m.insert("create_time".into(), self.create_time.clone().into());
        m.insert("update_time".into(), self.update_time.clone().into());
        m.insert("is_defaut_permission".into(), true.into());
        m.insert(
            "template_id".into(),
            a.template_id.clone().unwrap_or_default().into(),
        );
        m.insert("nick_name".into(), "".into());
        m.insert("owner_id".into(), "".into());
        m.insert("tenant_id".into(), "".into());
        m.insert("tenant_name".into(), "".into());
        m.insert(
            "slave_cluster_id".into(),
            self.slave_cluster_id.clone().into(),
        );
        m.insert("is_care".into(), false.into());
        Self::permissions(&mut m);
        m.insert("app_component_list".into(), Value::Array(Vec::new()));
        m.insert("app_id".into(), self.id.clone().into());
        m.insert("is_disable".into(), self.is_disable.into());
        m.insert(
            "ansible_type".into(),
            a.ansible_type.map_or(Value::Null, Value::from),
        );
        m.insert(
            "operation_list".into(),
            serde_json::to_value(&a.operation_list).unwrap_or(Value::Null),
        );
        Value::Object(m)
    }
}

/// The name a copy of `name` gets on its `n`th try: `{name}_copy`, then `{name}_copy_2`, ...,
/// with `name` shortened so the result stays within [`NAME_MAX`].
pub fn copy_name(name: &str, n: u32) -> String {
    let suffix = if n <= 1 {
        "_copy".to_owned()
    } else {
        format!("_copy_{n}")
    };
    let keep = NAME_MAX.saturating_sub(suffix.len());
    let base: String = name.chars().take(keep).collect();
    format!("{base}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::Code;

    const P: &str = "0123456789abcdef0123456789abcdef";
    const T: &str = "fedcba9876543210fedcba9876543210";

    fn errors(body: Value, f: fn(&Value, &mut Report) -> bool) -> Vec<(String, Code)> {
        let mut r = Report::default();
        f(&body, &mut r);
        r.errors
            .iter()
            .map(|e| (e.path.clone(), e.code()))
            .collect()
    }
    fn create(v: &Value, r: &mut Report) -> bool {
        parse_create(v, r).is_some()
    }
    fn update(v: &Value, r: &mut Report) -> bool {
        parse_update(v, r).is_some()
    }
    fn list(v: &Value, r: &mut Report) -> bool {
        parse_list(v, r).is_some()
    }
    fn e(path: &str, code: Code) -> (String, Code) {
        (path.to_owned(), code)
    }

    fn sdk_create_body() -> Value {
        json!({"project_id": P, "name": "my_app-1", "description": "demo", "is_draft": false, "create_type": "template", "slave_cluster_id": "", "trigger": {"trigger_source": "0"}, "arrange_infos": [{"deploy_system": "deployTemplate", "template_id": T}]})
    }

    #[test]
    fn the_sdks_create_body_is_accepted() {
        let mut r = Report::default();
        let new = parse_create(&sdk_create_body(), &mut r).unwrap();
        assert!(r.errors.is_empty());
        assert_eq!(new.name, "my_app-1");
        assert!(!new.is_draft);
        assert_eq!(new.arrange_infos[0].template_id.as_deref(), Some(T));
        assert_eq!(new.trigger.unwrap().trigger_source.as_deref(), Some("0"));
    }

    #[test]
    fn a_create_needs_project_name_draft_flag_and_type() {
        assert_eq!(
            errors(json!({}), create),
            vec![
                e("/project_id", Code::Required),
                e("/name", Code::Required),
                e("/is_draft", Code::Required),
                e("/create_type", Code::Required)
            ]
        );
        assert_eq!(errors(json!([]), create), vec![e("", Code::Type)]);
    }

    #[test]
    fn every_create_field_rule_is_reported_with_its_path() {
        let body = json!({
            "project_id": "short", "name": "a b", "description": "x".repeat(1025),
            "is_draft": "yes", "create_type": "blank", "slave_cluster_id": "x",
            "group_id": "g", "trigger": {"trigger_source": 2, "artifact_type": "zip", "other": 1},
            "arrange_infos": [{"deploy_system": "ansible", "template_id": "t", "ansible_type": 5, "id": T,
                "operation_list": [{"name": " lead", "params": "{not json", "code": 1, "entrance": "e".repeat(1025)}]}],
            "agency_urn": 3, "timeout": -1, "extra": true
        });
        assert_eq!(
            errors(body, create),
            vec![
                e("/extra", Code::UnknownField),
                e("/project_id", Code::Pattern),
                e("/name", Code::Pattern),
                e("/description", Code::TooLong),
                e("/group_id", Code::Pattern),
                e("/is_draft", Code::Type),
                e("/create_type", Code::Enum),
                e("/slave_cluster_id", Code::Pattern),
                e("/trigger/other", Code::UnknownField),
                e("/trigger/trigger_source", Code::Enum),
                e("/trigger/artifact_type", Code::Enum),
                e("/arrange_infos/0/id", Code::UnknownField),
                e("/arrange_infos/0/deploy_system", Code::Enum),
                e("/arrange_infos/0/template_id", Code::Pattern),
                e("/arrange_infos/0/ansible_type", Code::OutOfRange),
                e("/arrange_infos/0/operation_list/0/name", Code::Pattern),
                e("/arrange_infos/0/operation_list/0/code", Code::Type),
                e(
                    "/arrange_infos/0/operation_list/0/params",
                    Code::InvalidJson
                ),
                e("/arrange_infos/0/operation_list/0/entrance", Code::TooLong),
                e("/agency_urn", Code::Type),
                e("/timeout", Code::OutOfRange),
            ]
        );
    }

    #[test]
    fn names_are_3_to_128_letters_digits_underscores_and_hyphens() {
        let with = |n: &str| {
            let mut b = sdk_create_body();
            b["name"] = json!(n);
            errors(b, create)
        };
        assert!(with("abc").is_empty());
        assert!(with(&"a".repeat(128)).is_empty());
        assert_eq!(with("ab"), vec![e("/name", Code::TooShort)]);
        assert_eq!(with(&"a".repeat(129)), vec![e("/name", Code::TooLong)]);
        assert_eq!(with("app.1"), vec![e("/name", Code::Pattern)]);
        assert_eq!(with("приложение"), vec![e("/name", Code::Pattern)]);
    }

    #[test]
    fn operation_names_allow_spaces_and_punctuation_inside() {
        assert!(is_operation_name("Install (step 1): a/b.c;d,e-f_g"));
        assert!(!is_operation_name("trailing "));
        assert!(!is_operation_name("a*b"));
    }

    #[test]
    fn the_docs_numeric_trigger_source_is_accepted_as_a_string() {
        let mut b = sdk_create_body();
        b["trigger"] =
            json!({"trigger_source": 1, "artifact_source_system": "", "artifact_type": ""});
        let new = parse_create(&b, &mut Report::default()).unwrap();
        assert_eq!(new.trigger.unwrap().trigger_source.as_deref(), Some("1"));
    }

    #[test]
    fn the_seed_update_body_is_accepted() {
        let seed = json!({
          "id" : "e700f15965694253940502911220d76b", "name" : "deployenv20230822192953",
          "project_id" : "55837d272adf4eee90319800e2da6961", "description" : "Update an application.",
          "trigger" : {"trigger_source" : 0, "artifact_source_system" : "", "artifact_type" : ""},
          "slave_cluster_id" : "", "create_type" : "template", "is_draft" : true,
          "arrange_infos" : [ {"id" : "e700f15965694253940502911220d76b", "deploy_system" : "deployTemplate",
            "template_id" : "ec939bdf63194aca9fad45b3ba05643e", "operation_list" : [ ] } ]
        });
        let u = parse_update(&seed, &mut Report::default()).unwrap();
        assert_eq!(u.id, "e700f15965694253940502911220d76b");
        assert_eq!(u.arrange_infos.unwrap()[0].operation_list, Some(vec![]));
    }

    #[test]
    fn an_update_needs_an_id_and_rejects_create_only_task_keys() {
        let mut b = sdk_create_body();
        b["arrange_infos"] = json!([{"ansible_type": 1}, {"id": T}, {"id": T}]);
        assert_eq!(
            errors(b, update),
            vec![
                e("/id", Code::Required),
                e("/arrange_infos/0/ansible_type", Code::UnknownField),
                e("/arrange_infos/2/id", Code::Duplicate),
            ]
        );
    }

    #[test]
    fn list_queries_check_paging_sorting_and_states() {
        assert_eq!(
            errors(json!({"project_id": P}), list),
            vec![e("/page", Code::Required), e("/size", Code::Required)]
        );
        assert_eq!(
            errors(
                json!({"project_id": P, "page": 0, "size": 101, "sort_name": "id", "sort_by": "asc", "states": ["running", "done", 1], "group_id": "x"}),
                list
            ),
            vec![
                e("/page", Code::OutOfRange),
                e("/size", Code::OutOfRange),
                e("/sort_name", Code::Enum),
                e("/sort_by", Code::Enum),
                e("/states/1", Code::Enum),
                e("/states/2", Code::Type),
                e("/group_id", Code::Pattern),
            ]
        );
        assert_eq!(
            errors(json!({"project_id": P, "page": 100000, "size": 1.5}), list),
            vec![e("/page", Code::OutOfRange), e("/size", Code::Type)]
        );
        let q = parse_list(
            &json!({"project_id": P, "page": 99999, "size": 100, "sort_name": "name"}),
            &mut Report::default(),
        )
        .unwrap();
        assert!(q.ascending);
        assert_eq!(q.sort_name, SortName::Name);
        let q = parse_list(
            &json!({"project_id": P, "page": 1, "size": 1, "group_id": "no_grouped"}),
            &mut Report::default(),
        )
        .unwrap();
        assert!(!q.ascending);
        assert_eq!(q.group_id.as_deref(), Some(NO_GROUP));
    }

    #[test]
    fn disable_needs_a_boolean() {
        let run = |v: Value| {
            let mut r = Report::default();
            (
                parse_disable(&v, &mut r),
                r.errors
                    .iter()
                    .map(|e| (e.path.clone(), e.code()))
                    .collect::<Vec<_>>(),
            )
        };
        assert_eq!(run(json!({"is_disable": true})), (Some(true), vec![]));
        assert_eq!(run(json!({"is_disable": false})), (Some(false), vec![]));
        assert_eq!(
            run(json!({})),
            (None, vec![e("/is_disable", Code::Required)])
        );
        assert_eq!(
            run(json!({"is_disable": "false"})),
            (None, vec![e("/is_disable", Code::Type)])
        );
    }

    #[test]
    fn batch_delete_needs_distinct_valid_ids() {
        let run = |v: Value| {
            let mut r = Report::default();
            parse_batch_delete(&v, &mut r);
            r.errors
                .into_iter()
                .map(|e| (e.path.clone(), e.code()))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            run(json!({"project_id": P, "application_ids": [T, "x", T, 7]})),
            vec![
                e("/application_ids/1", Code::Pattern),
                e("/application_ids/2", Code::Duplicate),
                e("/application_ids/3", Code::Type)
            ]
        );
        assert_eq!(
            run(json!({"project_id": P, "application_ids": []})),
            vec![e("/application_ids", Code::TooShort)]
        );
        assert_eq!(
            run(json!({"project_id": P, "application_ids": vec![T; 101]})),
            vec![e("/application_ids", Code::TooLong)]
        );
        assert_eq!(
            run(json!({})),
            vec![
                e("/project_id", Code::Required),
                e("/application_ids", Code::Required)
            ]
        );
    }

    #[test]
    fn exist_queries_need_a_name_and_project() {
        let mut r = Report::default();
        assert!(parse_exist(&json!({"name": "ab"}), &mut r).is_none());
        let got: Vec<_> = r
            .errors
            .iter()
            .map(|e| (e.path.as_str(), e.code()))
            .collect();
        assert_eq!(
            got,
            [("/name", Code::TooShort), ("/project_id", Code::Required)]
        );
    }

    #[test]
    fn copy_names_stay_within_128_characters() {
        assert_eq!(copy_name("app", 1), "app_copy");
        assert_eq!(copy_name("app", 2), "app_copy_2");
        let long = "a".repeat(128);
        assert_eq!(copy_name(&long, 1).len(), 128);
        assert!(copy_name(&long, 12).ends_with("_copy_12"));
        assert_eq!(copy_name(&long, 12).len(), 128);
    }

    #[test]
    fn details_use_the_sdk_models_shapes() {
        let mut b = sdk_create_body();
        b["arrange_infos"][0]["operation_list"] =
            json!([{"name": "install", "params": "{\"port\": 80, \"dir\": \"/opt\"}"}]);
        let new = parse_create(&b, &mut Report::default()).unwrap();
        let app = Application::create("a".repeat(32), vec!["b".repeat(32)], new, 1_422_717_156_789);
        let d = app.detail_wire();
        assert_eq!(d["create_time"], "2015-01-31 15:12:36");
        assert_eq!(d["is_disable"], false);
        let task = &d["arrange_infos"][0];
        assert_eq!(task["is_defaut_permission"], true);
        assert_eq!(
            task["steps"]["step1"]["params"],
            json!({"port": "80", "dir": "/opt"})
        );
        assert!(app.list_wire()["arrange_infos"][0]["state"].is_string());
        assert_eq!(
            app.base_wire(),
            json!({"id": "a".repeat(32), "name": "my_app-1", "region": REGION, "is_disable": false, "arrange_infos": [{"id": "b".repeat(32)}]})
        );
    }

    #[test]
    fn an_update_keeps_what_it_does_not_send_and_refuses_foreign_task_ids() {
        let new = parse_create(&sdk_create_body(), &mut Report::default()).unwrap();
        let mut app = Application::create("a".repeat(32), vec!["b".repeat(32)], new, 1000);
        let upd = |tasks: Value| {
            parse_update(
                &json!({"id": "a".repeat(32), "project_id": P, "name": "renamed", "is_draft": true, "create_type": "template", "arrange_infos": tasks}),
                &mut Report::default(),
            )
            .unwrap()
        };
        let before = app.clone();
        assert_eq!(
            app.apply(
                upd(json!([{"id": "c".repeat(32)}])),
                &mut std::iter::empty(),
                2000
            ),
            Err(0)
        );
        assert_eq!(app, before);
        app.apply(
            upd(json!([{"id": "b".repeat(32)}, {"template_id": T}])),
            &mut std::iter::once("d".repeat(32)),
            2000,
        )
        .unwrap();
        assert_eq!(app.name, "renamed");
        assert_eq!(app.description, "demo");
        assert_eq!(app.arrange_infos[0].template_id.as_deref(), Some(T));
        assert_eq!(app.arrange_infos[1].id, "d".repeat(32));
        assert_eq!(app.updated_ms, 2000);
        assert_eq!(app.created_ms, 1000);
    }
}
