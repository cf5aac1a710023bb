//! The Cloudflare Worker edge. Its entry is JavaScript (`worker.js`): it hands each request to
//! [`answer`] as the few values the core reads (the method as sent, the URL, the headers as lines,
//! the body bytes), awaits the platform promises the answer stops at (`driver`), and builds the
//! `Response` from the [`Answer`] (bytes) itself; a checked write whose path names its project
//! ([`write_scope`]) it sends straight to that project's object. Here the core's [`api::handle`]
//! answers over Workers KV (`kv`), with other checked writes sent to the project's Durable Object
//! (`writes`), whose class (in `worker.js`) answers them through [`ProjectWriter`]. Nothing else
//! lives here.

mod driver;
mod kv;
mod writes;

use crate::api::{self, Settings, MAX_BODY_BYTES};
use crate::clock::Clock;
use crate::gate::{Gate, LocalGate};
use crate::http::{Request, Response};
use crate::store::ReadCache;
use crate::write_behind::WriteBehind;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

/// The KV namespace binding in `wrangler.toml`.
const KV_BINDING: &str = "DEPLOY_KV";

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = Date, js_name = now)]
    fn date_now() -> f64;
    #[wasm_bindgen(js_namespace = console, js_name = error)]
    fn console_error(line: &str);
}

/// The platform clock: `Date.now()`.
struct WorkerClock;

impl Clock for WorkerClock {
    fn now_ms(&self) -> u64 {
        date_now() as u64
    }
}

thread_local! {
    /// The isolate's settings, read from its bindings once: secrets and vars cannot change
    /// within an isolate (a new secret or version starts new isolates).
    static SETTINGS: std::cell::OnceCell<Settings> = const { std::cell::OnceCell::new() };
}

fn settings(env: &JsValue) -> Settings {
    SETTINGS.with(|cell| cell.get_or_init(|| read_settings(env)).clone())
}

fn read_settings(env: &JsValue) -> Settings {
    let text = |name: &str| {
        js_sys::Reflect::get(env, &JsValue::from_str(name))
            .ok()
            .and_then(|v| v.as_string())
    };
    Settings {
        admin_token: text("ADMIN_TOKEN").filter(|t| !t.is_empty()),
        expose_store_ops: text("EXPOSE_KV_OPS").is_some_and(|v| v == "true"),
        credentials_key: text("CREDENTIALS_KEY").filter(|k| !k.is_empty()),
        // A PUBLIC_URL that is not a plain http(s) origin is ignored (the request's URL is used).
        public_url: text("PUBLIC_URL").and_then(|u| crate::http::checked_origin(&u)),
        // Immutable records read recently by this isolate (see [`ReadCache`]): 30 s, 10,000 keys.
        read_cache: Some(Rc::new(ReadCache::new(30_000, 10_000))),
        ..Settings::default()
    }
}

/// Set on the global object by a panic: the instance trapped, and `worker.js` resets it before
/// its next use (a trap inside an awaited task never reaches `worker.js` as an exception).
const TRAPPED: &str = "deployEdgeTrapped";

/// Logs a panic's message and marks the instance trapped, before it traps.
#[wasm_bindgen(start)]
fn start() {
    std::panic::set_hook(Box::new(|panic| {
        console_error(&panic.to_string());
        let _ = js_sys::Reflect::set(
            &js_sys::global(),
            &JsValue::from_str(TRAPPED),
            &JsValue::TRUE,
        );
    }));
}

/// The largest body the core reads: `worker.js` does not buffer a body it declares larger (the
/// core answers 413 from the `Content-Length` alone).
#[wasm_bindgen(js_name = maxBodyBytes)]
pub fn max_body_bytes() -> u32 {
    MAX_BODY_BYTES as u32
}

/// What the core answered, for `worker.js` to send, as it crosses the boundary: one byte array
/// (one copy, no object to wrap or free) of the status (2 bytes, big-endian), the length of the
/// header lines (4 bytes, big-endian), the headers as `name\nvalue\n` lines
/// ([`crate::http::header_lines`]), then the body. `worker.js` reads it in `unpack`.
pub struct Answer(Vec<u8>);

impl From<Response> for Answer {
    fn from(response: Response) -> Self {
        let headers = response.header_lines();
        let mut wire = Vec::with_capacity(6 + headers.len() + response.body.len());
        wire.extend_from_slice(&response.status.to_be_bytes());
        wire.extend_from_slice(&(headers.len() as u32).to_be_bytes());
        wire.extend_from_slice(headers.as_bytes());
        wire.extend_from_slice(&response.body);
        Answer(wire)
    }
}

impl From<Answer> for JsValue {
    fn from(answer: Answer) -> Self {
        js_sys::Uint8Array::from(answer.0.as_slice()).into()
    }
}

/// The project whose Durable Object answers this request, when it is a checked write whose path
/// names the project ([`api::path_write_scope`]): `worker.js` sends it there at once, with no
/// answer made here.
#[wasm_bindgen(js_name = writeScope)]
pub fn write_scope(method: &str, url: &str) -> Option<String> {
    api::path_write_scope(&Request::from_edge(method, url, "", Vec::new()))
}

/// The methods a checked write can have, space-separated: `worker.js` asks [`write_scope`] only
/// of requests with one of them.
#[wasm_bindgen(js_name = checkedWriteMethods)]
pub fn checked_write_methods() -> String {
    crate::operations::checked_write_methods().join(" ")
}

/// The Worker's bindings and settings, as [`configure`] set them for this instance.
struct Edge {
    /// The KV namespace (`env.DEPLOY_KV`), if bound.
    store: Option<kv::CloudflareKvStore>,
    /// The Durable Object namespace (`env.PROJECT_WRITES`), if bound.
    writes: Option<JsValue>,
    /// The isolate's settings, with checked writes sent to the project's Durable Object.
    settings: Rc<Settings>,
}

thread_local! {
    static EDGE: std::cell::RefCell<Option<Rc<Edge>>> = const { std::cell::RefCell::new(None) };
}

/// Sets the bindings [`answer`] works with, once per instance (`worker.js` calls it before its
/// first request, and again after a reset): `env` (for the settings), its KV namespace `kv` and
/// Durable Object namespace `writes` (a property read in `worker.js` costs less than one made
/// from here). Nothing of them crosses the boundary per request.
#[wasm_bindgen]
pub fn configure(env: JsValue, kv: JsValue, writes: JsValue) {
    let mut settings = settings(&env);
    let writes = (!writes.is_undefined()).then_some(writes);
    if let Some(namespace) = &writes {
        let gate = writes::DurableGate {
            namespace: namespace.clone(),
            unreachable: None,
        };
        settings.gate = Some(Gate(Rc::new(gate)));
    }
    let edge = Edge {
        store: kv::CloudflareKvStore::new(kv),
        writes,
        settings: Rc::new(settings),
    };
    EDGE.replace(Some(Rc::new(edge)));
}

/// Answers one request over the bindings [`configure`] set. Checked writes are sent to their
/// project's Durable Object. `unreachable`: why `worker.js` could not reach that object itself (a
/// checked write is then answered as failed, in its API's envelope).
///
/// The answer is an [`Answer`] when the core could answer without waiting on the platform (no KV
/// read, or every read in the isolate's cache); else the ticket of an answer waiting on a
/// platform promise, which `worker.js` awaits for it ([`driver`]); else a promise of an answer.
#[wasm_bindgen]
pub fn answer(
    method: String,
    url: String,
    headers: String,
    body: Option<Vec<u8>>,
    unreachable: Option<String>,
) -> JsValue {
    let Some(edge) = EDGE.with_borrow(Clone::clone) else {
        return misconfigured("the edge's bindings were not set (configure)").into();
    };
    let Some(namespace) = &edge.writes else {
        return misconfigured(&format!(
            "the binding {} is not configured",
            writes::BINDING
        ))
        .into();
    };
    let settings = match unreachable {
        None => edge.settings.clone(),
        Some(cause) => {
            let gate = writes::DurableGate {
                namespace: namespace.clone(),
                unreachable: Some(cause),
            };
            let mut settings = (*edge.settings).clone();
            settings.gate = Some(Gate(Rc::new(gate)));
            Rc::new(settings)
        }
    };
    let request = Request::from_edge(&method, &url, &headers, body.unwrap_or_default());
    driver::drive(Box::pin(async move {
        run(edge.store.as_ref(), &settings, request).await
    }))
}

/// What one project's Durable Object (`ProjectWrites` in `worker.js`) keeps while it lives: the
/// lock its checked writes take turns on, the cache of the records only they change
/// ([`ReadCache::for_project_writer`]), so a write reads nothing back from KV, and their pending
/// writes ([`WriteBehind`]), so the lock is held for no KV round trip.
#[wasm_bindgen]
pub struct ProjectWriter {
    store: Option<Rc<kv::CloudflareKvStore>>,
    settings: Rc<Settings>,
}

#[wasm_bindgen]
impl ProjectWriter {
    /// The writer of an object made with `env`, whose KV namespace is `kv`.
    #[wasm_bindgen(constructor)]
    pub fn new(env: JsValue, kv: JsValue) -> ProjectWriter {
        let mut settings = settings(&env);
        settings.gate = Some(Gate(Rc::new(LocalGate::new())));
        // Its records change only here, so they never go stale: the day's expiry is a safety net
        // (for changes made to KV by hand), not a refresh.
        settings.writer_cache = Some(Rc::new(ReadCache::for_project_writer(86_400_000, 10_000)));
        settings.write_behind = Some(Rc::new(WriteBehind::new()));
        ProjectWriter {
            store: kv::CloudflareKvStore::new(kv).map(Rc::new),
            settings: Rc::new(settings),
        }
    }

    /// Answers a checked write the Worker sent (as [`answer`] takes a request, and answers).
    pub fn answer(
        &self,
        method: String,
        url: String,
        headers: String,
        body: Option<Vec<u8>>,
    ) -> JsValue {
        let (store, settings) = (self.store.clone(), self.settings.clone());
        let request = Request::from_edge(&method, &url, &headers, body.unwrap_or_default());
        driver::drive(Box::pin(async move {
            run(store.as_deref(), &settings, request).await
        }))
    }
}

async fn run(
    store: Option<&kv::CloudflareKvStore>,
    settings: &Settings,
    request: Request,
) -> Answer {
    let Some(store) = store else {
        return misconfigured(&format!("the binding {KV_BINDING} is not configured"));
    };
    let response = api::handle(&request, store, &WorkerClock, settings).await;
    if let Some(line) = &response.log {
        console_error(line);
    }
    response.into()
}

/// The Worker is not set up as `wrangler.toml` declares (a binding is missing): a 500, and
/// `cause` (a sentence of this module's, with no quotes to escape) in the log.
fn misconfigured(cause: &str) -> Answer {
    console_error(&format!(r#"{{"level":"error","cause":"{cause}"}}"#));
    Response::json(
        500,
        &serde_json::json!({"error": "the service is misconfigured"}),
    )
    .into()
}
