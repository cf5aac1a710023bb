//! A deployment task's executions (CodeArts' deployment records): what a start, a state, a
//! history, a parameters and a stop request carry, what a record keeps, and how its status rolls
//! up from its hosts' steps. [`crate::service::executions`] runs them on the hosts' agents.
//!
//! A record freezes the task's operations and the parameters it started with. Each operation is a
//! step; a step runs on a host as one Heat deployment of a `script` config. A host's next step is
//! handed to its agent only once its previous step succeeded, so a failed step stops that host.

use super::orchestration::Operation;
use super::rules::ID;
use crate::validate::{check_str, item, Fields, Report, Rule, StrRule};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Most parameters in one start.
pub const PARAMS_MAX: usize = 100;
/// Longest parameter value, in characters.
pub const PARAM_VALUE_MAX: usize = 8192;
/// A parameter name: letters, digits, `_`, `-` and `.`, 1 to 64 characters (what `${name}` names).
pub const PARAM_NAME: StrRule =
    StrRule::required(64).pattern(is_param_name, "letters, digits, '_', '-' and '.' only");
/// The longest history window: 30 days, as Huawei's.
pub const HISTORY_DAYS_MAX: u64 = 30;
/// Most records in one history page.
pub const HISTORY_SIZE_MAX: i64 = 100;
/// The step timeout when the application sets none (seconds).
pub const STEP_TIMEOUT_DEFAULT_S: u32 = 1800;
/// The longest script one step may carry after substitution (bytes).
pub const SCRIPT_MAX: usize = 256 * 1024;

fn is_param_name(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

const START_KEYS: &[&str] = &["params", "record_id", "trigger_source"];
const PARAM_KEYS: &[&str] = &["key", "value", "type"];
const RECORD_QUERY_KEYS: &[&str] = &["record_id", "step_state"];
const HISTORY_KEYS: &[&str] = &["page", "size", "start_date", "end_date"];
const OPTIONAL_ID: StrRule = StrRule {
    required: false,
    ..ID
};

/// The type of a start parameter (`DynamicConfigInfo.type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParamType {
    Text,
    Enum,
    /// The environment to deploy to, by id.
    HostGroup,
    /// A secret: never stored, answered blank, not substituted.
    Encrypt,
}

impl ParamType {
    const NAMES: &'static [&'static str] = &["text", "enum", "host_group", "encrypt"];

    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "text" => ParamType::Text,
            "enum" => ParamType::Enum,
            "host_group" => ParamType::HostGroup,
            "encrypt" => ParamType::Encrypt,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

/// One parameter as a record keeps it: an `encrypt` value is not kept (`None`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Param {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: ParamType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// A start (`EnvExecutionBody`): parameters, or a record whose parameters to run again.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Start {
    pub params: Vec<Param>,
    /// Runs that record's parameters again (a rollback).
    pub record_id: Option<String>,
}

/// `record_id` of a state or parameters query: the task's latest record when absent.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RecordQuery {
    pub record_id: Option<String>,
}

/// A history query: a page of the records started between two dates (UTC, both included).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HistoryQuery {
    pub page: u32,
    pub size: u32,
    pub from_ms: u64,
    /// The end of `end_date` (exclusive).
    pub until_ms: u64,
}

/// Validates a `POST /v2/tasks/{task_id}/start` body: at most [`PARAMS_MAX`] parameters, each
/// named once, or a `record_id` (with no parameters) to run again; `trigger_source` `"0"` or `"1"`.
pub fn parse_start(body: &Value, report: &mut Report) -> Option<Start> {
    let mut f = Fields::of(body, "", report)?;
    f.unknown_keys(START_KEYS, true);
    let items = f.array("params", false, PARAMS_MAX);
    let record_id = f.str("record_id", OPTIONAL_ID).map(str::to_owned);
    f.one_of("trigger_source", &["0", "1"], false);
    let mut params: Vec<Param> = Vec::new();
    for (i, v) in items.into_iter().flatten().enumerate() {
        let path = item("/params", i);
        let Some(mut p) = Fields::of(v, &path, f.report) else {
            continue;
        };
        p.unknown_keys(PARAM_KEYS, true);
        let name = p.str("key", PARAM_NAME);
        let value = p.str("value", StrRule::optional(PARAM_VALUE_MAX));
        let kind = p.one_of("type", ParamType::NAMES, false);
        let (Some(name), Some(kind)) = (name, kind.or(Some("text")).and_then(ParamType::parse))
        else {
            continue;
        };
        if params.iter().any(|q| q.name == name) {
            let at = format!("{path}/key");
            f.report.error(
                &at,
                Rule::Duplicate,
                format_args!("\"{name}\" appears twice"),
            );
            continue;
        }
        let value = value.unwrap_or_default();
        if kind == ParamType::HostGroup {
            check_str(value, &format!("{path}/value"), ID, f.report);
        }
        params.push(Param {
            name: name.to_owned(),
            kind,
            value: (kind != ParamType::Encrypt).then(|| value.to_owned()),
        });
    }
    if record_id.is_some() && !params.is_empty() {
        f.report.error(
            "/params",
            Rule::TooLong { limit: 0 },
            "must be empty with record_id: a rollback runs that record's parameters",
        );
    }
    if !report.is_valid() {
        return None;
    }
    Some(Start { params, record_id })
}

/// Validates the query of `GET /v2/tasks/{task_id}/state` and of
/// `GET /v2/history/tasks/{task_id}/params`: an optional `record_id` (and `step_state`).
pub fn parse_record_query(query: &Value, report: &mut Report) -> Option<RecordQuery> {
    let mut f = Fields::of(query, "", report)?;
    f.unknown_keys(RECORD_QUERY_KEYS, true);
    let record_id = f.str("record_id", OPTIONAL_ID).map(str::to_owned);
    f.one_of("step_state", &["true", "false"], false);
    if !report.is_valid() {
        return None;
    }
    Some(RecordQuery { record_id })
}

/// Validates a `PUT /v2/tasks/{task_id}/records/{record_id}/stop` body: an empty JSON object.
pub fn parse_stop(body: &Value, report: &mut Report) -> Option<()> {
    let mut f = Fields::of(body, "", report)?;
    f.unknown_keys(&[], true);
    report.is_valid().then_some(())
}

/// Validates the query of `GET /v2/{project_id}/task/{task_id}/history`: `page` (1 to 99999),
/// `size` (1 to 100), `start_date` and `end_date` (`yyyy-MM-dd`, in order, at most 30 days
/// apart), all required.
pub fn parse_history_query(query: &Value, report: &mut Report) -> Option<HistoryQuery> {
    let mut f = Fields::of(query, "", report)?;
    f.unknown_keys(HISTORY_KEYS, true);
    let page = super::hosts::query_int(&mut f, "page", 1, 99_999);
    let size = super::hosts::query_int(&mut f, "size", 1, HISTORY_SIZE_MAX);
    let mut date = |key: &str| -> Option<u64> {
        let at = f.at(key);
        let text = f.str(key, StrRule::required(10))?;
        let ms = crate::clock::parse_date(text);
        if ms.is_none() {
            f.report.error(
                &at,
                Rule::Pattern {
                    pattern: "yyyy-MM-dd",
                },
                "must be a date written yyyy-MM-dd",
            );
        }
        ms
    };
    let from = date("start_date");
    let to = date("end_date");
    for key in ["page", "size"] {
        if f.present(key).is_none() {
            let at = f.at(key);
            f.report.error(&at, Rule::Required, "is required");
        }
    }
    if let (Some(from), Some(to)) = (from, to) {
        if to < from {
            f.report.error(
                "/end_date",
                Rule::OutOfRange { min: 0, max: 30 },
                "must not be before start_date",
            );
        } else if to - from > HISTORY_DAYS_MAX * DAY_MS {
            f.report.error(
                "/end_date",
                Rule::OutOfRange { min: 0, max: 30 },
                format_args!("must be at most {HISTORY_DAYS_MAX} days after start_date"),
            );
        }
    }
    if !report.is_valid() {
        return None;
    }
    Some(HistoryQuery {
        page: u32::try_from(page?).ok()?,
        size: u32::try_from(size?).ok()?,
        from_ms: from?,
        until_ms: to? + DAY_MS,
    })
}

const DAY_MS: u64 = 86_400_000;

/// One step of a record: an operation's name and the script config its hosts run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub name: String,
    /// The operation's id in the application, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation_id: Option<String>,
    pub config_id: String,
}

/// Why a record was started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExecutionType {
    Deploy,
    Rollback,
}

/// An execution record (`p/{project}/run/{task_id}/{record_id}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Execution {
    pub id: String,
    pub task_id: String,
    pub app_id: String,
    pub app_name: String,
    /// The record's number in its task: 1, 2, ...
    pub release_id: u32,
    #[serde(rename = "type")]
    pub kind: ExecutionType,
    /// The record a rollback ran the parameters of.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollback_of: Option<String>,
    pub environment_id: String,
    pub environment_name: String,
    pub params: Vec<Param>,
    pub steps: Vec<Step>,
    /// The hosts, in the environment's order.
    pub hosts: Vec<String>,
    pub operator: String,
    pub started_ms: u64,
    /// Set by a stop. Nothing else about the record changes after its start: its status and end
    /// come from its hosts' ([`rollup`]), so a host's signal writes that host's record alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped_ms: Option<u64>,
}

/// The task's run counter and latest record (`p/{project}/runs/{task_id}`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TaskRuns {
    pub last_release: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest: Option<String>,
}

/// The status of a step on a host, of a host, and of a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Not handed to the host yet.
    Pending,
    Running,
    Succeeded,
    Failed,
    Stopped,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Running => "running",
            Status::Succeeded => "succeeded",
            Status::Failed => "failed",
            Status::Stopped => "stopped",
        }
    }

    pub fn finished(self) -> bool {
        matches!(self, Status::Succeeded | Status::Failed | Status::Stopped)
    }
}

/// One step on one host, with what its agent sent back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepRun {
    pub status: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployment_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_ms: Option<u64>,
    /// When a running step times out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stdout: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stderr: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl StepRun {
    pub fn pending() -> Self {
        StepRun {
            status: Status::Pending,
            deployment_id: None,
            started_ms: None,
            ended_ms: None,
            deadline_ms: None,
            stdout: None,
            stderr: None,
            exit_code: None,
            reason: None,
        }
    }

    /// The step handed to its host as `deployment_id` at `now_ms`.
    pub fn start(&mut self, deployment_id: String, now_ms: u64, timeout_s: u32) {
        self.status = Status::Running;
        self.deployment_id = Some(deployment_id);
        self.started_ms = Some(now_ms);
        self.deadline_ms = Some(now_ms + u64::from(timeout_s) * 1000);
    }

    /// The deadline it has passed by `now_ms`, if it is a running step that has.
    fn timed_out(&self, now_ms: u64) -> Option<u64> {
        self.deadline_ms
            .filter(|deadline| self.status == Status::Running && *deadline <= now_ms)
    }

    /// Its status as of `now_ms` (a running step past its deadline reads failed), with no copy.
    pub fn status_at(&self, now_ms: u64) -> Status {
        match self.timed_out(now_ms) {
            Some(_) => Status::Failed,
            None => self.status,
        }
    }

    /// When it ended as of `now_ms` (a step that timed out, at its deadline).
    pub fn ended_at(&self, now_ms: u64) -> Option<u64> {
        self.timed_out(now_ms).or(self.ended_ms)
    }

    /// The step as of `now_ms`, as answers show it: a running step past its deadline reads failed.
    pub fn at(&self, now_ms: u64) -> StepRun {
        let mut s = self.clone();
        if let Some(deadline) = self.timed_out(now_ms) {
            s.status = Status::Failed;
            s.ended_ms = Some(deadline);
            s.reason = Some("The step timed out: the host's agent sent no result".into());
        }
        s
    }
}

/// One host of a record (`p/{project}/runhost/{record_id}/{host_id}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostRun {
    pub host_id: String,
    pub group_id: String,
    pub host_name: String,
    pub ip: String,
    pub steps: Vec<StepRun>,
}

impl HostRun {
    /// The host's status as of `now_ms`: failed or stopped at a step, succeeded when every step
    /// did, running otherwise.
    pub fn status(&self, now_ms: u64) -> Status {
        let mut all_succeeded = true;
        for step in &self.steps {
            match step.status_at(now_ms) {
                Status::Failed => return Status::Failed,
                Status::Stopped => return Status::Stopped,
                Status::Succeeded => {}
                Status::Pending | Status::Running => all_succeeded = false,
            }
        }
        if all_succeeded {
            Status::Succeeded
        } else {
            Status::Running
        }
    }

    /// The index of the step that decides its status: the first not succeeded, else the last.
    pub fn current_step(&self, now_ms: u64) -> usize {
        self.steps
            .iter()
            .position(|s| s.status_at(now_ms) != Status::Succeeded)
            .unwrap_or(self.steps.len().saturating_sub(1))
    }
}

/// A record's status from its hosts', and when it ended: stopped once stopped; running while a
/// host runs; failed if a host failed; succeeded when all did, ending with its last host's step.
pub fn rollup(execution: &Execution, hosts: &[HostRun], now_ms: u64) -> (Status, Option<u64>) {
    if let Some(stopped) = execution.stopped_ms {
        return (Status::Stopped, Some(stopped));
    }
    let statuses: Vec<Status> = hosts.iter().map(|h| h.status(now_ms)).collect();
    let status = if statuses.contains(&Status::Running) {
        return (Status::Running, None);
    } else if statuses.contains(&Status::Failed) {
        Status::Failed
    } else {
        Status::Succeeded
    };
    let ended = hosts
        .iter()
        .flat_map(|h| h.steps.iter().filter_map(|s| s.ended_at(now_ms)))
        .max();
    (status, ended.or(Some(execution.started_ms)))
}

/// An operation deploy-edge cannot run, by its index and name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotRunnable {
    pub index: usize,
    pub name: String,
}

/// The shell script of an operation: its `params` is a JSON object with a `script` string.
pub fn script_of(op: &Operation) -> Option<String> {
    let params: Value = serde_json::from_str(op.params.as_deref()?).ok()?;
    params.get("script")?.as_str().map(str::to_owned)
}

/// The task's operations as steps' scripts, or the first one that is no shell step.
pub fn scripts(ops: &[Operation]) -> Result<Vec<(String, String)>, NotRunnable> {
    ops.iter()
        .enumerate()
        .map(|(index, op)| {
            let name = op
                .name
                .clone()
                .unwrap_or_else(|| format!("step {}", index + 1));
            match script_of(op) {
                Some(script) => Ok((name, script)),
                None => Err(NotRunnable { index, name }),
            }
        })
        .collect()
}

/// `script` with each `${name}` of a kept parameter replaced by its value (encrypt values are not
/// kept and not substituted); a `#!/bin/sh` line first when it has no `#!` line, since the agent's
/// `script` hook runs the config as a program.
pub fn substitute(script: &str, params: &[Param]) -> String {
    let mut out = String::with_capacity(script.len() + 16);
    if !script.starts_with("#!") {
        out.push_str("#!/bin/sh\n");
    }
    let mut rest = script;
    while let Some(at) = rest.find("${") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        let value = after.find('}').and_then(|end| {
            let name = &after[..end];
            params
                .iter()
                .find(|p| p.name == name)
                .and_then(|p| p.value.as_deref())
                .map(|v| (v, end))
        });
        match value {
            Some((v, end)) => {
                out.push_str(v);
                rest = &after[end + 1..];
            }
            None => {
                out.push_str("${");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// A host step's result from its deployment's outputs (`deploy_stdout`, `deploy_stderr`,
/// `deploy_status_code`, as heat-config-notify sends them).
pub fn outputs_of(
    outputs: Option<&serde_json::Map<String, Value>>,
) -> (Option<String>, Option<String>, Option<i64>) {
    let text = |k: &str| {
        outputs
            .and_then(|o| o.get(k))
            .and_then(|v| v.as_str().map(str::to_owned))
    };
    let code = outputs
        .and_then(|o| o.get("deploy_status_code"))
        .and_then(|v| match v {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        });
    (text("deploy_stdout"), text("deploy_stderr"), code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn text(name: &str, value: &str) -> Param {
        Param {
            name: name.into(),
            kind: ParamType::Text,
            value: Some(value.into()),
        }
    }

    #[test]
    fn text_parameters_substitute_and_unknown_or_secret_names_stay_as_written() {
        let secret = Param {
            name: "pw".into(),
            kind: ParamType::Encrypt,
            value: None,
        };
        let params = [text("version", "1.2"), text("dir", "/srv"), secret];
        assert_eq!(
            substitute("echo ${version} > ${dir}/v; echo ${pw} ${nope} ${", &params),
            "#!/bin/sh\necho 1.2 > /srv/v; echo ${pw} ${nope} ${"
        );
        assert_eq!(
            substitute("#!/bin/bash\n${dir}", &params),
            "#!/bin/bash\n/srv"
        );
    }

    #[test]
    fn a_start_names_each_bad_parameter_and_refuses_params_with_a_record() {
        let mut r = Report::default();
        let body = json!({"params": [{"key": "a", "value": "1"}, {"key": "a", "value": "2"},
            {"key": "b c", "type": "number"}, {"key": "env", "type": "host_group", "value": "x"}],
            "trigger_source": "2"});
        assert!(parse_start(&body, &mut r).is_none());
        let got: Vec<(String, String)> = r
            .errors
            .iter()
            .map(|e| (e.path.clone(), e.code().as_str().to_owned()))
            .collect();
        let want = [
            ("/trigger_source", "enum"),
            ("/params/1/key", "duplicate"),
            ("/params/2/key", "pattern"),
            ("/params/2/type", "enum"),
            ("/params/3/value", "pattern"),
        ];
        let want: Vec<(String, String)> = want
            .iter()
            .map(|(p, c)| (p.to_string(), c.to_string()))
            .collect();
        assert_eq!(got, want);

        let mut r = Report::default();
        let rollback = json!({"record_id": "a".repeat(32), "params": [{"key": "a", "value": "1"}]});
        assert!(parse_start(&rollback, &mut r).is_none());
        assert_eq!(r.errors[0].path, "/params");

        let mut r = Report::default();
        let ok = json!({"params": [{"key": "pw", "value": "s", "type": "encrypt"}]});
        let start = parse_start(&ok, &mut r).unwrap();
        assert_eq!(start.params[0].value, None, "an encrypt value is not kept");
    }

    #[test]
    fn history_dates_are_in_order_and_at_most_30_days_apart() {
        let q = |s: &str, e: &str| {
            let mut r = Report::default();
            let got = parse_history_query(
                &json!({"page": "1", "size": "10", "start_date": s, "end_date": e}),
                &mut r,
            );
            (
                got,
                r.errors.iter().map(|e| e.path.clone()).collect::<Vec<_>>(),
            )
        };
        let (ok, _) = q("2026-11-07", "2026-12-07");
        let ok = ok.unwrap();
        assert_eq!(ok.until_ms - ok.from_ms, 31 * DAY_MS);
        assert_eq!(q("2026-11-06", "2026-12-07").1, ["/end_date"]);
        assert_eq!(q("2026-12-08", "2026-12-07").1, ["/end_date"]);
        assert_eq!(q("2026-12-32", "2026-12-07").1, ["/start_date"]);
        let mut r = Report::default();
        assert!(parse_history_query(&json!({}), &mut r).is_none());
        assert_eq!(r.errors.len(), 4, "{:?}", r.errors);
    }

    #[test]
    fn a_record_fails_when_a_host_fails_and_runs_while_any_host_runs() {
        let step = |status| StepRun {
            status,
            ..StepRun::pending()
        };
        let host = |steps: Vec<StepRun>| HostRun {
            host_id: "h".into(),
            group_id: "g".into(),
            host_name: "n".into(),
            ip: "1.2.3.4".into(),
            steps,
        };
        let done = host(vec![step(Status::Succeeded), step(Status::Succeeded)]);
        let failed = host(vec![step(Status::Failed), step(Status::Pending)]);
        let mut running = host(vec![step(Status::Succeeded), StepRun::pending()]);
        running.steps[1].start("d".into(), 1_000, 10);
        let e = Execution {
            id: "r".into(),
            task_id: "t".into(),
            app_id: "a".into(),
            app_name: "n".into(),
            release_id: 1,
            kind: ExecutionType::Deploy,
            rollback_of: None,
            environment_id: "e".into(),
            environment_name: "n".into(),
            params: vec![],
            steps: vec![],
            hosts: vec![],
            operator: "o".into(),
            started_ms: 0,
            stopped_ms: None,
        };
        let done_at = rollup(&e, std::slice::from_ref(&done), 0);
        assert_eq!(
            done_at,
            (Status::Succeeded, Some(0)),
            "no step ended: its start"
        );
        let all = [done, failed.clone(), running.clone()];
        assert_eq!(rollup(&e, &all, 5_000), (Status::Running, None));
        assert_eq!(
            rollup(&e, &all, 11_000),
            (Status::Failed, Some(11_000)),
            "the running step timed out at its deadline, which ends the record"
        );
        assert_eq!(running.status(11_000), Status::Failed);
        assert_eq!(running.current_step(11_000), 1);
        assert_eq!(failed.current_step(0), 0);
        let stopped = Execution {
            stopped_ms: Some(1),
            ..e
        };
        assert_eq!(rollup(&stopped, &all, 0), (Status::Stopped, Some(1)));
    }

    #[test]
    fn only_operations_with_a_script_are_runnable() {
        let op = |name: &str, params: &str| Operation {
            name: Some(name.into()),
            params: Some(params.into()),
            ..Operation::default()
        };
        let ok = [
            op("a", r#"{"script": "echo a"}"#),
            op("b", r#"{"script": "echo b"}"#),
        ];
        assert_eq!(
            scripts(&ok).unwrap()[1],
            ("b".to_owned(), "echo b".to_owned())
        );
        let bad = [
            op("a", r#"{"script": "x"}"#),
            op("download", r#"{"url": "x"}"#),
        ];
        assert_eq!(
            scripts(&bad),
            Err(NotRunnable {
                index: 1,
                name: "download".into()
            })
        );
    }
}
