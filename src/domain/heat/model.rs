//! Software configs and deployments as stored, and how they change.

use super::*;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One declared input of a config. `value` is what a derived config (a server's metadata, or a
/// config the `openstack` CLI derived itself) gives the input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfigInput {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: IoType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<Value>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub replace_on_change: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
}

/// One declared output of a config.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfigOutput {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: IoType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default)]
    pub error_output: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// A software config as stored and returned (`created_ms` orders listings and is not returned).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SoftwareConfig {
    pub id: String,
    pub name: Option<String>,
    pub group: String,
    pub config: Value,
    pub inputs: Vec<ConfigInput>,
    pub outputs: Vec<ConfigOutput>,
    pub options: Map<String, Value>,
    pub creation_time: String,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub created_ms: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// The validated body of `POST /software_configs`.
#[derive(Debug, Clone, PartialEq)]
pub struct NewConfig {
    pub name: Option<String>,
    pub group: String,
    pub config: Value,
    pub inputs: Vec<ConfigInput>,
    pub outputs: Vec<ConfigOutput>,
    pub options: Map<String, Value>,
}

/// A software deployment as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SoftwareDeployment {
    pub id: String,
    pub config_id: String,
    pub server_id: String,
    pub input_values: Option<Map<String, Value>>,
    pub output_values: Option<Map<String, Value>>,
    pub action: String,
    pub status: DeploymentStatus,
    pub status_reason: String,
    pub creation_time: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stack_user_project_id: Option<String>,
    #[serde(default)]
    pub created_ms: u64,
    #[serde(default)]
    pub updated_ms: u64,
    /// Position in the batch that created it (orders deployments created in the same instant).
    #[serde(default)]
    pub seq: u32,
    /// Seconds an IN_PROGRESS deployment may wait for its signal (deploy-edge's addition).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<u32>,
    /// When an IN_PROGRESS deployment with a `timeout` times out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline_ms: Option<u64>,
    /// When its derived config (config, action, input values) last changed: the derived config's
    /// `creation_time`.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub derived_ms: u64,
    /// The CodeArts execution step this deployment runs, when one made it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run: Option<RunStep>,
}

/// Which step of which CodeArts execution record a deployment runs
/// ([`crate::service::executions`]): its signal moves that record on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunStep {
    pub task_id: String,
    pub record_id: String,
    /// The step's index in the record's steps.
    pub step: u32,
}

/// The validated body of one deployment in `POST /software_deployments`.
#[derive(Debug, Clone, PartialEq)]
pub struct NewDeployment {
    pub config_id: String,
    pub server_id: String,
    pub input_values: Option<Map<String, Value>>,
    pub action: String,
    pub status: DeploymentStatus,
    pub status_reason: String,
    pub stack_user_project_id: Option<String>,
    pub timeout: Option<u32>,
    pub run: Option<RunStep>,
}

/// The validated body of `PUT /software_deployments/{id}`: only fields that were sent (Heat treats
/// null as not sent).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DeploymentUpdate {
    pub config_id: Option<String>,
    pub input_values: Option<Map<String, Value>>,
    pub output_values: Option<Map<String, Value>>,
    pub action: Option<String>,
    pub status: Option<DeploymentStatus>,
    pub status_reason: Option<String>,
    pub timeout: Option<u32>,
}

impl SoftwareConfig {
    /// Builds a stored config from a validated body.
    pub fn create(id: String, new: NewConfig, now_ms: u64) -> Self {
        SoftwareConfig {
            id,
            name: new.name,
            group: new.group,
            config: new.config,
            inputs: new.inputs,
            outputs: new.outputs,
            options: new.options,
            creation_time: crate::clock::heat_time(now_ms),
            created_ms: now_ms,
        }
    }
}

impl SoftwareDeployment {
    /// Builds a stored deployment from a validated body.
    pub fn create(id: String, new: NewDeployment, now_ms: u64) -> Self {
        let mut created = SoftwareDeployment {
            id,
            config_id: new.config_id,
            server_id: new.server_id,
            input_values: new.input_values,
            output_values: None,
            action: new.action,
            status: new.status,
            status_reason: new.status_reason,
            creation_time: crate::clock::heat_time(now_ms),
            updated_time: None,
            stack_user_project_id: new.stack_user_project_id,
            created_ms: now_ms,
            updated_ms: 0,
            seq: 0,
            timeout: new.timeout,
            deadline_ms: None,
            derived_ms: now_ms,
            run: new.run,
        };
        created.start_clock(now_ms);
        created
    }

    /// Starts the timeout clock when the deployment is IN_PROGRESS with a timeout; clears it
    /// otherwise.
    fn start_clock(&mut self, now_ms: u64) {
        self.deadline_ms = match (self.status, self.timeout) {
            (DeploymentStatus::InProgress, Some(t)) => Some(now_ms + u64::from(t) * 1000),
            _ => None,
        };
    }

    /// Applies a timeout that has passed: an IN_PROGRESS deployment past its deadline is FAILED,
    /// as of its deadline (so every read of it agrees, ETag included). Returns whether it changed.
    pub fn settle(&mut self, now_ms: u64) -> bool {
        match (self.status, self.deadline_ms, self.timeout) {
            (DeploymentStatus::InProgress, Some(deadline), Some(t)) if deadline <= now_ms => {
                self.status = DeploymentStatus::Failed;
                self.status_reason = format!("Deployment timed out after {t} seconds");
                self.deadline_ms = None;
                self.updated_time = Some(crate::clock::heat_time(deadline));
                self.updated_ms = deadline;
                true
            }
            _ => false,
        }
    }

    /// Applies an update; `updated_time` is set on every update. The timeout clock restarts when
    /// the update sets IN_PROGRESS or a timeout, or re-deploys (a new config, action or inputs).
    pub fn apply(&mut self, update: DeploymentUpdate, now_ms: u64) {
        let redeploy = update
            .config_id
            .as_ref()
            .is_some_and(|c| *c != self.config_id)
            || update.action.as_ref().is_some_and(|a| *a != self.action)
            || update
                .input_values
                .as_ref()
                .is_some_and(|v| Some(v) != self.input_values.as_ref());
        let restart = redeploy
            || update.timeout.is_some()
            || update.status == Some(DeploymentStatus::InProgress);
        if redeploy {
            self.derived_ms = now_ms;
        }
        if let Some(t) = update.timeout {
            self.timeout = Some(t);
        }
        if let Some(v) = update.config_id {
            self.config_id = v;
        }
        if let Some(v) = update.input_values {
            self.input_values = Some(v);
        }
        if let Some(v) = update.output_values {
            self.output_values = Some(v);
        }
        if let Some(v) = update.action {
            self.action = v;
        }
        if let Some(v) = update.status {
            self.status = v;
        }
        if let Some(v) = update.status_reason {
            self.status_reason = v;
        }
        self.updated_time = Some(crate::clock::heat_time(now_ms));
        self.updated_ms = now_ms;
        if self.status != DeploymentStatus::InProgress {
            self.deadline_ms = None;
        } else if restart {
            self.start_clock(now_ms);
        }
    }
}
