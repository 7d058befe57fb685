//! Coordination: the request a ticket files to one or two departments,
//! their answers, and its settling.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::Ctx;
use super::rng::Rng;
use super::schedule::Step;
use super::ticket::{Link, Sim};
use crate::coordination::Answer;
use crate::coordination::entity::{request, target};
use crate::tickets::Actor;

/// Share of tickets with a coordination request.
const P_COORDINATION: f64 = 0.15;

/// The request a ticket files: category index and department indexes.
pub(super) struct Coordination {
    pub(super) category: usize,
    pub(super) departments: Vec<usize>,
}

pub(super) struct RequestPlan {
    pub(super) row: request::Model,
    pub(super) targets: Vec<target::Model>,
    pub(super) departments: Vec<usize>,
}

/// A request to one or two departments while the ticket is live; most
/// answer the same day, most agree.
pub(super) fn plan_coordination(
    ctx: &Ctx,
    from: f64,
    to: f64,
    steps: &mut Vec<(f64, Step)>,
    rng: &mut Rng,
) -> Option<Coordination> {
    let categories = ctx.app.config.raw.coordination.categories.len();
    let depts = ctx.org.departments.len();
    if !rng.chance(P_COORDINATION) || categories == 0 || depts == 0 {
        return None;
    }
    let filed = from + rng.between(0.1, 0.9) * (to - from);
    let first = rng.below(depts);
    let mut departments = vec![first];
    if depts > 1 && rng.chance(0.3) {
        departments.push((first + 1 + rng.below(depts - 1)) % depts);
    }
    steps.push((filed, Step::File));
    for k in 0..departments.len() {
        if rng.chance(0.9) {
            let answer = match rng.unit() {
                x if x < 0.8 => Answer::Agree,
                x if x < 0.92 => Answer::NeedInfo,
                _ => Answer::Disagree,
            };
            steps.push((filed + rng.between(0.02, 0.4), Step::Answer(k, answer)));
        }
    }
    Some(Coordination {
        category: rng.below(categories),
        departments,
    })
}

fn answer_text(a: Answer) -> &'static str {
    match a {
        Answer::Agree => "同意，按计划安排。",
        Answer::NeedInfo => "请补充负荷清单和用电性质说明。",
        Answer::Disagree => "近期不具备条件，建议提交周协调会。",
    }
}

impl Sim<'_> {
    /// Files the ticket's coordination request.
    pub(super) fn file(&mut self, at: DateTime<Utc>) {
        let Some(c) = &self.coordination else {
            return;
        };
        let app = self.ctx.app;
        let cat = &app.config.raw.coordination.categories[c.category];
        let t = &self.plan.ticket;
        let answer_by = crate::coordination::answer_by(app, at);
        let codes: Vec<&str> = c
            .departments
            .iter()
            .map(|&d| self.ctx.org.departments[d].code.as_str())
            .collect();
        let payload = json!({"request_id": Value::Null, "subject": cat.name_zh, "departments": codes, "answer_by": answer_by});
        let row = request::Model {
            id: 0,
            ticket_id: 0,
            author_id: self.manager.person_id.unwrap_or_default(),
            subject: cat.name_zh.clone(),
            question: format!(
                "{}（{}）：{}，请协助确认。",
                t.customer_name, t.ticket_no, cat.name_zh
            ),
            category: cat.key.clone(),
            attachments: "[]".into(),
            answer_by,
            filed_at: at,
            state: request::State::Open,
            settled_how: None,
            settled_at: None,
        };
        let targets = c
            .departments
            .iter()
            .map(|&d| target::Model {
                id: 0,
                request_id: 0,
                department_id: self.ctx.org.departments[d].id,
                answer: None,
                answer_text: None,
                answered_by: None,
                answered_at: None,
            })
            .collect();
        let departments = c.departments.clone();
        self.plan.request = Some(RequestPlan {
            row,
            targets,
            departments,
        });
        self.push(
            at,
            self.manager.clone(),
            "coordination_filed",
            payload,
            Link::Request,
        );
    }

    /// Department `k` of the request answers; every department agreeing
    /// settles it.
    pub(super) fn answer(&mut self, at: DateTime<Utc>, k: usize, a: Answer) {
        let org = &self.ctx.org;
        let Some(r) = self.plan.request.as_mut() else {
            return;
        };
        if r.row.state != request::State::Open {
            return;
        }
        let dept = &org.departments[r.departments[k]];
        let text = answer_text(a);
        let target = &mut r.targets[k];
        target.answer = Some(a.as_str().into());
        target.answer_text = Some(text.into());
        target.answered_by = Some(dept.member.id);
        target.answered_at = Some(at);
        let settled = r
            .targets
            .iter()
            .all(|t| t.answer.as_deref() == Some("agree"));
        if settled {
            r.row.state = request::State::Settled;
            r.row.settled_how = Some("answers".into());
            r.row.settled_at = Some(at);
        }
        let actor = Actor::person(dept.member.id, &dept.member.username);
        let payload = json!({"request_id": Value::Null, "department": dept.code, "answer": a.as_str(), "text": text});
        self.push(at, actor, "coordination_answered", payload, Link::Request);
        if settled {
            let payload = json!({"request_id": Value::Null, "how": "every department agreed"});
            self.push(
                at,
                Actor::system(),
                "coordination_settled",
                payload,
                Link::Request,
            );
        }
    }
}
