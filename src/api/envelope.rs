//! Error envelopes, chosen here and only here ([`of`]): Heat's fault body for the software-config,
//! admin and agent APIs; Huawei's flat `error_code`/`error_msg` body for CodeArts.

use crate::error::{ApiError, AuthFailure};
use crate::http::Response;
use crate::operations::Api;
use serde_json::json;

/// An error in the envelope of `api`.
pub fn of(api: Api, err: &ApiError) -> Response {
    let mut response = match api {
        Api::CodeArts => codearts(err),
        Api::Heat | Api::Admin | Api::Agent | Api::Meta => heat(err),
    };
    if let ApiError::MethodNotAllowed { allow } = err {
        response = response.with_header("allow", allow.as_str());
    }
    response
}

fn heat_title(status: u16) -> (&'static str, &'static str, &'static str) {
    match status {
        400 => ("Bad Request", "The server could not comply with the request since it is either malformed or otherwise incorrect.", "HTTPBadRequest"),
        401 => ("Unauthorized", "This server could not verify that you are authorized to access the document you requested.", "HTTPUnauthorized"),
        403 => ("Forbidden", "Access was denied to this resource.", "Forbidden"),
        404 => ("Not Found", "The resource could not be found.", "NotFound"),
        405 => ("Method Not Allowed", "The method specified is not allowed for this resource.", "HTTPMethodNotAllowed"),
        409 => ("Conflict", "There was a conflict when trying to complete your request.", "Conflict"),
        412 => ("Precondition Failed", "Request precondition failed.", "HTTPPreconditionFailed"),
        413 => ("Request Entity Too Large", "The body of your request was too large for this server.", "RequestEntityTooLarge"),
        415 => ("Unsupported Media Type", "The request media type is not supported by this server.", "HTTPUnsupportedMediaType"),
        _ => ("Internal Server Error", "The server has either erred or is incapable of performing the requested operation.", "InternalServerError"),
    }
}

/// Heat's fault body: `{code, title, explanation, error: {message, type, traceback, errors}}`.
/// `errors` (field errors with JSON-pointer paths) is our addition; clients ignore it.
fn heat(err: &ApiError) -> Response {
    let status = err.status();
    let (title, explanation, kind) = heat_title(status);
    let body = json!({
        "code": status,
        "title": title,
        "explanation": explanation,
        "error": {"message": err.to_string(), "type": kind, "traceback": null, "errors": err.field_errors()},
    });
    let mut response = Response::json(status, &body).with_cause(err.cause());
    if status == 401 {
        response = response.with_header("www-authenticate", "Keystone uri=\"\"");
    }
    response
}

/// Our codes for failures Huawei documents no code for (see docs/codearts.md).
pub const CODE_INVALID: &str = "EDGE.00000400";
pub const CODE_NO_ROUTE: &str = "EDGE.00000404";
pub const CODE_CONFLICT: &str = "EDGE.00000409";
pub const CODE_METHOD: &str = "EDGE.00000405";
pub const CODE_TOO_LARGE: &str = "EDGE.00000413";
pub const CODE_MEDIA_TYPE: &str = "EDGE.00000415";
pub const CODE_INTERNAL: &str = "EDGE.00000500";
/// Huawei's codes.
pub const CODE_NAME_TAKEN: &str = "Deploy.00011001";
pub const CODE_NO_SUCH_APP: &str = "Deploy.00011020";
pub const CODE_NO_PERMISSION: &str = "Deploy.00011154";
pub const CODE_NO_CREDENTIALS: &str = "DEV.00000001";
pub const CODE_BAD_CREDENTIALS: &str = "DEV.00000002";
pub const CODE_EXPIRED: &str = "DEV.00000003";

/// The status and CodeArts `error_code` of an error.
pub fn codearts_status_and_code(err: &ApiError) -> (u16, &'static str) {
    match err {
        ApiError::Invalid(_) => (400, CODE_INVALID),
        ApiError::NameTaken(_) => (400, CODE_NAME_TAKEN),
        ApiError::Conflict(_) => (400, CODE_CONFLICT),
        ApiError::Unauthenticated(AuthFailure::Missing) => (401, CODE_NO_CREDENTIALS),
        ApiError::Unauthenticated(AuthFailure::Invalid) => (401, CODE_BAD_CREDENTIALS),
        ApiError::Unauthenticated(AuthFailure::Expired) => (401, CODE_EXPIRED),
        ApiError::Forbidden(_) => (403, CODE_NO_PERMISSION),
        ApiError::NotFound(_) => (404, CODE_NO_SUCH_APP),
        ApiError::NoRoute(_) => (404, CODE_NO_ROUTE),
        ApiError::MethodNotAllowed { .. } => (405, CODE_METHOD),
        ApiError::PreconditionFailed(_) => (412, CODE_INVALID),
        ApiError::PayloadTooLarge { .. } => (413, CODE_TOO_LARGE),
        ApiError::UnsupportedMediaType(_) => (415, CODE_MEDIA_TYPE),
        ApiError::Storage(_) => (500, CODE_INTERNAL),
    }
}

/// The flat CodeArts error body: `{"error_code","error_msg","errors":[...]}`.
fn codearts(err: &ApiError) -> Response {
    let (status, code) = codearts_status_and_code(err);
    Response::json(
        status,
        &json!({"error_code": code, "error_msg": err.to_string(), "errors": err.field_errors()}),
    )
    .with_cause(err.cause())
}
