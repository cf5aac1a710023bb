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

pub mod admin;
pub mod agent;
pub mod codearts;
pub mod envelope;
pub mod heat;

use crate::auth;
use crate::clock::Clock;
use crate::error::ApiError;
use crate::http::{After, Request, Response};
use crate::operations::{self, Api, ByApi, Carries, MetaCall, Operation, PathIds, Resolved};
use crate::sql::Rows;
use crate::store::{CountingStore, ReadCache, ReadCachingStore, Store};
use crate::validate::Report;
use serde_json::{json, Value};

/// The service's configuration, as the platform reads it once.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The admin API's bearer token; `None` disables the admin API.
    pub admin_token: Option<String>,
    /// Largest accepted request body.
    pub max_body_bytes: usize,
    /// Adds `X-KV-Ops: N` to every response (the operations this request made on KV, not
    /// counting the reads an isolate's cache answered) and, for what a project's object
    /// answered, `X-SQL-Rows: R, W` (the SQLite rows it read and wrote).
    pub expose_store_ops: bool,
    /// The Worker secret `CREDENTIALS_KEY` that AK/SK secret keys are derived from; `None`
    /// disables AK/SK credentials.
    pub credentials_key: Option<String>,
    /// `LEGACY_ACCESS_KEYS=refuse`: access keys issued before keys were sealed are refused
    /// without a lookup ([`crate::credentials`]); by default they are looked up as before.
    pub refuse_unsealed_keys: bool,
    /// The service's public base URL (`PUBLIC_URL`, e.g. `https://deploy.example.com`) for the
    /// absolute URLs it hands out (versions links, agent URLs); `None`: the URL each request was
    /// sent to, checked by [`crate::http::checked_origin`].
    pub public_url: Option<String>,
    /// Tests only (`FAULT_INJECTION=on` in the Worker's configuration, never from a request):
    /// a project's object can be told to fail its KV writes.
    pub fault_injection: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            admin_token: None,
            max_body_bytes: MAX_BODY_BYTES,
            expose_store_ops: false,
            credentials_key: None,
            refuse_unsealed_keys: false,
            public_url: None,
            fault_injection: false,
        }
    }
}

/// The default request body limit: 1 MiB.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// What every handler gets.
pub struct Ctx<'a> {
    /// Where the operation reads and writes: KV at the edge (tokens, credentials and the
    /// published records), the project's SQLite in its object.
    pub store: &'a dyn Store,
    pub clock: &'a dyn Clock,
    pub settings: &'a Settings,
    /// The base of absolute URLs in answers: `PUBLIC_URL`, else the request's checked origin.
    pub origin: &'a str,
    /// The isolate's memory, where it has one (the agent contacts it has sent).
    pub isolate: Option<&'a ReadCache>,
}

/// Who sent a request, once authenticated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// No credentials needed (health, versions; an agent's URL is checked by its service).
    Anyone,
    /// The admin token.
    Admin,
    /// A token or AK/SK credential of this project.
    Project(String),
}

impl Caller {
    pub fn project(&self) -> Option<&str> {
        match self {
            Caller::Project(p) => Some(p),
            _ => None,
        }
    }
}

/// What the edge does with a request.
#[derive(Debug)]
pub enum Handled {
    /// Send this answer; then do `after` off the answer's path.
    Answer(Response, Vec<After>),
    /// An operation of this project's object ([`Operation::in_object`]): it answers the request.
    ToObject(String),
}

/// The base of absolute URLs in answers: `PUBLIC_URL`, else the request's checked origin.
pub fn origin_of(req: &Request, settings: &Settings) -> String {
    settings
        .public_url
        .clone()
        .or_else(|| crate::http::checked_origin(req.origin()))
        .unwrap_or_else(|| "http://localhost".to_owned())
}

/// Answers a request at the edge, over KV (`kv`, read through the isolate's cache when it has
/// one): reads and the writes that check nothing. An operation of a project's object is handed
/// back to be sent there; a CodeArts one is authenticated first (its project is the caller's).
pub async fn edge(
    req: &Request,
    kv: &dyn Store,
    clock: &dyn Clock,
    settings: &Settings,
    isolate: Option<&ReadCache>,
) -> Handled {
    let counting = CountingStore::new(kv);
    let cached = isolate.map(|cache| ReadCachingStore::new(&counting, cache, clock.now_ms()));
    let store: &dyn Store = match &cached {
        Some(cached) => cached,
        None => &counting,
    };
    let origin = origin_of(req, settings);
    let ctx = Ctx {
        store,
        clock,
        settings,
        origin: &origin,
        isolate,
    };
    let (response, after) = match operations::resolve(&req.method, &req.segments()) {
        Resolved::Operation(op, ids) if op.in_object() => {
            match object_project(req, &ctx, op, &ids).await {
                Ok(Some(project)) => return Handled::ToObject(project),
                // An id that cannot name a project: answered here (404).
                Ok(None) => answer(req, &ctx, op, &ids).await,
                Err(refused) => (refused, Vec::new()),
            }
        }
        Resolved::Operation(op, ids) => answer(req, &ctx, op, &ids).await,
        unrouted @ (Resolved::MethodNotAllowed { .. } | Resolved::NotFound { .. }) => {
            (self::unrouted(req, unrouted), Vec::new())
        }
    };
    Handled::Answer(finish(req, response, settings, counting.ops(), None), after)
}

/// Answers any request here, over one store, object operations too (as if the store were the
/// project's object): the API without a platform, for tests and embedders.
pub async fn handle(
    req: &Request,
    store: &dyn Store,
    clock: &dyn Clock,
    settings: &Settings,
) -> Response {
    let counting = CountingStore::new(store);
    let origin = origin_of(req, settings);
    let ctx = Ctx {
        store: &counting,
        clock,
        settings,
        origin: &origin,
        isolate: None,
    };
    let response = match operations::resolve(&req.method, &req.segments()) {
        Resolved::Operation(op, ids) => {
            let (mut response, after) = answer(req, &ctx, op, &ids).await;
            for After::Contact {
                project,
                server_ref,
                ms,
            } in after
            {
                let recorded =
                    crate::service::agent::record_contact(&counting, &project, &server_ref, ms);
                if let Err(e) = recorded.await {
                    response = error_envelope(req, &e);
                }
            }
            response
        }
        unrouted @ (Resolved::MethodNotAllowed { .. } | Resolved::NotFound { .. }) => {
            self::unrouted(req, unrouted)
        }
    };
    finish(req, response, settings, counting.ops(), None)
}

/// Authenticates and answers one operation here.
async fn answer(
    req: &Request,
    ctx: &Ctx<'_>,
    op: Operation,
    ids: &PathIds,
) -> (Response, Vec<After>) {
    match authenticate(req, ctx, op, ids).await {
        Ok(caller) => {
            let mut response = dispatch(req, ctx, op, ids, &caller).await;
            let after = std::mem::take(&mut response.after);
            (response, after)
        }
        Err(refused) => (refused, Vec::new()),
    }
}

/// The answer to a path no operation has, or a method it does not allow.
fn unrouted(req: &Request, resolved: Resolved) -> Response {
    let err = match &resolved {
        Resolved::MethodNotAllowed { allow, .. } => ApiError::MethodNotAllowed {
            allow: allow.clone(),
        },
        Resolved::Operation(..) | Resolved::NotFound { .. } => ApiError::NoRoute(req.path.clone()),
    };
    envelope::of(resolved.api(), &err)
}

/// What every answer gets on its way out: `X-Request-Id`, `Cache-Control: no-store`,
/// `nosniff`, the store counts when exposed, and a log line for a 5xx.
pub fn finish(
    req: &Request,
    mut response: Response,
    settings: &Settings,
    kv_ops: u32,
    rows: Option<Rows>,
) -> Response {
    if settings.expose_store_ops {
        response = response.with_header("x-kv-ops", kv_ops.to_string());
        if let Some(rows) = rows {
            response =
                response.with_header("x-sql-rows", format!("{}, {}", rows.read, rows.written));
        }
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
pub fn error_envelope(req: &Request, err: &ApiError) -> Response {
    envelope::of(operations::resolve(&req.method, &req.segments()).api(), err)
}

/// The answer to a request for a project's object when the object could not be reached: a 500
/// that wrote nothing, to retry (`cause` is logged).
pub fn unreachable(req: &Request, settings: &Settings, cause: &str) -> Response {
    let err = ApiError::Storage(crate::store::StoreError::Backend(format!(
        "the project's Durable Object did not answer: {cause}"
    )));
    finish(req, error_envelope(req, &err), settings, 0, None)
}

/// The project whose object answers an object operation: the one in its path, or for CodeArts
/// the caller's (authenticated here; a refusal is answered at once). `None`: the path names no
/// project (answered here, as a 404).
async fn object_project(
    req: &Request,
    ctx: &Ctx<'_>,
    op: Operation,
    ids: &PathIds,
) -> Result<Option<String>, Response> {
    match op.api() {
        Api::CodeArts => codearts::caller_project(req, ctx)
            .await
            .map(Some)
            .map_err(|e| envelope::of(Api::CodeArts, &e)),
        Api::Heat | Api::Agent | Api::Admin | Api::Meta => {
            let project = ids.get("project_id");
            Ok(auth::is_project_id(project).then(|| project.to_owned()))
        }
    }
}

/// Who sent the request, as its API authenticates: a project token for Heat (for the project in
/// the path), a token or AK/SK for CodeArts, the admin token for the admin API; an agent's URL
/// is its capability (checked by its service). A refusal is answered in the API's envelope.
pub async fn authenticate(
    req: &Request,
    ctx: &Ctx<'_>,
    op: Operation,
    ids: &PathIds,
) -> Result<Caller, Response> {
    let checked = match op.api() {
        Api::Heat => {
            let project = ids.get("project_id");
            if !auth::is_project_id(project) {
                Err(ApiError::NoRoute(req.path.clone()))
            } else {
                auth::authorize_project(ctx.store, req.header_value("x-auth-token"), project)
                    .await
                    .map(|()| Caller::Project(project.to_owned()))
            }
        }
        Api::CodeArts => codearts::caller_project(req, ctx)
            .await
            .map(Caller::Project),
        Api::Admin => auth::check_admin(
            req.header_value("authorization"),
            ctx.settings.admin_token.as_deref(),
        )
        .map(|()| Caller::Admin),
        Api::Agent | Api::Meta => Ok(Caller::Anyone),
    };
    checked.map_err(|e| envelope::of(op.api(), &e))
}

/// Reads what an authenticated operation's request carries with its parse function (from the
/// operation table), hands the call to its API's handler, and answers an error in its API's
/// envelope.
pub async fn dispatch(
    req: &Request,
    ctx: &Ctx<'_>,
    op: Operation,
    ids: &PathIds,
    caller: &Caller,
) -> Response {
    let project = caller.project().unwrap_or_default();
    let carries = op.carries();
    let answered = match op.by_api() {
        ByApi::Heat(op) => match read(req, ctx, carries, |v, r| op.parse(v, r)) {
            Ok(call) => heat::answer(req, ctx, call, ids, project).await,
            Err(e) => Err(e),
        },
        ByApi::CodeArts(op) => match read(req, ctx, carries, |v, r| op.parse(v, r)) {
            Ok(call) => codearts::answer(req, ctx, call, ids, project).await,
            Err(e) => Err(e),
        },
        ByApi::Agent(op) => match read(req, ctx, carries, |v, r| op.parse(v, r)) {
            Ok(call) => agent::answer(req, ctx, call, ids).await,
            Err(e) => Err(e),
        },
        ByApi::Admin(op) => match read(req, ctx, carries, |v, r| op.parse(v, r)) {
            Ok(call) => admin::answer(ctx, call, ids).await,
            Err(e) => Err(e),
        },
        ByApi::Meta(op) => read(req, ctx, carries, |v, r| op.parse(v, r)).map(|call| match call {
            MetaCall::Versions => Response::json(200, &versions(ctx.origin)),
            MetaCall::Health => Response::json(200, &json!({"status": "ok"})),
        }),
    };
    answered.unwrap_or_else(|e| envelope::of(op.api(), &e))
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

/// Reads what a request carries (a JSON body, or its query as an object of strings, the first of
/// repeated names) and parses it with `parse`: the one way a request's input is read.
fn read<C>(
    req: &Request,
    ctx: &Ctx<'_>,
    carries: Carries,
    parse: impl FnOnce(&Value, &mut Report) -> Option<C>,
) -> Result<C, ApiError> {
    let limit = ctx.settings.max_body_bytes;
    let input = match carries {
        Carries::Body => json_body(req, limit)?,
        Carries::OptionalBody if crate::payload::no_body(&req.body) => {
            check_body_size(req, limit)?;
            Value::Object(serde_json::Map::new())
        }
        Carries::OptionalBody => json_body(req, limit)?,
        Carries::Query => {
            let mut query = serde_json::Map::new();
            for (name, value) in req.query_pairs() {
                query.entry(name).or_insert(Value::String(value));
            }
            Value::Object(query)
        }
        Carries::Nothing => Value::Null,
    };
    let mut report = Report::default();
    into_api(parse(&input, &mut report), report)
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

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::clock::FixedClock;
    use crate::store::{ListPage, MemoryStore, StoreError};
    use async_trait::async_trait;
    use futures::executor::block_on;
    use std::rc::Rc;

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

    /// How a race's writes run.
    #[derive(Clone, Copy, PartialEq, Debug)]
    enum Writes {
        /// Each over KV as it comes, decided on what it read there.
        AsMade,
        /// Each in its project's object (native, over SQLite), as on Cloudflare.
        InObjects,
    }

    /// Statuses of `reqs` sent at once (interleaved at every KV call).
    fn race(store: &Rc<InterleavingStore>, reqs: Vec<Request>, writes: Writes) -> Vec<u16> {
        let clock = Rc::new(FixedClock::new(5_000, 1));
        let s = settings();
        let answers: Vec<Response> = match writes {
            Writes::AsMade => block_on(futures::future::join_all(
                reqs.iter().map(|r| handle(r, &**store, &*clock, &s)),
            )),
            Writes::InObjects => {
                let system = crate::object::testing::System::new(store.clone(), settings(), clock);
                block_on(futures::future::join_all(
                    reqs.iter().map(|r| system.send(r)),
                ))
            }
        };
        answers.into_iter().map(|r| r.status).collect()
    }

    /// A project with a token, a config and a deployment: (token, deployment id, its ETag).
    fn project_with_deployment(store: &Rc<InterleavingStore>) -> (String, String, String) {
        let clock = FixedClock::new(1_000, 1);
        let s = settings();
        let send = |r: Request| block_on(handle(&r, &**store, &clock, &s));
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
    fn concurrent_puts_with_one_if_match_lose_nothing_in_the_projects_object() {
        for writes in [Writes::AsMade, Writes::InObjects] {
            let store = Rc::new(InterleavingStore(MemoryStore::new()));
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
                    "decided over KV, interleaved writers all pass: {statuses:?}"
                );
            }
        }
    }

    #[test]
    fn a_delete_racing_puts_stays_deleted_in_the_projects_object() {
        let store = Rc::new(InterleavingStore(MemoryStore::new()));
        let (token, id, _) = project_with_deployment(&store);
        let path = format!("/v1/{P}/software_deployments/{id}");
        let mut reqs = vec![Request::new("DELETE", &path).header("x-auth-token", &token)];
        reqs.extend((0..4).map(|i| {
            Request::new("PUT", &path)
                .header("x-auth-token", &token)
                .json(&json!({"status_reason": format!("writer {i}")}))
        }));
        let statuses = race(&store, reqs, Writes::InObjects);
        assert_eq!(statuses[0], 204);
        let after = block_on(handle(
            &Request::new("GET", &path).header("x-auth-token", &token),
            &*store,
            &FixedClock::new(9_000, 1),
            &settings(),
        ));
        assert_eq!(after.status, 404, "resurrected: {statuses:?}");
    }

    #[test]
    fn a_config_delete_racing_creates_never_leaves_deployments_of_a_deleted_config() {
        for writes in [Writes::AsMade, Writes::InObjects] {
            let store = Rc::new(InterleavingStore(MemoryStore::new()));
            let (token, id, _) = project_with_deployment(&store);
            let heat = |m: &str, path: &str| {
                Request::new(m, &format!("/v1/{P}{path}")).header("x-auth-token", &token)
            };
            let clock = FixedClock::new(2_000, 1);
            let send = |r: Request| block_on(handle(&r, &*store, &clock, &settings()));
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
                    "decided over KV, the delete and the creates both pass: {statuses:?}"
                );
            }
        }
    }

    #[test]
    fn the_edge_hands_an_object_operation_to_the_object_its_path_or_caller_names() {
        let store = MemoryStore::new();
        let clock = FixedClock::new(1_000, 0);
        let edge = |m: &str, path: &str| match block_on(super::edge(
            &Request::new(m, path),
            &store,
            &clock,
            &settings(),
            None,
        )) {
            Handled::ToObject(project) => Some(project),
            Handled::Answer(..) => None,
        };
        let deployment = format!("/v1/{P}/software_deployments/d1");
        assert_eq!(edge("PUT", &deployment).as_deref(), Some(P));
        assert_eq!(
            edge("POST", &format!("/v1/{P}/software_deployments")).as_deref(),
            Some(P)
        );
        assert_eq!(
            edge("POST", &format!("/v1/{P}/software_configs")).as_deref(),
            Some(P)
        );
        assert_eq!(
            edge("GET", &format!("/v1/{P}/servers/web-1/agent")).as_deref(),
            Some(P)
        );
        assert_eq!(
            edge("GET", &deployment),
            None,
            "a read of a published record"
        );
        assert_eq!(
            edge("POST", &format!("/v1/{P}/validate")),
            None,
            "checks nothing"
        );
        assert_eq!(
            edge("PUT", "/v1/not-a-project/software_deployments/d1"),
            None
        );
        // A CodeArts write's project is its caller's: without credentials it is refused here.
        assert_eq!(edge("PUT", "/v1/applications"), None);
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
