//! The enums and limits validation applies, as one JSON document: the npm package's `rules()`
//! (src/wasm.rs), from which the console builds its select options and hints. Every value is read
//! from the constant or the rule the parse functions use, and every kind from the operation table,
//! so the document cannot say anything validation does not do.

use crate::domain::{codearts, heat};
use crate::operations::{Api, Carries};
use crate::payload::Kind;
use crate::validate::{Code, StrRule};
use serde_json::Value;
use std::fmt::Write;

/// One value of the document. The document is static data written out by one small function
/// (rather than `json!`), which keeps the package's wasm small.
enum Node {
    Text(&'static str),
    Number(i64),
    List(&'static [&'static str]),
    /// `{minLength, maxLength, pattern}`: `maxLength` null when unbounded, `pattern` (in words)
    /// only when there is one.
    String(StrRule),
    /// `{min, max}`.
    Range(i64, i64),
    Object(&'static [(&'static str, Node)]),
    /// Each kind's request: method, path template, its path ids, what it carries, its API.
    Kinds,
    /// The rule of every path id the kinds use, by name.
    PathIds,
}

const fn n(v: usize) -> Node {
    Node::Number(v as i64)
}

const DOCUMENT: Node = Node::Object(&[
    ("errorCodes", Node::List(&Code::NAMES)),
    ("kinds", Node::Kinds),
    ("pathIds", Node::PathIds),
    (
        "heat",
        Node::Object(&[
            ("ioTypes", Node::List(heat::IO_TYPES)),
            ("defaultIoType", Node::Text(heat::DEFAULT_IO_TYPE)),
            ("deploymentStatuses", Node::List(heat::STATUSES)),
            ("defaultStatus", Node::Text(heat::DEFAULT_STATUS)),
            ("defaultAction", Node::Text(heat::DEFAULT_ACTION)),
            ("defaultGroup", Node::Text(heat::DEFAULT_GROUP)),
            (
                "templateResourceTypes",
                Node::List(heat::TEMPLATE_RESOURCE_TYPES),
            ),
            (
                "maxLength",
                Node::Object(&[
                    ("name", n(heat::NAME_MAX)),
                    ("group", n(heat::NAME_MAX)),
                    ("config_id", n(heat::ID_MAX)),
                    ("server_id", n(heat::ID_MAX)),
                    ("action", n(heat::ACTION_MAX)),
                    ("status_reason", n(heat::STATUS_REASON_MAX)),
                    ("stack_user_project_id", n(heat::STACK_USER_PROJECT_MAX)),
                    ("description", n(heat::DESCRIPTION_MAX)),
                ]),
            ),
            (
                "maxItems",
                Node::Object(&[
                    ("inputs", n(heat::MAX_IO)),
                    ("outputs", n(heat::MAX_IO)),
                    ("deployments", n(heat::MAX_BATCH)),
                    ("configPage", n(heat::MAX_CONFIG_PAGE)),
                ]),
            ),
            ("timeout", Node::Range(heat::TIMEOUT_MIN, heat::TIMEOUT_MAX)),
        ]),
    ),
    (
        "codearts",
        Node::Object(&[
            ("id", Node::String(codearts::ID)),
            ("idOrEmpty", Node::String(codearts::ID_OR_EMPTY)),
            ("name", Node::String(codearts::NAME)),
            ("operationName", Node::String(codearts::OP_NAME)),
            ("createTypes", Node::List(codearts::CREATE_TYPES)),
            ("deploySystems", Node::List(codearts::DEPLOY_SYSTEMS)),
            ("triggerSources", Node::List(codearts::TRIGGER_SOURCES)),
            (
                "artifactSourceSystems",
                Node::List(codearts::ARTIFACT_SOURCE_SYSTEMS),
            ),
            ("artifactTypes", Node::List(codearts::ARTIFACT_TYPES)),
            ("sortNames", Node::List(codearts::SORT_NAMES)),
            ("sortBys", Node::List(codearts::SORT_BYS)),
            ("states", Node::List(codearts::STATES)),
            (
                "maxLength",
                Node::Object(&[
                    ("description", n(codearts::DESCRIPTION_MAX)),
                    ("agency_urn", n(codearts::AGENCY_URN_MAX)),
                    ("slave_resource_type", n(codearts::SLAVE_RESOURCE_TYPE_MAX)),
                    ("search", n(codearts::SEARCH_MAX)),
                    ("code", n(codearts::OP_CODE_MAX)),
                    ("params", n(codearts::OP_PARAMS_MAX)),
                    ("entrance", n(codearts::OP_TEXT_MAX)),
                    ("version", n(codearts::OP_TEXT_MAX)),
                    ("module_id", n(codearts::OP_TEXT_MAX)),
                ]),
            ),
            (
                "maxItems",
                Node::Object(&[
                    ("arrange_infos", n(codearts::ARRANGE_INFOS_MAX)),
                    ("operation_list", n(codearts::OPERATIONS_MAX)),
                    ("application_ids", n(codearts::BATCH_DELETE_MAX)),
                ]),
            ),
            (
                "timeout",
                Node::Range(codearts::TIMEOUT_MIN, codearts::TIMEOUT_MAX),
            ),
            ("page", Node::Range(codearts::PAGE_MIN, codearts::PAGE_MAX)),
            ("size", Node::Range(codearts::SIZE_MIN, codearts::SIZE_MAX)),
            (
                "ansibleType",
                Node::Range(codearts::ANSIBLE_TYPE_MIN, codearts::ANSIBLE_TYPE_MAX),
            ),
        ]),
    ),
]);

/// `"text"`, escaped as JSON.
fn text(out: &mut String, s: &str) {
    out.push_str(&Value::from(s).to_string());
}

fn list<'a>(out: &mut String, items: impl IntoIterator<Item = &'a str>) {
    out.push('[');
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        text(out, item);
    }
    out.push(']');
}

/// `{"key":value,...}` from `(key, write value)` pairs.
fn object<T>(
    out: &mut String,
    entries: impl IntoIterator<Item = (&'static str, T)>,
    value: impl Fn(&mut String, T),
) {
    out.push('{');
    for (i, (key, v)) in entries.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        text(out, key);
        out.push(':');
        value(out, v);
    }
    out.push('}');
}

fn write(out: &mut String, node: &Node) {
    match node {
        Node::Text(s) => text(out, s),
        Node::Number(v) => {
            let _ = write!(out, "{v}");
        }
        Node::List(items) => list(out, items.iter().copied()),
        Node::String(rule) => {
            let _ = write!(out, r#"{{"minLength":{},"maxLength":"#, rule.min);
            if rule.max == usize::MAX {
                out.push_str("null");
            } else {
                let _ = write!(out, "{}", rule.max);
            }
            if let Some((_, describe)) = rule.pattern {
                out.push_str(r#","pattern":"#);
                text(out, describe);
            }
            out.push('}');
        }
        Node::Range(min, max) => {
            let _ = write!(out, r#"{{"min":{min},"max":{max}}}"#);
        }
        Node::Object(entries) => object(out, entries.iter().map(|(k, v)| (*k, v)), write),
        Node::Kinds => object(out, Kind::kinds().map(|k| (k.as_str(), k)), |out, kind| {
            let carries = match kind.carries() {
                Carries::Body => "body",
                Carries::Query => "query",
                Carries::Nothing => "nothing",
            };
            let api = match kind.api() {
                Api::CodeArts => "codearts",
                _ => "heat",
            };
            out.push_str(r#"{"method":"#);
            text(out, kind.method());
            out.push_str(r#","path":"#);
            text(out, kind.route().path);
            out.push_str(r#","pathIds":"#);
            list(out, kind.path_ids().iter().map(|(name, _)| *name));
            let _ = write!(out, r#","carries":"{carries}","api":"{api}"}}"#);
        }),
        Node::PathIds => {
            let mut seen: Vec<(&'static str, StrRule)> = Vec::new();
            for (name, rule) in Kind::kinds().flat_map(Kind::path_ids) {
                if !seen.iter().any(|(n, _)| *n == name) {
                    seen.push((name, rule));
                }
            }
            object(out, seen, |out, rule| write(out, &Node::String(rule)));
        }
    }
}

/// The document as JSON text (see the package README's `rules()`).
pub fn rules_json() -> String {
    let mut out = String::with_capacity(4096);
    write(&mut out, &DOCUMENT);
    out
}

/// The document.
pub fn rules() -> Value {
    serde_json::from_str(&rules_json()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payload::validate;
    use serde_json::json;

    fn codes(kind: Kind, payload: Value) -> Vec<(String, Code)> {
        validate(kind, &payload)
            .errors
            .iter()
            .map(|e| (e.path.clone(), e.code()))
            .collect()
    }

    #[test]
    fn every_kind_is_listed_with_its_request() {
        let r: Value = serde_json::from_str(&rules_json()).expect("rules_json is JSON");
        let kinds = r["kinds"].as_object().unwrap();
        assert_eq!(kinds.keys().map(String::as_str).collect::<Vec<_>>(), {
            let mut names: Vec<_> = Kind::names().collect();
            names.sort_unstable();
            names
        });
        assert_eq!(
            kinds["software_deployment.update"],
            json!({"method": "PUT", "path": "/v1/{project_id}/software_deployments/{id}",
                "pathIds": ["project_id", "id"], "carries": "body", "api": "heat"})
        );
        assert_eq!(kinds["application.exist"]["carries"], "query");
        assert_eq!(kinds["application.info"]["pathIds"], json!(["app_id"]));
        assert_eq!(
            r["pathIds"]["project_id"],
            json!({"minLength": 1, "maxLength": null, "pattern": "32 letters and digits"})
        );
        assert_eq!(
            r["pathIds"]["server_id"],
            json!({"minLength": 1, "maxLength": 36})
        );
    }

    #[test]
    fn the_limits_listed_are_the_limits_validation_applies() {
        let r = rules();
        let h = &r["heat"];
        let max = |v: &Value| v.as_u64().unwrap() as usize;
        let status = h["deploymentStatuses"][2].as_str().unwrap();
        assert!(codes(
            Kind::SoftwareDeploymentUpdate,
            json!({"status": status, "timeout": h["timeout"]["max"]})
        )
        .is_empty());
        assert_eq!(
            codes(
                Kind::SoftwareDeploymentUpdate,
                json!({"status": "DONE", "timeout": h["timeout"]["min"].as_i64().unwrap() - 1,
                    "action": "a".repeat(max(&h["maxLength"]["action"]) + 1)})
            ),
            vec![
                ("/action".into(), Code::TooLong),
                ("/status".into(), Code::Enum),
                ("/timeout".into(), Code::OutOfRange)
            ]
        );
        let c = &r["codearts"];
        let name_min = max(&c["name"]["minLength"]);
        assert_eq!(
            codes(
                Kind::ApplicationExist,
                json!({"name": "a".repeat(name_min - 1), "project_id": "p"})
            ),
            vec![
                ("/name".into(), Code::TooShort),
                ("/project_id".into(), Code::Pattern)
            ]
        );
        assert_eq!(r["errorCodes"].as_array().unwrap().len(), Code::ALL.len());
    }
}
