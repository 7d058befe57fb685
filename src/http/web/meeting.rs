//! The weekly coordination meeting: its agenda (every open request the
//! reader may read, under each department that has not agreed, oldest
//! first, as the agenda mail has it), where a click records the decision;
//! then the follow-up — decisions whose customer has had no feedback yet,
//! the overdue ones first. The minutes (the decision, the feedback to the
//! customer) are recorded from the request's page by people who may act
//! on its ticket.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Deserialize;

use super::coordination::{RequestRow, Shown, rows, show};
use super::i18n::Tr;
use super::pages::page;
use super::session::WebUser;
use crate::app::App;
use crate::auth::permissions;
use crate::coordination::entity::{decision, request};
use crate::coordination::views::{self as svc, RequestView};

/// The most open requests the agenda lists, oldest first.
const AGENDA: u64 = 300;

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
    /// Open requests in all, when the agenda lists only the oldest.
    more: Option<u64>,
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
    // The oldest AGENDA open requests (a bureau has a few dozen; the
    // page says when there are more).
    let waiting = request::Entity::find().filter(request::Column::State.eq(request::State::Open));
    let total = sea_orm::PaginatorTrait::count(waiting.clone(), &app.db)
        .await
        .unwrap_or(0);
    let open = waiting
        .order_by_asc(request::Column::FiledAt)
        .order_by_asc(request::Column::Id)
        .limit(AGENDA)
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
            more: (total > AGENDA).then_some(total),
        },
    )
}

/// The meeting's decision as typed.
#[derive(Debug, Default, Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    pub(super) csrf: String,
    #[serde(default)]
    pub(super) meeting_date: String,
    #[serde(default)]
    pub(super) decision: String,
    #[serde(default)]
    pub(super) responsible_department: String,
    #[serde(default)]
    pub(super) due_date: String,
}

/// The feedback to the customer as typed.
#[derive(Debug, Default, Deserialize)]
pub struct FeedbackForm {
    #[serde(default)]
    pub(super) csrf: String,
    #[serde(default)]
    pub(super) given_on: String,
    #[serde(default)]
    pub(super) channel: String,
    #[serde(default)]
    pub(super) text: String,
}

/// A minutes form's outcome: back to the request, or the form again with
/// what was wrong (each field's error, or why the request refused it).
async fn minutes_outcome(
    app: &App,
    u: &WebUser,
    id: i64,
    done: Result<RequestView, crate::coordination::ServiceError>,
    mut x: Shown,
) -> Response {
    match done {
        Ok(_) => Redirect::to(&format!("/coordination/{id}")).into_response(),
        Err(crate::coordination::ServiceError::Invalid(errors)) => {
            x.errors = errors.into_iter().map(|e| (e.field, e.message)).collect();
            show(app, u, id, x).await
        }
        Err(e) => {
            x.error = Some((super::pages::status_of(&e), e.to_string()));
            show(app, u, id, x).await
        }
    }
}

/// Whether the reader may record the minutes of request `id`: `Err` is
/// the page to answer (not found when they may not read the request,
/// forbidden when they may not act on its ticket).
async fn minutes_allowed(app: &App, u: &WebUser, id: i64) -> Result<(), Response> {
    let not_found = || super::pages::not_found(u);
    let r = svc::find(app, id).await.map_err(|_| not_found())?;
    let v = svc::view(app, r).await.map_err(|_| not_found())?;
    let t = crate::tickets::store::find_row(app, v.ticket_id)
        .await
        .map_err(|_| not_found())?;
    let asked: Vec<i64> = v.targets.iter().map(|t| t.department_id).collect();
    if !permissions::reads_request(&u.p, &t, &asked) {
        return Err(not_found());
    }
    match super::pages::ticket_for(app, u, t.id, permissions::TicketAccess::Write).await {
        Ok(_) => Ok(()),
        Err(_) => Err((
            StatusCode::FORBIDDEN,
            "your role may read this request but not record its minutes",
        )
            .into_response()),
    }
}

/// Records the weekly meeting's decision on the request.
pub async fn decide(
    State(app): State<App>,
    u: WebUser,
    Path(id): Path<i64>,
    Form(f): Form<DecisionForm>,
) -> Response {
    use crate::coordination::forms::DecisionBody;
    use crate::coordination::meeting::{NewDecision, record_decision};
    if !u.csrf_ok(&f.csrf) {
        return super::session::bad_csrf();
    }
    if let Err(res) = minutes_allowed(&app, &u, id).await {
        return res;
    }
    let body = DecisionBody {
        meeting_date: f.meeting_date.clone(),
        decision: f.decision.clone(),
        responsible_department: f.responsible_department.clone(),
        due_date: f.due_date.clone(),
    };
    let done = match NewDecision::try_from(body) {
        Ok(n) => record_decision(&app, &u.p.actor(), id, n).await,
        Err(errors) => Err(crate::coordination::ServiceError::Invalid(errors)),
    };
    let x = Shown {
        d: f,
        ..Shown::default()
    };
    minutes_outcome(&app, &u, id, done, x).await
}

/// Records the feedback given to the customer.
pub async fn give_feedback(
    State(app): State<App>,
    u: WebUser,
    Path(id): Path<i64>,
    Form(f): Form<FeedbackForm>,
) -> Response {
    use crate::coordination::forms::{FeedbackBody, NewFeedback};
    use crate::coordination::meeting::record_feedback;
    if !u.csrf_ok(&f.csrf) {
        return super::session::bad_csrf();
    }
    if let Err(res) = minutes_allowed(&app, &u, id).await {
        return res;
    }
    let body = FeedbackBody {
        given_on: f.given_on.clone(),
        channel: f.channel.clone(),
        text: f.text.clone(),
    };
    let done = match NewFeedback::try_from(body) {
        Ok(n) => record_feedback(&app, &u.p.actor(), id, n.given_on, n.channel, n.text).await,
        Err(errors) => Err(crate::coordination::ServiceError::Invalid(errors)),
    };
    let x = Shown {
        fb: f,
        ..Shown::default()
    };
    minutes_outcome(&app, &u, id, done, x).await
}
