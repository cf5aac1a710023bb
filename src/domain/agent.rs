//! What a server's agent sees and sends: each deployment as Heat's *derived config* (the config
//! with every input's value, plus the `deploy_*` inputs), and Heat's rules for the result signal
//! (`signal_software_deployment`).
//!
//! The stock agents (os-collect-config, heat-agents' `55-heat-config`, its hooks and
//! `heat-config-notify`) run an item once per `id` and report to `deploy_signal_id`. So a derived
//! id is a digest of what the agent acts on (deployment, config, action, input values): the same
//! on every poll while nothing changes, new for a second deployment of a config and for each
//! re-deploy.

use crate::domain::heat::{
    ConfigInput, ConfigOutput, DeploymentStatus, IoType, SoftwareConfig, SoftwareDeployment,
};
use crate::validate::{Expected, Report};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// The signal transport deploy-edge gives agents: an HTTP URL that takes the result with no auth
/// (heat-agents' name for Swift temp URLs, which behave the same to the agent).
pub const SIGNAL_TRANSPORT: &str = "TEMP_URL_SIGNAL";
/// The transport named when a server has no agent URL, so nothing can signal.
pub const NO_SIGNAL: &str = "NO_SIGNAL";
/// The verb `heat-config-notify` uses for the signal.
pub const SIGNAL_VERB: &str = "PUT";
/// The result keys every signal records (Heat's `SOFTWARE_DEPLOYMENT_OUTPUTS`).
pub const RESULT_KEYS: [&str; 3] = ["deploy_stdout", "deploy_stderr", "deploy_status_code"];
const STATUS_CODE: &str = "deploy_status_code";

/// The `deploy_*` inputs deploy-edge sets; same-named inputs of the config or the deployment give
/// way to them (deploy-edge is the deployer and the signal transport).
const DEPLOY_INPUTS: [&str; 5] = [
    "deploy_server_id",
    "deploy_action",
    "deploy_signal_transport",
    "deploy_signal_id",
    "deploy_signal_verb",
];

/// The id of a deployment's derived config: a UUID-shaped digest of (deployment id, config id,
/// action, input values).
pub fn derived_id(d: &SoftwareDeployment) -> String {
    let values = d
        .input_values
        .as_ref()
        .map(|m| Value::Object(m.clone()).to_string())
        .unwrap_or_default();
    let mut hash = Sha256::new();
    for part in [&d.id, &d.config_id, &d.action, &values] {
        hash.update((part.len() as u64).to_be_bytes());
        hash.update(part.as_bytes());
    }
    let digest = hash.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Uuid::from_bytes(bytes).hyphenated().to_string()
}

/// A deployment as its server's agent runs it: Heat's *derived config* (`_build_derived_config`).
/// Its fields are in the order of their names, so it is stored as it was when it was loose JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DerivedConfig {
    pub config: Value,
    pub creation_time: String,
    pub group: String,
    /// [`derived_id`]: what the agent runs once and signals for.
    pub id: String,
    pub inputs: Vec<DerivedInput>,
    pub name: Option<String>,
    pub options: Map<String, Value>,
    pub outputs: Vec<DerivedOutput>,
}

/// One declared output of the config, as a derived config lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DerivedOutput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default)]
    pub error_output: bool,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: IoType,
}

impl From<&ConfigOutput> for DerivedOutput {
    fn from(output: &ConfigOutput) -> Self {
        DerivedOutput {
            description: output.description.clone(),
            error_output: output.error_output,
            name: output.name.clone(),
            kind: output.kind,
        }
    }
}

/// One input of a derived config: a declared input of the config with its value, or a String
/// input deploy-edge adds (undeclared input values, the `deploy_*` inputs). Its `value` is always
/// written, `null` included, as Heat writes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DerivedInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub name: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub replace_on_change: bool,
    #[serde(rename = "type")]
    pub kind: IoType,
    #[serde(default)]
    pub value: Value,
}

impl DerivedInput {
    /// A declared input with its value.
    fn declared(input: &ConfigInput, value: Value) -> Self {
        DerivedInput {
            default: input.default.clone(),
            description: input.description.clone(),
            name: input.name.clone(),
            replace_on_change: input.replace_on_change,
            kind: input.kind,
            value,
        }
    }

    /// A String input as Heat's `_build_derived_inputs` writes it.
    fn string(name: &str, description: Option<&str>, value: String) -> Self {
        DerivedInput {
            default: None,
            description: description.map(str::to_owned),
            name: name.to_owned(),
            replace_on_change: false,
            kind: IoType::String,
            value: Value::String(value),
        }
    }
}

/// A value as the text an agent's environment gets: strings as they are, anything else as JSON.
fn as_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The derived config of a deployment, without the signal inputs (they name the URL the agent
/// polls, known only when the document is served: see [`add_signal_inputs`]).
///
/// Inputs, in Heat's order: the config's declared inputs with `value` (the deployment's input
/// value, else the value the config carries, else its default), then input values the config does
/// not declare (as String inputs with text values, sorted by name), then `deploy_server_id` and
/// `deploy_action`.
pub fn derive(config: &SoftwareConfig, d: &SoftwareDeployment) -> DerivedConfig {
    let given = d.input_values.clone().unwrap_or_default();
    let is_ours = |name: &str| DEPLOY_INPUTS.contains(&name);
    let mut inputs: Vec<DerivedInput> = config
        .inputs
        .iter()
        .filter(|i| !is_ours(&i.name))
        .map(|i| {
            let value = given
                .get(&i.name)
                .cloned()
                .or_else(|| i.value.clone().filter(|v| !v.is_null()))
                .or_else(|| i.default.clone())
                .unwrap_or(Value::Null);
            DerivedInput::declared(i, value)
        })
        .collect();
    let declared = |name: &str| config.inputs.iter().any(|i| i.name == name);
    for (name, value) in &given {
        if !declared(name) && !is_ours(name) {
            inputs.push(DerivedInput::string(name, None, as_text(value)));
        }
    }
    inputs.push(DerivedInput::string(
        "deploy_server_id",
        Some("ID of the server being deployed to"),
        d.server_id.clone(),
    ));
    inputs.push(DerivedInput::string(
        "deploy_action",
        Some("Name of the current action being deployed"),
        d.action.clone(),
    ));
    let created = if d.derived_ms > 0 {
        d.derived_ms
    } else {
        d.created_ms
    };
    DerivedConfig {
        config: config.config.clone(),
        creation_time: crate::clock::heat_time(created),
        group: config.group.clone(),
        id: derived_id(d),
        inputs,
        name: config.name.clone(),
        options: config.options.clone(),
        outputs: config.outputs.iter().map(DerivedOutput::from).collect(),
    }
}

/// Completes a derived config with its signal inputs: the transport, and with a `signal_url` the
/// URL and verb that `heat-config-notify` sends the result with.
pub fn add_signal_inputs(item: &mut DerivedConfig, signal_url: Option<&str>) {
    let transport = if signal_url.is_some() {
        SIGNAL_TRANSPORT
    } else {
        NO_SIGNAL
    };
    item.inputs.push(DerivedInput::string(
        "deploy_signal_transport",
        Some("How the server should signal to heat with the deployment output values."),
        transport.into(),
    ));
    if let Some(url) = signal_url {
        item.inputs.push(DerivedInput::string(
            "deploy_signal_id",
            Some("ID of signal to use for signaling output values"),
            url.into(),
        ));
        item.inputs.push(DerivedInput::string(
            "deploy_signal_verb",
            Some("HTTP verb to use for signaling output values"),
            SIGNAL_VERB.into(),
        ));
    }
}

/// Python's `str()` of a JSON value, which is how Heat writes values into a status reason.
fn python_str(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Null => "None".into(),
        other => other.to_string(),
    }
}

/// Python truthiness of a JSON value.
fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

/// What a signal did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignalOutcome {
    /// The deployment was IN_PROGRESS and now holds the result.
    Recorded,
    /// The deployment was not IN_PROGRESS (a repeated or late signal): nothing changed.
    Ignored,
}

/// Applies an agent's result to a deployment, as Heat's `signal_software_deployment` does:
///
/// - only an IN_PROGRESS deployment changes;
/// - a non-zero `deploy_status_code` fails it (`deploy_status_code : Deployment exited with
///   non-zero status code: N`);
/// - each declared output found in `details` is recorded, and one declared `error_output` fails it
///   with its value as the reason;
/// - `deploy_stdout`, `deploy_stderr` and `deploy_status_code` are always recorded (null when
///   absent);
/// - otherwise it is COMPLETE with reason `Outputs received`.
pub fn apply_signal(
    d: &mut SoftwareDeployment,
    outputs: &[ConfigOutput],
    details: &Map<String, Value>,
    now_ms: u64,
) -> SignalOutcome {
    if d.status != DeploymentStatus::InProgress {
        return SignalOutcome::Ignored;
    }
    let mut reasons: Vec<String> = Vec::new();
    if let Some(code) = details.get(STATUS_CODE).filter(|c| truthy(c)) {
        let code = python_str(code);
        if code != "0" {
            reasons.push(format!(
                "{STATUS_CODE} : Deployment exited with non-zero status code: {code}"
            ));
        }
    }
    let mut values = d.output_values.take().unwrap_or_default();
    for output in outputs {
        if let Some(v) = details.get(&output.name) {
            values.insert(output.name.clone(), v.clone());
            if output.error_output {
                reasons.push(format!("{} : {}", output.name, python_str(v)));
            }
        }
    }
    for key in RESULT_KEYS {
        values.insert(
            key.to_owned(),
            details.get(key).cloned().unwrap_or(Value::Null),
        );
    }
    d.output_values = Some(values);
    let (status, reason) = if reasons.is_empty() {
        (DeploymentStatus::Complete, "Outputs received".to_owned())
    } else {
        (DeploymentStatus::Failed, reasons.join(", "))
    };
    d.status = status;
    d.status_reason = reason;
    d.deadline_ms = None;
    d.updated_time = Some(crate::clock::heat_time(now_ms));
    d.updated_ms = now_ms;
    SignalOutcome::Recorded
}

/// A result signal's body: a JSON object (an empty body reads as `{}`), whatever its keys
/// (`heat-config-notify` sends the outputs and the `deploy_*` results).
pub fn parse_signal(body: &Value, report: &mut Report) -> Option<Map<String, Value>> {
    match body {
        Value::Object(m) => Some(m.clone()),
        other => {
            report.type_error("", Expected::OBJECT, other);
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::heat::{parse_deployment_update, parse_new_config, parse_new_deployment};
    use crate::validate::Report;
    use serde_json::json;

    /// The derived config as the JSON an agent gets.
    fn derive(config: &SoftwareConfig, d: &SoftwareDeployment) -> Value {
        serde_json::to_value(super::derive(config, d)).unwrap()
    }

    /// [`super::add_signal_inputs`] on the JSON an agent gets.
    fn add_signal_inputs(item: &mut Value, signal_url: Option<&str>) {
        let mut typed: DerivedConfig = serde_json::from_value(item.clone()).unwrap();
        super::add_signal_inputs(&mut typed, signal_url);
        *item = serde_json::to_value(typed).unwrap();
    }

    fn config(body: Value) -> SoftwareConfig {
        let new = parse_new_config(&body, &mut Report::default()).unwrap();
        SoftwareConfig::create("cfg-1".into(), new, 1_000)
    }

    fn deployment(body: Value) -> SoftwareDeployment {
        let mut full = json!({"config_id": "cfg-1", "server_id": "web-1"});
        if let (Value::Object(m), Value::Object(extra)) = (&mut full, body) {
            m.extend(extra);
        }
        let new = parse_new_deployment(&full, "", &mut Report::default()).unwrap();
        SoftwareDeployment::create("dep-1".into(), new, 2_000)
    }

    fn update(d: &mut SoftwareDeployment, body: Value, now_ms: u64) {
        d.apply(
            parse_deployment_update(&body, &mut Report::default()).unwrap(),
            now_ms,
        );
    }

    fn input<'v>(item: &'v Value, name: &str) -> &'v Value {
        item["inputs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["name"] == name)
            .unwrap_or_else(|| panic!("no input {name} in {item}"))
    }

    fn names(item: &Value) -> Vec<&str> {
        item["inputs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["name"].as_str().unwrap())
            .collect()
    }

    #[test]
    fn a_derived_id_is_stable_while_only_status_and_outputs_change() {
        let mut d = deployment(json!({"input_values": {"a": "1"}, "status": "IN_PROGRESS"}));
        let first = derived_id(&d);
        assert_eq!(first.len(), 36);
        update(
            &mut d,
            json!({"status": "COMPLETE", "output_values": {"x": 1}, "status_reason": "ok"}),
            3_000,
        );
        assert_eq!(derived_id(&d), first);
        update(&mut d, json!({"input_values": {"a": "1"}}), 4_000);
        assert_eq!(derived_id(&d), first, "the same input values again");
    }

    #[test]
    fn a_derived_id_changes_with_deployment_config_action_or_inputs() {
        let d = deployment(json!({"input_values": {"a": "1"}}));
        let base = derived_id(&d);
        let mut other = d.clone();
        other.id = "dep-2".into();
        assert_ne!(
            derived_id(&other),
            base,
            "a second deployment of the config"
        );
        for body in [
            json!({"config_id": "cfg-2"}),
            json!({"action": "UPDATE"}),
            json!({"input_values": {"a": "2"}}),
            json!({"input_values": {"a": "1", "b": "1"}}),
        ] {
            let mut changed = d.clone();
            update(&mut changed, body.clone(), 5_000);
            assert_ne!(derived_id(&changed), base, "{body}");
            assert_eq!(changed.derived_ms, 5_000, "{body}: a new derived config");
        }
    }

    #[test]
    fn a_derived_config_is_stored_with_the_bytes_it_had_as_loose_json() {
        let c = config(json!({"name": "c", "inputs": [
            {"name": "a", "description": "x", "default": 1, "replace_on_change": true},
            {"name": "b", "type": "Number"}],
            "outputs": [{"name": "o", "error_output": true}], "options": {"k": "v"}}));
        let d = deployment(json!({"input_values": {"b": 2, "extra": [1]}}));
        let typed = super::derive(&c, &d);
        let text = serde_json::to_string(&typed).unwrap();
        let as_loose = serde_json::to_string(&serde_json::to_value(&typed).unwrap()).unwrap();
        assert_eq!(text, as_loose, "fields in the order of their names");
        let read: DerivedConfig = serde_json::from_str(&as_loose).unwrap();
        assert_eq!(
            read, typed,
            "a stored document reads back as it was written"
        );
    }

    #[test]
    fn inputs_take_input_values_then_carried_values_then_defaults() {
        let c = config(json!({"name": "c", "inputs": [
            {"name": "given"}, {"name": "carried", "value": "from-cli"},
            {"name": "defaulted", "default": "d"}, {"name": "bare", "type": "Number"}]}));
        let d = deployment(json!({"input_values": {"given": 7, "carried": null}}));
        let item = derive(&c, &d);
        assert_eq!(input(&item, "given")["value"], 7);
        assert_eq!(input(&item, "carried")["value"], Value::Null);
        assert_eq!(input(&item, "defaulted")["value"], "d");
        assert_eq!(input(&item, "bare")["value"], Value::Null);
        assert_eq!(input(&item, "bare")["type"], "Number");
        let d2 = deployment(json!({}));
        assert_eq!(input(&derive(&c, &d2), "carried")["value"], "from-cli");
    }

    #[test]
    fn undeclared_input_values_become_string_inputs_after_the_declared_ones() {
        let c = config(json!({"name": "c", "inputs": [{"name": "a"}]}));
        let d = deployment(json!({"input_values": {"z": 5, "a": "x", "m": {"k": true}}}));
        let item = derive(&c, &d);
        assert_eq!(
            names(&item),
            ["a", "m", "z", "deploy_server_id", "deploy_action"]
        );
        assert_eq!(
            input(&item, "z"),
            &json!({"name": "z", "type": "String", "value": "5"})
        );
        assert_eq!(input(&item, "m")["value"], "{\"k\":true}");
    }

    #[test]
    fn deploy_inputs_name_the_server_action_and_signal() {
        let c = config(json!({"name": "c", "inputs": [
            {"name": "deploy_signal_transport", "value": "NO_SIGNAL"},
            {"name": "deploy_server_id", "value": "someone-else"}]}));
        let d = deployment(json!({"action": "CREATE", "input_values": {"deploy_action": "X"}}));
        let mut item = derive(&c, &d);
        add_signal_inputs(&mut item, Some("https://edge.example/agent/v1/s"));
        assert_eq!(
            names(&item),
            [
                "deploy_server_id",
                "deploy_action",
                "deploy_signal_transport",
                "deploy_signal_id",
                "deploy_signal_verb"
            ]
        );
        assert_eq!(input(&item, "deploy_server_id")["value"], "web-1");
        assert_eq!(input(&item, "deploy_action")["value"], "CREATE");
        assert_eq!(
            input(&item, "deploy_signal_transport")["value"],
            "TEMP_URL_SIGNAL"
        );
        assert_eq!(
            input(&item, "deploy_signal_id")["value"],
            "https://edge.example/agent/v1/s"
        );
        assert_eq!(input(&item, "deploy_signal_verb")["value"], "PUT");
        assert!(item["inputs"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["type"] == "String" && i["value"].is_string()));
        let mut silent = derive(&c, &d);
        add_signal_inputs(&mut silent, None);
        assert_eq!(
            input(&silent, "deploy_signal_transport")["value"],
            "NO_SIGNAL"
        );
        assert!(!names(&silent).contains(&"deploy_signal_id"));
    }

    #[test]
    fn a_derived_config_keeps_the_configs_body_under_the_derived_id() {
        let c = config(
            json!({"name": "c", "group": "script", "config": "#!/bin/sh",
                              "outputs": [{"name": "o"}], "options": {"k": 1}}),
        );
        let d = deployment(json!({}));
        let item = derive(&c, &d);
        assert_eq!(item["id"], derived_id(&d));
        assert_eq!(
            (
                &item["name"],
                &item["group"],
                &item["config"],
                &item["options"]
            ),
            (
                &json!("c"),
                &json!("script"),
                &json!("#!/bin/sh"),
                &json!({"k": 1})
            )
        );
        assert_eq!(item["outputs"][0]["name"], "o");
        assert_eq!(item["creation_time"], "1970-01-01T00:00:02Z");
    }

    fn outputs() -> Vec<ConfigOutput> {
        config(json!({"outputs": [{"name": "result"}, {"name": "err", "error_output": true}]}))
            .outputs
    }

    fn details(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn a_zero_status_code_completes_with_the_declared_outputs_and_results() {
        let mut d = deployment(json!({"status": "IN_PROGRESS", "timeout": 60}));
        let outcome = apply_signal(
            &mut d,
            &outputs(),
            &details(
                json!({"result": "hi\n", "undeclared": 1, "deploy_stdout": "out",
                            "deploy_status_code": 0}),
            ),
            9_000,
        );
        assert_eq!(outcome, SignalOutcome::Recorded);
        assert_eq!(
            (d.status.as_str(), d.status_reason.as_str()),
            ("COMPLETE", "Outputs received")
        );
        assert_eq!(
            Value::Object(d.output_values.clone().unwrap()),
            json!({"result": "hi\n", "deploy_stdout": "out", "deploy_stderr": null,
                   "deploy_status_code": 0})
        );
        assert_eq!(d.deadline_ms, None);
        assert_eq!(d.updated_ms, 9_000);
    }

    #[test]
    fn a_non_zero_status_code_fails_with_heats_reason() {
        for code in [json!(3), json!("3")] {
            let mut d = deployment(json!({"status": "IN_PROGRESS"}));
            apply_signal(
                &mut d,
                &outputs(),
                &details(json!({"deploy_status_code": code, "deploy_stderr": "boom"})),
                9_000,
            );
            assert_eq!(d.status, "FAILED");
            assert_eq!(
                d.status_reason,
                "deploy_status_code : Deployment exited with non-zero status code: 3"
            );
            assert_eq!(d.output_values.as_ref().unwrap()["deploy_stderr"], "boom");
        }
    }

    #[test]
    fn an_error_output_fails_with_its_value_after_the_status_code() {
        let mut d = deployment(json!({"status": "IN_PROGRESS"}));
        apply_signal(
            &mut d,
            &outputs(),
            &details(json!({"err": "disk full", "deploy_status_code": 1})),
            9_000,
        );
        assert_eq!(d.status, "FAILED");
        assert_eq!(
            d.status_reason,
            "deploy_status_code : Deployment exited with non-zero status code: 1, err : disk full"
        );
    }

    #[test]
    fn a_signal_changes_nothing_unless_the_deployment_is_in_progress() {
        let mut d = deployment(json!({"status": "COMPLETE"}));
        let before = d.clone();
        let outcome = apply_signal(
            &mut d,
            &outputs(),
            &details(json!({"deploy_status_code": 2})),
            9_000,
        );
        assert_eq!(outcome, SignalOutcome::Ignored);
        assert_eq!(d, before);
    }

    #[test]
    fn an_unsignalled_deployment_fails_at_its_timeout_and_a_late_signal_is_ignored() {
        let mut d = deployment(json!({"status": "IN_PROGRESS", "timeout": 5}));
        assert_eq!(d.deadline_ms, Some(7_000));
        assert!(!d.settle(6_999));
        assert!(d.settle(7_000));
        assert_eq!(
            (d.status.as_str(), d.status_reason.as_str()),
            ("FAILED", "Deployment timed out after 5 seconds")
        );
        assert_eq!(
            d.updated_ms, 7_000,
            "as of its deadline, whenever it is read"
        );
        assert!(!d.settle(99_000));
        let outcome = apply_signal(&mut d, &outputs(), &details(json!({})), 8_000);
        assert_eq!(outcome, SignalOutcome::Ignored);
        assert_eq!(d.status, "FAILED");
    }

    #[test]
    fn a_redeploy_restarts_the_timeout_and_a_completed_deployment_has_none() {
        let mut d = deployment(json!({"status": "IN_PROGRESS", "timeout": 5}));
        update(&mut d, json!({"status": "COMPLETE"}), 3_000);
        assert_eq!(d.deadline_ms, None);
        update(
            &mut d,
            json!({"status": "IN_PROGRESS", "action": "UPDATE"}),
            10_000,
        );
        assert_eq!(d.deadline_ms, Some(15_000));
        update(&mut d, json!({"timeout": 60}), 12_000);
        assert_eq!(d.deadline_ms, Some(72_000));
        let no_timeout = deployment(json!({"status": "IN_PROGRESS"}));
        assert_eq!(no_timeout.deadline_ms, None);
    }
}
