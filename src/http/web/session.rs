//! Who is at the browser: the session cookie (as the API has it), or a
//! redirect to the login page that comes back to the page asked for. Forms
//! carry the session's CSRF token in a hidden `csrf` field.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};

use super::i18n::Tr;
use crate::app::App;
use crate::auth::{Principal, Via, secret, sessions};
use crate::http::auth::{SESSION_COOKIE, cookie};

/// A logged-in person at the browser, with their language.
pub struct WebUser {
    pub p: Principal,
    pub tr: Tr,
}

impl WebUser {
    /// The session's CSRF token, for forms.
    pub fn csrf(&self) -> &str {
        match &self.p.via {
            Via::Session { csrf, .. } => csrf,
            Via::Token { .. } | Via::Cli => "",
        }
    }

    /// Whether a form's `csrf` field is this session's.
    pub fn csrf_ok(&self, sent: &str) -> bool {
        !self.csrf().is_empty() && secret::same(sent, self.csrf())
    }
}

/// The answer to a form whose `csrf` field is missing or wrong.
pub fn bad_csrf() -> Response {
    (
        axum::http::StatusCode::FORBIDDEN,
        "missing or wrong form token",
    )
        .into_response()
}

/// Where a page that needs a login sends the browser: the login page,
/// coming back to `path` afterwards.
pub fn to_login(path: &str) -> Response {
    let next: String = url_encode(path);
    Redirect::to(&format!("/login?next={next}")).into_response()
}

/// `s` percent-encoded for a query value.
pub fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A path on this site to go back to after logging in (anything else:
/// the start page), so a login link cannot send anyone elsewhere.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/".to_string(),
    }
}

impl FromRequestParts<App> for WebUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let here = parts
            .uri
            .path_and_query()
            .map_or("/".to_string(), |p| p.as_str().to_string());
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(to_login(&here));
        };
        match sessions::authenticate(app, token).await {
            Ok(Some(p)) => {
                crate::http::metrics::Acting::note(parts, p.person.id);
                let tr = Tr::of_person(&p.person.lang);
                Ok(WebUser { p, tr })
            }
            Ok(None) => Err(to_login(&here)),
            Err(e) => Err(crate::http::error::ApiError::from(e).into_response()),
        }
    }
}
