//! The web pages (askama templates under templates/web/): thin handlers
//! calling the same service and permission functions as the API. Pages
//! are in the reader's language (`i18n`); a page that needs a login sends
//! the browser to it and back (`session`). Assets are embedded.

pub mod account;
pub mod accountability;
pub mod admin;
pub mod coordination;
pub mod i18n;
pub mod meeting;
pub mod new_request;
pub mod new_ticket;
pub mod overview;
pub mod pages;
pub mod report_view;
pub mod reports;
pub mod session;
pub mod ticket;
pub mod ticket_more;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::app::App;

/// The largest org file the import page takes (its preview carries it
/// back base64-encoded, a third larger).
const IMPORT_LIMIT: usize = 8 * 1024 * 1024;

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
        .route("/tickets/new/category", get(new_ticket::category))
        .route("/tickets/{id}", get(ticket::ticket))
        .route("/tickets/{id}/act", post(ticket::act))
        .route("/tickets/{id}/reassign", post(ticket_more::reassign))
        .route("/tickets/{id}/hand-back", post(ticket_more::hand_back))
        .route(
            "/tickets/{id}/accountability/new",
            get(accountability::form),
        )
        .route("/tickets/{id}/accountability", post(accountability::record))
        .route(
            "/accountability/{id}/complete",
            post(accountability::complete),
        )
        .route(
            "/tickets/{id}/edit",
            get(ticket_more::edit_form).post(ticket_more::edit),
        )
        .route(
            "/tickets/{id}/coordination/new",
            get(new_request::request_form),
        )
        .route(
            "/tickets/{id}/coordination",
            post(new_request::file_request),
        )
        .route("/coordination", get(coordination::inbox))
        .route("/coordination/{id}", get(coordination::request))
        .route("/coordination/{id}/answer", post(coordination::answer))
        .route("/coordination/{id}/decision", post(meeting::decide))
        .route("/coordination/{id}/feedback", post(meeting::give_feedback))
        .route("/meeting", get(meeting::meeting))
        .route("/reports", get(reports::index))
        .route("/reports/{kind}", get(report_view::view))
        .route("/admin", get(admin::index))
        .route("/admin/org", get(admin::org))
        .route(
            "/admin/people",
            get(admin::people::list).post(admin::people::create),
        )
        .route("/admin/people/{id}/roles", post(admin::people::grant))
        .route(
            "/admin/people/{id}/roles/remove",
            post(admin::people::revoke),
        )
        .route(
            "/admin/people/{id}/deactivate",
            post(admin::people::deactivate),
        )
        .route("/admin/import", get(admin::import::form))
        .route(
            "/admin/import/preview",
            post(admin::import::preview).layer(DefaultBodyLimit::max(IMPORT_LIMIT)),
        )
        .route(
            "/admin/import/apply",
            post(admin::import::apply).layer(DefaultBodyLimit::max(IMPORT_LIMIT * 2)),
        )
        .route("/admin/mail", get(admin::mail::list))
        .route("/admin/mail/{id}/retry", post(admin::mail::retry))
        .route("/admin/calendar", get(admin::calendar::show))
        .route(
            "/admin/calendar/recompute",
            post(admin::calendar::recompute),
        )
        .route("/account", get(account::show))
        .route("/account/password", post(account::password))
        .route("/account/tokens", post(account::create_token))
        .route("/account/feed", post(account::create_feed))
        .route("/account/feed/revoke", post(account::revoke_feed))
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
