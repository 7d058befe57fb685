//! All-stage compliance (达标) of the tickets closed (energised) in a period:
//! a ticket complies when it closed before its deadline **and** left every
//! stage that has a limit within that limit. Per service center and for the
//! whole scope, with the working days taken gross and net of pauses; per
//! stage, how many finished within their limit and how long they took.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ColumnTrait, EntityTrait, FromQueryResult, QueryFilter, QuerySelect};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ReportScope;
use super::stats::{mean, p90};
use crate::app::App;
use crate::error::ServiceError;
use crate::sla::{Pause, SlaClock, SlaPolicy, StageSlaState, StageVisit, VoltageLevel};
use crate::tickets::entity::ticket;
use crate::tickets::entity::ticket::Status;

/// One closed ticket, as counted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TicketCompliance {
    pub ticket_id: i64,
    pub ticket_no: String,
    pub service_center: String,
    pub accepted_on: NaiveDate,
    pub closed_on: NaiveDate,
    pub due_date: NaiveDate,
    /// Closed before its deadline.
    pub on_time: bool,
    /// On time, and within the limit of every limited stage (达标).
    pub compliant: bool,
    /// The limited stages left after their limit.
    pub late_stages: Vec<String>,
    /// Working days after acceptance up to the closing day.
    pub working_days_gross: i64,
    /// The same less the whole working days paused.
    pub working_days_net: i64,
}

/// Totals of a service center, or of the whole scope.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Totals {
    pub service_center: String,
    pub closed: u64,
    pub on_time: u64,
    pub compliant: u64,
    /// compliant / closed (0 when nothing closed).
    pub compliance_rate: f64,
    pub mean_working_days_gross: f64,
    pub mean_working_days_net: f64,
}

/// One stage over the period's closed tickets.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct StageTotals {
    pub stage: String,
    /// Visits of the stage with a limit.
    pub entered: u64,
    pub within_limit: u64,
    pub rate: f64,
    /// Working days from the day entered to the day left.
    pub mean_working_days: f64,
    pub p90_working_days: f64,
}

/// The report.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ComplianceReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub scope: ReportScope,
    pub calendar_version: String,
    pub policy_hash: String,
    /// Which tickets and how they count (口径).
    pub definitions: String,
    pub centers: Vec<Totals>,
    pub total: Totals,
    pub stages: Vec<StageTotals>,
    pub tickets: Vec<TicketCompliance>,
}

/// What the period reports read of a closed ticket's row.
#[derive(Debug, Clone, PartialEq, FromQueryResult)]
pub struct ClosedTicket {
    pub id: i64,
    pub ticket_no: String,
    pub service_center_id: i64,
    pub accepted_on: NaiveDate,
    pub closed_at: Option<DateTime<Utc>>,
    pub category: String,
    pub voltage_level: String,
}

/// A closed ticket with its history.
pub struct Closed {
    pub ticket: ClosedTicket,
    pub center: String,
    pub pauses: Vec<Pause>,
    pub visits: Vec<StageVisit>,
}

fn rate(n: u64, of: u64) -> f64 {
    if of == 0 { 0.0 } else { n as f64 / of as f64 }
}

fn totals(name: &str, rows: &[&TicketCompliance]) -> Totals {
    let gross: Vec<f64> = rows.iter().map(|r| r.working_days_gross as f64).collect();
    let net: Vec<f64> = rows.iter().map(|r| r.working_days_net as f64).collect();
    let closed = rows.len() as u64;
    let compliant = rows.iter().filter(|r| r.compliant).count() as u64;
    Totals {
        service_center: name.to_string(),
        closed,
        on_time: rows.iter().filter(|r| r.on_time).count() as u64,
        compliant,
        compliance_rate: rate(compliant, closed),
        mean_working_days_gross: mean(&gross),
        mean_working_days_net: mean(&net),
    }
}

/// The report over `closed` (pure).
pub fn compute(
    closed: &[Closed],
    (from, to): (NaiveDate, NaiveDate),
    scope: ReportScope,
    policy: &SlaPolicy,
    sla: &SlaClock,
) -> ComplianceReport {
    let mut tickets = Vec::new();
    // stage → (entered, within limit, working days of each visit)
    let mut stages: BTreeMap<usize, (u64, u64, Vec<f64>)> = BTreeMap::new();
    for c in closed {
        let t = &c.ticket;
        let Some(closed_at) = t.closed_at else {
            continue;
        };
        let limit = policy
            .category(&t.category)
            .map_or(0, |x| x.limit_working_days.get());
        let due = sla.ticket_due(t.accepted_on, limit, &c.pauses, closed_at);
        let voltage = VoltageLevel::parse(&t.voltage_level).unwrap_or(VoltageLevel::Kv10);
        let mut late = Vec::new();
        for v in &c.visits {
            let (Some(i), Some(stage)) = (policy.stage_index(&v.stage), policy.stage(&v.stage))
            else {
                continue;
            };
            let s = sla.stage_sla(stage, v, t.accepted_on, voltage, &c.pauses, closed_at);
            if s.state == StageSlaState::Unlimited {
                continue;
            }
            let within = s.state == StageSlaState::Met;
            if !within {
                late.push(v.stage.clone());
            }
            let left = v.left_at.unwrap_or(closed_at);
            let (days, _) = sla
                .calendar
                .between_provisional(sla.local_date(v.entered_at), sla.local_date(left));
            let e = stages.entry(i).or_default();
            e.0 += 1;
            e.1 += u64::from(within);
            e.2.push(days.max(0) as f64);
        }
        let closed_on = sla.local_date(closed_at);
        let (gross, _) = sla.calendar.between_provisional(t.accepted_on, closed_on);
        let on_time = closed_at < due.due_at;
        tickets.push(TicketCompliance {
            ticket_id: t.id,
            ticket_no: t.ticket_no.clone(),
            service_center: c.center.clone(),
            accepted_on: t.accepted_on,
            closed_on,
            due_date: due.due_date,
            on_time,
            compliant: on_time && late.is_empty(),
            late_stages: late,
            working_days_gross: gross,
            working_days_net: gross - i64::from(due.paused_working_days),
        });
    }
    tickets.sort_by(|a, b| (&a.service_center, a.ticket_id).cmp(&(&b.service_center, b.ticket_id)));
    let mut names: Vec<&str> = tickets.iter().map(|t| t.service_center.as_str()).collect();
    names.dedup();
    let centers = names
        .iter()
        .map(|n| {
            let rows: Vec<&TicketCompliance> =
                tickets.iter().filter(|t| t.service_center == *n).collect();
            totals(n, &rows)
        })
        .collect();
    let all: Vec<&TicketCompliance> = tickets.iter().collect();
    let stages = stages
        .into_iter()
        .map(|(i, (entered, within, days))| StageTotals {
            stage: policy.stages[i].key.to_string(),
            entered,
            within_limit: within,
            rate: rate(within, entered),
            mean_working_days: mean(&days),
            p90_working_days: p90(&days),
        })
        .collect();
    ComplianceReport {
        from,
        to,
        scope,
        calendar_version: sla.calendar.version().to_string(),
        policy_hash: String::new(),
        definitions: "tickets closed (energised) from `from` to `to` inclusive, local days; on time: closed before the deadline (pauses counted); compliant (达标): on time and every stage with a limit left within it; working days after the acceptance day up to the closing day, gross and net of whole paused working days".into(),
        centers,
        total: totals("", &all),
        stages,
        tickets,
    }
}

/// The previous calendar month: the month a report closes by default.
pub fn last_month(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    use chrono::Datelike;
    let first_this = today.with_day(1).unwrap_or(today);
    let last_prev = first_this.pred_opt().unwrap_or(first_this);
    (last_prev.with_day(1).unwrap_or(last_prev), last_prev)
}

/// The tickets of `scope` closed from `from` to `to` (local days,
/// inclusive) with their pauses and stage visits.
pub async fn load_closed(
    app: &App,
    scope: ReportScope,
    (from, to): (NaiveDate, NaiveDate),
) -> Result<Vec<Closed>, ServiceError> {
    use sea_orm::sea_query::Expr;
    use ticket::Column as C;
    let sla = app.sla();
    let start = sla.start_of(from);
    let end: DateTime<Utc> = sla.start_of(to + chrono::Days::new(1));
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
        .filter(scope.condition())
        .filter(C::Status.eq(Status::Closed))
        .filter(C::ClosedAt.gte(start))
        .filter(C::ClosedAt.lt(end))
        // In closing order from the index (the report sorts its rows).
        .into_model::<PackedRow>()
        .all(&app.db)
        .await?;
    let units: std::collections::HashMap<i64, String> = crate::org::entity::unit::Entity::find()
        .all(&app.db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.code))
        .collect();
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
                center: units.get(&service_center_id).cloned().unwrap_or_default(),
                ticket: ClosedTicket {
                    id,
                    ticket_no,
                    service_center_id,
                    accepted_on,
                    closed_at,
                    category,
                    voltage_level,
                },
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

/// The compliance of `scope`'s tickets closed from `from` to `to`.
pub async fn report(
    app: &App,
    scope: ReportScope,
    period: (NaiveDate, NaiveDate),
) -> Result<ComplianceReport, ServiceError> {
    let closed = load_closed(app, scope, period).await?;
    let mut r = compute(&closed, period, scope, &app.policy, &app.sla());
    r.policy_hash = super::policy_hash(app);
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_and_months() {
        assert_eq!(
            p90(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0]),
            9.0
        );
        assert_eq!(p90(&[5.0]), 5.0);
        assert_eq!(p90(&[]), 0.0);
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert_eq!(
            last_month(d("2026-03-15")),
            (d("2026-02-01"), d("2026-02-28"))
        );
        assert_eq!(
            last_month(d("2026-01-01")),
            (d("2025-12-01"), d("2025-12-31"))
        );
    }
}
