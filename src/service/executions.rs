//! CodeArts executions ([`crate::domain::codearts::execution`]) run by the hosts' stock agents,
//! through the Heat machinery: each step of a record is a `script` config, and each host gets
//! the step it is at as a deployment ([`Deployments`]), whose derived config, signal URL and
//! timeout are the ones any Heat deployment has.
//!
//! - **Start** freezes the task's operations (as configs, one per step, with the parameters
//!   substituted) and its parameters in a record, and deploys the first step to every host of the
//!   target environment. The previous record's deployments leave the hosts' documents.
//! - **A signal** of a step's deployment ([`ExecutionService::advance`]) records the host's output;
//!   a success deploys the host's next step, a failure ends the host there.
//! - **Stop** removes every step not finished from its host's document: a host that has not
//!   polled runs nothing; a late signal finds no deployment and changes nothing.
//!
//! Records live only in the project's object (never published to KV); every write here is part
//! of the request's one SQLite transaction.

use super::codearts::CodeArtsService;
use super::deployments::Deployments;
use super::environments::EnvironmentService;
use super::heat::{deployment_id, HeatService};
use super::{encode, read};
use crate::domain::codearts::execution::{
    outputs_of, rollup, scripts, substitute, Execution, ExecutionType, HistoryQuery, HostRun,
    Param, ParamType, Start, Status, Step, StepRun, TaskRuns, SCRIPT_MAX, STEP_TIMEOUT_DEFAULT_S,
};
use crate::domain::codearts::Application;
use crate::domain::heat::{
    DeploymentStatus, NewConfig, NewDeployment, RunStep, SoftwareDeployment,
};
use crate::error::ApiError;
use crate::keys::ProjectKeys;
use crate::store::Store;
use crate::validate::{FieldError, Rule};
use serde_json::Map;

/// The 404 of a record that is not the task's.
pub fn no_such_record(id: &str) -> ApiError {
    ApiError::NotFound(format!(
        "The deployment record {id} does not exist in this task"
    ))
}

/// The 404 of a task id that is no application's.
pub fn no_such_task(id: &str) -> ApiError {
    ApiError::NotFound(format!("The deployment task {id} does not exist"))
}

fn invalid(path: &str, rule: Rule, text: impl std::fmt::Display) -> ApiError {
    ApiError::invalid(FieldError::new(path, rule, text))
}

/// A record with its hosts, as of a moment.
pub struct RecordState {
    pub execution: Execution,
    pub hosts: Vec<HostRun>,
    pub status: Status,
    /// When it ended; `None` while it runs.
    pub ended_ms: Option<u64>,
}

impl RecordState {
    fn of(execution: Execution, hosts: Vec<HostRun>, now_ms: u64) -> Self {
        let (status, ended_ms) = rollup(&execution, &hosts, now_ms);
        RecordState {
            execution,
            hosts,
            status,
            ended_ms,
        }
    }
}

/// The executions of one project's deployment tasks, as of `now_ms`.
pub struct ExecutionService<'a, S: Store + ?Sized> {
    store: &'a S,
    project: &'a str,
    keys: ProjectKeys<'a>,
    now_ms: u64,
    new_id: fn() -> Result<String, String>,
}

impl<'a, S: Store + ?Sized> ExecutionService<'a, S> {
    pub fn new(
        store: &'a S,
        project: &'a str,
        now_ms: u64,
        new_id: fn() -> Result<String, String>,
    ) -> Self {
        ExecutionService {
            store,
            project,
            keys: ProjectKeys::new(project),
            now_ms,
            new_id,
        }
    }

    fn deployments(&self) -> Deployments<'a, S> {
        Deployments::new(self.store, self.project, self.now_ms)
    }

    async fn put<T: serde::Serialize>(&self, key: &str, value: &T) -> Result<(), ApiError> {
        self.store.put(key, &encode(value)?, None).await?;
        Ok(())
    }

    /// The application whose deployment task `task_id` is.
    async fn application_of(&self, task_id: &str) -> Result<Application, ApiError> {
        if !crate::ids::is_huawei_id(task_id) {
            return Err(no_such_task(task_id));
        }
        let apps = CodeArtsService::new(self.store, self.project, self.new_id);
        apps.all()
            .await?
            .into_iter()
            .find(|a| a.arrange_infos.iter().any(|t| t.id == task_id))
            .ok_or_else(|| no_such_task(task_id))
    }

    /// A record of the task, or the latest when `record_id` is `None` (404 when it has none).
    pub async fn record(
        &self,
        task_id: &str,
        record_id: Option<&str>,
    ) -> Result<Execution, ApiError> {
        let id = match record_id {
            Some(id) => id.to_owned(),
            None => {
                self.application_of(task_id).await?;
                let runs: Option<TaskRuns> =
                    read(self.store, &self.keys.task_runs(task_id)).await?;
                runs.and_then(|r| r.latest).ok_or_else(|| {
                    ApiError::NotFound(format!("The deployment task {task_id} has no records"))
                })?
            }
        };
        if !crate::ids::is_huawei_id(&id) {
            return Err(no_such_record(&id));
        }
        read(self.store, &self.keys.execution(task_id, &id))
            .await?
            .ok_or_else(|| no_such_record(&id))
    }

    async fn host_runs(&self, e: &Execution) -> Result<Vec<HostRun>, ApiError> {
        let keys: Vec<String> = e
            .hosts
            .iter()
            .map(|h| self.keys.host_run(&e.id, h))
            .collect();
        super::read_many(self.store, &keys).await
    }

    /// A record and its hosts (the latest record when `record_id` is `None`).
    pub async fn state(
        &self,
        task_id: &str,
        record_id: Option<&str>,
    ) -> Result<RecordState, ApiError> {
        let execution = self.record(task_id, record_id).await?;
        let hosts = self.host_runs(&execution).await?;
        Ok(RecordState::of(execution, hosts, self.now_ms))
    }

    /// The task's records started in the query's window, newest first: one page, and how many
    /// there are in all.
    pub async fn history(
        &self,
        task_id: &str,
        query: &HistoryQuery,
    ) -> Result<(usize, Vec<RecordState>), ApiError> {
        self.application_of(task_id).await?;
        let mut all: Vec<Execution> =
            super::read_all(self.store, &self.keys.executions_of(task_id)).await?;
        all.retain(|e| (query.from_ms..query.until_ms).contains(&e.started_ms));
        all.sort_by_key(|e| std::cmp::Reverse(e.release_id));
        let total = all.len();
        let skip = (query.page as usize - 1).saturating_mul(query.size as usize);
        let mut page = Vec::new();
        for execution in all.into_iter().skip(skip).take(query.size as usize) {
            let hosts = self.host_runs(&execution).await?;
            page.push(RecordState::of(execution, hosts, self.now_ms));
        }
        Ok((total, page))
    }

    /// `POST /v2/tasks/{task_id}/start`: a new record, its first step deployed to every host of
    /// the target environment.
    pub async fn start(
        &self,
        task_id: &str,
        start: Start,
        operator: &str,
    ) -> Result<Execution, ApiError> {
        let app = self.application_of(task_id).await?;
        let task = app
            .arrange_infos
            .iter()
            .find(|t| t.id == task_id)
            .ok_or_else(|| no_such_task(task_id))?;
        let (params, kind, rollback_of) = match start.record_id {
            Some(id) => {
                let earlier = self.record(task_id, Some(&id)).await?;
                (earlier.params, ExecutionType::Rollback, Some(id))
            }
            None => (start.params, ExecutionType::Deploy, None),
        };
        let ops = scripts(&task.operation_list).map_err(|op| {
            invalid(
                &format!("/arrange_infos/0/operation_list/{}", op.index),
                Rule::Pattern {
                    pattern: "a JSON object with a script string",
                },
                format_args!(
                    "(\"{}\") cannot run here: deploy-edge runs operations whose params is a JSON object with a \"script\" string",
                    op.name
                ),
            )
        })?;
        if ops.is_empty() {
            return Err(invalid(
                "/arrange_infos/0/operation_list",
                Rule::TooShort { limit: 1 },
                "is empty: the task has no operation to run",
            ));
        }
        let mut runs: TaskRuns = read(self.store, &self.keys.task_runs(task_id))
            .await?
            .unwrap_or_default();
        if let Some(latest) = runs.latest.as_deref() {
            let state = self.state(task_id, Some(latest)).await?;
            if state.status == Status::Running {
                return Err(ApiError::Conflict(format!(
                    "Record {latest} of this task is still running: stop it or wait for it to finish"
                )));
            }
            self.retire(&state.hosts).await?;
        }
        let env = self.target(&app, &params).await?;
        let timeout_s = app
            .timeout
            .and_then(|t| u32::try_from(t).ok())
            .filter(|t| *t > 0)
            .unwrap_or(STEP_TIMEOUT_DEFAULT_S);
        let id = crate::ids::issue(self.new_id)?;
        runs.last_release += 1;
        let release_id = runs.last_release;
        let heat = HeatService::new(self.store, self.project).at(self.now_ms);
        let mut steps = Vec::with_capacity(ops.len());
        for (i, (name, script)) in ops.iter().enumerate() {
            let config = substitute(script, &params);
            if config.len() > SCRIPT_MAX {
                return Err(invalid(
                    &format!("/arrange_infos/0/operation_list/{i}/params"),
                    Rule::TooLong { limit: SCRIPT_MAX },
                    format_args!(
                        "makes a script of {} bytes with its parameters, over {SCRIPT_MAX}",
                        config.len()
                    ),
                ));
            }
            let new = NewConfig {
                name: Some(format!(
                    "codearts {} #{release_id} {}/{} {name}",
                    app.name,
                    i + 1,
                    ops.len()
                )),
                group: "script".into(),
                config: serde_json::Value::String(config),
                inputs: Vec::new(),
                outputs: Vec::new(),
                options: Map::new(),
            };
            let config_id = crate::ids::issue(crate::ids::uuid_v4)?;
            heat.create_config(config_id.clone(), new, self.now_ms)
                .await?;
            steps.push(Step {
                name: name.clone(),
                operation_id: task.operation_list[i].id.clone(),
                config_id,
            });
        }
        let hosts = env.1;
        let execution = Execution {
            id: id.clone(),
            task_id: task_id.to_owned(),
            app_id: app.id.clone(),
            app_name: app.name.clone(),
            release_id,
            kind,
            rollback_of,
            environment_id: env.0.id.clone(),
            environment_name: env.0.name.clone(),
            params,
            steps,
            hosts: hosts.iter().map(|h| h.id.clone()).collect(),
            operator: operator.to_owned(),
            started_ms: self.now_ms,
            stopped_ms: None,
        };
        let mut runs_of_hosts: Vec<HostRun> = hosts
            .iter()
            .map(|h| HostRun {
                host_id: h.id.clone(),
                group_id: h.group_id.clone(),
                host_name: h.host_name.clone(),
                ip: h.ip.clone(),
                steps: execution.steps.iter().map(|_| StepRun::pending()).collect(),
            })
            .collect();
        let server_ids: Vec<&str> = runs_of_hosts.iter().map(|h| h.host_id.as_str()).collect();
        let deployed = self
            .deploy_step(&execution, 0, &server_ids, timeout_s)
            .await?;
        for (host, d) in runs_of_hosts.iter_mut().zip(deployed) {
            host.steps[0].start(d.id, self.now_ms, timeout_s);
            self.put(&self.keys.host_run(&id, &host.host_id), host)
                .await?;
        }
        runs.latest = Some(id.clone());
        self.put(&self.keys.task_runs(task_id), &runs).await?;
        self.put(&self.keys.execution(task_id, &id), &execution)
            .await?;
        Ok(execution)
    }

    /// The environment a start deploys to, with its hosts: the one a `host_group` parameter
    /// names, else the application's only one.
    async fn target(
        &self,
        app: &Application,
        params: &[Param],
    ) -> Result<
        (
            crate::domain::codearts::environments::Environment,
            Vec<crate::domain::codearts::hosts::Host>,
        ),
        ApiError,
    > {
        let envs = EnvironmentService::new(self.store, self.project, self.new_id);
        let named = params.iter().find(|p| p.kind == ParamType::HostGroup);
        let env = match named.and_then(|p| p.value.as_deref()) {
            Some(id) => envs.get(&app.id, id).await.map_err(|_| {
                invalid(
                    "/params",
                    Rule::Enum { allowed: Vec::new() },
                    format_args!("names environment {id} in its host_group parameter, which is not one of the application's"),
                )
            })?,
            None => {
                let mut all = envs.all_of(&app.id).await?;
                if all.len() != 1 {
                    return Err(invalid(
                        "/params",
                        Rule::Required,
                        format_args!(
                            "needs a host_group parameter naming the environment to deploy to (the application has {})",
                            all.len()
                        ),
                    ));
                }
                all.remove(0)
            }
        };
        let pairs: Vec<(String, String)> = env
            .hosts
            .iter()
            .map(|h| (h.group_id.clone(), h.host_id.clone()))
            .collect();
        let hosts = envs.host_service().existing(&pairs).await?;
        if hosts.is_empty() {
            return Err(invalid(
                "/params",
                Rule::TooShort { limit: 1 },
                format_args!(
                    "deploy to environment {} ({}), which has no hosts: import some first",
                    env.id, env.name
                ),
            ));
        }
        Ok((env, hosts))
    }

    /// Deploys step `step` of `execution` to `servers`: one deployment each, in their order.
    async fn deploy_step(
        &self,
        execution: &Execution,
        step: usize,
        servers: &[&str],
        timeout_s: u32,
    ) -> Result<Vec<SoftwareDeployment>, ApiError> {
        let s = &execution.steps[step];
        let mut ids = Vec::with_capacity(servers.len());
        let mut news = Vec::with_capacity(servers.len());
        for server in servers {
            ids.push(deployment_id(server)?);
            news.push(NewDeployment {
                config_id: s.config_id.clone(),
                server_id: (*server).to_owned(),
                input_values: None,
                action: "CREATE".into(),
                status: DeploymentStatus::InProgress,
                status_reason: format!(
                    "CodeArts {} #{}: step {}/{} {}",
                    execution.app_name,
                    execution.release_id,
                    step + 1,
                    execution.steps.len(),
                    s.name
                ),
                stack_user_project_id: None,
                timeout: Some(timeout_s),
                run: Some(RunStep {
                    task_id: execution.task_id.clone(),
                    record_id: execution.id.clone(),
                    step: step as u32,
                }),
            });
        }
        self.deployments().create(ids, news).await
    }

    /// Removes a finished record's deployments from its hosts' documents.
    async fn retire(&self, hosts: &[HostRun]) -> Result<(), ApiError> {
        for host in hosts {
            for id in host.steps.iter().filter_map(|s| s.deployment_id.as_deref()) {
                self.remove_step(id).await?;
            }
        }
        Ok(())
    }

    /// Removes a step's deployment from its host and the host's document; one already gone (a
    /// user deleted it through Heat's API) is fine.
    async fn remove_step(&self, id: &str) -> Result<(), ApiError> {
        match self.deployments().delete(id).await {
            Err(ApiError::NotFound(_)) => Ok(()),
            done => done,
        }
    }

    /// `PUT /v2/tasks/{task_id}/records/{record_id}/stop`: every step not finished is removed from
    /// its host's document and reads stopped. Stopping a stopped record again changes nothing; a
    /// finished one is refused.
    pub async fn stop(&self, task_id: &str, record_id: &str) -> Result<Execution, ApiError> {
        let state = self.state(task_id, Some(record_id)).await?;
        match state.status {
            Status::Stopped => return Ok(state.execution),
            Status::Running => {}
            finished => {
                return Err(ApiError::Conflict(format!(
                    "Record {record_id} has already {}: there is nothing to stop",
                    finished.as_str()
                )))
            }
        }
        for mut host in state.hosts {
            let mut changed = false;
            for step in host.steps.iter_mut() {
                if step.status_at(self.now_ms).finished() {
                    continue;
                }
                if let Some(id) = step.deployment_id.as_deref() {
                    self.remove_step(id).await?;
                }
                step.status = Status::Stopped;
                step.ended_ms = Some(self.now_ms);
                step.deadline_ms = None;
                step.reason = Some("Stopped before it finished".into());
                changed = true;
            }
            if changed {
                self.put(&self.keys.host_run(record_id, &host.host_id), &host)
                    .await?;
            }
        }
        let mut execution = state.execution;
        execution.stopped_ms = Some(self.now_ms);
        self.put(&self.keys.execution(task_id, record_id), &execution)
            .await?;
        Ok(execution)
    }

    /// Moves a record on after its host's agent signalled `d`, one of its steps: records the
    /// result; on success deploys the host's next step. A signal for a stopped record, or for a
    /// step the host is no longer at, changes nothing.
    pub async fn advance(&self, d: &SoftwareDeployment) -> Result<(), ApiError> {
        let Some(run) = d.run.as_ref() else {
            return Ok(());
        };
        let key = self.keys.execution(&run.task_id, &run.record_id);
        let Some(execution) = read::<Execution, S>(self.store, &key).await? else {
            return Ok(());
        };
        if execution.stopped_ms.is_some() {
            return Ok(());
        }
        let key = self.keys.host_run(&execution.id, &d.server_id);
        let Some(mut host) = read::<HostRun, S>(self.store, &key).await? else {
            return Ok(());
        };
        let at = run.step as usize;
        let Some(step) = host.steps.get_mut(at) else {
            return Ok(());
        };
        if step.status != Status::Running || step.deployment_id.as_deref() != Some(d.id.as_str()) {
            return Ok(());
        }
        let (stdout, stderr, exit_code) = outputs_of(d.output_values.as_ref());
        step.stdout = stdout;
        step.stderr = stderr;
        step.exit_code = exit_code;
        step.ended_ms = Some(self.now_ms);
        step.deadline_ms = None;
        step.status = if d.status == DeploymentStatus::Complete {
            Status::Succeeded
        } else {
            step.reason = Some(d.status_reason.clone());
            Status::Failed
        };
        if step.status == Status::Succeeded && at + 1 < host.steps.len() {
            let timeout_s = d.timeout.unwrap_or(STEP_TIMEOUT_DEFAULT_S);
            let next = self
                .deploy_step(&execution, at + 1, &[d.server_id.as_str()], timeout_s)
                .await?;
            if let Some(next) = next.into_iter().next() {
                host.steps[at + 1].start(next.id, self.now_ms, timeout_s);
            }
        }
        self.put(&key, &host).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::agent::apply_signal;
    use crate::domain::codearts::environments::{parse_host_import, parse_new_environment};
    use crate::domain::codearts::execution::parse_start;
    use crate::domain::codearts::hosts::{parse_new_host, parse_new_host_cluster};
    use crate::domain::codearts::parse_create;
    use crate::service::hosts::HostService;
    use crate::store::MemoryStore;
    use crate::validate::Report;
    use futures::executor::block_on;
    use serde_json::{json, Value};

    const P: &str = "0123456789abcdef0123456789abcdef";

    fn parsed<T>(f: fn(&Value, &mut Report) -> Option<T>, v: Value) -> T {
        let mut r = Report::default();
        f(&v, &mut r).unwrap_or_else(|| panic!("{:?}", r.errors))
    }

    /// An application whose task runs `scripts`, with one environment of two hosts; its task id
    /// and the hosts' ids.
    async fn fleet(store: &MemoryStore, scripts: &[&str]) -> (String, Vec<String>) {
        let ops: Vec<Value> = scripts
            .iter()
            .enumerate()
            .map(|(i, s)| json!({"name": format!("op{i}"), "params": json!({"script": s}).to_string()}))
            .collect();
        let new = parsed(
            parse_create,
            json!({"project_id": P, "name": "app", "is_draft": false, "create_type": "template",
                   "arrange_infos": [{"operation_list": ops}]}),
        );
        let app = CodeArtsService::new(store, P, crate::ids::hex32)
            .create(new, 1)
            .await
            .unwrap();
        let hosts = HostService::new(store, P, crate::ids::hex32);
        let cluster = parsed(
            parse_new_host_cluster,
            json!({"project_id": P, "name": "web", "os": "linux", "is_proxy_mode": 0}),
        );
        let group = hosts.create_cluster(cluster, 1).await.unwrap().id;
        let mut ids = Vec::new();
        for n in 1..=2 {
            let host = parsed(
                parse_new_host,
                json!({"host_name": format!("web-{n}"), "ip": format!("10.0.0.{n}"), "port": 22,
                       "os": "linux", "as_proxy": false,
                       "authorization": {"username": "root", "trusted_type": 0, "password": "x"}}),
            );
            ids.push(hosts.add_host(&group, host, 1).await.unwrap().id);
        }
        let envs = EnvironmentService::new(store, P, crate::ids::hex32);
        let env = parsed(
            parse_new_environment,
            json!({"project_id": P, "name": "prod", "deploy_type": 0, "os": "linux"}),
        );
        let env = envs.create(&app.id, env, 1).await.unwrap().id;
        let import = parsed(
            parse_host_import,
            json!({"group_id": group, "host_ids": ids}),
        );
        envs.import(&app.id, &env, import).await.unwrap();
        (app.arrange_infos[0].id.clone(), ids)
    }

    fn runs(store: &MemoryStore, now_ms: u64) -> ExecutionService<'_, MemoryStore> {
        ExecutionService::new(store, P, now_ms, crate::ids::hex32)
    }

    /// What the agent signal does: records `code` on the host's current deployment of the
    /// record, then moves the record on.
    async fn signal(store: &MemoryStore, record: &str, host: &str, code: i64, now_ms: u64) {
        let run: HostRun = read(store, &ProjectKeys::new(P).host_run(record, host))
            .await
            .unwrap()
            .unwrap();
        let id = run
            .steps
            .iter()
            .rev()
            .find_map(|s| s.deployment_id.clone())
            .unwrap();
        let heat = HeatService::new(store, P).at(now_ms);
        let mut d = heat.deployment(&id).await.unwrap();
        let details = json!({"deploy_stdout": format!("out {host}"), "deploy_stderr": "",
                             "deploy_status_code": code});
        apply_signal(&mut d, &[], details.as_object().unwrap(), now_ms);
        heat.store_deployment(&d).await.unwrap();
        runs(store, now_ms).advance(&d).await.unwrap();
    }

    fn start(params: Value) -> Start {
        parsed(parse_start, params)
    }

    async fn deployments_of(store: &MemoryStore, host: &str) -> Vec<SoftwareDeployment> {
        HeatService::new(store, P)
            .list_deployments(Some(host))
            .await
            .unwrap()
    }

    #[test]
    fn a_host_gets_its_next_step_only_after_its_last_succeeded_and_a_failure_ends_it() {
        block_on(async {
            let store = MemoryStore::new();
            let (task, hosts) = fleet(&store, &["echo ${v}", "echo two"]).await;
            let (a, b) = (&hosts[0], &hosts[1]);
            let e = runs(&store, 10)
                .start(
                    &task,
                    start(json!({"params": [{"key": "v", "value": "1"}]})),
                    "me",
                )
                .await
                .unwrap();
            let first = deployments_of(&store, a).await;
            assert_eq!(first.len(), 1);
            let config = HeatService::new(&store, P)
                .config(&first[0].config_id)
                .await
                .unwrap();
            assert_eq!(config.config, json!("#!/bin/sh\necho 1"));

            signal(&store, &e.id, a, 0, 20).await;
            assert_eq!(deployments_of(&store, a).await.len(), 2, "a got step two");
            signal(&store, &e.id, b, 4, 20).await;
            assert_eq!(
                deployments_of(&store, b).await.len(),
                1,
                "b stops at step one"
            );
            let state = runs(&store, 30).state(&task, None).await.unwrap();
            assert_eq!(state.status, Status::Running, "a still runs step two");

            signal(&store, &e.id, a, 0, 40).await;
            let state = runs(&store, 50).state(&task, Some(&e.id)).await.unwrap();
            assert_eq!((state.status, state.ended_ms), (Status::Failed, Some(40)));
            let b_run = state.hosts.iter().find(|h| &h.host_id == b).unwrap();
            assert_eq!(b_run.steps[0].exit_code, Some(4));
            assert_eq!(b_run.steps[1].status, Status::Pending);
            let a_run = state.hosts.iter().find(|h| &h.host_id == a).unwrap();
            assert_eq!(a_run.steps[1].stdout.as_deref(), Some(&*format!("out {a}")));
        });
    }

    #[test]
    fn a_stop_removes_unfinished_steps_and_a_late_signal_changes_nothing() {
        block_on(async {
            let store = MemoryStore::new();
            let (task, hosts) = fleet(&store, &["echo one", "echo two"]).await;
            let e = runs(&store, 10)
                .start(&task, Start::default(), "me")
                .await
                .unwrap();
            let again = runs(&store, 11).start(&task, Start::default(), "me").await;
            assert!(
                matches!(again, Err(ApiError::Conflict(_))),
                "one running record at a time"
            );
            let late = deployments_of(&store, &hosts[0]).await.remove(0);

            runs(&store, 20).stop(&task, &e.id).await.unwrap();
            for h in &hosts {
                assert!(
                    deployments_of(&store, h).await.is_empty(),
                    "nothing left to run"
                );
            }
            let mut late = late;
            apply_signal(&mut late, &[], &serde_json::Map::new(), 30);
            runs(&store, 30).advance(&late).await.unwrap();
            let state = runs(&store, 40).state(&task, None).await.unwrap();
            assert_eq!(state.status, Status::Stopped);
            assert!(state
                .hosts
                .iter()
                .all(|h| h.steps.iter().all(|s| s.status == Status::Stopped)));
            assert!(
                runs(&store, 41).stop(&task, &e.id).await.is_ok(),
                "stopping again is fine"
            );

            // A rollback to it runs its parameters; the next start retires its deployments.
            let next = runs(&store, 50)
                .start(&task, start(json!({"record_id": e.id})), "me")
                .await
                .unwrap();
            assert_eq!((next.release_id, next.kind), (2, ExecutionType::Rollback));
            assert_eq!(next.rollback_of.as_deref(), Some(e.id.as_str()));
        });
    }

    #[test]
    fn an_operation_without_a_script_is_refused_before_anything_is_written() {
        block_on(async {
            let store = MemoryStore::new();
            let (task, _) = fleet(&store, &["echo one"]).await;
            let before = store.len();
            let apps = CodeArtsService::new(&store, P, crate::ids::hex32);
            let mut app = apps.all().await.unwrap().remove(0);
            app.arrange_infos[0].operation_list[0].params = Some(r#"{"url": "x"}"#.into());
            store
                .put(
                    &ProjectKeys::new(P).app(&app.id),
                    &encode(&app).unwrap(),
                    None,
                )
                .await
                .unwrap();
            let err = runs(&store, 10)
                .start(&task, Start::default(), "me")
                .await
                .unwrap_err();
            let ApiError::Invalid(errors) = err else {
                panic!("{err:?}")
            };
            assert_eq!(errors[0].path, "/arrange_infos/0/operation_list/0");
            assert!(errors[0].message.contains("op0"), "{}", errors[0].message);
            assert_eq!(store.len(), before, "nothing written");
        });
    }
}
