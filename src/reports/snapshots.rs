//! Monthly snapshots: on the first working day of a month (a scheduled job
//! under a lease, or `yekuo report close-month`), last month's compliance,
//! durations and the overdue list at its end are frozen for every bureau
//! and service center, with the calendar version and policy hash they were
//! computed under. A closed month is read from its snapshot. When the
//! calendar or the policy changes, closed months are computed again: a
//! month whose figures change gets a new version (a restatement) listing
//! the differences; earlier versions stay readable.

use chrono::{Datelike, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::ReportScope;
use crate::app::App;
use crate::error::ServiceError;
use crate::org::UnitKind;
use crate::org::entity::unit;

pub mod entity {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "report_snapshots")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub unit_id: i64,
        /// YYYY-MM.
        pub month: String,
        /// 1 when closed; each restatement adds one.
        pub version: i32,
        pub calendar_version: String,
        pub policy_hash: String,
        /// JSON: {"compliance", "durations", "overdue"}.
        pub payload: String,
        /// JSON list of {path, before, after} against the previous version.
        pub differences: Option<String>,
        pub created_at: DateTimeUtc,
        pub verified_calendar_version: String,
        pub verified_policy_hash: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// A calendar month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Month {
    pub first: NaiveDate,
}

impl Month {
    /// `YYYY-MM`, or why not.
    pub fn parse(s: &str) -> Result<Month, String> {
        let s = s.trim();
        crate::validate::date(&format!("{s}-01"))
            .ok()
            .filter(|_| s.len() == 7)
            .map(|first| Month { first })
            .ok_or_else(|| format!("`{s}` is not a month like 2026-03"))
    }

    /// The month holding `day`.
    pub fn of(day: NaiveDate) -> Month {
        Month {
            first: day.with_day(1).unwrap_or(day),
        }
    }

    pub fn last(self) -> NaiveDate {
        self.next().first.pred_opt().unwrap_or(self.first)
    }

    pub fn next(self) -> Month {
        Month {
            first: self
                .first
                .checked_add_months(chrono::Months::new(1))
                .unwrap_or(self.first),
        }
    }

    pub fn previous(self) -> Month {
        Month {
            first: self
                .first
                .checked_sub_months(chrono::Months::new(1))
                .unwrap_or(self.first),
        }
    }

    /// Whether `(from, to)` is exactly this month.
    pub fn is_period(self, (from, to): (NaiveDate, NaiveDate)) -> bool {
        from == self.first && to == self.last()
    }
}

impl std::fmt::Display for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.first.format("%Y-%m"))
    }
}

/// What closing a month did for one unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The first version was stored.
    Closed,
    /// The figures changed: a new version was stored.
    Restated,
    /// The figures stand (the check is recorded).
    Unchanged,
}

/// A snapshot as read.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SnapshotView {
    pub unit: String,
    pub month: String,
    pub version: i32,
    pub created_at: chrono::DateTime<Utc>,
    pub calendar_version: String,
    pub policy_hash: String,
    /// What changed against the previous version (none for the first).
    pub differences: Vec<Value>,
    /// Every version of this month, oldest first.
    pub versions: Vec<i32>,
    /// {"compliance", "durations", "overdue"}: the reports as frozen.
    #[schema(value_type = Object)]
    pub reports: Value,
}

/// The figures of `scope` for `month`, as frozen.
async fn compute(app: &App, scope: ReportScope, month: Month) -> Result<Value, ServiceError> {
    let period = (month.first, month.last());
    let compliance = super::compliance::report(app, scope, period).await?;
    let durations = super::durations::report(app, scope, period).await?;
    let end = app.sla().start_of(month.next().first);
    let overdue = super::overdue::report(app, scope, Some(end)).await?;
    Ok(json!({"compliance": compliance, "durations": durations, "overdue": overdue}))
}

/// Closes `month` (or checks it again) for every bureau and service center.
/// A month that has not ended yet is refused.
pub async fn close_month(app: &App, month: Month) -> Result<Vec<(String, Outcome)>, ServiceError> {
    let today = app.sla().local_date(app.now());
    if month.last() >= today {
        return Err(ServiceError::invalid(
            "month",
            format!("{month} has not ended yet (today is {today})"),
        ));
    }
    let mut out = Vec::new();
    let units = unit::Entity::find()
        .filter(
            unit::Column::Kind.is_in([UnitKind::Bureau.as_str(), UnitKind::ServiceCenter.as_str()]),
        )
        .order_by_asc(unit::Column::Id)
        .all(&app.db)
        .await?;
    for u in units {
        let scope = ReportScope::of_unit(&u).map_err(ServiceError::Internal)?;
        out.push((u.code.clone(), close_unit(app, &u, scope, month).await?));
    }
    Ok(out)
}

async fn close_unit(
    app: &App,
    u: &unit::Model,
    scope: ReportScope,
    month: Month,
) -> Result<Outcome, ServiceError> {
    let (calendar, policy) = (app.calendar.version().to_string(), super::policy_hash(app));
    let latest = latest(app, u.id, month).await?;
    if let Some(l) = &latest
        && l.verified_calendar_version == calendar
        && l.verified_policy_hash == policy
    {
        return Ok(Outcome::Unchanged);
    }
    let figures = compute(app, scope, month).await?;
    let now = app.now();
    let txn = app.begin_write().await?;
    let (version, differences, outcome) = match &latest {
        None => (1, None, Outcome::Closed),
        Some(l) => {
            let before: Value = serde_json::from_str(&l.payload).unwrap_or(Value::Null);
            let mut diffs = Vec::new();
            differences("", &before, &figures, &mut diffs);
            if diffs.is_empty() {
                let mut am = l.clone().into_active_model();
                am.verified_calendar_version = Set(calendar);
                am.verified_policy_hash = Set(policy);
                am.update(&txn).await?;
                txn.commit().await?;
                return Ok(Outcome::Unchanged);
            }
            (
                l.version + 1,
                Some(Value::Array(diffs).to_string()),
                Outcome::Restated,
            )
        }
    };
    entity::ActiveModel {
        id: NotSet,
        unit_id: Set(u.id),
        month: Set(month.to_string()),
        version: Set(version),
        calendar_version: Set(calendar.clone()),
        policy_hash: Set(policy.clone()),
        payload: Set(figures.to_string()),
        differences: Set(differences),
        created_at: Set(now),
        verified_calendar_version: Set(calendar),
        verified_policy_hash: Set(policy),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(outcome)
}

/// The latest version of `month` for unit `unit_id`.
async fn latest(
    app: &App,
    unit_id: i64,
    month: Month,
) -> Result<Option<entity::Model>, ServiceError> {
    Ok(entity::Entity::find()
        .filter(entity::Column::UnitId.eq(unit_id))
        .filter(entity::Column::Month.eq(month.to_string()))
        .order_by_desc(entity::Column::Version)
        .one(&app.db)
        .await?)
}

/// Leaf differences between two JSON values, as {path, before, after};
/// at most 1000 (a restatement that changes more lists the first).
fn differences(path: &str, a: &Value, b: &Value, out: &mut Vec<Value>) {
    if out.len() >= 1000 || a == b {
        return;
    }
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                let (va, vb) = (
                    x.get(k).unwrap_or(&Value::Null),
                    y.get(k).unwrap_or(&Value::Null),
                );
                differences(&format!("{path}/{k}"), va, vb, out);
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            for i in 0..x.len().max(y.len()) {
                let (va, vb) = (
                    x.get(i).unwrap_or(&Value::Null),
                    y.get(i).unwrap_or(&Value::Null),
                );
                differences(&format!("{path}/{i}"), va, vb, out);
            }
        }
        _ => out.push(json!({"path": path, "before": a, "after": b})),
    }
}

/// The snapshot of `unit` for `month`: `version`, or the latest.
pub async fn read(
    app: &App,
    u: &unit::Model,
    month: Month,
    version: Option<i32>,
) -> Result<Option<SnapshotView>, ServiceError> {
    let rows = entity::Entity::find()
        .filter(entity::Column::UnitId.eq(u.id))
        .filter(entity::Column::Month.eq(month.to_string()))
        .order_by_asc(entity::Column::Version)
        .all(&app.db)
        .await?;
    let versions: Vec<i32> = rows.iter().map(|r| r.version).collect();
    let row = match version {
        Some(v) => rows.into_iter().find(|r| r.version == v),
        None => rows.into_iter().last(),
    };
    Ok(row.map(|r| SnapshotView {
        unit: u.code.clone(),
        month: r.month,
        version: r.version,
        created_at: r.created_at,
        calendar_version: r.calendar_version,
        policy_hash: r.policy_hash,
        differences: r
            .differences
            .and_then(|d| serde_json::from_str(&d).ok())
            .unwrap_or_default(),
        versions,
        reports: serde_json::from_str(&r.payload).unwrap_or(Value::Null),
    }))
}

/// The frozen `kind` report ("compliance", "durations") of `scope` when
/// `period` is exactly a closed month and the scope is a unit, with the
/// snapshot's label (`2026-05 v2`).
pub async fn frozen<R: serde::de::DeserializeOwned>(
    app: &App,
    scope: ReportScope,
    period: (NaiveDate, NaiveDate),
    kind: &str,
) -> Result<Option<(R, String)>, ServiceError> {
    let month = Month::of(period.0);
    let unit_id = match scope {
        ReportScope::Bureau(id) | ReportScope::Center(id) => id,
        ReportScope::Manager(_) => return Ok(None),
    };
    if !month.is_period(period) {
        return Ok(None);
    }
    let Some(row) = latest(app, unit_id, month).await? else {
        return Ok(None);
    };
    let mut payload: Value = serde_json::from_str(&row.payload)
        .map_err(|e| ServiceError::Internal(format!("snapshot {}: {e}", row.id)))?;
    let report = serde_json::from_value(payload[kind].take())
        .map_err(|e| ServiceError::Internal(format!("snapshot {} ({kind}): {e}", row.id)))?;
    Ok(Some((report, format!("{month} v{}", row.version))))
}

/// The `kind` report of `scope` over `period`: from the snapshot when the
/// period is a closed month ([`frozen`]; with its label), else `compute`d.
pub async fn frozen_or<R, Fut>(
    app: &App,
    scope: ReportScope,
    period: (NaiveDate, NaiveDate),
    kind: &str,
    compute: Fut,
) -> Result<(R, Option<String>), ServiceError>
where
    R: serde::de::DeserializeOwned,
    Fut: std::future::Future<Output = Result<R, ServiceError>>,
{
    Ok(match frozen(app, scope, period, kind).await? {
        Some((r, label)) => (r, Some(label)),
        None => (compute.await?, None),
    })
}

/// The scheduled run: on a working day, closes last month if it is not
/// closed yet, and checks the closed months again when the calendar or
/// the policy changed since. Returns what it did.
pub async fn run_due(app: &App) -> Result<Vec<(String, String, Outcome)>, ServiceError> {
    let today = app.sla().local_date(app.now());
    if !app.calendar.is_working_day_provisional(today).0 {
        return Ok(Vec::new());
    }
    let (calendar, policy) = (app.calendar.version().to_string(), super::policy_hash(app));
    // Months with a version not verified under the calendar and policy in
    // force (an older version may stay unverified: its month's latest
    // version is checked, which costs a read).
    let mut months: Vec<String> = entity::Entity::find()
        .select_only()
        .column(entity::Column::Month)
        .filter(
            sea_orm::Condition::any()
                .add(entity::Column::VerifiedCalendarVersion.ne(calendar))
                .add(entity::Column::VerifiedPolicyHash.ne(policy)),
        )
        .into_tuple()
        .all(&app.db)
        .await?;
    months.push(Month::of(today).previous().to_string());
    months.sort();
    months.dedup();
    let mut done = Vec::new();
    for m in months {
        let month = Month::parse(&m).map_err(ServiceError::Internal)?;
        for (unit, outcome) in close_month(app, month).await? {
            if outcome != Outcome::Unchanged {
                done.push((m.clone(), unit, outcome));
            }
        }
    }
    Ok(done)
}
