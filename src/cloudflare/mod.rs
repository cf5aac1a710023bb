//! The Cloudflare Worker: converts a `worker::Request` into the core's [`Request`], answers it with
//! [`api::handle`] over Workers KV, and converts the answer back; checked writes are answered the
//! same way inside their project's Durable Object (`writes`). Nothing else lives here.

mod kv;
mod writes;

use crate::api::{self, Settings};
use crate::clock::Clock;
use crate::gate::Gate;
use crate::http::Request;
use crate::store::ReadCache;
use ::worker::{event, Context, Env, Headers, Response as WorkerResponse, Result as WorkerResult};
use std::rc::Rc;

/// The KV namespace binding in `wrangler.toml`.
const KV_BINDING: &str = "DEPLOY_KV";

/// The platform clock: `Date.now()`.
struct WorkerClock;

impl Clock for WorkerClock {
    fn now_ms(&self) -> u64 {
        js_sys::Date::now() as u64
    }
}

thread_local! {
    /// The isolate's settings, read from its bindings once: secrets and vars cannot change
    /// within an isolate (a new secret or version starts new isolates).
    static SETTINGS: std::cell::OnceCell<Settings> = const { std::cell::OnceCell::new() };
}

fn settings(env: &Env) -> Settings {
    SETTINGS.with(|cell| cell.get_or_init(|| read_settings(env)).clone())
}

fn read_settings(env: &Env) -> Settings {
    let text = |name: &str| {
        env.secret(name)
            .map(|s| s.to_string())
            .or_else(|_| env.var(name).map(|v| v.to_string()))
            .ok()
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

#[event(fetch)]
async fn fetch(req: ::worker::Request, env: Env, _ctx: Context) -> WorkerResult<WorkerResponse> {
    let mut settings = settings(&env);
    // Checked writes go to their project's Durable Object (see `writes`).
    settings.gate = Some(Gate(Rc::new(writes::DurableGate::from_env(&env)?)));
    answer(req, &env, &settings).await
}

/// Converts a request, answers it with [`api::handle`] over Workers KV, and converts the answer.
async fn answer(
    mut req: ::worker::Request,
    env: &Env,
    settings: &Settings,
) -> WorkerResult<WorkerResponse> {
    let core = core_request(&mut req, settings.max_body_bytes).await?;
    let store = kv::CloudflareKvStore::from_env(env, KV_BINDING)?;
    let answer = api::handle(&core, &store, &WorkerClock, settings).await;
    if let Some(line) = &answer.log {
        ::worker::console_error!("{line}");
    }
    let out_headers = Headers::new();
    for (name, value) in &answer.headers {
        out_headers.append(name, value)?;
    }
    let response = if answer.body.is_empty() {
        WorkerResponse::empty()?
    } else {
        WorkerResponse::from_bytes(answer.body)?
    };
    Ok(response
        .with_status(answer.status)
        .with_headers(out_headers))
}

/// The core's view of a request. A request without Content-Length or Transfer-Encoding has no
/// body: the read (an extra round trip through a promise) is skipped. A body over the limit is
/// never buffered: the core answers 413 from the header alone.
async fn core_request(req: &mut ::worker::Request, limit: usize) -> WorkerResult<Request> {
    let url = req.url()?;
    let headers: Vec<(String, String)> = req
        .headers()
        .entries()
        .map(|(k, v)| (k.to_ascii_lowercase(), v))
        .collect();
    let declared = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    let has_body = declared > 0 || headers.iter().any(|(k, _)| k == "transfer-encoding");
    let body = if !has_body || declared > limit {
        Vec::new()
    } else {
        req.bytes().await.unwrap_or_default()
    };
    Ok(Request {
        // The method as sent: worker::Method maps every method it does not know to GET.
        method: req.inner().method().to_ascii_uppercase(),
        path: url.path().to_owned(),
        query: url.query().unwrap_or_default().to_owned(),
        headers,
        body,
        origin: url.origin().ascii_serialization(),
    })
}
