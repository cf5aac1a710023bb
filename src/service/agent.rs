//! Server agents: metadata URLs, the agent document, result signals and agent contact.
//!
//! Key layout (under `p/{project_id}/`; `{server_ref}` is 32 hex digits of SHA-256 of the server
//! id, so any server id makes a short, safe key):
//!
//! | key | value |
//! |---|---|
//! | `srv/{server_ref}` | [`ServerRecord`]: the server's agent document, ready to serve, and its agent epoch (published to KV, where polls read it) |
//! | `seen/{server_ref}` | `{"ms": …}`: when its agent last polled (see [`CONTACT_RESOLUTION_MS`]); in the project's object only |
//!
//! **Capabilities, stored nowhere.** A metadata URL is
//! `{origin}/agent/v1/{project_id}/{server_ref}/{secret}` where `secret` is
//! `base64url(HMAC-SHA256(CREDENTIALS_KEY, project, server_ref, epoch))`, and `epoch` is a random
//! value in the server record, replaced on revocation. A signal URL is the metadata URL plus
//! `/signal/{derived_id}`. Checking one is one HMAC and a constant-time comparison; an unknown
//! server costs the same HMAC, and unknown, revoked and wrong URLs get the same 404.
//!
//! **One read per poll.** Every write of a deployment rewrites its server's record when the
//! document changes (a listing of the server's deployments and one put), so a poll reads one key
//! and answers 304 or the whole document from it. `modified_s` (the `Last-Modified` second) moves
//! forward by at least one second at every change, so agents that compare dates at one-second
//! resolution see two changes made within a second.

use super::heat::HeatService;
use super::{decode, encode};
use crate::domain::agent::{add_signal_inputs, apply_signal, derive, derived_id, SignalOutcome};
use crate::domain::heat::{DeploymentStatus, SoftwareConfig, SoftwareDeployment, ID_MAX};
use crate::error::ApiError;
use crate::http::After;
use crate::keys::ProjectKeys;
use crate::store::{ReadCache, Store};
use crate::validate::{char_len, FieldError, Rule};
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use subtle::ConstantTimeEq;

/// How often agents are told to poll (seconds).
pub const POLLING_INTERVAL_S: u64 = 30;
/// A server's last poll is sent to its project's object about once per this period (10 minutes;
/// see `AgentService::contact_due`), so a fleet polling every 30 s costs about one Durable Object
/// request and one SQLite row per server per 10 minutes, not one per poll.
pub const CONTACT_RESOLUTION_MS: u64 = 10 * 60 * 1000;
/// The largest agent document (the stored server record, in bytes): Workers KV takes values of up
/// to 25 MiB. A write that would make a server's document larger is refused and undone.
pub const MAX_DOCUMENT_BYTES: usize = 20 * 1024 * 1024;
/// Length of a server reference in keys and URLs (hex digits).
const SERVER_REF_LEN: usize = 32;
/// Length of a URL secret (base64url of a 32-byte HMAC, unpadded).
const SECRET_LEN: usize = 43;

/// The 32-hex-digit reference of a server id used in keys and URLs.
pub fn server_ref(server_id: &str) -> String {
    let mut hex = hex::encode(Sha256::digest(server_id.as_bytes()));
    hex.truncate(SERVER_REF_LEN);
    hex
}

/// True when `now_ms` falls in the server's contact slot: the polling interval starting at a phase
/// of [`CONTACT_RESOLUTION_MS`] drawn from its reference.
fn in_contact_slot(server_ref: &str, now_ms: u64) -> bool {
    let phase = contact_phase(server_ref);
    (now_ms + CONTACT_RESOLUTION_MS - phase) % CONTACT_RESOLUTION_MS < POLLING_INTERVAL_S * 1000
}

/// Where in each period a server's contact slot starts.
fn contact_phase(server_ref: &str) -> u64 {
    u64::from_str_radix(server_ref.get(..8).unwrap_or("0"), 16).unwrap_or(0) % CONTACT_RESOLUTION_MS
}

/// True for a string that can be a server reference (never read from the store otherwise).
fn is_server_ref(s: &str) -> bool {
    s.len() == SERVER_REF_LEN
        && s.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

/// One deployment in a server's document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredItem {
    pub deployment_id: String,
    /// The derived config, without its signal inputs (added when served).
    pub config: Value,
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

/// What `GET/POST /v1/{project_id}/servers/{server_id}/agent` answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgentStatus {
    pub server_id: String,
    pub metadata_url: Option<String>,
    pub metadata_url_issued: bool,
    pub issued_time: Option<String>,
    /// When the agent last polled (to within [`CONTACT_RESOLUTION_MS`]); `null` if never.
    pub last_poll_time: Option<String>,
}

/// A conditional poll's validators, as the request sent them.
#[derive(Debug, Clone, Copy, Default)]
pub struct Conditions<'r> {
    pub if_none_match: Option<&'r str>,
    pub if_modified_since: Option<&'r str>,
}

/// The answer to a poll.
#[derive(Debug, Clone, PartialEq)]
pub enum Poll {
    /// The document, with its validators.
    Document {
        body: Value,
        etag: String,
        last_modified: String,
    },
    /// 304: the client's copy is current.
    NotModified { etag: String, last_modified: String },
}

/// An agent URL as it arrived: `/agent/v1/{project}/{server_ref}/{secret}`.
#[derive(Debug, Clone, Copy)]
pub struct AgentUrl<'r> {
    pub project: &'r str,
    pub server_ref: &'r str,
    pub secret: &'r str,
}

fn no_such_url() -> ApiError {
    ApiError::NotFound("No agent URL here (unknown or revoked)".into())
}

fn items_digest(items: &[StoredItem]) -> String {
    let bytes = serde_json::to_vec(items).unwrap_or_default();
    hex::encode(&Sha256::digest(&bytes)[..16])
}

/// Agent URLs and documents of one project.
pub struct AgentService<'a, S: Store + ?Sized> {
    store: &'a S,
    project: &'a str,
    /// `CREDENTIALS_KEY`: the key agent URLs are derived with.
    key: Option<&'a str>,
    /// The isolate's memory of recorded contacts (`None`: record every poll).
    isolate: Option<&'a ReadCache>,
    now_ms: u64,
}

impl<'a, S: Store + ?Sized> AgentService<'a, S> {
    pub fn new(store: &'a S, project: &'a str, key: Option<&'a str>, now_ms: u64) -> Self {
        AgentService {
            store,
            project,
            key: key.filter(|k| !k.is_empty()),
            isolate: None,
            now_ms,
        }
    }

    /// Uses the isolate's memory of the servers it has seen poll, so that outside a server's contact
    /// slot only the first poll this isolate sees writes (without it, every poll writes; see
    /// `note_contact`).
    pub fn with_isolate_cache(mut self, cache: Option<&'a ReadCache>) -> Self {
        self.isolate = cache;
        self
    }

    fn record_key(&self, server_ref: &str) -> String {
        ProjectKeys::new(self.project).server(server_ref)
    }

    fn heat(&self) -> HeatService<'a, S> {
        HeatService::new(self.store, self.project).at(self.now_ms)
    }

    fn require_key(&self) -> Result<&'a str, ApiError> {
        self.key.ok_or_else(|| {
            ApiError::Forbidden(
                "Agent URLs are disabled: the CREDENTIALS_KEY secret is not set".into(),
            )
        })
    }

    /// The URL secret of a server for an epoch.
    fn secret(&self, key: &str, server_ref: &str, epoch: &str) -> String {
        let mut mac = match Hmac::<Sha256>::new_from_slice(key.as_bytes()) {
            Ok(mac) => mac,
            // HMAC takes keys of any length.
            Err(_) => return String::new(),
        };
        for part in ["deploy-edge agent", self.project, server_ref, epoch] {
            mac.update(part.as_bytes());
            mac.update(b"\n");
        }
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }

    fn metadata_url(&self, origin: &str, record: &ServerRecord) -> Option<String> {
        let (key, epoch) = (self.key?, record.epoch.as_deref()?);
        let server_ref = server_ref(&record.server_id);
        let secret = self.secret(key, &server_ref, epoch);
        Some(format!(
            "{origin}/agent/v1/{}/{server_ref}/{secret}",
            self.project
        ))
    }

    async fn read_record(&self, server_ref: &str) -> Result<Option<ServerRecord>, ApiError> {
        let key = self.record_key(server_ref);
        match self.store.get(&key).await? {
            Some(text) => Ok(Some(decode(&key, &text)?)),
            None => Ok(None),
        }
    }

    /// Stores a server record; 409 when its document is over [`MAX_DOCUMENT_BYTES`].
    async fn write_record(&self, record: &ServerRecord) -> Result<(), ApiError> {
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
    async fn stored_items(&self, server_id: &str) -> Result<Vec<StoredItem>, ApiError> {
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

    fn status_of(
        &self,
        server_id: &str,
        origin: &str,
        record: Option<&ServerRecord>,
        last_poll_ms: Option<u64>,
    ) -> AgentStatus {
        AgentStatus {
            server_id: server_id.to_owned(),
            metadata_url: record.and_then(|r| self.metadata_url(origin, r)),
            metadata_url_issued: record.is_some_and(|r| r.epoch.is_some()),
            issued_time: record
                .and_then(|r| r.issued_ms)
                .map(crate::clock::heat_time),
            last_poll_time: last_poll_ms.map(crate::clock::heat_time),
        }
    }

    /// `POST .../servers/{server_id}/agent`: issues the server's metadata URL (the current one if
    /// it has one; a new one after a revocation).
    pub async fn issue(&self, server_id: &str, origin: &str) -> Result<AgentStatus, ApiError> {
        check_server_id(server_id)?;
        self.require_key()?;
        let sref = server_ref(server_id);
        let record = match self.read_record(&sref).await? {
            Some(r) if r.epoch.is_some() => r,
            existing => {
                let items = self.stored_items(server_id).await?;
                let digest = items_digest(&items);
                let previous_s = existing.as_ref().map_or(0, |r| r.modified_s);
                let record = ServerRecord {
                    server_id: server_id.to_owned(),
                    epoch: Some(crate::ids::issue(crate::ids::hex32)?),
                    issued_ms: Some(self.now_ms),
                    modified_s: (self.now_ms / 1000).max(previous_s + 1),
                    digest,
                    items,
                };
                self.write_record(&record).await?;
                record
            }
        };
        let last_poll = self.last_poll_ms(&sref).await?;
        Ok(self.status_of(server_id, origin, Some(&record), last_poll))
    }

    /// `DELETE .../servers/{server_id}/agent`: revokes every URL issued for the server.
    pub async fn revoke(&self, server_id: &str) -> Result<(), ApiError> {
        if char_len(server_id) > ID_MAX {
            return Ok(());
        }
        if let Some(mut record) = self.read_record(&server_ref(server_id)).await? {
            if record.epoch.is_some() {
                record.epoch = None;
                record.issued_ms = None;
                self.write_record(&record).await?;
            }
        }
        Ok(())
    }

    /// `GET .../servers/{server_id}/agent`: whether a URL is issued, and the agent's last poll.
    pub async fn status(&self, server_id: &str, origin: &str) -> Result<AgentStatus, ApiError> {
        if char_len(server_id) > ID_MAX {
            return Ok(self.status_of(server_id, origin, None, None));
        }
        let sref = server_ref(server_id);
        let record = self.read_record(&sref).await?;
        let last_poll = self.last_poll_ms(&sref).await?;
        Ok(self.status_of(server_id, origin, record.as_ref(), last_poll))
    }

    async fn last_poll_ms(&self, sref: &str) -> Result<Option<u64>, ApiError> {
        last_contact_ms(self.store, self.project, sref).await
    }

    /// The same 404 for every URL that is not a current one: a check of the URL alone.
    pub async fn verify(&self, url: &AgentUrl<'_>) -> Result<(), ApiError> {
        self.authenticate(url).await.map(|_| ())
    }

    /// The record behind an agent URL, or the same 404 for every URL that is not a current one.
    async fn authenticate(&self, url: &AgentUrl<'_>) -> Result<ServerRecord, ApiError> {
        let well_formed = crate::auth::is_project_id(self.project)
            && is_server_ref(url.server_ref)
            && url.secret.len() == SECRET_LEN;
        if !well_formed {
            return Err(no_such_url());
        }
        let key = self.key.ok_or_else(no_such_url)?;
        let record = self.read_record(url.server_ref).await?;
        let live = record
            .as_ref()
            .filter(|r| server_ref(&r.server_id) == url.server_ref);
        // The HMAC is computed for unknown and revoked servers too.
        let epoch = live.and_then(|r| r.epoch.as_deref()).unwrap_or("-");
        let expected = self.secret(key, url.server_ref, epoch);
        let matches: bool = expected.as_bytes().ct_eq(url.secret.as_bytes()).into();
        match record {
            Some(r) if matches && r.epoch.is_some() => Ok(r),
            _ => Err(no_such_url()),
        }
    }

    /// The contact to send the server's object, when one is due: in the server's own slot of
    /// each [`CONTACT_RESOLUTION_MS`] (a window one polling interval wide at a phase drawn from
    /// its reference, so a server polling every 30 s is recorded about once per period whichever
    /// isolates serve it), and on the first poll an isolate sees of it (so a new agent shows at
    /// once). The first rule needs no memory, so a fleet of any size stays within it; the second
    /// is bounded by the isolate's memory, and skipped once that is full.
    fn contact_due(&self, sref: &str) -> Option<After> {
        let key = ProjectKeys::new(self.project).contact(sref);
        let first_here = self
            .isolate
            .is_none_or(|cache| cache.note_if_due(&key, self.now_ms, u64::MAX));
        (first_here || in_contact_slot(sref, self.now_ms)).then(|| After::Contact {
            project: self.project.to_owned(),
            server_ref: sref.to_owned(),
            ms: self.now_ms,
        })
    }

    /// Renders a stored document for the URL it is served at.
    fn render(record: &ServerRecord, metadata_url: &str) -> Value {
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

    /// `GET`/`HEAD` of a metadata URL: the document, or 304 when the client's copy is current;
    /// one KV read. With it, the contact to send the server's object when one is due (about once
    /// every [`CONTACT_RESOLUTION_MS`]).
    pub async fn poll(
        &self,
        url: &AgentUrl<'_>,
        origin: &str,
        conditions: Conditions<'_>,
    ) -> Result<(Poll, Option<After>), ApiError> {
        let record = self.authenticate(url).await?;
        let contact = self.contact_due(url.server_ref);
        let metadata_url = format!(
            "{origin}/agent/v1/{}/{}/{}",
            url.project, url.server_ref, url.secret
        );
        let etag = format!(
            "\"{}\"",
            &hex::encode(Sha256::digest(
                format!("{}\n{metadata_url}", record.digest).as_bytes()
            ))[..32]
        );
        let last_modified = crate::clock::http_date(record.modified_s);
        let fresh = match (conditions.if_none_match, conditions.if_modified_since) {
            (Some(tags), _) => crate::service::heat::if_match_holds(tags, &etag),
            (None, Some(since)) => {
                crate::clock::parse_http_date(since).is_some_and(|s| record.modified_s <= s)
            }
            (None, None) => false,
        };
        let poll = if fresh {
            Poll::NotModified {
                etag,
                last_modified,
            }
        } else {
            Poll::Document {
                body: Self::render(&record, &metadata_url),
                etag,
                last_modified,
            }
        };
        Ok((poll, contact))
    }

    /// `PUT`/`POST` of a signal URL: records an agent's result on the deployment whose current
    /// derived config is `derived`. A deployment that is no longer IN_PROGRESS is left as it is.
    pub async fn signal(
        &self,
        url: &AgentUrl<'_>,
        derived: &str,
        details: &Map<String, Value>,
    ) -> Result<(SoftwareDeployment, SignalOutcome), ApiError> {
        let record = self.authenticate(url).await?;
        let gone =
            || ApiError::NotFound("No deployment to signal here (deleted or re-deployed)".into());
        let item = record
            .items
            .iter()
            .find(|i| i.config["id"].as_str() == Some(derived))
            .ok_or_else(gone)?;
        let heat = self.heat();
        let mut d = heat
            .deployment(&item.deployment_id)
            .await
            .map_err(|_| gone())?;
        if derived_id(&d) != derived || d.server_id != record.server_id {
            return Err(gone());
        }
        let outputs = heat
            .config(&d.config_id)
            .await
            .map(|c| c.outputs)
            .unwrap_or_default();
        let outcome = apply_signal(&mut d, &outputs, details, self.now_ms);
        if outcome == SignalOutcome::Recorded {
            heat.store_deployment(&d).await?;
        }
        Ok((d, outcome))
    }

    /// `GET /software_deployments/metadata/{server_id}`: the derived configs of the server's
    /// deployments (read afresh), with signal inputs when the server has an agent URL.
    pub async fn heat_metadata(
        &self,
        server_id: &str,
        origin: &str,
    ) -> Result<Vec<Value>, ApiError> {
        if char_len(server_id) > ID_MAX {
            return Ok(Vec::new());
        }
        let record = self.read_record(&server_ref(server_id)).await?;
        let metadata_url = record.as_ref().and_then(|r| self.metadata_url(origin, r));
        let (items, _) = self.derive_items(server_id).await?;
        Ok(items
            .into_iter()
            .map(|item| with_signal(item.config, metadata_url.as_deref()))
            .collect())
    }
}

/// When a server's agent last polled, as its object recorded it.
async fn last_contact_ms<S: Store + ?Sized>(
    store: &S,
    project: &str,
    sref: &str,
) -> Result<Option<u64>, ApiError> {
    let key = ProjectKeys::new(project).contact(sref);
    Ok(match store.get(&key).await? {
        Some(text) => decode::<Value>(&key, &text)?
            .get("ms")
            .and_then(Value::as_u64),
        None => None,
    })
}

/// Records that a server's agent polled at `ms` (in its project's object): moves the server's
/// contact time forward, never back. A reference that cannot be a server's is ignored.
pub async fn record_contact<S: Store + ?Sized>(
    store: &S,
    project: &str,
    sref: &str,
    ms: u64,
) -> Result<(), ApiError> {
    if !is_server_ref(sref) || last_contact_ms(store, project, sref).await? >= Some(ms) {
        return Ok(());
    }
    let key = ProjectKeys::new(project).contact(sref);
    store
        .put(&key, &json!({ "ms": ms }).to_string(), None)
        .await?;
    Ok(())
}

/// A stored derived config as served: with the signal URL under `metadata_url`
/// (`{metadata_url}/signal/{derived_id}`), or `NO_SIGNAL` when the server has no agent URL.
fn with_signal(mut config: Value, metadata_url: Option<&str>) -> Value {
    let signal = match (metadata_url, config["id"].as_str()) {
        (Some(url), Some(id)) => Some(format!("{url}/signal/{id}")),
        _ => None,
    };
    add_signal_inputs(&mut config, signal.as_deref());
    config
}

/// A server id in a path: 1 to 36 characters, as on deployments.
fn check_server_id(server_id: &str) -> Result<(), ApiError> {
    let len = char_len(server_id);
    if len == 0 || len > ID_MAX {
        return Err(ApiError::invalid(FieldError::new(
            "/server_id",
            if len == 0 {
                Rule::Required
            } else {
                Rule::TooLong { limit: ID_MAX }
            },
            format_args!("must be 1 to {ID_MAX} characters"),
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::heat::{
        parse_deployment_update, parse_new_config, parse_new_deployment, NewDeployment,
    };
    use crate::service::heat::deployment_id;
    use crate::store::{CountingStore, MemoryStore};
    use crate::validate::Report;
    use futures::executor::block_on;

    const KEY: &str = "test-credentials-key";
    const P: &str = "0123456789abcdef0123456789abcdef";
    const ORIGIN: &str = "https://edge.example";

    fn agents(store: &MemoryStore, now_ms: u64) -> AgentService<'_, MemoryStore> {
        AgentService::new(store, P, Some(KEY), now_ms)
    }

    /// A store with config `c1` (input `foo`, outputs `result` and error output `err`).
    async fn with_config(store: &MemoryStore) {
        let new = parse_new_config(
            &json!({"name": "c", "group": "script", "config": "#!/bin/sh",
                    "inputs": [{"name": "foo"}],
                    "outputs": [{"name": "result"}, {"name": "err", "error_output": true}]}),
            &mut Report::default(),
        )
        .unwrap();
        HeatService::new(store, P)
            .create_config("c1".into(), new, 1_000)
            .await
            .unwrap();
    }

    async fn deploy(store: &MemoryStore, server: &str, body: Value, now_ms: u64) -> String {
        let mut full = json!({"config_id": "c1", "server_id": server, "status": "IN_PROGRESS"});
        if let (Value::Object(m), Value::Object(extra)) = (&mut full, body) {
            m.extend(extra);
        }
        let new = parse_new_deployment(&full, "", &mut Report::default()).unwrap();
        let id = deployment_id(server).unwrap();
        HeatService::new(store, P)
            .at(now_ms)
            .create_deployments(vec![id.clone()], vec![new], now_ms)
            .await
            .unwrap();
        id
    }

    async fn update(store: &MemoryStore, id: &str, body: Value, now_ms: u64) {
        let u = parse_deployment_update(&body, &mut Report::default()).unwrap();
        HeatService::new(store, P)
            .at(now_ms)
            .update_deployment(id, u, None, now_ms)
            .await
            .unwrap();
    }

    /// Splits a metadata URL into the parts the router hands the service.
    fn parts(url: &str) -> (String, String, String) {
        let path = url.strip_prefix(ORIGIN).unwrap();
        let seg: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        assert_eq!(&seg[..2], ["agent", "v1"]);
        (seg[2].to_owned(), seg[3].to_owned(), seg[4].to_owned())
    }

    async fn poll(
        store: &MemoryStore,
        url: &str,
        conditions: Conditions<'_>,
        now_ms: u64,
    ) -> Result<Poll, ApiError> {
        let (project, server_ref, secret) = parts(url);
        let target = AgentUrl {
            project: &project,
            server_ref: &server_ref,
            secret: &secret,
        };
        AgentService::new(store, &project, Some(KEY), now_ms)
            .poll(&target, ORIGIN, conditions)
            .await
            .map(|(poll, _)| poll)
    }

    /// Issues web-1's metadata URL.
    async fn issue_url(store: &MemoryStore, now_ms: u64) -> String {
        let issued = agents(store, now_ms).issue("web-1", ORIGIN).await.unwrap();
        issued.metadata_url.unwrap()
    }

    /// An unconditional poll's document, ETag and Last-Modified.
    async fn current(store: &MemoryStore, url: &str, now_ms: u64) -> (Value, String, String) {
        document(
            poll(store, url, Conditions::default(), now_ms)
                .await
                .unwrap(),
        )
    }

    fn document(p: Poll) -> (Value, String, String) {
        match p {
            Poll::Document {
                body,
                etag,
                last_modified,
            } => (body, etag, last_modified),
            other => panic!("expected a document, got {other:?}"),
        }
    }

    fn signal_url(doc: &Value, item: usize) -> String {
        doc["deployments"][item]["inputs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["name"] == "deploy_signal_id")
            .unwrap()["value"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    async fn signal(
        store: &MemoryStore,
        signal_url: &str,
        details: Value,
        now_ms: u64,
    ) -> Result<(SoftwareDeployment, SignalOutcome), ApiError> {
        let (metadata_url, derived) = signal_url.split_once("/signal/").unwrap();
        let (project, server_ref, secret) = parts(metadata_url);
        let target = AgentUrl {
            project: &project,
            server_ref: &server_ref,
            secret: &secret,
        };
        AgentService::new(store, &project, Some(KEY), now_ms)
            .signal(&target, derived, details.as_object().unwrap())
            .await
    }

    #[test]
    fn an_issued_url_serves_the_servers_derived_configs_and_points_agents_at_itself() {
        block_on(async {
            let store = MemoryStore::new();
            with_config(&store).await;
            deploy(
                &store,
                "web-1",
                json!({"input_values": {"foo": "bar"}}),
                2_000,
            )
            .await;
            deploy(&store, "web-2", json!({}), 2_000).await;
            let issued = agents(&store, 3_000).issue("web-1", ORIGIN).await.unwrap();
            assert!(issued.metadata_url_issued);
            let url = issued.metadata_url.unwrap();
            assert!(url.starts_with(&format!("https://edge.example/agent/v1/{P}/")));
            let (doc, etag, last_modified) = current(&store, &url, 4_000).await;
            assert_eq!(
                doc["deployments"].as_array().unwrap().len(),
                1,
                "web-1's only"
            );
            assert_eq!(doc["deployments"][0]["inputs"][0]["value"], "bar");
            assert!(signal_url(&doc, 0).starts_with(&format!("{url}/signal/")));
            assert_eq!(
                doc["os-collect-config"],
                json!({"collectors": ["request"], "request": {"metadata_url": url},
                       "polling_interval": 30})
            );
            assert_eq!(etag.len(), 34);
            assert_eq!(last_modified, "Thu, 01 Jan 1970 00:00:03 GMT");
            let again = agents(&store, 5_000).issue("web-1", ORIGIN).await.unwrap();
            assert_eq!(
                again.metadata_url.as_deref(),
                Some(url.as_str()),
                "issuing is idempotent"
            );
        });
    }

    #[test]
    fn an_unchanged_poll_reads_one_key_and_is_not_modified() {
        block_on(async {
            let store = MemoryStore::new();
            with_config(&store).await;
            deploy(&store, "web-1", json!({}), 2_000).await;
            let url = issue_url(&store, 3_000).await;
            let (_, etag, last_modified) = current(&store, &url, 4_000).await;
            let (project, server_ref, secret) = parts(&url);
            let target = AgentUrl {
                project: &project,
                server_ref: &server_ref,
                secret: &secret,
            };
            let isolate = ReadCache::new(30_000, 100);
            for (conditions, label) in [
                (
                    Conditions {
                        if_none_match: Some(&etag),
                        if_modified_since: None,
                    },
                    "If-None-Match",
                ),
                (
                    Conditions {
                        if_none_match: None,
                        if_modified_since: Some(&last_modified),
                    },
                    "If-Modified-Since",
                ),
            ] {
                let counting = CountingStore::new(&store);
                // Outside the server's contact slot: only an isolate's first poll is sent on.
                let quiet = contact_phase(&server_ref) + 2 * POLLING_INTERVAL_S * 1000;
                let (answer, contact) = AgentService::new(&counting, &project, Some(KEY), quiet)
                    .with_isolate_cache(Some(&isolate))
                    .poll(&target, ORIGIN, conditions)
                    .await
                    .unwrap();
                assert!(matches!(answer, Poll::NotModified { .. }), "{label}");
                assert_eq!(counting.ops(), 1, "{label}: one read");
                assert_eq!(
                    contact.is_some(),
                    label == "If-None-Match",
                    "{label}: only the isolate's first poll sends a contact"
                );
            }
            let stale = Conditions {
                if_none_match: Some("\"other\""),
                if_modified_since: Some(&last_modified),
            };
            assert!(
                matches!(
                    poll(&store, &url, stale, 6_000).await.unwrap(),
                    Poll::Document { .. }
                ),
                "If-None-Match wins over If-Modified-Since"
            );
        });
    }

    #[test]
    fn last_modified_moves_forward_by_a_second_even_for_changes_within_one() {
        block_on(async {
            let store = MemoryStore::new();
            with_config(&store).await;
            let id = deploy(&store, "web-1", json!({}), 10_000).await;
            let url = issue_url(&store, 10_000).await;
            let (_, etag0, lm0) = current(&store, &url, 10_100).await;
            update(&store, &id, json!({"input_values": {"foo": "1"}}), 10_200).await;
            let (_, etag1, lm1) = current(&store, &url, 10_300).await;
            update(&store, &id, json!({"input_values": {"foo": "2"}}), 10_400).await;
            let (_, etag2, lm2) = current(&store, &url, 10_500).await;
            let secs: Vec<u64> = [&lm0, &lm1, &lm2]
                .iter()
                .map(|s| crate::clock::parse_http_date(s).unwrap())
                .collect();
            assert_eq!(secs, [10, 11, 12]);
            assert!(etag0 != etag1 && etag1 != etag2);
            // A status-only change leaves the document (and its validators) as they are.
            update(&store, &id, json!({"status": "COMPLETE"}), 13_000).await;
            let (_, etag3, lm3) = current(&store, &url, 13_100).await;
            assert_eq!((etag3, lm3), (etag2, lm2));
        });
    }

    #[test]
    fn unknown_wrong_and_revoked_urls_are_the_same_404_and_reissuing_gives_a_new_url() {
        block_on(async {
            let store = MemoryStore::new();
            with_config(&store).await;
            deploy(&store, "web-1", json!({}), 2_000).await;
            let svc = agents(&store, 3_000);
            let url = svc
                .issue("web-1", ORIGIN)
                .await
                .unwrap()
                .metadata_url
                .unwrap();
            let (doc, _, _) = current(&store, &url, 4_000).await;
            let signal = signal_url(&doc, 0);
            let mut wrong = url.clone();
            wrong.replace_range(wrong.len() - 3.., "AAA");
            let unknown = url.replace(&server_ref("web-1"), &server_ref("web-9"));
            svc.revoke("web-1").await.unwrap();
            let mut messages = Vec::new();
            for bad in [&wrong, &unknown, &url] {
                let e = poll(&store, bad, Conditions::default(), 5_000)
                    .await
                    .unwrap_err();
                assert_eq!(e.status(), 404, "{bad}");
                messages.push(e.to_string());
            }
            assert!(messages.windows(2).all(|w| w[0] == w[1]), "{messages:?}");
            assert_eq!(
                signal_for(&store, &signal).await,
                404,
                "signals die with the URL"
            );
            let status = svc.status("web-1", ORIGIN).await.unwrap();
            assert!(!status.metadata_url_issued && status.metadata_url.is_none());
            let reissued = svc
                .issue("web-1", ORIGIN)
                .await
                .unwrap()
                .metadata_url
                .unwrap();
            assert_ne!(reissued, url);
            assert!(poll(&store, &reissued, Conditions::default(), 6_000)
                .await
                .is_ok());
        });
    }

    async fn signal_for(store: &MemoryStore, url: &str) -> u16 {
        signal(store, url, json!({}), 9_000)
            .await
            .map_or_else(|e| e.status(), |_| 200)
    }

    #[test]
    fn a_signal_records_the_result_once_and_dies_with_a_redeploy() {
        block_on(async {
            let store = MemoryStore::new();
            with_config(&store).await;
            let id = deploy(&store, "web-1", json!({}), 2_000).await;
            let url = issue_url(&store, 3_000).await;
            let (doc, _, _) = current(&store, &url, 4_000).await;
            let first = signal_url(&doc, 0);
            let (d, outcome) = signal(
                &store,
                &first,
                json!({"result": "ok", "deploy_status_code": 0}),
                5_000,
            )
            .await
            .unwrap();
            assert_eq!(outcome, SignalOutcome::Recorded);
            assert_eq!(
                (
                    d.status.as_str(),
                    d.output_values.unwrap()["result"].clone()
                ),
                ("COMPLETE", json!("ok"))
            );
            let (_, again) = signal(&store, &first, json!({"deploy_status_code": 1}), 6_000)
                .await
                .unwrap();
            assert_eq!(again, SignalOutcome::Ignored);
            let stored = HeatService::new(&store, P).deployment(&id).await.unwrap();
            assert_eq!(
                stored.status, "COMPLETE",
                "a repeated signal changes nothing"
            );
            update(
                &store,
                &id,
                json!({"input_values": {"foo": "new"}, "status": "IN_PROGRESS"}),
                7_000,
            )
            .await;
            assert_eq!(
                signal_for(&store, &first).await,
                404,
                "the old derived config is gone"
            );
            let (doc, _, _) = current(&store, &url, 8_000).await;
            let second = signal_url(&doc, 0);
            assert_ne!(second, first);
            let (d, _) = signal(&store, &second, json!({"err": "disk full"}), 9_000)
                .await
                .unwrap();
            assert_eq!(
                (d.status.as_str(), d.status_reason.as_str()),
                ("FAILED", "err : disk full")
            );
        });
    }

    #[test]
    fn a_deployment_whose_config_is_gone_is_reported_failed_not_dropped_silently() {
        block_on(async {
            let store = MemoryStore::new();
            with_config(&store).await;
            let id = deploy(&store, "web-1", json!({}), 2_000).await;
            // Records imported from KV where a config delete raced the create.
            let key = crate::service::heat::Keys::new(P).config("c1");
            store.delete(&key).await.unwrap();
            let svc = agents(&store, 3_000);
            let (items, orphaned) = svc.derive_items("web-1").await.unwrap();
            assert!(items.is_empty());
            assert_eq!(orphaned.len(), 1);
            let d = HeatService::new(&store, P).deployment(&id).await.unwrap();
            assert_eq!(
                d.status, "IN_PROGRESS",
                "reading the document writes nothing"
            );
            svc.issue("web-1", ORIGIN).await.unwrap();
            let d = HeatService::new(&store, P).deployment(&id).await.unwrap();
            assert_eq!(d.status, "FAILED");
            assert_eq!(
                d.status_reason,
                "Software config c1 was deleted; the deployment cannot run"
            );
        });
    }

    #[test]
    fn contact_is_sent_about_once_per_period_however_many_isolates_serve_the_server() {
        block_on(async {
            let store = MemoryStore::new();
            with_config(&store).await;
            let url = issue_url(&store, 1_000).await;
            let status = agents(&store, 1_000).status("web-1", ORIGIN).await.unwrap();
            assert_eq!(status.last_poll_time, None);
            let (project, server_ref, secret) = parts(&url);
            let target = AgentUrl {
                project: &project,
                server_ref: &server_ref,
                secret: &secret,
            };
            // web-1 polls every 30 s for an hour: six periods.
            for (label, isolates, capacity) in [
                ("one isolate", 1, 100),
                ("three isolates in turn", 3, 100),
                ("isolates whose memory is full", 2, 0),
            ] {
                let caches: Vec<ReadCache> = (0..isolates)
                    .map(|_| ReadCache::new(30_000, capacity))
                    .collect();
                let mut writes = 0;
                let mut last = 0;
                for i in 0..120u64 {
                    let now = 2_000 + i * 30_000;
                    let (_, contact) = AgentService::new(&store, &project, Some(KEY), now)
                        .with_isolate_cache(Some(&caches[i as usize % isolates]))
                        .poll(&target, ORIGIN, Conditions::default())
                        .await
                        .unwrap();
                    if let Some(After::Contact { ms, .. }) = contact {
                        record_contact(&store, &project, &server_ref, ms)
                            .await
                            .unwrap();
                        writes += 1;
                    }
                    last = now;
                }
                let first_polls = if capacity == 0 { 0 } else { isolates as u32 };
                assert!(
                    (6..=7 + first_polls).contains(&writes),
                    "{label}: {writes} contacts in an hour"
                );
                let seen = agents(&store, last).status("web-1", ORIGIN).await.unwrap();
                let seen_ms = crate::clock::parse_heat_time(&seen.last_poll_time.unwrap()).unwrap();
                assert!(
                    last - seen_ms <= CONTACT_RESOLUTION_MS,
                    "{label}: within a period"
                );
            }
        });
    }

    #[test]
    fn a_create_or_redeploy_that_would_overfill_the_agent_document_is_refused_and_undone() {
        block_on(async {
            let store = MemoryStore::new();
            with_config(&store).await;
            let heat = HeatService::new(&store, P).at(2_000);
            let big = parse_new_config(
                &json!({"name": "big", "config": "x".repeat(1_000_000)}),
                &mut Report::default(),
            )
            .unwrap();
            heat.create_config("big".into(), big, 1_000).await.unwrap();
            let small = deploy(&store, "web-1", json!({}), 2_000).await;
            let url = issue_url(&store, 2_000).await;
            let batch = |n: usize| {
                let news: Vec<NewDeployment> = (0..n)
                    .map(|_| {
                        parse_new_deployment(
                            &json!({"config_id": "big", "server_id": "web-1"}),
                            "",
                            &mut Report::default(),
                        )
                        .unwrap()
                    })
                    .collect();
                let ids = news
                    .iter()
                    .map(|_| deployment_id("web-1").unwrap())
                    .collect();
                (ids, news)
            };
            let (ids, news) = batch(20);
            heat.create_deployments(ids, news, 3_000).await.unwrap();
            let (before, etag, _) = current(&store, &url, 4_000).await;
            assert_eq!(before["deployments"].as_array().unwrap().len(), 21);
            let (ids, news) = batch(1);
            let refused = heat.create_deployments(ids, news, 5_000).await.unwrap_err();
            assert_eq!(refused.status(), 409, "{refused}");
            assert!(refused
                .to_string()
                .contains("agent document of server web-1"));
            assert_eq!(
                heat.list_deployments(Some("web-1")).await.unwrap().len(),
                21
            );
            let redeploy =
                parse_deployment_update(&json!({"config_id": "big"}), &mut Report::default())
                    .unwrap();
            let refused = heat
                .update_deployment(&small, redeploy, None, 6_000)
                .await
                .unwrap_err();
            assert_eq!(refused.status(), 409);
            assert_eq!(
                heat.deployment(&small).await.unwrap().config_id,
                "c1",
                "undone"
            );
            let (_, still, _) = current(&store, &url, 7_000).await;
            assert_eq!(still, etag, "the document is as it was");
        });
    }

    #[test]
    fn an_agent_url_with_a_project_id_that_cannot_exist_is_404_without_a_kv_read() {
        block_on(async {
            let inner = MemoryStore::new();
            let store = CountingStore::new(&inner);
            let project = "x".repeat(474);
            let url = AgentUrl {
                project: &project,
                server_ref: &"a".repeat(32),
                secret: &"s".repeat(43),
            };
            let svc = AgentService::new(&store, &project, Some(KEY), 1_000);
            let e = svc
                .poll(&url, ORIGIN, Conditions::default())
                .await
                .unwrap_err();
            assert_eq!(e.status(), 404);
            let e = svc.signal(&url, "d", &Map::new()).await.unwrap_err();
            assert_eq!(e.status(), 404);
            assert_eq!(store.ops(), 0);
        });
    }

    #[test]
    fn agent_urls_need_the_credentials_key_and_a_valid_server_id() {
        block_on(async {
            let store = MemoryStore::new();
            let keyless = AgentService::new(&store, P, None, 1_000);
            assert_eq!(
                keyless.issue("web-1", ORIGIN).await.unwrap_err().status(),
                403
            );
            let svc = agents(&store, 1_000);
            assert_eq!(
                svc.issue(&"x".repeat(37), ORIGIN)
                    .await
                    .unwrap_err()
                    .status(),
                400
            );
            assert!(store.is_empty());
        });
    }
}
