//! Validation of every CodeArts request payload.
//!
//! `parse_*` functions take a payload as JSON and return either a validated value or `None` with
//! every problem recorded in the [`Report`], each with a JSON-pointer path and a [`Code`]. The same
//! functions back the Worker and the npm package. Unknown keys are errors (`unknown_field`): the
//! Huawei models are closed and the SDKs never send keys outside them, so an unknown key is a typo.

use super::enums::{CreateType, ExecutionState, SortBy, SortName, TriggerSource};
use super::orchestration::{Operation, Trigger};
use super::request::{
    ApplicationUpdate, BatchDelete, ExistQuery, GroupFilter, ListQuery, NewApplication, TaskSpec,
};
use super::rules::*;
use crate::validate::{check_str, item, Choice, Expected, Fields, Report, Rule, StrRule};
use serde_json::Value;

/// The keys of a create body; an update's are `id` and these.
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
    create_type: Option<CreateType>,
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
    let create_type = f.choice("create_type", true);
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
/// both are accepted (and sent on as the string, see [`super::Payload::sent_body`]).
fn parse_trigger(v: &Value, path: &str, report: &mut Report) -> Option<Trigger> {
    let mut f = Fields::of(v, path, report)?;
    f.unknown_keys(TRIGGER_KEYS, true);
    let trigger_source = match f.present("trigger_source") {
        Some(Value::Number(n)) => {
            let source = TriggerSource::parse(&n.to_string());
            if source.is_none() {
                let p = f.at("trigger_source");
                f.report.not_one_of(&p, TriggerSource::NAMES);
            }
            source
        }
        _ => f.choice("trigger_source", false),
    };
    let artifact_source_system = f.choice("artifact_source_system", false);
    let artifact_type = f.choice("artifact_type", false);
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
    let deploy_system = f.choice("deploy_system", false);
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
    let known: Vec<&str> = std::iter::once("id")
        .chain(CREATE_KEYS.iter().copied())
        .collect();
    f.unknown_keys(&known, true);
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
    let sort_name = f.choice("sort_name", false);
    let sort_by = f.choice("sort_by", false);
    let states = f
        .array("states", false, ExecutionState::ALL.len())
        .map(|items| {
            let base = f.at("states");
            let mut out = Vec::new();
            for (i, v) in items.iter().enumerate() {
                let path = item(&base, i);
                match v {
                    Value::String(s) => match ExecutionState::parse(s) {
                        Some(state) => out.push(state),
                        None => f.report.not_one_of(&path, ExecutionState::NAMES),
                    },
                    other => f.report.type_error(&path, Expected::STRING, other),
                }
            }
            out
        });
    let group_id = f
        .str("group_id", GROUP_FILTER)
        .filter(|g| !g.is_empty())
        .map(|g| match g {
            NO_GROUP => GroupFilter::NoGroup,
            id => GroupFilter::Group(id.to_owned()),
        });
    if !report.is_valid() {
        return None;
    }
    let sort_name = sort_name.unwrap_or(SortName::StartTime);
    Some(ListQuery {
        project_id: project_id?,
        search: search.filter(|s| !s.is_empty()),
        page: u32::try_from(page?).ok()?,
        size: u32::try_from(size?).ok()?,
        sort_name,
        sort_by: sort_by.unwrap_or(SortBy::default_for(sort_name)),
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

#[cfg(test)]
mod tests {
    use super::super::tests::{sdk_create_body, P, T};
    use super::*;
    use crate::validate::Code;
    use serde_json::json;

    fn errors(body: Value, f: fn(&Value, &mut Report) -> bool) -> Vec<(String, Code)> {
        let mut r = Report::default();
        f(&body, &mut r);
        r.errors
            .into_iter()
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

    #[test]
    fn the_sdks_create_body_is_accepted() {
        let mut r = Report::default();
        let new = parse_create(&sdk_create_body(), &mut r).unwrap();
        assert!(r.errors.is_empty());
        assert_eq!(new.name, "my_app-1");
        assert!(!new.is_draft);
        assert_eq!(new.arrange_infos[0].template_id.as_deref(), Some(T));
        assert_eq!(
            new.trigger.unwrap().trigger_source.map(Choice::as_str),
            Some("0")
        );
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
    fn the_docs_numeric_trigger_source_is_accepted_as_a_string() {
        let mut b = sdk_create_body();
        b["trigger"] =
            json!({"trigger_source": 1, "artifact_source_system": "", "artifact_type": ""});
        let new = parse_create(&b, &mut Report::default()).unwrap();
        assert_eq!(
            new.trigger.unwrap().trigger_source.map(Choice::as_str),
            Some("1")
        );
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
        assert!(q.ascending());
        assert_eq!(q.sort_name, SortName::Name);
        let q = parse_list(
            &json!({"project_id": P, "page": 1, "size": 1, "group_id": "no_grouped"}),
            &mut Report::default(),
        )
        .unwrap();
        assert!(!q.ascending());
        assert_eq!(q.group_id, Some(GroupFilter::NoGroup));
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
}
