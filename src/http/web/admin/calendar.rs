//! The working-day calendar for installation-wide admins: the years and
//! files loaded, a warning when the last announced year is about to run
//! out, and the recompute of open tickets after a new file is loaded — the
//! preview (which dates would move) before anything is written.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{Datelike, NaiveDate};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde::Deserialize;

use super::super::i18n::Tr;
use super::super::pages::page;
use super::super::session::{WebUser, bad_csrf};
use super::{admins_only, db_down};
use crate::app::App;
use crate::auth::permissions;
use crate::tickets::entity::ticket;
use crate::tickets::recompute::{RecomputeReport, recompute_open, stale_count};

/// How long before the end of the last loaded year the page warns that
/// the next year's calendar is missing (the State Council announces it
/// around November).
pub const WARN_DAYS: i64 = 61;

#[derive(Template)]
#[template(path = "web/admin_calendar.html")]
struct CalendarPage {
    tr: Tr,
    csrf: String,
    version: String,
    first_year: i32,
    last_year: i32,
    last_covered: NaiveDate,
    /// (name, kind, source) of each file loaded.
    files: Vec<(String, &'static str, String)>,
    /// The next year is missing and the last one ends within WARN_DAYS
    /// (or has ended).
    warn: bool,
    days_left: i64,
    /// Open tickets whose deadline lies past the loaded years.
    provisional: u64,
    /// Open tickets computed with another calendar version.
    stale: u64,
    report: Option<RecomputeReport>,
}

/// The calendar page, with the recompute's report when one just ran.
async fn render(app: &App, u: &WebUser, report: Option<RecomputeReport>) -> Response {
    let live = [ticket::Status::Open, ticket::Status::Paused];
    let provisional = ticket::Entity::find()
        .filter(ticket::Column::Status.is_in(live))
        .filter(ticket::Column::Provisional.eq(true))
        .count(&app.db)
        .await;
    let (Ok(provisional), Ok(stale)) = (provisional, stale_count(app).await) else {
        return db_down();
    };
    let cal = &app.calendar;
    let today = app.sla().local_date(app.now());
    let days_left = (cal.last_covered() - today).num_days();
    page(
        StatusCode::OK,
        CalendarPage {
            tr: u.tr,
            csrf: u.csrf().to_string(),
            version: cal.version().to_string(),
            first_year: cal.first_covered().year(),
            last_year: cal.last_covered_year(),
            last_covered: cal.last_covered(),
            files: cal
                .files()
                .into_iter()
                .map(|(name, kind, source)| (name.to_string(), kind.as_str(), source.to_string()))
                .collect(),
            warn: days_left <= WARN_DAYS,
            days_left,
            provisional,
            stale,
            report,
        },
    )
}

/// The calendar page.
pub async fn show(State(app): State<App>, u: WebUser) -> Response {
    if !permissions::administers(&u.p, None) {
        return admins_only(&u);
    }
    render(&app, &u, None).await
}

#[derive(Deserialize)]
pub struct RecomputeForm {
    csrf: String,
    /// Present: write; absent: the preview only.
    apply: Option<String>,
}

/// Recomputes the open tickets computed with another calendar: a preview
/// of the dates that would move, or (`apply`) writing them, one event per
/// changed ticket.
pub async fn recompute(
    State(app): State<App>,
    u: WebUser,
    Form(f): Form<RecomputeForm>,
) -> Response {
    if !permissions::administers(&u.p, None) {
        return admins_only(&u);
    }
    if !u.csrf_ok(&f.csrf) {
        return bad_csrf();
    }
    match recompute_open(&app, &u.p.actor(), f.apply.is_some()).await {
        Ok(report) => render(&app, &u, Some(report)).await,
        Err(e) => {
            axum::response::IntoResponse::into_response(crate::http::error::ApiError::from(e))
        }
    }
}
