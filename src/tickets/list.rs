//! Listing tickets: filters from query parameters, sorted by due date,
//! keyset pagination so a page costs the same on a million tickets.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;
use utoipa::ToSchema;

use crate::app::App;
use crate::validate::FieldError;

use super::TicketError;
use super::entity::ticket;
use super::view::TicketView;

pub const STATUSES: [&str; 4] = ["open", "paused", "closed", "cancelled"];

/// Parsed list parameters.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub status: Option<String>,
    pub stage: Option<String>,
    pub category: Option<String>,
    /// Service center code.
    pub service_center: Option<String>,
    /// Owner username.
    pub owner: Option<String>,
    /// Manager username.
    pub manager: Option<String>,
    pub ticket_no: Option<String>,
    pub due_before: Option<NaiveDate>,
    pub due_after: Option<NaiveDate>,
    pub overdue_as_of: Option<DateTime<Utc>>,
    pub descending: bool,
    pub limit: u64,
    pub cursor: Option<(DateTime<Utc>, i64)>,
    /// The tickets the caller may read (set from permissions; `None`: all).
    pub scope: Option<Condition>,
}

/// One page of tickets; pass `next_cursor` back as `cursor` for the next.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page {
    pub items: Vec<TicketView>,
    pub next_cursor: Option<String>,
}

fn encode_cursor(due_at: DateTime<Utc>, id: i64) -> String {
    format!("{}_{id}", due_at.timestamp())
}

fn decode_cursor(s: &str) -> Option<(DateTime<Utc>, i64)> {
    let (a, b) = s.split_once('_')?;
    Some((
        DateTime::from_timestamp(a.parse().ok()?, 0)?,
        b.parse().ok()?,
    ))
}

impl ListFilter {
    /// Parses query parameters; dates are local dates of `app`'s zone.
    pub fn parse(q: &HashMap<String, String>, app: &App) -> Result<ListFilter, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut err = |f: &str, m: String| {
            errors.push(FieldError {
                field: f.into(),
                message: m,
            })
        };
        let mut f = ListFilter {
            limit: 50,
            ..Default::default()
        };
        for (k, v) in q {
            let v = v.trim();
            let date = |v: &str| NaiveDate::parse_from_str(v, "%Y-%m-%d").ok();
            match k.as_str() {
                "status" if STATUSES.contains(&v) => f.status = Some(v.into()),
                "status" => err(k, format!("`{v}` is not one of {}", STATUSES.join(", "))),
                "stage" if app.policy.stage(v).is_some() => f.stage = Some(v.into()),
                "stage" => err(k, format!("`{v}` is not a configured stage")),
                "category" if app.policy.category(v).is_some() => f.category = Some(v.into()),
                "category" => err(k, format!("`{v}` is not a configured category")),
                "service_center" => f.service_center = Some(v.into()),
                "owner" => f.owner = Some(v.into()),
                "manager" => f.manager = Some(v.into()),
                "ticket_no" => f.ticket_no = Some(v.into()),
                "due_before" | "due_after" => match date(v) {
                    Some(d) if k == "due_before" => f.due_before = Some(d),
                    Some(d) => f.due_after = Some(d),
                    None => err(k, format!("`{v}` is not a date like 2026-03-01")),
                },
                "overdue_as_of" => {
                    // A date means the start of that local day: tickets whose
                    // due date is before it.
                    let at = DateTime::parse_from_rfc3339(v)
                        .map(|d| d.with_timezone(&Utc))
                        .ok()
                        .or_else(|| date(v).map(|d| app.sla().start_of(d)));
                    match at {
                        Some(at) => f.overdue_as_of = Some(at),
                        None => err(k, format!("`{v}` is not a date or an RFC 3339 instant")),
                    }
                }
                "sort" => match v {
                    "due" => f.descending = false,
                    "-due" => f.descending = true,
                    _ => err(k, format!("`{v}` is not one of due, -due")),
                },
                "limit" => match v.parse::<u64>() {
                    Ok(n) if (1..=500).contains(&n) => f.limit = n,
                    _ => err(k, "must be an integer from 1 to 500".into()),
                },
                "cursor" => match decode_cursor(v) {
                    Some(c) => f.cursor = Some(c),
                    None => err(k, "is not a cursor returned by this list".into()),
                },
                _ => err(k, "is not a known parameter".into()),
            }
        }
        if errors.is_empty() {
            Ok(f)
        } else {
            Err(errors)
        }
    }
}

/// A page of tickets matching `f`, with SLA state as of `now`.
pub async fn list(app: &App, f: &ListFilter) -> Result<Page, TicketError> {
    use ticket::Column as C;
    let mut q = ticket::Entity::find();
    let eq = |c: C, v: &Option<String>| v.as_ref().map(|v| c.eq(v.clone()));
    for cond in [
        eq(C::Status, &f.status),
        eq(C::Stage, &f.stage),
        eq(C::Category, &f.category),
        eq(C::TicketNo, &f.ticket_no),
    ]
    .into_iter()
    .flatten()
    {
        q = q.filter(cond);
    }
    if let Some(scope) = &f.scope {
        q = q.filter(scope.clone());
    }
    if let Some(code) = &f.service_center {
        let unit = crate::org::service::unit_by_code(&app.db, code)
            .await
            .ok()
            .flatten();
        let unit = unit
            .ok_or_else(|| TicketError::invalid("service_center", format!("no unit `{code}`")))?;
        q = q.filter(C::ServiceCenterId.eq(unit.id));
    }
    for (field, name, col) in [
        ("owner", &f.owner, C::OwnerId),
        ("manager", &f.manager, C::ManagerId),
    ] {
        if let Some(name) = name {
            let p = crate::org::service::person_by_username(&app.db, name)
                .await
                .ok()
                .flatten();
            let p = p.ok_or_else(|| TicketError::invalid(field, format!("no person `{name}`")))?;
            q = q.filter(col.eq(p.id));
        }
    }
    if let Some(d) = f.due_before {
        q = q.filter(C::DueDate.lt(d));
    }
    if let Some(d) = f.due_after {
        q = q.filter(C::DueDate.gt(d));
    }
    if let Some(at) = f.overdue_as_of {
        q = q
            .filter(C::Status.is_in(["open", "paused"]))
            .filter(C::DueAt.lte(at));
    }
    if let Some((due, id)) = f.cursor {
        let (after_due, after_id) = if f.descending {
            (C::DueAt.lt(due), C::Id.lt(id))
        } else {
            (C::DueAt.gt(due), C::Id.gt(id))
        };
        q = q.filter(
            Condition::any()
                .add(after_due)
                .add(Condition::all().add(C::DueAt.eq(due)).add(after_id)),
        );
    }
    q = if f.descending {
        q.order_by_desc(C::DueAt).order_by_desc(C::Id)
    } else {
        q.order_by_asc(C::DueAt).order_by_asc(C::Id)
    };
    let mut rows = q.limit(f.limit + 1).all(&app.db).await?;
    let names = super::view::Names::load(&app.db, &rows).await?;
    let more = rows.len() as u64 > f.limit;
    rows.truncate(f.limit as usize);
    let next_cursor = more
        .then(|| rows.last().map(|t| encode_cursor(t.due_at, t.id)))
        .flatten();
    let now = app.now();
    Ok(Page {
        items: rows
            .into_iter()
            .map(|t| TicketView::from_model(app, t, &names, now))
            .collect(),
        next_cursor,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn cursors_round_trip() {
        let at = chrono::DateTime::from_timestamp(1_780_000_000, 0).unwrap();
        assert_eq!(
            super::decode_cursor(&super::encode_cursor(at, 42)),
            Some((at, 42))
        );
        assert_eq!(super::decode_cursor("garbage"), None);
    }
}
