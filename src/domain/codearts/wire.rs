//! The response bodies of the CodeArts API, built as JSON maps from a stored [`Application`].

use super::model::{Application, ArrangeInfo};
use crate::validate::Choice;
use serde_json::{json, Map, Value};

/// The region every application reports.
pub const REGION: &str = "deploy-edge";

impl Application {
    /// `AppBaseResponse`: `{id, name, region, arrange_infos: [{id}], is_disable}` (create, update,
    /// delete).
    pub fn base_wire(&self) -> Value {
        let tasks: Vec<Value> = self
            .arrange_infos
            .iter()
            .map(|a| json!({"id": a.id}))
            .collect();
        json!({"id": self.id, "name": self.name, "region": REGION, "is_disable": self.is_disable, "arrange_infos": tasks})
    }

    /// `AppBaseInfo`: `{id, name, region, is_disable}` (duplicate).
    pub fn info_wire(&self) -> Value {
        json!({"id": self.id, "name": self.name, "region": REGION, "is_disable": self.is_disable})
    }

    fn permissions(m: &mut Map<String, Value>) {
        for key in [
            "can_modify",
            "can_delete",
            "can_view",
            "can_execute",
            "can_copy",
            "can_manage",
            "can_create_env",
            "can_disable",
        ] {
            m.insert(key.into(), Value::Bool(true));
        }
    }

    /// `AppExecutionInfo`, one row of a listing (plus `description` and `is_draft`, which the SDK
    /// model lacks and ignores).
    pub fn list_wire(&self) -> Value {
        let mut m = Map::new();
        m.insert("id".into(), self.id.clone().into());
        m.insert("name".into(), self.name.clone().into());
        m.insert("duration".into(), "".into());
        m.insert("is_disable".into(), self.is_disable.into());
        m.insert("project_id".into(), self.project_id.clone().into());
        m.insert("project_name".into(), "".into());
        m.insert("is_care".into(), false.into());
        Self::permissions(&mut m);
        m.insert("deploy_system".into(), self.deploy_system().as_str().into());
        m.insert("create_user_id".into(), "".into());
        m.insert("create_tenant_id".into(), "".into());
        m.insert("create_time".into(), self.create_time.clone().into());
        m.insert("update_time".into(), self.update_time.clone().into());
        m.insert("execution_time".into(), "".into());
        m.insert("end_time".into(), "".into());
        m.insert(
            "execution_state".into(),
            self.execution_state().as_str().into(),
        );
        m.insert("executor_id".into(), "".into());
        m.insert("executor_nick_name".into(), "".into());
        let tasks: Vec<Value> = self
            .arrange_infos
            .iter()
            .map(|a| json!({"id": a.id, "state": self.execution_state().as_str(), "deploy_system": a.deploy_system.as_str()}))
            .collect();
        m.insert("arrange_infos".into(), tasks.into());
        m.insert("description".into(), self.description.clone().into());
        m.insert("is_draft".into(), self.is_draft.into());
        Value::Object(m)
    }

    /// `AppDetailInfo` (plus the request fields the SDK model cannot show: `is_draft`, `group_id`,
    /// `trigger`, `agency_urn`, `slave_resource_type`, `timeout`, and each task's
    /// `operation_list`).
    pub fn detail_wire(&self) -> Value {
        let mut m = Map::new();
        m.insert("id".into(), self.id.clone().into());
        m.insert("name".into(), self.name.clone().into());
        m.insert("region".into(), REGION.into());
        m.insert("description".into(), self.description.clone().into());
        m.insert("is_disable".into(), self.is_disable.into());
        m.insert("create_type".into(), self.create_type.as_str().into());
        m.insert("project_id".into(), self.project_id.clone().into());
        m.insert("project_name".into(), "".into());
        m.insert(
            "slave_cluster_id".into(),
            self.slave_cluster_id.clone().into(),
        );
        m.insert("is_care".into(), false.into());
        Self::permissions(&mut m);
        m.insert("owner_tenant_id".into(), "".into());
        m.insert("create_user_id".into(), "".into());
        m.insert("create_tenant_id".into(), "".into());
        m.insert("create_time".into(), self.create_time.clone().into());
        m.insert("update_time".into(), self.update_time.clone().into());
        m.insert("permission_level".into(), "instance".into());
        let tasks: Vec<Value> = self
            .arrange_infos
            .iter()
            .map(|a| self.task_wire(a))
            .collect();
        m.insert("arrange_infos".into(), tasks.into());
        m.insert("is_draft".into(), self.is_draft.into());
        m.insert(
            "group_id".into(),
            self.group_id.clone().map_or(Value::Null, Value::String),
        );
        m.insert(
            "trigger".into(),
            serde_json::to_value(self.trigger.clone().unwrap_or_default()).unwrap_or(Value::Null),
        );
        m.insert(
            "agency_urn".into(),
            self.agency_urn.clone().map_or(Value::Null, Value::String),
        );
        m.insert(
            "slave_resource_type".into(),
            self.slave_resource_type
                .clone()
                .map_or(Value::Null, Value::String),
        );
        m.insert(
            "timeout".into(),
            self.timeout.map_or(Value::Null, Value::from),
        );
        Value::Object(m)
    }

    /// `TaskV2Info`. `steps` is an object (`step1`, `step2`, ... from the operation list; the SDK
    /// crashes on a list), each `{id, name, params, enable}` with `params` the operation's JSON
    /// object flattened to strings.
    fn task_wire(&self, a: &ArrangeInfo) -> Value {
        let mut steps = Map::new();
        for (i, op) in a.operation_list.iter().enumerate() {
            let params: Map<String, Value> = op
                .params
                .as_deref()
                .and_then(|p| serde_json::from_str::<Value>(p).ok())
                .and_then(|v| match v {
                    Value::Object(o) => Some(o),
                    _ => None,
                })
                .unwrap_or_default()
                .into_iter()
                .map(|(k, v)| {
                    let s = match v {
                        Value::String(s) => s,
                        other => other.to_string(),
                    };
                    (k, Value::String(s))
                })
                .collect();
            steps.insert(
                format!("step{}", i + 1),
                json!({"id": op.id.clone().unwrap_or_default(), "name": op.name.clone().unwrap_or_default(), "params": params, "enable": true}),
            );
        }
        let mut m = Map::new();
        m.insert("id".into(), a.id.clone().into());
        m.insert("name".into(), self.name.clone().into());
        m.insert("state".into(), self.execution_state().as_str().into());
        m.insert("description".into(), self.description.clone().into());
        m.insert("owner".into(), "".into());
        m.insert("steps".into(), Value::Object(steps));
        m.insert("project_id".into(), self.project_id.clone().into());
        m.insert("project_name".into(), "".into());
        m.insert("deploy_system".into(), a.deploy_system.as_str().into());
        m.insert("create_time".into(), self.create_time.clone().into());
        m.insert("update_time".into(), self.update_time.clone().into());
        m.insert("is_defaut_permission".into(), true.into());
        m.insert(
            "template_id".into(),
            a.template_id.clone().unwrap_or_default().into(),
        );
        m.insert("nick_name".into(), "".into());
        m.insert("owner_id".into(), "".into());
        m.insert("tenant_id".into(), "".into());
        m.insert("tenant_name".into(), "".into());
        m.insert(
            "slave_cluster_id".into(),
            self.slave_cluster_id.clone().into(),
        );
        m.insert("is_care".into(), false.into());
        Self::permissions(&mut m);
        m.insert("app_component_list".into(), Value::Array(Vec::new()));
        m.insert("app_id".into(), self.id.clone().into());
        m.insert("is_disable".into(), self.is_disable.into());
        m.insert(
            "ansible_type".into(),
            a.ansible_type.map_or(Value::Null, Value::from),
        );
        m.insert(
            "operation_list".into(),
            serde_json::to_value(&a.operation_list).unwrap_or(Value::Null),
        );
        Value::Object(m)
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse::parse_create;
    use super::super::tests::{sdk_create_body, P, T};
    use super::*;
    use crate::validate::Report;

    /// An application with every field set: two tasks, the first with ten operations (so `step10`
    /// sorts before `step2`, as map keys do), parameters of every JSON type.
    fn rich_app() -> Application {
        let mut ops = vec![
            json!({"id": "1".repeat(32), "name": "step 1", "description": "d", "code": "c",
            "params": "{\"n\": 1, \"b\": true, \"s\": \"x\", \"o\": {\"k\": [1]}, \"z\": null}",
            "entrance": "e", "version": "v", "module_id": "m"}),
        ];
        ops.extend((2..=10).map(|i| json!({"name": format!("step {i}")})));
        let body = json!({"project_id": P, "name": "rich", "description": "all", "group_id": "f".repeat(32),
            "is_draft": true, "create_type": "template", "slave_cluster_id": "c".repeat(32),
            "trigger": {"trigger_source": 1, "artifact_source_system": "Artifact", "artifact_type": "docker"},
            "arrange_infos": [{"template_id": T, "ansible_type": 1, "operation_list": ops},
                              {"operation_list": [{"params": "[1]"}, {}]}],
            "agency_urn": "urn:x", "slave_resource_type": "ecs", "timeout": 3600});
        let new = parse_create(&body, &mut Report::default()).unwrap();
        Application::create(
            "a".repeat(32),
            vec!["b".repeat(32), "d".repeat(32)],
            new,
            1_422_717_156_789,
        )
    }

    /// A disabled application with nothing optional.
    fn bare_app() -> Application {
        let body =
            json!({"project_id": P, "name": "bare", "is_draft": false, "create_type": "template"});
        let new = parse_create(&body, &mut Report::default()).unwrap();
        let mut app = Application::create("e".repeat(32), vec![], new, 1_000);
        app.is_disable = true;
        app.touch(61_000);
        app
    }

    #[test]
    fn details_use_the_sdk_models_shapes() {
        let mut b = sdk_create_body();
        b["arrange_infos"][0]["operation_list"] =
            json!([{"name": "install", "params": "{\"port\": 80, \"dir\": \"/opt\"}"}]);
        let new = parse_create(&b, &mut Report::default()).unwrap();
        let app = Application::create("a".repeat(32), vec!["b".repeat(32)], new, 1_422_717_156_789);
        let d = app.detail_wire();
        assert_eq!(d["create_time"], "2015-01-31 15:12:36");
        assert_eq!(d["is_disable"], false);
        let task = &d["arrange_infos"][0];
        assert_eq!(task["is_defaut_permission"], true);
        assert_eq!(
            task["steps"]["step1"]["params"],
            json!({"port": "80", "dir": "/opt"})
        );
        assert!(app.list_wire()["arrange_infos"][0]["state"].is_string());
        assert_eq!(
            app.base_wire(),
            json!({"id": "a".repeat(32), "name": "my_app-1", "region": REGION, "is_disable": false, "arrange_infos": [{"id": "b".repeat(32)}]})
        );
    }

    /// The bytes each response body had before the views were typed: `golden/views.txt`, one
    /// `label body` line each.
    fn golden(label: &str) -> &'static str {
        include_str!("golden/views.txt")
            .lines()
            .find_map(|l| l.strip_prefix(label)?.strip_prefix(' '))
            .unwrap_or_else(|| panic!("no golden {label}"))
    }

    #[test]
    fn the_response_bodies_keep_their_bytes() {
        let text = |v: Value| serde_json::to_string(&v).unwrap();
        let (rich, bare) = (rich_app(), bare_app());
        for (label, got) in [
            ("rich_base", text(rich.base_wire())),
            ("rich_info", text(rich.info_wire())),
            ("rich_list", text(rich.list_wire())),
            ("rich_detail", text(rich.detail_wire())),
            ("bare_base", text(bare.base_wire())),
            ("bare_list", text(bare.list_wire())),
            ("bare_detail", text(bare.detail_wire())),
        ] {
            assert_eq!(got, golden(label), "{label}");
        }
    }
}
