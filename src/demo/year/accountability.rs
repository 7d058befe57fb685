//! Accountability as the bureau's auditor records it: on about a third of
//! the tickets that closed late or were overdue at `as_of`, an action
//! (mostly 约谈, some 通报, few 问责) some working days after the deadline
//! passed, naming the owners at the breaches by then — who held the ticket
//! just before its deadline or a stage limit passed, as
//! `reports::accountability::commands::breach_owners` finds them — and
//! most completed some working days later with a note. Each step is a row
//! of the register and an event of the ticket (`accountability_recorded`,
//! `accountability_completed`), in time order with the others.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::Ctx;
use super::days::instant;
use super::rng::Rng;
use super::ticket::{Draft, Link, Plan};
use crate::reports::accountability::{Kind, entity};
use crate::sla::Due;
use crate::tickets::Actor;
use crate::tickets::entity::ticket::{self, Status};

/// Share of the late tickets the auditor takes up.
const P_ENTRY: f64 = 1.0 / 3.0;
/// Share of entries completed (when the completion falls before `as_of`).
const P_COMPLETED: f64 = 0.7;
/// The auditors' stream of each ticket (apart from the ticket's own).
const STREAM: u64 = 0x0A0D_17ED;

/// Records an entry on `plan`'s ticket if it ran late and the auditor
/// takes it up, and its completion if that came before `as_of`.
pub(super) fn audit(ctx: &Ctx, i: u64, plan: &mut Plan) {
    let Some(auditor) = &ctx.org.auditor else {
        return;
    };
    let mut rng = Rng::new(ctx.spec.seed ^ STREAM, i);
    if plan.ticket.status == Status::Cancelled || !rng.chance(P_ENTRY) {
        return;
    }
    let Some((deadline, instants)) = breaches(ctx, plan) else {
        return;
    };
    let (app, as_of) = (ctx.app, ctx.spec.as_of);
    let sla = app.sla();
    let after = 1 + rng.below(8) as u32;
    let recorded_at = instant(
        app,
        deadline.due_date,
        f64::from(after) + rng.between(0.05, 0.9),
    );
    if recorded_at > as_of {
        return;
    }
    let persons = owners(plan, instants.iter().filter(|at| **at <= recorded_at));
    let kind = match rng.unit() {
        x if x < 0.62 => Kind::Interview,
        x if x < 0.9 => Kind::Circular,
        _ => Kind::Accountability,
    };
    let date = sla.local_date(recorded_at);
    let t = &plan.ticket;
    // Late by the action's day, or by the closing when it came before.
    let late_until = t
        .closed_at
        .filter(|c| !t.status.is_live() && *c < recorded_at)
        .map_or(date, |c| sla.local_date(c));
    let days = app
        .calendar
        .between_provisional(deadline.due_date, late_until)
        .0
        .max(1);
    let text = entry_text(kind, t, days);
    let completed_at = rng
        .chance(P_COMPLETED)
        .then(|| {
            let after = 2 + rng.below(9) as u32;
            instant(app, date, f64::from(after) + rng.between(0.05, 0.9))
        })
        .filter(|at| *at <= as_of);
    let note = completed_at.map(|_| completion_note(kind).to_string());
    let actor = Actor::person(auditor.id, &auditor.username);
    let payload = json!({"entry_id": Value::Null, "kind": kind.as_str(), "persons": persons, "date": date, "text": text});
    insert(
        plan,
        recorded_at,
        &actor,
        "accountability_recorded",
        payload,
    );
    if let (Some(at), Some(note)) = (completed_at, &note) {
        let payload = json!({"entry_id": Value::Null, "note": note});
        insert(plan, at, &actor, "accountability_completed", payload);
    }
    let t = &plan.ticket;
    plan.entry = Some(entity::Model {
        id: 0,
        ticket_id: 0,
        bureau_id: t.bureau_id,
        service_center_id: t.service_center_id,
        kind: kind.as_str().into(),
        persons: json!(persons).to_string(),
        on_date: date,
        text,
        recorded_by: auditor.id,
        recorded_at,
        completed_by: completed_at.map(|_| auditor.id),
        completed_at,
        completion_note: note,
    });
}

/// The ticket's deadline if it passed it (closed late, or overdue at
/// `as_of`), and every instant it passed its deadline or a stage limit,
/// in order — as the register finds them at `as_of`, from the rows the
/// year writes.
fn breaches(ctx: &Ctx, plan: &Plan) -> Option<(Due, Vec<DateTime<Utc>>)> {
    let t = &plan.ticket;
    let end = t
        .closed_at
        .filter(|_| !t.status.is_live())
        .unwrap_or(ctx.spec.as_of);
    let (due, instants) = crate::reports::accountability::commands::breaches(
        ctx.app,
        t,
        plan.history.pauses.iter().map(|p| &p.row),
        plan.history.visits.iter().map(|v| &v.row),
        ctx.spec.as_of,
    );
    (due.due_at <= end).then_some((due, instants))
}

/// Who owned the ticket just before each of `instants` (an escalation at
/// that instant hands it on), each once, in order.
fn owners<'a>(plan: &Plan, instants: impl Iterator<Item = &'a DateTime<Utc>>) -> Vec<i64> {
    let t = &plan.ticket;
    let mut out = Vec::new();
    for at in instants {
        let at = (*at - chrono::Duration::seconds(1)).max(t.created_at);
        let owner = plan
            .escalations
            .iter()
            .rfind(|e| e.created_at <= at)
            .map_or(t.manager_id, |e| e.to_owner_id);
        if !out.contains(&owner) {
            out.push(owner);
        }
    }
    out
}

/// Adds an event at `at`, after those already at or before it.
fn insert(plan: &mut Plan, at: DateTime<Utc>, actor: &Actor, kind: &'static str, payload: Value) {
    let k = plan.drafts.partition_point(|d| d.at <= at);
    let draft = Draft {
        at,
        actor: actor.clone(),
        kind,
        payload,
        link: Link::Entry,
    };
    plan.drafts.insert(k, draft);
}

fn entry_text(kind: Kind, t: &ticket::Model, days: i64) -> String {
    let which = format!("{}（{}）", t.customer_name, t.ticket_no);
    match kind {
        Kind::Interview => format!(
            "{which}超过办结时限{days}个工作日，约谈相关责任人，要求说明超期原因并提出整改措施。"
        ),
        Kind::Circular => {
            format!("{which}超过办结时限{days}个工作日，影响客户按期用电，在全局范围内予以通报。")
        }
        Kind::Accountability => {
            format!("{which}超过办结时限{days}个工作日，经核查存在推诿拖延，依规对相关责任人问责。")
        }
    }
}

fn completion_note(kind: Kind) -> &'static str {
    match kind {
        Kind::Interview => "已完成约谈，责任人已提交书面说明和整改措施。",
        Kind::Circular => "通报已印发各供电服务中心，并在月度例会上通报。",
        Kind::Accountability => "问责决定已送达责任人，纳入当月绩效考核。",
    }
}
