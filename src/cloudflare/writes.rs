//! Checked writes through the project's Durable Object ([`crate::gate`]).
//!
//! [`DurableGate`] sends a checked write, over RPC, to the `ProjectWrites` object named by its
//! project (the class is in `worker.js`, which sends the writes whose path names their project
//! there itself, see [`super::write_scope`]); the object answers it with its
//! [`super::ProjectWriter`] over the same Workers KV, behind its [`crate::gate::LocalGate`], so
//! the writes of a project run one after another in one place. The object stores nothing of its
//! own: the records stay in KV (it caches the ones only its writes change).

use super::driver::Awaited;
use super::kv::js_error;
use crate::error::ApiError;
use crate::gate::WriteGate;
use crate::http::{header_lines, parse_header_lines, Request, Response};
use async_trait::async_trait;
use futures::future::LocalBoxFuture;
use js_sys::{Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;

/// The Durable Object binding in `wrangler.toml`.
pub(super) const BINDING: &str = "PROJECT_WRITES";
/// Headers the edge sets on every answer itself; the object's copies are dropped.
const EDGE_HEADERS: [&str; 3] = ["x-request-id", "cache-control", "x-content-type-options"];

#[wasm_bindgen(module = "/src/cloudflare/bindings.js")]
extern "C" {
    #[wasm_bindgen(js_name = projectWrite, catch)]
    fn project_write(
        namespace: &JsValue,
        scope: &str,
        method: &str,
        url: &str,
        headers: &str,
        body: Option<Vec<u8>>,
    ) -> Result<Promise, JsValue>;
}

/// Sends each checked write to its project's Durable Object.
pub struct DurableGate {
    pub(super) namespace: JsValue,
    /// Why `worker.js` could not reach the object itself: the write is answered as failed.
    pub(super) unreachable: Option<String>,
}

impl DurableGate {
    async fn forward(&self, scope: &str, req: &Request) -> Result<Response, JsValue> {
        if let Some(cause) = &self.unreachable {
            return Err(JsValue::from_str(cause));
        }
        let mut url = format!("{}{}", req.origin(), req.path);
        if !req.query.is_empty() {
            url.push('?');
            url.push_str(&req.query);
        }
        let lines = header_lines(&req.headers);
        let body = (!req.body.is_empty()).then(|| req.body.clone());
        let call = project_write(&self.namespace, scope, &req.method, &url, &lines, body)?;
        let answer = Awaited::new(call).await?;
        let field = |name: &str| Reflect::get(&answer, &JsValue::from_str(name));
        let status = field("status")?.as_f64().unwrap_or(500.0) as u16;
        let sent = field("headers")?.as_string().unwrap_or_default();
        let mut response = Response::empty(status);
        response.headers = parse_header_lines(&sent)
            .into_iter()
            .filter(|(k, _)| !EDGE_HEADERS.contains(&k.as_str()))
            .collect();
        response.body = field("body")?
            .dyn_into::<Uint8Array>()
            .map(|b| b.to_vec())
            .unwrap_or_default();
        Ok(response)
    }
}

#[async_trait(?Send)]
impl WriteGate for DurableGate {
    async fn serialise<'a>(
        &self,
        scope: &str,
        req: &Request,
        _write: LocalBoxFuture<'a, Response>,
    ) -> Result<Response, ApiError> {
        self.forward(scope, req).await.map_err(|e| {
            ApiError::Storage(js_error("the project's Durable Object did not answer", &e))
        })
    }
}
