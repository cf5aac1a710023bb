//! The corpus runner shared by tests/corpus.rs (native, reads the files) and tests/wasm.rs (the
//! core compiled to wasm32, files embedded): expansion of the shorthands, placeholders, and one
//! case's check. See tests/corpus/README.md.

use deploy_edge::payload::{self, Kind};
use deploy_edge::validate::FieldError;
use serde_json::{json, Map, Value};

/// Values for the corpus placeholders. Natively any well-formed ids do; against the Worker they
/// are ids that exist there (tests/js/corpus.test.mjs).
pub const PLACEHOLDERS: &[(&str, &str)] = &[
    ("{{project_id}}", "0a1b2c3d4e5f60718293a4b5c6d7e8f9"),
    ("{{config_id}}", "8da95794-2ad9-4979-8ae5-739ce314c5cd"),
    ("{{app_id}}", "e700f15965694253940502911220d76b"),
    ("{{task_id}}", "5f0c1d2e3b4a59687766554433221100"),
    ("{{group_id}}", "9c1f0e2d3b4a59687766554433221100"),
    ("{{host_id}}", "7b2e1d0c3b4a59687766554433221100"),
];

/// Every kind that has a body: the corpus must cover each.
pub const BODY_KINDS: &[&str] = &[
    "software_config.create",
    "software_deployment.create",
    "software_deployment.update",
    "application.create",
    "application.update",
    "application.list",
    "application.disable",
    "application.batch_delete",
    "host_cluster.create",
    "host_cluster.update",
    "host.create",
    "environment.create",
    "environment.import_hosts",
    "task.start",
    "task.stop",
];

/// Expands `{"$repeat": "s", "times": n}` (the string n times), `{"$array": x, "times": n}` (n
/// copies of x) and `{"$concat": [..]}` (strings joined), then substitutes placeholders.
pub fn expand(v: &Value) -> Value {
    let times = |m: &Map<String, Value>| m["times"].as_u64().expect("times") as usize;
    match v {
        Value::Object(m) if m.contains_key("$repeat") => Value::String(
            expand(&m["$repeat"])
                .as_str()
                .expect("$repeat takes a string")
                .repeat(times(m)),
        ),
        Value::Object(m) if m.contains_key("$array") => {
            Value::Array(vec![expand(&m["$array"]); times(m)])
        }
        Value::Object(m) if m.contains_key("$concat") => Value::String(
            m["$concat"]
                .as_array()
                .expect("$concat takes an array")
                .iter()
                .map(|p| {
                    expand(p)
                        .as_str()
                        .expect("$concat parts are strings")
                        .to_owned()
                })
                .collect(),
        ),
        Value::Object(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), expand(v))).collect()),
        Value::Array(items) => Value::Array(items.iter().map(expand).collect()),
        Value::String(s) => Value::String(substitute(s)),
        other => other.clone(),
    }
}

pub fn substitute(s: &str) -> String {
    let mut out = s.to_owned();
    for (from, to) in PLACEHOLDERS {
        if out.contains(from) {
            out = out.replace(from, to);
        }
    }
    out
}

fn pairs(list: &[FieldError]) -> Value {
    Value::Array(
        list.iter()
            .map(|e| json!({"path": e.path, "code": e.code().as_str()}))
            .collect(),
    )
}

/// Checks every case of one corpus file (its text); returns the kinds seen, the number of cases
/// and a description of each mismatch.
pub fn check_file(text: &str) -> (Vec<&'static str>, usize, Vec<String>) {
    let cases: Vec<Value> = serde_json::from_str(text).expect("corpus file is JSON");
    let mut kinds = Vec::new();
    let mut failures = Vec::new();
    for case in &cases {
        let name = case["name"].as_str().expect("name");
        let kind = Kind::parse(case["kind"].as_str().expect("kind")).expect("known kind");
        kinds.push(kind.as_str());
        let report = match case.get("payload_text") {
            Some(t) => payload::validate_json(kind, &substitute(t.as_str().expect("text"))),
            None => {
                let body = expand(&case["payload"]);
                let direct = payload::validate(kind, &body);
                let via_text = payload::validate_json(kind, &body.to_string());
                if direct != via_text {
                    failures.push(format!("{kind} / {name}: JSON text gives another report"));
                }
                direct
            }
        };
        let want = json!({
            "valid": case["valid"].as_bool().expect("valid"),
            "errors": case["errors"],
            "warnings": case.get("warnings").cloned().unwrap_or(json!([])),
        });
        let got = json!({
            "valid": report.is_valid(),
            "errors": pairs(&report.errors),
            "warnings": pairs(&report.warnings),
        });
        if got != want {
            failures.push(format!("{kind} / {name}:\n   want {want}\n    got {got}"));
        }
    }
    (kinds, cases.len(), failures)
}
