//! The life of one ticket: created as the service creates it, then played
//! forward to `as_of` with the service's transitions
//! ([`actions::apply`]), the sweep's escalations between the steps.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::coordination::{Coordination, RequestPlan};
use super::days::instant;
use super::profile::{Profile, categorize, customer, profile};
use super::rng::Rng;
use super::schedule::{Step, schedule};
use super::{Ctx, ticket_no};
use crate::escalation::entity as escalation;
use crate::reports::accountability::entity as accountability;
use crate::tickets::Actor;
use crate::tickets::actions::{self, Action, History, Tracked};
use crate::tickets::entity::ticket::Status;
use crate::tickets::entity::{stage_visit, ticket};

/// An event to append (ticket id, sequence and hashes come when written).
pub(super) struct Draft {
    pub(super) at: DateTime<Utc>,
    pub(super) actor: Actor,
    pub(super) kind: &'static str,
    pub(super) payload: Value,
    /// The row whose id the payload names once written.
    pub(super) link: Link,
}

/// Which of the ticket's rows an event's payload names: its id is known
/// only when the row is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Link {
    None,
    /// `payload.request_id`: the ticket's coordination request.
    Request,
    /// `payload.entry_id`: the ticket's accountability entry.
    Entry,
}

/// Everything written for one ticket (ids filled in when written).
pub(super) struct Plan {
    pub(super) ticket: ticket::Model,
    pub(super) history: History,
    pub(super) drafts: Vec<Draft>,
    pub(super) escalations: Vec<escalation::Model>,
    pub(super) request: Option<RequestPlan>,
    /// An accountability entry on the ticket.
    pub(super) entry: Option<accountability::Model>,
}

/// Ticket `i` of the year from its own stream: who it is, what happens to
/// it up to `as_of`, and what the auditor records on it.
pub(super) fn simulate(ctx: &Ctx, i: u64) -> anyhow::Result<Plan> {
    let mut rng = Rng::new(ctx.spec.seed, i);
    let p = profile(ctx, i, &mut rng);
    let (category, limit) = categorize(&ctx.app.policy, &p);
    let s = schedule(ctx, &p, limit, &mut rng);
    let mut sim = Sim::create(ctx, i, &p, category, s.coordination);
    sim.run(s.steps)?;
    let mut plan = sim.plan;
    super::accountability::audit(ctx, i, &mut plan);
    Ok(plan)
}

/// A ticket being played forward: its plan so far and the last instant.
pub(super) struct Sim<'c> {
    pub(super) ctx: &'c Ctx<'c>,
    pub(super) plan: Plan,
    pub(super) manager: Actor,
    pub(super) coordination: Option<Coordination>,
    pub(super) last_at: DateTime<Utc>,
}

impl<'c> Sim<'c> {
    /// The ticket as the service creates it, with its `created` event.
    fn create(
        ctx: &'c Ctx<'c>,
        i: u64,
        p: &Profile,
        category: String,
        coordination: Option<Coordination>,
    ) -> Sim<'c> {
        let app = ctx.app;
        let at = instant(app, p.accepted_on, p.p0).min(ctx.spec.as_of);
        let center = &ctx.org.centers[p.center];
        let manager = &center.managers[p.manager];
        let mut t = new_ticket(ctx, i, p, category, at);
        let mut history = History::default();
        history.visits.push(Tracked::new(stage_visit::Model {
            id: 0,
            ticket_id: 0,
            stage: t.stage.clone(),
            entered_at: at,
            left_at: None,
        }));
        actions::recompute(app, &mut t, &history, at);
        let limit = app
            .policy
            .category(&t.category)
            .map(|c| c.limit_working_days.get());
        let payload = json!({
            "ticket_no": t.ticket_no, "category": t.category, "limit_working_days": limit,
            "accepted_on": t.accepted_on, "due_date": t.due_date, "provisional": t.provisional,
            "stage": t.stage, "service_center": center.code, "manager": manager.username,
            "calendar_version": t.calendar_version,
        });
        let actor = Actor::person(manager.id, &manager.username);
        let mut sim = Sim {
            ctx,
            plan: Plan {
                ticket: t,
                history,
                drafts: Vec::new(),
                escalations: Vec::new(),
                request: None,
                entry: None,
            },
            manager: actor.clone(),
            coordination,
            last_at: at,
        };
        sim.push(at, actor, "created", payload, Link::None);
        sim
    }

    pub(super) fn push(
        &mut self,
        at: DateTime<Utc>,
        actor: Actor,
        kind: &'static str,
        payload: Value,
        link: Link,
    ) {
        self.plan.drafts.push(Draft {
            at,
            actor,
            kind,
            payload,
            link,
        });
    }

    /// Plays the steps up to `as_of`, with the sweep's escalations between them.
    fn run(&mut self, steps: Vec<(f64, Step)>) -> anyhow::Result<()> {
        let as_of = self.ctx.spec.as_of;
        for (pos, step) in steps {
            let at = instant(self.ctx.app, self.plan.ticket.accepted_on, pos).max(self.last_at);
            if at > as_of {
                break;
            }
            self.escalate_until(at, false);
            self.step(at, step)?;
            self.last_at = at;
        }
        self.escalate_until(as_of, true);
        Ok(())
    }

    fn step(&mut self, at: DateTime<Utc>, step: Step) -> anyhow::Result<()> {
        match step {
            Step::Act(action) => return self.act(at, action),
            Step::File => self.file(at),
            Step::Answer(k, a) => self.answer(at, k, a),
        }
        Ok(())
    }

    fn act(&mut self, at: DateTime<Utc>, action: Action) -> anyhow::Result<()> {
        let t = &mut self.plan.ticket;
        let draft = actions::apply(self.ctx.app, t, &mut self.plan.history, action, at)
            .map_err(|e| anyhow::anyhow!("demo ticket {}: {e}", t.ticket_no))?;
        if let Some((kind, payload)) = draft {
            self.push(at, self.manager.clone(), kind, payload, Link::None);
        }
        Ok(())
    }
}

/// The ticket row before its first recompute.
fn new_ticket(
    ctx: &Ctx,
    i: u64,
    p: &Profile,
    category: String,
    at: DateTime<Utc>,
) -> ticket::Model {
    let center = &ctx.org.centers[p.center];
    let manager = center.managers[p.manager].id;
    let (customer_name, address) = customer(ctx.spec.seed, p.customer);
    ticket::Model {
        id: 0,
        ticket_no: ticket_no(ctx.spec.seed, i),
        customer_name,
        customer_account_no: format!("{:010}", 8_000_000_000 + p.customer),
        address,
        voltage_level: p.voltage.as_str().into(),
        power_sources: p.sources.as_str().into(),
        new_line: p.new_line,
        category,
        capacity_kva: p.capacity,
        service_center_id: center.id,
        bureau_id: ctx.org.bureau_id,
        manager_id: manager,
        accepted_on: p.accepted_on,
        stage: ctx.app.policy.first_stage().key.to_string(),
        stage_entered_at: at,
        stage_due_date: None,
        stage_due_at: None,
        status: Status::Open,
        owner_id: manager,
        escalation_level: 0,
        next_escalation_at: None,
        escalation_round: 0,
        due_date: p.accepted_on,
        due_at: at,
        provisional: false,
        calendar_version: String::new(),
        closed_at: None,
        created_at: at,
        updated_at: at,
    }
}
