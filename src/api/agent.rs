//! What server agents call, with no auth header (the URL is the capability; see
//! [`crate::service::agent`]): the agent document (`AgentPoll`: os-collect-config's `request`
//! collector; `ETag`, `Last-Modified`, 304 on `If-None-Match` / `If-Modified-Since`) and a
//! deployment's result (`AgentSignal`: `heat-config-notify`). Their paths are rows of
//! [`crate::operations::OPERATIONS`]. Errors use Heat's fault body. Anything that is not a current URL
//! is the same 404.

use super::Ctx;
use crate::domain::agent::SignalOutcome;
use crate::error::ApiError;
use crate::http::{Request, Response};
use crate::operations::{AgentCall, PathIds};
use crate::service::agent::{AgentService, AgentUrl, Conditions, Poll};
use crate::service::executions::ExecutionService;
use serde_json::json;

fn agent_url(ids: &PathIds) -> AgentUrl<'_> {
    AgentUrl {
        project: ids.get("project_id"),
        server_ref: ids.get("server_ref"),
        secret: ids.get("secret"),
    }
}

/// Checks an agent's URL alone (the same 404 for every URL that is not a current one), over
/// `ctx.store`: what a project's object that has no records yet asks of KV before it makes any.
pub async fn verify(ctx: &Ctx<'_>, ids: &PathIds) -> Result<(), ApiError> {
    let url = agent_url(ids);
    AgentService::new(
        ctx.store,
        url.project,
        ctx.settings.credentials_key.as_deref(),
        ctx.clock.now_ms(),
    )
    .verify(&url)
    .await
}

/// Answers an agent call ([`Api::Agent`](crate::operations::Api::Agent)).
pub async fn answer(
    req: &Request,
    ctx: &Ctx<'_>,
    call: AgentCall,
    ids: &PathIds,
) -> Result<Response, ApiError> {
    let url = agent_url(ids);
    let agents = AgentService::new(
        ctx.store,
        url.project,
        ctx.settings.credentials_key.as_deref(),
        ctx.clock.now_ms(),
    )
    .with_isolate_cache(ctx.isolate);
    match call {
        AgentCall::AgentPoll => {
            let conditions = Conditions {
                if_none_match: req.header_value("if-none-match"),
                if_modified_since: req.header_value("if-modified-since"),
            };
            let (poll, contact) = agents.poll(&url, ctx.origin, conditions).await?;
            let mut response = match poll {
                Poll::Document {
                    body,
                    etag,
                    last_modified,
                } => Response::json(200, &body)
                    .with_header("etag", etag)
                    .with_header("last-modified", last_modified),
                Poll::NotModified {
                    etag,
                    last_modified,
                } => Response::empty(304)
                    .with_header("etag", etag)
                    .with_header("last-modified", last_modified),
            };
            response.after.extend(contact);
            Ok(response)
        }
        AgentCall::AgentSignal(details) => {
            let (d, outcome) = agents.signal(&url, ids.get("derived_id"), &details).await?;
            if outcome == SignalOutcome::Recorded {
                // A CodeArts step's result moves its record on (its host's next step).
                ExecutionService::new(
                    ctx.store,
                    url.project,
                    ctx.clock.now_ms(),
                    crate::ids::hex32,
                )
                .advance(&d)
                .await?;
            }
            Ok(Response::json(
                200,
                &json!({"deployment_id": d.id, "status": d.status, "status_reason": d.status_reason}),
            ))
        }
    }
}
