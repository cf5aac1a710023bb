//! An application's environments (`/v1/applications/{application_id}/environments`, the SDK's
//! `CreateEnvironment` ... `DeleteHostFromEnvironment`): the hosts, imported from the project's
//! host clusters, that a deployment of the application runs on.

use super::hosts::{HostQuery, Os};
use super::rules::{DESCRIPTION_MAX, ID, NAME};
use crate::clock::codearts_time;
use crate::validate::{check_str, item, Expected, Fields, Report, Rule, StrRule};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Most hosts in one environment (ours: one start deploys to all of them; a fleet of 1,000 is
/// measured in `bench/deploy`).
pub const HOSTS_PER_ENVIRONMENT_MAX: usize = 1000;

const ENVIRONMENT_KEYS: &[&str] = &["project_id", "name", "deploy_type", "os", "description"];
const IMPORT_KEYS: &[&str] = &["group_id", "host_ids"];
const LIST_KEYS: &[&str] = &[
    "project_id",
    "page_index",
    "page_size",
    "name",
    "sort_key",
    "sort_dir",
];

/// A new environment (`EnvironmentRequestBody`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEnvironment {
    pub project_id: String,
    pub name: String,
    pub os: Os,
    pub description: Option<String>,
}

/// Hosts of one cluster to import (`ImportHostToEnvironmentRequestBody`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostImport {
    pub group_id: String,
    pub host_ids: Vec<String>,
}

/// The query of `GET …/environments`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvironmentQuery {
    pub project_id: String,
    /// Part of the name (case-insensitive).
    pub name: Option<String>,
    pub page: super::hosts::PageOf,
}

/// Validates a `POST …/environments` body. Only host environments (`deploy_type` 0) are
/// served: deploy-edge deploys to hosts through their agents, not to Kubernetes.
pub fn parse_new_environment(body: &Value, report: &mut Report) -> Option<NewEnvironment> {
    let mut f = Fields::of(body, "", report)?;
    f.unknown_keys(ENVIRONMENT_KEYS, true);
    let project_id = f.str("project_id", ID).map(str::to_owned);
    let name = f.str("name", NAME).map(str::to_owned);
    let deploy_type = f.int("deploy_type", true, 0, 0);
    let os = f.choice::<Os>("os", true);
    let description = f
        .str("description", StrRule::optional(DESCRIPTION_MAX))
        .filter(|d| !d.is_empty())
        .map(str::to_owned);
    if !report.is_valid() {
        return None;
    }
    deploy_type?;
    Some(NewEnvironment {
        project_id: project_id?,
        name: name?,
        os: os?,
        description,
    })
}

/// Validates a `POST …/environments/{environment_id}/hosts/import` body: a cluster and 1 to 200
/// (a cluster's most) distinct host ids of it.
pub fn parse_host_import(body: &Value, report: &mut Report) -> Option<HostImport> {
    let mut f = Fields::of(body, "", report)?;
    f.unknown_keys(IMPORT_KEYS, true);
    let group_id = f.str("group_id", ID).map(str::to_owned);
    let items = f.array("host_ids", true, super::hosts::HOSTS_PER_CLUSTER_MAX);
    let mut host_ids: Vec<String> = Vec::new();
    if let Some(items) = items {
        if items.is_empty() {
            f.report.error(
                "/host_ids",
                Rule::TooShort { limit: 1 },
                "must hold at least one id",
            );
        }
        for (i, v) in items.iter().enumerate() {
            let path = item("/host_ids", i);
            match v {
                Value::String(s) if check_str(s, &path, ID, f.report) => {
                    if host_ids.contains(s) {
                        f.report.error(
                            &path,
                            Rule::Duplicate,
                            format_args!("\"{s}\" appears twice"),
                        );
                    } else {
                        host_ids.push(s.clone());
                    }
                }
                Value::String(_) => {}
                other => f.report.type_error(&path, Expected::STRING, other),
            }
        }
    }
    if !report.is_valid() {
        return None;
    }
    Some(HostImport {
        group_id: group_id?,
        host_ids,
    })
}

/// Validates the query of `GET …/environments`.
pub fn parse_environment_query(query: &Value, report: &mut Report) -> Option<EnvironmentQuery> {
    let mut f = Fields::of(query, "", report)?;
    f.unknown_keys(LIST_KEYS, true);
    let project_id = f.str("project_id", ID).map(str::to_owned);
    let name = f
        .str("name", StrRule::optional(NAME.max))
        .filter(|n| !n.is_empty())
        .map(str::to_owned);
    let page = super::hosts::page_of(&mut f);
    f.str("sort_key", StrRule::optional(64));
    f.str("sort_dir", StrRule::optional(4));
    if !report.is_valid() {
        return None;
    }
    Some(EnvironmentQuery {
        project_id: project_id?,
        name,
        page,
    })
}

/// Validates the query of `GET …/environments/{environment_id}/hosts` (the host listing's).
pub fn parse_environment_host_query(query: &Value, report: &mut Report) -> Option<HostQuery> {
    super::hosts::parse_host_query(query, report)
}

/// One host of an environment: the cluster it came from and its id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvironmentHost {
    pub group_id: String,
    pub host_id: String,
}

/// A stored environment (`p/{project}/env/{app_id}/{environment_id}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Environment {
    pub id: String,
    pub app_id: String,
    pub name: String,
    pub os: Os,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Its hosts, in the order they were imported.
    #[serde(default)]
    pub hosts: Vec<EnvironmentHost>,
    pub created_ms: u64,
}

impl Environment {
    pub fn create(id: String, app_id: &str, new: NewEnvironment, now_ms: u64) -> Self {
        Environment {
            id,
            app_id: app_id.to_owned(),
            name: new.name,
            os: new.os,
            description: new.description,
            hosts: Vec::new(),
            created_ms: now_ms,
        }
    }
}

/// What the caller may do with an environment (`EnvironmentPermissionDetail`).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct EnvironmentPermission {
    can_delete: bool,
    can_deploy: bool,
    can_edit: bool,
    can_manage: bool,
    can_view: bool,
}

const PERMISSION: EnvironmentPermission = EnvironmentPermission {
    can_delete: true,
    can_deploy: true,
    can_edit: false,
    can_manage: true,
    can_view: true,
};

/// An environment as answers show it (`EnvironmentDetail`).
#[derive(Debug, Clone, Serialize)]
pub struct EnvironmentView<'a> {
    id: &'a str,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    os: &'a str,
    project_id: &'a str,
    deploy_type: i64,
    created_time: String,
    instance_count: usize,
    permission: EnvironmentPermission,
}

impl<'a> EnvironmentView<'a> {
    pub fn new(env: &'a Environment, project_id: &'a str) -> Self {
        EnvironmentView {
            id: &env.id,
            name: &env.name,
            description: env.description.as_deref(),
            os: env.os.as_str(),
            project_id,
            deploy_type: 0,
            created_time: codearts_time(env.created_ms),
            instance_count: env.hosts.len(),
            permission: PERMISSION,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const P: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn only_host_environments_are_served() {
        let mut r = Report::default();
        let body = json!({"project_id": P, "name": "prod", "deploy_type": 0, "os": "linux"});
        assert!(parse_new_environment(&body, &mut r).is_some());
        let mut r = Report::default();
        let k8s = json!({"project_id": P, "name": "prod", "deploy_type": 1, "os": "linux"});
        assert!(parse_new_environment(&k8s, &mut r).is_none());
        assert_eq!(r.errors[0].path, "/deploy_type");
    }

    #[test]
    fn an_import_names_distinct_hosts_of_one_cluster() {
        let mut r = Report::default();
        let h = "a".repeat(32);
        let body = json!({"group_id": P, "host_ids": [h, h, 7]});
        assert!(parse_host_import(&body, &mut r).is_none());
        let paths: Vec<&str> = r.errors.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, ["/host_ids/1", "/host_ids/2"]);
        let mut r = Report::default();
        assert!(parse_host_import(&json!({"group_id": P, "host_ids": []}), &mut r).is_none());
    }
}
