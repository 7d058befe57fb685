//! The mails an escalation writes to the outbox, in its transaction: one to
//! the new owner (cc the previous owner and the manager), and a vacancy
//! notice to the bureau's admins once per vacancy per day.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder};

use super::decide::{Decision, Holders, due_of};
use super::entity as escalation;
use crate::app::App;
use crate::error::ServiceError;
use crate::mail::{self, EmailAddress, EscalationContext, LadderStep, Lang, OutboxMail};
use crate::org::Role;
use crate::org::entity::{person, role_assignment};
use crate::org::service::{holders, person_by_id};
use crate::tickets::entity::ticket;

fn address(p: &person::Model) -> Option<EmailAddress> {
    EmailAddress::named(&p.name, &p.email).ok()
}

fn lang_of(p: &person::Model) -> Lang {
    if p.lang == "en" { Lang::En } else { Lang::ZhCn }
}

/// The mails of one applied escalation, for the caller to enqueue in the
/// same transaction.
#[expect(
    clippy::too_many_arguments,
    reason = "the pieces of one escalation, passed as they are"
)]
pub async fn build_mails(
    app: &App,
    txn: &DatabaseTransaction,
    before: &ticket::Model,
    after: &ticket::Model,
    d: &Decision,
    event_id: i64,
    as_of: DateTime<Utc>,
    cache: &mut Holders,
) -> Result<Vec<OutboxMail>, ServiceError> {
    let mut mails = Vec::new();
    if let Some(owner) = &d.new_owner {
        let lang = lang_of(owner);
        let ctx = context(app, txn, after, d, owner, lang, as_of, cache).await?;
        let rendered = mail::render_escalation(&ctx, lang)?;
        let mut cc = Vec::new();
        for id in [before.owner_id, after.manager_id] {
            if id == owner.id {
                continue;
            }
            let p = cache.person(txn, id).await?;
            if p.active
                && let Some(a) = address(&p)
                && !cc.iter().any(|c: &EmailAddress| c.email() == a.email())
            {
                cc.push(a);
            }
        }
        if let Some(to) = address(owner) {
            let m = OutboxMail {
                idempotency_key: format!(
                    "escalation:{}:{}:{}",
                    after.id, after.escalation_round, d.to_level
                ),
                to: vec![to],
                cc,
                rendered,
                template: "escalation",
                ticket_id: Some(after.id),
                event_id: Some(event_id),
            };
            mails.push(m);
        }
    }
    for v in &d.vacancies {
        let admins = bureau_admins(txn, after.bureau_id).await?;
        let to: Vec<EmailAddress> = admins.iter().filter_map(address).collect();
        if to.is_empty() {
            tracing::warn!(vacancy = %v, "no admin to tell about a vacancy");
            continue;
        }
        let lang = admins.first().map_or(Lang::ZhCn, lang_of);
        let day = app.sla().local_date(as_of);
        let ladder = app.ladder.for_category(&after.category);
        let ctx = mail::VacancyContext {
            role_label: mail::role_label(v.role, lang).to_string(),
            unit_name: v.unit_name.clone(),
            unit_code: v.unit_code.clone(),
            level: ladder
                .levels
                .iter()
                .find(|l| l.role == v.role)
                .map_or(d.due_level, |l| l.level),
            ticket_no: after.ticket_no.clone(),
            customer_name: after.customer_name.clone(),
            escalated_to_level: d.to_level,
            escalated_to_name: d
                .new_owner
                .as_ref()
                .map_or_else(|| "—".to_string(), |p| p.name.clone()),
            date: day,
            // To the organisation page, where the role can be filled.
            link: format!(
                "{}/admin/org?unit={}",
                app.config.raw.server.base_url.trim_end_matches('/'),
                v.unit_code
            ),
        };
        let rendered = mail::render_vacancy(&ctx, lang)?;
        let m = OutboxMail {
            idempotency_key: format!("vacancy:{}:{}:{day}", v.unit_id, v.role.as_str()),
            to,
            cc: Vec::new(),
            rendered,
            template: "vacancy",
            ticket_id: Some(after.id),
            event_id: Some(event_id),
        };
        mails.push(m);
    }
    Ok(mails)
}

fn link(app: &App, id: i64) -> String {
    format!(
        "{}/tickets/{id}",
        app.config.raw.server.base_url.trim_end_matches('/')
    )
}

/// Admins of the bureau, or the installation-wide admins when it has none.
async fn bureau_admins(
    txn: &DatabaseTransaction,
    bureau_id: i64,
) -> Result<Vec<person::Model>, ServiceError> {
    let mut admins = holders(txn, Role::Admin, bureau_id).await?;
    if admins.is_empty() {
        let rows = role_assignment::Entity::find()
            .filter(role_assignment::Column::Role.eq(Role::Admin.as_str()))
            .filter(role_assignment::Column::UnitId.is_null())
            .all(txn)
            .await?;
        for r in rows {
            let p = person_by_id(txn, r.person_id).await?;
            if p.active {
                admins.push(p);
            }
        }
    }
    Ok(admins)
}

#[expect(
    clippy::too_many_arguments,
    reason = "the pieces of one escalation, passed as they are"
)]
async fn context(
    app: &App,
    txn: &DatabaseTransaction,
    t: &ticket::Model,
    d: &Decision,
    owner: &person::Model,
    lang: Lang,
    as_of: DateTime<Utc>,
    cache: &mut Holders,
) -> Result<EscalationContext, ServiceError> {
    let sla = app.sla();
    let standing = sla.standing(&due_of(t), as_of);
    let category = app.policy.category(&t.category);
    let stage = app.policy.stage(&t.stage);
    let en = lang == Lang::En;
    let mut ladder_so_far = Vec::new();
    let manager = cache.person(txn, t.manager_id).await?;
    ladder_so_far.push(LadderStep {
        level: 0,
        owner_name: manager.name.clone(),
        at: t.created_at,
    });
    // A ticket leaving level 0 has no earlier escalation in this round.
    let rows = if d.from_level == 0 {
        Vec::new()
    } else {
        escalation::Entity::find()
            .filter(escalation::Column::TicketId.eq(t.id))
            .filter(escalation::Column::Round.eq(t.escalation_round))
            .order_by_asc(escalation::Column::Level)
            .all(txn)
            .await?
    };
    for r in rows {
        let p = cache.person(txn, r.to_owner_id).await?;
        ladder_so_far.push(LadderStep {
            level: r.level as u32,
            owner_name: p.name,
            at: r.created_at,
        });
    }
    let role = app
        .ladder
        .for_category(&t.category)
        .level(d.to_level)
        .map_or(Role::Head, |l| l.role);
    let entered = sla.local_date(t.stage_entered_at);
    let (days_in_stage, _) = app
        .calendar
        .between_provisional(entered, sla.local_date(as_of));
    Ok(EscalationContext {
        ticket_no: t.ticket_no.clone(),
        customer_name: t.customer_name.clone(),
        category_name: category.map_or(t.category.clone(), |c| {
            if en {
                c.name_en.clone()
            } else {
                c.name_zh.clone()
            }
        }),
        limit_working_days: category.map_or(0, |c| c.limit_working_days.get()),
        accepted_on: t.accepted_on,
        due_date: t.due_date,
        provisional: t.provisional,
        overdue: standing.overdue,
        remaining_working_days: standing.remaining_working_days,
        overdue_working_days: standing.overdue_working_days,
        level: d.to_level,
        new_owner_name: owner.name.clone(),
        new_owner_role: mail::role_label(role, lang).to_string(),
        ladder_so_far,
        skipped_levels: d.skipped.clone(),
        vacancies: d.vacancies.iter().map(|v| v.to_string()).collect(),
        stage_name: stage.map_or(t.stage.clone(), |s| {
            if en {
                s.name_en.clone()
            } else {
                s.name_zh.clone()
            }
        }),
        days_in_stage,
        link: link(app, t.id),
        zone: app.zone(),
    })
}
