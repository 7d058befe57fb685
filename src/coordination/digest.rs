//! The morning digest: on every working day, each department with open
//! requests waiting on it gets ONE mail listing them (outbox key department
//! + date, so restarts and several instances send it once).

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use utoipa::ToSchema;

use super::ServiceError;
use super::entity::{request, target};
use crate::app::App;
use crate::mail::{self, DigestAnswer, DigestContext, DigestItem, EmailAddress, Lang, OutboxMail};
use crate::org::entity::unit;
use crate::org::service::{holders, person_by_id};
use crate::org::{Role, UnitKind};
use crate::tickets::entity::ticket;

/// One department's digest.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DepartmentDigest {
    pub department: String,
    pub requests: usize,
    pub recipients: usize,
    /// False when it had been written before (or in a dry run).
    pub written: bool,
    pub subject: String,
}

/// What a digest run did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DigestReport {
    pub date: NaiveDate,
    pub working_day: bool,
    pub dry_run: bool,
    pub departments: Vec<DepartmentDigest>,
}

/// The instant the digest of `date` goes out (its requests are those filed before).
pub fn digest_at(app: &App, date: NaiveDate) -> DateTime<Utc> {
    use chrono::TimeZone;
    let t = app.config.coordination.digest_time;
    app.zone()
        .from_local_datetime(&date.and_time(t))
        .earliest()
        .map(|x| x.with_timezone(&Utc))
        .unwrap_or_else(|| app.sla().start_of(date))
}

/// Builds (and unless `dry_run`, enqueues) the digests of `date`.
pub async fn digest(
    app: &App,
    date: NaiveDate,
    dry_run: bool,
) -> Result<DigestReport, ServiceError> {
    let mut report = DigestReport {
        date,
        working_day: app.calendar.is_working_day_provisional(date).0,
        dry_run,
        departments: Vec::new(),
    };
    if !report.working_day {
        return Ok(report);
    }
    let at = digest_at(app, date);
    let waiting = target::Entity::find()
        .filter(target::Column::Answer.is_null())
        .all(&app.db)
        .await?;
    let ids: Vec<i64> = waiting.iter().map(|t| t.request_id).collect();
    let requests: HashMap<i64, request::Model> = request::Entity::find()
        .filter(request::Column::Id.is_in(ids.clone()))
        .filter(request::Column::State.eq(request::State::Open))
        .filter(request::Column::FiledAt.lte(at))
        .order_by_asc(request::Column::FiledAt)
        .all(&app.db)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    let all_targets = target::Entity::find()
        .filter(target::Column::RequestId.is_in(requests.keys().copied().collect::<Vec<_>>()))
        .all(&app.db)
        .await?;
    let departments = unit::Entity::find()
        .filter(unit::Column::Kind.eq(UnitKind::Department.as_str()))
        .order_by_asc(unit::Column::Code)
        .all(&app.db)
        .await?;
    let names: HashMap<i64, String> = departments.iter().map(|u| (u.id, u.name.clone())).collect();
    for dept in &departments {
        let mut mine: Vec<&request::Model> = waiting
            .iter()
            .filter(|t| t.department_id == dept.id)
            .filter_map(|t| requests.get(&t.request_id))
            .collect();
        if mine.is_empty() {
            continue;
        }
        mine.sort_by_key(|r| (r.filed_at, r.id));
        let people = holders(&app.db, Role::Department, dept.id).await?;
        let to: Vec<EmailAddress> = people
            .iter()
            .filter_map(|p| EmailAddress::named(&p.name, &p.email).ok())
            .collect();
        if to.is_empty() {
            tracing::warn!(department = %dept.code, "open coordination requests but nobody to tell");
            continue;
        }
        let lang = if people.iter().all(|p| p.lang == "en") {
            Lang::En
        } else {
            Lang::ZhCn
        };
        let mut items = Vec::with_capacity(mine.len());
        for r in &mine {
            items.push(item(app, r, dept.id, &all_targets, &names, lang, at).await?);
        }
        let base = app.config.raw.server.base_url.trim_end_matches('/');
        let ctx = DigestContext {
            department_name: dept.name.clone(),
            date,
            items,
            link: format!("{base}/coordination?department={}", dept.code),
        };
        let rendered = mail::render_digest(&ctx, lang)?;
        let subject = rendered.subject.clone();
        let written = if dry_run {
            false
        } else {
            let m = OutboxMail {
                idempotency_key: format!("digest:{}:{date}", dept.id),
                to: to.clone(),
                cc: Vec::new(),
                rendered,
                template: "digest",
                ticket_id: None,
                event_id: None,
            };
            mail::enqueue(&app.writer, &app.config.raw.mail, m, app.now()).await?
        };
        report.departments.push(DepartmentDigest {
            department: dept.code.clone(),
            requests: mine.len(),
            recipients: to.len(),
            written,
            subject,
        });
    }
    Ok(report)
}

async fn item(
    app: &App,
    r: &request::Model,
    dept_id: i64,
    targets: &[target::Model],
    names: &HashMap<i64, String>,
    lang: Lang,
    at: DateTime<Utc>,
) -> Result<DigestItem, ServiceError> {
    let t = ticket::Entity::find_by_id(r.ticket_id)
        .one(&app.db)
        .await?
        .ok_or_else(|| ServiceError::NotFound(format!("ticket {}", r.ticket_id)))?;
    let author = person_by_id(&app.db, r.author_id).await?;
    let category = app
        .config
        .raw
        .coordination
        .categories
        .iter()
        .find(|c| c.key == r.category);
    let category_label = category.map_or(r.category.clone(), |c| {
        if lang == Lang::En {
            c.name_en.clone()
        } else {
            c.name_zh.clone()
        }
    });
    let filed = app.sla().local_date(r.filed_at);
    let (age, _) = app
        .calendar
        .between_provisional(filed, app.sla().local_date(at));
    let other_answers = targets
        .iter()
        .filter(|x| x.request_id == r.id && x.department_id != dept_id)
        .filter_map(|x| {
            let a = x.answer.as_deref()?;
            Some(DigestAnswer {
                department_name: names.get(&x.department_id).cloned().unwrap_or_default(),
                answer_label: mail::answer_label(a, lang).to_string(),
                text: x.answer_text.clone().unwrap_or_default(),
            })
        })
        .collect();
    let base = app.config.raw.server.base_url.trim_end_matches('/');
    Ok(DigestItem {
        request_id: r.id,
        ticket_no: t.ticket_no,
        customer_name: t.customer_name,
        subject: r.subject.clone(),
        question: r.question.clone(),
        category_label,
        asked_by: author.name,
        age_working_days: age.max(0),
        answer_by: r.answer_by,
        overdue: super::rules::is_overdue(app, r, targets, at),
        other_answers,
        answer_link: format!("{base}/coordination/{}", r.id),
    })
}

/// The scheduled run: on a working day from the digest time on, the day's
/// digests (idempotent: each department once per day; a late start sends
/// them when it comes back, that same day only).
pub async fn run_due(app: &App) -> Result<Option<DigestReport>, ServiceError> {
    let now = app.now();
    let today = app.sla().local_date(now);
    if now < digest_at(app, today) || !app.calendar.is_working_day_provisional(today).0 {
        return Ok(None);
    }
    digest(app, today, false).await.map(Some)
}
