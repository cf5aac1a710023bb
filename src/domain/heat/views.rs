//! The wire forms of configs and deployments: Heat's keys, no internal fields. Fields are declared
//! in the order the wire has them (sorted, as serde_json writes maps).

use super::*;
use serde::Serialize;
use serde_json::{Map, Value};

/// A deployment as Heat shows it: `updated_time` only once updated, `timeout` (deploy-edge's
/// addition) only when set.
#[derive(Debug, Serialize)]
pub struct DeploymentView<'a> {
    pub action: &'a str,
    pub config_id: &'a str,
    pub creation_time: &'a str,
    pub id: &'a str,
    pub input_values: &'a Option<Map<String, Value>>,
    pub output_values: &'a Option<Map<String, Value>>,
    pub server_id: &'a str,
    pub status: DeploymentStatus,
    pub status_reason: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_time: Option<&'a str>,
}

/// A full config.
#[derive(Debug, Serialize)]
pub struct ConfigView<'a> {
    pub config: &'a Value,
    pub creation_time: &'a str,
    pub group: &'a str,
    pub id: &'a str,
    pub inputs: &'a [ConfigInput],
    pub name: &'a Option<String>,
    pub options: &'a Map<String, Value>,
    pub outputs: &'a [ConfigOutput],
}

/// A config in a listing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConfigSummary {
    pub creation_time: String,
    pub group: String,
    pub id: String,
    pub name: Option<String>,
}

impl SoftwareDeployment {
    /// The wire form.
    pub fn view(&self) -> DeploymentView<'_> {
        DeploymentView {
            action: &self.action,
            config_id: &self.config_id,
            creation_time: &self.creation_time,
            id: &self.id,
            input_values: &self.input_values,
            output_values: &self.output_values,
            server_id: &self.server_id,
            status: self.status,
            status_reason: &self.status_reason,
            timeout: self.timeout,
            updated_time: self.updated_time.as_deref(),
        }
    }
}

impl SoftwareConfig {
    /// The wire form of the full config.
    pub fn view(&self) -> ConfigView<'_> {
        ConfigView {
            config: &self.config,
            creation_time: &self.creation_time,
            group: &self.group,
            id: &self.id,
            inputs: &self.inputs,
            name: &self.name,
            options: &self.options,
            outputs: &self.outputs,
        }
    }

    /// The form listings use: `{id, name, group, creation_time}`.
    pub fn summary(&self) -> ConfigSummary {
        ConfigSummary {
            creation_time: self.creation_time.clone(),
            group: self.group.clone(),
            id: self.id.clone(),
            name: self.name.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_deployment_shows_heats_keys_in_wire_order_and_no_internal_fields() {
        let mut r = crate::validate::Report::default();
        let new = parse_new_deployment(
            &json!({"config_id": "c", "server_id": "s", "input_values": {"b": 1, "a": 2}}),
            "",
            &mut r,
        )
        .unwrap();
        let d = SoftwareDeployment::create("d".into(), new, 1_000);
        assert_eq!(
            serde_json::to_string(&d.view()).unwrap(),
            r#"{"action":"INIT","config_id":"c","creation_time":"1970-01-01T00:00:01Z","id":"d","input_values":{"a":2,"b":1},"output_values":null,"server_id":"s","status":"COMPLETE","status_reason":""}"#
        );
    }

    #[test]
    fn a_config_shows_every_field_but_its_internal_time() {
        let mut r = crate::validate::Report::default();
        let new =
            parse_new_config(&json!({"name": "n", "inputs": [{"name": "i"}]}), &mut r).unwrap();
        let c = SoftwareConfig::create("id".into(), new, 1_000);
        assert_eq!(
            serde_json::to_string(&c.view()).unwrap(),
            r#"{"config":null,"creation_time":"1970-01-01T00:00:01Z","group":"Heat::Ungrouped","id":"id","inputs":[{"name":"i","type":"String"}],"name":"n","options":{},"outputs":[]}"#
        );
        assert_eq!(
            serde_json::to_value(c.summary()).unwrap(),
            json!({"id": "id", "name": "n", "group": "Heat::Ungrouped", "creation_time": "1970-01-01T00:00:01Z"})
        );
    }
}
