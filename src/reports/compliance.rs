//! All-stage compliance (达标) of the tickets closed (energised) in a period:
//! a ticket complies when it closed before its deadline **and** left every
//! stage that has a limit within that limit. Per service center and for the
//! whole scope, with the working days taken gross and net of pauses; per
//! stage, how many finished within their limit and how long they took.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ReportScope;
use super::closings::Outcome;
use super::stats::{mean, p90};
use crate::app::App;
use crate::error::ServiceError;
use crate::sla::SlaPolicy;

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

/// The report over the `closed` tickets' outcomes (pure); `centers` names
/// the service centers by id.
pub fn compute(
    closed: &[Outcome],
    centers: &HashMap<i64, String>,
    (from, to): (NaiveDate, NaiveDate),
    scope: ReportScope,
    policy: &SlaPolicy,
    calendar_version: &str,
) -> ComplianceReport {
    let mut tickets = Vec::new();
    // stage → (entered, within limit, working days of each visit)
    let mut stages: BTreeMap<usize, (u64, u64, Vec<f64>)> = BTreeMap::new();
    for o in closed {
        for v in o.visits.iter().filter(|v| v.limited) {
            let Some(i) = policy.stage_index(&v.stage) else {
                continue;
            };
            let e = stages.entry(i).or_default();
            e.0 += 1;
            e.1 += u64::from(v.within);
            e.2.push(v.working_days.max(0) as f64);
        }
        tickets.push(TicketCompliance {
            ticket_id: o.ticket_id,
            ticket_no: o.ticket_no.clone(),
            service_center: centers
                .get(&o.service_center_id)
                .cloned()
                .unwrap_or_default(),
            accepted_on: o.accepted_on,
            closed_on: o.closed_on,
            due_date: o.due_date,
            on_time: o.on_time,
            compliant: o.compliant(),
            late_stages: o.late_stages(),
            working_days_gross: o.working_days,
            working_days_net: o.working_days - i64::from(o.paused_working_days),
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
        calendar_version: calendar_version.to_string(),
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

/// The compliance of `scope`'s tickets closed from `from` to `to`.
pub async fn report(
    app: &App,
    scope: ReportScope,
    period: (NaiveDate, NaiveDate),
) -> Result<ComplianceReport, ServiceError> {
    let closed = super::closings::load(app, scope, period).await?;
    let centers = super::unit_codes(app).await?;
    let version = app.calendar.version().to_string();
    let mut r = compute(&closed, &centers, period, scope, &app.policy, &version);
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
