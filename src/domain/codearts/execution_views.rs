//! The wire shapes of executions: what start, state, history, parameters and stop answer
//! (`StartDeployTaskResponse`, `ShowDeployStatus`, `ExecuteRecordV2Body`, `ConfigInfo`,
//! `StopDeployTaskRecordV2`). Times are CodeArts' (`yyyy-MM-dd HH:mm:ss`, UTC).

use super::execution::{Execution, ExecutionType, HostRun, Status, StepRun};
use crate::clock::codearts_time;
use serde::Serialize;

/// `POST /v2/tasks/{task_id}/start`.
#[derive(Debug, Serialize)]
pub struct Started<'a> {
    pub id: &'a str,
    pub task_id: &'a str,
    pub job_name: &'a str,
    pub release_id: u32,
    pub app_component_list: [(); 0],
}

impl<'a> Started<'a> {
    pub fn new(e: &'a Execution) -> Self {
        Started {
            id: &e.id,
            task_id: &e.task_id,
            job_name: &e.app_name,
            release_id: e.release_id,
            app_component_list: [],
        }
    }
}

/// `PUT …/records/{record_id}/stop`: `{status, result: {id, task_id}}`.
#[derive(Debug, Serialize)]
pub struct Stopped<'a> {
    pub status: &'static str,
    pub result: RecordRef<'a>,
}

#[derive(Debug, Serialize)]
pub struct RecordRef<'a> {
    pub id: &'a str,
    pub task_id: &'a str,
}

impl<'a> Stopped<'a> {
    pub fn new(e: &'a Execution) -> Self {
        Stopped {
            status: "success",
            result: RecordRef {
                id: &e.id,
                task_id: &e.task_id,
            },
        }
    }
}

fn time(ms: Option<u64>) -> String {
    ms.map(codearts_time).unwrap_or_default()
}

fn kind(e: &Execution) -> &'static str {
    match e.kind {
        ExecutionType::Deploy => "deploy",
        ExecutionType::Rollback => "rollback",
    }
}

/// `HH:MM:SS` from milliseconds.
fn duration(ms: u64) -> String {
    let s = ms / 1000;
    format!("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

/// One record of a history page (`ExecuteRecordV2Body`).
#[derive(Debug, Serialize)]
pub struct HistoryRow<'a> {
    pub execution_id: &'a str,
    pub release_id: u32,
    pub state: &'static str,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub operator: &'a str,
    pub nickname: &'a str,
    pub start_time: String,
    pub end_time: String,
    pub duration: String,
}

impl<'a> HistoryRow<'a> {
    pub fn new(e: &'a Execution, status: Status, ended_ms: Option<u64>, now_ms: u64) -> Self {
        HistoryRow {
            execution_id: &e.id,
            release_id: e.release_id,
            state: status.as_str(),
            kind: kind(e),
            operator: &e.operator,
            nickname: &e.operator,
            start_time: codearts_time(e.started_ms),
            end_time: time(ended_ms),
            duration: duration(ended_ms.unwrap_or(now_ms).saturating_sub(e.started_ms)),
        }
    }
}

/// `GET /v2/{project_id}/task/{task_id}/history`.
#[derive(Debug, Serialize)]
pub struct History<'a> {
    pub result: Vec<HistoryRow<'a>>,
    pub total_num: usize,
}

/// One parameter of a record (`ConfigInfo`): an `encrypt` value reads blank.
#[derive(Debug, Serialize)]
pub struct ParamRow<'a> {
    pub name: &'a str,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub value: &'a str,
}

/// `GET /v2/history/tasks/{task_id}/params`: a bare array.
pub fn params(e: &Execution) -> Vec<ParamRow<'_>> {
    e.params
        .iter()
        .map(|p| ParamRow {
            name: &p.name,
            kind: p.kind.as_str(),
            value: p.value.as_deref().unwrap_or(""),
        })
        .collect()
}

/// One host's run of one step, with what its agent sent back.
#[derive(Debug, Serialize)]
pub struct HostStep<'a> {
    pub host_id: &'a str,
    pub host_name: &'a str,
    pub ip: &'a str,
    pub status: &'static str,
    pub start_time: String,
    pub end_time: String,
    pub exit_code: Option<i64>,
    pub stdout: Option<String>,
    pub stderr: Option<String>,
    pub message: Option<String>,
}

impl<'a> HostStep<'a> {
    fn new(host: &'a HostRun, step: StepRun) -> Self {
        HostStep {
            host_id: &host.host_id,
            host_name: &host.host_name,
            ip: &host.ip,
            status: step.status.as_str(),
            start_time: time(step.started_ms),
            end_time: time(step.ended_ms),
            exit_code: step.exit_code,
            stdout: step.stdout,
            stderr: step.stderr,
            message: step.reason,
        }
    }
}

/// One step of a record across its hosts (a `step_state` item).
#[derive(Debug, Serialize)]
pub struct StepState<'a> {
    pub id: String,
    pub name: &'a str,
    pub enable: bool,
    pub offset: usize,
    pub status: &'static str,
    pub elapsed_time: String,
    pub hosts: Vec<HostStep<'a>>,
}

/// One host of a record: its status and the step it is at (or failed or stopped at).
#[derive(Debug, Serialize)]
pub struct HostState<'a> {
    pub host_id: &'a str,
    pub host_name: &'a str,
    pub ip: &'a str,
    pub status: &'static str,
    pub step: &'a str,
    pub offset: usize,
}

/// The record's state (`ShowDeployStatus`'s `result`).
#[derive(Debug, Serialize)]
pub struct RecordStateView<'a> {
    pub status: &'static str,
    /// The step the record is at: the first one a host has not finished, else the last.
    pub step: &'a str,
    pub current_offset: usize,
    pub record_id: &'a str,
    pub task_id: &'a str,
    pub task_name: &'a str,
    pub release_id: u32,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub environment_id: &'a str,
    pub environment_name: &'a str,
    pub executor: &'a str,
    pub nick_name: &'a str,
    pub start_time: String,
    pub end_time: String,
    /// Why it failed: the first failed host and its step; `null` otherwise.
    pub message: Option<String>,
    pub hosts: Vec<HostState<'a>>,
    pub step_state: Vec<StepState<'a>>,
}

/// `GET /v2/tasks/{task_id}/state`: `{status: "success", result}`.
#[derive(Debug, Serialize)]
pub struct StateAnswer<'a> {
    pub status: &'static str,
    pub result: RecordStateView<'a>,
}

impl<'a> StateAnswer<'a> {
    pub fn new(
        e: &'a Execution,
        hosts: &'a [HostRun],
        (status, ended_ms): (Status, Option<u64>),
        now_ms: u64,
    ) -> Self {
        // The step each host is at (or ended at), found once per host.
        let at: Vec<usize> = hosts.iter().map(|h| h.current_step(now_ms)).collect();
        let step_name = |i: usize| e.steps.get(i).map_or("", |s| s.name.as_str());
        let host_states: Vec<HostState<'a>> = hosts
            .iter()
            .zip(&at)
            .map(|(h, &at)| HostState {
                host_id: &h.host_id,
                host_name: &h.host_name,
                ip: &h.ip,
                status: h.status(now_ms).as_str(),
                step: step_name(at),
                offset: at,
            })
            .collect();
        let current = at.iter().copied().min().unwrap_or(0);
        let message = hosts.iter().zip(&at).find_map(|(h, &at)| {
            let step = h.steps.get(at)?;
            (step.status_at(now_ms) == Status::Failed).then(|| {
                format!(
                    "Host {} ({}) failed at step {} \"{}\": {}",
                    h.host_name,
                    h.host_id,
                    at + 1,
                    step_name(at),
                    step.at(now_ms).reason.unwrap_or_default()
                )
            })
        });
        let step_state = e
            .steps
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let runs: Vec<StepRun> = hosts
                    .iter()
                    .map(|h| {
                        h.steps
                            .get(i)
                            .map(|r| r.at(now_ms))
                            .unwrap_or_else(StepRun::pending)
                    })
                    .collect();
                let started = runs.iter().filter_map(|r| r.started_ms).min();
                let ended = runs.iter().map(|r| r.ended_ms.unwrap_or(now_ms)).max();
                let status = step_status(&runs);
                StepState {
                    id: s
                        .operation_id
                        .clone()
                        .unwrap_or_else(|| format!("step{}", i + 1)),
                    name: &s.name,
                    enable: true,
                    offset: i,
                    status: status.as_str(),
                    elapsed_time: match (started, ended) {
                        (Some(a), Some(b)) => duration(b.saturating_sub(a)),
                        _ => String::new(),
                    },
                    hosts: hosts
                        .iter()
                        .zip(runs)
                        .map(|(h, r)| HostStep::new(h, r))
                        .collect(),
                }
            })
            .collect();
        StateAnswer {
            status: "success",
            result: RecordStateView {
                status: status.as_str(),
                step: step_name(current),
                current_offset: current,
                record_id: &e.id,
                task_id: &e.task_id,
                task_name: &e.app_name,
                release_id: e.release_id,
                kind: kind(e),
                environment_id: &e.environment_id,
                environment_name: &e.environment_name,
                executor: &e.operator,
                nick_name: &e.operator,
                start_time: codearts_time(e.started_ms),
                end_time: time(ended_ms),
                message,
                hosts: host_states,
                step_state,
            },
        }
    }
}

/// A step's status across its hosts: failed if one failed, running while one runs, pending until
/// one starts, stopped if one was stopped, succeeded when all did.
fn step_status(runs: &[StepRun]) -> Status {
    let has = |s: Status| runs.iter().any(|r| r.status == s);
    if has(Status::Failed) {
        Status::Failed
    } else if has(Status::Running) {
        Status::Running
    } else if has(Status::Stopped) {
        Status::Stopped
    } else if has(Status::Pending) {
        Status::Pending
    } else {
        Status::Succeeded
    }
}
