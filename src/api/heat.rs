//! The Heat / RTS software-config API, under `/v1/{project_id}` (its operations and paths are
//! rows of [`crate::operations::OPERATIONS`]): configs (`?limit=&marker=` newest first), deployments
//! (`?server_id=`; create takes one object or an array; ETag / If-Match), a server's metadata and
//! its agent URL (see [`crate::service::agent`]), and `POST /validate`, a template of software
//! configs as the `openstack` CLI checks one.

use super::Ctx;
use crate::domain::heat::SoftwareDeployment;
use crate::error::ApiError;
use crate::http::{Named, Request, Response};
use crate::operations::{HeatCall, PathIds};
use crate::service::agent::AgentService;
use crate::service::deployments::Deployments;
use crate::service::heat::{deployment_id, etag, HeatService};
use serde_json::json;

/// Answers a Heat call ([`Api::Heat`](crate::operations::Api::Heat)) of `project`, the project
/// in its path (its caller authenticated for it).
pub async fn answer(
    req: &Request,
    ctx: &Ctx<'_>,
    call: HeatCall,
    ids: &PathIds,
    project: &str,
) -> Result<Response, ApiError> {
    let now_ms = ctx.clock.now_ms();
    let svc = HeatService::new(ctx.store, project).at(now_ms);
    let writes = Deployments::new(ctx.store, project, now_ms);
    let agents = AgentService::new(
        ctx.store,
        project,
        ctx.settings.credentials_key.as_deref(),
        now_ms,
    );
    let (id, server) = (ids.get("id"), ids.get("server_id"));
    let deployment = |d: &SoftwareDeployment| {
        Response::json(200, &Named("software_deployment", d.view())).with_header("etag", etag(d))
    };
    Ok(match call {
        HeatCall::SoftwareConfigList(page) => {
            let configs = svc.list_configs(page.limit, page.marker.as_deref()).await?;
            Response::json(200, &json!({"software_configs": configs}))
        }
        HeatCall::SoftwareConfigCreate(new) => {
            let id = crate::ids::issue(crate::ids::uuid_v4)?;
            let config = svc.create_config(id, new, now_ms).await?;
            Response::json(200, &Named("software_config", config.view()))
        }
        HeatCall::SoftwareConfigShow => {
            Response::json(200, &Named("software_config", svc.config(id).await?.view()))
        }
        HeatCall::SoftwareConfigDelete => {
            svc.delete_config(id).await?;
            Response::empty(204)
        }
        HeatCall::SoftwareDeploymentList(server) => {
            let deployments = svc.list_deployments(server.as_deref()).await?;
            let wire: Vec<_> = deployments.iter().map(|d| d.view()).collect();
            Response::json(200, &json!({"software_deployments": wire}))
        }
        HeatCall::SoftwareDeploymentCreate((news, batch)) => {
            let ids = news
                .iter()
                .map(|n| deployment_id(&n.server_id))
                .collect::<Result<Vec<_>, _>>()?;
            let created = writes.create(ids, news).await?;
            if batch {
                let wire: Vec<_> = created.iter().map(|d| d.view()).collect();
                Response::json(200, &json!({"software_deployments": wire}))
            } else {
                deployment(&created[0])
            }
        }
        HeatCall::SoftwareDeploymentShow => deployment(&svc.deployment(id).await?),
        HeatCall::SoftwareDeploymentUpdate(update) => {
            let if_match = req.header_value("if-match");
            deployment(&writes.update(id, update, if_match).await?)
        }
        HeatCall::SoftwareDeploymentDelete => {
            writes.delete(id).await?;
            Response::empty(204)
        }
        HeatCall::SoftwareDeploymentMetadata => Response::json(
            200,
            &json!({"metadata": agents.heat_metadata(server, ctx.origin).await?}),
        ),
        HeatCall::ServerAgentShow => Response::json(200, &agents.status(server, ctx.origin).await?),
        HeatCall::ServerAgentIssue => Response::json(201, &agents.issue(server, ctx.origin).await?),
        HeatCall::ServerAgentRevoke => {
            agents.revoke(server).await?;
            Response::empty(204)
        }
        HeatCall::TemplateValidate(description) => {
            Response::json(200, &json!({"Description": description, "Parameters": {}}))
        }
    })
}
