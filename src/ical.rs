//! Deadline feeds: a private iCalendar URL per person (`/ical/{secret}.ics`)
//! that Outlook or a phone subscribes to. It holds the due dates of the
//! tickets the person manages or owns, the deadlines of their current
//! stages, and the answer-by dates of the coordination requests waiting
//! on their department; each as an all-day event with an alarm at the
//! start of the working day `ical.alarm_working_days` working days
//! before. The secret is kept only as its digest; a new one ends the old,
//! and revoking it stops the feed at once.

use chrono::{DateTime, Days, NaiveDate, Utc};
use icalendar::{Alarm, Calendar, Component, Event, EventLike};
use sea_orm::entity::prelude::*;
use sea_orm::{ActiveValue::NotSet, Condition, QueryOrder, Set};
use serde::Deserialize;

use crate::app::App;
use crate::auth::secret;
use crate::error::ServiceError;
use crate::mail::Lang;

/// `[ical]`.
#[derive(Debug, Clone, Deserialize)]
pub struct IcalConfig {
    /// The alarm rings this many working days before a deadline.
    #[serde(default = "three")]
    pub alarm_working_days: u32,
}

fn three() -> u32 {
    3
}

impl Default for IcalConfig {
    fn default() -> Self {
        IcalConfig {
            alarm_working_days: three(),
        }
    }
}

/// The `calendar_feeds` rows.
pub mod feed {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "calendar_feeds")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub person_id: i64,
        pub secret_hash: String,
        pub created_at: DateTimeUtc,
        pub revoked_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// A new feed for `person_id` (ending any earlier one); its secret, shown
/// once.
pub async fn create(app: &App, person_id: i64) -> Result<String, ServiceError> {
    let now = app.now();
    let secret = secret::new_secret("ykc_");
    let txn = app.begin_write().await?;
    revoke_in(&txn, person_id, now).await?;
    feed::ActiveModel {
        id: NotSet,
        person_id: Set(person_id),
        secret_hash: Set(secret::digest(&secret)),
        created_at: Set(now),
        revoked_at: Set(None),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(secret)
}

async fn revoke_in<C: ConnectionTrait>(
    db: &C,
    person_id: i64,
    now: DateTime<Utc>,
) -> Result<u64, ServiceError> {
    let done = feed::Entity::update_many()
        .col_expr(feed::Column::RevokedAt, Expr::value(now))
        .filter(feed::Column::PersonId.eq(person_id))
        .filter(feed::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(done.rows_affected)
}

/// Ends `person_id`'s feed; whether there was one.
pub async fn revoke(app: &App, person_id: i64) -> Result<bool, ServiceError> {
    Ok(revoke_in(&app.writer, person_id, app.now()).await? > 0)
}

/// Since when `person_id` has a live feed, if they have one.
pub async fn live_since(app: &App, person_id: i64) -> Result<Option<DateTime<Utc>>, ServiceError> {
    Ok(feed::Entity::find()
        .filter(feed::Column::PersonId.eq(person_id))
        .filter(feed::Column::RevokedAt.is_null())
        .order_by_desc(feed::Column::Id)
        .one(&app.db)
        .await?
        .map(|f| f.created_at))
}

/// The start of the working day `n` working days before `d` (or of `d`'s
/// own day when `n` is 0), as the alarm's instant.
fn alarm_at(app: &App, d: NaiveDate, n: u32) -> DateTime<Utc> {
    let mut day = d;
    let mut left = n;
    while left > 0 {
        let Some(prev) = day.checked_sub_days(Days::new(1)) else {
            break;
        };
        day = prev;
        if app.calendar.is_working_day_provisional(day).0 {
            left -= 1;
        }
    }
    let start = app.config.coordination.office_start;
    let local = day.and_time(start);
    local
        .and_local_timezone(app.zone())
        .earliest()
        .map_or_else(|| app.sla().start_of(day), |t| t.with_timezone(&Utc))
}

/// One deadline of the feed.
struct Deadline {
    uid: String,
    day: NaiveDate,
    summary: String,
    link: String,
}

/// The feed of the person whose secret is `secret`, or `None` when no live
/// feed has it.
pub async fn feed_of(app: &App, secret_text: &str) -> Result<Option<String>, ServiceError> {
    use crate::tickets::entity::ticket::{self, Status};
    let Some(f) = feed::Entity::find()
        .filter(feed::Column::SecretHash.eq(secret::digest(secret_text)))
        .filter(feed::Column::RevokedAt.is_null())
        .one(&app.db)
        .await?
    else {
        return Ok(None);
    };
    let person = crate::org::service::person_by_id(&app.db, f.person_id).await?;
    if !person.active {
        return Ok(None);
    }
    let lang = Lang::from_pref(&person.lang);
    let zh = lang == Lang::ZhCn;
    let base = app
        .config
        .raw
        .server
        .base_url
        .trim_end_matches('/')
        .to_string();
    let host = base
        .split("://")
        .nth(1)
        .unwrap_or("yekuo")
        .split('/')
        .next()
        .unwrap_or("yekuo")
        .to_string();
    let mut deadlines = Vec::new();
    let held = ticket::Entity::find()
        .filter(ticket::Column::Status.is_in([Status::Open, Status::Paused]))
        .filter(
            Condition::any()
                .add(ticket::Column::OwnerId.eq(person.id))
                .add(ticket::Column::ManagerId.eq(person.id)),
        )
        .order_by_asc(ticket::Column::DueAt)
        .all(&app.db)
        .await?;
    for t in held {
        let link = format!("{base}/tickets/{}", t.id);
        deadlines.push(Deadline {
            uid: format!("ticket-{}-due@{host}", t.id),
            day: t.due_date,
            summary: if zh {
                format!("{} {} 办结时限", t.ticket_no, t.customer_name)
            } else {
                format!("{} {}: due", t.ticket_no, t.customer_name)
            },
            link: link.clone(),
        });
        if let Some(stage_due) = t.stage_due_date {
            let stage = app.policy.stage(&t.stage).map_or(t.stage.clone(), |s| {
                if zh {
                    s.name_zh.clone()
                } else {
                    s.name_en.clone()
                }
            });
            deadlines.push(Deadline {
                uid: format!("ticket-{}-stage-{}@{host}", t.id, t.stage),
                day: stage_due,
                summary: if zh {
                    format!("{} 环节「{stage}」时限", t.ticket_no)
                } else {
                    format!("{}: stage “{stage}” due", t.ticket_no)
                },
                link,
            });
        }
    }
    let departments: Vec<i64> = crate::org::service::grants_of(&app.db, person.id)
        .await?
        .into_iter()
        .filter(|g| g.role == crate::org::Role::Department)
        .filter_map(|g| g.unit_id)
        .collect();
    for d in departments {
        for r in crate::coordination::views::open_for_department(app, d).await? {
            deadlines.push(Deadline {
                uid: format!("request-{}-{d}@{host}", r.id),
                day: r.answer_by,
                summary: if zh {
                    format!("协调答复：{}", r.subject)
                } else {
                    format!("Answer: {}", r.subject)
                },
                link: format!("{base}/coordination/{}", r.id),
            });
        }
    }
    let n = app.config.raw.ical.alarm_working_days;
    let mut cal = Calendar::new();
    cal.name(if zh {
        "业扩工单时限"
    } else {
        "yekuo deadlines"
    });
    for d in deadlines {
        let mut e = Event::new();
        e.uid(&d.uid)
            .all_day(d.day)
            .summary(&d.summary)
            .description(&d.link)
            .url(&d.link)
            .timestamp(app.now())
            .alarm(Alarm::display(&d.summary, alarm_at(app, d.day, n)));
        cal.push(e.done());
    }
    Ok(Some(cal.done().to_string()))
}
