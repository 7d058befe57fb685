//! `/api/v1/mail`: the outbox for installation-wide admins: list rows (the
//! failed ones above all) and put a failed mail back in the queue.

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};

use crate::app::App;
use crate::auth::{Principal, permissions};
use crate::http::error::{ApiError, Problem};
use crate::http::extract::{IdPath, QueryMap};
use crate::mail::{self, MailError, OutboxState, OutboxView};

pub fn router() -> Router<App> {
    Router::new()
        .route("/mail", get(list))
        .route("/mail/{id}/retry", post(retry))
}

impl From<MailError> for ApiError {
    fn from(e: MailError) -> Self {
        match e {
            MailError::NotFound(id) => {
                ApiError::NotFound(format!("outbox mail {id} does not exist"))
            }
            MailError::Conflict(m) => ApiError::Conflict(m),
            MailError::Db(sea_orm::DbErr::ConnectionAcquire(_) | sea_orm::DbErr::Conn(_)) => {
                ApiError::Unavailable("the database is not reachable".into())
            }
            other => ApiError::Internal(other.into()),
        }
    }
}

fn require_installation_admin(p: &Principal) -> Result<(), ApiError> {
    if permissions::administers(p, None) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "only an installation-wide admin looks after the mail outbox".into(),
        ))
    }
}

/// Outbox mail, newest first; `?state=failed` lists what waits for an
/// operator. Installation-wide admins only.
#[utoipa::path(get, path = "/api/v1/mail", tag = "mail",
    params(
        ("state" = Option<String>, Query, description = "pending, sending, sent or failed"),
        ("limit" = Option<u64>, Query, description = "at most this many rows (1-1000, default 100)"),
    ),
    responses((status = 200, body = Vec<OutboxView>), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn list(
    State(app): State<App>,
    p: Principal,
    q: QueryMap,
) -> Result<Json<Vec<OutboxView>>, ApiError> {
    require_installation_admin(&p)?;
    let invalid = |field: &str, message: String| {
        ApiError::Invalid(vec![crate::validate::FieldError {
            field: field.into(),
            message,
        }])
    };
    let state = match q.0.get("state") {
        None => None,
        Some(s) => Some(OutboxState::parse(s).map_err(|m| invalid("state", m))?),
    };
    let limit = match q.0.get("limit") {
        None => 100,
        Some(s) => match s.parse::<u64>() {
            Ok(n @ 1..=1000) => n,
            _ => {
                return Err(invalid(
                    "limit",
                    "must be a whole number from 1 to 1000".into(),
                ));
            }
        },
    };
    Ok(Json(mail::list(&app, state, limit).await?))
}

/// Put a failed mail back in the queue, due now, with a fresh set of
/// attempts. Mail in any other state answers 409. Installation-wide admins only.
#[utoipa::path(post, path = "/api/v1/mail/{id}/retry", tag = "mail", params(("id" = i64, Path)),
    responses((status = 200, body = OutboxView), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn retry(
    State(app): State<App>,
    p: Principal,
    IdPath(id): IdPath,
) -> Result<Json<OutboxView>, ApiError> {
    require_installation_admin(&p)?;
    Ok(Json(mail::retry(&app, id).await?))
}
