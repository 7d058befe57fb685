//! `/api/v1/auth`, `/api/v1/tokens`, `/api/v1/sessions`: logging in and out,
//! API tokens, the caller's sessions.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header, request::Parts};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::App;
use crate::auth::sessions::SessionInfo;
use crate::auth::tokens::TokenInfo;
use crate::auth::{Me, Principal, Via, sessions, tokens};
use crate::http::auth::{client_ip, session_cookie};
use crate::http::error::{ApiError, Problem};
use crate::http::extract::{IdPath, JsonBody};
use crate::validate::{self, Errors, dto};

pub fn router() -> Router<App> {
    Router::new()
        .route("/auth/login", post(login))
        .route("/auth/logout", post(logout))
        .route("/auth/me", get(me))
        .route("/tokens", get(list_tokens).post(create_token))
        .route("/tokens/{id}", delete(revoke_token))
        .route("/sessions", get(list_sessions))
        .route("/sessions/{id}", delete(revoke_session))
}

/// Body of `POST /api/v1/auth/login`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginBody {
    pub username: String,
    pub password: String,
}

/// The caller's address, from the request parts.
pub struct ClientIp(pub Option<String>);

impl axum::extract::FromRequestParts<App> for ClientIp {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(client_ip(app, parts)))
    }
}

/// Log in with username and password: sets the session cookie (HttpOnly,
/// SameSite=Lax) and returns the CSRF token to send with state changes.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "access", request_body = LoginBody,
    responses((status = 200, body = Me), (status = 401, body = Problem), (status = 422, body = Problem), (status = 429, body = Problem)))]
async fn login(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    // Any text: whether it names an account is the login's answer to give.
    let LoginBody { username, password } = dto(&body)?;
    let (token, p) = sessions::login(&app, username.trim(), &password, ip.as_deref()).await?;
    let mut res = Json(Me::from(&p)).into_response();
    let cookie = session_cookie(&app, &headers, &token);
    res.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&cookie).map_err(|e| ApiError::Internal(e.into()))?,
    );
    Ok(res)
}

/// End the current session and clear its cookie.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "access", responses((status = 204), (status = 401, body = Problem)))]
async fn logout(
    State(app): State<App>,
    p: Principal,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if let Via::Session { id, .. } = p.via {
        sessions::revoke(&app, p.person.id, id).await?;
    }
    let mut res = StatusCode::NO_CONTENT.into_response();
    let cookie = session_cookie(&app, &headers, "");
    res.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&cookie).map_err(|e| ApiError::Internal(e.into()))?,
    );
    Ok(res)
}

/// Who am I: person, roles, and the session's CSRF token.
#[utoipa::path(get, path = "/api/v1/auth/me", tag = "access", responses((status = 200, body = Me), (status = 401, body = Problem)))]
async fn me(p: Principal) -> Json<Me> {
    Json(Me::from(&p))
}

/// Body of `POST /api/v1/tokens`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateTokenBody {
    /// What the token is for, e.g. "nightly export".
    pub name: String,
    /// Optional expiry (RFC 3339).
    pub expires_at: Option<DateTime<Utc>>,
}

/// A new API token: `token` is shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct NewToken {
    pub token: String,
    #[serde(flatten)]
    pub info: TokenInfo,
}

/// Create an API token for yourself.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "access", request_body = CreateTokenBody,
    responses((status = 201, body = NewToken), (status = 401, body = Problem), (status = 422, body = Problem)))]
async fn create_token(
    State(app): State<App>,
    p: Principal,
    JsonBody(body): JsonBody,
) -> Result<(StatusCode, Json<NewToken>), ApiError> {
    let b: CreateTokenBody = dto(&body)?;
    let mut e = Errors::default();
    let name = e.take("name", validate::line(&b.name, 100));
    if b.expires_at.is_some_and(|at| at <= app.now()) {
        e.add("expires_at", "must be in the future");
    }
    let name = e.finish(name)?;
    let expires_at = b.expires_at;
    let (token, info) = tokens::create(&app, p.person.id, &name, expires_at).await?;
    Ok((StatusCode::CREATED, Json(NewToken { token, info })))
}

/// Your API tokens (never their secrets).
#[utoipa::path(get, path = "/api/v1/tokens", tag = "access", responses((status = 200, body = Vec<TokenInfo>), (status = 401, body = Problem)))]
async fn list_tokens(
    State(app): State<App>,
    p: Principal,
) -> Result<Json<Vec<TokenInfo>>, ApiError> {
    Ok(Json(tokens::list(&app, p.person.id).await?))
}

/// Revoke one of your API tokens.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "access", params(("id" = i64, Path)),
    responses((status = 204), (status = 401, body = Problem), (status = 404, body = Problem)))]
async fn revoke_token(
    State(app): State<App>,
    p: Principal,
    IdPath(id): IdPath,
) -> Result<StatusCode, ApiError> {
    if tokens::revoke(&app, p.person.id, id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound(format!("you have no live token {id}")))
    }
}

/// Your live sessions.
#[utoipa::path(get, path = "/api/v1/sessions", tag = "access", responses((status = 200, body = Vec<SessionInfo>), (status = 401, body = Problem)))]
async fn list_sessions(
    State(app): State<App>,
    p: Principal,
) -> Result<Json<Vec<SessionInfo>>, ApiError> {
    Ok(Json(sessions::list(&app, &p).await?))
}

/// Revoke one of your sessions (log out elsewhere).
#[utoipa::path(delete, path = "/api/v1/sessions/{id}", tag = "access", params(("id" = i64, Path)),
    responses((status = 204), (status = 401, body = Problem), (status = 404, body = Problem)))]
async fn revoke_session(
    State(app): State<App>,
    p: Principal,
    IdPath(id): IdPath,
) -> Result<StatusCode, ApiError> {
    if sessions::revoke(&app, p.person.id, id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound(format!("you have no live session {id}")))
    }
}
