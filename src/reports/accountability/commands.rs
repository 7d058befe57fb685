//! Recording an action and its completion: each under the ticket's lock,
//! as a row of the register and an event of the ticket.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ActiveModelTrait, ActiveValue::NotSet, EntityTrait, IntoActiveModel, Set};
use serde_json::json;

use super::forms::NewEntry;
use super::{EntryView, entity, views};
use crate::app::App;
use crate::error::ServiceError;
use crate::org::service::{all_people, grants_of, person_by_username};
use crate::reports::at::{Facts, state_at};
use crate::sla::{Due, Pause, StageSlaState, StageVisit, VoltageLevel};
use crate::tickets::Actor;
use crate::tickets::entity::{pause, stage_visit, ticket};
use crate::tickets::store::{append_event, find_row, lock};

/// Records an action on ticket `ticket_id`. The persons default to the
/// owners at the breach ([`breach_owners`]); named persons must hold a
/// role in the ticket's bureau.
pub async fn record(
    app: &App,
    actor: &Actor,
    ticket_id: i64,
    n: NewEntry,
) -> Result<EntryView, ServiceError> {
    let now = app.now();
    let t = find_row(app, ticket_id).await?;
    let persons = match &n.persons {
        Some(names) => named_persons(app, &t, names).await?,
        None => {
            let owners = breach_owners(app, &t, now).await?;
            if owners.is_empty() {
                return Err(ServiceError::invalid(
                    "persons",
                    "the ticket has not passed its deadline nor any stage limit: name the persons concerned",
                ));
            }
            owners
        }
    };
    let date = n.date.unwrap_or_else(|| app.sla().local_date(now));
    if date < t.accepted_on {
        return Err(ServiceError::invalid(
            "date",
            format!(
                "{date} is before the ticket was accepted ({})",
                t.accepted_on
            ),
        ));
    }
    let recorded_by = actor
        .person_id
        .ok_or_else(|| ServiceError::Forbidden("a person records accountability".into()))?;
    let txn = app.begin_write().await?;
    let t = lock(&txn, ticket_id).await?;
    let row = entity::ActiveModel {
        id: NotSet,
        ticket_id: Set(t.id),
        bureau_id: Set(t.bureau_id),
        service_center_id: Set(t.service_center_id),
        kind: Set(n.kind.as_str().into()),
        persons: Set(json!(persons).to_string()),
        on_date: Set(date),
        text: Set(n.text.clone()),
        recorded_by: Set(recorded_by),
        recorded_at: Set(now),
        completed_by: Set(None),
        completed_at: Set(None),
        completion_note: Set(None),
    }
    .insert(&txn)
    .await?;
    let payload = json!({"entry_id": row.id, "kind": n.kind.as_str(), "persons": persons, "date": date, "text": n.text});
    append_event(&txn, t.id, actor, now, "accountability_recorded", payload).await?;
    txn.commit().await?;
    one(app, row).await
}

/// Records that entry `id` was carried out; once only (a second
/// completion is a conflict).
pub async fn complete(
    app: &App,
    actor: &Actor,
    id: i64,
    note: String,
) -> Result<EntryView, ServiceError> {
    let now = app.now();
    let by = actor
        .person_id
        .ok_or_else(|| ServiceError::Forbidden("a person records completion".into()))?;
    let entry = find(app, id).await?;
    let txn = app.begin_write().await?;
    lock(&txn, entry.ticket_id).await?;
    // Read again under the ticket's lock: two completions take turns.
    let entry = entity::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or_else(|| ServiceError::NotFound(format!("accountability entry {id}")))?;
    if let Some(at) = entry.completed_at {
        return Err(ServiceError::Conflict(format!(
            "accountability entry {id} was completed at {}",
            at.with_timezone(&app.zone()).format("%Y-%m-%d %H:%M")
        )));
    }
    let ticket_id = entry.ticket_id;
    let mut am = entry.into_active_model();
    am.completed_by = Set(Some(by));
    am.completed_at = Set(Some(now));
    am.completion_note = Set(Some(note.clone()));
    let row = am.update(&txn).await?;
    let payload = json!({"entry_id": id, "note": note});
    append_event(
        &txn,
        ticket_id,
        actor,
        now,
        "accountability_completed",
        payload,
    )
    .await?;
    txn.commit().await?;
    one(app, row).await
}

/// Entry `id` as stored.
pub async fn find(app: &App, id: i64) -> Result<entity::Model, ServiceError> {
    entity::Entity::find_by_id(id)
        .one(&app.db)
        .await?
        .ok_or_else(|| ServiceError::NotFound(format!("accountability entry {id}")))
}

/// The view of entry `id`, with the ids of the persons it names.
pub async fn show(app: &App, id: i64) -> Result<EntryView, ServiceError> {
    one(app, find(app, id).await?).await
}

async fn one(app: &App, row: entity::Model) -> Result<EntryView, ServiceError> {
    views(app, vec![row])
        .await?
        .pop()
        .ok_or_else(|| ServiceError::Internal("an entry vanished while read".into()))
}

/// The ids of `names`, each a person holding a role in `t`'s bureau.
async fn named_persons(
    app: &App,
    t: &ticket::Model,
    names: &[String],
) -> Result<Vec<i64>, ServiceError> {
    let mut ids = Vec::new();
    for name in names {
        let Some(p) = person_by_username(&app.db, name).await? else {
            return Err(ServiceError::invalid(
                "persons",
                format!("no person `{name}`"),
            ));
        };
        let grants = grants_of(&app.db, p.id).await?;
        if !grants.iter().any(|g| g.bureau_id == Some(t.bureau_id)) {
            return Err(ServiceError::invalid(
                "persons",
                format!("`{name}` holds no role in the ticket's bureau"),
            ));
        }
        if !ids.contains(&p.id) {
            ids.push(p.id);
        }
    }
    Ok(ids)
}

/// Who owned `t` just before it passed its deadline, and when it passed the
/// limit of each limited stage it ran late in (as of `now`, or its
/// closing), each once, in the order of the breaches.
pub async fn breach_owners(
    app: &App,
    t: &ticket::Model,
    now: DateTime<Utc>,
) -> Result<Vec<i64>, ServiceError> {
    let facts = crate::reports::overdue::history(app, vec![t.clone()], now)
        .await?
        .pop()
        .ok_or_else(|| ServiceError::NotFound(format!("ticket {}", t.id)))?;
    let people: HashMap<String, i64> = all_people(&app.db)
        .await?
        .into_iter()
        .map(|p| (p.username, p.id))
        .collect();
    let instants = breach_instants(app, &facts, now);
    let (policy, sla) = (&app.policy, app.sla());
    let mut owners = Vec::new();
    for at in instants {
        // The owner who held it as the limit passed (an escalation at that
        // instant hands it on), or its first owner when yekuo learnt of the
        // ticket only after.
        let at = (at - Duration::seconds(1)).max(facts.ticket.created_at);
        if let Some(s) = state_at(&facts, at, policy, &sla, |u| people.get(u).copied())
            && !owners.contains(&s.owner_id)
        {
            owners.push(s.owner_id);
        }
    }
    Ok(owners)
}

/// The instants a ticket passed its deadline and its stage limits, up to
/// its end (closing or cancelling) or `now`.
fn breach_instants(app: &App, f: &Facts, now: DateTime<Utc>) -> Vec<DateTime<Utc>> {
    breaches(app, &f.ticket, &f.pauses, &f.visits, now).1
}

/// Ticket `t`'s deadline as it stands at its end (closing or cancelling,
/// else `now`), and the instants up to that end at which it passed the
/// deadline and the limit of each stage it ran late in, in order.
pub fn breaches<'a>(
    app: &App,
    t: &ticket::Model,
    pauses: impl IntoIterator<Item = &'a pause::Model>,
    visits: impl IntoIterator<Item = &'a stage_visit::Model>,
    now: DateTime<Utc>,
) -> (Due, Vec<DateTime<Utc>>) {
    let end = t.closed_at.filter(|_| !t.status.is_live()).unwrap_or(now);
    let pauses: Vec<Pause> = pauses
        .into_iter()
        .map(|p| Pause {
            reason: p.reason.clone(),
            started_at: p.started_at,
            ended_at: p.ended_at,
        })
        .collect();
    let sla = app.sla();
    let limit = app
        .policy
        .category(&t.category)
        .map_or(0, |c| c.limit_working_days.get());
    let mut out = Vec::new();
    let due = sla.ticket_due(t.accepted_on, limit, &pauses, end);
    if due.due_at <= end {
        out.push(due.due_at);
    }
    let voltage = VoltageLevel::parse(&t.voltage_level).unwrap_or(VoltageLevel::Kv10);
    for v in visits {
        let Some(stage) = app.policy.stage(&v.stage) else {
            continue;
        };
        let visit = StageVisit {
            stage: v.stage.clone(),
            entered_at: v.entered_at,
            left_at: v.left_at,
        };
        let s = sla.stage_sla(stage, &visit, t.accepted_on, voltage, &pauses, end);
        if matches!(s.state, StageSlaState::Breached | StageSlaState::MetLate)
            && let Some(at) = s.due_at
        {
            out.push(at);
        }
    }
    out.sort();
    (due, out)
}
