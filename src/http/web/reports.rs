//! The reports page: each report with its parameters, shown on its own
//! page (`report_view`) with a chart, its table and its downloads; the
//! scopes offered are the units the reader oversees.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use super::i18n::Tr;
use super::pages::page;
use super::session::WebUser;
use crate::app::App;
use crate::org::Role;

#[derive(Template)]
#[template(path = "web/reports.html")]
struct ReportsPage {
    tr: Tr,
    csrf: String,
    units: Vec<(String, String)>,
    /// (report kind, its title's message key).
    kinds: Vec<(&'static str, &'static str)>,
    from: String,
    to: String,
}

/// The units `u` may report on: their bureaus (head, deputy head,
/// auditor) with their service centers, and the centers they direct.
pub(super) async fn units(app: &App, u: &WebUser) -> Vec<(String, String)> {
    let bureaus =
        u.p.bureaus_with(&[Role::Head, Role::DeputyHead, Role::Auditor]);
    let centers = u.p.units_with(Role::CenterDirector);
    let all = crate::org::service::all_units(&app.db)
        .await
        .unwrap_or_default();
    all.into_iter()
        .filter(|x| {
            (x.kind == "bureau" && bureaus.contains(&x.id))
                || (x.kind == "service_center"
                    && (centers.contains(&x.id)
                        || x.parent_id.is_some_and(|p| bureaus.contains(&p))))
        })
        .map(|x| (x.code, x.name))
        .collect()
}

/// The reports and their parameters.
pub async fn index(State(app): State<App>, u: WebUser) -> Response {
    let today = app.sla().local_date(app.now());
    let (from, to) = crate::reports::compliance::last_month(today);
    page(
        StatusCode::OK,
        ReportsPage {
            tr: u.tr,
            csrf: u.csrf().to_string(),
            units: units(&app, &u).await,
            kinds: super::report_view::KINDS.to_vec(),
            from: from.to_string(),
            to: to.to_string(),
        },
    )
}
