//! The weekly coordination meeting: its agenda (every open request the
//! reader may read, under each department that has not agreed, oldest
//! first, as the agenda mail has it), where a click records the decision;
//! then the follow-up — decisions whose customer has had no feedback yet,
//! the overdue ones first.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::coordination::{RequestRow, rows};
use super::i18n::Tr;
use super::pages::page;
use super::session::WebUser;
use crate::app::App;
use crate::auth::permissions;
use crate::coordination::entity::{decision, request};
use crate::coordination::views::{self as svc, RequestView};

/// The most decisions the follow-up lists.
const FOLLOW_UP: u64 = 200;

/// One department's part of the agenda.
struct Group {
    department: String,
    items: Vec<RequestRow>,
}

#[derive(Template)]
#[template(path = "web/meeting.html")]
struct MeetingPage {
    tr: Tr,
    csrf: String,
    groups: Vec<Group>,
    /// Settled by a decision, no feedback to the customer yet.
    follow_up: Vec<RequestRow>,
    today: chrono::NaiveDate,
}

/// The requests among `views` the reader may read.
async fn readable(app: &App, u: &WebUser, views: Vec<RequestView>) -> Vec<RequestView> {
    let mut out = Vec::with_capacity(views.len());
    for v in views {
        let asked: Vec<i64> = v.targets.iter().map(|t| t.department_id).collect();
        if let Ok(t) = crate::tickets::store::find_row(app, v.ticket_id).await
            && permissions::reads_request(&u.p, &t, &asked)
        {
            out.push(v);
        }
    }
    out
}

/// The meeting page.
pub async fn meeting(State(app): State<App>, u: WebUser) -> Response {
    let open = request::Entity::find()
        .filter(request::Column::State.eq(request::State::Open))
        .order_by_asc(request::Column::FiledAt)
        .order_by_asc(request::Column::Id)
        .all(&app.db)
        .await;
    // Decisions whose customer has heard nothing yet, the soonest due
    // first (at most FOLLOW_UP of them).
    let decided = {
        use crate::coordination::entity::feedback;
        use sea_orm::QueryTrait;
        let heard = feedback::Entity::find()
            .select_only()
            .column(feedback::Column::RequestId)
            .into_query();
        decision::Entity::find()
            .filter(decision::Column::RequestId.not_in_subquery(heard))
            .order_by_asc(decision::Column::DueDate)
            .order_by_asc(decision::Column::Id)
            .limit(FOLLOW_UP)
            .all(&app.db)
            .await
    };
    let (Ok(open), Ok(decided)) = (open, decided) else {
        return super::admin::db_down();
    };
    let settled = request::Entity::find()
        .filter(request::Column::Id.is_in(decided.iter().map(|d| d.request_id)))
        .all(&app.db)
        .await
        .unwrap_or_default();
    let (Ok(open), Ok(settled)) = (
        svc::views(&app, open).await,
        svc::views(&app, settled).await,
    ) else {
        return super::admin::db_down();
    };
    let open = rows(&app, &u, readable(&app, &u, open).await).await;
    let mut groups: Vec<(i64, Group)> = Vec::new();
    for r in &open {
        for t in
            r.v.targets
                .iter()
                .filter(|t| t.answer.as_deref() != Some("agree"))
        {
            match groups.iter_mut().find(|(id, _)| *id == t.department_id) {
                Some((_, g)) => g.items.push(r.clone()),
                None => groups.push((
                    t.department_id,
                    Group {
                        department: t.department_name.clone(),
                        items: vec![r.clone()],
                    },
                )),
            }
        }
    }
    let mut waiting: Vec<RequestView> = settled
        .into_iter()
        .filter(|v| v.feedback.is_empty() && v.decision.is_some())
        .collect();
    waiting.sort_by_key(|v| v.decision.as_ref().map(|d| (d.due_date, v.id)));
    let follow_up = rows(&app, &u, readable(&app, &u, waiting).await).await;
    page(
        StatusCode::OK,
        MeetingPage {
            tr: u.tr,
            csrf: u.csrf().to_string(),
            groups: groups.into_iter().map(|(_, g)| g).collect(),
            follow_up,
            today: app.sla().local_date(app.now()),
        },
    )
}
