//! The Heat / RTS software-config API, under `/v1/{project_id}`:
//!
//! - `GET|POST /software_configs` (`?limit=&marker=` newest first)
//! - `GET|DELETE /software_configs/{id}`
//! - `GET|POST /software_deployments` (`?server_id=`; POST takes one object or an array)
//! - `GET|PUT|DELETE /software_deployments/{id}` (ETag / If-Match)
//! - `GET /software_deployments/metadata/{server_id}`
//! - `GET|POST|DELETE /servers/{server_id}/agent`: the server's agent URL (see
//!   [`crate::service::agent`])
//! - `POST /validate`: a template of software configs, as the `openstack` CLI checks one

use super::{into_api, json_body, Ctx};
use crate::api::envelope;
use crate::auth;
use crate::clock::Clock;
use crate::domain::heat::{
    parse_deployment_update, parse_new_config, parse_new_deployments, parse_template_validation,
};
use crate::error::ApiError;
use crate::http::{Request, Response};
use crate::service::agent::AgentService;
use crate::service::heat::{deployment_id, etag, HeatService, MAX_CONFIG_PAGE};
use crate::store::Store;
use crate::validate::{Code, FieldError, Report};
use serde_json::{json, Value};

enum Route<'r> {
    Configs,
    Config(&'r str),
    Deployments,
    Deployment(&'r str),
    Metadata(&'r str),
    Agent(&'r str),
    Validate,
}

impl Route<'_> {
    fn allow(&self) -> &'static str {
        match self {
            Route::Configs | Route::Deployments => "GET, POST",
            Route::Config(_) => "GET, DELETE",
            Route::Deployment(_) => "GET, PUT, DELETE",
            Route::Metadata(_) => "GET",
            Route::Agent(_) => "GET, POST, DELETE",
            Route::Validate => "POST",
        }
    }
}

/// Routes `/v1/{project}/{rest..}`.
pub async fn route<S: Store + ?Sized, C: Clock + ?Sized>(
    req: &Request,
    ctx: &Ctx<'_, S, C>,
    project: &str,
    rest: &[&str],
) -> Response {
    handle(req, ctx, project, rest)
        .await
        .unwrap_or_else(|e| envelope::heat(&e))
}

async fn handle<S: Store + ?Sized, C: Clock + ?Sized>(
    req: &Request,
    ctx: &Ctx<'_, S, C>,
    project: &str,
    rest: &[&str],
) -> Result<Response, ApiError> {
    let not_found = || ApiError::NotFound(format!("No resource at {}", req.path));
    if !auth::is_project_id(project) {
        return Err(not_found());
    }
    let route = match rest {
        ["software_configs"] => Route::Configs,
        ["software_configs", id] => Route::Config(id),
        ["software_deployments"] => Route::Deployments,
        ["software_deployments", "metadata", server] => Route::Metadata(server),
        ["software_deployments", id] => Route::Deployment(id),
        ["servers", server, "agent"] => Route::Agent(server),
        ["validate"] => Route::Validate,
        _ => return Err(not_found()),
    };
    let method = if req.method == "HEAD" {
        "GET"
    } else {
        req.method.as_str()
    };
    // The method is checked before anything is read: a 405 says nothing of the caller.
    if !route.allow().split(", ").any(|m| m == method) {
        return Err(ApiError::MethodNotAllowed {
            allow: route.allow(),
        });
    }
    auth::authorize_project(ctx.store, req.header_value("x-auth-token"), project).await?;
    let now_ms = ctx.clock.now_ms();
    let svc = HeatService::new(ctx.store, project).at(now_ms);
    let agents = AgentService::new(
        ctx.store,
        project,
        ctx.settings.credentials_key.as_deref(),
        now_ms,
    );
    let limit = ctx.settings.max_body_bytes;
    match (method, route) {
        ("GET", Route::Configs) => {
            let (limit, marker) = paging(req)?;
            let configs = svc.list_configs(limit, marker.as_deref()).await?;
            Ok(Response::json(200, &json!({"software_configs": configs})))
        }
        ("POST", Route::Configs) => {
            let body = json_body(req, limit)?;
            let mut report = Report::default();
            let new = into_api(parse_new_config(&body, &mut report), report)?;
            let config = svc
                .create_config(
                    crate::ids::issue(crate::ids::uuid_v4)?,
                    new,
                    ctx.clock.now_ms(),
                )
                .await?;
            Ok(Response::json(
                200,
                &json!({"software_config": config.to_wire()}),
            ))
        }
        ("GET", Route::Config(id)) => Ok(Response::json(
            200,
            &json!({"software_config": svc.config(id).await?.to_wire()}),
        )),
        ("DELETE", Route::Config(id)) => {
            svc.delete_config(id).await?;
            Ok(Response::empty(204))
        }
        ("GET", Route::Deployments) => {
            let server = req.query_param("server_id");
            let deployments = svc.list_deployments(server.as_deref()).await?;
            let wire: Vec<Value> = deployments.iter().map(|d| d.to_wire()).collect();
            Ok(Response::json(200, &json!({"software_deployments": wire})))
        }
        ("POST", Route::Deployments) => {
            let body = json_body(req, limit)?;
            let mut report = Report::default();
            let (news, batch) = into_api(parse_new_deployments(&body, &mut report), report)?;
            let ids = news
                .iter()
                .map(|n| deployment_id(&n.server_id))
                .collect::<Result<Vec<_>, _>>()?;
            let created = svc
                .create_deployments(ids, news, ctx.clock.now_ms())
                .await?;
            if batch {
                let wire: Vec<Value> = created.iter().map(|d| d.to_wire()).collect();
                Ok(Response::json(200, &json!({"software_deployments": wire})))
            } else {
                let d = &created[0];
                Ok(
                    Response::json(200, &json!({"software_deployment": d.to_wire()}))
                        .with_header("etag", etag(d)),
                )
            }
        }
        ("GET", Route::Deployment(id)) => {
            let d = svc.deployment(id).await?;
            Ok(
                Response::json(200, &json!({"software_deployment": d.to_wire()}))
                    .with_header("etag", etag(&d)),
            )
        }
        ("PUT", Route::Deployment(id)) => {
            let body = json_body(req, limit)?;
            let mut report = Report::default();
            let update = into_api(parse_deployment_update(&body, &mut report), report)?;
            let d = svc
                .update_deployment(id, update, req.header_value("if-match"), ctx.clock.now_ms())
                .await?;
            Ok(
                Response::json(200, &json!({"software_deployment": d.to_wire()}))
                    .with_header("etag", etag(&d)),
            )
        }
        ("DELETE", Route::Deployment(id)) => {
            svc.delete_deployment(id).await?;
            Ok(Response::empty(204))
        }
        ("GET", Route::Metadata(server)) => Ok(Response::json(
            200,
            &json!({"metadata": agents.heat_metadata(server, ctx.origin).await?}),
        )),
        ("GET", Route::Agent(server)) => Ok(Response::json(
            200,
            &agents.status(server, ctx.origin).await?,
        )),
        ("POST", Route::Agent(server)) => Ok(Response::json(
            201,
            &agents.issue(server, ctx.origin).await?,
        )),
        ("DELETE", Route::Agent(server)) => {
            agents.revoke(server).await?;
            Ok(Response::empty(204))
        }
        ("POST", Route::Validate) => {
            let body = json_body(req, limit)?;
            let mut report = Report::default();
            let description = into_api(parse_template_validation(&body, &mut report), report)?;
            Ok(Response::json(
                200,
                &json!({"Description": description, "Parameters": {}}),
            ))
        }
        (_, route) => Err(ApiError::MethodNotAllowed {
            allow: route.allow(),
        }),
    }
}

/// `limit` (a non-negative whole number; at most 1,000 items are returned) and `marker` for
/// config listings.
fn paging(req: &Request) -> Result<(usize, Option<String>), ApiError> {
    let limit = match req.query_param("limit") {
        None => MAX_CONFIG_PAGE,
        Some(raw) => match raw.trim().parse::<u64>() {
            Ok(n) => (n.min(MAX_CONFIG_PAGE as u64)) as usize,
            Err(_) => {
                return Err(ApiError::invalid(FieldError::new(
                    "/limit",
                    Code::Type,
                    "must be a non-negative whole number",
                )))
            }
        },
    };
    Ok((limit, req.query_param("marker").filter(|m| !m.is_empty())))
}
