//! The Heat / RTS software-config API, under `/v1/{project_id}` (its operations and paths are
//! rows of [`crate::operations::ROUTES`]): configs (`?limit=&marker=` newest first), deployments
//! (`?server_id=`; create takes one object or an array; ETag / If-Match), a server's metadata and
//! its agent URL (see [`crate::service::agent`]), and `POST /validate`, a template of software
//! configs as the `openstack` CLI checks one.

use super::{parse_body, parse_query, Ctx};
use crate::api::envelope;
use crate::domain::heat::{
    parse_config_list_query, parse_deployment_list_query, parse_deployment_update,
    parse_new_config, parse_new_deployments, parse_template_validation, SoftwareDeployment,
};
use crate::error::ApiError;
use crate::http::{Named, Request, Response};
use crate::operations::{Operation, PathIds};
use crate::service::agent::AgentService;
use crate::service::heat::{deployment_id, etag, HeatService};
use serde_json::json;

/// Answers a Heat operation ([`Api::Heat`](crate::operations::Api::Heat)) of `project`, the
/// project in its path (its caller authenticated for it).
pub async fn handle(
    req: &Request,
    ctx: &Ctx<'_>,
    op: Operation,
    ids: &PathIds,
    project: &str,
) -> Response {
    answer(req, ctx, op, ids, project)
        .await
        .unwrap_or_else(|e| envelope::heat(&e))
}

async fn answer(
    req: &Request,
    ctx: &Ctx<'_>,
    op: Operation,
    ids: &PathIds,
    project: &str,
) -> Result<Response, ApiError> {
    let now_ms = ctx.clock.now_ms();
    let svc = HeatService::new(ctx.store, project).at(now_ms);
    let agents = AgentService::new(
        ctx.store,
        project,
        ctx.settings.credentials_key.as_deref(),
        now_ms,
    );
    let limit = ctx.settings.max_body_bytes;
    let (id, server) = (ids.get("id"), ids.get("server_id"));
    let deployment = |d: &SoftwareDeployment| {
        Response::json(200, &Named("software_deployment", d.view())).with_header("etag", etag(d))
    };
    Ok(match op {
        Operation::SoftwareConfigList => {
            let page = parse_query(req, parse_config_list_query)?;
            let configs = svc.list_configs(page.limit, page.marker.as_deref()).await?;
            Response::json(200, &json!({"software_configs": configs}))
        }
        Operation::SoftwareConfigCreate => {
            let new = parse_body(req, limit, parse_new_config)?;
            let id = crate::ids::issue(crate::ids::uuid_v4)?;
            let config = svc.create_config(id, new, now_ms).await?;
            Response::json(200, &Named("software_config", config.view()))
        }
        Operation::SoftwareConfigShow => {
            Response::json(200, &Named("software_config", svc.config(id).await?.view()))
        }
        Operation::SoftwareConfigDelete => {
            svc.delete_config(id).await?;
            Response::empty(204)
        }
        Operation::SoftwareDeploymentList => {
            let server = parse_query(req, parse_deployment_list_query)?;
            let deployments = svc.list_deployments(server.as_deref()).await?;
            let wire: Vec<_> = deployments.iter().map(|d| d.view()).collect();
            Response::json(200, &json!({"software_deployments": wire}))
        }
        Operation::SoftwareDeploymentCreate => {
            let (news, batch) = parse_body(req, limit, parse_new_deployments)?;
            let ids = news
                .iter()
                .map(|n| deployment_id(&n.server_id))
                .collect::<Result<Vec<_>, _>>()?;
            let created = svc.create_deployments(ids, news, now_ms).await?;
            if batch {
                let wire: Vec<_> = created.iter().map(|d| d.view()).collect();
                Response::json(200, &json!({"software_deployments": wire}))
            } else {
                deployment(&created[0])
            }
        }
        Operation::SoftwareDeploymentShow => deployment(&svc.deployment(id).await?),
        Operation::SoftwareDeploymentUpdate => {
            let update = parse_body(req, limit, parse_deployment_update)?;
            let if_match = req.header_value("if-match");
            deployment(&svc.update_deployment(id, update, if_match, now_ms).await?)
        }
        Operation::SoftwareDeploymentDelete => {
            svc.delete_deployment(id).await?;
            Response::empty(204)
        }
        Operation::SoftwareDeploymentMetadata => Response::json(
            200,
            &json!({"metadata": agents.heat_metadata(server, ctx.origin).await?}),
        ),
        Operation::ServerAgentShow => {
            Response::json(200, &agents.status(server, ctx.origin).await?)
        }
        Operation::ServerAgentIssue => {
            Response::json(201, &agents.issue(server, ctx.origin).await?)
        }
        Operation::ServerAgentRevoke => {
            agents.revoke(server).await?;
            Response::empty(204)
        }
        Operation::TemplateValidate => {
            let description = parse_body(req, limit, parse_template_validation)?;
            Response::json(200, &json!({"Description": description, "Parameters": {}}))
        }
        other => {
            return Err(ApiError::NotFound(format!(
                "{other} is not a Heat operation"
            )))
        }
    })
}
