//! A ticket as it stood at a past instant, rebuilt from its history: the
//! event chain gives its status, owner, manager, escalation level,
//! acceptance day and category at that instant; its pause and stage rows
//! give what was paused and which stage it was in. Pure: no database.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;

use crate::sla::{Due, Pause, SlaClock, SlaPolicy};
use crate::tickets::entity::ticket::Status;
use crate::tickets::entity::{event, pause, stage_visit, ticket};

/// What the report needs of one ticket: its row and its history.
#[derive(Debug, Clone)]
pub struct Facts {
    pub ticket: ticket::Model,
    /// Oldest first.
    pub events: Vec<event::Model>,
    pub pauses: Vec<pause::Model>,
    pub visits: Vec<stage_visit::Model>,
}

/// The ticket at instant `at`.
#[derive(Debug, Clone, PartialEq)]
pub struct StateAt {
    pub status: Status,
    pub owner_id: i64,
    pub manager_id: i64,
    pub escalation_level: i32,
    pub accepted_on: NaiveDate,
    pub category: String,
    pub stage: String,
    pub stage_since: DateTime<Utc>,
    /// The deadline as it stood at `at` (pauses up to `at` only).
    pub due: Due,
}

/// The kinds of events [`state_at`] reads (the others need not be loaded).
pub const STATE_KINDS: [&str; 10] = [
    "created",
    "paused",
    "resumed",
    "reopened",
    "closed",
    "cancelled",
    "escalated",
    "handed_back",
    "reassigned",
    "field_updated",
];

fn id(v: &Value) -> Option<i64> {
    v.as_i64()
}

/// The state of a ticket now, from its current row (no history needed:
/// nothing has happened since) and its pauses (a running one moves the
/// deadline as time passes).
pub fn state_now(
    t: &ticket::Model,
    pauses: &[pause::Model],
    now: DateTime<Utc>,
    policy: &SlaPolicy,
    sla: &SlaClock,
) -> StateAt {
    let pauses: Vec<Pause> = pauses
        .iter()
        .map(|p| Pause {
            reason: p.reason.clone(),
            started_at: p.started_at,
            ended_at: p.ended_at,
        })
        .collect();
    let limit = policy
        .category(&t.category)
        .map_or(0, |c| c.limit_working_days.get());
    StateAt {
        status: t.status,
        owner_id: t.owner_id,
        manager_id: t.manager_id,
        escalation_level: t.escalation_level,
        accepted_on: t.accepted_on,
        category: t.category.clone(),
        stage: t.stage.clone(),
        stage_since: t.stage_entered_at,
        due: sla.ticket_due(t.accepted_on, limit, &pauses, now),
    }
}

/// The state of `f` at `at`, or `None` when yekuo did not know the ticket
/// yet (created after `at`). Usernames in `created` events are resolved by
/// `person_id`.
pub fn state_at(
    f: &Facts,
    at: DateTime<Utc>,
    policy: &SlaPolicy,
    sla: &SlaClock,
    person_id: impl Fn(&str) -> Option<i64>,
) -> Option<StateAt> {
    let t = &f.ticket;
    if t.created_at > at {
        return None;
    }
    let mut status = Status::Open;
    let mut owner = t.owner_id;
    let mut manager = t.manager_id;
    let mut level = 0;
    let mut accepted_on = t.accepted_on;
    let mut category = t.category.clone();
    let mut first = true;
    for e in f.events.iter().filter(|e| e.at <= at) {
        let p: Value = serde_json::from_str(&e.payload).unwrap_or(Value::Null);
        match e.kind.as_str() {
            "created" => {
                if let Some(m) = p["manager"].as_str().and_then(&person_id) {
                    manager = m;
                }
                owner = manager;
                level = 0;
                if let Some(d) = p["accepted_on"].as_str().and_then(|d| d.parse().ok()) {
                    accepted_on = d;
                }
                if let Some(c) = p["category"].as_str() {
                    category = c.to_string();
                }
                first = false;
            }
            "paused" => status = Status::Paused,
            "resumed" | "reopened" => status = Status::Open,
            "closed" => status = Status::Closed,
            "cancelled" => status = Status::Cancelled,
            "escalated" | "handed_back" => {
                if let Some(o) = id(&p["to_owner_id"]) {
                    owner = o;
                }
                if let Some(l) = p["to_level"].as_i64() {
                    level = l as i32;
                }
            }
            "reassigned" => {
                if let Some(o) = id(&p["owner"]["to"]) {
                    owner = o;
                }
                if let Some(m) = id(&p["manager"]["to"]) {
                    manager = m;
                }
            }
            "field_updated" => {
                let changes = &p["changes"];
                if let Some(d) = changes["accepted_on"]["to"]
                    .as_str()
                    .and_then(|d| d.parse().ok())
                {
                    accepted_on = d;
                }
                if let Some(c) = changes["category"]["to"].as_str() {
                    category = c.to_string();
                }
            }
            _ => {}
        }
    }
    if first {
        // No `created` event at or before `at`: the ticket was not there.
        return None;
    }
    // A pause is open at `at` if it had started and not yet ended.
    let pauses: Vec<Pause> = f
        .pauses
        .iter()
        .filter(|p| p.started_at <= at)
        .map(|p| Pause {
            reason: p.reason.clone(),
            started_at: p.started_at,
            ended_at: p.ended_at.filter(|e| *e <= at),
        })
        .collect();
    let limit = policy
        .category(&category)
        .map_or(0, |c| c.limit_working_days.get());
    let due = sla.ticket_due(accepted_on, limit, &pauses, at);
    // The stage being visited at `at`; after a closing or cancelling (the
    // last visit ended) the last one entered by then.
    let entered: Vec<&stage_visit::Model> =
        f.visits.iter().filter(|v| v.entered_at <= at).collect();
    let visit = entered
        .iter()
        .filter(|v| v.left_at.is_none_or(|l| l > at))
        .max_by_key(|v| (v.entered_at, v.id))
        .or_else(|| entered.iter().max_by_key(|v| (v.entered_at, v.id)))
        .copied()
        .or_else(|| f.visits.first());
    let (stage, stage_since) = visit.map_or((t.stage.clone(), t.stage_entered_at), |v| {
        (v.stage.clone(), v.entered_at)
    });
    Some(StateAt {
        status,
        owner_id: owner,
        manager_id: manager,
        escalation_level: level,
        accepted_on,
        category,
        stage,
        stage_since,
        due,
    })
}
