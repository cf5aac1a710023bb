//! The shared payload corpus (`tests/corpus/*.json`, see its README) against the native core:
//! every case's verdict, error paths and codes, and warnings must be what the corpus says. The npm
//! package (tests/js/corpus.test.mjs) and the running Worker are held to the same files.

use deploy_edge::payload::{self, Kind};
use serde_json::{json, Value};
use std::path::PathBuf;

/// Values for the corpus placeholders. Natively any well-formed ids do; against the Worker they
/// are ids that exist there.
const PLACEHOLDERS: &[(&str, &str)] = &[
    ("{{project_id}}", "0a1b2c3d4e5f60718293a4b5c6d7e8f9"),
    ("{{config_id}}", "8da95794-2ad9-4979-8ae5-739ce314c5cd"),
    ("{{app_id}}", "e700f15965694253940502911220d76b"),
    ("{{task_id}}", "5f0c1d2e3b4a59687766554433221100"),
];

/// Expands `{"$repeat": "s", "times": n}` (the string n times), `{"$array": x, "times": n}` (n
/// copies of x) and `{"$concat": [..]}` (strings joined), then substitutes placeholders.
fn expand(v: &Value) -> Value {
    let times = |m: &serde_json::Map<String, Value>| m["times"].as_u64().expect("times") as usize;
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

fn substitute(s: &str) -> String {
    let mut out = s.to_owned();
    for (from, to) in PLACEHOLDERS {
        if out.contains(from) {
            out = out.replace(from, to);
        }
    }
    out
}

fn pairs(list: &[deploy_edge::validate::FieldError]) -> Value {
    Value::Array(
        list.iter()
            .map(|e| json!({"path": e.path, "code": e.code.as_str()}))
            .collect(),
    )
}

fn corpus_files() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/corpus")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
}

#[test]
fn the_native_core_gives_every_corpus_verdict() {
    let mut failures = Vec::new();
    let mut count = 0;
    let mut kinds_seen = std::collections::BTreeSet::new();
    for file in corpus_files() {
        let text = std::fs::read_to_string(&file).expect("read corpus file");
        let cases: Vec<Value> =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        for case in cases {
            count += 1;
            let name = case["name"].as_str().expect("name");
            let kind = Kind::parse(case["kind"].as_str().expect("kind")).expect("known kind");
            kinds_seen.insert(kind.as_str());
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
            let expected_valid = case["valid"].as_bool().expect("valid");
            let expected_errors = &case["errors"];
            let expected_warnings = case.get("warnings").cloned().unwrap_or(json!([]));
            let got = json!({"valid": report.is_valid(), "errors": pairs(&report.errors), "warnings": pairs(&report.warnings)});
            let want = json!({"valid": expected_valid, "errors": expected_errors, "warnings": expected_warnings});
            if got != want {
                failures.push(format!("{kind} / {name}:\n   want {want}\n    got {got}"));
            }
        }
    }
    assert!(count >= 80, "the corpus shrank to {count} cases");
    for kind in [
        "software_config.create",
        "software_deployment.create",
        "software_deployment.update",
        "application.create",
        "application.update",
        "application.list",
        "application.disable",
        "application.batch_delete",
    ] {
        assert!(kinds_seen.contains(kind), "no corpus case for {kind}");
    }
    assert!(
        failures.is_empty(),
        "{} of {count} cases differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
