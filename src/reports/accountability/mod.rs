//! The accountability register (问责、约谈、通报): auditors of a bureau
//! record an action on a ticket that ran late or slow, and later its
//! completion. Each step is a ticket event, hash-chained with the rest;
//! nobody edits or deletes an entry. Read by the bureau's head, deputy
//! head and auditors, the ticket's service center director, and the
//! persons it names.

pub mod commands;
pub mod entity;
pub mod forms;

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ReportScope;
use crate::app::App;
use crate::error::ServiceError;
use crate::org::entity::{person, unit};
use crate::tickets::entity::ticket;

/// What kind of action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// 问责: accountability (a sanction).
    Accountability,
    /// 约谈: a formal interview.
    Interview,
    /// 通报: a circular naming the ticket.
    Circular,
}

named_values!(Kind {
    Accountability => "accountability",
    Interview => "interview",
    Circular => "circular",
});

impl Kind {
    /// The kind in the reader's language.
    pub fn label(self, lang: crate::mail::Lang) -> &'static str {
        use crate::mail::Lang;
        match (self, lang) {
            (Kind::Accountability, Lang::ZhCn) => "问责",
            (Kind::Interview, Lang::ZhCn) => "约谈",
            (Kind::Circular, Lang::ZhCn) => "通报",
            (k, Lang::En) => k.as_str(),
        }
    }
}

/// Whether an entry has been carried out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EntryState {
    Open,
    Completed,
}

named_values!(EntryState {
    Open => "open",
    Completed => "completed",
});

/// A person as the register shows them.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct PersonRef {
    pub id: i64,
    pub username: String,
    pub name: String,
}

/// One entry of the register.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct EntryView {
    pub id: i64,
    pub ticket_id: i64,
    pub ticket_no: String,
    pub customer_name: String,
    /// The ticket's service center (code).
    pub service_center: String,
    pub kind: Kind,
    pub persons: Vec<PersonRef>,
    #[schema(format = Date)]
    pub date: NaiveDate,
    pub text: String,
    pub recorded_by: PersonRef,
    pub recorded_at: DateTime<Utc>,
    pub state: EntryState,
    pub completed_by: Option<PersonRef>,
    pub completed_at: Option<DateTime<Utc>>,
    pub completion_note: Option<String>,
}

impl EntryView {
    /// Ids of the persons named.
    pub fn person_ids(&self) -> Vec<i64> {
        self.persons.iter().map(|p| p.id).collect()
    }
}

/// Counts of one kind.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct KindTotals {
    pub kind: String,
    pub open: u64,
    pub completed: u64,
}

/// The register over a scope and period.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct AccountabilityReport {
    pub scope: ReportScope,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub state: Option<EntryState>,
    pub definitions: String,
    pub rows: Vec<EntryView>,
    /// Per kind, and a last row `all`.
    pub totals: Vec<KindTotals>,
}

/// Which entries a listing asks for.
#[derive(Debug, Clone, Copy, Default)]
pub struct Filter {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub state: Option<EntryState>,
}

/// The person ids an entry row names.
pub(crate) fn persons_of(row: &entity::Model) -> Vec<i64> {
    serde_json::from_str(&row.persons).unwrap_or_default()
}

/// Views of `rows` (people, tickets and centers read once for all).
pub async fn views(app: &App, rows: Vec<entity::Model>) -> Result<Vec<EntryView>, ServiceError> {
    let mut ids: Vec<i64> = rows
        .iter()
        .flat_map(|r| {
            let mut v = persons_of(r);
            v.push(r.recorded_by);
            v.extend(r.completed_by);
            v
        })
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let people: HashMap<i64, PersonRef> = person::Entity::find()
        .filter(person::Column::Id.is_in(ids))
        .all(&app.db)
        .await?
        .into_iter()
        .map(|p| {
            let r = PersonRef {
                id: p.id,
                username: p.username,
                name: p.name,
            };
            (p.id, r)
        })
        .collect();
    let person = |id: i64| {
        people.get(&id).cloned().unwrap_or(PersonRef {
            id,
            username: String::new(),
            name: String::new(),
        })
    };
    let mut tids: Vec<i64> = rows.iter().map(|r| r.ticket_id).collect();
    tids.sort_unstable();
    tids.dedup();
    let mut tickets: HashMap<i64, ticket::Model> = HashMap::new();
    for chunk in tids.chunks(500) {
        for t in ticket::Entity::find()
            .filter(ticket::Column::Id.is_in(chunk.to_vec()))
            .all(&app.db)
            .await?
        {
            tickets.insert(t.id, t);
        }
    }
    let centers: HashMap<i64, String> = unit::Entity::find()
        .all(&app.db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.code))
        .collect();
    Ok(rows
        .into_iter()
        .map(|r| {
            let t = tickets.get(&r.ticket_id);
            EntryView {
                id: r.id,
                ticket_id: r.ticket_id,
                ticket_no: t.map(|t| t.ticket_no.clone()).unwrap_or_default(),
                customer_name: t.map(|t| t.customer_name.clone()).unwrap_or_default(),
                service_center: centers
                    .get(&r.service_center_id)
                    .cloned()
                    .unwrap_or_default(),
                kind: Kind::parse(&r.kind).unwrap_or(Kind::Accountability),
                persons: persons_of(&r).into_iter().map(person).collect(),
                date: r.on_date,
                text: r.text,
                recorded_by: person(r.recorded_by),
                recorded_at: r.recorded_at,
                state: if r.completed_at.is_some() {
                    EntryState::Completed
                } else {
                    EntryState::Open
                },
                completed_by: r.completed_by.map(person),
                completed_at: r.completed_at,
                completion_note: r.completion_note,
            }
        })
        .collect())
}

/// The entries on ticket `ticket_id`, oldest first.
pub async fn of_ticket(app: &App, ticket_id: i64) -> Result<Vec<EntryView>, ServiceError> {
    let rows = entity::Entity::find()
        .filter(entity::Column::TicketId.eq(ticket_id))
        .order_by_asc(entity::Column::Id)
        .all(&app.db)
        .await?;
    views(app, rows).await
}

/// The register over `scope` (a manager's scope: the entries naming them)
/// and `filter`, by date then id.
pub async fn report(
    app: &App,
    scope: ReportScope,
    filter: Filter,
) -> Result<AccountabilityReport, ServiceError> {
    use entity::Column as C;
    let mut cond = Condition::all();
    cond = match scope {
        ReportScope::Bureau(b) => cond.add(C::BureauId.eq(b)),
        ReportScope::Center(c) => cond.add(C::ServiceCenterId.eq(c)),
        // Narrowed below: persons is a JSON list.
        ReportScope::Manager(_) => cond,
    };
    if let Some(f) = filter.from {
        cond = cond.add(C::OnDate.gte(f));
    }
    if let Some(t) = filter.to {
        cond = cond.add(C::OnDate.lte(t));
    }
    cond = match filter.state {
        Some(EntryState::Open) => cond.add(C::CompletedAt.is_null()),
        Some(EntryState::Completed) => cond.add(C::CompletedAt.is_not_null()),
        None => cond,
    };
    let mut rows = entity::Entity::find()
        .filter(cond)
        .order_by_asc(C::OnDate)
        .order_by_asc(C::Id)
        .all(&app.db)
        .await?;
    if let ReportScope::Manager(me) = scope {
        rows.retain(|r| persons_of(r).contains(&me));
    }
    let rows = views(app, rows).await?;
    let mut totals: Vec<KindTotals> = Kind::ALL
        .iter()
        .map(|k| KindTotals {
            kind: k.as_str().into(),
            ..Default::default()
        })
        .collect();
    let mut all = KindTotals {
        kind: "all".into(),
        ..Default::default()
    };
    for r in &rows {
        let i = Kind::ALL.iter().position(|k| *k == r.kind).unwrap_or(0);
        for t in [&mut totals[i], &mut all] {
            match r.state {
                EntryState::Open => t.open += 1,
                EntryState::Completed => t.completed += 1,
            }
        }
    }
    totals.push(all);
    Ok(AccountabilityReport {
        scope,
        from: filter.from,
        to: filter.to,
        state: filter.state,
        definitions: "entries of the accountability register whose action date lies from `from` to `to` inclusive (all when not given), of tickets in the scope (for a customer manager: the entries naming them); open until their completion is recorded".into(),
        rows,
        totals,
    })
}
