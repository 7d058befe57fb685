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
        .route("/tickets/{id}", get(pages::ticket))
        .route("/tickets/{id}/act", post(pages::act))
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
}

/// The style sheet, embedded (no page asks another origin for anything).
async fn css() -> Response {
    let mut res = include_str!("../../../assets/web/app.css").into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/css; charset=utf-8"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=86400"),
    );
    res
}
