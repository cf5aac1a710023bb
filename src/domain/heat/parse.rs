//! Request payloads: validation and parsing (the same functions back the Worker and the package).

use super::*;
use crate::validate::{child, item, type_name, Expected, Fields, Report, Rule, StrRule};
use serde_json::{Map, Value};

const CONFIG_KEYS: &[&str] = &["name", "group", "config", "inputs", "outputs", "options"];
const INPUT_KEYS: &[&str] = &[
    "name",
    "type",
    "description",
    "default",
    "replace_on_change",
    "value",
];
const OUTPUT_KEYS: &[&str] = &["name", "type", "description", "error_output"];
const CREATE_KEYS: &[&str] = &[
    "config_id",
    "server_id",
    "input_values",
    "action",
    "status",
    "status_reason",
    "stack_user_project_id",
    "timeout",
];
const UPDATE_KEYS: &[&str] = &[
    "config_id",
    "input_values",
    "output_values",
    "action",
    "status",
    "status_reason",
    "timeout",
];

/// Validates a `POST /software_configs` body.
pub fn parse_new_config(body: &Value, report: &mut Report) -> Option<NewConfig> {
    parse_config_at(body, "", report)
}

/// Validates a software config's fields at `path` (a request body, or a template resource's
/// properties).
fn parse_config_at(body: &Value, path: &str, report: &mut Report) -> Option<NewConfig> {
    let before = report.errors.len();
    let mut f = Fields::of(body, path, report)?;
    f.unknown_keys(CONFIG_KEYS, false);
    let name = f
        .str("name", StrRule::optional(NAME_MAX))
        .map(str::to_owned);
    let group = f
        .str("group", StrRule::optional(NAME_MAX))
        .filter(|g| !g.is_empty())
        .unwrap_or(DEFAULT_GROUP)
        .to_owned();
    let config = f.present("config").cloned().unwrap_or(Value::Null);
    let options = f.object("options", false).cloned().unwrap_or_default();
    let raw_inputs = f.array("inputs", false, MAX_IO);
    let raw_outputs = f.array("outputs", false, MAX_IO);
    let (inputs_path, outputs_path) = (f.at("inputs"), f.at("outputs"));
    let inputs: Vec<ConfigInput> = raw_inputs
        .map(|items| {
            items
                .iter()
                .enumerate()
                .filter_map(|(i, v)| parse_input(v, &item(&inputs_path, i), report))
                .collect()
        })
        .unwrap_or_default();
    let outputs: Vec<ConfigOutput> = raw_outputs
        .map(|items| {
            items
                .iter()
                .enumerate()
                .filter_map(|(i, v)| parse_output(v, &item(&outputs_path, i), report))
                .collect()
        })
        .unwrap_or_default();
    check_unique_names(inputs.iter().map(|i| i.name.as_str()), &inputs_path, report);
    check_unique_names(
        outputs.iter().map(|o| o.name.as_str()),
        &outputs_path,
        report,
    );
    (report.errors.len() == before).then_some(NewConfig {
        name,
        group,
        config,
        inputs,
        outputs,
        options,
    })
}

/// Most configs one listing returns.
pub const MAX_CONFIG_PAGE: usize = 1000;

/// The query of a config listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigPage {
    /// At most [`MAX_CONFIG_PAGE`] (a larger `limit` is capped, as in Heat).
    pub limit: usize,
    /// The id after which the page starts (an unknown marker is ignored, as in Heat).
    pub marker: Option<String>,
}

/// Validates the query of `GET /software_configs`: `limit`, a non-negative whole number (text or
/// number), and `marker`. Other parameters are ignored, as Heat ignores them.
pub fn parse_config_list_query(query: &Value, report: &mut Report) -> Option<ConfigPage> {
    let f = Fields::of(query, "", report)?;
    let limit = match f.present("limit") {
        None => Some(MAX_CONFIG_PAGE),
        Some(v) => {
            let n = match v {
                Value::String(s) => s.trim().parse::<u64>().ok(),
                Value::Number(n) => n.as_u64(),
                _ => None,
            };
            if n.is_none() {
                f.report.error(
                    "/limit",
                    Rule::Type {
                        expected: Expected::INTEGER.name,
                    },
                    "must be a non-negative whole number",
                );
            }
            n.map(|n| n.min(MAX_CONFIG_PAGE as u64) as usize)
        }
    };
    let marker = f
        .present("marker")
        .and_then(Value::as_str)
        .filter(|m| !m.is_empty())
        .map(str::to_owned);
    Some(ConfigPage {
        limit: limit?,
        marker,
    })
}

/// Validates the query of `GET /software_deployments`: the optional `server_id` to list. Other
/// parameters are ignored, as Heat ignores them.
pub fn parse_deployment_list_query(query: &Value, report: &mut Report) -> Option<Option<String>> {
    let mut f = Fields::of(query, "", report)?;
    let before = f.report.errors.len();
    let server = f
        .str("server_id", StrRule::optional(usize::MAX))
        .map(str::to_owned);
    (f.report.errors.len() == before).then_some(server)
}

/// The resource types `POST /validate` accepts: the software configs this service stores.
pub const TEMPLATE_RESOURCE_TYPES: &[&str] = &["OS::Heat::SoftwareConfig"];
const VALIDATE_KEYS: &[&str] = &["template", "environment", "files", "environment_files"];
const TEMPLATE_KEYS: &[&str] = &["heat_template_version", "description", "resources"];
const RESOURCE_KEYS: &[&str] = &["type", "properties"];

/// Validates a `POST /validate` body as the `openstack` CLI sends it before creating a config: a
/// template whose resources are software configs. Returns its description.
pub fn parse_template_validation(body: &Value, report: &mut Report) -> Option<String> {
    let before = report.errors.len();
    let mut f = Fields::of(body, "", report)?;
    f.unknown_keys(VALIDATE_KEYS, false);
    let Some(template) = f.present("template") else {
        f.report
            .error("/template", Rule::Required, "is required (a JSON template)");
        return None;
    };
    let mut t = Fields::of(template, "/template", report)?;
    t.unknown_keys(TEMPLATE_KEYS, true);
    t.str("heat_template_version", StrRule::required(NAME_MAX));
    let description = t
        .str("description", StrRule::optional(DESCRIPTION_MAX))
        .unwrap_or("No description")
        .to_owned();
    let resources = t.object("resources", false).cloned().unwrap_or_default();
    for (name, resource) in &resources {
        let path = child("/template/resources", name);
        let Some(mut r) = Fields::of(resource, &path, report) else {
            continue;
        };
        r.unknown_keys(RESOURCE_KEYS, true);
        if r.one_of("type", TEMPLATE_RESOURCE_TYPES, true).is_some() {
            let props = r
                .present("properties")
                .cloned()
                .unwrap_or(Value::Object(Map::new()));
            parse_config_at(&props, &child(&path, "properties"), report);
        }
    }
    (report.errors.len() == before).then_some(description)
}

fn check_unique_names<'a>(names: impl Iterator<Item = &'a str>, path: &str, report: &mut Report) {
    let mut seen = std::collections::BTreeSet::new();
    for (i, name) in names.enumerate() {
        if !seen.insert(name) {
            report.error(
                &child(&item(path, i), "name"),
                Rule::Duplicate,
                format_args!("\"{name}\" is declared twice"),
            );
        }
    }
}

fn parse_input(v: &Value, path: &str, report: &mut Report) -> Option<ConfigInput> {
    let mut f = Fields::of(v, path, report)?;
    f.unknown_keys(INPUT_KEYS, true);
    let name = f.str("name", StrRule::required(NAME_MAX));
    let kind = f.choice::<IoType>("type", false);
    let type_ok = f.present("type").is_none() || kind.is_some();
    let description = f
        .str("description", StrRule::optional(DESCRIPTION_MAX))
        .map(str::to_owned);
    let replace_on_change = f.bool("replace_on_change", false).unwrap_or(false);
    let default = f.present("default").cloned();
    let value = f.present("value").cloned();
    let kind = kind.unwrap_or(DEFAULT_IO_TYPE);
    if let (Some(d), true) = (&default, type_ok) {
        check_fits_type(d, kind, &child(path, "default"), report);
    }
    Some(ConfigInput {
        name: name?.to_owned(),
        kind,
        description,
        default,
        replace_on_change,
        value,
    })
}

fn parse_output(v: &Value, path: &str, report: &mut Report) -> Option<ConfigOutput> {
    let mut f = Fields::of(v, path, report)?;
    f.unknown_keys(OUTPUT_KEYS, true);
    let name = f.str("name", StrRule::required(NAME_MAX));
    let kind = f.choice::<IoType>("type", false).unwrap_or(DEFAULT_IO_TYPE);
    let description = f
        .str("description", StrRule::optional(DESCRIPTION_MAX))
        .map(str::to_owned);
    let error_output = f.bool("error_output", false).unwrap_or(false);
    Some(ConfigOutput {
        name: name?.to_owned(),
        kind,
        description,
        error_output,
    })
}

/// Whether `s` is a finite number in Rust's float syntax (`s.parse::<f64>()`, finite): an
/// optional sign, digits with an optional `.` (at least one digit on either side), an optional
/// exponent. The digits are rewritten as a JSON number and parsed by serde_json, which refuses
/// what overflows: `f64::from_str` would add its tables, 14 KB, to the package's wasm.
fn is_finite_number(s: &str) -> bool {
    let (negative, s) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(at) => (&s[..at], Some(&s[at + 1..])),
        None => (s, None),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |d: &str| d.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() && fraction.is_empty() || !digits(whole) || !digits(fraction) {
        return false;
    }
    let mut json = String::with_capacity(s.len() + 4);
    if negative {
        json.push('-');
    }
    json.push_str(match whole.trim_start_matches('0') {
        "" => "0",
        w => w,
    });
    if !fraction.is_empty() {
        json.push('.');
        json.push_str(fraction);
    }
    if let Some(e) = exponent {
        let e_digits = e.strip_prefix(['+', '-']).unwrap_or(e);
        if e_digits.is_empty() || !digits(e_digits) {
            return false;
        }
        json.push('e');
        json.push_str(e);
    }
    serde_json::from_str::<Value>(&json).is_ok_and(|v| v.is_number())
}

/// Checks that an input's `default` fits its declared type, as Heat's parameter types coerce.
/// An empty-string default is Heat's legacy "no default" and is never checked.
fn check_fits_type(v: &Value, kind: IoType, path: &str, report: &mut Report) {
    let ok = match (kind.as_str(), v) {
        (_, Value::String(s)) if s.is_empty() => true,
        ("String", Value::String(_) | Value::Number(_) | Value::Bool(_)) => true,
        ("Number", Value::Number(_)) => true,
        ("Number", Value::String(s)) => is_finite_number(s.trim()),
        ("Boolean", Value::Bool(_)) => true,
        ("Boolean", Value::String(s)) => {
            s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false")
        }
        ("CommaDelimitedList", Value::String(_)) => true,
        ("CommaDelimitedList", Value::Array(items)) => {
            items.iter().all(|i| i.is_string() || i.is_number())
        }
        ("Json", Value::Object(_) | Value::Array(_)) => true,
        ("Json", Value::String(s)) => {
            serde_json::from_str::<Value>(s).is_ok_and(|j| j.is_object() || j.is_array())
        }
        _ => false,
    };
    if !ok {
        report.error(
            path,
            Rule::Type {
                expected: kind.as_str(),
            },
            format_args!("must be a valid {kind} value, not {}", describe(v)),
        );
    }
}

fn describe(v: &Value) -> String {
    match v {
        Value::String(s) if s.chars().count() <= 40 => format!("\"{s}\""),
        other => type_name(other).to_owned(),
    }
}

/// `action`, `status` and `status_reason`, which create and update both take.
fn parse_progress(
    f: &mut Fields<'_, '_>,
) -> (Option<String>, Option<DeploymentStatus>, Option<String>) {
    let action = f
        .str("action", StrRule::optional(ACTION_MAX))
        .map(str::to_owned);
    let status = f.choice::<DeploymentStatus>("status", false);
    let status_reason = f
        .str("status_reason", StrRule::optional(STATUS_REASON_MAX))
        .map(str::to_owned);
    (action, status, status_reason)
}

/// Validates one deployment of a `POST /software_deployments` body at `path` (`""`, or `/3` in a
/// batch).
pub fn parse_new_deployment(
    body: &Value,
    path: &str,
    report: &mut Report,
) -> Option<NewDeployment> {
    let before = report.errors.len();
    let mut f = Fields::of(body, path, report)?;
    f.unknown_keys(CREATE_KEYS, false);
    let config_id = f
        .str("config_id", StrRule::required(ID_MAX))
        .map(str::to_owned);
    let server_id = f
        .str("server_id", StrRule::required(ID_MAX))
        .map(str::to_owned);
    let input_values = f.object("input_values", false).cloned();
    let (action, status, status_reason) = parse_progress(&mut f);
    let stack_user_project_id = f
        .str(
            "stack_user_project_id",
            StrRule::optional(STACK_USER_PROJECT_MAX),
        )
        .map(str::to_owned);
    let timeout = parse_timeout(&mut f);
    if report.errors.len() > before {
        return None;
    }
    Some(NewDeployment {
        config_id: config_id?,
        server_id: server_id?,
        input_values,
        action: action.unwrap_or_else(|| DEFAULT_ACTION.to_owned()),
        status: status.unwrap_or(DEFAULT_STATUS),
        status_reason: status_reason.unwrap_or_default(),
        stack_user_project_id,
        timeout,
        run: None,
    })
}

/// `timeout`: whole seconds, 1 to [`TIMEOUT_MAX`].
fn parse_timeout(f: &mut Fields<'_, '_>) -> Option<u32> {
    f.int("timeout", false, TIMEOUT_MIN, TIMEOUT_MAX)
        .and_then(|t| u32::try_from(t).ok())
}

/// Validates a `POST /software_deployments` body: one object, or an array of 1 to [`MAX_BATCH`]
/// objects (a batch). Returns the deployments and whether it was a batch.
pub fn parse_new_deployments(
    body: &Value,
    report: &mut Report,
) -> Option<(Vec<NewDeployment>, bool)> {
    match body {
        Value::Array(items) => {
            if items.is_empty() {
                report.error(
                    "",
                    Rule::TooShort { limit: 1 },
                    "must hold at least one deployment",
                );
                return None;
            }
            if items.len() > MAX_BATCH {
                report.error(
                    "",
                    Rule::TooLong { limit: MAX_BATCH },
                    format_args!("must hold at most {MAX_BATCH} deployments"),
                );
                return None;
            }
            let parsed: Vec<_> = items
                .iter()
                .enumerate()
                .map(|(i, v)| parse_new_deployment(v, &item("", i), report))
                .collect();
            if !report.is_valid() {
                return None;
            }
            Some((parsed.into_iter().flatten().collect(), true))
        }
        Value::Object(_) => parse_new_deployment(body, "", report).map(|d| (vec![d], false)),
        other => {
            report.error(
                "",
                Rule::Type {
                    expected: "object or array",
                },
                format_args!(
                    "must be a JSON object or an array of objects, not {}",
                    type_name(other)
                ),
            );
            None
        }
    }
}

/// Validates a `PUT /software_deployments/{id}` body.
pub fn parse_deployment_update(body: &Value, report: &mut Report) -> Option<DeploymentUpdate> {
    let mut f = Fields::of(body, "", report)?;
    f.unknown_keys(UPDATE_KEYS, false);
    let (action, status, status_reason) = parse_progress(&mut f);
    let config_id = f
        .str("config_id", StrRule::optional(ID_MAX).min(1))
        .map(str::to_owned);
    let input_values = f.object("input_values", false).cloned();
    let output_values = f.object("output_values", false).cloned();
    let timeout = parse_timeout(&mut f);
    report.is_valid().then_some(DeploymentUpdate {
        config_id,
        input_values,
        output_values,
        action,
        status,
        status_reason,
        timeout,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::Code;
    use serde_json::json;

    #[test]
    fn a_number_default_in_text_is_what_rusts_float_parser_takes_as_finite() {
        let mut cases: Vec<String> = [
            "0",
            "-0",
            "+1",
            "1.",
            ".5",
            "-.5e3",
            "1.e5",
            "007",
            "00.00",
            "1E5",
            "1e+05",
            "2e-3",
            "1e308",
            "1.7976931348623157e308",
            "1.7976931348623159e308",
            "1e309",
            "-1e400",
            "1e-400",
            "0e99999999999999999999",
            "1e99999999999999999999",
            "1e-99999999999999999999",
            "",
            ".",
            "-",
            "+",
            "e5",
            ".e5",
            "1e",
            "1e+",
            "1e-",
            "1e5.5",
            "1..2",
            "+-1",
            "--1",
            "1_0",
            "0x10",
            "inf",
            "-infinity",
            "NaN",
            "1 2",
            "١",
            "1e٣",
            "12345678901234567890123456789",
        ]
        .map(str::to_owned)
        .to_vec();
        cases.push(format!("{}.5", "9".repeat(400)));
        cases.push(format!("0.{}1e300", "0".repeat(400)));
        for c in &cases {
            let rust = c.parse::<f64>().is_ok_and(f64::is_finite);
            assert_eq!(is_finite_number(c), rust, "{c:?}");
        }
    }

    fn errors_of(f: impl FnOnce(&mut Report)) -> Vec<(String, Code)> {
        let mut r = Report::default();
        f(&mut r);
        r.errors
            .iter()
            .map(|e| (e.path.clone(), e.code()))
            .collect()
    }

    #[test]
    fn a_minimal_config_gets_heat_defaults() {
        let mut r = Report::default();
        let c = parse_new_config(
            &json!({"name": "a", "inputs": [{"name": "x"}], "outputs": [{"name": "y"}]}),
            &mut r,
        )
        .unwrap();
        assert_eq!(c.group, DEFAULT_GROUP);
        assert_eq!(
            serde_json::to_value(&c.inputs).unwrap(),
            json!([{"name": "x", "type": "String"}])
        );
        assert_eq!(
            serde_json::to_value(&c.outputs).unwrap(),
            json!([{"name": "y", "type": "String", "error_output": false}])
        );
        assert!(c.options.is_empty());
    }

    #[test]
    fn config_input_problems_are_all_reported_with_paths() {
        let errs = errors_of(|r| {
            parse_new_config(
                &json!({"inputs": [{"type": "Strng"}, {"name": "n", "default": "abc", "type": "Number"}, {"name": "k", "colour": 1}], "outputs": "no"}),
                r,
            );
        });
        assert_eq!(
            errs,
            vec![
                ("/outputs".into(), Code::Type),
                ("/inputs/0/name".into(), Code::Required),
                ("/inputs/0/type".into(), Code::Enum),
                ("/inputs/1/default".into(), Code::Type),
                ("/inputs/2/colour".into(), Code::UnknownField),
            ]
        );
    }

    #[test]
    fn defaults_must_fit_their_type() {
        for (kind, good, bad) in [
            ("Number", json!("1.5"), json!("one")),
            ("Boolean", json!("TRUE"), json!("yes")),
            ("Json", json!("{\"a\":1}"), json!("[oops")),
            ("CommaDelimitedList", json!(["a", "b"]), json!({"a": 1})),
        ] {
            let ok = errors_of(|r| {
                parse_new_config(
                    &json!({"inputs": [{"name": "i", "type": kind, "default": good}]}),
                    r,
                );
            });
            assert!(ok.is_empty(), "{kind} should accept its good default");
            let ko = errors_of(|r| {
                parse_new_config(
                    &json!({"inputs": [{"name": "i", "type": kind, "default": bad}]}),
                    r,
                );
            });
            assert_eq!(ko, vec![("/inputs/0/default".into(), Code::Type)], "{kind}");
        }
    }

    #[test]
    fn duplicate_input_names_are_rejected() {
        let errs = errors_of(|r| {
            parse_new_config(&json!({"inputs": [{"name": "a"}, {"name": "a"}]}), r);
        });
        assert_eq!(errs, vec![("/inputs/1/name".into(), Code::Duplicate)]);
    }

    #[test]
    fn a_deployment_needs_config_and_server_and_a_known_status() {
        let errs = errors_of(|r| {
            parse_new_deployment(
                &json!({"status": "DONE", "server_id": "x".repeat(37)}),
                "",
                r,
            );
        });
        assert_eq!(
            errs,
            vec![
                ("/config_id".into(), Code::Required),
                ("/server_id".into(), Code::TooLong),
                ("/status".into(), Code::Enum)
            ]
        );
    }

    #[test]
    fn deployment_defaults_follow_heats_rpc_layer() {
        let mut r = Report::default();
        let d = parse_new_deployment(
            &json!({"config_id": "c", "server_id": "dummy_server", "extra": 1}),
            "",
            &mut r,
        )
        .unwrap();
        assert_eq!(
            (
                d.action.as_str(),
                d.status.as_str(),
                d.status_reason.as_str()
            ),
            ("INIT", "COMPLETE", "")
        );
        assert_eq!(r.warnings[0].path, "/extra");
    }

    #[test]
    fn batch_errors_name_the_item_index() {
        let errs = errors_of(|r| {
            parse_new_deployments(
                &json!([{"config_id": "c", "server_id": "s"}, {"config_id": "c"}]),
                r,
            );
        });
        assert_eq!(errs, vec![("/1/server_id".into(), Code::Required)]);
    }

    #[test]
    fn a_batch_must_be_non_empty_and_bounded() {
        assert_eq!(
            errors_of(|r| {
                parse_new_deployments(&json!([]), r);
            })[0]
                .1,
            Code::TooShort
        );
        let many: Vec<Value> = (0..=MAX_BATCH)
            .map(|_| json!({"config_id": "c", "server_id": "s"}))
            .collect();
        assert_eq!(
            errors_of(|r| {
                parse_new_deployments(&Value::Array(many), r);
            })[0]
                .1,
            Code::TooLong
        );
        assert_eq!(
            errors_of(|r| {
                parse_new_deployments(&json!("x"), r);
            })[0]
                .1,
            Code::Type
        );
    }

    #[test]
    fn an_update_ignores_nulls_and_checks_types() {
        let mut r = Report::default();
        let u =
            parse_deployment_update(&json!({"status": null, "output_values": {"a": 1}}), &mut r)
                .unwrap();
        assert_eq!(u.status, None);
        assert_eq!(u.output_values.unwrap()["a"], 1);
        let errs = errors_of(|r| {
            parse_deployment_update(
                &json!({"output_values": [1], "status": "nope", "config_id": ""}),
                r,
            );
        });
        assert_eq!(
            errs,
            vec![
                ("/status".into(), Code::Enum),
                ("/config_id".into(), Code::TooShort),
                ("/output_values".into(), Code::Type)
            ]
        );
    }
}
