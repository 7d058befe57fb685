//! The statement of one page: its arms (one per anchor and status, split
//! at the cursor), each an index seek stopped at the page's limit, joined
//! by `UNION ALL` with the labels joined once around them.

use chrono::{DateTime, Days, Utc};
use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, Order, Query, SelectStatement};
use sea_orm::{ColumnTrait, Condition, DbBackend, Statement};

use super::{Anchor, ListFilter, Resolved, STATUSES, Scope};
use crate::app::App;
use crate::tickets::entity::{ticket, ticket_department};

/// One way into the tickets for a page: an anchor (or every ticket, or
/// the ticket number) and at most one status.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Entry {
    pub anchor: Option<Anchor>,
    pub status: Option<&'static str>,
}

/// One arm: its statement and, where it matters, the index it must use.
#[derive(Debug)]
pub(super) struct Arm {
    pub select: SelectStatement,
    pub index: Option<&'static str>,
}

/// The arms of one page.
#[derive(Debug)]
pub(super) struct PagePlan {
    pub arms: Vec<Arm>,
}

impl Arm {
    /// The arm's statement. On SQLite it names its index (`INDEXED BY`):
    /// without statistics SQLite may take a narrower index that gives
    /// the same order but filters the anchor instead of seeking it.
    pub(super) fn build(&self, backend: DbBackend) -> Statement {
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
    pub(super) fn build(&self, backend: DbBackend) -> Statement {
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
pub(super) fn plan(app: &App, f: &ListFilter, r: &Resolved) -> PagePlan {
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
    // A light is a stretch of deadlines as of now (`after < due_at <= up_to`).
    let (light_after, light_up_to) = match f.light {
        Some(l) => app.config.lights.due_range(l, app.now(), &app.sla()),
        None => (None, None),
    };
    let bounds = DueBounds {
        at_most: [
            f.due_before.map(|d| app.sla().start_of(d)),
            f.overdue_as_of,
            light_up_to,
        ]
        .into_iter()
        .flatten()
        .min(),
        at_least: [
            f.due_after.map(|d| app.sla().end_of(d + Days::new(1))),
            light_after.map(|a| a + chrono::Duration::seconds(1)),
        ]
        .into_iter()
        .flatten()
        .max(),
    };
    let statuses: Vec<&'static str> = STATUSES
        .into_iter()
        .filter(|s| f.status.as_deref().is_none_or(|x| x == *s))
        .filter(|s| {
            (f.overdue_as_of.is_none() && f.light.is_none()) || matches!(*s, "open" | "paused")
        })
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
    if let Some(q) = &f.search {
        // `%`, `_` and the escape itself stand for themselves.
        let escaped: String = q
            .chars()
            .flat_map(|c| match c {
                '%' | '_' | '\\' => vec!['\\', c],
                c => vec![c],
            })
            .collect();
        narrow = narrow.add(
            Condition::any().add(C::TicketNo.eq(q.clone())).add(
                C::CustomerName
                    .like(sea_orm::sea_query::LikeExpr::new(format!("%{escaped}%")).escape('\\')),
            ),
        );
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
