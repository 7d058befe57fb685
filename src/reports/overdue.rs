//! The overdue report as of any instant T: every ticket that was open (or
//! paused) at T with its deadline, as it stood at T, at or before T; and,
//! as a second section, those due soon (red or yellow at T). Rebuilt from
//! the history, so a ticket overdue at T and closed since still appears and
//! one created after T does not.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;
use utoipa::ToSchema;

use super::at::{Facts, StateAt, state_at, state_now};
use super::{ReportScope, by_ticket};
use crate::app::App;
use crate::error::ServiceError;
use crate::org::entity::{person, unit};
use crate::sla::{Light, Lights, SlaClock};
use crate::tickets::entity::ticket::Status;
use crate::tickets::entity::{event, pause, stage_visit, ticket};

/// One ticket of the report, as it stood at the instant asked about.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct OverdueRow {
    pub ticket_id: i64,
    pub ticket_no: String,
    pub customer_name: String,
    /// Service center code.
    pub service_center: String,
    /// The customer manager at T (username).
    pub manager: String,
    /// The owner at T (username).
    pub owner: String,
    pub owner_name: String,
    /// The escalation level at T (0: the customer manager).
    pub escalation_level: i32,
    /// open or paused, at T.
    pub status: Status,
    pub stage: String,
    pub stage_since: DateTime<Utc>,
    pub due_date: NaiveDate,
    pub due_at: DateTime<Utc>,
    /// Working days after the due date up to T (0 for tickets due soon).
    pub overdue_working_days: i64,
    /// Working days before the due date, from T (0 for overdue tickets).
    pub remaining_working_days: i64,
    /// Whole working days paused up to T.
    pub paused_working_days: u32,
    pub light: Light,
}

/// What the report counted and how (口径).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Definitions {
    pub as_of: DateTime<Utc>,
    pub scope: ReportScope,
    pub calendar_version: String,
    /// A digest of the SLA policy, ladders and lights in force.
    pub policy_hash: String,
    pub overdue: String,
    pub due_soon: String,
}

/// Totals of one service center.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct CenterTotals {
    pub service_center: String,
    pub overdue: u64,
    pub red: u64,
    pub yellow: u64,
}

/// The report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OverdueReport {
    pub definitions: Definitions,
    /// Overdue at T, most overdue first.
    pub rows: Vec<OverdueRow>,
    /// Red, then yellow, at T; soonest first.
    pub due_soon: Vec<OverdueRow>,
    pub totals: Vec<CenterTotals>,
}

/// Names the report shows, by id.
#[derive(Debug, Default)]
pub struct Names {
    /// id → (username, name).
    pub people: HashMap<i64, (String, String)>,
    /// id → code.
    pub units: HashMap<i64, String>,
}

/// The rows of the report, collected a ticket at a time (pure: the
/// loader feeds it states rebuilt by `reports::at`).
#[derive(Debug, Default)]
pub struct Collected {
    rows: Vec<OverdueRow>,
    due_soon: Vec<OverdueRow>,
}

impl Collected {
    /// Adds `t` in state `s` if it was overdue or due soon at `as_of`.
    pub fn push(
        &mut self,
        t: &ticket::Model,
        s: &StateAt,
        as_of: DateTime<Utc>,
        sla: &SlaClock,
        lights: &Lights,
        names: &Names,
    ) {
        if !s.status.is_live() {
            return;
        }
        let light = lights.light(&s.due, as_of, sla);
        match light {
            Light::Overdue => self.rows.push(row(t, s, light, as_of, sla, names)),
            Light::Red | Light::Yellow => self.due_soon.push(row(t, s, light, as_of, sla, names)),
            Light::Green => {}
        }
    }

    /// The report: rows sorted by deadline, totals per center.
    pub fn finish(self, as_of: DateTime<Utc>, scope: ReportScope, sla: &SlaClock) -> OverdueReport {
        let Collected {
            mut rows,
            mut due_soon,
        } = self;
        rows.sort_by_key(|r| (r.due_at, r.ticket_id));
        due_soon.sort_by_key(|r| (r.due_at, r.ticket_id));
        let mut totals: Vec<CenterTotals> = Vec::new();
        for r in rows.iter().chain(&due_soon) {
            let i = match totals
                .iter()
                .position(|c| c.service_center == r.service_center)
            {
                Some(i) => i,
                None => {
                    totals.push(CenterTotals {
                        service_center: r.service_center.clone(),
                        ..Default::default()
                    });
                    totals.len() - 1
                }
            };
            match r.light {
                Light::Overdue => totals[i].overdue += 1,
                Light::Red => totals[i].red += 1,
                Light::Yellow => totals[i].yellow += 1,
                Light::Green => {}
            }
        }
        totals.sort_by(|a, b| a.service_center.cmp(&b.service_center));
        OverdueReport {
        definitions: Definitions {
            as_of,
            scope,
            calendar_version: sla.calendar.version().to_string(),
            policy_hash: String::new(),
            overdue: "open or paused at the instant, with its deadline as it stood then (pauses up to the instant) at or before it".into(),
            due_soon: "open or paused at the instant, red or yellow by the [lights] thresholds".into(),
        },
        rows,
        due_soon,
        totals,
    }
    }
}

fn row(
    t: &ticket::Model,
    s: &StateAt,
    light: Light,
    as_of: DateTime<Utc>,
    sla: &SlaClock,
    names: &Names,
) -> OverdueRow {
    let standing = sla.standing(&s.due, as_of);
    let person = |id: i64| names.people.get(&id).cloned().unwrap_or_default();
    let (owner, owner_name) = person(s.owner_id);
    OverdueRow {
        ticket_id: t.id,
        ticket_no: t.ticket_no.clone(),
        customer_name: t.customer_name.clone(),
        service_center: names
            .units
            .get(&t.service_center_id)
            .cloned()
            .unwrap_or_default(),
        manager: person(s.manager_id).0,
        owner,
        owner_name,
        escalation_level: s.escalation_level,
        status: s.status,
        stage: s.stage.clone(),
        stage_since: s.stage_since,
        due_date: s.due.due_date,
        due_at: s.due.due_at,
        overdue_working_days: standing.overdue_working_days,
        remaining_working_days: standing.remaining_working_days,
        paused_working_days: s.due.paused_working_days,
        light,
    }
}

/// Tickets read per page (their pauses, or history, with them).
const PAGE: usize = 1000;

/// Loads what the report over `scope` at `as_of` (now when `None`) needs
/// and computes it, a page of tickets at a time (memory stays that of the
/// rows shown, not of everything read):
/// - now: the open and paused tickets whose stored deadline is at most the
///   last one showing yellow, in deadline order from the scope's index, with
///   their pauses (a running one moves the deadline as time passes);
/// - an instant: the tickets yekuo knew then that were not closed or
///   cancelled by then and could show (see [`latest_candidate_acceptance`]),
///   each rebuilt from its history up to the instant.
pub async fn report(
    app: &App,
    scope: ReportScope,
    as_of: Option<DateTime<Utc>>,
) -> Result<OverdueReport, ServiceError> {
    report_in_pages(app, scope, as_of, PAGE).await
}

/// [`report`], reading `page` tickets at a time (any page size gives the
/// same report).
pub async fn report_in_pages(
    app: &App,
    scope: ReportScope,
    as_of: Option<DateTime<Utc>>,
    page_size: usize,
) -> Result<OverdueReport, ServiceError> {
    let page_size = page_size.max(1);
    let names = names(app).await?;
    let by_username: HashMap<&str, i64> = names
        .people
        .iter()
        .map(|(id, (u, _))| (u.as_str(), *id))
        .collect();
    let (policy, sla, lights) = (&app.policy, app.sla(), &app.config.lights);
    let mut c = Collected::default();
    let at = as_of.unwrap_or_else(|| app.now());
    match as_of {
        None => {
            let (_, last_yellow) = lights.due_range(Light::Yellow, at, &sla);
            for status in [Status::Open, Status::Paused] {
                let mut after = None;
                loop {
                    let page = now_page(app, scope, status, last_yellow, after, page_size).await?;
                    let ids: Vec<i64> = page.iter().map(|t| t.id).collect();
                    let mut pauses = by_ticket(app, &ids, |ids| {
                        pause::Entity::find().filter(pause::Column::TicketId.is_in(ids))
                    })
                    .await?;
                    for t in &page {
                        let p = pauses.remove(&t.id).unwrap_or_default();
                        c.push(
                            t,
                            &state_now(t, &p, at, policy, &sla),
                            at,
                            &sla,
                            lights,
                            &names,
                        );
                    }
                    match page.last() {
                        Some(t) if page.len() == page_size => after = Some((t.due_at, t.id)),
                        _ => break,
                    }
                }
            }
        }
        Some(at) => {
            for ids in candidates(app, scope, at).await?.chunks(page_size) {
                let tickets = ticket::Entity::find()
                    .filter(ticket::Column::Id.is_in(ids.to_vec()))
                    .all(&app.db)
                    .await?;
                for f in history(app, tickets, at).await? {
                    if let Some(s) = state_at(&f, at, policy, &sla, |u| by_username.get(u).copied())
                    {
                        c.push(&f.ticket, &s, at, &sla, lights, &names);
                    }
                }
            }
        }
    }
    let mut r = c.finish(at, scope, &sla);
    r.definitions.policy_hash = super::policy_hash(app);
    Ok(r)
}

/// The next page of `status` tickets of `scope` due by `last_yellow`, in
/// (stored deadline, id) order after `after`: a range of the scope's
/// (unit, status, due_at, id) index.
async fn now_page(
    app: &App,
    scope: ReportScope,
    status: Status,
    last_yellow: Option<DateTime<Utc>>,
    after: Option<(DateTime<Utc>, i64)>,
    page_size: usize,
) -> Result<Vec<ticket::Model>, ServiceError> {
    use ticket::Column as C;
    let mut q = ticket::Entity::find()
        .filter(scope.condition())
        .filter(C::Status.eq(status));
    if let Some(at) = last_yellow {
        q = q.filter(C::DueAt.lte(at));
    }
    if let Some((due, id)) = after {
        // A row value, so both databases start the index range there
        // (`(due_at, id) > (…)`), not at the range's start page after page.
        use sea_orm::sea_query::{Expr, ExprTrait};
        q = q.filter(
            Expr::tuple([Expr::col(C::DueAt), Expr::col(C::Id)])
                .gt(Expr::tuple([Expr::val(due), Expr::val(id)])),
        );
    }
    Ok(q.order_by_asc(C::DueAt)
        .order_by_asc(C::Id)
        .limit(page_size as u64)
        .all(&app.db)
        .await?)
}

/// The ids of the tickets of `scope` that could show at instant `at`:
/// known by then, not closed by then (a reopened ticket has no closing
/// instant; its history says what it was at `at`), and accepted early
/// enough to be at least yellow then, or with a field updated since (its
/// acceptance day may have moved).
async fn candidates(
    app: &App,
    scope: ReportScope,
    at: DateTime<Utc>,
) -> Result<Vec<i64>, ServiceError> {
    use ticket::Column as C;
    let mut q = ticket::Entity::find()
        .select_only()
        .column(C::Id)
        .filter(scope.condition())
        .filter(C::CreatedAt.lte(at))
        .filter(
            Condition::any()
                .add(C::ClosedAt.is_null())
                .add(C::ClosedAt.gt(at)),
        );
    if let Some(accepted) = latest_candidate_acceptance(app, at) {
        // A ticket shows at T only if its deadline then was at most the
        // last yellow one; that deadline is at least its acceptance day
        // plus the smallest limit (pauses only add). Its acceptance day
        // then is today's unless a field update moved it since (the
        // partial index idx_ticket_events_field_updated: the literal kind
        // lets SQLite use it).
        let moved = sea_orm::sea_query::Query::select()
            .column(event::Column::TicketId)
            .from(event::Entity)
            .and_where(sea_orm::sea_query::Expr::cust("kind = 'field_updated'"))
            .and_where(event::Column::At.gt(at))
            .to_owned();
        q = q.filter(
            Condition::any()
                .add(C::AcceptedOn.lte(accepted))
                .add(C::Id.in_subquery(moved)),
        );
    }
    Ok(q.into_tuple().all(&app.db).await?)
}

/// The latest acceptance day of a ticket that could be red, yellow or
/// overdue at `at`: with the smallest limit of any category and no pause,
/// its deadline is the last one still yellow at `at`. `None` when every
/// deadline would be (no bound).
fn latest_candidate_acceptance(app: &App, at: DateTime<Utc>) -> Option<NaiveDate> {
    let sla = app.sla();
    let (_, last_yellow) = app
        .config
        .lights
        .due_range(crate::sla::Light::Yellow, at, &sla);
    let last_yellow = last_yellow?;
    let limit = app
        .policy
        .categories
        .iter()
        .map(|c| c.limit_working_days.get())
        .min()?;
    let fits = |a: NaiveDate| sla.ticket_due(a, limit, &[], at).due_at <= last_yellow;
    let today = sla.local_date(at);
    crate::sla::last_date_where(
        today - chrono::Days::new(20 * 366),
        last_yellow_date(&sla, last_yellow),
        fits,
    )
}

/// The due date whose deadline (24:00 of it) is `at`.
fn last_yellow_date(sla: &SlaClock, at: DateTime<Utc>) -> NaiveDate {
    sla.local_date(at) - chrono::Days::new(1)
}

/// The history up to `as_of` of each of `tickets`.
pub(crate) async fn history(
    app: &App,
    tickets: Vec<ticket::Model>,
    as_of: DateTime<Utc>,
) -> Result<Vec<Facts>, ServiceError> {
    let ids: Vec<i64> = tickets.iter().map(|t| t.id).collect();
    let mut events = by_ticket(app, &ids, |ids| {
        event::Entity::find()
            .filter(event::Column::TicketId.is_in(ids))
            .filter(event::Column::At.lte(as_of))
            .filter(event::Column::Kind.is_in(super::at::STATE_KINDS))
            .order_by_asc(event::Column::TicketId)
            .order_by_asc(event::Column::Seq)
    })
    .await?;
    let mut pauses = by_ticket(app, &ids, |ids| {
        pause::Entity::find()
            .filter(pause::Column::TicketId.is_in(ids))
            .filter(pause::Column::StartedAt.lte(as_of))
    })
    .await?;
    let mut visits = by_ticket(app, &ids, |ids| {
        stage_visit::Entity::find()
            .filter(stage_visit::Column::TicketId.is_in(ids))
            .filter(stage_visit::Column::EnteredAt.lte(as_of))
            .order_by_asc(stage_visit::Column::Id)
    })
    .await?;
    Ok(tickets
        .into_iter()
        .map(|t| Facts {
            events: events.remove(&t.id).unwrap_or_default(),
            pauses: pauses.remove(&t.id).unwrap_or_default(),
            visits: visits.remove(&t.id).unwrap_or_default(),
            ticket: t,
        })
        .collect())
}

/// Every person's and unit's name (the org chart is small next to tickets).
async fn names(app: &App) -> Result<Names, ServiceError> {
    let mut n = Names::default();
    for p in person::Entity::find().all(&app.db).await? {
        n.people.insert(p.id, (p.username, p.name));
    }
    for u in unit::Entity::find().all(&app.db).await? {
        n.units.insert(u.id, u.code);
    }
    Ok(n)
}
