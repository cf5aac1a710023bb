//! The CodeArts Deploy application API (issue 3).

use super::Ctx;
use crate::clock::Clock;
use crate::http::{Request, Response};
use crate::store::Store;

/// Routes `/v1/applications...` and `/v2/applications...`; `version` is `"v1"` or `"v2"`.
pub async fn route<S: Store + ?Sized, C: Clock + ?Sized>(
    req: &Request,
    _ctx: &Ctx<'_, S, C>,
    version: &str,
    rest: &[&str],
) -> Response {
    let _ = (version, rest);
    Response::json(
        404,
        &serde_json::json!({"error_code": "Deploy.00011020", "error_msg": format!("No resource at {}", req.path)}),
    )
}
