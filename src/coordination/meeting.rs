//! The weekly coordination meeting: its agenda mail (every unsettled request
//! grouped by department, oldest first), the decisions recorded in its
//! minutes, and the feedback the manager gives the customer afterwards.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set,
};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use super::ServiceError;
use super::entity::{decision, feedback, request, target};
use super::rules::is_overdue;
use super::views::{RequestView, find, view};
use crate::app::App;
use crate::coordination::entity::request::State;
use crate::mail::{
    self, AgendaContext, AgendaGroup, AgendaItem, DigestAnswer, EmailAddress, Lang, OutboxMail,
};
use crate::org::UnitKind;
use crate::org::service::{person_by_id, person_by_username, unit_by_code, unit_by_id};
use crate::tickets::Actor;
use crate::tickets::entity::ticket;
use crate::tickets::store::append_event;

/// A decision from the meeting's minutes.
#[derive(Debug, Clone)]
pub struct NewDecision {
    pub meeting_date: NaiveDate,
    pub decision: String,
    /// Department code responsible for carrying it out.
    pub responsible: String,
    pub due_date: NaiveDate,
}

/// Records the meeting's decision on an open request: it is settled and
/// becomes a tracked action of the responsible department.
pub async fn record_decision(
    app: &App,
    actor: &Actor,
    request_id: i64,
    n: NewDecision,
) -> Result<RequestView, ServiceError> {
    let now = app.now();
    let r = find(app, request_id).await?;
    if r.state != State::Open {
        return Err(ServiceError::Conflict(format!(
            "the request is already {}",
            r.state
        )));
    }
    let dept = match unit_by_code(&app.db, &n.responsible).await? {
        Some(u) if u.kind == UnitKind::Department.as_str() => u,
        _ => {
            return Err(ServiceError::invalid(
                "responsible_department",
                format!("no department `{}`", n.responsible),
            ));
        }
    };
    if n.due_date < n.meeting_date {
        return Err(ServiceError::invalid("due_date", "is before the meeting"));
    }
    let by = actor
        .person_id
        .ok_or_else(|| ServiceError::Forbidden("a person records minutes".into()))?;
    let txn = app.begin_write().await?;
    // Again under the request's lock: an answer may have settled it since.
    let r = super::commands::lock_open(&txn, r.id).await?;
    decision::ActiveModel {
        id: NotSet,
        request_id: Set(r.id),
        meeting_date: Set(n.meeting_date),
        decision: Set(n.decision.clone()),
        responsible_department_id: Set(dept.id),
        due_date: Set(n.due_date),
        recorded_by: Set(by),
        recorded_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let mut am = r.into_active_model();
    am.state = Set(State::Settled);
    am.settled_how = Set(Some("meeting".into()));
    am.settled_at = Set(Some(now));
    let r = am.update(&txn).await?;
    let payload = json!({"request_id": r.id, "meeting_date": n.meeting_date, "decision": n.decision, "responsible_department": dept.code, "due_date": n.due_date});
    append_event(
        &txn,
        r.ticket_id,
        actor,
        now,
        "coordination_decided",
        payload,
    )
    .await?;
    txn.commit().await?;
    view(app, r).await
}

/// Records the feedback given to the customer on a request.
pub async fn record_feedback(
    app: &App,
    actor: &Actor,
    request_id: i64,
    given_on: NaiveDate,
    channel: String,
    text: String,
) -> Result<RequestView, ServiceError> {
    let now = app.now();
    let r = find(app, request_id).await?;
    if r.state == State::Withdrawn {
        return Err(ServiceError::Conflict("the request was withdrawn".into()));
    }
    if given_on > app.sla().local_date(now) {
        return Err(ServiceError::invalid("given_on", "is in the future"));
    }
    let by = actor
        .person_id
        .ok_or_else(|| ServiceError::Forbidden("a person records feedback".into()))?;
    let txn = app.begin_write().await?;
    feedback::ActiveModel {
        id: NotSet,
        request_id: Set(r.id),
        given_on: Set(given_on),
        channel: Set(channel.clone()),
        text: Set(text.clone()),
        recorded_by: Set(by),
        recorded_at: Set(now),
    }
    .insert(&txn)
    .await?;
    append_event(
        &txn,
        r.ticket_id,
        actor,
        now,
        "coordination_feedback",
        json!({"request_id": r.id, "given_on": given_on, "channel": channel, "text": text}),
    )
    .await?;
    txn.commit().await?;
    view(app, r).await
}

/// What an agenda run did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgendaReport {
    pub meeting_date: NaiveDate,
    pub requests: usize,
    pub recipients: usize,
    pub written: bool,
    pub subject: String,
}

/// The agenda of the meeting on `date`: every unsettled request, under each
/// department that has not agreed, oldest first; mailed once to the
/// configured participants.
pub async fn agenda(
    app: &App,
    date: NaiveDate,
    dry_run: bool,
) -> Result<AgendaReport, ServiceError> {
    let open = request::Entity::find()
        .filter(request::Column::State.eq(request::State::Open))
        .order_by_asc(request::Column::FiledAt)
        .all(&app.db)
        .await?;
    // The participants, and their language (Chinese unless all chose English).
    let mut to = Vec::new();
    let mut all_en = true;
    for username in &app.config.raw.coordination.meeting_participants {
        match person_by_username(&app.db, username).await? {
            Some(p) if p.active => {
                all_en &= p.lang == "en";
                to.extend(EmailAddress::named(&p.name, &p.email).ok());
            }
            _ => tracing::warn!(%username, "meeting participant unknown or deactivated"),
        }
    }
    let lang = if all_en && !to.is_empty() {
        Lang::En
    } else {
        Lang::ZhCn
    };
    let ids: Vec<i64> = open.iter().map(|r| r.id).collect();
    let targets = target::Entity::find()
        .filter(target::Column::RequestId.is_in(ids))
        .all(&app.db)
        .await?;
    let at = app.now();
    let base = app
        .config
        .raw
        .server
        .base_url
        .trim_end_matches('/')
        .to_string();
    let mut groups: Vec<(i64, AgendaGroup)> = Vec::new();
    for r in &open {
        let t = ticket::Entity::find_by_id(r.ticket_id).one(&app.db).await?;
        let author = person_by_id(&app.db, r.author_id).await?;
        let mine: Vec<&target::Model> = targets.iter().filter(|x| x.request_id == r.id).collect();
        let mut answers = Vec::new();
        for x in mine.iter().filter(|x| x.answer.is_some()) {
            answers.push(DigestAnswer {
                department_name: unit_by_id(&app.db, x.department_id).await?.name,
                answer_label: mail::answer_label(x.answer.as_deref().unwrap_or(""), lang)
                    .to_string(),
                text: x.answer_text.clone().unwrap_or_default(),
            });
        }
        for x in mine.iter().filter(|x| x.answer.as_deref() != Some("agree")) {
            let item = AgendaItem {
                request_id: r.id,
                ticket_no: t.as_ref().map(|t| t.ticket_no.clone()).unwrap_or_default(),
                customer_name: t
                    .as_ref()
                    .map(|t| t.customer_name.clone())
                    .unwrap_or_default(),
                subject: r.subject.clone(),
                filed_on: app.sla().local_date(r.filed_at),
                asked_by: author.name.clone(),
                overdue: is_overdue(app, r, &targets, at),
                answers: answers.clone(),
                link: format!("{base}/coordination/{}", r.id),
            };
            match groups.iter_mut().find(|(id, _)| *id == x.department_id) {
                Some((_, g)) => g.items.push(item),
                None => {
                    let name = unit_by_id(&app.db, x.department_id).await?.name;
                    groups.push((
                        x.department_id,
                        AgendaGroup {
                            department_name: name,
                            items: vec![item],
                        },
                    ));
                }
            }
        }
    }
    let ctx = AgendaContext {
        meeting_date: date,
        groups: groups.into_iter().map(|(_, g)| g).collect(),
    };
    let rendered = mail::render_agenda(&ctx, lang)?;
    let mut report = AgendaReport {
        meeting_date: date,
        requests: open.len(),
        recipients: to.len(),
        written: false,
        subject: rendered.subject.clone(),
    };
    if !dry_run && !to.is_empty() {
        let m = OutboxMail {
            idempotency_key: format!("agenda:{date}"),
            to,
            cc: Vec::new(),
            rendered,
            template: "agenda",
            ticket_id: None,
            event_id: None,
        };
        report.written = mail::enqueue(&app.writer, &app.config.raw.mail, m, app.now()).await?;
    }
    Ok(report)
}

/// The scheduled check: on the meeting weekday (a working day), from the
/// meeting time on, the agenda once.
pub async fn run_due(app: &App) -> Result<Option<AgendaReport>, ServiceError> {
    let times = app.config.coordination;
    let now: DateTime<Utc> = app.now();
    let local = now.with_timezone(&app.zone());
    let today = local.date_naive();
    if today.weekday() != times.meeting_weekday
        || local.time() < times.meeting_time
        || !app.calendar.is_working_day_provisional(today).0
    {
        return Ok(None);
    }
    agenda(app, today, false).await.map(Some)
}
