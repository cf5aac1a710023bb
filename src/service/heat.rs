//! Software configs and deployments on a key-value store.
//!
//! Key layout (all under one project, `p/{project_id}/`):
//!
//! | key | value | metadata |
//! |---|---|---|
//! | `cfg/{config_id}` | the config | `ConfigMeta`: `{name, group, creation_time, ms}` for listings (only `{ms, creation_time}` past 1,000 bytes) |
//! | `dep/{bucket}/{deployment_id}` | the deployment | `DeploymentMeta`: `{s: server_id, c: config_id, ms, q, d}`, `d` the whole record while that stays under 1,000 bytes |
//!
//! `bucket` is 8 hex digits of SHA-256 of the deployment's server id, and a deployment id we
//! issue starts with its bucket. So a deployment is one record and one KV write: its key follows
//! from its id (a show is one read), a server's deployments share a key prefix (listing one server
//! reads its bucket, never the whole project; other servers that share the bucket are filtered out
//! by the `s` metadata; only records too large for their metadata are read), and there is no index
//! that could be left dangling.
//!
//! A config in use cannot be deleted: each deployment keeps a `use/{config_id}/{deployment_id}`
//! row beside its record in its project's object (never in KV), written and removed with it, so
//! the check is one lookup.

use super::{decode, encode};
use crate::domain::heat::{ConfigSummary, NewConfig, SoftwareConfig, SoftwareDeployment, ID_MAX};
use crate::error::ApiError;
use crate::store::{get_all, list_all, ListedKey, Store};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// KV metadata limit, with room to spare.
const METADATA_MAX: usize = 1000;

/// The keys of one project ([`crate::keys`]).
pub use crate::keys::ProjectKeys as Keys;
use crate::keys::{bucket, BUCKET_LEN};

/// A new deployment id for a server: a random UUID v4 whose first 8 hex digits are the server's
/// bucket.
pub fn deployment_id(server_id: &str) -> Result<String, ApiError> {
    let random = crate::ids::issue(crate::ids::uuid_v4)?;
    Ok(format!("{}{}", bucket(server_id), &random[BUCKET_LEN..]))
}

/// What a deployment's key metadata says: enough to filter and order listings without reading,
/// and the whole record (`d`) when it fits in KV's 1 KiB of metadata, so that a listing usually
/// needs no reads at all. Metadata is written in the same put as the value, so the two agree.
#[derive(Debug, Serialize, Deserialize)]
struct DeploymentMeta {
    /// Server id.
    s: String,
    /// Config id.
    c: String,
    /// Creation time (ms).
    ms: u64,
    /// Position in its batch.
    #[serde(default)]
    q: u32,
    /// The record itself, when it fits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    d: Option<SoftwareDeployment>,
}

impl DeploymentMeta {
    fn of(d: &SoftwareDeployment) -> Value {
        let mut meta = DeploymentMeta {
            s: d.server_id.clone(),
            c: d.config_id.clone(),
            ms: d.created_ms,
            q: d.seq,
            d: Some(d.clone()),
        };
        let with_record = serde_json::to_value(&meta).unwrap_or(Value::Null);
        if with_record.to_string().len() <= METADATA_MAX {
            return with_record;
        }
        meta.d = None;
        serde_json::to_value(&meta).unwrap_or(Value::Null)
    }

    /// The metadata of a listed key; `None` for a key written without (or with unreadable) metadata.
    fn read(listed: &ListedKey) -> Option<DeploymentMeta> {
        listed.metadata.as_ref()?.parse()
    }
}

/// What a config's key metadata says: its listing summary (less the id, which is in the key), or
/// only its times when the name and group do not fit in KV's metadata.
#[derive(Debug, Serialize, Deserialize)]
struct ConfigMeta {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    group: Option<String>,
    creation_time: String,
    /// Creation time (ms): listings are newest first.
    ms: u64,
}

impl ConfigMeta {
    fn of(config: &SoftwareConfig) -> Value {
        let mut meta = ConfigMeta {
            name: Some(config.name.clone()),
            group: Some(config.group.clone()),
            creation_time: config.creation_time.clone(),
            ms: config.created_ms,
        };
        let with_summary = serde_json::to_value(&meta).unwrap_or(Value::Null);
        if with_summary.to_string().len() <= METADATA_MAX {
            return with_summary;
        }
        (meta.name, meta.group) = (None, None);
        serde_json::to_value(&meta).unwrap_or(Value::Null)
    }

    fn read(listed: &ListedKey) -> Option<ConfigMeta> {
        listed.metadata.as_ref()?.parse()
    }

    /// The listing summary of config `id`, when the metadata holds it.
    fn summary(self, id: &str) -> Option<ConfigSummary> {
        Some(ConfigSummary {
            creation_time: self.creation_time,
            group: self.group?,
            id: id.to_owned(),
            name: self.name.flatten(),
        })
    }
}

fn in_use(config_id: &str, deployment_id: &str) -> ApiError {
    ApiError::Conflict(format!(
        "Software config with id {config_id} is still used by software deployment {deployment_id}; delete the deployment first"
    ))
}

/// The last `/`-separated part of a key, decoded: the id in it.
fn last_segment(key: &str) -> &str {
    key.rsplit('/').next().unwrap_or(key)
}

/// True when an id from a path or query could name something stored: config and deployment ids
/// are UUIDs we issue and server ids are validated to [`ID_MAX`] characters on create. Longer ids
/// are never looked up: their keys could pass KV's 512-byte key limit, and KV would fail (a 500)
/// where the answer is simply "not found".
fn storable_id(id: &str) -> bool {
    crate::validate::char_len(id) <= ID_MAX
}

/// A strong ETag for a stored deployment: a hash of its stored form.
pub fn etag(deployment: &SoftwareDeployment) -> String {
    let bytes = serde_json::to_vec(deployment).unwrap_or_default();
    format!("\"{}\"", &hex::encode(Sha256::digest(&bytes))[..32])
}

/// True when an `If-Match` header value matches the ETag (`*` matches any).
pub fn if_match_holds(header: &str, current: &str) -> bool {
    header
        .split(',')
        .map(str::trim)
        .any(|tag| tag == "*" || tag == current || tag.strip_prefix("W/") == Some(current))
}

/// The software-config API of one project.
///
/// Deployments are read as of `now_ms` (see [`HeatService::at`]): one past its timeout reads
/// FAILED. Deployment writes that change what agents run go through
/// [`crate::service::deployments::Deployments`], which also refreshes their servers' documents.
pub struct HeatService<'a, S: Store + ?Sized> {
    store: &'a S,
    /// For the test shorthand below.
    #[cfg(test)]
    project: &'a str,
    keys: Keys<'a>,
    now_ms: u64,
}

impl<'a, S: Store + ?Sized> HeatService<'a, S> {
    pub fn new(store: &'a S, project: &'a str) -> Self {
        HeatService {
            store,
            #[cfg(test)]
            project,
            keys: Keys::new(project),
            now_ms: 0,
        }
    }

    /// Reads deployments as of `now_ms` (timeouts apply); without it no timeout ever passes.
    pub fn at(mut self, now_ms: u64) -> Self {
        self.now_ms = now_ms;
        self
    }

    /// Stores a new config.
    pub async fn create_config(
        &self,
        id: String,
        new: NewConfig,
        now_ms: u64,
    ) -> Result<SoftwareConfig, ApiError> {
        let config = SoftwareConfig::create(id, new, now_ms);
        let meta = ConfigMeta::of(&config);
        self.store
            .put(
                &self.keys.config(&config.id),
                &encode(&config)?,
                Some(&meta),
            )
            .await?;
        Ok(config)
    }

    /// Reads a config, or 404 with Heat's message.
    pub async fn config(&self, id: &str) -> Result<SoftwareConfig, ApiError> {
        if !storable_id(id) {
            return Err(ApiError::not_found("Software config", id));
        }
        let key = self.keys.config(id);
        match self.store.get(&key).await? {
            Some(text) => decode(&key, &text),
            None => Err(ApiError::not_found("Software config", id)),
        }
    }

    /// Config summaries, newest first, after `marker` (an id; an unknown marker is ignored, as in
    /// Heat), at most `limit`.
    pub async fn list_configs(
        &self,
        limit: usize,
        marker: Option<&str>,
    ) -> Result<Vec<ConfigSummary>, ApiError> {
        let listed = list_all(self.store, &self.keys.configs()).await?;
        let prefix_len = self.keys.configs().len();
        let mut rows: Vec<(u64, String, Option<ConfigSummary>)> = listed
            .iter()
            .map(|k| {
                let id = crate::http::percent_decode(&k.name[prefix_len.min(k.name.len())..]);
                let meta = ConfigMeta::read(k);
                let ms = meta.as_ref().map_or(0, |m| m.ms);
                let summary = meta.and_then(|m| m.summary(&id));
                (ms, id, summary)
            })
            .collect();
        rows.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| b.1.cmp(&a.1)));
        let start = match marker {
            Some(m) => rows.iter().position(|r| r.1 == m).map_or(0, |i| i + 1),
            None => 0,
        };
        let page: Vec<_> = rows.into_iter().skip(start).take(limit).collect();
        // Summaries too large for metadata are read in bulk.
        let missing: Vec<String> = page
            .iter()
            .filter(|r| r.2.is_none())
            .map(|r| self.keys.config(&r.1))
            .collect();
        let mut fetched: BTreeMap<String, ConfigSummary> = BTreeMap::new();
        if !missing.is_empty() {
            for (key, text) in missing.iter().zip(get_all(self.store, &missing).await?) {
                if let Some(text) = text {
                    let cfg: SoftwareConfig = decode(key, &text)?;
                    fetched.insert(cfg.id.clone(), cfg.summary());
                }
            }
        }
        Ok(page
            .into_iter()
            .filter_map(|(_, id, summary)| summary.or_else(|| fetched.remove(&id)))
            .collect())
    }

    /// Deletes a config; 409 while a deployment still uses it (one lookup of its uses).
    pub async fn delete_config(&self, id: &str) -> Result<(), ApiError> {
        self.config(id).await?;
        let uses = self.store.list(&self.keys.config_uses(id), None, 1).await?;
        if let Some(user) = uses.keys.first() {
            let deployment = crate::http::percent_decode(last_segment(&user.name));
            return Err(in_use(id, &deployment));
        }
        self.store.delete(&self.keys.config(id)).await?;
        Ok(())
    }

    /// Writes the use rows of every deployment of the project (for records imported from KV,
    /// which never held them).
    pub async fn index_config_uses(&self) -> Result<(), ApiError> {
        for d in self.list_deployments(None).await? {
            self.note_use(&d).await?;
        }
        Ok(())
    }

    /// Records that `d` uses its config.
    pub async fn note_use(&self, d: &SoftwareDeployment) -> Result<(), ApiError> {
        let key = self.keys.config_use(&d.config_id, &d.id);
        self.store.put(&key, "", None).await?;
        Ok(())
    }

    /// Forgets that deployment `id` used config `config_id`.
    pub async fn drop_use(&self, config_id: &str, id: &str) -> Result<(), ApiError> {
        self.store
            .delete(&self.keys.config_use(config_id, id))
            .await?;
        Ok(())
    }

    /// Reads the configs with these ids that exist (in bulk; each id once).
    pub async fn configs(&self, ids: &[&str]) -> Result<Vec<SoftwareConfig>, ApiError> {
        let mut unique: Vec<&str> = ids.iter().copied().filter(|id| storable_id(id)).collect();
        unique.sort_unstable();
        unique.dedup();
        let keys: Vec<String> = unique.iter().map(|id| self.keys.config(id)).collect();
        let mut out = Vec::with_capacity(keys.len());
        for (key, found) in keys.iter().zip(get_all(self.store, &keys).await?) {
            if let Some(text) = found {
                out.push(decode(key, &text)?);
            }
        }
        Ok(out)
    }

    /// Fails with 404 unless every config id exists.
    pub async fn require_configs(&self, ids: &[&str]) -> Result<(), ApiError> {
        let found = self.configs(ids).await?;
        match ids.iter().find(|id| !found.iter().any(|c| c.id == **id)) {
            Some(missing) => Err(ApiError::not_found("Software config", missing)),
            None => Ok(()),
        }
    }

    /// Writes a deployment record (and its listing metadata) as it is. Status-only changes (a
    /// signal) leave the agent document as it is; other writes go through the operations above.
    pub async fn store_deployment(&self, d: &SoftwareDeployment) -> Result<(), ApiError> {
        let key = self
            .keys
            .deployment(&d.id)
            .ok_or_else(|| ApiError::not_found("Deployment", &d.id))?;
        self.store
            .put(&key, &encode(d)?, Some(&DeploymentMeta::of(d)))
            .await?;
        Ok(())
    }

    /// Deletes a deployment's record and its use of its config.
    pub async fn delete_record(&self, d: &SoftwareDeployment) -> Result<(), ApiError> {
        if let Some(key) = self.keys.deployment(&d.id) {
            self.store.delete(&key).await?;
        }
        self.drop_use(&d.config_id, &d.id).await
    }

    /// Reads a deployment (a timed-out one as FAILED), or 404 with Heat's message.
    pub async fn deployment(&self, id: &str) -> Result<SoftwareDeployment, ApiError> {
        let key = match self.keys.deployment(id) {
            Some(key) if storable_id(id) => key,
            _ => return Err(ApiError::not_found("Deployment", id)),
        };
        match self.store.get(&key).await? {
            Some(text) => {
                let mut d: SoftwareDeployment = decode(&key, &text)?;
                d.settle(self.now_ms);
                Ok(d)
            }
            None => Err(ApiError::not_found("Deployment", id)),
        }
    }

    /// All deployments of the project, or of one server, oldest first (in the order a batch was
    /// sent). One `list` per 1,000 keys, and one bulk read per 100 deployments too large for their
    /// key's metadata.
    pub async fn list_deployments(
        &self,
        server_id: Option<&str>,
    ) -> Result<Vec<SoftwareDeployment>, ApiError> {
        let prefix = match server_id {
            Some(s) if !storable_id(s) => return Ok(Vec::new()),
            Some(s) => self.keys.server_bucket(s),
            None => self.keys.deployments(),
        };
        let mut listed: Vec<(u64, u32, String, Option<SoftwareDeployment>)> =
            list_all(self.store, &prefix)
                .await?
                .into_iter()
                .filter_map(|k| match DeploymentMeta::read(&k) {
                    // Another server in the same bucket: not ours.
                    Some(m) if server_id.is_some_and(|want| want != m.s) => None,
                    Some(m) => Some((m.ms, m.q, k.name, m.d)),
                    // Unlabelled keys are read and checked.
                    None => Some((0, 0, k.name, None)),
                })
                .collect();
        listed.sort_by(|a, b| (a.0, a.1, &a.2).cmp(&(b.0, b.1, &b.2)));
        // Records too large for metadata are read in bulk.
        let to_read: Vec<String> = listed
            .iter()
            .filter(|r| r.3.is_none())
            .map(|r| r.2.clone())
            .collect();
        let mut read: BTreeMap<String, String> = BTreeMap::new();
        for (key, text) in to_read.iter().zip(get_all(self.store, &to_read).await?) {
            if let Some(t) = text {
                read.insert(key.clone(), t);
            }
        }
        let mut out = Vec::with_capacity(listed.len());
        for (_, _, key, record) in listed {
            let d: SoftwareDeployment = match (record, read.remove(&key)) {
                (Some(d), _) => d,
                (None, Some(t)) => decode(&key, &t)?,
                // Listed but gone by the time it was read (a concurrent delete): skipped.
                (None, None) => continue,
            };
            if server_id.is_none_or(|s| s == d.server_id) {
                let mut d = d;
                d.settle(self.now_ms);
                out.push(d);
            }
        }
        Ok(out)
    }
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::heat::{
        parse_deployment_update, parse_new_config, parse_new_deployment, NewDeployment,
    };
    use crate::service::agent::AgentService;
    use crate::store::MemoryStore;
    use crate::validate::Report;
    use futures::executor::block_on;
    use serde_json::json;

    /// Test shorthand: [`Deployments`](crate::service::deployments::Deployments)' writes on a `HeatService`.
    impl<'a, S: Store + ?Sized> HeatService<'a, S> {
        pub async fn create_deployments(
            &self,
            ids: Vec<String>,
            news: Vec<crate::domain::heat::NewDeployment>,
            now_ms: u64,
        ) -> Result<Vec<SoftwareDeployment>, ApiError> {
            let writes =
                crate::service::deployments::Deployments::new(self.store, self.project, now_ms);
            writes.create(ids, news).await
        }

        pub async fn update_deployment(
            &self,
            id: &str,
            update: crate::domain::heat::DeploymentUpdate,
            if_match: Option<&str>,
            now_ms: u64,
        ) -> Result<SoftwareDeployment, ApiError> {
            let writes =
                crate::service::deployments::Deployments::new(self.store, self.project, now_ms);
            writes.update(id, update, if_match).await
        }

        pub async fn delete_deployment(&self, id: &str) -> Result<(), ApiError> {
            let writes = crate::service::deployments::Deployments::new(
                self.store,
                self.project,
                self.now_ms,
            );
            writes.delete(id).await
        }
    }

    fn new_config(name: &str) -> NewConfig {
        parse_new_config(
            &json!({"name": name, "config": "#!/bin/sh"}),
            &mut Report::default(),
        )
        .unwrap()
    }
    /// A service on project `p1` whose store holds config `c1`.
    async fn with_config_c1(store: &MemoryStore) -> HeatService<'_, MemoryStore> {
        let svc = HeatService::new(store, "p1");
        svc.create_config("c1".into(), new_config("x"), 1)
            .await
            .unwrap();
        svc
    }
    fn id(server: &str) -> String {
        deployment_id(server).unwrap()
    }
    fn ids_for(news: &[NewDeployment]) -> Vec<String> {
        news.iter().map(|n| id(&n.server_id)).collect()
    }
    fn new_dep(config: &str, server: &str) -> NewDeployment {
        parse_new_deployment(
            &json!({"config_id": config, "server_id": server}),
            "",
            &mut Report::default(),
        )
        .unwrap()
    }

    #[test]
    fn configs_list_newest_first_and_page_by_marker() {
        block_on(async {
            let store = MemoryStore::new();
            let svc = HeatService::new(&store, "p1");
            for (i, n) in ["a", "b", "c"].iter().enumerate() {
                svc.create_config(format!("id-{n}"), new_config(n), 1000 + i as u64)
                    .await
                    .unwrap();
            }
            let all = svc.list_configs(10, None).await.unwrap();
            let names: Vec<_> = all.iter().map(|c| c.name.as_deref().unwrap()).collect();
            assert_eq!(names, ["c", "b", "a"]);
            let after_c = svc.list_configs(1, Some("id-c")).await.unwrap();
            assert_eq!(after_c[0].id, "id-b");
            assert_eq!(after_c.len(), 1);
        });
    }

    #[test]
    fn a_config_in_use_cannot_be_deleted_until_its_deployment_is() {
        block_on(async {
            let store = MemoryStore::new();
            let svc = with_config_c1(&store).await;
            let d1 = id("s1");
            svc.create_deployments(vec![d1.clone()], vec![new_dep("c1", "s1")], 2)
                .await
                .unwrap();
            assert_eq!(svc.delete_config("c1").await.unwrap_err().status(), 409);
            svc.delete_deployment(&d1).await.unwrap();
            svc.delete_config("c1").await.unwrap();
            assert!(store.is_empty());
        });
    }

    #[test]
    fn a_batch_with_one_unknown_config_writes_nothing() {
        block_on(async {
            let store = MemoryStore::new();
            let svc = with_config_c1(&store).await;
            let before = store.snapshot();
            let err = svc
                .create_deployments(
                    vec![id("s"), id("s")],
                    vec![new_dep("c1", "s"), new_dep("nope", "s")],
                    2,
                )
                .await
                .unwrap_err();
            assert_eq!(err.to_string(), "Software config with id nope not found");
            assert_eq!(store.snapshot(), before);
        });
    }

    #[test]
    fn a_batch_lists_in_the_order_it_was_sent() {
        block_on(async {
            let store = MemoryStore::new();
            let svc = with_config_c1(&store).await;
            let servers = ["s-first", "s-second", "s-third"];
            let news: Vec<NewDeployment> = servers.iter().map(|s| new_dep("c1", s)).collect();
            // Ids in descending order: the listing must not follow them.
            let mut ids = ids_for(&news);
            ids.sort_unstable_by(|a, b| b.cmp(a));
            let created = svc.create_deployments(ids, news, 2).await.unwrap();
            let created_servers: Vec<&str> = created.iter().map(|d| d.server_id.as_str()).collect();
            assert_eq!(created_servers, servers);
            let listed = svc.list_deployments(None).await.unwrap();
            assert_eq!(listed, created);
        });
    }

    #[test]
    fn a_config_in_use_is_found_among_thousands_of_deployments_of_other_configs() {
        block_on(async {
            let store = MemoryStore::new();
            let svc = with_config_c1(&store).await;
            svc.create_config("c2".into(), new_config("y"), 1)
                .await
                .unwrap();
            for chunk in 0..12 {
                let news: Vec<_> = (0..100)
                    .map(|i| new_dep("c2", &format!("s{chunk}-{i}")))
                    .collect();
                svc.create_deployments(ids_for(&news), news, 2)
                    .await
                    .unwrap();
            }
            let live = svc
                .create_deployments(vec![id("last")], vec![new_dep("c1", "last")], 3)
                .await
                .unwrap();
            let err = svc.delete_config("c1").await.unwrap_err();
            assert_eq!(err.status(), 409);
            assert!(err.to_string().contains(&live[0].id), "{err}");
        });
    }

    #[test]
    fn a_server_lists_only_its_own_deployments_even_when_another_shares_its_bucket() {
        block_on(async {
            let store = MemoryStore::new();
            let svc = with_config_c1(&store).await;
            let mine = svc
                .create_deployments(vec![id("s1")], vec![new_dep("c1", "s1")], 2)
                .await
                .unwrap();
            // A deployment of another server written into s1's bucket (a 32-bit hash collision).
            let mut other = mine[0].clone();
            other.id = format!("{}-0000-4000-8000-000000000000", &mine[0].id[..8]);
            other.server_id = "s2".into();
            svc.store_deployment(&other).await.unwrap();
            let listed = svc.list_deployments(Some("s1")).await.unwrap();
            assert_eq!(
                listed.iter().map(|d| d.id.as_str()).collect::<Vec<_>>(),
                [mine[0].id.as_str()]
            );
            assert_eq!(
                svc.list_deployments(Some("s2")).await.unwrap().len(),
                0,
                "s2's own bucket is elsewhere"
            );
            assert_eq!(svc.list_deployments(None).await.unwrap().len(), 2);
        });
    }

    #[test]
    fn a_listing_reads_only_the_records_too_large_for_key_metadata() {
        block_on(async {
            let store = MemoryStore::new();
            let svc = with_config_c1(&store).await;
            let small = new_dep("c1", "s1");
            let mut big = new_dep("c1", "s1");
            big.input_values =
                Some(serde_json::from_value(json!({"blob": "x".repeat(2000)})).unwrap());
            let created = svc
                .create_deployments(vec![id("s1"), id("s1")], vec![small, big], 2)
                .await
                .unwrap();
            let counted = crate::store::CountingStore::new(&store);
            let listed = HeatService::new(&counted, "p1")
                .list_deployments(Some("s1"))
                .await
                .unwrap();
            assert_eq!(listed, created);
            assert_eq!(
                counted.ops(),
                2,
                "one list, one bulk read for the large record"
            );
            let only_small = HeatService::new(&store, "p1");
            only_small.delete_deployment(&created[1].id).await.unwrap();
            let counted = crate::store::CountingStore::new(&store);
            HeatService::new(&counted, "p1")
                .list_deployments(Some("s1"))
                .await
                .unwrap();
            assert_eq!(
                counted.ops(),
                1,
                "small records come from the listing alone"
            );
        });
    }

    #[test]
    fn a_deployment_is_one_record_whose_key_follows_from_its_id() {
        block_on(async {
            let store = MemoryStore::new();
            let svc = with_config_c1(&store).await;
            let before = store.len();
            let d = svc
                .create_deployments(vec![id("web-1")], vec![new_dep("c1", "web-1")], 2)
                .await
                .unwrap()
                .remove(0);
            let published: Vec<String> = store
                .snapshot()
                .into_iter()
                .map(|(k, _)| k)
                .filter(|k| crate::keys::Kind::of(k).is_some_and(crate::keys::Kind::published))
                .collect();
            assert_eq!(published.len(), before + 1, "{published:?}");
            assert_eq!(store.len(), before + 2, "and its use of its config");
            assert!(d.id.starts_with(&bucket("web-1")));
            assert_eq!(svc.deployment(&d.id).await.unwrap(), d);
            assert_eq!(
                svc.deployment("not-hex-at-all").await.unwrap_err().status(),
                404
            );
        });
    }

    #[test]
    fn an_update_with_a_stale_etag_is_refused_and_changes_nothing() {
        block_on(async {
            let store = MemoryStore::new();
            let svc = with_config_c1(&store).await;
            let d1 = id("s1");
            let d = svc
                .create_deployments(vec![d1.clone()], vec![new_dep("c1", "s1")], 2)
                .await
                .unwrap()
                .remove(0);
            let tag = etag(&d);
            let upd = |s: &str| {
                parse_deployment_update(&json!({"status": s}), &mut Report::default()).unwrap()
            };
            svc.update_deployment(&d1, upd("IN_PROGRESS"), Some(&tag), 3)
                .await
                .unwrap();
            let before = store.snapshot();
            assert_eq!(
                svc.update_deployment(&d1, upd("FAILED"), Some(&tag), 4)
                    .await
                    .unwrap_err()
                    .status(),
                412
            );
            assert_eq!(store.snapshot(), before);
        });
    }

    #[test]
    fn ids_too_long_to_exist_are_not_found_without_touching_the_store() {
        block_on(async {
            let inner = MemoryStore::new();
            let store = crate::store::CountingStore::new(&inner);
            let svc = HeatService::new(&store, "p1");
            // 600 characters: as a KV key this is over the 512-byte limit, and KV would fail.
            let long = "x".repeat(600);
            assert_eq!(
                svc.config(&long).await.unwrap_err().to_string(),
                format!("Software config with id {long} not found")
            );
            assert_eq!(svc.delete_config(&long).await.unwrap_err().status(), 404);
            assert_eq!(svc.deployment(&long).await.unwrap_err().status(), 404);
            assert_eq!(
                svc.delete_deployment(&long).await.unwrap_err().status(),
                404
            );
            let upd = parse_deployment_update(&json!({"status": "FAILED"}), &mut Report::default())
                .unwrap();
            assert_eq!(
                svc.update_deployment(&long, upd, None, 1)
                    .await
                    .unwrap_err()
                    .status(),
                404
            );
            assert!(svc.list_deployments(Some(&long)).await.unwrap().is_empty());
            let agents = AgentService::new(&store, "p1", None, 1);
            assert!(agents
                .heat_metadata(&long, "http://h")
                .await
                .unwrap()
                .is_empty());
            assert_eq!(store.ops(), 0);
            // 36 characters is still looked up.
            let _ = svc.config(&"y".repeat(ID_MAX)).await;
            assert_eq!(store.ops(), 1);
        });
    }

    #[test]
    fn projects_never_see_each_others_data() {
        block_on(async {
            let store = MemoryStore::new();
            let a = HeatService::new(&store, "pa");
            let b = HeatService::new(&store, "pb");
            a.create_config("c1".into(), new_config("x"), 1)
                .await
                .unwrap();
            assert_eq!(b.config("c1").await.unwrap_err().status(), 404);
            assert!(b.list_configs(10, None).await.unwrap().is_empty());
        });
    }
}
