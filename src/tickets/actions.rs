//! What each action does to a ticket and its history, decided without I/O:
//! the legal transitions, the recomputed SLA columns and the event to
//! append. `service` loads, calls [`apply`] and persists in one transaction.

use chrono::{DateTime, Datelike, Utc};
use serde_json::{Map, Value, json};

use crate::app::App;
use crate::sla::{Pause, StageVisit, VoltageLevel};

use super::ServiceError;
use super::entity::{pause, stage_visit, ticket};
use super::input::TicketPatch;
use crate::tickets::entity::ticket::Status;

/// A row loaded from or to be written to the database.
#[derive(Debug, Clone)]
pub struct Tracked<T> {
    pub row: T,
    pub dirty: bool,
}

impl<T> Tracked<T> {
    pub fn clean(row: T) -> Self {
        Tracked { row, dirty: false }
    }
    pub fn new(row: T) -> Self {
        Tracked { row, dirty: true }
    }
}

/// A ticket's pauses and stage visits, oldest first.
#[derive(Debug, Clone, Default)]
pub struct History {
    pub pauses: Vec<Tracked<pause::Model>>,
    pub visits: Vec<Tracked<stage_visit::Model>>,
}

impl History {
    pub fn sla_pauses(&self) -> Vec<Pause> {
        self.pauses
            .iter()
            .map(|p| Pause {
                reason: p.row.reason.clone(),
                started_at: p.row.started_at,
                ended_at: p.row.ended_at,
            })
            .collect()
    }

    pub fn sla_visits(&self) -> Vec<StageVisit> {
        self.visits
            .iter()
            .map(|v| StageVisit {
                stage: v.row.stage.clone(),
                entered_at: v.row.entered_at,
                left_at: v.row.left_at,
            })
            .collect()
    }

    fn end_open_pause(&mut self, now: DateTime<Utc>) -> Option<pause::Model> {
        let p = self.pauses.iter_mut().find(|p| p.row.ended_at.is_none())?;
        p.row.ended_at = Some(now);
        p.dirty = true;
        Some(p.row.clone())
    }

    fn leave_stage(&mut self, now: DateTime<Utc>) {
        if let Some(v) = self
            .visits
            .iter_mut()
            .rev()
            .find(|v| v.row.left_at.is_none())
        {
            v.row.left_at = Some(now);
            v.dirty = true;
        }
    }

    fn enter_stage(&mut self, ticket_id: i64, stage: &str, now: DateTime<Utc>) {
        self.visits.push(Tracked::new(stage_visit::Model {
            id: 0,
            ticket_id,
            stage: stage.to_string(),
            entered_at: now,
            left_at: None,
        }));
    }
}

/// A change requested of a ticket.
#[derive(Debug, Clone)]
pub enum Action {
    Update(TicketPatch),
    Advance {
        to: Option<String>,
        note: Option<String>,
    },
    Pause {
        reason: Option<String>,
        note: Option<String>,
    },
    Resume {
        note: Option<String>,
    },
    Close {
        note: Option<String>,
    },
    Cancel {
        note: Option<String>,
    },
    Reopen {
        note: Option<String>,
    },
    /// The current owner hands the ticket back down the ladder to `level`
    /// (resolved by the escalation room); starts a new escalation round.
    HandBack {
        level: u32,
        owner: (i64, String),
        note: String,
    },
    /// Hand the ticket to another owner and/or manager (ids resolved and
    /// checked by the service; names for the event).
    Reassign {
        owner: Option<(i64, String)>,
        manager: Option<(i64, String)>,
        note: String,
    },
}

/// The event an applied action appends (kind and payload).
pub type EventDraft = (&'static str, Value);

fn conflict(msg: impl Into<String>) -> ServiceError {
    ServiceError::Conflict(msg.into())
}

fn require_note(note: Option<String>, action: &str) -> Result<String, ServiceError> {
    note.ok_or_else(|| ServiceError::invalid("note", format!("is required to {action} a ticket")))
}

/// Applies `action` to the ticket `t` and its history at `now`.
pub fn apply(
    app: &App,
    t: &mut ticket::Model,
    h: &mut History,
    action: Action,
    now: DateTime<Utc>,
) -> Result<Option<EventDraft>, ServiceError> {
    let status = t.status;
    let live = status.is_live();
    let draft = match action {
        Action::Update(patch) => {
            if !live {
                return Err(conflict(format!(
                    "ticket is {status}; reopen it before changing it"
                )));
            }
            let draft = update(app, t, patch)?;
            if draft.is_some() {
                recompute(app, t, h, now);
            }
            return Ok(draft);
        }
        Action::Advance { to, note } => {
            if status != Status::Open {
                return Err(conflict(format!(
                    "ticket is {status}; only open tickets advance"
                )));
            }
            let from = t.stage.clone();
            let idx = app.policy.stage_index(&from).unwrap_or(0);
            let to = match to {
                Some(to) => to,
                None => match app.policy.stages.get(idx + 1) {
                    Some(s) => s.key.to_string(),
                    None => {
                        return Err(conflict(format!(
                            "`{from}` is the last stage; close the ticket instead"
                        )));
                    }
                },
            };
            if app.policy.stage(&to).is_none() {
                return Err(ServiceError::invalid(
                    "to",
                    format!("`{to}` is not a configured stage"),
                ));
            }
            app.policy.can_advance(&from, &to).map_err(conflict)?;
            let j = app.policy.stage_index(&to).unwrap_or(idx);
            let skipped: Vec<&str> = app.policy.stages[idx + 1..j]
                .iter()
                .map(|s| s.key.as_str())
                .collect();
            h.leave_stage(now);
            h.enter_stage(t.id, &to, now);
            t.stage = to.clone();
            t.stage_entered_at = now;
            (
                "stage_changed",
                json!({"from": from, "to": to, "skipped": skipped, "note": note}),
            )
        }
        Action::Pause { reason, note } => {
            if status != Status::Open {
                return Err(conflict(format!(
                    "ticket is {status}; only open tickets can be paused"
                )));
            }
            let reason = reason
                .ok_or_else(|| ServiceError::invalid("reason", "is required to pause a ticket"))?;
            if app.policy.pause_reason(&reason).is_none() {
                let known: Vec<_> = app
                    .policy
                    .pause_reasons
                    .iter()
                    .map(|r| r.key.as_str())
                    .collect();
                return Err(ServiceError::invalid(
                    "reason",
                    format!("`{reason}` is not one of {}", known.join(", ")),
                ));
            }
            h.pauses.push(Tracked::new(pause::Model {
                id: 0,
                ticket_id: t.id,
                reason: reason.clone(),
                started_at: now,
                ended_at: None,
            }));
            t.status = Status::Paused;
            ("paused", json!({"reason": reason, "note": note}))
        }
        Action::Resume { note } => {
            if status != Status::Paused {
                return Err(conflict(format!("ticket is {status}, not paused")));
            }
            let before = t.due_date;
            let ended = h.end_open_pause(now);
            t.status = Status::Open;
            recompute(app, t, h, now);
            let days = ended.map(|p| {
                let sp = Pause {
                    reason: p.reason.clone(),
                    started_at: p.started_at,
                    ended_at: p.ended_at,
                };
                app.sla()
                    .paused_days(&sp, app.sla().start_of(t.accepted_on), now)
                    .0
            });
            (
                "resumed",
                json!({"note": note, "paused_working_days": days, "due_date_before": before, "due_date": t.due_date}),
            )
        }
        Action::Close { note } => {
            if status != Status::Open {
                return Err(conflict(format!(
                    "ticket is {status}; only open tickets can be closed"
                )));
            }
            let last = &app.policy.last_stage().key;
            if *last != t.stage {
                return Err(conflict(format!(
                    "ticket is in stage `{}`; it can be closed only in the last stage `{last}`",
                    t.stage
                )));
            }
            let standing = app.sla().standing(&due_of(t), now);
            h.leave_stage(now);
            t.status = Status::Closed;
            t.closed_at = Some(now);
            (
                "closed",
                json!({"note": note, "due_date": t.due_date, "overdue": standing.overdue, "overdue_working_days": standing.overdue_working_days}),
            )
        }
        Action::Cancel { note } => {
            if !live {
                return Err(conflict(format!("ticket is already {status}")));
            }
            let note = require_note(note, "cancel")?;
            h.end_open_pause(now);
            h.leave_stage(now);
            t.status = Status::Cancelled;
            t.closed_at = Some(now);
            ("cancelled", json!({"note": note}))
        }
        Action::Reassign {
            owner,
            manager,
            note,
        } => {
            if !live {
                return Err(conflict(format!(
                    "ticket is {status}; reopen it before reassigning it"
                )));
            }
            let mut payload = json!({"note": note});
            if let Some((id, name)) = owner {
                payload["owner"] = json!({"from": t.owner_id, "to": id, "to_username": name});
                t.owner_id = id;
            }
            if let Some((id, name)) = manager {
                payload["manager"] = json!({"from": t.manager_id, "to": id, "to_username": name});
                t.manager_id = id;
            }
            ("reassigned", payload)
        }
        Action::HandBack { level, owner, note } => {
            if status != Status::Open {
                return Err(conflict(format!(
                    "ticket is {status}; only open tickets are handed back"
                )));
            }
            let payload = json!({
                "from_level": t.escalation_level, "to_level": level,
                "from_owner_id": t.owner_id, "to_owner_id": owner.0, "to_owner": owner.1, "note": note,
            });
            t.escalation_level = level as i32;
            t.owner_id = owner.0;
            t.escalation_round += 1;
            ("handed_back", payload)
        }
        Action::Reopen { note } => {
            if live {
                return Err(conflict(format!(
                    "ticket is {status}, not closed or cancelled"
                )));
            }
            let note = require_note(note, "reopen")?;
            let stage = t.stage.clone();
            h.enter_stage(t.id, &stage, now);
            t.status = Status::Open;
            t.closed_at = None;
            t.stage_entered_at = now;
            ("reopened", json!({"note": note, "from_status": status}))
        }
    };
    recompute(app, t, h, now);
    Ok(Some(draft))
}

fn due_of(t: &ticket::Model) -> crate::sla::Due {
    crate::sla::Due {
        due_date: t.due_date,
        due_at: t.due_at,
        provisional: t.provisional,
        paused_working_days: 0,
    }
}

/// Recomputes the stored SLA columns from the history as of `now`.
pub fn recompute(app: &App, t: &mut ticket::Model, h: &History, now: DateTime<Utc>) {
    let sla = app.sla();
    let pauses = h.sla_pauses();
    let limit = app
        .policy
        .category(&t.category)
        .map(|c| c.limit_working_days.get())
        .unwrap_or(0);
    let due = sla.ticket_due(t.accepted_on, limit, &pauses, now);
    t.due_date = due.due_date;
    t.due_at = due.due_at;
    t.provisional = due.provisional;
    t.calendar_version = app.calendar.version().to_string();
    let voltage = VoltageLevel::parse(&t.voltage_level).unwrap_or(VoltageLevel::Kv10);
    let visit = h
        .sla_visits()
        .into_iter()
        .rev()
        .find(|v| v.stage == t.stage);
    let (due_date, due_at) = match (app.policy.stage(&t.stage), visit) {
        (Some(stage), Some(visit)) => {
            let s = sla.stage_sla(stage, &visit, t.accepted_on, voltage, &pauses, now);
            (s.due_date, s.due_at)
        }
        _ => (None, None),
    };
    t.stage_due_date = due_date;
    t.stage_due_at = due_at;
    // Only open tickets escalate; the next level is the first above the
    // current one (ownership never falls back by itself).
    t.next_escalation_at = (t.status == Status::Open)
        .then(|| {
            let ladder = app.ladder.for_category(&t.category);
            let instants = ladder.instants(&due, &sla);
            ladder.next_after(&instants, t.escalation_level.max(0) as u32)
        })
        .flatten();
    t.updated_at = now;
}

/// A generated ticket number, e.g. `YK-2026-000042`.
pub fn ticket_no_for(t: &ticket::Model) -> String {
    format!("YK-{}-{:06}", t.accepted_on.year(), t.id)
}

macro_rules! patch_field {
    ($t:ident, $changes:ident, $field:ident, $new:expr) => {
        if let Some(v) = $new {
            if $t.$field != v {
                $changes.insert(stringify!($field).into(), json!({"from": $t.$field, "to": v}));
                $t.$field = v;
            }
        }
    };
}

fn update(
    app: &App,
    t: &mut ticket::Model,
    p: TicketPatch,
) -> Result<Option<EventDraft>, ServiceError> {
    let mut changes = Map::new();
    patch_field!(t, changes, customer_name, p.customer_name);
    patch_field!(t, changes, customer_account_no, p.customer_account_no);
    patch_field!(t, changes, address, p.address);
    patch_field!(
        t,
        changes,
        voltage_level,
        p.voltage_level.map(|v| v.as_str().to_string())
    );
    patch_field!(
        t,
        changes,
        power_sources,
        p.power_sources.map(|v| v.as_str().to_string())
    );
    patch_field!(t, changes, new_line, p.new_line);
    patch_field!(t, changes, capacity_kva, p.capacity_kva);
    patch_field!(t, changes, accepted_on, p.accepted_on);
    let derived = if p.category.is_some() {
        p.category
    } else if ["voltage_level", "power_sources", "new_line"]
        .iter()
        .any(|k| changes.contains_key(*k))
    {
        let v = VoltageLevel::parse(&t.voltage_level)
            .map_err(|m| ServiceError::invalid("voltage_level", m))?;
        let s = crate::sla::PowerSources::parse(&t.power_sources)
            .map_err(|m| ServiceError::invalid("power_sources", m))?;
        let c = app.policy.categorize(v, s, t.new_line).ok_or_else(|| {
            ServiceError::invalid(
                "category",
                "no configured category matches the changed ticket",
            )
        })?;
        Some(c.key.to_string())
    } else {
        None
    };
    patch_field!(t, changes, category, derived);
    if changes.is_empty() {
        return Ok(None);
    }
    Ok(Some((
        "field_updated",
        json!({"changes": changes, "note": p.note}),
    )))
}
