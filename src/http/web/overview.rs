//! The overview for center directors and heads: the open tickets of the
//! center or bureau by light, escalation level and stage; the worst first;
//! coordination overdue by department.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::i18n::Tr;
use super::pages::page;
use super::session::WebUser;
use crate::app::App;
use crate::auth::permissions;
use crate::error::ServiceError;
use crate::reports::ReportScope;
use crate::tickets::entity::ticket::{self, Status};

/// A row of the worst tickets.
struct Worst {
    id: i64,
    ticket_no: String,
    customer: String,
    due_date: String,
    level: i32,
}

#[derive(Template)]
#[template(path = "web/overview.html")]
struct OverviewPage {
    tr: Tr,
    csrf: String,
    /// (light css name, message key, count).
    lights: Vec<(&'static str, &'static str, u64)>,
    levels: Vec<(i32, u64)>,
    stages: Vec<(String, u64)>,
    worst: Vec<Worst>,
    /// (department, open requests past their answer day still waiting on
    /// it), the most first.
    late: Vec<(String, u64)>,
}

/// Per department, the open requests on tickets of `scope` that are past
/// their answer day and still wait on its answer; the most first.
async fn late_answers(app: &App, scope: ReportScope) -> Result<Vec<(String, u64)>, ServiceError> {
    use sea_orm::QueryTrait;
    let in_scope = ticket::Entity::find()
        .select_only()
        .column(ticket::Column::Id)
        .filter(scope.condition())
        .into_query();
    let waiting = crate::coordination::views::waiting_by_department(app, Some(in_scope)).await?;
    let units = crate::org::service::all_units(&app.db).await?;
    let mut late: Vec<(String, u64)> = waiting
        .into_iter()
        .filter(|(_, _, overdue)| *overdue > 0)
        .map(|(d, _, overdue)| {
            let name = units
                .iter()
                .find(|u| u.id == d)
                .map_or_else(|| d.to_string(), |u| u.name.clone());
            (name, overdue)
        })
        .collect();
    late.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    Ok(late)
}

/// The page of `scope`, in `tr`'s language.
async fn counts(
    app: &App,
    scope: ReportScope,
    tr: Tr,
    csrf: String,
) -> Result<OverviewPage, ServiceError> {
    use ticket::Column as C;
    let live = || {
        ticket::Entity::find()
            .filter(scope.condition())
            .filter(C::Status.is_in([Status::Open, Status::Paused]))
    };
    let counts = crate::tickets::service::count_by_light(app, scope.condition()).await?;
    let lights = crate::tickets::service::LIGHTS
        .iter()
        .zip(["light_overdue", "light_red", "light_yellow", "light_green"])
        .zip(counts)
        .map(|(((_, css), key), n)| (*css, key, n))
        .collect();
    let levels: Vec<(i32, i64)> = live()
        .select_only()
        .column(C::EscalationLevel)
        .column_as(C::Id.count(), "n")
        .group_by(C::EscalationLevel)
        .order_by_asc(C::EscalationLevel)
        .into_tuple()
        .all(&app.db)
        .await?;
    let stages: Vec<(String, i64)> = live()
        .select_only()
        .column(C::Stage)
        .column_as(C::Id.count(), "n")
        .group_by(C::Stage)
        .into_tuple()
        .all(&app.db)
        .await?;
    let mut stages: Vec<(String, i64)> = stages;
    stages.sort_by_key(|(s, _)| app.policy.stage_index(s).unwrap_or(usize::MAX));
    let stages = stages
        .into_iter()
        .map(|(s, n)| (super::pages::stage_name(app, &s, tr), n.max(0) as u64))
        .collect();
    let worst = live()
        .order_by_asc(C::DueAt)
        .order_by_asc(C::Id)
        .limit(20)
        .all(&app.db)
        .await?
        .into_iter()
        .map(|t| Worst {
            id: t.id,
            ticket_no: t.ticket_no,
            customer: t.customer_name,
            due_date: t.due_date.to_string(),
            level: t.escalation_level,
        })
        .collect();
    Ok(OverviewPage {
        tr,
        csrf,
        lights,
        levels: levels
            .into_iter()
            .map(|(l, n)| (l, n.max(0) as u64))
            .collect(),
        stages,
        worst,
        late: late_answers(app, scope).await?,
    })
}

/// The overview of the widest scope the reader oversees.
pub async fn overview(State(app): State<App>, u: WebUser) -> Response {
    let scope = match permissions::report_scope(&u.p, None) {
        Ok(s) => s,
        Err(e) => return (StatusCode::FORBIDDEN, e.to_string()).into_response(),
    };
    match counts(&app, scope, u.tr, u.csrf().to_string()).await {
        Ok(p) => page(StatusCode::OK, p),
        Err(e) => crate::http::error::ApiError::from(e).into_response(),
    }
}
