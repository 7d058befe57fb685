//! Listing tickets: filters from query parameters, sorted by due date,
//! keyset pages that cost the same at any depth.
//!
//! A page is read in one statement of *arms* joined by `UNION ALL`. Each
//! arm enters the tickets through one index whose leading columns are
//! equalities (an anchor such as the bureau, then the status) and whose
//! next columns are `(due_at, id)`, so the index gives the order and the
//! arm stops after `limit + 1` rows:
//!
//! - the caller's scope is a union of anchors (owner, manager, service
//!   center, bureau, department asked): one arm per anchor, so no `OR`
//!   spoils the index; a filter on owner, manager, service center or ticket
//!   number is a narrower way in, and the scope then only filters its rows;
//! - every status is its own arm (`status` is the second index column);
//! - a cursor `(due, id)` splits an arm in two: `due_at = due AND id > id`
//!   and `due_at > due`, both index ranges on SQLite and PostgreSQL alike
//!   (SQLite does not seek on a row value that ends in the rowid).
//!
//! The arms' rows are merged by `(due_at, id)` and deduplicated (a ticket
//! may be both mine and my center's). docs/list-plans.md shows the plans.

mod arms;
mod scope;

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, FromQueryResult, Statement};
use serde::Serialize;
use utoipa::ToSchema;

use crate::app::App;
use crate::validate::FieldError;

use super::ServiceError;
use super::view::{LabeledTicket, TicketView};
use arms::plan;
pub use scope::{Anchor, Scope};

pub const STATUSES: [&str; 4] = ["open", "paused", "closed", "cancelled"];

/// Parsed list parameters.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub status: Option<String>,
    pub stage: Option<String>,
    pub category: Option<String>,
    /// Service center code.
    pub service_center: Option<String>,
    /// Owner username.
    pub owner: Option<String>,
    /// Manager username.
    pub manager: Option<String>,
    pub ticket_no: Option<String>,
    /// A search: the ticket number (exact) or part of the customer's name.
    pub search: Option<String>,
    pub due_before: Option<NaiveDate>,
    pub due_after: Option<NaiveDate>,
    pub overdue_as_of: Option<DateTime<Utc>>,
    /// Open tickets showing this light now.
    pub light: Option<crate::sla::Light>,
    pub descending: bool,
    pub limit: u64,
    pub cursor: Option<(DateTime<Utc>, i64)>,
    /// The tickets the caller may read (set from permissions).
    pub scope: Scope,
}

/// One page of tickets; pass `next_cursor` back as `cursor` for the next.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page {
    pub items: Vec<TicketView>,
    pub next_cursor: Option<String>,
}

fn encode_cursor(due_at: DateTime<Utc>, id: i64) -> String {
    format!("{}_{id}", due_at.timestamp())
}

fn decode_cursor(s: &str) -> Option<(DateTime<Utc>, i64)> {
    let (a, b) = s.split_once('_')?;
    Some((
        DateTime::from_timestamp(a.parse().ok()?, 0)?,
        b.parse().ok()?,
    ))
}

impl ListFilter {
    /// Parses query parameters; dates are local dates of `app`'s zone.
    pub fn parse(q: &HashMap<String, String>, app: &App) -> Result<ListFilter, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut err = |f: &str, m: String| {
            errors.push(FieldError {
                field: f.into(),
                message: m,
            })
        };
        let mut f = ListFilter {
            limit: 50,
            ..Default::default()
        };
        for (k, v) in q {
            let v = v.trim();
            let date = |v: &str| crate::validate::date(v);
            match k.as_str() {
                "status" if STATUSES.contains(&v) => f.status = Some(v.into()),
                "status" => err(k, format!("`{v}` is not one of {}", STATUSES.join(", "))),
                "stage" if app.policy.stage(v).is_some() => f.stage = Some(v.into()),
                "stage" => err(k, format!("`{v}` is not a configured stage")),
                "category" if app.policy.category(v).is_some() => f.category = Some(v.into()),
                "category" => err(k, format!("`{v}` is not a configured category")),
                "service_center" => f.service_center = Some(v.into()),
                "owner" => f.owner = Some(v.into()),
                "manager" => f.manager = Some(v.into()),
                "ticket_no" => f.ticket_no = Some(v.into()),
                "q" if v.is_empty() => {}
                "q" if v.chars().count() <= 100 => f.search = Some(v.into()),
                "q" => err(k, "is longer than 100 characters".into()),
                "due_before" | "due_after" => match date(v) {
                    Ok(d) if k == "due_before" => f.due_before = Some(d),
                    Ok(d) => f.due_after = Some(d),
                    Err(m) => err(k, m),
                },
                "overdue_as_of" => {
                    // A date means the start of that local day: tickets whose
                    // due date is before it.
                    let at = DateTime::parse_from_rfc3339(v)
                        .map(|d| d.with_timezone(&Utc))
                        .ok()
                        .or_else(|| date(v).ok().map(|d| app.sla().start_of(d)));
                    match at {
                        Some(at) => f.overdue_as_of = Some(at),
                        None => err(k, format!("`{v}` is not a date or an RFC 3339 instant")),
                    }
                }
                "light" => match crate::sla::Light::parse(v) {
                    Ok(l) => f.light = Some(l),
                    Err(m) => err(k, m),
                },
                "sort" => match v {
                    "due" => f.descending = false,
                    "-due" => f.descending = true,
                    _ => err(k, format!("`{v}` is not one of due, -due")),
                },
                "limit" => match v.parse::<u64>() {
                    Ok(n) if (1..=500).contains(&n) => f.limit = n,
                    _ => err(k, "must be an integer from 1 to 500".into()),
                },
                "cursor" => match decode_cursor(v) {
                    Some(c) => f.cursor = Some(c),
                    None => err(k, "is not a cursor returned by this list".into()),
                },
                _ => err(k, "is not a known parameter".into()),
            }
        }
        if errors.is_empty() {
            Ok(f)
        } else {
            Err(errors)
        }
    }
}

/// Ids the filter names by code or username, resolved once.
#[derive(Debug, Default)]
struct Resolved {
    center: Option<i64>,
    owner: Option<i64>,
    manager: Option<i64>,
    /// Every bureau, for the scope of all tickets.
    bureaus: Vec<i64>,
}

async fn resolve(app: &App, f: &ListFilter) -> Result<Resolved, ServiceError> {
    let mut r = Resolved::default();
    if f.scope == Scope::All {
        use crate::org::entity::unit;
        use sea_orm::{EntityTrait, QueryFilter, QuerySelect};
        r.bureaus = unit::Entity::find()
            .select_only()
            .column(unit::Column::Id)
            .filter(unit::Column::Kind.eq(crate::org::UnitKind::Bureau.as_str()))
            .into_tuple()
            .all(&app.db)
            .await?;
    }
    if let Some(code) = &f.service_center {
        let unit = crate::org::service::unit_by_code(&app.db, code)
            .await
            .ok()
            .flatten()
            .ok_or_else(|| ServiceError::invalid("service_center", format!("no unit `{code}`")))?;
        r.center = Some(unit.id);
    }
    for (name, slot) in [(&f.owner, &mut r.owner), (&f.manager, &mut r.manager)] {
        if let Some(name) = name {
            // An unknown username lists nothing, as a person with no
            // tickets would: the list does not tell who has an account.
            // (No person has id 0.)
            *slot = Some(
                crate::org::service::person_by_username(&app.db, name)
                    .await?
                    .map_or(0, |p| p.id),
            );
        }
    }
    Ok(r)
}

/// A page of tickets matching `f`, with SLA state as of now.
pub async fn list(app: &App, f: &ListFilter) -> Result<Page, ServiceError> {
    let r = resolve(app, f).await?;
    let stmt = plan(app, f, &r).build(app.db.get_database_backend());
    let mut rows = LabeledTicket::find_by_statement(stmt).all(&app.db).await?;
    let key = |t: &LabeledTicket| (t.ticket.due_at, t.ticket.id);
    if f.descending {
        rows.sort_unstable_by_key(|t| std::cmp::Reverse(key(t)));
    } else {
        rows.sort_unstable_by_key(key);
    }
    rows.dedup_by_key(|t| t.ticket.id);
    let more = rows.len() as u64 > f.limit;
    rows.truncate(f.limit as usize);
    let next_cursor = more
        .then(|| {
            rows.last()
                .map(|t| encode_cursor(t.ticket.due_at, t.ticket.id))
        })
        .flatten();
    let now = app.now();
    Ok(Page {
        items: rows
            .into_iter()
            .map(|t| TicketView::from_model(app, t.ticket, t.labels, now))
            .collect(),
        next_cursor,
    })
}

/// The plan of each arm of the page `f` would read, as the database
/// tells it (`EXPLAIN QUERY PLAN` on SQLite, `EXPLAIN` on PostgreSQL, with
/// `ANALYZE` there when `analyze`): each arm's SQL and plan lines.
pub async fn explain(
    app: &App,
    f: &ListFilter,
    analyze: bool,
) -> Result<Vec<(String, Vec<String>)>, ServiceError> {
    let r = resolve(app, f).await?;
    let backend = app.db.get_database_backend();
    let mut out = Vec::new();
    for arm in plan(app, f, &r).arms {
        let stmt = arm.build(backend);
        let (prefix, column) = match (backend, analyze) {
            (DbBackend::Postgres, true) => ("EXPLAIN (ANALYZE, BUFFERS) ", "QUERY PLAN"),
            (DbBackend::Postgres, false) => ("EXPLAIN ", "QUERY PLAN"),
            _ => ("EXPLAIN QUERY PLAN ", "detail"),
        };
        let sql = stmt.sql.clone();
        let explained = Statement {
            sql: format!("{prefix}{}", stmt.sql),
            ..stmt
        };
        let rows = app.db.query_all_raw(explained).await?;
        let lines = rows
            .iter()
            .map(|row| row.try_get::<String>("", column))
            .collect::<Result<Vec<_>, _>>()?;
        out.push((sql, lines));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn cursors_round_trip() {
        let at = chrono::DateTime::from_timestamp(1_780_000_000, 0).unwrap();
        assert_eq!(
            super::decode_cursor(&super::encode_cursor(at, 42)),
            Some((at, 42))
        );
        assert_eq!(super::decode_cursor("garbage"), None);
    }
}
