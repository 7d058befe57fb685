//! Filing, answering and withdrawing coordination requests. Every step is a
//! ticket event, written in the same transaction.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::ServiceError;
use super::entity::{request, target};
use crate::app::App;
use crate::org::entity::person;
use crate::org::service::{grants_of, unit_by_code, unit_by_id};
use crate::org::{Role, UnitKind};
use crate::tickets::Actor;
use crate::tickets::service::{append_event, find_row};

/// A link attached to a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Attachment {
    pub name: String,
    pub link: String,
}

/// Most links on one request.
pub const MAX_ATTACHMENTS: usize = 20;
/// Longest link.
pub const MAX_LINK: usize = 2048;

/// Links are web addresses (`http://` or `https://`, no spaces, at most
/// [`MAX_LINK`] characters) with a one-line name: a `javascript:` or
/// `data:` link would run in the reader's browser.
pub fn check_attachments(items: &[Attachment]) -> Result<(), String> {
    if items.len() > MAX_ATTACHMENTS {
        return Err(format!("at most {MAX_ATTACHMENTS} links"));
    }
    for (i, a) in items.iter().enumerate() {
        crate::validate::line(&a.name, 200).map_err(|m| format!("[{i}].name {m}"))?;
        let link = a.link.as_str();
        let lower = link.get(..8).unwrap_or(link).to_ascii_lowercase();
        let rest = if lower.starts_with("https://") {
            &link[8..]
        } else if lower.starts_with("http://") {
            &link[7..]
        } else {
            return Err(format!("[{i}].link must start with http:// or https://"));
        };
        if rest.is_empty()
            || link.chars().count() > MAX_LINK
            || link
                .chars()
                .any(|c| c.is_whitespace() || crate::validate::is_hidden(c))
        {
            return Err(format!(
                "[{i}].link must be a web address without spaces, at most {MAX_LINK} characters"
            ));
        }
    }
    Ok(())
}

/// A request to file, already parsed.
#[derive(Debug, Clone)]
pub struct NewRequest {
    pub subject: String,
    pub question: String,
    pub category: String,
    /// Department codes.
    pub departments: Vec<String>,
    pub attachments: Vec<Attachment>,
    /// `None`: the default rule ([`answer_by`]).
    pub answer_by: Option<NaiveDate>,
}

/// A department's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    Agree,
    Disagree,
    NeedInfo,
}

impl Answer {
    pub fn parse(s: &str) -> Result<Answer, String> {
        match s.trim() {
            "agree" => Ok(Answer::Agree),
            "disagree" => Ok(Answer::Disagree),
            "need_info" => Ok(Answer::NeedInfo),
            other => Err(format!(
                "`{other}` is not one of agree, disagree, need_info"
            )),
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Answer::Agree => "agree",
            Answer::Disagree => "disagree",
            Answer::NeedInfo => "need_info",
        }
    }
}

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
    pub state: String,
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

/// The default answer date of a request filed at `filed_at`: the same
/// working day when filed on a working day up to the cut-off time, else the
/// next working day.
pub fn answer_by(app: &App, filed_at: DateTime<Utc>) -> NaiveDate {
    let local = filed_at.with_timezone(&app.zone());
    let day = local.date_naive();
    let cutoff = app.config.coordination.cutoff;
    let (working, _) = app.calendar.is_working_day_provisional(day);
    if working && local.time() <= cutoff {
        day
    } else {
        app.calendar.add_provisional(day, 1).date
    }
}

/// The instant a request answered by `day` becomes overdue.
pub fn overdue_at(app: &App, day: NaiveDate) -> DateTime<Utc> {
    let end = app.config.coordination.end_of_day;
    let naive = day.and_time(end);
    use chrono::TimeZone;
    app.zone()
        .from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| app.sla().end_of(day))
}

/// The one rule of lateness, for the API, the digest, the agenda and the
/// reports: a request is overdue at `at` when it is still open, some
/// department it asked has not answered (`targets`: its own, or a superset;
/// others are ignored), and its answer day has ended.
pub fn is_overdue(
    app: &App,
    r: &request::Model,
    targets: &[target::Model],
    at: DateTime<Utc>,
) -> bool {
    r.state == "open"
        && targets
            .iter()
            .any(|t| t.request_id == r.id && t.answer.is_none())
        && at >= overdue_at(app, r.answer_by)
}

/// Files a request on ticket `ticket_id`.
#[tracing::instrument(skip_all, fields(ticket_id))]
pub async fn file(
    app: &App,
    actor: &Actor,
    ticket_id: i64,
    n: NewRequest,
) -> Result<RequestView, ServiceError> {
    let now = app.now();
    let t = find_row(app, ticket_id).await?;
    if t.status != "open" && t.status != "paused" {
        return Err(ServiceError::Conflict(format!(
            "ticket is {}; coordination needs an open ticket",
            t.status
        )));
    }
    if !app
        .config
        .raw
        .coordination
        .categories
        .iter()
        .any(|c| c.key == n.category)
    {
        let known: Vec<_> = app
            .config
            .raw
            .coordination
            .categories
            .iter()
            .map(|c| c.key.as_str())
            .collect();
        return Err(ServiceError::invalid(
            "category",
            format!("`{}` is not one of {}", n.category, known.join(", ")),
        ));
    }
    if n.departments.is_empty() {
        return Err(ServiceError::invalid(
            "departments",
            "name at least one department",
        ));
    }
    let mut departments = Vec::new();
    for code in &n.departments {
        match unit_by_code(&app.db, code).await? {
            Some(u)
                if u.kind == UnitKind::Department.as_str()
                    && u.parent_id != Some(t.bureau_id)
                    && !app.config.raw.coordination.cross_bureau =>
            {
                return Err(ServiceError::invalid(
                    "departments",
                    format!("`{code}` is a department of another bureau than the ticket's"),
                ));
            }
            Some(u) if u.kind == UnitKind::Department.as_str() => {
                if !departments
                    .iter()
                    .any(|d: &crate::org::entity::unit::Model| d.id == u.id)
                {
                    departments.push(u);
                }
            }
            Some(_) => {
                return Err(ServiceError::invalid(
                    "departments",
                    format!("`{code}` is not a department"),
                ));
            }
            None => {
                return Err(ServiceError::invalid(
                    "departments",
                    format!("no department `{code}`"),
                ));
            }
        }
    }
    let answer_by = n.answer_by.unwrap_or_else(|| answer_by(app, now));
    if answer_by < app.sla().local_date(now) {
        return Err(ServiceError::invalid("answer_by", "is in the past"));
    }
    let author = actor
        .person_id
        .ok_or_else(|| ServiceError::Forbidden("a person files requests".into()))?;
    let txn = app.begin_write().await?;
    let r = request::ActiveModel {
        id: NotSet,
        ticket_id: Set(ticket_id),
        author_id: Set(author),
        subject: Set(n.subject.clone()),
        question: Set(n.question),
        category: Set(n.category),
        attachments: Set(serde_json::to_string(&n.attachments).unwrap_or_else(|_| "[]".into())),
        answer_by: Set(answer_by),
        filed_at: Set(now),
        state: Set("open".into()),
        settled_how: Set(None),
        settled_at: Set(None),
    }
    .insert(&txn)
    .await?;
    for d in &departments {
        target::ActiveModel {
            id: NotSet,
            request_id: Set(r.id),
            department_id: Set(d.id),
            answer: Set(None),
            answer_text: Set(None),
            answered_by: Set(None),
            answered_at: Set(None),
        }
        .insert(&txn)
        .await?;
    }
    let codes: Vec<&str> = departments.iter().map(|d| d.code.as_str()).collect();
    append_event(&txn, ticket_id, actor, now, "coordination_filed", json!({"request_id": r.id, "subject": n.subject, "departments": codes, "answer_by": answer_by})).await?;
    let ids: Vec<i64> = departments.iter().map(|d| d.id).collect();
    crate::tickets::service::record_asked(&txn, ticket_id, &ids).await?;
    txn.commit().await?;
    view(app, r).await
}

/// Records `person`'s answer for their department (one of those asked);
/// settles the request when every department has agreed.
pub async fn answer(
    app: &App,
    person: &person::Model,
    request_id: i64,
    department: Option<&str>,
    answer: Answer,
    text: Option<String>,
) -> Result<RequestView, ServiceError> {
    let now = app.now();
    let r = find(app, request_id).await?;
    if r.state != "open" {
        return Err(ServiceError::Conflict(format!(
            "the request is {}; it takes no more answers",
            r.state
        )));
    }
    let mine: Vec<i64> = grants_of(&app.db, person.id)
        .await?
        .into_iter()
        .filter(|g| g.role == Role::Department)
        .filter_map(|g| g.unit_id)
        .collect();
    let targets = targets_of(app, r.id).await?;
    let asked: Vec<&target::Model> = targets
        .iter()
        .filter(|t| mine.contains(&t.department_id))
        .collect();
    let chosen = match department {
        Some(code) => {
            let unit = unit_by_code(&app.db, code).await?.ok_or_else(|| {
                ServiceError::invalid("department", format!("no department `{code}`"))
            })?;
            asked.into_iter().find(|t| t.department_id == unit.id)
        }
        None => asked.into_iter().next(),
    };
    let Some(chosen) = chosen.cloned() else {
        return Err(ServiceError::Forbidden(
            "your department was not asked this request".into(),
        ));
    };
    let txn = app.begin_write().await?;
    let dept = unit_by_id(&txn, chosen.department_id).await?;
    let mut am = chosen.into_active_model();
    am.answer = Set(Some(answer.as_str().into()));
    am.answer_text = Set(text.clone());
    am.answered_by = Set(Some(person.id));
    am.answered_at = Set(Some(now));
    am.update(&txn).await?;
    let actor = Actor::person(person.id, &person.username);
    append_event(&txn, r.ticket_id, &actor, now, "coordination_answered", json!({"request_id": r.id, "department": dept.code, "answer": answer.as_str(), "text": text})).await?;
    let all = target::Entity::find()
        .filter(target::Column::RequestId.eq(r.id))
        .all(&txn)
        .await?;
    let mut r = r;
    if all.iter().all(|t| t.answer.as_deref() == Some("agree")) {
        let mut am = r.clone().into_active_model();
        am.state = Set("settled".into());
        am.settled_how = Set(Some("answers".into()));
        am.settled_at = Set(Some(now));
        r = am.update(&txn).await?;
        append_event(
            &txn,
            r.ticket_id,
            &Actor::system(),
            now,
            "coordination_settled",
            json!({"request_id": r.id, "how": "every department agreed"}),
        )
        .await?;
    }
    txn.commit().await?;
    view(app, r).await
}

/// Withdraws a request; only its author may, while it is open.
pub async fn withdraw(
    app: &App,
    actor: &Actor,
    request_id: i64,
) -> Result<RequestView, ServiceError> {
    let now = app.now();
    let r = find(app, request_id).await?;
    if actor.person_id != Some(r.author_id) {
        return Err(ServiceError::Forbidden(
            "only the request's author withdraws it".into(),
        ));
    }
    if r.state != "open" {
        return Err(ServiceError::Conflict(format!(
            "the request is already {}",
            r.state
        )));
    }
    let txn = app.begin_write().await?;
    let mut am = r.into_active_model();
    am.state = Set("withdrawn".into());
    let r = am.update(&txn).await?;
    append_event(
        &txn,
        r.ticket_id,
        actor,
        now,
        "coordination_withdrawn",
        json!({"request_id": r.id}),
    )
    .await?;
    txn.commit().await?;
    view(app, r).await
}

/// Open requests that still wait on department `department_id`'s answer.
pub async fn open_for_department(
    app: &App,
    department_id: i64,
) -> Result<Vec<RequestView>, ServiceError> {
    let waiting = target::Entity::find()
        .filter(target::Column::DepartmentId.eq(department_id))
        .filter(target::Column::Answer.is_null())
        .all(&app.db)
        .await?;
    let ids: Vec<i64> = waiting.iter().map(|t| t.request_id).collect();
    let rows = request::Entity::find()
        .filter(request::Column::Id.is_in(ids))
        .filter(request::Column::State.eq("open"))
        .order_by_asc(request::Column::FiledAt)
        .all(&app.db)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(view(app, r).await?);
    }
    Ok(out)
}

/// A request by id.
pub async fn find(app: &App, id: i64) -> Result<request::Model, ServiceError> {
    request::Entity::find_by_id(id)
        .one(&app.db)
        .await?
        .ok_or_else(|| ServiceError::NotFound(format!("coordination request {id}")))
}

async fn targets_of(app: &App, request_id: i64) -> Result<Vec<target::Model>, ServiceError> {
    Ok(target::Entity::find()
        .filter(target::Column::RequestId.eq(request_id))
        .order_by_asc(target::Column::Id)
        .all(&app.db)
        .await?)
}

/// The request with its departments and answers, overdue as of now.
pub async fn view(app: &App, r: request::Model) -> Result<RequestView, ServiceError> {
    let targets = targets_of(app, r.id).await?;
    let mut tv = Vec::with_capacity(targets.len());
    for t in &targets {
        let u = unit_by_id(&app.db, t.department_id).await?;
        tv.push(TargetView {
            department_id: u.id,
            department_code: u.code,
            department_name: u.name,
            answer: t.answer.clone(),
            answer_text: t.answer_text.clone(),
            answered_at: t.answered_at,
        });
    }
    use super::entity::{decision, feedback};
    let decision = match decision::Entity::find()
        .filter(decision::Column::RequestId.eq(r.id))
        .one(&app.db)
        .await?
    {
        Some(d) => Some(DecisionView {
            meeting_date: d.meeting_date,
            decision: d.decision,
            responsible_department: unit_by_id(&app.db, d.responsible_department_id).await?.code,
            due_date: d.due_date,
        }),
        None => None,
    };
    let feedback = feedback::Entity::find()
        .filter(feedback::Column::RequestId.eq(r.id))
        .order_by_asc(feedback::Column::Id)
        .all(&app.db)
        .await?
        .into_iter()
        .map(|f| FeedbackView {
            given_on: f.given_on,
            channel: f.channel,
            text: f.text,
        })
        .collect();
    let overdue = is_overdue(app, &r, &targets, app.now());
    Ok(RequestView {
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
    })
}

/// Requests on a ticket, oldest first.
pub async fn by_ticket(app: &App, ticket_id: i64) -> Result<Vec<RequestView>, ServiceError> {
    let rows = request::Entity::find()
        .filter(request::Column::TicketId.eq(ticket_id))
        .order_by_asc(request::Column::FiledAt)
        .all(&app.db)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(view(app, r).await?);
    }
    Ok(out)
}

/// Requests addressed to `department_id`, optionally only open or only overdue.
pub async fn by_department(
    app: &App,
    department_id: i64,
    state: Option<&str>,
    overdue_only: bool,
) -> Result<Vec<RequestView>, ServiceError> {
    let ids: Vec<i64> = target::Entity::find()
        .filter(target::Column::DepartmentId.eq(department_id))
        .all(&app.db)
        .await?
        .into_iter()
        .map(|t| t.request_id)
        .collect();
    let mut q = request::Entity::find()
        .filter(request::Column::Id.is_in(ids))
        .order_by_asc(request::Column::FiledAt);
    if let Some(s) = state {
        q = q.filter(request::Column::State.eq(s));
    }
    let mut out = Vec::new();
    for r in q.all(&app.db).await? {
        let v = view(app, r).await?;
        if !overdue_only || v.overdue {
            out.push(v);
        }
    }
    Ok(out)
}
