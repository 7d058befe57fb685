//! Coordination requests as read: with their departments, answers,
//! decision and feedback, each kind read in one query for a whole list.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use utoipa::ToSchema;

use super::ServiceError;
use super::entity::{decision, feedback, request, target};
use super::rules::{Attachment, is_overdue};
use crate::app::App;
use crate::coordination::entity::request::State;
use crate::org::entity::unit;

/// Requests per query of their parts (well under bound-parameter limits).
const CHUNK: usize = 500;

/// One department asked, and its answer so far.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TargetView {
    pub department_id: i64,
    pub department_code: String,
    pub department_name: String,
    pub answer: Option<String>,
    pub answer_text: Option<String>,
    pub answered_at: Option<DateTime<Utc>>,
}

/// A coordination request as read.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RequestView {
    pub id: i64,
    pub ticket_id: i64,
    pub author_id: i64,
    pub subject: String,
    pub question: String,
    pub category: String,
    pub attachments: Vec<Attachment>,
    pub answer_by: NaiveDate,
    pub filed_at: DateTime<Utc>,
    /// open, settled or withdrawn.
    pub state: State,
    pub settled_how: Option<String>,
    /// Not fully answered by the end of its answer day.
    pub overdue: bool,
    pub targets: Vec<TargetView>,
    /// The weekly meeting's decision, once recorded.
    pub decision: Option<DecisionView>,
    /// Feedback given to the customer, oldest first.
    pub feedback: Vec<FeedbackView>,
}

/// A decision from the minutes: a tracked action of a department.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DecisionView {
    pub meeting_date: NaiveDate,
    pub decision: String,
    pub responsible_department: String,
    pub due_date: NaiveDate,
}

/// Feedback given to the customer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FeedbackView {
    pub given_on: NaiveDate,
    pub channel: String,
    pub text: String,
}

/// A request by id.
pub async fn find(app: &App, id: i64) -> Result<request::Model, ServiceError> {
    request::Entity::find_by_id(id)
        .one(&app.db)
        .await?
        .ok_or_else(|| ServiceError::NotFound(format!("coordination request {id}")))
}

/// The request with its departments and answers, overdue as of now.
pub async fn view(app: &App, r: request::Model) -> Result<RequestView, ServiceError> {
    let mut v = views(app, vec![r]).await?;
    Ok(v.pop().expect("one request, one view"))
}

/// The views of `rows`, in their order: targets, units, decisions and
/// feedback read once per [`CHUNK`] requests, not once per request.
pub async fn views(app: &App, rows: Vec<request::Model>) -> Result<Vec<RequestView>, ServiceError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut targets: Vec<target::Model> = Vec::new();
    let mut decisions: HashMap<i64, decision::Model> = HashMap::new();
    let mut feedback: HashMap<i64, Vec<feedback::Model>> = HashMap::new();
    for chunk in ids.chunks(CHUNK) {
        targets.extend(
            target::Entity::find()
                .filter(target::Column::RequestId.is_in(chunk.to_vec()))
                .order_by_asc(target::Column::Id)
                .all(&app.db)
                .await?,
        );
        for d in decision::Entity::find()
            .filter(decision::Column::RequestId.is_in(chunk.to_vec()))
            .all(&app.db)
            .await?
        {
            decisions.insert(d.request_id, d);
        }
        for f in feedback::Entity::find()
            .filter(feedback::Column::RequestId.is_in(chunk.to_vec()))
            .order_by_asc(feedback::Column::Id)
            .all(&app.db)
            .await?
        {
            feedback.entry(f.request_id).or_default().push(f);
        }
    }
    let mut unit_ids: Vec<i64> = targets.iter().map(|t| t.department_id).collect();
    unit_ids.extend(decisions.values().map(|d| d.responsible_department_id));
    unit_ids.sort_unstable();
    unit_ids.dedup();
    let mut units: HashMap<i64, unit::Model> = HashMap::new();
    for chunk in unit_ids.chunks(CHUNK) {
        for u in unit::Entity::find()
            .filter(unit::Column::Id.is_in(chunk.to_vec()))
            .all(&app.db)
            .await?
        {
            units.insert(u.id, u);
        }
    }
    let code = |id: i64| units.get(&id).map(|u| u.code.clone()).unwrap_or_default();
    let now = app.now();
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let mine: Vec<target::Model> = targets
            .iter()
            .filter(|t| t.request_id == r.id)
            .cloned()
            .collect();
        let overdue = is_overdue(app, &r, &mine, now);
        let tv = mine
            .into_iter()
            .map(|t| TargetView {
                department_id: t.department_id,
                department_code: code(t.department_id),
                department_name: units
                    .get(&t.department_id)
                    .map(|u| u.name.clone())
                    .unwrap_or_default(),
                answer: t.answer,
                answer_text: t.answer_text,
                answered_at: t.answered_at,
            })
            .collect();
        let decision = decisions.remove(&r.id).map(|d| DecisionView {
            meeting_date: d.meeting_date,
            decision: d.decision,
            responsible_department: code(d.responsible_department_id),
            due_date: d.due_date,
        });
        let feedback = feedback
            .remove(&r.id)
            .unwrap_or_default()
            .into_iter()
            .map(|f| FeedbackView {
                given_on: f.given_on,
                channel: f.channel,
                text: f.text,
            })
            .collect();
        out.push(RequestView {
            id: r.id,
            ticket_id: r.ticket_id,
            author_id: r.author_id,
            subject: r.subject,
            question: r.question,
            category: r.category,
            attachments: serde_json::from_str(&r.attachments).unwrap_or_default(),
            answer_by: r.answer_by,
            filed_at: r.filed_at,
            state: r.state,
            settled_how: r.settled_how,
            overdue,
            targets: tv,
            decision,
            feedback,
        });
    }
    Ok(out)
}

/// Requests on a ticket, oldest first.
pub async fn by_ticket(app: &App, ticket_id: i64) -> Result<Vec<RequestView>, ServiceError> {
    let rows = request::Entity::find()
        .filter(request::Column::TicketId.eq(ticket_id))
        .order_by_asc(request::Column::FiledAt)
        .all(&app.db)
        .await?;
    views(app, rows).await
}

/// The requests that asked department `department_id` (a subquery, not a
/// list of ids), oldest first.
fn asking(department_id: i64) -> sea_orm::Select<request::Entity> {
    use sea_orm::sea_query::Query;
    let asked = Query::select()
        .column(target::Column::RequestId)
        .from(target::Entity)
        .and_where(target::Column::DepartmentId.eq(department_id))
        .to_owned();
    request::Entity::find()
        .filter(request::Column::Id.in_subquery(asked))
        .order_by_asc(request::Column::FiledAt)
}

/// Requests addressed to `department_id`, optionally only open or only overdue.
pub async fn by_department(
    app: &App,
    department_id: i64,
    state: Option<State>,
    overdue_only: bool,
) -> Result<Vec<RequestView>, ServiceError> {
    let mut q = asking(department_id);
    if let Some(s) = state {
        q = q.filter(request::Column::State.eq(s));
    }
    let mut out = views(app, q.all(&app.db).await?).await?;
    if overdue_only {
        out.retain(|v| v.overdue);
    }
    Ok(out)
}

/// Open requests that still wait on department `department_id`'s answer.
pub async fn open_for_department(
    app: &App,
    department_id: i64,
) -> Result<Vec<RequestView>, ServiceError> {
    let rows = asking(department_id)
        .filter(request::Column::State.eq(request::State::Open))
        .all(&app.db)
        .await?;
    let mut out = views(app, rows).await?;
    out.retain(|v| {
        v.targets
            .iter()
            .any(|t| t.department_id == department_id && t.answer.is_none())
    });
    Ok(out)
}

/// Per department asked: (department id, open requests still waiting on
/// its answer, those of them past their answer day), over the open
/// requests whose ticket `tickets` selects (all when `None`).
pub async fn waiting_by_department(
    app: &App,
    tickets: Option<sea_orm::sea_query::SelectStatement>,
) -> Result<Vec<(i64, u64, u64)>, ServiceError> {
    let mut q = request::Entity::find().filter(request::Column::State.eq(request::State::Open));
    if let Some(ids) = tickets {
        q = q.filter(request::Column::TicketId.in_subquery(ids));
    }
    let open_ids = {
        use sea_orm::{QuerySelect, QueryTrait};
        q.clone()
            .select_only()
            .column(request::Column::Id)
            .into_query()
    };
    let open = q.all(&app.db).await?;
    // The unanswered targets of those requests, through a subquery (there
    // may be more open requests than a statement takes parameters).
    let targets = target::Entity::find()
        .filter(target::Column::RequestId.in_subquery(open_ids))
        .filter(target::Column::Answer.is_null())
        .all(&app.db)
        .await?;
    let mut waiting: HashMap<i64, Vec<target::Model>> = HashMap::new();
    for t in targets {
        waiting.entry(t.request_id).or_default().push(t);
    }
    let now = app.now();
    let mut out: Vec<(i64, u64, u64)> = Vec::new();
    for r in &open {
        let Some(mine) = waiting.get(&r.id) else {
            continue;
        };
        let late = is_overdue(app, r, mine, now);
        for t in mine {
            let row = match out.iter_mut().find(|(d, _, _)| *d == t.department_id) {
                Some(row) => row,
                None => {
                    out.push((t.department_id, 0, 0));
                    out.last_mut().expect("just pushed")
                }
            };
            row.1 += 1;
            row.2 += u64::from(late);
        }
    }
    Ok(out)
}
