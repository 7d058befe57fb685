//! What the period reports (compliance, durations) need of each closed
//! ticket, its **outcome**: on time or not, each stage within its limit or
//! not, working and calendar days. Computed from the ticket's history
//! (pure: [`outcome`]) and kept in `ticket_closings`, one row per closed
//! ticket in closing order, keyed by the closing instant, the calendar
//! version and the policy hash it was computed under. The table is a
//! cache: a report uses a row only while all three still hold (a reopened,
//! re-closed ticket, a new calendar or policy recompute it) and stores what
//! it had to compute, so a month's report reads one small row per ticket
//! in closing order instead of each ticket's scattered history.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, OnConflict};

use sea_orm::{
    ActiveValue::NotSet, ColumnTrait, EntityTrait, FromQueryResult, QueryFilter, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};

use super::ReportScope;
use crate::app::App;
use crate::error::ServiceError;
use crate::sla::{Pause, SlaClock, SlaPolicy, StageSlaState, StageVisit, VoltageLevel};
use crate::tickets::entity::ticket::{self, Status};

pub mod entity {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "ticket_closings")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        #[sea_orm(unique)]
        pub ticket_id: i64,
        pub closed_at: DateTimeUtc,
        pub calendar_version: String,
        pub policy_hash: String,
        /// JSON of [`super::Outcome`].
        pub outcome: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// One closed ticket, as the period reports count it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    pub ticket_id: i64,
    pub ticket_no: String,
    pub service_center_id: i64,
    pub voltage_level: String,
    pub category: String,
    pub accepted_on: NaiveDate,
    pub closed_at: DateTime<Utc>,
    pub closed_on: NaiveDate,
    pub due_date: NaiveDate,
    /// Closed before its deadline (pauses counted).
    pub on_time: bool,
    /// Working days after the acceptance day up to the closing day.
    pub working_days: i64,
    pub paused_working_days: u32,
    pub calendar_days: i64,
    /// The visits of stages of the policy, in order.
    pub visits: Vec<VisitOutcome>,
}

/// One stage visit of a closed ticket (kept as a JSON array: stage,
/// limited, within, working days, calendar days).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(into = "VisitRow", from = "VisitRow")]
pub struct VisitOutcome {
    pub stage: String,
    /// The stage has a limit for this ticket.
    pub limited: bool,
    /// Left within its limit (false when unlimited).
    pub within: bool,
    pub working_days: i64,
    pub calendar_days: i64,
}

/// [`VisitOutcome`] as kept.
#[derive(Serialize, Deserialize)]
struct VisitRow(String, bool, bool, i64, i64);

impl From<VisitOutcome> for VisitRow {
    fn from(v: VisitOutcome) -> Self {
        VisitRow(
            v.stage,
            v.limited,
            v.within,
            v.working_days,
            v.calendar_days,
        )
    }
}

impl From<VisitRow> for VisitOutcome {
    fn from(VisitRow(stage, limited, within, working_days, calendar_days): VisitRow) -> Self {
        VisitOutcome {
            stage,
            limited,
            within,
            working_days,
            calendar_days,
        }
    }
}

impl Outcome {
    /// The limited stages left after their limit.
    pub fn late_stages(&self) -> Vec<String> {
        self.visits
            .iter()
            .filter(|v| v.limited && !v.within)
            .map(|v| v.stage.clone())
            .collect()
    }

    /// On time, and within the limit of every limited stage (达标).
    pub fn compliant(&self) -> bool {
        self.on_time && self.visits.iter().all(|v| !v.limited || v.within)
    }
}

/// What the reports read of a closed ticket's row, with its history.
pub struct Closed {
    pub id: i64,
    pub ticket_no: String,
    pub service_center_id: i64,
    pub accepted_on: NaiveDate,
    pub closed_at: DateTime<Utc>,
    pub category: String,
    pub voltage_level: String,
    pub pauses: Vec<Pause>,
    pub visits: Vec<StageVisit>,
}

/// The outcome of closed ticket `c` under `policy` and `sla` (pure).
pub fn outcome(c: &Closed, policy: &SlaPolicy, sla: &SlaClock) -> Outcome {
    let limit = policy
        .category(&c.category)
        .map_or(0, |x| x.limit_working_days.get());
    let due = sla.ticket_due(c.accepted_on, limit, &c.pauses, c.closed_at);
    let voltage = VoltageLevel::parse(&c.voltage_level).unwrap_or(VoltageLevel::Kv10);
    let days = |a: NaiveDate, b: NaiveDate| {
        let (w, _) = sla.calendar.between_provisional(a, b);
        (w, (b - a).num_days())
    };
    let visits = c
        .visits
        .iter()
        .filter_map(|v| {
            let stage = policy.stage(&v.stage)?;
            let s = sla.stage_sla(stage, v, c.accepted_on, voltage, &c.pauses, c.closed_at);
            let left = v.left_at.unwrap_or(c.closed_at);
            let (working_days, calendar_days) =
                days(sla.local_date(v.entered_at), sla.local_date(left));
            Some(VisitOutcome {
                stage: v.stage.clone(),
                limited: s.state != StageSlaState::Unlimited,
                within: s.state == StageSlaState::Met,
                working_days,
                calendar_days,
            })
        })
        .collect();
    let closed_on = sla.local_date(c.closed_at);
    let (working_days, calendar_days) = days(c.accepted_on, closed_on);
    Outcome {
        ticket_id: c.id,
        ticket_no: c.ticket_no.clone(),
        service_center_id: c.service_center_id,
        voltage_level: c.voltage_level.clone(),
        category: c.category.clone(),
        accepted_on: c.accepted_on,
        closed_at: c.closed_at,
        closed_on,
        due_date: due.due_date,
        on_time: c.closed_at < due.due_at,
        working_days,
        paused_working_days: due.paused_working_days,
        calendar_days,
        visits,
    }
}

/// Tickets whose outcome is computed and stored at once.
const CHUNK: usize = 1000;

/// The outcomes of the tickets of `scope` closed from `from` to `to`
/// (local days, inclusive): stored ones that still hold, the others
/// computed from their history and stored.
pub async fn load(
    app: &App,
    scope: ReportScope,
    (from, to): (NaiveDate, NaiveDate),
) -> Result<Vec<Outcome>, ServiceError> {
    use ticket::Column as C;
    let sla = app.sla();
    let (start, end) = (sla.start_of(from), sla.start_of(to + chrono::Days::new(1)));
    let closed: Vec<(i64, DateTime<Utc>)> = ticket::Entity::find()
        .select_only()
        .columns([C::Id, C::ClosedAt])
        .filter(scope.condition())
        .filter(C::Status.eq(Status::Closed))
        .filter(C::ClosedAt.gte(start))
        .filter(C::ClosedAt.lt(end))
        .into_tuple()
        .all(&app.db)
        .await?;
    let (calendar, policy) = (sla.calendar.version().to_string(), super::policy_hash(app));
    let mut stored: HashMap<i64, (DateTime<Utc>, String)> = entity::Entity::find()
        .select_only()
        .columns([
            entity::Column::TicketId,
            entity::Column::ClosedAt,
            entity::Column::Outcome,
        ])
        .filter(entity::Column::ClosedAt.gte(start))
        .filter(entity::Column::ClosedAt.lt(end))
        .filter(entity::Column::CalendarVersion.eq(calendar.as_str()))
        .filter(entity::Column::PolicyHash.eq(policy.as_str()))
        .into_tuple::<(i64, DateTime<Utc>, String)>()
        .all(&app.db)
        .await?
        .into_iter()
        .map(|(id, at, o)| (id, (at, o)))
        .collect();
    let mut out = Vec::with_capacity(closed.len());
    let mut missing = Vec::new();
    for (id, at) in closed {
        let hit = stored
            .remove(&id)
            .filter(|(stored_at, _)| *stored_at == at)
            .and_then(|(_, o)| serde_json::from_str::<Outcome>(&o).ok());
        match hit {
            Some(o) => out.push(o),
            None => missing.push(id),
        }
    }
    for ids in missing.chunks(CHUNK) {
        let computed: Vec<Outcome> = histories(app, ids)
            .await?
            .iter()
            .map(|c| outcome(c, &app.policy, &sla))
            .collect();
        keep(app, &computed, &calendar, &policy).await?;
        out.extend(computed);
    }
    Ok(out)
}

/// Stores `outcomes` (replacing what was kept for their tickets).
async fn keep(
    app: &App,
    outcomes: &[Outcome],
    calendar: &str,
    policy: &str,
) -> Result<(), ServiceError> {
    if outcomes.is_empty() {
        return Ok(());
    }
    let rows = outcomes.iter().map(|o| entity::ActiveModel {
        id: NotSet,
        ticket_id: Set(o.ticket_id),
        closed_at: Set(o.closed_at),
        calendar_version: Set(calendar.to_string()),
        policy_hash: Set(policy.to_string()),
        outcome: Set(serde_json::to_string(o).unwrap_or_default()),
    });
    let txn = app.begin_write().await?;
    entity::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::column(entity::Column::TicketId)
                .update_columns([
                    entity::Column::ClosedAt,
                    entity::Column::CalendarVersion,
                    entity::Column::PolicyHash,
                    entity::Column::Outcome,
                ])
                .to_owned(),
        )
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// Closed tickets `ids` with their pauses and stage visits, each packed
/// into a column of the ticket's row (one row per ticket crosses from the
/// database, not eight).
async fn histories(app: &App, ids: &[i64]) -> Result<Vec<Closed>, ServiceError> {
    use ticket::Column as C;
    // Each ticket's pauses and stage visits come packed in a column of its
    // row (one row per ticket crosses from the database, not eight).
    let packed = packed_history(app.db.get_database_backend());
    let rows = ticket::Entity::find()
        .select_only()
        .columns([
            C::Id,
            C::TicketNo,
            C::ServiceCenterId,
            C::AcceptedOn,
            C::ClosedAt,
            C::Category,
            C::VoltageLevel,
        ])
        .column_as(Expr::cust(packed.visits), "visits")
        .column_as(Expr::cust(packed.pauses), "pauses")
        .filter(C::Id.is_in(ids.to_vec()))
        .into_model::<PackedRow>()
        .all(&app.db)
        .await?;
    rows.into_iter()
        .map(|r| {
            let PackedRow {
                id,
                ticket_no,
                service_center_id,
                accepted_on,
                closed_at,
                category,
                voltage_level,
                visits,
                pauses,
            } = r;
            let mut visits = unpack(visits.as_deref(), |[stage, entered, left]| {
                Some(StageVisit {
                    stage: stage.to_string(),
                    entered_at: instant(entered)?,
                    left_at: optional_instant(left)?,
                })
            })
            .ok_or_else(|| {
                ServiceError::Internal(format!("ticket {id}: unreadable stage visits"))
            })?;
            visits.sort_by_key(|v| v.entered_at);
            let mut pauses = unpack(pauses.as_deref(), |[reason, started, ended]| {
                Some(Pause {
                    reason: reason.to_string(),
                    started_at: instant(started)?,
                    ended_at: optional_instant(ended)?,
                })
            })
            .ok_or_else(|| ServiceError::Internal(format!("ticket {id}: unreadable pauses")))?;
            pauses.sort_by_key(|p| p.started_at);
            Ok(Closed {
                id,
                ticket_no,
                service_center_id,
                accepted_on,
                closed_at: closed_at.ok_or_else(|| {
                    ServiceError::Internal(format!("ticket {id} is closed without an instant"))
                })?,
                category,
                voltage_level,
                pauses,
                visits,
            })
        })
        .collect()
}

/// A closed ticket's row with its packed history.
#[derive(Debug, FromQueryResult)]
struct PackedRow {
    id: i64,
    ticket_no: String,
    service_center_id: i64,
    accepted_on: NaiveDate,
    closed_at: Option<DateTime<Utc>>,
    category: String,
    voltage_level: String,
    visits: Option<String>,
    pauses: Option<String>,
}

/// Separators of packed rows: ASCII unit and record separators, which no
/// stage key, pause reason or timestamp holds.
const UNIT: char = '\u{1f}';
const RECORD: char = '\u{1e}';

/// The SQL of the packed columns on `backend`: each ticket's stage visits
/// (stage, entered, left) and pauses (reason, started, ended), fields
/// joined by [`UNIT`], rows by [`RECORD`], instants as text.
struct Packed {
    visits: &'static str,
    pauses: &'static str,
}

fn packed_history(backend: sea_orm::DatabaseBackend) -> Packed {
    match backend {
        sea_orm::DatabaseBackend::Postgres => Packed {
            visits: "(SELECT string_agg(s.stage || chr(31) || to_char(s.entered_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') || chr(31) || coalesce(to_char(s.left_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), ''), chr(30)) FROM ticket_stages s WHERE s.ticket_id = tickets.id)",
            pauses: "(SELECT string_agg(p.reason || chr(31) || to_char(p.started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') || chr(31) || coalesce(to_char(p.ended_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), ''), chr(30)) FROM ticket_pauses p WHERE p.ticket_id = tickets.id)",
        },
        _ => Packed {
            visits: "(SELECT group_concat(s.stage || char(31) || s.entered_at || char(31) || ifnull(s.left_at, ''), char(30)) FROM ticket_stages s WHERE s.ticket_id = tickets.id)",
            pauses: "(SELECT group_concat(p.reason || char(31) || p.started_at || char(31) || ifnull(p.ended_at, ''), char(30)) FROM ticket_pauses p WHERE p.ticket_id = tickets.id)",
        },
    }
}

/// The rows of a packed column, each of three fields made into a `T`;
/// `None` when one is malformed.
fn unpack<T>(packed: Option<&str>, row: impl Fn([&str; 3]) -> Option<T>) -> Option<Vec<T>> {
    let Some(packed) = packed.filter(|p| !p.is_empty()) else {
        return Some(Vec::new());
    };
    packed
        .split(RECORD)
        .map(|r| {
            let mut f = r.split(UNIT);
            let fields = [f.next()?, f.next()?, f.next()?];
            row(fields)
        })
        .collect()
}

/// An instant as the database writes it in text.
fn instant(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

fn optional_instant(s: &str) -> Option<Option<DateTime<Utc>>> {
    if s.is_empty() {
        Some(None)
    } else {
        instant(s).map(Some)
    }
}
