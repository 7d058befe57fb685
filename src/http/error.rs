//! One error type for every HTTP handler, rendered as RFC 9457
//! `application/problem+json`. Internal details are logged with an id and
//! never sent to the client.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::ServiceError;
use crate::validate::FieldError;

/// A problem details body (RFC 9457).
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI reference naming the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// One entry per invalid field (validation problems only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("unauthenticated: {0}")]
    Unauthorized(String),
    #[error("forbidden: {0}")]
    Forbidden(String),
    #[error("too many requests: {0}")]
    TooMany(String),
    #[error("method not allowed: {0}")]
    MethodNotAllowed(String),
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("invalid fields")]
    Invalid(Vec<FieldError>),
    #[error("service unavailable: {0}")]
    Unavailable(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::NotFound(what) => ApiError::NotFound(format!("{what} does not exist")),
            ServiceError::Conflict(m) => ApiError::Conflict(m),
            ServiceError::Forbidden(m) => ApiError::Forbidden(m),
            ServiceError::Invalid(errors) => ApiError::Invalid(errors),
            ServiceError::Unavailable(_) => {
                ApiError::Unavailable("the database is not reachable".into())
            }
            ServiceError::Db(e) => ApiError::Internal(e.into()),
            ServiceError::Internal(m) => ApiError::Internal(anyhow::anyhow!(m)),
        }
    }
}

/// Invalid fields, from a DTO or a domain parser.
impl From<Vec<FieldError>> for ApiError {
    fn from(errors: Vec<FieldError>) -> Self {
        ApiError::Invalid(errors)
    }
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(e: sea_orm::DbErr) -> Self {
        db_error(e)
    }
}

/// Through the service error's one mapping: a unique key violated is a
/// 409, connection trouble a 503 (try again), anything else a logged 500.
fn db_error(e: sea_orm::DbErr) -> ApiError {
    ServiceError::from(e).into()
}

impl ApiError {
    fn parts(&self) -> (StatusCode, &'static str, &'static str) {
        match self {
            ApiError::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad-request", "Bad request"),
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "not-found", "Not found"),
            ApiError::Unauthorized(_) => (
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "Authentication required",
            ),
            ApiError::Forbidden(_) => (
                StatusCode::FORBIDDEN,
                "forbidden",
                "Not allowed for your role",
            ),
            ApiError::MethodNotAllowed(_) => (
                StatusCode::METHOD_NOT_ALLOWED,
                "method-not-allowed",
                "Method not allowed",
            ),
            ApiError::TooMany(_) => (
                StatusCode::TOO_MANY_REQUESTS,
                "throttled",
                "Too many attempts",
            ),
            ApiError::Conflict(_) => (
                StatusCode::CONFLICT,
                "conflict",
                "Not allowed in the ticket's current state",
            ),
            ApiError::Invalid(_) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation",
                "Invalid fields",
            ),
            ApiError::Unavailable(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "Service unavailable",
            ),
            ApiError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Internal error",
            ),
        }
    }
}

impl From<crate::auth::AuthError> for ApiError {
    fn from(e: crate::auth::AuthError) -> Self {
        use crate::auth::AuthError as A;
        match e {
            A::Unauthenticated(m) => ApiError::Unauthorized(m),
            A::Locked(until) => ApiError::TooMany(format!(
                "too many failed logins; try again after {}",
                until.to_rfc3339()
            )),
            A::Db(e) => db_error(e),
            A::Other(m) => ApiError::Internal(anyhow::anyhow!(m)),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, kind, title) = self.parts();
        let (detail, errors) = match self {
            ApiError::BadRequest(m)
            | ApiError::Unauthorized(m)
            | ApiError::Forbidden(m)
            | ApiError::TooMany(m)
            | ApiError::MethodNotAllowed(m)
            | ApiError::NotFound(m)
            | ApiError::Conflict(m)
            | ApiError::Unavailable(m) => (m, Vec::new()),
            ApiError::Invalid(errors) => (format!("{} field(s) are invalid", errors.len()), errors),
            ApiError::Internal(e) => {
                let id = format!(
                    "{:x}",
                    chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default()
                );
                tracing::error!(error_id = %id, error = ?e, "internal error");
                (
                    format!("an internal error occurred; quote error id {id} to the operator"),
                    Vec::new(),
                )
            }
        };
        let body = Problem {
            kind: format!("/problems/{kind}"),
            title: title.into(),
            status: status.as_u16(),
            detail,
            errors,
        };
        let mut res = (status, axum::Json(body)).into_response();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if status == StatusCode::UNAUTHORIZED {
            res.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        res
    }
}
