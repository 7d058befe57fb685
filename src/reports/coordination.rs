//! How departments answer coordination requests: per department, the
//! requests received in a period, how many were answered within their
//! answer day, the median answer time in working hours, how many wait on
//! it now (and are overdue), and how many went to the weekly meeting.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Days, NaiveDate, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use serde::Serialize;
use utoipa::ToSchema;

use super::ReportScope;
use super::stats::median;
use crate::app::App;
use crate::coordination::entity::request::{self, State};
use crate::coordination::entity::target;
use crate::coordination::rules::{overdue_at, working_hours};
use crate::error::ServiceError;
use crate::org::entity::unit;
use crate::tickets::entity::ticket;

/// One department (or, as `total`, all of them).
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct DepartmentRow {
    /// The department's code (empty in the total).
    pub department: String,
    pub name: String,
    /// Asked in requests filed in the period (withdrawn ones not counted).
    pub received: u64,
    pub answered: u64,
    /// Answered by the end of the answer day.
    pub answered_in_time: u64,
    /// answered_in_time / received (0 when nothing was received).
    pub in_time_rate: f64,
    /// Median working hours from filing to the answer (answered ones).
    pub median_answer_working_hours: Option<f64>,
    /// Open requests waiting on its answer now (filed at any time).
    pub open_now: u64,
    /// Of those, past their answer day.
    pub overdue_now: u64,
    /// Requests of the period it was asked in that the weekly meeting settled.
    pub decided_at_meeting: u64,
}

/// The coordination report over a scope and period.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CoordinationReport {
    #[schema(format = Date)]
    pub from: NaiveDate,
    #[schema(format = Date)]
    pub to: NaiveDate,
    pub scope: ReportScope,
    pub as_of: DateTime<Utc>,
    pub calendar_version: String,
    pub definitions: String,
    pub rows: Vec<DepartmentRow>,
    pub total: DepartmentRow,
}

/// What the computation reads: requests with the departments they asked.
pub struct Input<'a> {
    /// Requests filed in the period, and open ones filed before it.
    pub requests: &'a [request::Model],
    pub targets: &'a [target::Model],
    pub departments: &'a HashMap<i64, (String, String)>,
    pub period: (DateTime<Utc>, DateTime<Utc>),
    pub now: DateTime<Utc>,
}

/// The report's rows and total; `deadline` is the instant an answer day
/// ends, `hours` the working hours between two instants.
pub fn compute(
    input: &Input,
    deadline: impl Fn(NaiveDate) -> DateTime<Utc>,
    hours: impl Fn(DateTime<Utc>, DateTime<Utc>) -> f64,
) -> (Vec<DepartmentRow>, DepartmentRow) {
    let requests: HashMap<i64, &request::Model> =
        input.requests.iter().map(|r| (r.id, r)).collect();
    let (start, end) = input.period;
    let mut per: BTreeMap<String, (DepartmentRow, Vec<f64>)> = BTreeMap::new();
    let mut all = (DepartmentRow::default(), Vec::new());
    for t in input.targets {
        let Some(r) = requests.get(&t.request_id) else {
            continue;
        };
        let (code, name) = input
            .departments
            .get(&t.department_id)
            .cloned()
            .unwrap_or_default();
        let in_period = r.filed_at >= start && r.filed_at < end && r.state != State::Withdrawn;
        let waiting = r.state == State::Open && t.answer.is_none();
        let entry = per.entry(code.clone()).or_insert_with(|| {
            (
                DepartmentRow {
                    department: code,
                    name,
                    ..Default::default()
                },
                Vec::new(),
            )
        });
        for (row, times) in [(&mut entry.0, &mut entry.1), (&mut all.0, &mut all.1)] {
            if in_period {
                row.received += 1;
                if let Some(at) = t.answered_at {
                    row.answered += 1;
                    row.answered_in_time += u64::from(at <= deadline(r.answer_by));
                    times.push(hours(r.filed_at, at));
                }
                row.decided_at_meeting += u64::from(r.settled_how.as_deref() == Some("meeting"));
            }
            if waiting {
                row.open_now += 1;
                row.overdue_now += u64::from(input.now >= deadline(r.answer_by));
            }
        }
    }
    let finish = |(mut row, times): (DepartmentRow, Vec<f64>)| {
        row.in_time_rate = if row.received == 0 {
            0.0
        } else {
            row.answered_in_time as f64 / row.received as f64
        };
        row.median_answer_working_hours = (!times.is_empty()).then(|| median(&times));
        row
    };
    (per.into_values().map(finish).collect(), finish(all))
}

/// The requests that count: filed in `[start, end)`, or open now; on
/// tickets of `scope`.
async fn load(
    app: &App,
    scope: ReportScope,
    (start, end): (DateTime<Utc>, DateTime<Utc>),
) -> Result<(Vec<request::Model>, Vec<target::Model>), ServiceError> {
    use sea_orm::Condition;
    let mut requests = request::Entity::find()
        .filter(
            Condition::any()
                .add(
                    Condition::all()
                        .add(request::Column::FiledAt.gte(start))
                        .add(request::Column::FiledAt.lt(end)),
                )
                .add(request::Column::State.eq(State::Open)),
        )
        .all(&app.db)
        .await?;
    let mut ids: Vec<i64> = requests.iter().map(|r| r.ticket_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut in_scope: HashSet<i64> = HashSet::new();
    for chunk in ids.chunks(500) {
        let found: Vec<i64> = ticket::Entity::find()
            .select_only()
            .column(ticket::Column::Id)
            .filter(scope.condition())
            .filter(ticket::Column::Id.is_in(chunk.to_vec()))
            .into_tuple()
            .all(&app.db)
            .await?;
        in_scope.extend(found);
    }
    requests.retain(|r| in_scope.contains(&r.ticket_id));
    let rids: Vec<i64> = requests.iter().map(|r| r.id).collect();
    let mut targets = Vec::new();
    for chunk in rids.chunks(500) {
        targets.extend(
            target::Entity::find()
                .filter(target::Column::RequestId.is_in(chunk.to_vec()))
                .all(&app.db)
                .await?,
        );
    }
    Ok((requests, targets))
}

/// The coordination report of `scope` for requests filed from `from` to
/// `to` (local days, inclusive).
pub async fn report(
    app: &App,
    scope: ReportScope,
    (from, to): (NaiveDate, NaiveDate),
) -> Result<CoordinationReport, ServiceError> {
    let sla = app.sla();
    let now = app.now();
    let period = (
        sla.start_of(from),
        sla.start_of(to.checked_add_days(Days::new(1)).unwrap_or(to)),
    );
    let (requests, targets) = load(app, scope, period).await?;
    let departments: HashMap<i64, (String, String)> = unit::Entity::find()
        .all(&app.db)
        .await?
        .into_iter()
        .map(|u| (u.id, (u.code, u.name)))
        .collect();
    let input = Input {
        requests: &requests,
        targets: &targets,
        departments: &departments,
        period,
        now,
    };
    let (rows, total) = compute(
        &input,
        |day| overdue_at(app, day),
        |a, b| working_hours(app, a, b),
    );
    Ok(CoordinationReport {
        from,
        to,
        scope,
        as_of: now,
        calendar_version: sla.calendar.version().to_string(),
        definitions: "departments asked in coordination requests filed from `from` to `to` inclusive (local days; withdrawn requests not counted) on tickets of the scope; answered in time: by the end (coordination.end_of_day) of the answer day; answer time: working hours from filing to the answer, counting coordination.office_start to end_of_day of working days; open and overdue now: open requests of any filing day still waiting on the department's answer, overdue once their answer day has ended; decided at the meeting: requests the weekly meeting settled".into(),
        rows,
        total,
    })
}
