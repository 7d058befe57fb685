//! The web pages (askama templates under templates/web/): thin handlers
//! calling the same service and permission functions as the API. Pages
//! are in the reader's language (`i18n`); a page that needs a login sends
//! the browser to it and back (`session`). Assets are embedded.

pub mod account;
pub mod admin;
pub mod coordination;
pub mod i18n;
pub mod new_ticket;
pub mod overview;
pub mod pages;
pub mod reports;
pub mod session;
pub mod ticket;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::app::App;

pub fn router() -> Router<App> {
    Router::new()
        .route("/", get(pages::home))
        .route("/login", get(pages::login_form).post(pages::login))
        .route("/logout", post(pages::logout))
        .route("/work", get(pages::work))
        .route(
            "/tickets/new",
            get(new_ticket::form).post(new_ticket::create),
        )
        .route("/tickets/{id}", get(ticket::ticket))
        .route("/tickets/{id}/act", post(ticket::act))
        .route("/coordination", get(coordination::inbox))
        .route("/coordination/{id}", get(coordination::request))
        .route("/coordination/{id}/answer", post(coordination::answer))
        .route("/reports", get(reports::index))
        .route("/admin/org", get(admin::org))
        .route("/account", get(account::show))
        .route("/account/password", post(account::password))
        .route("/account/tokens", post(account::create_token))
        .route("/account/tokens/{id}/revoke", post(account::revoke_token))
        .route(
            "/account/sessions/{id}/revoke",
            post(account::revoke_session),
        )
        .route("/overview", get(overview::overview))
        .route("/assets/app.css", get(css))
        .route("/assets/htmx-2.0.11.min.js", get(htmx))
}

/// An embedded asset with its type and how long browsers keep it.
fn asset(body: &'static str, content_type: &'static str, cache: &'static str) -> Response {
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    res
}

/// The style sheet, embedded (no page asks another origin for anything).
async fn css() -> Response {
    asset(
        include_str!("../../../assets/web/app.css"),
        "text/css; charset=utf-8",
        "public, max-age=86400",
    )
}

/// htmx (assets/web/vendor, 0BSD), embedded; its versioned name lets
/// browsers keep it for good.
async fn htmx() -> Response {
    asset(
        include_str!("../../../assets/web/vendor/htmx-2.0.11.min.js"),
        "text/javascript; charset=utf-8",
        "public, max-age=31536000, immutable",
    )
}
