//! Authentication at the HTTP edge: the `Principal` extractor (bearer
//! token or session cookie + CSRF token), the session cookie, client address.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::{HeaderMap, Method, request::Parts};

use super::error::ApiError;
use crate::app::App;
use crate::auth::{Principal, Via, secret, sessions, tokens};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "yekuo_session";

/// The value of cookie `name`, if sent.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// `Set-Cookie` for a session (empty token: clear it). `Secure` when the
/// public address is https or the proxy says the request came over TLS.
pub fn session_cookie(app: &App, headers: &HeaderMap, token: &str) -> String {
    let https = app.config.raw.server.base_url.starts_with("https://")
        || headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            == Some("https");
    let max_age = if token.is_empty() {
        0
    } else {
        i64::from(app.config.raw.auth.session_hours) * 3600
    };
    format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{}",
        if https { "; Secure" } else { "" }
    )
}

/// The client address: the socket peer, or the first `X-Forwarded-For`
/// entry when configured to trust the proxy (an entry that is not an IP
/// address is ignored: the header is the client's to write).
pub fn client_ip(app: &App, parts: &Parts) -> Option<String> {
    if app.config.raw.auth.trust_forwarded_for
        && let Some(first) = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|v| v.trim().parse::<std::net::IpAddr>().ok())
    {
        return Some(first.to_string());
    }
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
}

impl FromRequestParts<App> for Principal {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        if let Some(auth) = parts.headers.get(axum::http::header::AUTHORIZATION) {
            let token = auth
                .to_str()
                .ok()
                .and_then(|v| v.strip_prefix("Bearer "))
                .ok_or_else(|| {
                    ApiError::Unauthorized("use `Authorization: Bearer <API token>`".into())
                })?;
            let p = tokens::authenticate(app, token.trim())
                .await?
                .ok_or_else(|| {
                    ApiError::Unauthorized("the API token is unknown, expired or revoked".into())
                })?;
            super::metrics::Acting::note(parts, p.person.id);
            return Ok(p);
        }
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(ApiError::Unauthorized(
                "log in, or send an API token".into(),
            ));
        };
        let p = sessions::authenticate(app, token).await?.ok_or_else(|| {
            ApiError::Unauthorized("the session has expired or was revoked; log in again".into())
        })?;
        super::metrics::Acting::note(parts, p.person.id);
        let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        if let Via::Session { csrf, .. } = &p.via
            && !safe
        {
            let sent = parts
                .headers
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if !secret::same(sent, csrf) {
                return Err(ApiError::Forbidden(
                    "missing or wrong X-CSRF-Token for this session".into(),
                ));
            }
        }
        Ok(p)
    }
}
