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

use std::collections::HashMap;

use chrono::{DateTime, Days, NaiveDate, Utc};
use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, Order, Query, SelectStatement};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, DbBackend, FromQueryResult, Statement};
use serde::Serialize;
use utoipa::ToSchema;

use crate::app::App;
use crate::validate::FieldError;

use super::TicketError;
use super::entity::{ticket, ticket_department};
use super::view::{LabeledTicket, TicketView};

pub const STATUSES: [&str; 4] = ["open", "paused", "closed", "cancelled"];

/// An indexed way into the tickets: an equality on its leading column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    Bureau(i64),
    Center(i64),
    Owner(i64),
    Manager(i64),
    /// Tickets a department was asked about (through `ticket_departments`).
    Department(i64),
}

impl Anchor {
    /// Whether the anchor reaches many tickets (a unit's rather than a
    /// person's or a department's).
    fn broad(self) -> bool {
        matches!(self, Anchor::Bureau(_) | Anchor::Center(_))
    }

    /// The anchor as a plain condition on `tickets` (to filter rows that
    /// came in another way).
    fn condition(self) -> Condition {
        use ticket::Column as C;
        let c = match self {
            Anchor::Bureau(id) => C::BureauId.eq(id),
            Anchor::Center(id) => C::ServiceCenterId.eq(id),
            Anchor::Owner(id) => C::OwnerId.eq(id),
            Anchor::Manager(id) => C::ManagerId.eq(id),
            Anchor::Department(id) => C::Id.in_subquery(
                Query::select()
                    .column(ticket_department::Column::TicketId)
                    .from(ticket_department::Entity)
                    .and_where(ticket_department::Column::DepartmentId.eq(id))
                    .to_owned(),
            ),
        };
        Condition::all().add(c)
    }
}

/// The tickets a caller may read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Scope {
    /// Every ticket (operators at the command line): every bureau's.
    #[default]
    All,
    /// The union of these anchors (none: nothing).
    Anchors(Vec<Anchor>),
}

impl Scope {
    fn broad(&self) -> bool {
        match self {
            Scope::All => true,
            Scope::Anchors(a) => a.iter().any(|a| a.broad()),
        }
    }

    /// The scope as a condition on `tickets` rows (`None`: no restriction).
    fn condition(&self) -> Option<Condition> {
        match self {
            Scope::All => None,
            Scope::Anchors(anchors) => Some(
                anchors
                    .iter()
                    .fold(Condition::any(), |any, a| any.add(a.condition())),
            ),
        }
    }
}

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
    pub due_before: Option<NaiveDate>,
    pub due_after: Option<NaiveDate>,
    pub overdue_as_of: Option<DateTime<Utc>>,
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
            let date = |v: &str| NaiveDate::parse_from_str(v, "%Y-%m-%d").ok();
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
                "due_before" | "due_after" => match date(v) {
                    Some(d) if k == "due_before" => f.due_before = Some(d),
                    Some(d) => f.due_after = Some(d),
                    None => err(k, format!("`{v}` is not a date like 2026-03-01")),
                },
                "overdue_as_of" => {
                    // A date means the start of that local day: tickets whose
                    // due date is before it.
                    let at = DateTime::parse_from_rfc3339(v)
                        .map(|d| d.with_timezone(&Utc))
                        .ok()
                        .or_else(|| date(v).map(|d| app.sla().start_of(d)));
                    match at {
                        Some(at) => f.overdue_as_of = Some(at),
                        None => err(k, format!("`{v}` is not a date or an RFC 3339 instant")),
                    }
                }
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

async fn resolve(app: &App, f: &ListFilter) -> Result<Resolved, TicketError> {
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
            .ok_or_else(|| TicketError::invalid("service_center", format!("no unit `{code}`")))?;
        r.center = Some(unit.id);
    }
    for (field, name, slot) in [
        ("owner", &f.owner, &mut r.owner),
        ("manager", &f.manager, &mut r.manager),
    ] {
        if let Some(name) = name {
            let p = crate::org::service::person_by_username(&app.db, name)
                .await
                .ok()
                .flatten()
                .ok_or_else(|| TicketError::invalid(field, format!("no person `{name}`")))?;
            *slot = Some(p.id);
        }
    }
    Ok(r)
}

/// One way into the tickets for a page: an anchor (or every ticket, or
/// the ticket number) and at most one status.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Entry {
    pub anchor: Option<Anchor>,
    pub status: Option<&'static str>,
}

/// One arm: its statement and, where it matters, the index it must use.
#[derive(Debug)]
pub(crate) struct Arm {
    pub select: SelectStatement,
    pub index: Option<&'static str>,
}

/// The arms of one page.
#[derive(Debug)]
pub(crate) struct PagePlan {
    pub arms: Vec<Arm>,
}

impl Arm {
    /// The arm's statement. On SQLite it names its index (`INDEXED BY`):
    /// without statistics SQLite may take a narrower index that gives
    /// the same order but filters the anchor instead of seeking it.
    fn build(&self, backend: DbBackend) -> Statement {
        let mut stmt = backend.build(&self.select);
        if let (DbBackend::Sqlite, Some(index)) = (backend, self.index) {
            let (table, hinted) = match index {
                TD_INDEX => (
                    r#""ticket_departments" AS "td""#,
                    format!(r#""ticket_departments" AS "td" INDEXED BY "{index}""#),
                ),
                _ => (
                    r#"FROM "tickets""#,
                    format!(r#"FROM "tickets" INDEXED BY "{index}""#),
                ),
            };
            stmt.sql = stmt.sql.replacen(table, &hinted, 1);
        }
        stmt
    }
}

impl PagePlan {
    /// All arms as one statement: `UNION ALL` of `SELECT * FROM (arm)`,
    /// then the labels joined once to the rows the arms found (planning
    /// stays per arm an index scan).
    fn build(&self, backend: DbBackend) -> Statement {
        let mut union = String::new();
        let mut values = Vec::new();
        let nothing = Arm {
            select: Query::select()
                .column((ticket::Entity, Asterisk))
                .from(ticket::Entity)
                .cond_where(Expr::val(1).eq(0))
                .to_owned(),
            index: None,
        };
        let arms = if self.arms.is_empty() {
            std::slice::from_ref(&nothing)
        } else {
            &self.arms[..]
        };
        for (i, arm) in arms.iter().enumerate() {
            let stmt = arm.build(backend);
            let mut arm_sql = stmt.sql;
            if backend == DbBackend::Postgres {
                // Number this arm's placeholders after the earlier arms'.
                arm_sql = renumber(&arm_sql, values.len());
            }
            if i > 0 {
                union.push_str(" UNION ALL ");
            }
            union.push_str(&format!("SELECT * FROM ({arm_sql}) AS a{i}"));
            values.extend(stmt.values.map(|v| v.0).unwrap_or_default());
        }
        let sql = format!(
            r#"SELECT "t".*, {} FROM ({union}) AS "t" {}"#,
            LABEL_COLUMNS, LABEL_JOINS
        );
        Statement::from_sql_and_values(backend, sql, values)
    }
}

/// The labels (see `view::Labels`) of the rows `t` the arms found.
const LABEL_COLUMNS: &str = r#""cu"."code" AS "center_code", "cu"."name" AS "center_name", "mp"."username" AS "manager_username", "mp"."name" AS "manager_name", "op"."username" AS "owner_username", "op"."name" AS "owner_name""#;
const LABEL_JOINS: &str = r#"LEFT JOIN "org_units" AS "cu" ON "cu"."id" = "t"."service_center_id" LEFT JOIN "people" AS "mp" ON "mp"."id" = "t"."manager_id" LEFT JOIN "people" AS "op" ON "op"."id" = "t"."owner_id""#;

/// `$1`, `$2`, … in `sql` shifted by `by`.
fn renumber(sql: &str, by: usize) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '$' {
            let mut digits = String::new();
            while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                digits.push(*d);
                chars.next();
            }
            match digits.parse::<usize>() {
                Ok(n) => out.push_str(&(n + by).to_string()),
                Err(_) => out.push_str(&digits),
            }
        }
    }
    out
}

/// The department table's index in due order.
const TD_INDEX: &str = "idx_ticket_departments_due";

/// The index an arm entered through `anchor` (or every ticket) with one
/// status uses.
fn index_of(anchor: Option<Anchor>, status: Option<&str>) -> Option<&'static str> {
    match (anchor, status) {
        (Some(Anchor::Department(_)), _) => Some(TD_INDEX),
        (None, _) | (_, None) => None,
        (Some(Anchor::Bureau(_)), Some(_)) => Some("idx_tickets_bureau_status_due"),
        (Some(Anchor::Center(_)), Some(_)) => Some("idx_tickets_center_status_due"),
        (Some(Anchor::Owner(_)), Some(_)) => Some("idx_tickets_owner_status_due"),
        (Some(Anchor::Manager(_)), Some(_)) => Some("idx_tickets_manager_status_due"),
    }
}

/// Plans the page: which entries, which conditions, which arms.
fn plan(app: &App, f: &ListFilter, r: &Resolved) -> PagePlan {
    use ticket::Column as C;
    // Conditions every arm carries.
    let mut common = Condition::all();
    if let Some(v) = &f.stage {
        common = common.add(C::Stage.eq(v.clone()));
    }
    if let Some(v) = &f.category {
        common = common.add(C::Category.eq(v.clone()));
    }
    // A due date before `d` ends (due_at, 24:00 of it) at or before the
    // start of `d`; one after `d` ends at or after the end of `d + 1`.
    let bounds = DueBounds {
        at_most: [f.due_before.map(|d| app.sla().start_of(d)), f.overdue_as_of]
            .into_iter()
            .flatten()
            .min(),
        at_least: f.due_after.map(|d| app.sla().end_of(d + Days::new(1))),
    };
    let statuses: Vec<&'static str> = STATUSES
        .into_iter()
        .filter(|s| f.status.as_deref().is_none_or(|x| x == *s))
        .filter(|s| f.overdue_as_of.is_none() || matches!(*s, "open" | "paused"))
        .collect();
    // The narrowest way in; the scope filters what it finds.
    let (anchors, residual): (Vec<Option<Anchor>>, Option<Condition>) = if f.ticket_no.is_some() {
        (vec![None], f.scope.condition())
    } else if let Some(id) = r.owner {
        (vec![Some(Anchor::Owner(id))], f.scope.condition())
    } else if let Some(id) = r.manager {
        (vec![Some(Anchor::Manager(id))], f.scope.condition())
    } else if let (Some(id), true) = (r.center, f.scope.broad()) {
        (vec![Some(Anchor::Center(id))], f.scope.condition())
    } else {
        match &f.scope {
            // Every ticket is some bureau's.
            Scope::All => (
                r.bureaus.iter().map(|b| Some(Anchor::Bureau(*b))).collect(),
                None,
            ),
            Scope::Anchors(a) => (a.iter().copied().map(Some).collect(), None),
        }
    };
    let mut narrow = Condition::all();
    if let Some(no) = &f.ticket_no {
        narrow = narrow.add(C::TicketNo.eq(no.clone()));
    }
    if let Some(id) = r.manager {
        narrow = narrow.add(C::ManagerId.eq(id));
    }
    if let Some(id) = r.center {
        narrow = narrow.add(C::ServiceCenterId.eq(id));
    }
    if let Some(res) = residual {
        narrow = narrow.add(res);
    }
    let mut arms = Vec::new();
    // Indexes put the status after the anchor, so each status is an arm of
    // its own; a ticket number or a department's tickets are few, and
    // their status is checked on the rows.
    let any_status = statuses
        .iter()
        .fold(Condition::any(), |c, s| c.add(C::Status.eq(*s)));
    let entries: Vec<Entry> = if f.ticket_no.is_some() {
        vec![Entry {
            anchor: None,
            status: None,
        }]
    } else {
        anchors
            .iter()
            .flat_map(|a| match a {
                Some(Anchor::Department(_)) => vec![Entry {
                    anchor: *a,
                    status: None,
                }],
                _ => statuses
                    .iter()
                    .map(|s| Entry {
                        anchor: *a,
                        status: Some(s),
                    })
                    .collect(),
            })
            .collect()
    };
    for e in &entries {
        let mut cond = common.clone().add(narrow.clone());
        cond = match e.status {
            Some(s) => cond.add(C::Status.eq(s)),
            None => cond.add(any_status.clone()),
        };
        let index = index_of(e.anchor, e.status);
        let parts = match f.cursor {
            None => vec![Part::Whole],
            Some(c) => vec![Part::Tie(c), Part::After(c)],
        };
        for part in parts {
            arms.push(Arm {
                select: arm(
                    e.anchor,
                    cond.clone(),
                    bounds,
                    f.descending,
                    f.limit + 1,
                    part,
                ),
                index,
            });
        }
    }
    PagePlan { arms }
}

/// Bounds on the due instant, sought in the arm's index.
#[derive(Debug, Clone, Copy, Default)]
struct DueBounds {
    at_most: Option<DateTime<Utc>>,
    at_least: Option<DateTime<Utc>>,
}

/// Which part of an arm's index a page reads: all of it (the first page),
/// or, after a cursor `(due, id)`, the rest of the cursor's due instant
/// (`due_at = due AND id > id`) or what follows it (`due_at > due`).
#[derive(Debug, Clone, Copy)]
enum Part {
    Whole,
    Tie((DateTime<Utc>, i64)),
    After((DateTime<Utc>, i64)),
}

/// One arm: the tickets entered through `anchor`, with
/// `cond`, the due bounds and the part, ordered by `(due_at, id)` and
/// limited.
fn arm(
    anchor: Option<Anchor>,
    cond: Condition,
    bounds: DueBounds,
    descending: bool,
    limit: u64,
    part: Part,
) -> SelectStatement {
    use ticket::Column as C;
    use ticket_department::Column as D;
    let order = if descending { Order::Desc } else { Order::Asc };
    let mut q = Query::select()
        .column((ticket::Entity, Asterisk))
        .from(ticket::Entity)
        .to_owned();
    // The columns the index orders by: the department table's own copy of
    // the due instant for a department, the ticket's otherwise.
    let (due_col, id_col) = match anchor {
        Some(Anchor::Department(dept)) => {
            let td = Alias::new("td");
            q.join_as(
                sea_orm::sea_query::JoinType::InnerJoin,
                ticket_department::Entity,
                td.clone(),
                Expr::col((td.clone(), D::TicketId)).equals((ticket::Entity, C::Id)),
            );
            q.cond_where(Expr::col((td.clone(), D::DepartmentId)).eq(dept));
            (
                Expr::col((td.clone(), D::DueAt)),
                Expr::col((td, D::TicketId)),
            )
        }
        other => {
            if let Some(a) = other {
                q.cond_where(a.condition());
            }
            (
                Expr::col((ticket::Entity, C::DueAt)),
                Expr::col((ticket::Entity, C::Id)),
            )
        }
    };
    q.cond_where(cond);
    if let Some(at) = bounds.at_most {
        q.cond_where(due_col.clone().lte(at));
    }
    if let Some(at) = bounds.at_least {
        q.cond_where(due_col.clone().gte(at));
    }
    match part {
        Part::Whole => {}
        Part::Tie((due, id)) => {
            q.cond_where(due_col.clone().eq(due));
            q.cond_where(if descending {
                id_col.clone().lt(id)
            } else {
                id_col.clone().gt(id)
            });
        }
        Part::After((due, _)) => {
            q.cond_where(if descending {
                due_col.clone().lt(due)
            } else {
                due_col.clone().gt(due)
            });
        }
    }
    q.order_by_expr(due_col, order.clone())
        .order_by_expr(id_col, order)
        .limit(limit)
        .to_owned()
}

/// A page of tickets matching `f`, with SLA state as of now.
pub async fn list(app: &App, f: &ListFilter) -> Result<Page, TicketError> {
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
) -> Result<Vec<(String, Vec<String>)>, TicketError> {
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
