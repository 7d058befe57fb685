//! The overdue report as of any instant T: every ticket that was open (or
//! paused) at T with its deadline, as it stood at T, at or before T; and,
//! as a second section, those due soon (red or yellow at T). Rebuilt from
//! the history, so a ticket overdue at T and closed since still appears and
//! one created after T does not.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use utoipa::ToSchema;

use super::at::{Facts, StateAt, state_at, state_now};
use super::{ReportScope, by_ticket};
use crate::app::App;
use crate::error::ServiceError;
use crate::org::entity::{person, unit};
use crate::sla::{Light, Lights, SlaClock, SlaPolicy};
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

/// What the report is computed from: each ticket's history, or (now) its
/// current row and pauses.
pub enum Input {
    History(Vec<Facts>),
    Now(Vec<(ticket::Model, Vec<pause::Model>)>),
}

/// The report over `input` at `as_of` (pure).
pub fn compute(
    input: &Input,
    as_of: DateTime<Utc>,
    scope: ReportScope,
    policy: &SlaPolicy,
    sla: &SlaClock,
    lights: &Lights,
    names: &Names,
) -> OverdueReport {
    let by_username: HashMap<&str, i64> = names
        .people
        .iter()
        .map(|(id, (u, _))| (u.as_str(), *id))
        .collect();
    let states: Vec<(&ticket::Model, StateAt)> = match input {
        Input::History(facts) => facts
            .iter()
            .filter_map(|f| {
                state_at(f, as_of, policy, sla, |u| by_username.get(u).copied())
                    .map(|s| (&f.ticket, s))
            })
            .collect(),
        Input::Now(rows) => rows
            .iter()
            .map(|(t, p)| (t, state_now(t, p, as_of, policy, sla)))
            .collect(),
    };
    let mut c = Collected::default();
    for (t, s) in &states {
        c.push(t, s, as_of, sla, lights, names);
    }
    c.finish(as_of, scope, sla)
}

/// The rows of the report, collected a ticket (or a page) at a time.
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

/// Loads what the report over `scope` at `as_of` (now when `None`) needs
/// and computes it:
/// the tickets yekuo knew at `as_of` and that were not closed or cancelled
/// for good before it, with their events, pauses and stage visits.
pub async fn report(
    app: &App,
    scope: ReportScope,
    as_of: Option<DateTime<Utc>>,
) -> Result<OverdueReport, ServiceError> {
    use ticket::Column as C;
    // `None`: now, read from the tickets' current rows (fast); an instant:
    // rebuilt from the history.
    let now_mode = as_of.is_none();
    let as_of = as_of.unwrap_or_else(|| app.now());
    let mut q = ticket::Entity::find()
        .filter(scope.condition())
        .filter(C::CreatedAt.lte(as_of))
        // Closed before T and never reopened: out. (A reopened ticket has
        // no closing instant; its history says what it was at T.)
        .filter(
            Condition::any()
                .add(C::ClosedAt.is_null())
                .add(C::ClosedAt.gt(as_of)),
        );
    if now_mode {
        // Now: nothing has happened since, so the tickets are
        // the open and paused ones whose stored deadline is at most the
        // last one showing yellow. A stored deadline is never later than
        // the real one (a running pause only moves it on), so none is
        // missed; the computation below keeps the right ones.
        let (_, last_yellow) =
            app.config
                .lights
                .due_range(crate::sla::Light::Yellow, as_of, &app.sla());
        q = q.filter(C::Status.is_in([Status::Open, Status::Paused]));
        if let Some(at) = last_yellow {
            q = q.filter(C::DueAt.lte(at));
        }
    } else if let Some(accepted) = latest_candidate_acceptance(app, as_of) {
        // An instant: a ticket shows at T only if its deadline then was at
        // most the last yellow one; that deadline is at least its
        // acceptance day plus the smallest limit (pauses only add), so it
        // was accepted by `accepted`, or it changed after T (its
        // acceptance day may have been moved since).
        q = q.filter(
            Condition::any()
                .add(C::AcceptedOn.lte(accepted))
                .add(C::UpdatedAt.gt(as_of)),
        );
    }
    // In no particular order (the rows are sorted once computed): no sort
    // of every candidate in the database.
    let tickets = q.all(&app.db).await?;
    let input = if now_mode {
        // The deadline now counts the pauses, a running one to today.
        let ids: Vec<i64> = tickets.iter().map(|t| t.id).collect();
        let mut pauses = by_ticket(app, &ids, |ids| {
            pause::Entity::find().filter(pause::Column::TicketId.is_in(ids))
        })
        .await?;
        Input::Now(
            tickets
                .into_iter()
                .map(|t| {
                    let p = pauses.remove(&t.id).unwrap_or_default();
                    (t, p)
                })
                .collect(),
        )
    } else {
        Input::History(history(app, tickets, as_of).await?)
    };
    let names = names(app).await?;
    let mut r = compute(
        &input,
        as_of,
        scope,
        &app.policy,
        &app.sla(),
        &app.config.lights,
        &names,
    );
    r.definitions.policy_hash = super::policy_hash(app);
    Ok(r)
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
