//! The response bodies of the CodeArts API, one typed view per wire shape of Huawei's SDK models,
//! built from a stored [`Application`] and kept apart from it.
//!
//! Fields are declared in sorted key order, the order the bodies had when they were built as
//! `serde_json` maps (which sort their keys): the tests hold every view to the bytes it had then
//! (`golden/views.txt`) and to that order.

use super::enums::{
    ArtifactSourceSystem, ArtifactType, CreateType, DeploySystem, ExecutionState, Outcome,
    TriggerSource,
};
use super::model::{Application, ArrangeInfo, DeleteOutcome};
use super::orchestration::Operation;
use serde::{Serialize, Serializer};
use serde_json::Value;
use std::collections::BTreeMap;

/// The region every application reports.
pub const REGION: &str = "deploy-edge";
/// The permission level every application reports.
const PERMISSION_LEVEL: &str = "instance";

/// A field Huawei fills and we have no value for (users, tenants, execution times): always `""`.
#[derive(Debug, Clone, Copy)]
struct Blank;

impl Serialize for Blank {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str("")
    }
}

/// The `can_*` flags: a caller may do anything to its own project's applications.
#[derive(Debug, Clone, Copy, Serialize)]
struct Permissions {
    can_copy: bool,
    can_create_env: bool,
    can_delete: bool,
    can_disable: bool,
    can_execute: bool,
    can_manage: bool,
    can_modify: bool,
    can_view: bool,
}

const ALL_PERMITTED: Permissions = Permissions {
    can_copy: true,
    can_create_env: true,
    can_delete: true,
    can_disable: true,
    can_execute: true,
    can_manage: true,
    can_modify: true,
    can_view: true,
};

/// `{"result": …, "status": "success"}`, or `{"status": "success"}` without a result.
#[derive(Debug, Serialize)]
pub struct Success<T> {
    #[serde(skip_serializing_if = "Option::is_none")]
    result: Option<T>,
    status: Outcome,
}

impl<T> Success<T> {
    pub fn of(result: T) -> Self {
        Success {
            result: Some(result),
            status: Outcome::Success,
        }
    }
}

impl Success<()> {
    /// `{"status": "success"}` (disable).
    pub fn done() -> Self {
        Success {
            result: None,
            status: Outcome::Success,
        }
    }
}

/// `{"result": [...], "total_num": N}`: a page of a listing (`N` counts every match) or the lines
/// of a batch delete.
#[derive(Debug, Serialize)]
pub struct Page<T> {
    result: Vec<T>,
    total_num: usize,
}

impl<T> Page<T> {
    pub fn new(total_num: usize, result: Vec<T>) -> Self {
        Page { result, total_num }
    }
}

#[derive(Debug, Serialize)]
struct TaskId<'a> {
    id: &'a str,
}

/// `AppBaseResponse`: create, update and delete answer it.
#[derive(Debug, Serialize)]
pub struct AppBase<'a> {
    arrange_infos: Vec<TaskId<'a>>,
    id: &'a str,
    is_disable: bool,
    name: &'a str,
    region: &'static str,
}

impl<'a> From<&'a Application> for AppBase<'a> {
    fn from(app: &'a Application) -> Self {
        AppBase {
            arrange_infos: app
                .arrange_infos
                .iter()
                .map(|a| TaskId { id: &a.id })
                .collect(),
            id: &app.id,
            is_disable: app.is_disable,
            name: &app.name,
            region: REGION,
        }
    }
}

/// `AppBaseInfo`: duplicate answers it.
#[derive(Debug, Serialize)]
pub struct AppInfo<'a> {
    id: &'a str,
    is_disable: bool,
    name: &'a str,
    region: &'static str,
}

impl<'a> From<&'a Application> for AppInfo<'a> {
    fn from(app: &'a Application) -> Self {
        AppInfo {
            id: &app.id,
            is_disable: app.is_disable,
            name: &app.name,
            region: REGION,
        }
    }
}

#[derive(Debug, Serialize)]
struct TaskState<'a> {
    deploy_system: DeploySystem,
    id: &'a str,
    state: ExecutionState,
}

/// `AppExecutionInfo`, one row of a listing, plus `description` and `is_draft` (which the SDK
/// model lacks and ignores).
#[derive(Debug, Serialize)]
pub struct AppRow<'a> {
    arrange_infos: Vec<TaskState<'a>>,
    #[serde(flatten)]
    permissions: Permissions,
    create_tenant_id: Blank,
    create_time: &'a str,
    create_user_id: Blank,
    deploy_system: DeploySystem,
    description: &'a str,
    duration: Blank,
    end_time: Blank,
    execution_state: ExecutionState,
    execution_time: Blank,
    executor_id: Blank,
    executor_nick_name: Blank,
    id: &'a str,
    is_care: bool,
    is_disable: bool,
    is_draft: bool,
    name: &'a str,
    project_id: &'a str,
    project_name: Blank,
    update_time: &'a str,
}

impl<'a> From<&'a Application> for AppRow<'a> {
    fn from(app: &'a Application) -> Self {
        AppRow {
            arrange_infos: app
                .arrange_infos
                .iter()
                .map(|a| TaskState {
                    deploy_system: a.deploy_system,
                    id: &a.id,
                    state: app.execution_state(),
                })
                .collect(),
            permissions: ALL_PERMITTED,
            create_tenant_id: Blank,
            create_time: &app.create_time,
            create_user_id: Blank,
            deploy_system: app.deploy_system(),
            description: &app.description,
            duration: Blank,
            end_time: Blank,
            execution_state: app.execution_state(),
            execution_time: Blank,
            executor_id: Blank,
            executor_nick_name: Blank,
            id: &app.id,
            is_care: false,
            is_disable: app.is_disable,
            is_draft: app.is_draft,
            name: &app.name,
            project_id: &app.project_id,
            project_name: Blank,
            update_time: &app.update_time,
        }
    }
}

/// `TaskTriggerVO` as the detail shows it: `{}` when there is none.
#[derive(Debug, Default, Serialize)]
struct TriggerView {
    #[serde(skip_serializing_if = "Option::is_none")]
    artifact_source_system: Option<ArtifactSourceSystem>,
    #[serde(skip_serializing_if = "Option::is_none")]
    artifact_type: Option<ArtifactType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    trigger_source: Option<TriggerSource>,
}

/// `AppDetailInfo`, plus the request fields the SDK model cannot show: `is_draft`, `group_id`,
/// `trigger`, `agency_urn`, `slave_resource_type`, `timeout`, and each task's `operation_list`.
#[derive(Debug, Serialize)]
pub struct AppDetail<'a> {
    agency_urn: Option<&'a str>,
    arrange_infos: Vec<TaskDetail<'a>>,
    #[serde(flatten)]
    permissions: Permissions,
    create_tenant_id: Blank,
    create_time: &'a str,
    create_type: CreateType,
    create_user_id: Blank,
    description: &'a str,
    group_id: Option<&'a str>,
    id: &'a str,
    is_care: bool,
    is_disable: bool,
    is_draft: bool,
    name: &'a str,
    owner_tenant_id: Blank,
    permission_level: &'static str,
    project_id: &'a str,
    project_name: Blank,
    region: &'static str,
    slave_cluster_id: &'a str,
    slave_resource_type: Option<&'a str>,
    timeout: Option<i64>,
    trigger: TriggerView,
    update_time: &'a str,
}

impl<'a> From<&'a Application> for AppDetail<'a> {
    fn from(app: &'a Application) -> Self {
        let trigger = app
            .trigger
            .as_ref()
            .map_or_else(TriggerView::default, |t| TriggerView {
                artifact_source_system: t.artifact_source_system,
                artifact_type: t.artifact_type,
                trigger_source: t.trigger_source,
            });
        AppDetail {
            agency_urn: app.agency_urn.as_deref(),
            arrange_infos: app
                .arrange_infos
                .iter()
                .map(|a| TaskDetail::new(app, a))
                .collect(),
            permissions: ALL_PERMITTED,
            create_tenant_id: Blank,
            create_time: &app.create_time,
            create_type: app.create_type,
            create_user_id: Blank,
            description: &app.description,
            group_id: app.group_id.as_deref(),
            id: &app.id,
            is_care: false,
            is_disable: app.is_disable,
            is_draft: app.is_draft,
            name: &app.name,
            owner_tenant_id: Blank,
            permission_level: PERMISSION_LEVEL,
            project_id: &app.project_id,
            project_name: Blank,
            region: REGION,
            slave_cluster_id: &app.slave_cluster_id,
            slave_resource_type: app.slave_resource_type.as_deref(),
            timeout: app.timeout,
            trigger,
            update_time: &app.update_time,
        }
    }
}

/// One step of a task's detail: an operation as the console shows it.
#[derive(Debug, Serialize)]
struct Step<'a> {
    enable: bool,
    id: &'a str,
    name: &'a str,
    /// The operation's JSON object, its values flattened to strings.
    params: BTreeMap<String, String>,
}

impl<'a> From<&'a Operation> for Step<'a> {
    fn from(op: &'a Operation) -> Self {
        let params = op
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
                (k, s)
            })
            .collect();
        Step {
            enable: true,
            id: op.id.as_deref().unwrap_or_default(),
            name: op.name.as_deref().unwrap_or_default(),
            params,
        }
    }
}

/// An operation of a task's detail (`operation_list`), as it was sent.
#[derive(Debug, Serialize)]
struct OperationView<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    entrance: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    module_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    params: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<&'a str>,
}

impl<'a> From<&'a Operation> for OperationView<'a> {
    fn from(op: &'a Operation) -> Self {
        OperationView {
            code: op.code.as_deref(),
            description: op.description.as_deref(),
            entrance: op.entrance.as_deref(),
            id: op.id.as_deref(),
            module_id: op.module_id.as_deref(),
            name: op.name.as_deref(),
            params: op.params.as_deref(),
            version: op.version.as_deref(),
        }
    }
}

/// `TaskV2Info`, plus the task's `operation_list` and `ansible_type`. `steps` is an object
/// (`step1`, `step2`, ... from the operation list; the SDK crashes on a list) whose keys sort as
/// strings (`step10` before `step2`), as they always have.
#[derive(Debug, Serialize)]
struct TaskDetail<'a> {
    ansible_type: Option<i64>,
    app_component_list: [(); 0],
    app_id: &'a str,
    #[serde(flatten)]
    permissions: Permissions,
    create_time: &'a str,
    deploy_system: DeploySystem,
    description: &'a str,
    id: &'a str,
    is_care: bool,
    /// Huawei's spelling.
    is_defaut_permission: bool,
    is_disable: bool,
    name: &'a str,
    nick_name: Blank,
    operation_list: Vec<OperationView<'a>>,
    owner: Blank,
    owner_id: Blank,
    project_id: &'a str,
    project_name: Blank,
    slave_cluster_id: &'a str,
    state: ExecutionState,
    steps: BTreeMap<String, Step<'a>>,
    template_id: &'a str,
    tenant_id: Blank,
    tenant_name: Blank,
    update_time: &'a str,
}

impl<'a> TaskDetail<'a> {
    fn new(app: &'a Application, a: &'a ArrangeInfo) -> Self {
        TaskDetail {
            ansible_type: a.ansible_type,
            app_component_list: [],
            app_id: &app.id,
            permissions: ALL_PERMITTED,
            create_time: &app.create_time,
            deploy_system: a.deploy_system,
            description: &app.description,
            id: &a.id,
            is_care: false,
            is_defaut_permission: true,
            is_disable: app.is_disable,
            name: &app.name,
            nick_name: Blank,
            operation_list: a.operation_list.iter().map(OperationView::from).collect(),
            owner: Blank,
            owner_id: Blank,
            project_id: &app.project_id,
            project_name: Blank,
            slave_cluster_id: &app.slave_cluster_id,
            state: app.execution_state(),
            steps: a
                .operation_list
                .iter()
                .enumerate()
                .map(|(i, op)| (format!("step{}", i + 1), Step::from(op)))
                .collect(),
            template_id: a.template_id.as_deref().unwrap_or_default(),
            tenant_id: Blank,
            tenant_name: Blank,
            update_time: &app.update_time,
        }
    }
}

/// `AppDeleteResult`: one line of a batch delete.
#[derive(Debug, Serialize)]
pub struct DeleteResult<'a> {
    application_id: &'a str,
    application_name: &'a str,
    error_reason: &'a str,
    status: Outcome,
}

impl<'a> From<&'a DeleteOutcome> for DeleteResult<'a> {
    fn from(o: &'a DeleteOutcome) -> Self {
        DeleteResult {
            application_id: &o.application_id,
            application_name: &o.application_name,
            error_reason: o.error_reason.as_deref().unwrap_or_default(),
            status: match o.error_reason {
                None => Outcome::Success,
                Some(_) => Outcome::Error,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse::parse_create;
    use super::super::tests::{sdk_create_body, P, T};
    use super::*;
    use crate::validate::Report;
    use serde_json::json;

    /// An application with every field set: two tasks, the first with ten operations (so `step10`
    /// sorts before `step2`, as map keys do), parameters of every JSON type.
    fn rich_app() -> Application {
        let mut ops = vec![
            json!({"id": "1".repeat(32), "name": "step 1", "description": "d", "code": "c",
            "params": "{\"n\": 1, \"b\": true, \"s\": \"x\", \"o\": {\"k\": [1]}, \"z\": null}",
            "entrance": "e", "version": "v", "module_id": "m"}),
        ];
        ops.extend((2..=10).map(|i| json!({"name": format!("step {i}")})));
        let body = json!({"project_id": P, "name": "rich", "description": "all", "group_id": "f".repeat(32),
            "is_draft": true, "create_type": "template", "slave_cluster_id": "c".repeat(32),
            "trigger": {"trigger_source": 1, "artifact_source_system": "Artifact", "artifact_type": "docker"},
            "arrange_infos": [{"template_id": T, "ansible_type": 1, "operation_list": ops},
                              {"operation_list": [{"params": "[1]"}, {}]}],
            "agency_urn": "urn:x", "slave_resource_type": "ecs", "timeout": 3600});
        let new = parse_create(&body, &mut Report::default()).unwrap();
        Application::create(
            "a".repeat(32),
            vec!["b".repeat(32), "d".repeat(32)],
            new,
            1_422_717_156_789,
        )
    }

    /// A disabled application with nothing optional.
    fn bare_app() -> Application {
        let body =
            json!({"project_id": P, "name": "bare", "is_draft": false, "create_type": "template"});
        let new = parse_create(&body, &mut Report::default()).unwrap();
        let mut app = Application::create("e".repeat(32), vec![], new, 1_000);
        app.is_disable = true;
        app.touch(61_000);
        app
    }

    /// The bytes each response body had before the views were typed: `golden/views.txt`, one
    /// `label body` line each.
    fn golden(label: &str) -> &'static str {
        include_str!("golden/views.txt")
            .lines()
            .find_map(|l| l.strip_prefix(label)?.strip_prefix(' '))
            .unwrap_or_else(|| panic!("no golden {label}"))
    }

    fn text(view: impl Serialize) -> String {
        let direct = serde_json::to_string(&view).unwrap();
        // Through a map, whose keys sort: the order the fields must be declared in.
        let sorted = serde_json::to_value(&view).unwrap().to_string();
        assert_eq!(direct, sorted, "fields out of sorted order");
        direct
    }

    #[test]
    fn the_response_bodies_keep_their_bytes() {
        let (rich, bare) = (rich_app(), bare_app());
        for (label, got) in [
            ("rich_base", text(AppBase::from(&rich))),
            ("rich_info", text(AppInfo::from(&rich))),
            ("rich_list", text(AppRow::from(&rich))),
            ("rich_detail", text(AppDetail::from(&rich))),
            ("bare_base", text(AppBase::from(&bare))),
            ("bare_list", text(AppRow::from(&bare))),
            ("bare_detail", text(AppDetail::from(&bare))),
        ] {
            assert_eq!(got, golden(label), "{label}");
        }
    }

    #[test]
    fn envelopes_and_batch_lines_keep_their_bytes() {
        assert_eq!(
            text(Success::of(true)),
            r#"{"result":true,"status":"success"}"#
        );
        assert_eq!(text(Success::done()), r#"{"status":"success"}"#);
        let lines = [
            DeleteOutcome {
                application_id: "x".into(),
                application_name: "alpha".into(),
                error_reason: None,
            },
            DeleteOutcome {
                application_id: "y".into(),
                application_name: String::new(),
                error_reason: Some("gone".into()),
            },
        ];
        assert_eq!(
            text(Page::new(2, lines.iter().map(DeleteResult::from).collect())),
            r#"{"result":[{"application_id":"x","application_name":"alpha","error_reason":"","status":"success"},{"application_id":"y","application_name":"","error_reason":"gone","status":"error"}],"total_num":2}"#
        );
    }

    #[test]
    fn details_use_the_sdk_models_shapes() {
        let mut b = sdk_create_body();
        b["arrange_infos"][0]["operation_list"] =
            json!([{"name": "install", "params": "{\"port\": 80, \"dir\": \"/opt\"}"}]);
        let new = parse_create(&b, &mut Report::default()).unwrap();
        let app = Application::create("a".repeat(32), vec!["b".repeat(32)], new, 1_422_717_156_789);
        let d = serde_json::to_value(AppDetail::from(&app)).unwrap();
        assert_eq!(d["create_time"], "2015-01-31 15:12:36");
        assert_eq!(d["is_disable"], false);
        let task = &d["arrange_infos"][0];
        assert_eq!(task["is_defaut_permission"], true);
        assert_eq!(
            task["steps"]["step1"]["params"],
            json!({"port": "80", "dir": "/opt"})
        );
        let row = serde_json::to_value(AppRow::from(&app)).unwrap();
        assert!(row["arrange_infos"][0]["state"].is_string());
        assert_eq!(
            serde_json::to_value(AppBase::from(&app)).unwrap(),
            json!({"id": "a".repeat(32), "name": "my_app-1", "region": REGION, "is_disable": false, "arrange_infos": [{"id": "b".repeat(32)}]})
        );
    }
}
