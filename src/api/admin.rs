//! The admin API (`Authorization: Bearer` the admin token): a project's tokens and AK/SK
//! credentials, listed without their secrets (see [`crate::auth`], [`crate::credentials`]).

use super::Ctx;
use crate::auth;
use crate::error::ApiError;
use crate::http::Response;
use crate::operations::{AdminCall, PathIds};
use crate::validate::{FieldError, Rule};
use serde_json::json;

/// Answers an admin call ([`Api::Admin`](crate::operations::Api::Admin)).
pub async fn answer(ctx: &Ctx<'_>, call: AdminCall, ids: &PathIds) -> Result<Response, ApiError> {
    let project = ids.get("project_id");
    if !auth::is_project_id(project) {
        return Err(ApiError::invalid(FieldError::new(
            "/project_id",
            Rule::Pattern {
                pattern: auth::PROJECT_ID_PATTERN,
            },
            format_args!("must be {}", auth::PROJECT_ID_PATTERN),
        )));
    }
    let now_ms = ctx.clock.now_ms();
    let key = ctx.settings.credentials_key.as_deref();
    Ok(match call {
        AdminCall::TokenList => Response::json(
            200,
            &json!({ "tokens": auth::list_tokens(ctx.store, project).await? }),
        ),
        AdminCall::TokenIssue => {
            Response::json(201, &auth::issue_token(ctx.store, project, now_ms).await?)
        }
        AdminCall::TokenRevoke => {
            auth::revoke_token(ctx.store, project, ids.get("id")).await?;
            Response::empty(204)
        }
        AdminCall::CredentialList => Response::json(
            200,
            &json!({ "credentials": crate::credentials::list(ctx.store, project).await? }),
        ),
        AdminCall::CredentialIssue => Response::json(
            201,
            &crate::credentials::issue(ctx.store, project, key, now_ms).await?,
        ),
        AdminCall::CredentialRevoke => {
            crate::credentials::revoke(ctx.store, project, ids.get("access_key")).await?;
            Response::empty(204)
        }
    })
}
