//! The enums and limits validation applies, as one JSON document: the npm package's `rules()`
//! (src/wasm.rs), from which the console builds its select options and hints. Every value is read
//! from the constant or the rule the parse functions use, and every kind from the operation table,
//! so the document cannot say anything validation does not do.

use crate::domain::{codearts, heat};
use crate::operations::{Api, Carries};
use crate::payload::Kind;
use crate::validate::{Choice, Code, StrRule};
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
            ("ioTypes", Node::List(heat::IoType::NAMES)),
            ("defaultIoType", Node::Text(heat::DEFAULT_IO_TYPE.as_str())),
            (
                "deploymentStatuses",
                Node::List(heat::DeploymentStatus::NAMES),
            ),
            ("defaultStatus", Node::Text(heat::DEFAULT_STATUS.as_str())),
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
            ("paramName", Node::String(codearts::execution::PARAM_NAME)),
            (
                "createTypes",
                Node::List(codearts::enums::CreateType::NAMES),
            ),
            (
                "deploySystems",
                Node::List(codearts::enums::DeploySystem::NAMES),
            ),
            (
                "triggerSources",
                Node::List(codearts::enums::TriggerSource::NAMES),
            ),
            (
                "artifactSourceSystems",
                Node::List(codearts::enums::ArtifactSourceSystem::NAMES),
            ),
            (
                "artifactTypes",
                Node::List(codearts::enums::ArtifactType::NAMES),
            ),
            ("sortNames", Node::List(codearts::enums::SortName::NAMES)),
            ("sortBys", Node::List(codearts::enums::SortBy::NAMES)),
            ("states", Node::List(codearts::enums::ExecutionState::NAMES)),
            ("os", Node::List(codearts::hosts::Os::NAMES)),
            (
                "slaveResourceTypes",
                Node::List(codearts::hosts::SlaveResourceType::NAMES),
            ),
            ("hostsPerCluster", n(codearts::hosts::HOSTS_PER_CLUSTER_MAX)),
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
                    ("value", n(codearts::execution::PARAM_VALUE_MAX)),
                ]),
            ),
            (
                "maxItems",
                Node::Object(&[
                    ("arrange_infos", n(codearts::ARRANGE_INFOS_MAX)),
                    ("operation_list", n(codearts::OPERATIONS_MAX)),
                    ("application_ids", n(codearts::BATCH_DELETE_MAX)),
                    ("params", n(codearts::execution::PARAMS_MAX)),
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
            (
                "historySize",
                Node::Range(1, codearts::execution::HISTORY_SIZE_MAX),
            ),
            (
                "historyDays",
                Node::Number(codearts::execution::HISTORY_DAYS_MAX as i64),
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
                Carries::Body | Carries::OptionalBody => "body",
                Carries::Query => "query",
                Carries::Nothing => "nothing",
            };
            let api = match kind.api() {
                Api::CodeArts => "codearts",
                Api::Heat | Api::Admin | Api::Agent | Api::Meta => "heat",
            };
            out.push_str(r#"{"method":"#);
            text(out, kind.method());
            out.push_str(r#","path":"#);
            text(out, kind.path());
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
        let params_max = max(&c["maxItems"]["params"]);
        assert_eq!(
            codes(
                Kind::TaskStart,
                json!({"params": vec![json!({"key": "k"}); params_max + 1]})
            ),
            vec![("/params".into(), Code::TooLong)]
        );
        let day = |after: u64| {
            let start = crate::clock::parse_date("2026-01-01").unwrap();
            crate::clock::codearts_time(start + after * 86_400_000)[..10].to_owned()
        };
        let history = |size: i64, end: String| {
            codes(
                Kind::TaskHistory,
                json!({"page": "1", "size": size.to_string(), "start_date": day(0), "end_date": end}),
            )
        };
        let days = c["historyDays"].as_u64().unwrap();
        let size_max = c["historySize"]["max"].as_i64().unwrap();
        assert!(history(size_max, day(days)).is_empty());
        assert_eq!(
            history(size_max + 1, day(days + 1)),
            vec![
                ("/size".into(), Code::OutOfRange),
                ("/end_date".into(), Code::OutOfRange)
            ]
        );
        assert_eq!(r["errorCodes"].as_array().unwrap().len(), Code::ALL.len());
    }
}

#[cfg(test)]
mod package_types {
    // The npm package's types (`pkg-template/index.d.ts`) are written by hand; this holds what they
    // restate to the Rust it restates: the kinds, the error codes and each code's params, the
    // methods and path ids, and every enumeration. How the types are used is checked by
    // `tsc --strict` over tests/types/ (scripts/test-types.sh).

    use crate::domain::{codearts, heat};
    use crate::payload::Kind;
    use crate::validate::{Choice, Code, Rule};
    use std::collections::BTreeSet;

    const DTS: &str = include_str!("../pkg-template/index.d.ts");

    /// The text from `start` to the first `end` after it.
    fn block(start: &str, end: &str) -> &'static str {
        let from = DTS
            .find(start)
            .unwrap_or_else(|| panic!("index.d.ts has no `{start}`"));
        let rest = &DTS[from + start.len()..];
        &rest[..rest.find(end).expect("block end")]
    }

    /// The string literals of `export type NAME = 'a' | 'b';` (on one line or one a line), in order.
    fn union(name: &str) -> Vec<&'static str> {
        block(&format!("export type {name} ="), ";")
            .split('|')
            .map(str::trim)
            .filter(|member| !member.is_empty())
            .map(|member| {
                member
                    .strip_prefix('\'')
                    .and_then(|m| m.strip_suffix('\''))
                    .unwrap_or_else(|| panic!("{name}: `{member}` is not a string literal"))
            })
            .collect()
    }

    /// The keys of `export interface NAME { ... }` (its top-level members), in order.
    fn keys(name: &str) -> Vec<&'static str> {
        block(&format!("export interface {name} {{"), "\n}")
            .lines()
            .filter(|line| line.starts_with("  ") && !line.starts_with("   "))
            .filter_map(|line| {
                let line = line.trim_start();
                let key = line.split(':').next()?;
                let key = key.trim_end_matches('?');
                let key = key.trim_matches('\'');
                (!key.starts_with('/') && !key.starts_with('*') && !key.starts_with('|'))
                    .then_some(key)
            })
            .collect()
    }

    #[test]
    fn the_kinds_are_the_operation_tables() {
        let names: Vec<&str> = Kind::names().collect();
        assert_eq!(keys("Payloads"), names, "Payloads");
        assert_eq!(keys("Inputs"), names, "Inputs");
        let methods: BTreeSet<&str> = Kind::kinds().map(Kind::method).collect();
        assert_eq!(
            union("Method").into_iter().collect::<BTreeSet<_>>(),
            methods
        );
        let ids: BTreeSet<&str> = Kind::kinds()
            .flat_map(|k| k.path_ids().into_iter().map(|(name, _)| name))
            .collect();
        assert_eq!(union("PathId").into_iter().collect::<BTreeSet<_>>(), ids);
    }

    #[test]
    fn the_error_codes_and_their_params_are_the_validators() {
        assert_eq!(union("ErrorCode"), Code::NAMES);
        let samples = [
            Rule::Required,
            Rule::Type { expected: "string" },
            Rule::TooLong { limit: 1 },
            Rule::TooShort { limit: 1 },
            Rule::Pattern { pattern: "p" },
            Rule::one_of(&["a"]),
            Rule::OutOfRange { min: 0, max: 1 },
            Rule::UnknownField,
            Rule::InvalidJson,
            Rule::Duplicate,
        ];
        let declared = block("export interface ErrorParams {", "\n}");
        let with_params: Vec<&str> = keys("ErrorParams");
        for rule in &samples {
            let code = rule.code().as_str();
            let names: Vec<&str> = rule.params().iter().map(|(name, _)| *name).collect();
            if names.is_empty() {
                assert!(!with_params.contains(&code), "{code} has no params");
                continue;
            }
            let line = declared
                .lines()
                .find(|l| l.trim_start().starts_with(&format!("{code}: {{")))
                .unwrap_or_else(|| panic!("ErrorParams has no {code}"));
            let members: Vec<&str> = line
                .split(['{', ';'])
                .skip(1)
                .filter_map(|m| m.split(':').next())
                .map(str::trim)
                .filter(|m| !m.is_empty() && *m != "}")
                .collect();
            assert_eq!(members, names, "{code}");
        }
        assert_eq!(
            with_params.len(),
            samples.iter().filter(|r| !r.params().is_empty()).count()
        );
    }

    #[test]
    fn every_enumeration_is_the_constant_validation_uses() {
        for (name, values) in [
            ("IoType", heat::IoType::NAMES),
            ("DeploymentStatus", heat::DeploymentStatus::NAMES),
            ("TemplateResourceType", heat::TEMPLATE_RESOURCE_TYPES),
            ("TriggerSource", codearts::enums::TriggerSource::NAMES),
            (
                "ArtifactSourceSystem",
                codearts::enums::ArtifactSourceSystem::NAMES,
            ),
            ("ArtifactType", codearts::enums::ArtifactType::NAMES),
            ("DeploySystem", codearts::enums::DeploySystem::NAMES),
            ("CreateType", codearts::enums::CreateType::NAMES),
            ("SortName", codearts::enums::SortName::NAMES),
            ("SortBy", codearts::enums::SortBy::NAMES),
            ("ApplicationState", codearts::enums::ExecutionState::NAMES),
        ] {
            assert_eq!(union(name), values, "{name}");
        }
    }
}
