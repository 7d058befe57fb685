//! Filing, answering and withdrawing coordination requests. Every step is a
//! ticket event, written in the same transaction, with the request's row
//! locked so that two departments answering at once settle it once.

use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ColumnTrait, ConnectionTrait, DatabaseBackend,
    DatabaseTransaction, EntityTrait, IntoActiveModel, QueryFilter, QuerySelect, Set,
};
use serde_json::json;

use super::ServiceError;
use super::entity::{request, target};
use super::rules::{Answer, Attachment, answer_by};
use super::views::{RequestView, find, view};
use crate::app::App;
use crate::coordination::entity::request::State;
use crate::org::entity::person;
use crate::org::service::{grants_of, unit_by_code, unit_by_id};
use crate::org::{Role, UnitKind};
use crate::tickets::Actor;
use crate::tickets::store::{append_event, find_row};

/// Reads request `id` for update inside `txn` (its row locked on
/// PostgreSQL; SQLite has one writer), `Conflict` unless it is open.
pub(super) async fn lock_open(
    txn: &DatabaseTransaction,
    id: i64,
) -> Result<request::Model, ServiceError> {
    let mut q = request::Entity::find_by_id(id);
    if txn.get_database_backend() == DatabaseBackend::Postgres {
        q = q.lock_exclusive();
    }
    let r = q
        .one(txn)
        .await?
        .ok_or_else(|| ServiceError::NotFound(format!("coordination request {id}")))?;
    if r.state != State::Open {
        return Err(ServiceError::Conflict(format!(
            "the request is {}; it cannot change any more",
            r.state
        )));
    }
    Ok(r)
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
    if !t.status.is_live() {
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
        state: Set(State::Open),
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
    crate::tickets::store::record_asked(&txn, ticket_id, &ids).await?;
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
    let txn = app.begin_write().await?;
    let r = lock_open(&txn, request_id).await?;
    let mine: Vec<i64> = grants_of(&txn, person.id)
        .await?
        .into_iter()
        .filter(|g| g.role == Role::Department)
        .filter_map(|g| g.unit_id)
        .collect();
    let targets = target::Entity::find()
        .filter(target::Column::RequestId.eq(r.id))
        .all(&txn)
        .await?;
    let asked: Vec<&target::Model> = targets
        .iter()
        .filter(|t| mine.contains(&t.department_id))
        .collect();
    let chosen = match department {
        Some(code) => {
            let unit = unit_by_code(&txn, code).await?.ok_or_else(|| {
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
        am.state = Set(State::Settled);
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
    let txn = app.begin_write().await?;
    let r = lock_open(&txn, request_id).await?;
    let mut am = r.into_active_model();
    am.state = Set(State::Withdrawn);
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
