//! The HTTP API, platform-neutral: [`handle`] takes a [`Request`] and returns a [`Response`].
//!
//! - `GET  /healthz`, `GET /v1`: health and a Heat-style versions document (no auth)
//! - `GET`/`POST /admin/v1/projects/{project_id}/tokens`, `DELETE .../tokens/{id}`: project tokens
//!   (admin; listed without secrets)
//! - `GET`/`POST /admin/v1/projects/{project_id}/credentials`, `DELETE .../credentials/{access_key}`:
//!   AK/SK credentials (admin; listed without secret keys; see [`crate::credentials`])
//! - `/v1/{project_id}/software_configs[...]`, `/v1/{project_id}/software_deployments[...]`: Heat
//!   (see [`heat`])
//! - `/v1/{project_id}/servers/{server_id}/agent`, `/v1/{project_id}/validate`: agent URLs and
//!   template validation for the `openstack` CLI (see [`heat`])
//! - `/agent/v1/...`: what server agents poll and signal, with no auth header (see [`agent`])
//! - `/v1/applications...`, `/v2/applications/batch-delete`: CodeArts Deploy (see [`codearts`])
//!
//! Every response carries a fresh `X-Request-Id` (32 hex; a client-sent one is never echoed).

pub mod agent;
pub mod codearts;
pub mod envelope;
pub mod heat;

use crate::auth;
use crate::clock::Clock;
use crate::error::ApiError;
use crate::http::{Request, Response};
use crate::operations::{self, Api, Operation, PathIds, Resolved};
use crate::store::{CountingStore, ReadCache, ReadCachingStore, Store};
use crate::validate::Report;
use crate::write_behind::{WriteBehind, WriteBehindStore};
use serde_json::{json, Value};
use std::rc::Rc;

/// Settings the platform hands to the API.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The admin API's bearer token; `None` disables the admin API.
    pub admin_token: Option<String>,
    /// Largest accepted request body.
    pub max_body_bytes: usize,
    /// Adds `X-KV-Ops: N` to every response: the operations this request made on the platform's
    /// store (KV), not counting the reads `read_cache` answered.
    pub expose_store_ops: bool,
    /// The Worker secret `CREDENTIALS_KEY` that AK/SK secret keys are derived from; `None`
    /// disables AK/SK credentials.
    pub credentials_key: Option<String>,
    /// The isolate's cache of immutable records (tokens, credentials, configs); `None` reads
    /// everything from the store.
    pub read_cache: Option<Rc<ReadCache>>,
    /// Where checked writes run one at a time per project ([`crate::gate`]); `None` runs them as
    /// they come (tests that do not race).
    pub gate: Option<crate::gate::Gate>,
    /// Inside the place a project's checked writes run: its cache of the records only they
    /// change ([`ReadCache::for_project_writer`]), beneath `write_behind` (it holds only what is
    /// stored).
    pub writer_cache: Option<Rc<ReadCache>>,
    /// Inside the place a project's checked writes run: their pending writes ([`WriteBehind`]),
    /// so the gate is held for no store round trip and writes to one key coalesce. `None`:
    /// every write goes to the store as it is made.
    pub write_behind: Option<Rc<WriteBehind>>,
    /// The service's public base URL (`PUBLIC_URL`, e.g. `https://deploy.example.com`) for the
    /// absolute URLs it hands out (versions links, agent URLs); `None`: the URL each request was
    /// sent to, checked by [`crate::http::checked_origin`].
    pub public_url: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            admin_token: None,
            max_body_bytes: MAX_BODY_BYTES,
            expose_store_ops: false,
            credentials_key: None,
            read_cache: None,
            gate: None,
            writer_cache: None,
            write_behind: None,
            public_url: None,
        }
    }
}

/// The default request body limit: 1 MiB.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// What every handler gets.
pub struct Ctx<'a> {
    pub store: &'a dyn Store,
    pub clock: &'a dyn Clock,
    pub settings: &'a Settings,
    /// The base of absolute URLs in answers: `PUBLIC_URL`, else the request's checked origin.
    pub origin: &'a str,
}

/// Answers one request. Never panics on input; every failure becomes an error envelope.
pub async fn handle(
    req: &Request,
    store: &dyn Store,
    clock: &dyn Clock,
    settings: &Settings,
) -> Response {
    // Count beneath the caches, so X-KV-Ops reports the operations that reached KV. Inside a
    // project's writer: its cache holds only what is stored, beneath the pending writes.
    let counting = CountingStore::new(store);
    let written;
    let beneath: &dyn Store = match &settings.writer_cache {
        Some(cache) => {
            written = ReadCachingStore::new(&counting, cache, clock.now_ms());
            &written
        }
        None => &counting,
    };
    let behind = settings
        .write_behind
        .as_deref()
        .map(|writes| WriteBehindStore::new(beneath, writes));
    let beneath: &dyn Store = match &behind {
        Some(behind) => behind,
        None => beneath,
    };
    let cached;
    let store: &dyn Store = match &settings.read_cache {
        Some(cache) => {
            cached = ReadCachingStore::new(beneath, cache, clock.now_ms());
            &cached
        }
        None => beneath,
    };
    let origin = settings
        .public_url
        .clone()
        .or_else(|| crate::http::checked_origin(req.origin()))
        .unwrap_or_else(|| "http://localhost".to_owned());
    let ctx = Ctx {
        store,
        clock,
        settings,
        origin: &origin,
    };
    let mut response = route(req, &ctx).await;
    // Answered only once its writes are stored.
    if let Some(behind) = &behind {
        if let Err((failed, e)) = behind.flush().await {
            // The isolate's cache may hold what the failed write recorded; the writer's cache,
            // beneath the pending writes, holds only what was stored.
            if let Some(cache) = &settings.read_cache {
                failed.iter().for_each(|key| cache.forget(key));
            }
            response = error_envelope(req, &ApiError::Storage(e));
        }
    }
    // A write answered by the project's Durable Object reports the KV operations it made there.
    let elsewhere: u32 = response
        .take_header("x-kv-ops")
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    if settings.expose_store_ops {
        response = response.with_header("x-kv-ops", (counting.ops() + elsewhere).to_string());
    }
    let id = crate::ids::request_id();
    if response.status >= 500 {
        response.log = Some(
            json!({
                "level": "error",
                "request_id": id,
                "method": req.method,
                "route": route_label(req),
                "status": response.status,
                "cause": response.cause.as_deref().unwrap_or("unknown"),
            })
            .to_string(),
        );
    }
    response
        .with_header("x-request-id", id)
        .with_header("cache-control", "no-store")
        .with_header("x-content-type-options", "nosniff")
}

/// A request's path with every id replaced by `{}` (`/v1/{}/software_deployments/{}`): what a log
/// line may say of the route without naming a project, a server or an agent URL's secret.
pub fn route_label(req: &Request) -> String {
    let mut label = String::new();
    for segment in req.segments() {
        label.push('/');
        match operations::path_words().find(|w| *w == segment) {
            Some(word) => label.push_str(word),
            None => label.push_str("{}"),
        }
    }
    if label.is_empty() {
        label.push('/');
    }
    label
}

/// An error in the envelope of the API the request is for.
fn error_envelope(req: &Request, err: &ApiError) -> Response {
    match operations::resolve(&req.method, &req.segments()) {
        Resolved::Operation(op, _) if op.api() == Api::CodeArts => codearts::envelope(err),
        _ => envelope::heat(err),
    }
}

/// Finds the request's operation in [`crate::operations::ROUTES`] and hands it to its API.
async fn route(req: &Request, ctx: &Ctx<'_>) -> Response {
    let segments = req.segments();
    match operations::resolve(&req.method, &segments) {
        Resolved::Operation(op, ids) if op.is_checked_write() => {
            let Some(gate) = &ctx.settings.gate else {
                return dispatch(req, ctx, op, &ids).await;
            };
            match write_scope(req, ctx, op, &ids).await {
                Ok(Some(scope)) => {
                    let write = Box::pin(dispatch(req, ctx, op, &ids));
                    match gate.0.serialise(&scope, req, write).await {
                        Ok(answer) => answer,
                        Err(e) if op.api() == Api::CodeArts => codearts::envelope(&e),
                        Err(e) => envelope::heat(&e),
                    }
                }
                // An id that cannot name a project: nothing to serialise, the handler says 404.
                Ok(None) => dispatch(req, ctx, op, &ids).await,
                Err(refused) => refused,
            }
        }
        Resolved::Operation(op, ids) => dispatch(req, ctx, op, &ids).await,
        Resolved::MethodNotAllowed { api, allow } => {
            let err = ApiError::MethodNotAllowed { allow };
            match api {
                Api::CodeArts => codearts::envelope(&err),
                _ => envelope::heat(&err),
            }
        }
        Resolved::NotFound => match segments.get(1).map(String::as_str) {
            Some("applications") => codearts::no_route(req),
            _ => envelope::heat(&ApiError::NotFound(format!("No resource at {}", req.path))),
        },
    }
}

/// The project whose writes a checked write must not interleave with: the one in its path, or
/// for CodeArts the caller's (authenticated here; a refusal is answered at once).
async fn write_scope(
    req: &Request,
    ctx: &Ctx<'_>,
    op: Operation,
    ids: &PathIds,
) -> Result<Option<String>, Response> {
    match op.api() {
        Api::CodeArts => codearts::caller_project(req, ctx)
            .await
            .map(Some)
            .map_err(|e| codearts::envelope(&e)),
        _ => Ok(project_in_path(ids)),
    }
}

/// The project named by a request's path, if it can name one.
fn project_in_path(ids: &PathIds) -> Option<String> {
    let project = ids.get("project_id");
    auth::is_project_id(project).then(|| project.to_owned())
}

/// The project whose writer must answer this request, when the request is a checked write whose
/// path names the project (all but CodeArts', whose project is the caller's): an edge can send
/// it there without answering anything itself.
pub fn path_write_scope(req: &Request) -> Option<String> {
    match operations::resolve(&req.method, &req.segments()) {
        Resolved::Operation(op, ids) if op.is_checked_write() && op.api() != Api::CodeArts => {
            project_in_path(&ids)
        }
        _ => None,
    }
}

/// Hands an operation to its API's handler.
async fn dispatch(req: &Request, ctx: &Ctx<'_>, op: Operation, ids: &PathIds) -> Response {
    match op.api() {
        Api::Heat => heat::handle(req, ctx, op, ids).await,
        Api::CodeArts => codearts::handle(req, ctx, op, ids).await,
        Api::Agent => agent::handle(req, ctx, op, ids).await,
        Api::Admin => admin(req, ctx, op, ids)
            .await
            .unwrap_or_else(|e| envelope::heat(&e)),
        Api::Meta => match op {
            Operation::Versions => Response::json(200, &versions(ctx.origin)),
            _ => Response::json(200, &json!({"status": "ok"})),
        },
    }
}

/// Heat's versions document, so OpenStack clients can discover the API. Its link is built from
/// the configured or checked base URL, never from `Host` or `X-Forwarded-Proto` headers.
fn versions(origin: &str) -> Value {
    json!({"versions": [{
        "id": "v1.0",
        "status": "CURRENT",
        "links": [{"rel": "self", "href": format!("{origin}/v1/")}]
    }]})
}

/// The admin API: project tokens and AK/SK credentials.
async fn admin(
    req: &Request,
    ctx: &Ctx<'_>,
    op: Operation,
    ids: &PathIds,
) -> Result<Response, ApiError> {
    auth::check_admin(
        req.header_value("authorization"),
        ctx.settings.admin_token.as_deref(),
    )?;
    let project = ids.get("project_id");
    if !auth::is_project_id(project) {
        return Err(ApiError::invalid(crate::validate::FieldError::new(
            "/project_id",
            crate::validate::Rule::Pattern {
                pattern: auth::PROJECT_ID_PATTERN,
            },
            format_args!("must be {}", auth::PROJECT_ID_PATTERN),
        )));
    }
    let now_ms = ctx.clock.now_ms();
    let key = ctx.settings.credentials_key.as_deref();
    Ok(match op {
        Operation::TokenList => Response::json(
            200,
            &json!({ "tokens": auth::list_tokens(ctx.store, project).await? }),
        ),
        Operation::CredentialList => Response::json(
            200,
            &json!({ "credentials": crate::credentials::list(ctx.store, project).await? }),
        ),
        Operation::TokenIssue => {
            Response::json(201, &auth::issue_token(ctx.store, project, now_ms).await?)
        }
        Operation::TokenRevoke => {
            auth::revoke_token(ctx.store, project, ids.get("id")).await?;
            Response::empty(204)
        }
        Operation::CredentialIssue => Response::json(
            201,
            &crate::credentials::issue(ctx.store, project, key, now_ms).await?,
        ),
        Operation::CredentialRevoke => {
            crate::credentials::revoke(ctx.store, project, ids.get("access_key")).await?;
            Response::empty(204)
        }
        other => {
            return Err(ApiError::NotFound(format!(
                "{other} is not an admin operation"
            )))
        }
    })
}

/// Reads a JSON body and validates it with `parse`: the one way every handler reads a body.
pub fn parse_body<T>(
    req: &Request,
    limit: usize,
    parse: fn(&Value, &mut Report) -> Option<T>,
) -> Result<T, ApiError> {
    let body = json_body(req, limit)?;
    let mut report = Report::default();
    into_api(parse(&body, &mut report), report)
}

/// Validates a request's query parameters (an object of strings; the first of repeated names)
/// with `parse`.
pub fn parse_query<T>(
    req: &Request,
    parse: fn(&Value, &mut Report) -> Option<T>,
) -> Result<T, ApiError> {
    let mut query = serde_json::Map::new();
    for (name, value) in req.query_pairs() {
        query.entry(name).or_insert(Value::String(value));
    }
    let mut report = Report::default();
    into_api(parse(&Value::Object(query), &mut report), report)
}

/// Reads a JSON body: 413 over the limit, 415 for a non-JSON content type, 400 for bad JSON.
pub fn json_body(req: &Request, limit: usize) -> Result<Value, ApiError> {
    check_body_size(req, limit)?;
    if let Some(ct) = req.header_value("content-type") {
        let ct = ct.to_ascii_lowercase();
        if !ct.contains("json") && !req.body.is_empty() {
            return Err(ApiError::UnsupportedMediaType(format!(
                "The request content type {ct} is not supported; send application/json"
            )));
        }
    }
    let text = std::str::from_utf8(&req.body).map_err(|_| {
        ApiError::invalid(crate::validate::FieldError::new(
            "",
            crate::validate::Rule::InvalidJson,
            "is not valid UTF-8",
        ))
    })?;
    // The package reads a body the same way, so both give the same verdict.
    crate::payload::parse_body_text(text).map_err(|report| ApiError::Invalid(report.errors))
}

/// 413 when the declared or actual body is over the limit.
pub fn check_body_size(req: &Request, limit: usize) -> Result<(), ApiError> {
    let declared = req
        .header_value("content-length")
        .and_then(|v| v.trim().parse::<u64>().ok())
        .unwrap_or(0);
    if req.body.len() > limit || declared > limit as u64 {
        return Err(ApiError::PayloadTooLarge { limit });
    }
    Ok(())
}

/// Maps a validation report to the API's error.
pub fn into_api<T>(parsed: Option<T>, report: crate::validate::Report) -> Result<T, ApiError> {
    match parsed {
        Some(v) if report.is_valid() => Ok(v),
        _ => Err(ApiError::Invalid(report.errors)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::FixedClock;
    use crate::store::{ListPage, MemoryStore, StoreError};
    use async_trait::async_trait;
    use futures::executor::block_on;

    const P: &str = "0123456789abcdef0123456789abcdef";

    fn settings() -> Settings {
        Settings {
            admin_token: Some("admin".into()),
            credentials_key: Some("master".into()),
            ..Settings::default()
        }
    }

    fn send<S: Store>(store: &S, req: Request) -> Response {
        block_on(handle(&req, store, &FixedClock::new(1_000, 0), &settings()))
    }

    /// A store whose every operation fails, as KV does when a key passes its limits.
    struct BrokenStore;

    #[async_trait(?Send)]
    impl Store for BrokenStore {
        async fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
            Err(StoreError::Backend(format!("KV GET failed: {key}")))
        }
        async fn get_many(&self, _: &[String]) -> Result<Vec<Option<String>>, StoreError> {
            Err(StoreError::Backend("KV bulk GET failed".into()))
        }
        async fn put(&self, _: &str, _: &str, _: Option<&Value>) -> Result<(), StoreError> {
            Err(StoreError::Backend("KV PUT failed".into()))
        }
        async fn delete(&self, _: &str) -> Result<(), StoreError> {
            Err(StoreError::Backend("KV DELETE failed".into()))
        }
        async fn list(&self, _: &str, _: Option<&str>, _: usize) -> Result<ListPage, StoreError> {
            Err(StoreError::Backend("KV LIST failed".into()))
        }
    }

    /// A store that hands control back to the executor before every operation, so concurrent
    /// requests interleave at each KV call as they do in a Worker.
    struct InterleavingStore(MemoryStore);

    struct YieldOnce(bool);

    impl std::future::Future for YieldOnce {
        type Output = ();
        fn poll(
            mut self: std::pin::Pin<&mut Self>,
            cx: &mut std::task::Context<'_>,
        ) -> std::task::Poll<()> {
            if self.0 {
                std::task::Poll::Ready(())
            } else {
                self.0 = true;
                cx.waker().wake_by_ref();
                std::task::Poll::Pending
            }
        }
    }

    #[async_trait(?Send)]
    impl Store for InterleavingStore {
        async fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
            YieldOnce(false).await;
            self.0.get(key).await
        }
        async fn get_many(&self, keys: &[String]) -> Result<Vec<Option<String>>, StoreError> {
            YieldOnce(false).await;
            self.0.get_many(keys).await
        }
        async fn put(&self, k: &str, v: &str, m: Option<&Value>) -> Result<(), StoreError> {
            YieldOnce(false).await;
            self.0.put(k, v, m).await
        }
        async fn delete(&self, key: &str) -> Result<(), StoreError> {
            YieldOnce(false).await;
            self.0.delete(key).await
        }
        async fn list(&self, p: &str, c: Option<&str>, n: usize) -> Result<ListPage, StoreError> {
            YieldOnce(false).await;
            self.0.list(p, c, n).await
        }
    }

    /// Statuses of `reqs` sent at once (interleaved at every store call), with or without a gate.
    /// How a race's checked writes run.
    #[derive(Clone, Copy, PartialEq, Debug)]
    enum Writes {
        AsMade,
        Gated,
        /// As in a project's Durable Object: behind the gate, with the writer's cache and
        /// write-behind.
        LikeTheObject,
    }
    const GATED: [Writes; 2] = [Writes::Gated, Writes::LikeTheObject];

    fn race(store: &InterleavingStore, reqs: Vec<Request>, writes: Writes) -> Vec<u16> {
        let clock = FixedClock::new(5_000, 1);
        let gate = || crate::gate::Gate(std::rc::Rc::new(crate::gate::LocalGate::new()));
        let settings = match writes {
            Writes::AsMade => settings(),
            Writes::Gated => Settings {
                gate: Some(gate()),
                ..settings()
            },
            Writes::LikeTheObject => Settings {
                gate: Some(gate()),
                read_cache: Some(Rc::new(ReadCache::new(60_000, 100))),
                writer_cache: Some(Rc::new(ReadCache::for_project_writer(60_000, 100))),
                write_behind: Some(Rc::new(WriteBehind::new())),
                ..settings()
            },
        };
        let answers = reqs.iter().map(|r| handle(r, store, &clock, &settings));
        block_on(futures::future::join_all(answers))
            .into_iter()
            .map(|r| r.status)
            .collect()
    }

    /// A project with a token, a config and a deployment: (token, deployment id, its ETag).
    fn project_with_deployment(store: &InterleavingStore) -> (String, String, String) {
        let clock = FixedClock::new(1_000, 1);
        let s = settings();
        let send = |r: Request| block_on(handle(&r, store, &clock, &s));
        let token = send(
            Request::new("POST", &format!("/admin/v1/projects/{P}/tokens"))
                .header("authorization", "Bearer admin"),
        )
        .json_body()["token"]
            .as_str()
            .unwrap()
            .to_owned();
        let heat = |m: &str, path: &str| {
            Request::new(m, &format!("/v1/{P}{path}")).header("x-auth-token", &token)
        };
        let config = send(heat("POST", "/software_configs").json(&json!({"name": "c"})))
            .json_body()["software_config"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let created = send(
            heat("POST", "/software_deployments")
                .json(&json!({"config_id": config, "server_id": "web-1"})),
        );
        let id = created.json_body()["software_deployment"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let etag = created.header_value("etag").unwrap().to_owned();
        (token, id, etag)
    }

    #[test]
    fn concurrent_puts_with_one_if_match_lose_nothing_behind_the_gate() {
        for writes in [Writes::AsMade, Writes::Gated, Writes::LikeTheObject] {
            let store = InterleavingStore(MemoryStore::new());
            let (token, id, etag) = project_with_deployment(&store);
            let puts = (0..5)
                .map(|i| {
                    Request::new("PUT", &format!("/v1/{P}/software_deployments/{id}"))
                        .header("x-auth-token", &token)
                        .header("if-match", &etag)
                        .json(&json!({"status_reason": format!("writer {i}")}))
                })
                .collect();
            let statuses = race(&store, puts, writes);
            let won = statuses.iter().filter(|s| **s == 200).count();
            if writes != Writes::AsMade {
                assert_eq!(won, 1, "{statuses:?}");
                assert_eq!(statuses.iter().filter(|s| **s == 412).count(), 4);
            } else {
                assert!(
                    won > 1,
                    "without the gate, interleaved writers all pass: {statuses:?}"
                );
            }
        }
    }

    #[test]
    fn a_delete_racing_puts_stays_deleted_behind_the_gate() {
        for writes in GATED {
            let store = InterleavingStore(MemoryStore::new());
            let (token, id, _) = project_with_deployment(&store);
            let path = format!("/v1/{P}/software_deployments/{id}");
            let mut reqs = vec![Request::new("DELETE", &path).header("x-auth-token", &token)];
            reqs.extend((0..4).map(|i| {
                Request::new("PUT", &path)
                    .header("x-auth-token", &token)
                    .json(&json!({"status_reason": format!("writer {i}")}))
            }));
            let statuses = race(&store, reqs, writes);
            assert_eq!(statuses[0], 204, "{writes:?}");
            let after = block_on(handle(
                &Request::new("GET", &path).header("x-auth-token", &token),
                &store,
                &FixedClock::new(9_000, 1),
                &settings(),
            ));
            assert_eq!(after.status, 404, "{writes:?} resurrected: {statuses:?}");
        }
    }

    #[test]
    fn a_config_delete_racing_creates_never_leaves_deployments_of_a_deleted_config() {
        for writes in [Writes::AsMade, Writes::Gated, Writes::LikeTheObject] {
            let store = InterleavingStore(MemoryStore::new());
            let (token, id, _) = project_with_deployment(&store);
            let heat = |m: &str, path: &str| {
                Request::new(m, &format!("/v1/{P}{path}")).header("x-auth-token", &token)
            };
            let clock = FixedClock::new(2_000, 1);
            let send = |r: Request| block_on(handle(&r, &store, &clock, &settings()));
            // A second config, unused: its delete can succeed.
            let config = send(heat("POST", "/software_configs").json(&json!({"name": "d"})))
                .json_body()["software_config"]["id"]
                .as_str()
                .unwrap()
                .to_owned();
            assert_eq!(
                send(heat("DELETE", &format!("/software_deployments/{id}"))).status,
                204
            );
            let mut reqs = vec![heat("DELETE", &format!("/software_configs/{config}"))];
            reqs.extend((0..4).map(|i| {
                heat("POST", "/software_deployments")
                    .json(&json!({"config_id": config, "server_id": format!("s{i}")}))
            }));
            let statuses = race(&store, reqs, writes);
            let created = statuses[1..].iter().filter(|s| **s == 200).count();
            let orphaned = statuses[0] == 204 && created > 0;
            if writes != Writes::AsMade {
                assert!(!orphaned, "{statuses:?}");
                assert!(
                    statuses[1..].iter().all(|s| *s == 200 || *s == 404),
                    "{statuses:?}"
                );
            } else {
                assert!(
                    orphaned,
                    "without the gate the delete and the creates both pass: {statuses:?}"
                );
            }
        }
    }

    #[test]
    fn a_checked_write_names_its_project_writer_by_path_except_codearts_and_reads() {
        let scope = |m: &str, path: &str| path_write_scope(&Request::new(m, path));
        assert_eq!(
            scope("PUT", &format!("/v1/{P}/software_deployments/d1")).as_deref(),
            Some(P)
        );
        assert_eq!(
            scope("POST", &format!("/v1/{P}/software_deployments")).as_deref(),
            Some(P)
        );
        assert_eq!(
            scope("GET", &format!("/v1/{P}/software_deployments/d1")),
            None,
            "a read"
        );
        assert_eq!(
            scope("POST", &format!("/v1/{P}/software_configs")),
            None,
            "checks nothing"
        );
        assert_eq!(
            scope("PUT", "/v2/x/applications/a"),
            None,
            "the caller's project"
        );
        assert_eq!(
            scope("PUT", "/v1/not-a-project/software_deployments/d1"),
            None
        );
    }

    #[test]
    fn every_answer_is_uncacheable_and_not_sniffable() {
        let store = MemoryStore::new();
        for req in [
            Request::new("GET", "/healthz"),
            Request::new("GET", "/v1"),
            Request::new("GET", &format!("/v1/{P}/software_configs")),
            Request::new("POST", &format!("/admin/v1/projects/{P}/tokens"))
                .header("authorization", "Bearer admin"),
            Request::new("GET", "/nowhere"),
        ] {
            let r = send(&store, req.clone());
            assert_eq!(
                r.header_value("cache-control"),
                Some("no-store"),
                "{}",
                req.path
            );
            assert_eq!(
                r.header_value("x-content-type-options"),
                Some("nosniff"),
                "{}",
                req.path
            );
        }
    }

    #[test]
    fn a_heat_fault_lists_field_errors_with_their_rule_parameters() {
        let store = MemoryStore::new();
        let r = send(
            &store,
            Request::new("POST", "/admin/v1/projects/not-a-project/tokens")
                .header("authorization", "Bearer admin"),
        );
        assert_eq!(r.status, 400);
        assert_eq!(
            r.json_body()["error"]["errors"],
            serde_json::json!([{"path": "/project_id", "code": "pattern",
                "message": "project_id must be 32 letters and digits",
                "params": {"pattern": "32 letters and digits"}}])
        );
    }

    #[test]
    fn an_unknown_method_is_405_with_allow_on_every_kind_of_route() {
        let store = MemoryStore::new();
        for (path, allow) in [
            ("/healthz".to_owned(), "GET, HEAD"),
            ("/v1".to_owned(), "GET, HEAD"),
            (format!("/v1/{P}/software_configs"), "GET, POST"),
            (
                format!("/v1/{P}/software_deployments/x"),
                "GET, PUT, DELETE",
            ),
            (format!("/v1/{P}/servers/web-1/agent"), "GET, POST, DELETE"),
            (format!("/admin/v1/projects/{P}/tokens"), "GET, POST"),
            ("/v1/applications/list".to_owned(), "POST"),
            (
                format!("/agent/v1/{P}/{}/{}", "a".repeat(32), "s".repeat(43)),
                "GET, HEAD",
            ),
        ] {
            for method in ["PROPFIND", "MKCOL", "PATCH"] {
                let r = send(
                    &store,
                    Request::new(method, &path).header("x-auth-token", "t"),
                );
                assert_eq!(
                    r.status,
                    405,
                    "{method} {path}: {}",
                    String::from_utf8_lossy(&r.body)
                );
                assert_eq!(r.header_value("allow"), Some(allow), "{method} {path}");
            }
        }
        assert!(store.is_empty());
    }

    #[test]
    fn a_storage_failure_is_a_500_with_one_log_line_that_names_no_secret() {
        let secret = "s".repeat(43);
        let agent_path = format!("/agent/v1/{P}/{}/{secret}", "a".repeat(32));
        let r = send(&BrokenStore, Request::new("GET", &agent_path));
        assert_eq!(r.status, 500);
        let body = String::from_utf8_lossy(&r.body).to_string();
        assert!(
            !body.contains("KV GET failed"),
            "the cause is not told to the client: {body}"
        );
        let line: Value = serde_json::from_str(r.log.as_deref().unwrap()).unwrap();
        assert_eq!(line["level"], "error");
        assert_eq!(line["status"], 500);
        assert_eq!(line["method"], "GET");
        assert_eq!(line["route"], "/agent/v1/{}/{}/{}");
        assert_eq!(line["request_id"], r.header_value("x-request-id").unwrap());
        assert!(line["cause"].as_str().unwrap().contains("KV GET failed"));
        assert!(!r.log.as_deref().unwrap().contains(&secret));
        let ok = send(&MemoryStore::new(), Request::new("GET", "/healthz"));
        assert_eq!(ok.log, None, "only failures are logged");
    }

    #[test]
    fn the_versions_link_comes_from_public_url_else_the_checked_url_never_from_headers() {
        let href = |origin: &str, public_url: Option<&str>| {
            let mut req = Request::new("GET", "/v1")
                .header("host", "evil.example")
                .header("x-forwarded-proto", "javascript");
            req.origin = origin.into();
            let s = Settings {
                public_url: public_url.map(str::to_owned),
                ..settings()
            };
            let r = block_on(handle(
                &req,
                &MemoryStore::new(),
                &FixedClock::new(1, 0),
                &s,
            ));
            r.json_body()["versions"][0]["links"][0]["href"].clone()
        };
        assert_eq!(
            href("https://edge.example", None),
            "https://edge.example/v1/"
        );
        assert_eq!(
            href("https://edge.example", Some("https://deploy.example.com")),
            "https://deploy.example.com/v1/"
        );
        assert_eq!(href("javascript://x\"><", None), "http://localhost/v1/");
    }

    #[test]
    fn the_admin_lists_name_tokens_and_access_keys_with_their_times_and_never_a_secret() {
        let store = MemoryStore::new();
        let admin = |m: &str, what: &str| {
            Request::new(m, &format!("/admin/v1/projects/{P}/{what}"))
                .header("authorization", "Bearer admin")
        };
        let token = send(&store, admin("POST", "tokens")).json_body();
        let cred = send(&store, admin("POST", "credentials")).json_body();
        let tokens = send(&store, admin("GET", "tokens"));
        assert_eq!(tokens.status, 200);
        assert_eq!(
            tokens.json_body(),
            json!({"tokens": [{"id": token["id"], "project_id": P,
                "creation_time": crate::clock::heat_time(1_000)}]})
        );
        let creds = send(&store, admin("GET", "credentials"));
        assert_eq!(
            creds.json_body(),
            json!({"credentials": [{"access_key": cred["access_key"], "project_id": P,
                "creation_time": crate::clock::heat_time(1_000)}]})
        );
        for secret in [&token["token"], &cred["secret_key"]] {
            let secret = secret.as_str().unwrap();
            assert!(!String::from_utf8_lossy(&tokens.body).contains(secret));
            assert!(!String::from_utf8_lossy(&creds.body).contains(secret));
        }
        let anonymous = Request::new("GET", &format!("/admin/v1/projects/{P}/tokens"));
        assert_eq!(send(&store, anonymous).status, 401);
        let bad = Request::new("GET", "/admin/v1/projects/short/credentials")
            .header("authorization", "Bearer admin");
        assert_eq!(send(&store, bad).status, 400);
    }

    #[test]
    fn over_long_admin_ids_are_404_without_a_storage_call() {
        let inner = MemoryStore::new();
        let store = CountingStore::new(&inner);
        for what in ["tokens", "credentials"] {
            let path = format!("/admin/v1/projects/{P}/{what}/{}", "x".repeat(600));
            let r = send(
                &store,
                Request::new("DELETE", &path).header("authorization", "Bearer admin"),
            );
            assert_eq!(r.status, 404, "{what}");
        }
        assert_eq!(store.ops(), 0);
    }
}
