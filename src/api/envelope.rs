//! Error envelopes: Heat's fault body for the software-config API and the admin API.

use crate::error::ApiError;
use crate::http::Response;
use serde_json::json;

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
pub fn heat(err: &ApiError) -> Response {
    let status = err.status();
    let (title, explanation, kind) = heat_title(status);
    let body = json!({
        "code": status,
        "title": title,
        "explanation": explanation,
        "error": {"message": err.to_string(), "type": kind, "traceback": null, "errors": err.field_errors()},
    });
    let mut response = Response::json(status, &body).with_cause(err.cause());
    if let ApiError::MethodNotAllowed { allow } = err {
        response = response.with_header("allow", allow.as_str());
    }
    if status == 401 {
        response = response.with_header("www-authenticate", "Keystone uri=\"\"");
    }
    response
}
