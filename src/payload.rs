//! Request kinds of both APIs, for the npm package: validation by kind (with the Worker's own
//! parse functions) and request building.
//!
//! A *kind* names one request body of either API (`software_deployment.create`,
//! `application.update`, ...). [`validate`] runs exactly the parse function the Worker runs for
//! that request, so the package and the server give the same [`Report`]. [`build_request`] turns a
//! caller's input (the body plus the ids that go in the path) into the method, path and JSON body
//! the server expects, with the server's defaults applied. Pure: the wasm layer (`src/wasm.rs`)
//! only converts values.

use crate::domain::codearts;
use crate::domain::heat::{DeploymentUpdate, NewConfig, NewDeployment, ID_MAX};
use crate::operations::{ByApi, CodeArtsCall, HeatCall, OPERATIONS};
use crate::validate::{child, parse_json, Expected, Fields, Report, Rule, StrRule};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::{Map, Value};
use std::fmt;

/// A request a client builds: a Heat or CodeArts [`Operation`](crate::operations::Operation)
/// (`software_deployment.update`). Its method, path and what it carries come from its row of
/// [`OPERATIONS`].
pub use crate::operations::{Carries, Operation as Kind};

/// A project id in a path: 32 letters and digits (what the Worker accepts).
const PROJECT_ID: StrRule = StrRule::required(usize::MAX)
    .pattern(crate::auth::is_project_id, crate::auth::PROJECT_ID_PATTERN);
/// A config or deployment id in a path.
const ID: StrRule = StrRule::required(ID_MAX);
/// A server id in a path: 1 to 36 characters, as on deployments.
const SERVER_ID: StrRule = StrRule::required(ID_MAX).min(1);
/// An application id in a path: 32 letters and digits.
const APP_ID: StrRule = codearts::ID;

/// The rule of a path id, by its name in the table's templates.
fn path_id_rule(name: &str) -> StrRule {
    match name {
        "project_id" => PROJECT_ID,
        "server_id" => SERVER_ID,
        "app_id" | "group_id" | "host_id" | "environment_id" | "task_id" | "record_id" => APP_ID,
        _ => ID,
    }
}

impl Kind {
    /// Every kind, in the table's order.
    pub fn kinds() -> impl Iterator<Item = Kind> {
        OPERATIONS
            .iter()
            .map(|d| d.operation)
            .filter(|op| op.kind().is_some())
    }

    /// The kind's wire name, e.g. `software_deployment.create` (empty for an operation that is
    /// no kind).
    pub fn as_str(self) -> &'static str {
        self.kind().unwrap_or_default()
    }

    /// Every kind's name.
    pub fn names() -> impl Iterator<Item = &'static str> {
        Kind::kinds().map(Kind::as_str)
    }

    /// Looks a kind up by name; the error names every known kind.
    pub fn parse(name: &str) -> Result<Kind, UnknownKind> {
        Kind::kinds()
            .find(|k| k.as_str() == name)
            .ok_or_else(|| UnknownKind(name.to_owned()))
    }

    /// The keys of [`build_request`]'s input that go in the path, with their rules, in path order.
    pub fn path_ids(self) -> Vec<(&'static str, StrRule)> {
        crate::operations::path_ids(self.path())
            .map(|name| (name, path_id_rule(name)))
            .collect()
    }

    /// The path, from the (already encoded) values of [`Kind::path_ids`] in order.
    fn filled_path(self, ids: &[String]) -> String {
        let mut values = ids.iter();
        self.path()
            .split('/')
            .map(|s| {
                if s.starts_with('{') {
                    values.next().map_or("", String::as_str)
                } else {
                    s
                }
            })
            .collect::<Vec<_>>()
            .join("/")
    }
}

/// A kind name that is not one of [`Kind::kinds`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownKind(pub String);

impl fmt::Display for UnknownKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown kind \"{}\"; known kinds: ", self.0)?;
        f.write_str(&Kind::names().collect::<Vec<_>>().join(", "))
    }
}

impl std::error::Error for UnknownKind {}

/// The request a kind's input is sent with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuiltRequest {
    /// `GET`, `POST`, `PUT` or `DELETE`.
    pub method: &'static str,
    /// Path (ids percent-encoded) and query, relative to the service endpoint.
    pub path: String,
    /// Compact JSON with the server's defaults applied; `None` for requests without a body.
    pub body: Option<String>,
}

impl BuiltRequest {
    /// Headers the request needs: JSON accept, and the JSON content type when there is a body.
    pub fn headers(&self) -> Vec<(&'static str, &'static str)> {
        let mut h = vec![("Accept", "application/json")];
        if self.body.is_some() {
            h.push(("Content-Type", "application/json"));
        }
        h
    }
}

/// Validates `payload` as the body of a `kind` request, exactly as the Worker does. For
/// `application.exist` the payload is the query (`{name, project_id}`); for kinds without a body
/// (`application.info`, `.delete`, `.duplicate`) it is the path ids (`{app_id}`).
pub fn validate(kind: Kind, payload: &Value) -> Report {
    let mut report = Report::default();
    match kind.carries() {
        Carries::Body | Carries::OptionalBody | Carries::Query => {
            parse(kind, payload, &mut report);
        }
        Carries::Nothing => {
            if let Some(mut f) = Fields::of(payload, "", &mut report) {
                path_ids(kind, &mut f, true);
            }
        }
    }
    report
}

/// Validates a JSON text as the body of a `kind` request, exactly as the Worker reads a request
/// body: blank text is `required` (`{}` for a kind whose body is optional), malformed JSON
/// `invalid_json`, both at the root (`""`).
pub fn validate_json(kind: Kind, text: &str) -> Report {
    if kind.carries() == Carries::OptionalBody && no_body(text.as_bytes()) {
        return validate(kind, &Value::Object(Map::new()));
    }
    match parse_body_text(text) {
        Ok(value) => validate(kind, &value),
        Err(report) => report,
    }
}

/// True for a body a kind whose body is optional reads as `{}`: empty or ASCII whitespace only
/// (the Worker and the package alike; anything else is parsed, and a blank text is `required`).
pub fn no_body(body: &[u8]) -> bool {
    body.iter().all(u8::is_ascii_whitespace)
}

/// Parses a body the way `api::json_body` does, as a report on failure.
pub fn parse_body_text(text: &str) -> Result<Value, Report> {
    let mut report = Report::default();
    if text.trim().is_empty() {
        report.error("", Rule::Required, "is required (send a JSON document)");
        return Err(report);
    }
    parse_json(text).map_err(|e| {
        report.errors.push(e);
        report
    })
}

/// What a kind's parse function produced, ready to serialise as the request body.
enum Parsed {
    Config(NewConfig),
    Deployments(Vec<NewDeployment>, bool),
    DeploymentUpdate(DeploymentUpdate),
    /// A body or query sent as the caller wrote it once valid: a listing's query, a template to
    /// validate.
    AsGiven,
    /// A CodeArts body or query, validated; [`codearts::Payload::sent_body`] normalises it.
    CodeArts(codearts::Payload),
    /// A kind that carries nothing but its path ids.
    Nothing,
}

/// Runs the kind's parse function (the Worker's, from the operation table) over `body`.
fn parse(kind: Kind, body: &Value, report: &mut Report) -> Option<Parsed> {
    Some(match kind.by_api() {
        ByApi::Heat(op) => match op.parse(body, report)? {
            HeatCall::SoftwareConfigCreate(new) => Parsed::Config(new),
            HeatCall::SoftwareDeploymentCreate((items, batch)) => Parsed::Deployments(items, batch),
            HeatCall::SoftwareDeploymentUpdate(update) => Parsed::DeploymentUpdate(update),
            HeatCall::SoftwareConfigList(_)
            | HeatCall::SoftwareDeploymentList(_)
            | HeatCall::TemplateValidate(_) => Parsed::AsGiven,
            HeatCall::SoftwareConfigShow
            | HeatCall::SoftwareConfigDelete
            | HeatCall::SoftwareDeploymentShow
            | HeatCall::SoftwareDeploymentDelete
            | HeatCall::SoftwareDeploymentMetadata
            | HeatCall::ServerAgentShow
            | HeatCall::ServerAgentIssue
            | HeatCall::ServerAgentRevoke => Parsed::Nothing,
        },
        ByApi::CodeArts(op) => match op.parse(body, report)? {
            CodeArtsCall::ApplicationCreate(new) => {
                Parsed::CodeArts(codearts::Payload::Create(new))
            }
            CodeArtsCall::ApplicationUpdate(update) => {
                Parsed::CodeArts(codearts::Payload::Update(update))
            }
            CodeArtsCall::ApplicationList(query) => {
                Parsed::CodeArts(codearts::Payload::List(query))
            }
            CodeArtsCall::ApplicationExist(query) => {
                Parsed::CodeArts(codearts::Payload::Exist(query))
            }
            CodeArtsCall::ApplicationDisable(disabled) => {
                Parsed::CodeArts(codearts::Payload::Disable(disabled))
            }
            CodeArtsCall::ApplicationBatchDelete(batch) => {
                Parsed::CodeArts(codearts::Payload::BatchDelete(batch))
            }
            // Sent as given: every field of a host's body goes to the server (its authorization
            // is checked there and discarded).
            CodeArtsCall::HostClusterCreate(_)
            | CodeArtsCall::HostClusterList(_)
            | CodeArtsCall::HostClusterUpdate(_)
            | CodeArtsCall::HostCreate(_)
            | CodeArtsCall::HostList(_)
            | CodeArtsCall::EnvironmentCreate(_)
            | CodeArtsCall::EnvironmentList(_)
            | CodeArtsCall::EnvironmentImportHosts(_)
            | CodeArtsCall::EnvironmentHosts(_)
            | CodeArtsCall::TaskStart(_)
            | CodeArtsCall::TaskState(_)
            | CodeArtsCall::TaskStop(_)
            | CodeArtsCall::TaskHistory(_)
            | CodeArtsCall::TaskParams(_) => Parsed::AsGiven,
            CodeArtsCall::ApplicationInfo
            | CodeArtsCall::ApplicationDelete
            | CodeArtsCall::ApplicationDuplicate
            | CodeArtsCall::HostClusterShow
            | CodeArtsCall::HostClusterDelete
            | CodeArtsCall::HostShow
            | CodeArtsCall::HostDelete
            | CodeArtsCall::EnvironmentShow
            | CodeArtsCall::EnvironmentDelete
            | CodeArtsCall::EnvironmentRemoveHost => Parsed::Nothing,
        },
        // No kind is of these APIs (see `Kind::kinds`).
        ByApi::Admin(_) | ByApi::Agent(_) | ByApi::Meta(_) => return None,
    })
}

/// Checks the path ids of `kind` in `f` and returns them percent-encoded (`None` if any is bad).
/// With `only`, any other key is an `unknown_field` error (kinds whose input is only ids).
fn path_ids(kind: Kind, f: &mut Fields<'_, '_>, only: bool) -> Option<Vec<String>> {
    if only {
        let known: Vec<&str> = kind.path_ids().iter().map(|(k, _)| *k).collect();
        f.unknown_keys(&known, true);
    }
    let mut ids = Vec::new();
    let mut ok = true;
    for (key, rule) in kind.path_ids() {
        match f.str(key, rule) {
            Some(v) => ids.push(segment(v)),
            None => ok = false,
        }
    }
    ok.then_some(ids)
}

/// Builds the request for `kind` from `input`: the body (or query) plus the ids that go in the
/// path ([`Kind::path_ids`]: `project_id` and `id` for Heat, `app_id` for one application).
///
/// A batch create is `{project_id, deployments: [...]}`. Body errors keep the paths [`validate`]
/// gives (relative to the body: `/0/server_id` in a batch); errors about path ids are at their key
/// (`/project_id`, `/app_id`) and come first. On success the body is compact JSON with the
/// server's defaults applied: Heat's `group`, input and output types, `action`/`status`/
/// `status_reason`; CodeArts' listing order; fields the server ignores are left out (they stay
/// warnings in the returned report).
pub fn build_request(kind: Kind, input: &Value) -> Result<(BuiltRequest, Report), Report> {
    let mut report = Report::default();
    let Some(obj) = input.as_object() else {
        report.type_error("", Expected::OBJECT, input);
        return Err(report);
    };
    let mut f = Fields {
        obj,
        path: "",
        report: &mut report,
    };
    let only_ids = kind.carries() == Carries::Nothing;
    let ids = path_ids(kind, &mut f, only_ids);
    let path = ids.map(|ids| kind.filled_path(&ids));
    let (body, parsed) = match kind.carries() {
        Carries::Nothing => (None, None),
        Carries::Body | Carries::OptionalBody | Carries::Query => {
            let body = body_of(kind, obj, &mut report);
            let parsed = parse(kind, &body, &mut report);
            (Some(body), parsed)
        }
    };
    if !report.is_valid() {
        return Err(report);
    }
    let Some(path) = path else {
        return Err(report);
    };
    let (path, body) = match (kind.carries(), body, parsed) {
        (Carries::Nothing, _, _) => (path, None),
        (Carries::Query, Some(Value::Object(q)), Some(_)) => (path + &query_string(&q), None),
        (Carries::Body | Carries::OptionalBody, Some(body), Some(Parsed::CodeArts(payload))) => {
            (path, Some(payload.sent_body(&body).to_string()))
        }
        (Carries::Body | Carries::OptionalBody, Some(body), Some(Parsed::AsGiven)) => {
            (path, Some(body.to_string()))
        }
        (Carries::Body | Carries::OptionalBody, Some(_), Some(parsed)) => {
            (path, Some(heat_json(&parsed).to_string()))
        }
        _ => return Err(report),
    };
    Ok((
        BuiltRequest {
            method: kind.method(),
            path,
            body,
        },
        report,
    ))
}

/// The body (or query) part of `input`: everything but the path ids, or the batch array of
/// `{project_id, deployments: [...]}`.
fn body_of(kind: Kind, input: &Map<String, Value>, report: &mut Report) -> Value {
    if kind == Kind::SoftwareDeploymentCreate {
        if let Some(Value::Array(items)) = input.get("deployments") {
            for key in input.keys() {
                if key != "project_id" && key != "deployments" {
                    report.error(
                        &child("", key),
                        Rule::UnknownField,
                        "is not allowed beside a deployments batch (known: project_id, deployments)",
                    );
                }
            }
            return Value::Array(items.clone());
        }
    }
    let ids = kind.path_ids();
    Value::Object(crate::domain::json_object(
        input
            .iter()
            .filter(|(k, _)| !ids.iter().any(|(id, _)| id == k))
            .map(|(k, v)| (k.clone(), v.clone())),
    ))
}

/// Bytes kept as-is in a path segment or a query value: RFC 3986 unreserved characters.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

fn segment(s: &str) -> String {
    utf8_percent_encode(s, UNRESERVED).to_string()
}

/// `?k=v&...` from a validated query object (strings as they are, numbers and booleans as JSON
/// text; nulls left out).
fn query_string(q: &Map<String, Value>) -> String {
    let pairs: Vec<String> = q
        .iter()
        .filter_map(|(k, v)| {
            let text = match v {
                Value::String(s) => s.clone(),
                Value::Number(_) | Value::Bool(_) => v.to_string(),
                _ => return None,
            };
            Some(format!("{}={}", segment(k), segment(&text)))
        })
        .collect();
    if pairs.is_empty() {
        String::new()
    } else {
        format!("?{}", pairs.join("&"))
    }
}

fn heat_json(parsed: &Parsed) -> Value {
    match parsed {
        Parsed::Config(c) => config_json(c),
        Parsed::Deployments(items, true) => {
            Value::Array(items.iter().map(deployment_json).collect())
        }
        Parsed::Deployments(items, false) => items.first().map_or(Value::Null, deployment_json),
        Parsed::DeploymentUpdate(u) => update_json(u),
        Parsed::AsGiven | Parsed::CodeArts(_) | Parsed::Nothing => Value::Null,
    }
}

fn config_json(c: &NewConfig) -> Value {
    let mut m = Map::new();
    if let Some(name) = &c.name {
        m.insert("name".into(), name.clone().into());
    }
    m.insert("group".into(), c.group.clone().into());
    if !c.config.is_null() {
        m.insert("config".into(), c.config.clone());
    }
    m.insert(
        "inputs".into(),
        serde_json::to_value(&c.inputs).unwrap_or_default(),
    );
    m.insert(
        "outputs".into(),
        serde_json::to_value(&c.outputs).unwrap_or_default(),
    );
    m.insert("options".into(), Value::Object(c.options.clone()));
    Value::Object(m)
}

fn deployment_json(d: &NewDeployment) -> Value {
    let mut m = Map::new();
    m.insert("config_id".into(), d.config_id.clone().into());
    m.insert("server_id".into(), d.server_id.clone().into());
    if let Some(v) = &d.input_values {
        m.insert("input_values".into(), Value::Object(v.clone()));
    }
    m.insert("action".into(), d.action.clone().into());
    m.insert("status".into(), d.status.as_str().into());
    m.insert("status_reason".into(), d.status_reason.clone().into());
    if let Some(p) = &d.stack_user_project_id {
        m.insert("stack_user_project_id".into(), p.clone().into());
    }
    if let Some(t) = d.timeout {
        m.insert("timeout".into(), t.into());
    }
    Value::Object(m)
}

fn update_json(u: &DeploymentUpdate) -> Value {
    let mut m = Map::new();
    let strings = [
        ("config_id", &u.config_id),
        ("action", &u.action),
        ("status_reason", &u.status_reason),
    ];
    for (key, value) in strings {
        if let Some(v) = value {
            m.insert(key.into(), v.clone().into());
        }
    }
    for (key, value) in [
        ("input_values", &u.input_values),
        ("output_values", &u.output_values),
    ] {
        if let Some(v) = value {
            m.insert(key.into(), Value::Object(v.clone()));
        }
    }
    if let Some(s) = u.status {
        m.insert("status".into(), s.as_str().into());
    }
    if let Some(t) = u.timeout {
        m.insert("timeout".into(), t.into());
    }
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::Code;
    use serde_json::json;

    const PROJECT: &str = "95d02433133a4c0a87ba6967474a2ad3";
    const APP: &str = "e700f15965694253940502911220d76b";

    fn paths(r: &Report) -> Vec<(&str, Code)> {
        r.errors
            .iter()
            .map(|e| (e.path.as_str(), e.code()))
            .collect()
    }

    #[test]
    fn kinds_round_trip_and_an_unknown_kind_names_the_known_ones() {
        for k in Kind::kinds() {
            assert_eq!(Kind::parse(k.as_str()), Ok(k));
        }
        let e = Kind::parse("software_config.remove")
            .unwrap_err()
            .to_string();
        assert!(e.contains("\"software_config.remove\""), "{e}");
        assert!(e.contains("software_deployment.update"), "{e}");
        assert!(
            Kind::parse("").is_err(),
            "operations without a kind are not kinds"
        );
    }

    #[test]
    fn every_operation_a_client_can_call_builds_its_request_from_the_table() {
        const P: &str = "95d02433133a4c0a87ba6967474a2ad3";
        let (show, _) = build_request(
            Kind::SoftwareDeploymentShow,
            &json!({"project_id": P, "id": "d/1"}),
        )
        .unwrap();
        assert_eq!(
            (show.method, show.path.as_str(), show.body),
            (
                "GET",
                format!("/v1/{P}/software_deployments/d%2F1").as_str(),
                None
            )
        );
        let (list, _) = build_request(
            Kind::SoftwareConfigList,
            &json!({"project_id": P, "limit": 5, "marker": "m"}),
        )
        .unwrap();
        assert_eq!(
            list.path,
            format!("/v1/{P}/software_configs?limit=5&marker=m")
        );
        let bad = build_request(
            Kind::SoftwareConfigList,
            &json!({"project_id": P, "limit": "x"}),
        )
        .unwrap_err();
        assert_eq!(paths(&bad), vec![("/limit", Code::Type)]);
        let (meta, _) = build_request(
            Kind::SoftwareDeploymentMetadata,
            &json!({"project_id": P, "server_id": "web 1"}),
        )
        .unwrap();
        assert_eq!(
            meta.path,
            format!("/v1/{P}/software_deployments/metadata/web%201")
        );
        for kind in Kind::kinds() {
            let r = crate::operations::resolve(
                kind.method(),
                &kind
                    .path()
                    .split('/')
                    .filter(|s| !s.is_empty())
                    .map(|s| s.replace(['{', '}'], ""))
                    .collect::<Vec<_>>(),
            );
            assert!(
                matches!(r, crate::operations::Resolved::Operation(op, _) if op == kind),
                "{kind}: {r:?}"
            );
        }
    }

    #[test]
    fn blank_and_malformed_json_are_reported_at_the_root_like_the_worker() {
        let blank = validate_json(Kind::SoftwareConfigCreate, "  ");
        assert_eq!(paths(&blank), vec![("", Code::Required)]);
        let bad = validate_json(Kind::SoftwareConfigCreate, "{\"name\":");
        assert_eq!(paths(&bad), vec![("", Code::InvalidJson)]);
    }

    #[test]
    fn an_optional_body_that_is_absent_reads_as_an_empty_object_like_the_worker() {
        assert!(validate_json(Kind::TaskStart, "").is_valid());
        assert!(validate_json(Kind::TaskStart, " \r\n\t").is_valid());
        // Only ASCII whitespace is no body (api::read's rule); other blank text is `required`.
        let nbsp = validate_json(Kind::TaskStart, "\u{a0}");
        assert_eq!(paths(&nbsp), vec![("", Code::Required)]);
        let blank = validate_json(Kind::SoftwareConfigCreate, "");
        assert_eq!(
            paths(&blank),
            vec![("", Code::Required)],
            "a required body stays required"
        );
    }

    #[test]
    fn validate_json_and_validate_agree() {
        let body = json!({"server_id": 1, "status": "DONE"});
        let a = validate(Kind::SoftwareDeploymentCreate, &body);
        let b = validate_json(Kind::SoftwareDeploymentCreate, &body.to_string());
        assert_eq!(a, b);
        assert_eq!(
            paths(&a),
            vec![
                ("/config_id", Code::Required),
                ("/server_id", Code::Type),
                ("/status", Code::Enum)
            ]
        );
    }

    #[test]
    fn a_config_request_gets_the_servers_defaults() {
        let (req, report) = build_request(
            Kind::SoftwareConfigCreate,
            &json!({"project_id": PROJECT, "name": "c", "inputs": [{"name": "x"}], "extra": 1}),
        )
        .unwrap();
        assert_eq!(req.method, "POST");
        assert_eq!(req.path, format!("/v1/{PROJECT}/software_configs"));
        let body: Value = serde_json::from_str(req.body.as_deref().unwrap()).unwrap();
        assert_eq!(
            body,
            json!({"name": "c", "group": "Heat::Ungrouped", "inputs": [{"name": "x", "type": "String"}], "outputs": [], "options": {}})
        );
        assert_eq!(report.warnings[0].path, "/extra");
    }

    #[test]
    fn a_deployment_request_gets_heats_rpc_defaults() {
        let (req, _) = build_request(
            Kind::SoftwareDeploymentCreate,
            &json!({"project_id": PROJECT, "config_id": "c", "server_id": "s"}),
        )
        .unwrap();
        let body: Value = serde_json::from_str(req.body.as_deref().unwrap()).unwrap();
        assert_eq!(
            body,
            json!({"config_id": "c", "server_id": "s", "action": "INIT", "status": "COMPLETE", "status_reason": ""})
        );
    }

    #[test]
    fn a_batch_is_sent_as_an_array_and_its_errors_keep_body_paths() {
        let (req, _) = build_request(
            Kind::SoftwareDeploymentCreate,
            &json!({"project_id": PROJECT, "deployments": [{"config_id": "c", "server_id": "s"}]}),
        )
        .unwrap();
        assert!(req.body.unwrap().starts_with("[{"));
        let err = build_request(
            Kind::SoftwareDeploymentCreate,
            &json!({"project_id": PROJECT, "name": "x", "deployments": [{"config_id": "c"}]}),
        )
        .unwrap_err();
        assert_eq!(
            paths(&err),
            vec![
                ("/name", Code::UnknownField),
                ("/0/server_id", Code::Required)
            ]
        );
    }

    #[test]
    fn an_update_puts_the_id_in_the_path_and_sends_only_what_was_given() {
        let (req, _) = build_request(
            Kind::SoftwareDeploymentUpdate,
            &json!({"project_id": PROJECT, "id": "a b/c", "status": "FAILED", "action": null}),
        )
        .unwrap();
        assert_eq!(req.method, "PUT");
        assert_eq!(
            req.path,
            format!("/v1/{PROJECT}/software_deployments/a%20b%2Fc")
        );
        assert_eq!(req.body.as_deref(), Some(r#"{"status":"FAILED"}"#));
    }

    #[test]
    fn path_ids_are_checked_before_the_body() {
        let err = build_request(
            Kind::SoftwareDeploymentUpdate,
            &json!({"project_id": "nope", "status": "DONE"}),
        )
        .unwrap_err();
        assert_eq!(
            paths(&err),
            vec![
                ("/project_id", Code::Pattern),
                ("/id", Code::Required),
                ("/status", Code::Enum)
            ]
        );
        let err = build_request(Kind::SoftwareConfigCreate, &json!([1])).unwrap_err();
        assert_eq!(paths(&err), vec![("", Code::Type)]);
    }

    #[test]
    fn application_requests_follow_the_codearts_paths() {
        let cases = [
            (
                Kind::ApplicationList,
                json!({"project_id": PROJECT, "page": 1, "size": 10}),
                "POST",
                "/v1/applications/list".to_owned(),
            ),
            (
                Kind::ApplicationDisable,
                json!({"app_id": APP, "is_disable": true}),
                "PUT",
                format!("/v1/applications/{APP}/disable"),
            ),
            (
                Kind::ApplicationBatchDelete,
                json!({"project_id": PROJECT, "application_ids": [APP]}),
                "POST",
                "/v2/applications/batch-delete".to_owned(),
            ),
            (
                Kind::ApplicationExist,
                json!({"project_id": PROJECT, "name": "my_app-1"}),
                "GET",
                format!("/v1/applications/exist?name=my_app-1&project_id={PROJECT}"),
            ),
            (
                Kind::ApplicationInfo,
                json!({"app_id": APP}),
                "GET",
                format!("/v1/applications/{APP}/info"),
            ),
            (
                Kind::ApplicationDelete,
                json!({"app_id": APP}),
                "DELETE",
                format!("/v1/applications/{APP}"),
            ),
            (
                Kind::ApplicationDuplicate,
                json!({"app_id": APP}),
                "POST",
                format!("/v1/applications/{APP}/duplicate"),
            ),
        ];
        for (kind, input, method, path) in cases {
            let (req, _) = build_request(kind, &input).unwrap_or_else(|r| panic!("{kind}: {r:?}"));
            assert_eq!(
                (req.method, req.path.as_str()),
                (method, path.as_str()),
                "{kind}"
            );
            assert_eq!(
                req.body.is_some(),
                kind.carries() == Carries::Body,
                "{kind}"
            );
        }
    }

    #[test]
    fn a_codearts_body_is_sent_as_given_with_the_listing_order_and_string_trigger() {
        let (req, _) = build_request(
            Kind::ApplicationList,
            &json!({"project_id": PROJECT, "page": 1, "size": 10, "sort_name": "name", "search": null}),
        )
        .unwrap();
        let body: Value = serde_json::from_str(req.body.as_deref().unwrap()).unwrap();
        assert_eq!(
            body,
            json!({"project_id": PROJECT, "page": 1, "size": 10, "sort_name": "name", "sort_by": "ASC"})
        );
        let (req, _) = build_request(
            Kind::ApplicationDisable,
            &json!({"app_id": APP, "is_disable": false}),
        )
        .unwrap();
        assert_eq!(req.body.as_deref(), Some(r#"{"is_disable":false}"#));
    }

    #[test]
    fn kinds_without_a_body_take_only_their_ids() {
        let r = validate(Kind::ApplicationInfo, &json!({"app_id": "x", "name": "y"}));
        assert_eq!(
            paths(&r),
            vec![("/name", Code::UnknownField), ("/app_id", Code::Pattern)]
        );
        let err =
            build_request(Kind::ApplicationDisable, &json!({"is_disable": "yes"})).unwrap_err();
        assert_eq!(
            paths(&err),
            vec![("/app_id", Code::Required), ("/is_disable", Code::Type)]
        );
    }
}
