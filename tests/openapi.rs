//! The OpenAPI document (`www/openapi.json`, served at `/openapi.json`) is generated from the
//! operation table and the validation rules, with its prose (summaries, descriptions, response
//! shapes) from one source file, `docs/openapi-prose.json`:
//!
//! - its paths, methods and path parameters (named as in the table's templates) come from
//!   [`OPERATIONS`]; Heat's `HEAD` of every `GET` is derived from the `GET`;
//! - every `{"$rules": "heat.maxLength.name"}` in the prose is the value at that place of the npm
//!   package's `rules()`, the limits and enumerations validation applies.
//!
//! `cargo test` fails when the committed document is not what the code generates; regenerate it
//! with `UPDATE_OPENAPI=1 cargo test --test openapi`. Schemathesis (tests/e2e) checks the
//! Worker's behaviour against it.

use deploy_edge::operations::{path_ids, Api, OPERATIONS};
use deploy_edge::rules::rules;
use serde_json::{json, Map, Value};
use std::path::Path;

const PROSE: &str = include_str!("../docs/openapi-prose.json");
const DOCUMENT: &str = "www/openapi.json";

/// The components key of a path parameter: its name for the Heat and CodeArts APIs, else the
/// API's prefix and its name (`admin.id`, `agent.secret`).
fn parameter_key(api: Api, name: &str) -> String {
    match api {
        Api::Heat | Api::CodeArts | Api::Meta => name.to_owned(),
        Api::Admin => format!("admin.{name}"),
        Api::Agent => format!("agent.{name}"),
    }
}

/// Replaces every `{"$rules": "a.b.c"}` with the value at `a.b.c` of `rules()`.
fn with_rules(value: &mut Value, rules: &Value) {
    match value {
        Value::Object(m) => {
            if let Some(Value::String(place)) = m.get("$rules") {
                let found = place
                    .split('.')
                    .try_fold(rules, |at, key| at.get(key))
                    .unwrap_or_else(|| panic!("rules() has nothing at {place}"));
                *value = found.clone();
                return;
            }
            m.values_mut().for_each(|v| with_rules(v, rules));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| with_rules(v, rules)),
        _ => {}
    }
}

/// Heat answers `HEAD` as `GET`: the same operation with no bodies, each answer's description
/// marked so.
fn head_of(get: &Value, responses: &Value) -> Value {
    let mut head = get.as_object().cloned().unwrap_or_default();
    head.remove("requestBody");
    if let Some(Value::String(id)) = head.get("operationId") {
        head.insert("operationId".into(), format!("{id}Head").into());
    }
    if let Some(Value::String(summary)) = head.get("summary") {
        head.insert("summary".into(), format!("{summary} (headers only)").into());
    }
    let mut answers = Map::new();
    for (status, answer) in get["responses"].as_object().into_iter().flatten() {
        let answer = match answer["$ref"].as_str() {
            Some(r) => &responses[r.trim_start_matches("#/components/responses/")],
            None => answer,
        };
        let description = answer["description"].as_str().unwrap_or_default();
        let mut bodiless = json!({"description": format!("{description} (no body: HEAD)")});
        if let Some(headers) = answer.get("headers") {
            bodiless["headers"] = headers.clone();
        }
        answers.insert(status.clone(), bodiless);
    }
    head.insert("responses".into(), Value::Object(answers));
    Value::Object(head)
}

/// The document the code describes.
fn generate() -> Value {
    let prose: Value = serde_json::from_str(PROSE).expect("docs/openapi-prose.json is JSON");
    let rules = rules();
    let mut components = prose["components"].clone();
    let parameters = components["parameters"].clone();
    let mut operations = prose["operations"].as_object().cloned().unwrap_or_default();
    let mut paths = Map::new();
    for d in OPERATIONS {
        let mut prose_of = operations
            .remove(d.name)
            .unwrap_or_else(|| panic!("docs/openapi-prose.json has no operation {}", d.name));
        let path = paths.entry(d.path).or_insert_with(|| {
            let ids = path_ids(d.path).map(|name| {
                let key = parameter_key(d.api, name);
                assert_eq!(
                    parameters[&key]["name"], name,
                    "components.parameters.{key} of {}",
                    d.path
                );
                json!({"$ref": format!("#/components/parameters/{key}")})
            });
            json!({"parameters": ids.collect::<Vec<_>>()})
        });
        for method in d.methods {
            let method = method.to_ascii_lowercase();
            let operation = prose_of[&method].take();
            assert!(
                operation.is_object(),
                "docs/openapi-prose.json has no {method} of {}",
                d.name
            );
            if d.api == Api::Heat && method == "get" {
                path["head"] = head_of(&operation, &components["responses"]);
            }
            path[&method] = operation;
        }
        let left: Vec<_> = prose_of
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(_, v)| !v.is_null())
            .collect();
        assert!(
            left.is_empty(),
            "{}: no method of the table is {left:?}",
            d.name
        );
    }
    let names: Vec<_> = operations.keys().collect();
    assert!(
        names.is_empty(),
        "docs/openapi-prose.json describes no operation of the table: {names:?}"
    );
    with_rules(&mut components, &rules);
    let mut paths = Value::Object(paths);
    with_rules(&mut paths, &rules);
    json!({
        "openapi": prose["openapi"],
        "info": prose["info"],
        "servers": prose["servers"],
        "tags": prose["tags"],
        "paths": paths,
        "components": components,
    })
}

#[test]
fn the_openapi_document_is_what_the_operation_table_and_the_rules_generate() {
    let text = serde_json::to_string_pretty(&generate()).unwrap() + "\n";
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(DOCUMENT);
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(&path, &text).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == text,
        "{DOCUMENT} is not what the code generates: run `UPDATE_OPENAPI=1 cargo test --test openapi` and review the diff"
    );
}

#[test]
fn every_path_parameter_is_named_as_in_the_table() {
    let doc = generate();
    for d in OPERATIONS {
        let template = &doc["paths"][d.path];
        let named: Vec<&str> = template["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                p["$ref"]
                    .as_str()
                    .unwrap()
                    .rsplit(['/', '.'])
                    .next()
                    .unwrap()
            })
            .collect();
        assert_eq!(named, path_ids(d.path).collect::<Vec<_>>(), "{}", d.path);
    }
}

#[test]
fn a_limit_in_the_document_follows_the_rules() {
    let doc = generate();
    let name = &doc["components"]["schemas"]["SoftwareConfigCreate"]["properties"]["name"];
    assert_eq!(name["maxLength"], rules()["heat"]["maxLength"]["name"]);
    assert!(!serde_json::to_string(&doc).unwrap().contains("$rules"));
}
