//! The Cloudflare Worker edge. Its entry is JavaScript (`worker.js`): it hands each request to
//! [`answer`] as the few values the core reads (the method as sent, the URL, the headers as lines,
//! the body bytes), awaits the platform promises the answer stops at (`driver`), and builds the
//! `Response` from the [`Answer`] (bytes) itself. Here the core's [`api::edge`] answers over
//! Workers KV (`kv`); an operation of a project's object comes back as the project's id, and
//! `worker.js` sends the request to that object, whose class answers it through
//! [`object::ProjectWriter`] over its SQLite. Nothing else lives here.

mod driver;
mod kv;
mod object;

use crate::api::{self, Handled, Settings, MAX_BODY_BYTES};
use crate::clock::Clock;
use crate::http::{After, Request, Response};
use crate::store::ReadCache;
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

#[wasm_bindgen(module = "/src/cloudflare/bindings.js")]
extern "C" {
    #[wasm_bindgen(js_name = sendContact)]
    fn send_contact(
        wait_until: &JsValue,
        objects: &JsValue,
        project: &str,
        server_ref: &str,
        ms: f64,
    );
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
    /// Immutable records read recently by this isolate (see [`ReadCache`]): 30 s, 10,000 keys.
    /// Shared by the edge and the project objects the isolate runs.
    static ISOLATE_CACHE: Rc<ReadCache> = Rc::new(ReadCache::new(30_000, 10_000));
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
        refuse_unsealed_keys: text("LEGACY_ACCESS_KEYS").is_some_and(|v| v == "refuse"),
        // A PUBLIC_URL that is not a plain http(s) origin is ignored (the request's URL is used).
        public_url: text("PUBLIC_URL").and_then(|u| crate::http::checked_origin(&u)),
        fault_injection: text("FAULT_INJECTION").is_some_and(|v| v == "on"),
        ..Settings::default()
    }
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

/// The Worker's bindings and settings, as [`configure`] set them for this instance.
struct Edge {
    /// The KV namespace (`env.DEPLOY_KV`), if bound.
    store: Option<kv::CloudflareKvStore>,
    /// The Durable Object namespace of the project objects (`env.PROJECT_WRITES`).
    objects: JsValue,
    /// The platform's `waitUntil` (from `cloudflare:workers`), handed in by `worker.js`: the
    /// modules the wasm imports (`bindings.js`) import nothing of the platform's, so they also
    /// load outside workerd (the driver's tests run in Node).
    wait_until: JsValue,
    settings: Settings,
}

thread_local! {
    static EDGE: std::cell::RefCell<Option<Rc<Edge>>> = const { std::cell::RefCell::new(None) };
}

/// Sets the bindings [`answer`] works with, once per instance (`worker.js` calls it before its
/// first request, and again after a reset): `env` (for the settings), its KV namespace `kv` and
/// the project objects' namespace `objects` (a property read in `worker.js` costs less than one
/// made from here), and the platform's `waitUntil`. Nothing of them crosses the boundary per
/// request.
#[wasm_bindgen]
pub fn configure(env: JsValue, kv: JsValue, objects: JsValue, wait_until: JsValue) {
    let edge = Edge {
        store: kv::CloudflareKvStore::new(kv),
        objects,
        wait_until,
        settings: settings(&env),
    };
    EDGE.replace(Some(Rc::new(edge)));
}

/// Answers one request over the bindings [`configure`] set: an [`Answer`] when the core could
/// answer without waiting on the platform (no KV read, or every read in the isolate's cache);
/// else the ticket of an answer waiting on a platform promise, which `worker.js` awaits for it
/// ([`driver`]); else a promise. An answer that is a string names the project whose object
/// answers the request: `worker.js` sends it there.
#[wasm_bindgen]
pub fn answer(method: String, url: String, headers: String, body: Option<Vec<u8>>) -> JsValue {
    let Some(edge) = EDGE.with_borrow(Clone::clone) else {
        return misconfigured("the edge's bindings were not set (configure)").into();
    };
    if edge.objects.is_undefined() {
        return misconfigured("the binding PROJECT_WRITES is not configured").into();
    }
    let Some(_) = &edge.store else {
        return misconfigured(&format!("the binding {KV_BINDING} is not configured")).into();
    };
    let request = Request::from_edge(&method, &url, &headers, body.unwrap_or_default());
    driver::drive(Box::pin(async move {
        let Some(store) = &edge.store else {
            return JsValue::UNDEFINED;
        };
        let isolate = ISOLATE_CACHE.with(Clone::clone);
        let handled = api::edge(
            &request,
            store,
            &WorkerClock,
            &edge.settings,
            Some(&isolate),
        )
        .await;
        match handled {
            Handled::ToObject(project) => JsValue::from_str(&project),
            Handled::Answer(response, after) => {
                log(&response);
                for After::Contact {
                    project,
                    server_ref,
                    ms,
                } in after
                {
                    send_contact(
                        &edge.wait_until,
                        &edge.objects,
                        &project,
                        &server_ref,
                        ms as f64,
                    );
                }
                Answer::from(response).into()
            }
        }
    }))
}

/// The answer to a request for a project's object that could not be reached: a 500 that wrote
/// nothing, in the envelope of the request's API, with `cause` in the log.
#[wasm_bindgen]
pub fn unreachable(method: String, url: String, cause: String) -> JsValue {
    let settings = EDGE
        .with_borrow(|edge| edge.as_ref().map(|e| e.settings.clone()))
        .unwrap_or_default();
    let request = Request::from_edge(&method, &url, "", Vec::new());
    let response = api::unreachable(&request, &settings, &cause);
    log(&response);
    Answer::from(response).into()
}

/// Tests only (`POST /_test/trap`, `worker.js`): with FAULT_INJECTION = "on" in `env`, panics
/// in the middle of an answer, after a platform promise it awaited, as a bug would: the instance
/// traps and `worker.js` resets it. Otherwise it answers undefined.
#[wasm_bindgen(js_name = trapForTests)]
pub fn trap_for_tests(env: JsValue) -> JsValue {
    if !settings(&env).fault_injection {
        return JsValue::UNDEFINED;
    }
    async fn trap() -> JsValue {
        let _ = driver::Awaited::new(js_sys::Promise::resolve(&JsValue::UNDEFINED)).await;
        panic!("a trap the tests asked for (FAULT_INJECTION is on)");
    }
    driver::drive(Box::pin(trap()))
}

/// Writes a response's log line, if it has one.
fn log(response: &Response) {
    if let Some(line) = &response.log {
        console_error(line);
    }
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

/// How an [`Answer`] crosses to JavaScript: the bytes the driver hands `worker.js`, read back
/// by `answer.js`'s `unpack` (the reader `worker.js` uses), in Node (see driver.rs's tests).
#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen(module = "/src/cloudflare/answer.js")]
    extern "C" {
        fn unpack(wire: &JsValue) -> JsValue;
    }

    /// `response` as `worker.js` gets it (through the driver) and unpacks it: status, header
    /// lines, body (none when absent).
    fn crossed(response: Response) -> (u16, String, Option<Vec<u8>>) {
        let wire = driver::drive(Box::pin(async move { Answer::from(response).into() }));
        assert!(wire.is_instance_of::<js_sys::Uint8Array>(), "{wire:?}");
        let unpacked = unpack(&wire);
        let field = |name: &str| js_sys::Reflect::get(&unpacked, &JsValue::from_str(name)).unwrap();
        let status = field("status").as_f64().expect("a status") as u16;
        let headers = field("headers").as_string().expect("header lines");
        let body = field("body");
        let body = (!body.is_undefined()).then(|| js_sys::Uint8Array::new(&body).to_vec());
        (status, headers, body)
    }

    #[wasm_bindgen_test]
    fn status_header_lines_and_body_cross_as_they_were() {
        let mut response = Response::empty(404).with_header("x-note", "naïve ✓ (UTF-8)");
        response.body = (0..=255).collect();
        let lines = response.header_lines();
        assert_eq!(
            crossed(response),
            (404, lines, Some((0..=255).collect::<Vec<u8>>()))
        );
    }

    #[wasm_bindgen_test]
    fn a_status_above_255_and_no_body() {
        let response = Response::empty(503);
        let lines = response.header_lines();
        assert_eq!(crossed(response), (503, lines, None));
    }

    /// Header lines longer than 65,535 bytes: all four bytes of their length count.
    #[wasm_bindgen_test]
    fn long_header_lines_end_where_the_body_starts() {
        let mut response = Response::empty(200).with_header("x-long", "é".repeat(40_000));
        response.body = b"{}".to_vec();
        let lines = response.header_lines();
        assert!(lines.len() > 65_535);
        assert_eq!(crossed(response), (200, lines, Some(b"{}".to_vec())));
    }
}
