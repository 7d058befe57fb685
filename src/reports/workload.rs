//! Workload per customer manager: open tickets managed and owned, distinct
//! customers, overdue now, tickets closed in the period and how many on
//! time; and per service center, customers per manager against the ratio
//! the bureau aims for (`[reports] customers_per_manager`, 1 : 50).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QuerySelect};
use serde::Serialize;
use utoipa::ToSchema;

use super::ReportScope;
use crate::app::App;
use crate::error::ServiceError;
use crate::org::entity::{person, role_assignment, unit};
use crate::tickets::entity::ticket::{self, Status};

/// What the report needs of a ticket.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub manager_id: i64,
    pub owner_id: i64,
    pub center_id: i64,
    pub customer: String,
    pub status: Status,
    pub due_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
}

/// One customer manager.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct ManagerLoad {
    pub manager: String,
    pub name: String,
    pub service_center: String,
    /// Open or paused tickets they manage.
    pub open_managed: u64,
    /// Open or paused tickets they own now (escalated ones are their superiors').
    pub open_owned: u64,
    /// Distinct customers (account numbers) of the open tickets they manage.
    pub customers: u64,
    pub overdue_now: u64,
    pub closed_in_period: u64,
    pub closed_on_time: u64,
    pub on_time_rate: f64,
}

/// One service center.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct CenterLoad {
    pub service_center: String,
    pub managers: u64,
    pub customers: u64,
    pub customers_per_manager: f64,
    pub target_customers_per_manager: u32,
    pub over_target: bool,
}

/// The report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WorkloadReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub as_of: DateTime<Utc>,
    pub scope: ReportScope,
    /// The calendar the period's days and deadlines were read on.
    pub calendar_version: String,
    /// A digest of the SLA policy, ladders and lights in force.
    pub policy_hash: String,
    /// `[reports] customers_per_manager`.
    pub target_customers_per_manager: u32,
    pub definitions: String,
    pub managers: Vec<ManagerLoad>,
    pub centers: Vec<CenterLoad>,
}

/// The columns read of each ticket, in the order of [`Row`].
type Columns = (
    i64,
    i64,
    i64,
    String,
    Status,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
);

/// A manager: id, username, name, center id.
pub type Manager = (i64, String, String, i64);

/// The report (pure). `period` bounds the closing instants, `[start, end)`.
pub fn compute(
    rows: &[Row],
    managers: &[Manager],
    centers: &HashMap<i64, String>,
    (from, to, start, end): (NaiveDate, NaiveDate, DateTime<Utc>, DateTime<Utc>),
    as_of: DateTime<Utc>,
    scope: ReportScope,
    target: u32,
) -> WorkloadReport {
    let mut out: Vec<ManagerLoad> = Vec::new();
    let mut customers_by_center: BTreeMap<i64, BTreeSet<&str>> = BTreeMap::new();
    let mut managers_by_center: BTreeMap<i64, u64> = BTreeMap::new();
    // Each ticket by its manager and, open, by its owner: read once.
    let mut by_manager: HashMap<i64, Vec<&Row>> = HashMap::new();
    let mut owned: HashMap<i64, u64> = HashMap::new();
    for r in rows {
        by_manager.entry(r.manager_id).or_default().push(r);
        if r.status.is_live() {
            *owned.entry(r.owner_id).or_default() += 1;
        }
    }
    for (id, username, name, center) in managers {
        let live = |r: &&Row| r.status.is_live();
        let managed: &[&Row] = by_manager.get(id).map_or(&[], Vec::as_slice);
        let open: Vec<&Row> = managed.iter().copied().filter(live).collect();
        let customers: BTreeSet<&str> = open.iter().map(|r| r.customer.as_str()).collect();
        let closed: Vec<&Row> = managed
            .iter()
            .copied()
            .filter(|r| {
                r.status == Status::Closed && r.closed_at.is_some_and(|c| c >= start && c < end)
            })
            .collect();
        let on_time = closed
            .iter()
            .filter(|r| r.closed_at.is_some_and(|c| c < r.due_at))
            .count() as u64;
        customers_by_center
            .entry(*center)
            .or_default()
            .extend(customers.iter().copied());
        *managers_by_center.entry(*center).or_default() += 1;
        out.push(ManagerLoad {
            manager: username.clone(),
            name: name.clone(),
            service_center: centers.get(center).cloned().unwrap_or_default(),
            open_managed: open.len() as u64,
            open_owned: rows
                .iter()
                .filter(live)
                .filter(|r| r.owner_id == *id)
                .count() as u64,
            customers: customers.len() as u64,
            overdue_now: open.iter().filter(|r| r.due_at <= as_of).count() as u64,
            closed_in_period: closed.len() as u64,
            closed_on_time: on_time,
            on_time_rate: if closed.is_empty() {
                0.0
            } else {
                on_time as f64 / closed.len() as f64
            },
        });
    }
    out.sort_by(|a, b| (&a.service_center, &a.manager).cmp(&(&b.service_center, &b.manager)));
    let centers_out = managers_by_center
        .iter()
        .map(|(center, n)| {
            let customers = customers_by_center.get(center).map_or(0, |c| c.len()) as u64;
            let per = customers as f64 / *n as f64;
            CenterLoad {
                service_center: centers.get(center).cloned().unwrap_or_default(),
                managers: *n,
                customers,
                customers_per_manager: per,
                target_customers_per_manager: target,
                over_target: per > f64::from(target),
            }
        })
        .collect();
    WorkloadReport {
        from,
        to,
        as_of,
        scope,
        calendar_version: String::new(),
        policy_hash: String::new(),
        target_customers_per_manager: target,
        definitions: "managers: the holders of the manager role in the scope's service centers; open: open or paused now, overdue now by the stored deadline; customers: distinct account numbers of the open tickets managed; closed in the period: closed (energised) from `from` to `to`, on time when closed before the deadline".into(),
        managers: out,
        centers: centers_out,
    }
}

/// Loads and computes the workload of `scope` now, with the tickets closed
/// from `from` to `to`.
pub async fn report(
    app: &App,
    scope: ReportScope,
    (from, to): (NaiveDate, NaiveDate),
) -> Result<WorkloadReport, ServiceError> {
    use ticket::Column as C;
    let sla = app.sla();
    let (start, end) = (sla.start_of(from), sla.start_of(to + chrono::Days::new(1)));
    let units = unit::Entity::find().all(&app.db).await?;
    let centers: HashMap<i64, String> = units.iter().map(|u| (u.id, u.code.clone())).collect();
    let in_scope: Vec<i64> = units
        .iter()
        .filter(|u| match scope {
            ReportScope::Bureau(b) => u.parent_id == Some(b),
            ReportScope::Center(c) => u.id == c,
            ReportScope::Manager(_) => true,
        })
        .map(|u| u.id)
        .collect();
    let assignments = role_assignment::Entity::find()
        .filter(role_assignment::Column::Role.eq(crate::org::Role::Manager.as_str()))
        .filter(role_assignment::Column::UnitId.is_in(in_scope))
        .all(&app.db)
        .await?;
    let people: HashMap<i64, person::Model> = person::Entity::find()
        .filter(person::Column::Active.eq(true))
        .all(&app.db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let managers: Vec<Manager> = assignments
        .iter()
        .filter(|a| match scope {
            ReportScope::Manager(m) => a.person_id == m,
            _ => true,
        })
        .filter_map(|a| {
            let p = people.get(&a.person_id)?;
            Some((p.id, p.username.clone(), p.name.clone(), a.unit_id?))
        })
        .collect();
    let tuples: Vec<Columns> = ticket::Entity::find()
        .select_only()
        .columns([
            C::ManagerId,
            C::OwnerId,
            C::ServiceCenterId,
            C::CustomerAccountNo,
            C::Status,
            C::DueAt,
            C::ClosedAt,
        ])
        .filter(scope.condition())
        .filter(
            Condition::any()
                .add(C::Status.is_in([Status::Open, Status::Paused]))
                .add(
                    Condition::all()
                        .add(C::Status.eq(Status::Closed))
                        .add(C::ClosedAt.gte(start))
                        .add(C::ClosedAt.lt(end)),
                ),
        )
        .into_tuple()
        .all(&app.db)
        .await?;
    let rows: Vec<Row> = tuples
        .into_iter()
        .map(
            |(manager_id, owner_id, center_id, customer, status, due_at, closed_at)| Row {
                manager_id,
                owner_id,
                center_id,
                customer,
                status,
                due_at,
                closed_at,
            },
        )
        .collect();
    let mut r = compute(
        &rows,
        &managers,
        &centers,
        (from, to, start, end),
        app.now(),
        scope,
        app.config.raw.reports.customers_per_manager,
    );
    r.calendar_version = sla.calendar.version().to_string();
    r.policy_hash = super::policy_hash(app);
    Ok(r)
}
