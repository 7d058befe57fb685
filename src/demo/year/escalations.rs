//! Escalations as the sweep applies them: at the ladder's instants, to
//! the holder of the level's role (walking up past vacant ones).

use chrono::{DateTime, Duration, Utc};
use serde_json::json;

use super::org::{Someone, YearOrg};
use super::ticket::{Link, Sim};
use crate::escalation::entity as escalation;
use crate::sla::{Due, Ladder, Level, Offset};
use crate::tickets::Actor;
use crate::tickets::entity::ticket::{self, Status};

impl YearOrg {
    /// The level applied when `due_level` is due (walking up past vacant
    /// roles), its new owner and the vacancies passed, as the sweep decides.
    pub(super) fn escalation(
        &self,
        ladder: &Ladder,
        due_level: u32,
        t: &ticket::Model,
    ) -> (u32, Option<Someone>, Vec<String>) {
        let mut vacancies = Vec::new();
        for level in ladder.levels.iter().filter(|l| l.level >= due_level) {
            match self.holder(level.role, t) {
                (Some(p), _) => return (level.level, Some(p), vacancies),
                (None, unit) => vacancies.push(self.vacancy(level.role, unit)),
            }
        }
        (due_level, None, vacancies)
    }
}

impl Sim<'_> {
    /// The sweep runs every minute: an open ticket escalates at its next
    /// ladder instant, or the minute after the action that made it due.
    /// Up to `limit` (excluded unless `inclusive`).
    pub(super) fn escalate_until(&mut self, limit: DateTime<Utc>, inclusive: bool) {
        loop {
            let t = &self.plan.ticket;
            if t.status != Status::Open {
                return;
            }
            let Some(next) = t.next_escalation_at else {
                return;
            };
            let at = next.max(self.last_at + Duration::minutes(1));
            if at > limit || (at == limit && !inclusive) || !self.escalate(at) {
                return;
            }
            self.last_at = at;
        }
    }

    /// One escalation as the sweep applies it at `at`; `false` when no
    /// level above the current one is due.
    fn escalate(&mut self, at: DateTime<Utc>) -> bool {
        let app = self.ctx.app;
        let t = &self.plan.ticket;
        let ladder = app.ladder.for_category(&t.category);
        let instants = ladder.instants(&stored_due(t), &app.sla());
        let current = t.escalation_level.max(0) as u32;
        let due_level = ladder.due_level(&instants, at);
        if due_level <= current {
            return false;
        }
        let (to_level, owner, vacancies) = self.ctx.org.escalation(ladder, due_level, t);
        let skipped: Vec<u32> = ladder
            .levels
            .iter()
            .map(|l| l.level)
            .filter(|l| *l > current && *l < due_level)
            .collect();
        let rule = rule_text(ladder.level(due_level).unwrap_or(&ladder.levels[0]));
        let to_owner = owner.as_ref().map_or(t.owner_id, |p| p.id);
        let payload = json!({
            "from_level": current, "to_level": to_level, "due_level": due_level, "rule": rule,
            "from_owner_id": t.owner_id, "to_owner_id": to_owner,
            "to_owner": owner.map(|p| p.username),
            "due_at": t.due_at, "as_of": at, "skipped_levels": skipped,
            "vacancies": vacancies,
        });
        self.plan.escalations.push(escalation::Model {
            id: 0,
            ticket_id: 0,
            round: t.escalation_round,
            level: to_level as i32,
            from_owner_id: t.owner_id,
            to_owner_id: to_owner,
            rule,
            due_at: t.due_at,
            as_of: at,
            created_at: at,
        });
        let next = ladder.next_after(&instants, to_level);
        let t = &mut self.plan.ticket;
        t.owner_id = to_owner;
        t.escalation_level = to_level as i32;
        t.next_escalation_at = next;
        t.updated_at = at;
        self.push(at, Actor::system(), "escalated", payload, Link::None);
        true
    }
}

/// The rule an escalation cites (the sweep's wording).
fn rule_text(l: &Level) -> String {
    let offset = match l.before_due {
        Offset::Months(n) => format!("{n} month(s) before due"),
        Offset::Days(0) | Offset::WorkingDays(0) => "at due (overdue)".to_string(),
        Offset::Days(n) => format!("{n} day(s) before due"),
        Offset::WorkingDays(n) => format!("{n} working day(s) before due"),
    };
    format!("level {} {} {offset}", l.level, l.role.as_str())
}

/// The deadline as stored on the ticket (what the sweep reads).
fn stored_due(t: &ticket::Model) -> Due {
    Due {
        due_date: t.due_date,
        due_at: t.due_at,
        provisional: t.provisional,
        paused_working_days: 0,
    }
}
