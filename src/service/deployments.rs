//! The deployments unit of work: every write that changes what a server's agent runs (create, a
//! batch included; update; delete) writes the deployment records and their config uses
//! ([`HeatService`]), then refreshes each touched server's agent document ([`Documents`]). When
//! a document cannot take the change (over its size limit, or a failed write), everything this
//! call wrote is undone and the document refreshed again; an undo that fails too is not dropped:
//! the answer is a 500 whose logged cause names both failures.
//!
//! In a project's Durable Object the whole request is also one SQLite transaction
//! ([`crate::sql::SqlStore`]), which writes nothing for an error; the undo keeps the same promise
//! over any other store.

use super::agent::document::Documents;
use super::heat::{etag, if_match_holds, HeatService};
use crate::domain::agent::derived_id;
use crate::domain::heat::{DeploymentUpdate, NewDeployment, SoftwareDeployment};
use crate::error::ApiError;
use crate::store::{Store, StoreError};

/// Deployment writes of one project, as of `now_ms`.
pub struct Deployments<'a, S: Store + ?Sized> {
    heat: HeatService<'a, S>,
    documents: Documents<'a, S>,
    now_ms: u64,
}

/// `failed`, or when undoing it failed too, a storage error whose cause names both.
fn undone(failed: ApiError, undo: Result<(), ApiError>) -> ApiError {
    match undo {
        Ok(()) => failed,
        Err(undo) => ApiError::Storage(StoreError::Backend(format!(
            "{failed} (cause: {}); undoing the write failed too: {undo} (cause: {})",
            failed.cause().unwrap_or_default(),
            undo.cause().unwrap_or_default()
        ))),
    }
}

impl<'a, S: Store + ?Sized> Deployments<'a, S> {
    pub fn new(store: &'a S, project: &'a str, now_ms: u64) -> Self {
        Deployments {
            heat: HeatService::new(store, project).at(now_ms),
            documents: Documents::new(store, project, now_ms),
            now_ms,
        }
    }

    /// Refreshes the agent documents of these servers (each once).
    async fn refresh<'s>(
        &self,
        servers: impl IntoIterator<Item = &'s str>,
    ) -> Result<(), ApiError> {
        let mut unique: Vec<&str> = servers.into_iter().collect();
        unique.sort_unstable();
        unique.dedup();
        for server in unique {
            self.documents.refresh(server).await?;
        }
        Ok(())
    }

    /// Removes these deployments' records and uses, then refreshes their servers' documents;
    /// the first failure is the answer, after trying every step.
    async fn remove_all(&self, written: &[SoftwareDeployment]) -> Result<(), ApiError> {
        let mut first = Ok(());
        for d in written {
            if let Err(e) = self.heat.delete_record(d).await {
                first = first.and(Err(e));
            }
        }
        let refreshed = self
            .refresh(written.iter().map(|d| d.server_id.as_str()))
            .await;
        first.and(refreshed)
    }

    /// Creates deployments, all or none: every config is checked before anything is written, and
    /// a failed write removes what this call already wrote. Each deployment is one record.
    ///
    /// `ids` come from [`super::heat::deployment_id`]. A batch shares one `created_ms`; `seq`
    /// keeps the order it was sent in.
    pub async fn create(
        &self,
        ids: Vec<String>,
        news: Vec<NewDeployment>,
    ) -> Result<Vec<SoftwareDeployment>, ApiError> {
        let config_ids: Vec<&str> = news.iter().map(|n| n.config_id.as_str()).collect();
        self.heat.require_configs(&config_ids).await?;
        let deployments: Vec<SoftwareDeployment> = ids
            .into_iter()
            .zip(news)
            .enumerate()
            .map(|(i, (id, n))| {
                let mut d = SoftwareDeployment::create(id, n, self.now_ms);
                d.seq = i as u32;
                d
            })
            .collect();
        for (i, d) in deployments.iter().enumerate() {
            let stored = match self.heat.store_deployment(d).await {
                Ok(()) => self.heat.note_use(d).await,
                failed => failed,
            };
            if let Err(e) = stored {
                return Err(undone(e, self.remove_all(&deployments[..=i]).await));
            }
        }
        let servers = deployments.iter().map(|d| d.server_id.as_str());
        if let Err(e) = self.refresh(servers).await {
            // All or none: a server's document that cannot take them undoes the whole create.
            return Err(undone(e, self.remove_all(&deployments).await));
        }
        Ok(deployments)
    }

    /// Updates a deployment. With `if_match`, fails with 412 unless it matches the stored ETag.
    /// A re-deploy (a change of what the agent runs) refreshes the server's document, and is
    /// undone when the document cannot take it.
    pub async fn update(
        &self,
        id: &str,
        update: DeploymentUpdate,
        if_match: Option<&str>,
    ) -> Result<SoftwareDeployment, ApiError> {
        let mut d = self.heat.deployment(id).await?;
        if let Some(expected) = if_match {
            let current = etag(&d);
            if !if_match_holds(expected, &current) {
                return Err(ApiError::PreconditionFailed(format!(
                    "Deployment with id {id} has changed since {expected} (now {current}); read it again and retry"
                )));
            }
        }
        if let Some(new_config) = update.config_id.as_deref() {
            if new_config != d.config_id {
                self.heat.require_configs(&[new_config]).await?;
            }
        }
        let before = d.clone();
        d.apply(update, self.now_ms);
        self.write_over(&before, &d).await?;
        // Status and outputs are not in the agent document: only a re-deploy changes it.
        if derived_id(&d) != derived_id(&before) {
            if let Err(e) = self.refresh([d.server_id.as_str()]).await {
                // A document that cannot take the re-deploy undoes it.
                let undo = match self.write_over(&d, &before).await {
                    Ok(()) => self.refresh([d.server_id.as_str()]).await,
                    failed => failed,
                };
                return Err(undone(e, undo));
            }
        }
        Ok(d)
    }

    /// Writes `after` over `before` (the same deployment), moving its config use if it changed.
    async fn write_over(
        &self,
        before: &SoftwareDeployment,
        after: &SoftwareDeployment,
    ) -> Result<(), ApiError> {
        self.heat.store_deployment(after).await?;
        if after.config_id != before.config_id {
            self.heat.drop_use(&before.config_id, &before.id).await?;
            self.heat.note_use(after).await?;
        }
        Ok(())
    }

    /// Deletes a deployment and refreshes its server's document.
    pub async fn delete(&self, id: &str) -> Result<(), ApiError> {
        let d = self.heat.deployment(id).await?;
        self.heat.delete_record(&d).await?;
        self.refresh([d.server_id.as_str()]).await
    }
}
