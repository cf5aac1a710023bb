//! An application's environments ([`crate::domain::codearts::environments`]) on a key-value
//! store: `env/{app_id}/{environment_id}` holds one, with the hosts imported into it. A host
//! removed from its cluster drops out of every environment's listing.

use super::codearts::CodeArtsService;
use super::encode;
use super::hosts::HostService;
use crate::domain::codearts::environments::{
    Environment, EnvironmentHost, EnvironmentQuery, HostImport, NewEnvironment,
    HOSTS_PER_ENVIRONMENT_MAX,
};
use crate::domain::codearts::hosts::{Host, HostQuery};
use crate::error::ApiError;
use crate::keys::ProjectKeys;
use crate::store::Store;
use crate::validate::{FieldError, Rule};

/// The 404 of an environment that is not the application's.
pub fn no_such_environment(id: &str) -> ApiError {
    ApiError::NotFound(format!(
        "The environment {id} does not exist in this application"
    ))
}

/// The environments of one project's applications.
pub struct EnvironmentService<'a, S: Store + ?Sized> {
    store: &'a S,
    keys: ProjectKeys<'a>,
    apps: CodeArtsService<'a, S>,
    hosts: HostService<'a, S>,
    new_id: fn() -> Result<String, String>,
}

impl<'a, S: Store + ?Sized> EnvironmentService<'a, S> {
    /// A service for `project`, drawing new ids from `new_id` (`ids::hex32` in production).
    pub fn new(store: &'a S, project: &'a str, new_id: fn() -> Result<String, String>) -> Self {
        EnvironmentService {
            store,
            keys: ProjectKeys::new(project),
            apps: CodeArtsService::new(store, project, new_id),
            hosts: HostService::new(store, project, new_id),
            new_id,
        }
    }

    /// The environments of an application, newest first.
    pub async fn all_of(&self, app_id: &str) -> Result<Vec<Environment>, ApiError> {
        let mut out: Vec<Environment> =
            super::read_all(self.store, &self.keys.environments_of(app_id)).await?;
        out.sort_by(|a, b| (b.created_ms, &b.id).cmp(&(a.created_ms, &a.id)));
        Ok(out)
    }

    async fn write(&self, env: &Environment) -> Result<(), ApiError> {
        let key = self.keys.environment(&env.app_id, &env.id);
        self.store.put(&key, &encode(env)?, None).await?;
        Ok(())
    }

    /// Reads an environment of an application (404 for either unknown).
    pub async fn get(&self, app_id: &str, id: &str) -> Result<Environment, ApiError> {
        self.apps.get(app_id).await?;
        let key = |id: &str| self.keys.environment(app_id, id);
        super::read_by_id(self.store, id, key, no_such_environment).await
    }

    /// Creates an environment of an application; its name is unique within the application.
    pub async fn create(
        &self,
        app_id: &str,
        new: NewEnvironment,
        now_ms: u64,
    ) -> Result<Environment, ApiError> {
        self.apps.get(app_id).await?;
        if self
            .all_of(app_id)
            .await?
            .iter()
            .any(|e| e.name == new.name)
        {
            return Err(ApiError::NameTaken(format!(
                "The environment name {} is already used in this application",
                new.name
            )));
        }
        let env = Environment::create(crate::ids::issue(self.new_id)?, app_id, new, now_ms);
        self.write(&env).await?;
        Ok(env)
    }

    /// The environments of an application (name containing `name`), newest first.
    pub async fn list(
        &self,
        app_id: &str,
        query: &EnvironmentQuery,
    ) -> Result<(usize, Vec<Environment>), ApiError> {
        self.apps.get(app_id).await?;
        let needle = query.name.as_deref().map(str::to_lowercase);
        let envs: Vec<Environment> = self
            .all_of(app_id)
            .await?
            .into_iter()
            .filter(|e| {
                needle
                    .as_deref()
                    .is_none_or(|n| e.name.to_lowercase().contains(n))
            })
            .collect();
        Ok((envs.len(), query.page.of(envs)))
    }

    /// Deletes an environment (its hosts stay in their clusters).
    pub async fn delete(&self, app_id: &str, id: &str) -> Result<Environment, ApiError> {
        let env = self.get(app_id, id).await?;
        self.store
            .delete(&self.keys.environment(app_id, id))
            .await?;
        Ok(env)
    }

    /// Deletes every environment of an application (when the application goes).
    pub async fn delete_all_of(&self, app_id: &str) -> Result<(), ApiError> {
        for env in self.all_of(app_id).await? {
            self.store
                .delete(&self.keys.environment(app_id, &env.id))
                .await?;
        }
        Ok(())
    }

    /// Imports hosts of one cluster, each of the environment's OS; a host already in it is kept
    /// once. Answers the ids imported.
    pub async fn import(
        &self,
        app_id: &str,
        id: &str,
        import: HostImport,
    ) -> Result<Vec<String>, ApiError> {
        let mut env = self.get(app_id, id).await?;
        self.hosts.cluster(&import.group_id).await?;
        let ids: Vec<(String, String)> = import
            .host_ids
            .iter()
            .map(|h| (import.group_id.clone(), h.clone()))
            .collect();
        let found = self.hosts.existing(&ids).await?;
        let mut imported = Vec::with_capacity(import.host_ids.len());
        for (i, host_id) in import.host_ids.iter().enumerate() {
            let host = found
                .iter()
                .find(|h| &h.id == host_id)
                .ok_or_else(|| super::hosts::no_such_host(host_id))?;
            if host.os != env.os {
                return Err(ApiError::invalid(FieldError::new(
                    &format!("/host_ids/{i}"),
                    Rule::one_of(&[env.os.as_str()]),
                    format_args!(
                        "is a {} host; the environment's hosts are {}",
                        host.os, env.os
                    ),
                )));
            }
            if !env.hosts.iter().any(|h| &h.host_id == host_id) {
                env.hosts.push(EnvironmentHost {
                    group_id: import.group_id.clone(),
                    host_id: host_id.clone(),
                });
            }
            imported.push(host_id.clone());
        }
        if env.hosts.len() > HOSTS_PER_ENVIRONMENT_MAX {
            return Err(ApiError::invalid(FieldError::new(
                "/host_ids",
                Rule::TooLong {
                    limit: HOSTS_PER_ENVIRONMENT_MAX,
                },
                format_args!("would give the environment over {HOSTS_PER_ENVIRONMENT_MAX} hosts"),
            )));
        }
        self.write(&env).await?;
        Ok(imported)
    }

    /// The environment's hosts that still exist (name or IP containing `key_field`; proxies or
    /// not), in the order they were imported, and how many there are in all.
    pub async fn hosts(
        &self,
        app_id: &str,
        id: &str,
        query: &HostQuery,
    ) -> Result<(usize, Vec<Host>), ApiError> {
        let env = self.get(app_id, id).await?;
        let ids: Vec<(String, String)> = env
            .hosts
            .iter()
            .map(|h| (h.group_id.clone(), h.host_id.clone()))
            .collect();
        let found = query.select(self.hosts.existing(&ids).await?);
        Ok((found.len(), query.page.of(found)))
    }

    /// Removes a host from an environment (404 when it is not in it).
    pub async fn remove_host(&self, app_id: &str, id: &str, host_id: &str) -> Result<(), ApiError> {
        let mut env = self.get(app_id, id).await?;
        let before = env.hosts.len();
        env.hosts.retain(|h| h.host_id != host_id);
        if env.hosts.len() == before {
            return Err(ApiError::NotFound(format!(
                "The host {host_id} is not in the environment {id}"
            )));
        }
        self.write(&env).await
    }

    /// The hosts service this one reads through (for connections).
    pub fn host_service(&self) -> &HostService<'a, S> {
        &self.hosts
    }
}
