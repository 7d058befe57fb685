//! My account: change my password (every session and token ends; log in
//! again), my sessions and API tokens (revoke any; create a token, shown
//! once).

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::i18n::Tr;
use super::pages::{local, page};
use super::session::WebUser;
use crate::app::App;
use crate::auth::{sessions, tokens, users};
use crate::http::api::auth::ClientIp;

struct Row {
    id: i64,
    label: String,
    created: String,
    last_used: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "web/account.html")]
struct AccountPage {
    tr: Tr,
    csrf: String,
    username: String,
    sessions: Vec<Row>,
    tokens: Vec<Row>,
    /// A new token, shown this once.
    new_token: Option<String>,
    error: Option<&'static str>,
    /// The reader administers something: a link to the administration.
    admin: bool,
    /// Since when my deadline feed is live (empty: none).
    feed_since: String,
    /// A new feed's URL, shown this once.
    new_feed: Option<String>,
}

async fn render(
    app: &App,
    u: &WebUser,
    status: StatusCode,
    new_token: Option<String>,
    error: Option<&'static str>,
) -> Response {
    render_with(app, u, status, new_token, error, None).await
}

async fn render_with(
    app: &App,
    u: &WebUser,
    status: StatusCode,
    new_token: Option<String>,
    error: Option<&'static str>,
    new_feed: Option<String>,
) -> Response {
    let feed_since = crate::ical::live_since(app, u.p.person.id)
        .await
        .ok()
        .flatten()
        .map(|t| local(t, app.zone()))
        .unwrap_or_default();
    let sessions = sessions::list(app, &u.p)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|s| Row {
            id: s.id,
            label: s.ip.unwrap_or_default(),
            created: local(s.created_at, app.zone()),
            last_used: s
                .last_used_at
                .map(|t| local(t, app.zone()))
                .unwrap_or_default(),
            current: s.current,
        })
        .collect();
    let tokens = tokens::list(app, u.p.person.id)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|t| t.revoked_at.is_none())
        .map(|t| Row {
            id: t.id,
            label: format!("{} ({}…)", t.name, t.prefix),
            created: local(t.created_at, app.zone()),
            last_used: t
                .last_used_at
                .map(|t| local(t, app.zone()))
                .unwrap_or_default(),
            current: false,
        })
        .collect();
    page(
        status,
        AccountPage {
            tr: u.tr,
            csrf: u.csrf().to_string(),
            username: u.p.person.username.clone(),
            sessions,
            tokens,
            new_token,
            error,
            admin: crate::auth::permissions::is_admin(&u.p),
            feed_since,
            new_feed,
        },
    )
}

/// The account page.
pub async fn show(State(app): State<App>, u: WebUser) -> Response {
    render(&app, &u, StatusCode::OK, None, None).await
}

#[derive(Deserialize)]
pub struct PasswordForm {
    csrf: String,
    current: String,
    new: String,
    repeat: String,
}

/// Changes my password: the current one first; then every session and
/// token of mine ends, and I log in again.
pub async fn password(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    u: WebUser,
    Form(f): Form<PasswordForm>,
) -> Response {
    if !u.csrf_ok(&f.csrf) {
        return super::session::bad_csrf();
    }
    if f.new != f.repeat {
        return render(
            &app,
            &u,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            Some("passwords_differ"),
        )
        .await;
    }
    let username = u.p.person.username.clone();
    if sessions::login(&app, &username, &f.current, ip.as_deref())
        .await
        .is_err()
    {
        return render(
            &app,
            &u,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            Some("current_wrong"),
        )
        .await;
    }
    match users::set_password(&app, &username, Some(f.new)).await {
        Ok(_) => Redirect::to("/login").into_response(),
        Err(_) => {
            render(
                &app,
                &u,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                Some("password_weak"),
            )
            .await
        }
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: String,
    name: Option<String>,
}

/// Ends one of my sessions.
pub async fn revoke_session(
    State(app): State<App>,
    u: WebUser,
    Path(id): Path<i64>,
    Form(f): Form<CsrfForm>,
) -> Response {
    if !u.csrf_ok(&f.csrf) {
        return super::session::bad_csrf();
    }
    let _ = sessions::revoke(&app, u.p.person.id, id).await;
    Redirect::to("/account").into_response()
}

/// Revokes one of my API tokens.
pub async fn revoke_token(
    State(app): State<App>,
    u: WebUser,
    Path(id): Path<i64>,
    Form(f): Form<CsrfForm>,
) -> Response {
    if !u.csrf_ok(&f.csrf) {
        return super::session::bad_csrf();
    }
    let _ = tokens::revoke(&app, u.p.person.id, id).await;
    Redirect::to("/account").into_response()
}

/// Creates an API token and shows it this once.
pub async fn create_token(State(app): State<App>, u: WebUser, Form(f): Form<CsrfForm>) -> Response {
    if !u.csrf_ok(&f.csrf) {
        return super::session::bad_csrf();
    }
    let name = f.name.unwrap_or_default();
    let name = match crate::validate::line(name.trim(), 100) {
        Ok(n) if !n.is_empty() => n,
        _ => {
            return render(
                &app,
                &u,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                Some("token_name"),
            )
            .await;
        }
    };
    match tokens::create(&app, u.p.person.id, &name, None).await {
        Ok((secret, _)) => render(&app, &u, StatusCode::OK, Some(secret), None).await,
        Err(e) => crate::http::error::ApiError::from(e).into_response(),
    }
}

#[derive(Deserialize)]
pub struct FeedForm {
    csrf: String,
}

/// A new private deadline feed (the old one, if any, stops); its URL is
/// shown this once.
pub async fn create_feed(State(app): State<App>, u: WebUser, Form(f): Form<FeedForm>) -> Response {
    if !u.csrf_ok(&f.csrf) {
        return super::session::bad_csrf();
    }
    match crate::ical::create(&app, u.p.person.id).await {
        Ok(secret) => {
            let base = app.config.raw.server.base_url.trim_end_matches('/');
            let url = format!("{base}/ical/{secret}.ics");
            render_with(&app, &u, StatusCode::OK, None, None, Some(url)).await
        }
        Err(e) => crate::http::error::ApiError::from(e).into_response(),
    }
}

/// Stops my deadline feed.
pub async fn revoke_feed(State(app): State<App>, u: WebUser, Form(f): Form<FeedForm>) -> Response {
    if !u.csrf_ok(&f.csrf) {
        return super::session::bad_csrf();
    }
    let _ = crate::ical::revoke(&app, u.p.person.id).await;
    Redirect::to("/account").into_response()
}
