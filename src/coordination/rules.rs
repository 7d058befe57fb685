//! The rules of coordination, without the database: when a request must be
//! answered, when it is late, what an answer and a link may be.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::entity::{request, target};
use crate::app::App;
use crate::coordination::entity::request::State;

/// A link attached to a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Attachment {
    pub name: String,
    pub link: String,
}

/// Most links on one request.
pub const MAX_ATTACHMENTS: usize = 20;
/// Longest link.
pub const MAX_LINK: usize = 2048;

/// Links are web addresses (`http://` or `https://`, no spaces, at most
/// [`MAX_LINK`] characters) with a one-line name: a `javascript:` or
/// `data:` link would run in the reader's browser.
pub fn check_attachments(items: &[Attachment]) -> Result<(), String> {
    if items.len() > MAX_ATTACHMENTS {
        return Err(format!("at most {MAX_ATTACHMENTS} links"));
    }
    for (i, a) in items.iter().enumerate() {
        crate::validate::line(&a.name, 200).map_err(|m| format!("[{i}].name {m}"))?;
        let link = a.link.as_str();
        let lower = link.get(..8).unwrap_or(link).to_ascii_lowercase();
        let rest = if lower.starts_with("https://") {
            &link[8..]
        } else if lower.starts_with("http://") {
            &link[7..]
        } else {
            return Err(format!("[{i}].link must start with http:// or https://"));
        };
        if rest.is_empty()
            || link.chars().count() > MAX_LINK
            || link
                .chars()
                .any(|c| c.is_whitespace() || crate::validate::is_hidden(c))
        {
            return Err(format!(
                "[{i}].link must be a web address without spaces, at most {MAX_LINK} characters"
            ));
        }
    }
    Ok(())
}

/// A department's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    Agree,
    Disagree,
    NeedInfo,
}

impl Answer {
    pub fn parse(s: &str) -> Result<Answer, String> {
        match s.trim() {
            "agree" => Ok(Answer::Agree),
            "disagree" => Ok(Answer::Disagree),
            "need_info" => Ok(Answer::NeedInfo),
            other => Err(format!(
                "`{other}` is not one of agree, disagree, need_info"
            )),
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Answer::Agree => "agree",
            Answer::Disagree => "disagree",
            Answer::NeedInfo => "need_info",
        }
    }
}

/// The default answer date of a request filed at `filed_at`: the same
/// working day when filed on a working day up to the cut-off time, else the
/// next working day.
pub fn answer_by(app: &App, filed_at: DateTime<Utc>) -> NaiveDate {
    let local = filed_at.with_timezone(&app.zone());
    let day = local.date_naive();
    let cutoff = app.config.coordination.cutoff;
    let (working, _) = app.calendar.is_working_day_provisional(day);
    if working && local.time() <= cutoff {
        day
    } else {
        app.calendar.add_provisional(day, 1).date
    }
}

/// The instant a request answered by `day` becomes overdue.
pub fn overdue_at(app: &App, day: NaiveDate) -> DateTime<Utc> {
    let end = app.config.coordination.end_of_day;
    let naive = day.and_time(end);
    use chrono::TimeZone;
    app.zone()
        .from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| app.sla().end_of(day))
}

/// The one rule of lateness, for the API, the digest, the agenda and the
/// reports: a request is overdue at `at` when it is still open, some
/// department it asked has not answered (`targets`: its own, or a superset;
/// others are ignored), and its answer day has ended.
pub fn is_overdue(
    app: &App,
    r: &request::Model,
    targets: &[target::Model],
    at: DateTime<Utc>,
) -> bool {
    r.state == State::Open
        && targets
            .iter()
            .any(|t| t.request_id == r.id && t.answer.is_none())
        && at >= overdue_at(app, r.answer_by)
}

/// Working hours from `from` to `to`: the time inside `office_start` to
/// `end_of_day` of each working day between them (0 when `to` is not
/// after `from`).
pub fn working_hours(app: &App, from: DateTime<Utc>, to: DateTime<Utc>) -> f64 {
    use chrono::TimeZone;
    if to <= from {
        return 0.0;
    }
    let zone = app.zone();
    let times = app.config.coordination;
    let (first, last) = (
        from.with_timezone(&zone).date_naive(),
        to.with_timezone(&zone).date_naive(),
    );
    let at = |day: NaiveDate, t: chrono::NaiveTime| {
        zone.from_local_datetime(&day.and_time(t))
            .earliest()
            .map(|x| x.with_timezone(&Utc))
    };
    let mut seconds = 0i64;
    let mut day = first;
    while day <= last {
        if app.calendar.is_working_day_provisional(day).0
            && let (Some(open), Some(close)) =
                (at(day, times.office_start), at(day, times.end_of_day))
        {
            let (a, b) = (open.max(from), close.min(to));
            if b > a {
                seconds += (b - a).num_seconds();
            }
        }
        day = day.succ_opt().unwrap_or(day);
        if day == NaiveDate::MAX {
            break;
        }
    }
    seconds as f64 / 3600.0
}
