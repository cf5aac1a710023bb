//! A server's agent document: its deployments as Heat's derived configs, kept ready to serve in
//! its server record (`p/{project}/srv/{server_ref}`, published to KV where polls read it).
//!
//! **One read per poll.** Every write of a deployment rewrites its server's record when the
//! document changes (a listing of the server's deployments and one put), so a poll reads one key
//! and answers 304 or the whole document from it. `modified_s` (the `Last-Modified` second) moves
//! forward by at least one second at every change, so agents that compare dates at one-second
//! resolution see two changes made within a second.
//!
//! The document reads deployments and configs through [`HeatService`] and writes nothing of
//! theirs but a FAILED status for a deployment whose config is gone.

use super::capability::server_ref;
use super::contact::POLLING_INTERVAL_S;
use crate::domain::agent::{add_signal_inputs, derive, DerivedConfig};
use crate::domain::heat::{DeploymentStatus, SoftwareConfig, SoftwareDeployment};
use crate::error::ApiError;
use crate::keys::ProjectKeys;
use crate::service::encode;
use crate::service::heat::HeatService;
use crate::store::Store;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// The largest agent document (the stored server record, in bytes): Workers KV takes values of up
/// to 25 MiB. A write that would make a server's document larger is refused and undone.
pub const MAX_DOCUMENT_BYTES: usize = 20 * 1024 * 1024;

/// One deployment in a server's document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredItem {
    pub deployment_id: String,
    /// The derived config, without its signal inputs (added when served).
    pub config: DerivedConfig,
}

/// What the store keeps per server that has (or had) an agent URL.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServerRecord {
    pub server_id: String,
    /// The random value agent URLs are derived from; `None` once revoked.
    pub epoch: Option<String>,
    /// When the current epoch's URLs were issued.
    pub issued_ms: Option<u64>,
    /// `Last-Modified` of the document, in seconds since the epoch.
    pub modified_s: u64,
    /// Digest of `items`.
    pub digest: String,
    pub items: Vec<StoredItem>,
}

/// The digest of a document's items (its ETag's part that changes with it).
pub fn items_digest(items: &[StoredItem]) -> String {
    let bytes = serde_json::to_vec(items).unwrap_or_default();
    hex::encode(&Sha256::digest(&bytes)[..16])
}

/// The agent documents of one project.
pub struct Documents<'a, S: Store + ?Sized> {
    store: &'a S,
    project: &'a str,
    now_ms: u64,
}

impl<'a, S: Store + ?Sized> Documents<'a, S> {
    pub fn new(store: &'a S, project: &'a str, now_ms: u64) -> Self {
        Documents {
            store,
            project,
            now_ms,
        }
    }

    fn heat(&self) -> HeatService<'a, S> {
        HeatService::new(self.store, self.project).at(self.now_ms)
    }

    fn record_key(&self, server_ref: &str) -> String {
        ProjectKeys::new(self.project).server(server_ref)
    }

    /// The server record under a server reference.
    pub async fn read_record(&self, server_ref: &str) -> Result<Option<ServerRecord>, ApiError> {
        crate::service::read(self.store, &self.record_key(server_ref)).await
    }

    /// Stores a server record; 409 when its document is over [`MAX_DOCUMENT_BYTES`].
    pub async fn write_record(&self, record: &ServerRecord) -> Result<(), ApiError> {
        let key = self.record_key(&server_ref(&record.server_id));
        let text = encode(record)?;
        if text.len() > MAX_DOCUMENT_BYTES {
            return Err(ApiError::Conflict(format!(
                "The agent document of server {} would be {} bytes, over its limit of {MAX_DOCUMENT_BYTES}: deploy fewer or smaller configs to it",
                record.server_id,
                text.len()
            )));
        }
        self.store.put(&key, &text, None).await?;
        Ok(())
    }

    /// The derived configs of a server's deployments, in Heat's order (by config name, then
    /// oldest first), and the deployments left out because their config is gone (they cannot
    /// run; its object stores them FAILED when it next writes the document).
    pub async fn derive_items(
        &self,
        server_id: &str,
    ) -> Result<(Vec<StoredItem>, Vec<SoftwareDeployment>), ApiError> {
        let heat = self.heat();
        let deployments = heat.list_deployments(Some(server_id)).await?;
        let mut config_ids: Vec<&str> = deployments.iter().map(|d| d.config_id.as_str()).collect();
        config_ids.sort_unstable();
        config_ids.dedup();
        let configs: BTreeMap<String, SoftwareConfig> = heat
            .configs(&config_ids)
            .await?
            .into_iter()
            .map(|c| (c.id.clone(), c))
            .collect();
        let mut items: Vec<(String, StoredItem)> = Vec::with_capacity(deployments.len());
        let mut orphaned = Vec::new();
        for d in deployments {
            match configs.get(&d.config_id) {
                Some(c) => items.push((
                    c.name.clone().unwrap_or_default(),
                    StoredItem {
                        deployment_id: d.id.clone(),
                        config: derive(c, &d),
                    },
                )),
                None => orphaned.push(d),
            }
        }
        // A stable sort keeps deployments of one config name oldest first, as Heat does.
        items.sort_by(|a, b| a.0.cmp(&b.0));
        Ok((items.into_iter().map(|(_, item)| item).collect(), orphaned))
    }

    /// The document items of a server, as its object stores them: a deployment whose config is
    /// gone (records imported from KV that disagree) is stored FAILED, saying why.
    pub async fn stored_items(&self, server_id: &str) -> Result<Vec<StoredItem>, ApiError> {
        let (items, orphaned) = self.derive_items(server_id).await?;
        for d in &orphaned {
            self.report_missing_config(d).await?;
        }
        Ok(items)
    }

    async fn report_missing_config(&self, d: &SoftwareDeployment) -> Result<(), ApiError> {
        if d.status == DeploymentStatus::Failed {
            return Ok(());
        }
        let mut failed = d.clone();
        failed.status = DeploymentStatus::Failed;
        failed.status_reason = format!(
            "Software config {} was deleted; the deployment cannot run",
            d.config_id
        );
        failed.deadline_ms = None;
        failed.updated_time = Some(crate::clock::heat_time(self.now_ms));
        failed.updated_ms = self.now_ms;
        self.heat().store_deployment(&failed).await
    }

    /// Rewrites a server's document after its deployments changed, if it has an agent record and
    /// the document differs. `Last-Modified` moves forward by at least one second.
    pub async fn refresh(&self, server_id: &str) -> Result<(), ApiError> {
        let Some(mut record) = self.read_record(&server_ref(server_id)).await? else {
            return Ok(());
        };
        let items = self.stored_items(server_id).await?;
        let digest = items_digest(&items);
        if digest == record.digest {
            return Ok(());
        }
        record.modified_s = (self.now_ms / 1000).max(record.modified_s + 1);
        record.digest = digest;
        record.items = items;
        self.write_record(&record).await
    }
}

/// Renders a stored document for the URL it is served at.
pub fn render(record: &ServerRecord, metadata_url: &str) -> Value {
    let deployments: Vec<Value> = record
        .items
        .iter()
        .map(|item| with_signal(item.config.clone(), Some(metadata_url)))
        .collect();
    json!({
        "deployments": deployments,
        "os-collect-config": {
            "collectors": ["request"],
            "request": {"metadata_url": metadata_url},
            "polling_interval": POLLING_INTERVAL_S,
        },
    })
}

/// A stored derived config as served: with the signal URL under `metadata_url`
/// (`{metadata_url}/signal/{derived_id}`), or `NO_SIGNAL` when the server has no agent URL.
pub fn with_signal(mut config: DerivedConfig, metadata_url: Option<&str>) -> Value {
    let signal = metadata_url.map(|url| format!("{url}/signal/{}", config.id));
    add_signal_inputs(&mut config, signal.as_deref());
    serde_json::to_value(config).unwrap_or(Value::Null)
}
