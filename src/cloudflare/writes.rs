//! The Durable Object that decides a project's checked writes one at a time ([`crate::gate`]).
//!
//! The Worker's [`DurableGate`] sends a checked write to the object named by its project; the
//! object answers it with the same [`crate::api::handle`] over the same Workers KV, behind a
//! [`LocalGate`], so the writes of a project run one after another in one place. The object keeps
//! nothing of its own: the records stay in KV, where every read still goes.

use super::{answer, settings};
use crate::error::ApiError;
use crate::gate::{Gate, LocalGate, WriteGate};
use crate::http::{Request, Response};
use crate::store::StoreError;
use ::worker::{durable_object, Env, Headers, Method, ObjectNamespace, RequestInit, State};
use async_trait::async_trait;
use futures::future::LocalBoxFuture;
use std::rc::Rc;

/// The Durable Object binding in `wrangler.toml`.
const BINDING: &str = "PROJECT_WRITES";
/// Headers the Worker sets on every answer itself; the object's copies are dropped.
const EDGE_HEADERS: [&str; 3] = ["x-request-id", "cache-control", "x-content-type-options"];

/// One project's writer.
#[durable_object]
pub struct ProjectWrites {
    env: Env,
    gate: Rc<LocalGate>,
}

impl ::worker::DurableObject for ProjectWrites {
    fn new(_state: State, env: Env) -> Self {
        ProjectWrites {
            env,
            gate: Rc::new(LocalGate::new()),
        }
    }

    async fn fetch(&self, req: ::worker::Request) -> ::worker::Result<::worker::Response> {
        let mut settings = settings(&self.env);
        settings.gate = Some(Gate(self.gate.clone()));
        answer(req, &self.env, &settings).await
    }
}

/// Sends each checked write to its project's [`ProjectWrites`].
pub struct DurableGate {
    namespace: ObjectNamespace,
}

impl DurableGate {
    pub fn from_env(env: &Env) -> ::worker::Result<Self> {
        Ok(DurableGate {
            namespace: env.durable_object(BINDING)?,
        })
    }

    async fn forward(&self, scope: &str, req: &Request) -> ::worker::Result<Response> {
        let stub = self.namespace.id_from_name(scope)?.get_stub()?;
        let headers = Headers::new();
        for (name, value) in &req.headers {
            headers.append(name, value)?;
        }
        let mut init = RequestInit::new();
        init.with_method(Method::from(req.method.clone()))
            .with_headers(headers);
        if !req.body.is_empty() {
            init.with_body(Some(js_sys::Uint8Array::from(req.body.as_slice()).into()));
        }
        let query = if req.query.is_empty() {
            String::new()
        } else {
            format!("?{}", req.query)
        };
        let url = format!("{}{}{query}", req.origin(), req.path);
        let forwarded = ::worker::Request::new_with_init(&url, &init)?;
        let mut answer = stub.fetch_with_request(forwarded).await?;
        let mut response = Response::empty(answer.status_code());
        response.headers = answer
            .headers()
            .entries()
            .map(|(k, v)| (k.to_ascii_lowercase(), v))
            .filter(|(k, _)| !EDGE_HEADERS.contains(&k.as_str()))
            .collect();
        response.body = answer.bytes().await?;
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
            ApiError::Storage(StoreError::Backend(format!(
                "the project's Durable Object did not answer: {e}"
            )))
        })
    }
}
