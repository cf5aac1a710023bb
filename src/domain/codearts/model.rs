//! The stored application (`p/{project}/app/{id}` in KV) and what happens to it: create, update,
//! disable, duplicate. Its JSON is the store's, not the API's: answers are rendered by
//! [`super::views`].

use super::enums::{CreateType, DeploySystem, ExecutionState};
use super::orchestration::{Operation, Trigger};
use super::request::{ApplicationUpdate, NewApplication, TaskSpec};
use serde::{Deserialize, Serialize};

/// A stored deployment task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArrangeInfo {
    pub id: String,
    pub deploy_system: DeploySystem,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ansible_type: Option<i64>,
    #[serde(default)]
    pub operation_list: Vec<Operation>,
}

/// An application as stored under `p/{project}/app/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Application {
    pub id: String,
    pub project_id: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
    pub is_draft: bool,
    #[serde(default)]
    pub is_disable: bool,
    pub create_type: CreateType,
    #[serde(default)]
    pub slave_cluster_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trigger: Option<Trigger>,
    #[serde(default)]
    pub arrange_infos: Vec<ArrangeInfo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agency_urn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slave_resource_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<i64>,
    pub create_time: String,
    pub update_time: String,
    pub created_ms: u64,
    pub updated_ms: u64,
}

/// What a batch delete did with one id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeleteOutcome {
    pub application_id: String,
    /// The deleted application's name; empty when there was none.
    pub application_name: String,
    /// Why nothing was deleted; `None` when the application was.
    pub error_reason: Option<String>,
}

fn merge_task(stored: Option<&ArrangeInfo>, spec: TaskSpec, id: String) -> ArrangeInfo {
    let base = stored.cloned().unwrap_or(ArrangeInfo {
        id: String::new(),
        deploy_system: DeploySystem::default(),
        template_id: None,
        ansible_type: None,
        operation_list: Vec::new(),
    });
    ArrangeInfo {
        id,
        deploy_system: spec.deploy_system.unwrap_or(base.deploy_system),
        template_id: spec.template_id.or(base.template_id),
        ansible_type: spec.ansible_type.or(base.ansible_type),
        operation_list: spec.operation_list.unwrap_or(base.operation_list),
    }
}

impl Application {
    /// A new application with `id`, and one task per `task_ids` entry (as many as `new.arrange_infos`).
    pub fn create(id: String, task_ids: Vec<String>, new: NewApplication, now_ms: u64) -> Self {
        let now = crate::clock::codearts_time(now_ms);
        let arrange_infos = new
            .arrange_infos
            .into_iter()
            .zip(task_ids)
            .map(|(spec, tid)| merge_task(None, spec, tid))
            .collect();
        Application {
            id,
            project_id: new.project_id,
            name: new.name,
            description: new.description.unwrap_or_default(),
            group_id: new.group_id.filter(|g| !g.is_empty()),
            is_draft: new.is_draft,
            is_disable: false,
            create_type: new.create_type,
            slave_cluster_id: new.slave_cluster_id.unwrap_or_default(),
            trigger: new.trigger,
            arrange_infos,
            agency_urn: new.agency_urn,
            slave_resource_type: new.slave_resource_type,
            timeout: new.timeout,
            create_time: now.clone(),
            update_time: now,
            created_ms: now_ms,
            updated_ms: now_ms,
        }
    }

    /// Applies an update. `new_task_ids` supplies ids for tasks sent without one. Returns the
    /// index of a task whose `id` is not one of this application's, if any (nothing is changed
    /// then).
    pub fn apply(
        &mut self,
        update: ApplicationUpdate,
        new_task_ids: &mut dyn Iterator<Item = String>,
        now_ms: u64,
    ) -> Result<(), usize> {
        let tasks = match update.arrange_infos {
            None => None,
            Some(specs) => {
                if let Some(bad) = specs.iter().position(|s| {
                    s.id.as_ref()
                        .is_some_and(|id| !self.arrange_infos.iter().any(|a| &a.id == id))
                }) {
                    return Err(bad);
                }
                let mut out = Vec::with_capacity(specs.len());
                for spec in specs {
                    let stored = spec
                        .id
                        .as_ref()
                        .and_then(|id| self.arrange_infos.iter().find(|a| &a.id == id));
                    let id = match (&spec.id, stored) {
                        (Some(id), _) => id.clone(),
                        (None, _) => new_task_ids.next().unwrap_or_default(),
                    };
                    out.push(merge_task(stored, spec, id));
                }
                Some(out)
            }
        };
        self.name = update.name;
        self.is_draft = update.is_draft;
        self.create_type = update.create_type;
        if let Some(d) = update.description {
            self.description = d;
        }
        if let Some(g) = update.group_id {
            self.group_id = Some(g).filter(|g| !g.is_empty());
        }
        if let Some(s) = update.slave_cluster_id {
            self.slave_cluster_id = s;
        }
        if update.trigger.is_some() {
            self.trigger = update.trigger;
        }
        if let Some(t) = tasks {
            self.arrange_infos = t;
        }
        if update.agency_urn.is_some() {
            self.agency_urn = update.agency_urn;
        }
        if update.slave_resource_type.is_some() {
            self.slave_resource_type = update.slave_resource_type;
        }
        if update.timeout.is_some() {
            self.timeout = update.timeout;
        }
        self.touch(now_ms);
        Ok(())
    }

    /// Sets `update_time`.
    pub fn touch(&mut self, now_ms: u64) {
        self.updated_ms = now_ms;
        self.update_time = crate::clock::codearts_time(now_ms);
    }

    /// A copy named `name` with a new id and new task ids, enabled, created `now_ms`.
    pub fn duplicate(&self, id: String, name: String, task_ids: Vec<String>, now_ms: u64) -> Self {
        let mut copy = self.clone();
        copy.id = id;
        copy.name = name;
        copy.is_disable = false;
        for (task, tid) in copy.arrange_infos.iter_mut().zip(task_ids) {
            task.id = tid;
        }
        let now = crate::clock::codearts_time(now_ms);
        copy.create_time = now.clone();
        copy.update_time = now;
        copy.created_ms = now_ms;
        copy.updated_ms = now_ms;
        copy
    }

    /// The deployment system reported at application level (its first task's).
    pub fn deploy_system(&self) -> DeploySystem {
        self.arrange_infos
            .first()
            .map_or_else(DeploySystem::default, |a| a.deploy_system)
    }

    /// Its execution state (never deployed here).
    pub fn execution_state(&self) -> ExecutionState {
        ExecutionState::NotExecuted
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse::{parse_create, parse_update};
    use super::super::tests::{sdk_create_body, P, T};
    use super::*;
    use crate::validate::Report;
    use serde_json::{json, Value};

    #[test]
    fn an_update_keeps_what_it_does_not_send_and_refuses_foreign_task_ids() {
        let new = parse_create(&sdk_create_body(), &mut Report::default()).unwrap();
        let mut app = Application::create("a".repeat(32), vec!["b".repeat(32)], new, 1000);
        let upd = |tasks: Value| {
            parse_update(
                &json!({"id": "a".repeat(32), "project_id": P, "name": "renamed", "is_draft": true, "create_type": "template", "arrange_infos": tasks}),
                &mut Report::default(),
            )
            .unwrap()
        };
        let before = app.clone();
        assert_eq!(
            app.apply(
                upd(json!([{"id": "c".repeat(32)}])),
                &mut std::iter::empty(),
                2000
            ),
            Err(0)
        );
        assert_eq!(app, before);
        app.apply(
            upd(json!([{"id": "b".repeat(32)}, {"template_id": T}])),
            &mut std::iter::once("d".repeat(32)),
            2000,
        )
        .unwrap();
        assert_eq!(app.name, "renamed");
        assert_eq!(app.description, "demo");
        assert_eq!(app.arrange_infos[0].template_id.as_deref(), Some(T));
        assert_eq!(app.arrange_infos[1].id, "d".repeat(32));
        assert_eq!(app.updated_ms, 2000);
        assert_eq!(app.created_ms, 1000);
    }

    #[test]
    fn a_stored_record_keeps_its_bytes() {
        let mut body = sdk_create_body();
        body["trigger"] =
            json!({"trigger_source": 1, "artifact_source_system": "Artifact", "artifact_type": ""});
        body["arrange_infos"][0]["operation_list"] = json!([{"name": "n", "params": "{}"}]);
        let new = parse_create(&body, &mut Report::default()).unwrap();
        let app = Application::create("a".repeat(32), vec!["b".repeat(32)], new, 1000);
        let text = serde_json::to_string(&app).unwrap();
        assert_eq!(
            text,
            format!(
                r#"{{"id":"{a}","project_id":"{P}","name":"my_app-1","description":"demo","is_draft":false,"is_disable":false,"create_type":"template","slave_cluster_id":"","trigger":{{"trigger_source":"1","artifact_source_system":"Artifact","artifact_type":""}},"arrange_infos":[{{"id":"{b}","deploy_system":"deployTemplate","template_id":"{T}","operation_list":[{{"name":"n","params":"{{}}"}}]}}],"create_time":"1970-01-01 00:00:01","update_time":"1970-01-01 00:00:01","created_ms":1000,"updated_ms":1000}}"#,
                a = "a".repeat(32),
                b = "b".repeat(32)
            )
        );
        assert_eq!(serde_json::from_str::<Application>(&text).unwrap(), app);
    }
}
