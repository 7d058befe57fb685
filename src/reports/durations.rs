//! How long connection takes (办电时长, as in "Getting Electricity"): for the
//! tickets closed in a period, the mean, median, 90th percentile and
//! maximum, in working days and in calendar days, in all, by voltage level
//! (lowest first), by category, and per stage.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ReportScope;
use super::closings::Outcome;
use super::stats::Summary;
use crate::app::App;
use crate::error::ServiceError;
use crate::sla::{SlaPolicy, VoltageLevel};

/// The durations of one group of tickets (or of stage visits).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Group {
    /// The voltage level, category or stage ("" for all tickets).
    pub key: String,
    pub working_days: Summary,
    pub calendar_days: Summary,
}

/// The report.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DurationsReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub scope: ReportScope,
    pub calendar_version: String,
    pub policy_hash: String,
    pub definitions: String,
    pub all: Group,
    pub by_voltage: Vec<Group>,
    pub by_category: Vec<Group>,
    pub by_stage: Vec<Group>,
}

type Days = (Vec<f64>, Vec<f64>);

fn group(key: &str, (working, calendar): &Days) -> Group {
    Group {
        key: key.to_string(),
        working_days: Summary::of(working),
        calendar_days: Summary::of(calendar),
    }
}

/// The report over the `closed` tickets' outcomes (pure).
pub fn compute(
    closed: &[Outcome],
    (from, to): (NaiveDate, NaiveDate),
    scope: ReportScope,
    policy: &SlaPolicy,
    calendar_version: &str,
) -> DurationsReport {
    let days = |w: i64, d: i64| (w.max(0) as f64, d.max(0) as f64);
    let mut all: Days = Default::default();
    let mut by_voltage: BTreeMap<String, Days> = BTreeMap::new();
    let mut by_category: BTreeMap<String, Days> = BTreeMap::new();
    let mut by_stage: BTreeMap<usize, Days> = BTreeMap::new();
    for o in closed {
        let (w, d) = days(o.working_days, o.calendar_days);
        for bucket in [
            &mut all,
            by_voltage.entry(o.voltage_level.clone()).or_default(),
            by_category.entry(o.category.clone()).or_default(),
        ] {
            bucket.0.push(w);
            bucket.1.push(d);
        }
        for v in &o.visits {
            let Some(i) = policy.stage_index(&v.stage) else {
                continue;
            };
            let (w, d) = days(v.working_days, v.calendar_days);
            let e = by_stage.entry(i).or_default();
            e.0.push(w);
            e.1.push(d);
        }
    }
    DurationsReport {
        from,
        to,
        scope,
        calendar_version: calendar_version.to_string(),
        policy_hash: String::new(),
        definitions: "tickets closed (energised) from `from` to `to` inclusive, local days; a ticket takes the working days after its acceptance day up to its closing day (pauses included), and the calendar days between the two; a stage visit, the same from the day it was entered to the day it was left; median of an even count: the mean of the two middle values; P90: nearest rank".into(),
        all: group("", &all),
        by_voltage: {
            // Low voltage first (10kV before 110kV), not as text.
            let mut v: Vec<Group> = by_voltage.iter().map(|(k, v)| group(k, v)).collect();
            v.sort_by_key(|g| VoltageLevel::parse(&g.key).map_or(u32::MAX, VoltageLevel::kv));
            v
        },
        by_category: by_category.iter().map(|(k, v)| group(k, v)).collect(),
        by_stage: by_stage
            .iter()
            .map(|(i, v)| group(policy.stages[*i].key.as_str(), v))
            .collect(),
    }
}

/// The durations of `scope`'s tickets closed from `from` to `to`.
pub async fn report(
    app: &App,
    scope: ReportScope,
    period: (NaiveDate, NaiveDate),
) -> Result<DurationsReport, ServiceError> {
    let closed = super::closings::load(app, scope, period).await?;
    let version = app.calendar.version().to_string();
    let mut r = compute(&closed, period, scope, &app.policy, &version);
    r.policy_hash = super::policy_hash(app);
    Ok(r)
}
