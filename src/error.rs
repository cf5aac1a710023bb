//! The one error type of the core. Each variant has a pure HTTP status; the API layer turns it
//! into the envelope its API uses (Heat's fault body or CodeArts' flat `error_code`/`error_msg`).

use crate::store::StoreError;
use crate::validate::FieldError;

/// Why a request could not be authenticated (all answered with 401).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthFailure {
    /// No credentials at all.
    Missing,
    /// Credentials that are unknown, revoked, malformed or do not verify. Deliberately one case:
    /// the answer never says whether a key or token exists.
    Invalid,
    /// A signed request whose date is too far from the server's clock.
    Expired,
}

/// Everything a request can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the payload broke one or more rules.
    #[error("{}", summarize(.0))]
    Invalid(Vec<FieldError>),
    /// 401.
    #[error("{}", match .0 { AuthFailure::Missing => "Authentication required", AuthFailure::Invalid => "The credentials are not valid", AuthFailure::Expired => "The request date is too far from the server time" })]
    Unauthenticated(AuthFailure),
    /// 403.
    #[error("{0}")]
    Forbidden(String),
    /// 404.
    #[error("{0}")]
    NotFound(String),
    /// No operation has this path.
    #[error("No resource at {0}")]
    NoRoute(String),
    /// 405, with the methods the path allows.
    #[error("The method is not allowed for this resource (allowed: {allow})")]
    MethodNotAllowed { allow: String },
    /// 409: the resource's state does not allow the request (a running record, a full document).
    #[error("{0}")]
    Conflict(String),
    /// 409: a name that must be unique is taken (CodeArts answers it as a 400 of its own code).
    #[error("{0}")]
    NameTaken(String),
    /// 412: an `If-Match` that no longer matches.
    #[error("{0}")]
    PreconditionFailed(String),
    /// 413.
    #[error("The request body is larger than {limit} bytes")]
    PayloadTooLarge { limit: usize },
    /// 415.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// 500: the store failed. The client sees a generic message; the source is logged.
    #[error("Something went wrong while reading or writing storage")]
    Storage(#[from] StoreError),
}

impl ApiError {
    /// What went wrong inside, for the log (never for the client): the storage failure.
    pub fn cause(&self) -> Option<String> {
        match self {
            ApiError::Storage(e) => Some(e.to_string()),
            _ => None,
        }
    }

    /// The HTTP status code.
    pub fn status(&self) -> u16 {
        match self {
            ApiError::Invalid(_) => 400,
            ApiError::Unauthenticated(_) => 401,
            ApiError::Forbidden(_) => 403,
            ApiError::NotFound(_) | ApiError::NoRoute(_) => 404,
            ApiError::MethodNotAllowed { .. } => 405,
            ApiError::Conflict(_) | ApiError::NameTaken(_) => 409,
            ApiError::PreconditionFailed(_) => 412,
            ApiError::PayloadTooLarge { .. } => 413,
            ApiError::UnsupportedMediaType(_) => 415,
            ApiError::Storage(_) => 500,
        }
    }

    /// The field errors, for envelopes that list them.
    pub fn field_errors(&self) -> &[FieldError] {
        match self {
            ApiError::Invalid(errors) => errors,
            _ => &[],
        }
    }

    /// `"{What} with id {id} not found"`, Heat's wording.
    pub fn not_found(what: &str, id: &str) -> Self {
        ApiError::NotFound(format!("{what} with id {id} not found"))
    }

    /// A single field error as a 400.
    pub fn invalid(error: FieldError) -> Self {
        ApiError::Invalid(vec![error])
    }
}

fn summarize(errors: &[FieldError]) -> String {
    let joined: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
    format!("Invalid request: {}", joined.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::Rule;

    #[test]
    fn an_invalid_payload_names_every_field_in_its_message() {
        let e = ApiError::Invalid(vec![
            FieldError::new("/server_id", Rule::Required, "is required"),
            FieldError::new(
                "/status",
                Rule::one_of(&["COMPLETE"]),
                "must be one of: COMPLETE",
            ),
        ]);
        assert_eq!(e.status(), 400);
        assert_eq!(
            e.to_string(),
            "Invalid request: server_id is required; status must be one of: COMPLETE"
        );
    }

    #[test]
    fn storage_failures_hide_their_cause() {
        let e = ApiError::from(StoreError::Backend("kv exploded: secret detail".into()));
        assert_eq!(e.status(), 500);
        assert!(!e.to_string().contains("secret"));
    }
}
