//! What the ladder asks of one ticket at an instant: which level is due,
//! who holds it (walking up past vacancies), which levels were skipped.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;

use crate::app::App;
use crate::org::entity::person;
use crate::org::service::{Vacancy, holders, person_by_id, unit_by_id};
use crate::org::{Role, ServiceError};
use crate::sla::{Due, Level};
use crate::tickets::entity::ticket;

/// The escalation to apply to a ticket.
#[derive(Debug, Clone)]
pub struct Decision {
    pub from_level: u32,
    /// The level applied: the due level, or higher when its role is vacant.
    pub to_level: u32,
    /// The level the ladder called for.
    pub due_level: u32,
    pub rule: String,
    pub new_owner: Option<person::Model>,
    /// Levels passed over because the ticket was found several levels late.
    pub skipped: Vec<u32>,
    pub vacancies: Vec<Vacancy>,
    pub next_at: Option<DateTime<Utc>>,
}

/// Role holders and people looked up once per sweep batch.
#[derive(Default)]
pub struct Holders {
    cache: HashMap<(Role, i64), Option<person::Model>>,
    people: HashMap<i64, person::Model>,
}

impl Holders {
    /// A person by id, read once per batch.
    pub async fn person<C: ConnectionTrait>(
        &mut self,
        db: &C,
        id: i64,
    ) -> Result<person::Model, ServiceError> {
        if let Some(p) = self.people.get(&id) {
            return Ok(p.clone());
        }
        let p = person_by_id(db, id).await?;
        self.people.insert(id, p.clone());
        Ok(p)
    }

    /// The holder of `role` for ticket `t`: its manager (if active) for
    /// `manager`, the center's director, or the bureau's holder otherwise.
    pub async fn of<C: ConnectionTrait>(
        &mut self,
        db: &C,
        role: Role,
        t: &ticket::Model,
    ) -> Result<(Option<person::Model>, i64), ServiceError> {
        if role == Role::Manager {
            let p = self.person(db, t.manager_id).await?;
            return Ok((p.active.then_some(p), t.service_center_id));
        }
        let unit = if role == Role::CenterDirector {
            t.service_center_id
        } else {
            t.bureau_id
        };
        if let Some(hit) = self.cache.get(&(role, unit)) {
            return Ok((hit.clone(), unit));
        }
        let found = holders(db, role, unit).await?.into_iter().next();
        self.cache.insert((role, unit), found.clone());
        Ok((found, unit))
    }
}

/// The ticket's deadline as stored.
pub fn due_of(t: &ticket::Model) -> Due {
    Due {
        due_date: t.due_date,
        due_at: t.due_at,
        provisional: t.provisional,
        paused_working_days: 0,
    }
}

fn rule_text(l: &Level) -> String {
    let offset = match l.before_due {
        crate::sla::Offset::Months(n) => format!("{n} month(s) before due"),
        crate::sla::Offset::Days(0) => "at due (overdue)".to_string(),
        crate::sla::Offset::Days(n) => format!("{n} day(s) before due"),
        crate::sla::Offset::WorkingDays(0) => "at due (overdue)".to_string(),
        crate::sla::Offset::WorkingDays(n) => format!("{n} working day(s) before due"),
    };
    format!("level {} {} {offset}", l.level, l.role.as_str())
}

/// Decides for ticket `t` at `as_of`. `None`: no level above the current
/// one is due (the caller only refreshes `next_escalation_at`).
pub async fn decide<C: ConnectionTrait>(
    app: &App,
    db: &C,
    t: &ticket::Model,
    as_of: DateTime<Utc>,
    cache: &mut Holders,
) -> Result<(Option<Decision>, Option<DateTime<Utc>>), ServiceError> {
    let ladder = app.ladder.for_category(&t.category);
    let instants = ladder.instants(&due_of(t), &app.sla());
    let current = t.escalation_level.max(0) as u32;
    let due_level = ladder.due_level(&instants, as_of);
    if due_level <= current {
        return Ok((None, ladder.next_after(&instants, current)));
    }
    let skipped: Vec<u32> = ladder
        .levels
        .iter()
        .map(|l| l.level)
        .filter(|l| *l > current && *l < due_level)
        .collect();
    let mut vacancies = Vec::new();
    for level in ladder.levels.iter().filter(|l| l.level >= due_level) {
        let (holder, unit_id) = cache.of(db, level.role, t).await?;
        match holder {
            Some(p) => {
                let d = Decision {
                    from_level: current,
                    to_level: level.level,
                    due_level,
                    rule: rule_text(ladder.level(due_level).unwrap_or(level)),
                    new_owner: Some(p),
                    skipped,
                    vacancies,
                    next_at: ladder.next_after(&instants, level.level),
                };
                return Ok((Some(d), None));
            }
            None => {
                let u = unit_by_id(db, unit_id).await?;
                vacancies.push(Vacancy {
                    role: level.role,
                    unit_id,
                    unit_code: u.code,
                    unit_name: u.name,
                });
            }
        }
    }
    // Every role from the due level up is vacant: the level is recorded,
    // the owner stays, the vacancies are reported.
    let d = Decision {
        from_level: current,
        to_level: due_level,
        due_level,
        rule: rule_text(ladder.level(due_level).unwrap_or(&ladder.levels[0])),
        new_owner: None,
        skipped,
        vacancies,
        next_at: ladder.next_after(&instants, due_level),
    };
    Ok((Some(d), None))
}
