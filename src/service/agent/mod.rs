//! Server agents: their metadata URLs, their documents, their result signals and their
//! contacts, one job per module:
//!
//! - [`capability`]: agent URLs, which are capabilities stored nowhere (an HMAC of the server's
//!   epoch);
//! - [`document`]: each server's agent document, kept ready to serve in its server record
//!   (`p/{project_id}/srv/{server_ref}`), rewritten when its deployments change;
//! - [`contact`]: when each server's agent last polled (`p/{project_id}/seen/{server_ref}`, in
//!   the project's object only).
//!
//! [`AgentService`] answers the agent-facing operations with them.

pub mod capability;
pub mod contact;
pub mod document;

use crate::domain::agent::{apply_signal, derived_id, SignalOutcome};
use crate::domain::heat::{SoftwareDeployment, ID_MAX};
use crate::error::ApiError;
use crate::http::After;
use crate::service::heat::HeatService;
use crate::store::{ReadCache, Store};
use crate::validate::{char_len, FieldError, Rule};
use capability::{metadata_url, no_such_url, secret_matches, server_ref, well_formed};
use contact::{contact_due, last_contact_ms};
use document::{items_digest, render, with_signal, Documents, ServerRecord};
use serde::Serialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

pub use contact::record_contact;

/// What `GET/POST /v1/{project_id}/servers/{server_id}/agent` answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgentStatus {
    pub server_id: String,
    pub metadata_url: Option<String>,
    pub metadata_url_issued: bool,
    pub issued_time: Option<String>,
    /// When the agent last polled (to within [`contact::CONTACT_RESOLUTION_MS`]); `null` if never.
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

/// Agent URLs and documents of one project.
pub struct AgentService<'a, S: Store + ?Sized> {
    store: &'a S,
    project: &'a str,
    /// `CREDENTIALS_KEY`: the key agent URLs are derived with.
    key: Option<&'a str>,
    /// The isolate's memory of recorded contacts (`None`: record every poll).
    isolate: Option<&'a ReadCache>,
    documents: Documents<'a, S>,
    now_ms: u64,
}

impl<'a, S: Store + ?Sized> AgentService<'a, S> {
    pub fn new(store: &'a S, project: &'a str, key: Option<&'a str>, now_ms: u64) -> Self {
        AgentService {
            store,
            project,
            key: key.filter(|k| !k.is_empty()),
            isolate: None,
            documents: Documents::new(store, project, now_ms),
            now_ms,
        }
    }

    /// Uses the isolate's memory of the servers it has seen poll, so that outside a server's
    /// contact slot only the first poll this isolate sees sends a contact (see
    /// [`contact::contact_due`]).
    pub fn with_isolate_cache(mut self, cache: Option<&'a ReadCache>) -> Self {
        self.isolate = cache;
        self
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

    fn metadata_url(&self, origin: &str, record: &ServerRecord) -> Option<String> {
        metadata_url(
            self.key,
            origin,
            self.project,
            &record.server_id,
            record.epoch.as_deref(),
        )
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
        let record = match self.documents.read_record(&sref).await? {
            Some(r) if r.epoch.is_some() => r,
            existing => {
                let items = self.documents.stored_items(server_id).await?;
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
                self.documents.write_record(&record).await?;
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
        if let Some(mut record) = self.documents.read_record(&server_ref(server_id)).await? {
            if record.epoch.is_some() {
                record.epoch = None;
                record.issued_ms = None;
                self.documents.write_record(&record).await?;
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
        let record = self.documents.read_record(&sref).await?;
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
        if !well_formed(self.project, url.server_ref, url.secret) {
            return Err(no_such_url());
        }
        let key = self.key.ok_or_else(no_such_url)?;
        let record = self.documents.read_record(url.server_ref).await?;
        let live = record
            .as_ref()
            .filter(|r| server_ref(&r.server_id) == url.server_ref);
        // The HMAC is computed for unknown and revoked servers too.
        let epoch = live.and_then(|r| r.epoch.as_deref()).unwrap_or("-");
        let matches = secret_matches(key, self.project, url.server_ref, epoch, url.secret);
        match record {
            Some(r) if matches && r.epoch.is_some() => Ok(r),
            _ => Err(no_such_url()),
        }
    }

    /// `GET`/`HEAD` of a metadata URL: the document, or 304 when the client's copy is current;
    /// one KV read. With it, the contact to send the server's object when one is due (about once
    /// every [`contact::CONTACT_RESOLUTION_MS`]).
    pub async fn poll(
        &self,
        url: &AgentUrl<'_>,
        origin: &str,
        conditions: Conditions<'_>,
    ) -> Result<(Poll, Option<After>), ApiError> {
        let record = self.authenticate(url).await?;
        let contact = contact_due(self.isolate, self.project, url.server_ref, self.now_ms);
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
                body: render(&record, &metadata_url),
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
            .find(|i| i.config.id == derived)
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
        let record = self.documents.read_record(&server_ref(server_id)).await?;
        let metadata_url = record.as_ref().and_then(|r| self.metadata_url(origin, r));
        let (items, _) = self.documents.derive_items(server_id).await?;
        Ok(items
            .into_iter()
            .map(|item| with_signal(item.config, metadata_url.as_deref()))
            .collect())
    }
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
    use super::contact::{contact_phase, CONTACT_RESOLUTION_MS, POLLING_INTERVAL_S};
    use super::*;
    use crate::domain::heat::{
        parse_deployment_update, parse_new_config, parse_new_deployment, NewDeployment,
    };
    use crate::service::heat::deployment_id;
    use crate::store::{CountingStore, MemoryStore};
    use crate::validate::Report;
    use futures::executor::block_on;
    use serde_json::json;

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
            let (items, orphaned) = svc.documents.derive_items("web-1").await.unwrap();
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

    /// A store whose deletes fail (as KV's may), reads and puts passing through.
    struct DeletesFail<'a>(&'a MemoryStore);

    #[async_trait::async_trait(?Send)]
    impl Store for DeletesFail<'_> {
        async fn get(&self, key: &str) -> Result<Option<String>, crate::store::StoreError> {
            self.0.get(key).await
        }
        async fn get_many(
            &self,
            keys: &[String],
        ) -> Result<Vec<Option<String>>, crate::store::StoreError> {
            self.0.get_many(keys).await
        }
        async fn put(
            &self,
            key: &str,
            value: &str,
            meta: Option<&Value>,
        ) -> Result<(), crate::store::StoreError> {
            self.0.put(key, value, meta).await
        }
        async fn delete(&self, key: &str) -> Result<(), crate::store::StoreError> {
            Err(crate::store::StoreError::Backend(format!(
                "DELETE {key} failed"
            )))
        }
        async fn list(
            &self,
            prefix: &str,
            cursor: Option<&str>,
            limit: usize,
        ) -> Result<crate::store::ListPage, crate::store::StoreError> {
            self.0.list(prefix, cursor, limit).await
        }
    }

    #[test]
    fn a_failed_undo_is_not_dropped_but_becomes_the_500s_logged_cause() {
        block_on(async {
            let store = MemoryStore::new();
            with_config(&store).await;
            let big = parse_new_config(
                &json!({"name": "big", "config": "x".repeat(11_000_000)}),
                &mut Report::default(),
            )
            .unwrap();
            let heat = HeatService::new(&store, P).at(2_000);
            heat.create_config("big".into(), big, 1_000).await.unwrap();
            issue_url(&store, 2_000).await;
            let news: Vec<NewDeployment> = (0..2)
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
            let failing = DeletesFail(&store);
            let refused = crate::service::deployments::Deployments::new(&failing, P, 3_000)
                .create(ids, news)
                .await
                .unwrap_err();
            assert_eq!(refused.status(), 500, "{refused}");
            let cause = refused.cause().unwrap();
            assert!(cause.contains("over its limit"), "{cause}");
            assert!(cause.contains("undoing the write failed too"), "{cause}");
            assert!(cause.contains("failed"), "{cause}");
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
