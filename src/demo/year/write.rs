//! Writing a chunk: tickets first (for their ids), requests and
//! accountability entries (for theirs), then every row that points at
//! them, in one write transaction, with multi-row inserts.

use std::collections::HashMap;

use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ColumnTrait, DatabaseTransaction, EntityTrait, Iterable,
    QueryFilter, QuerySelect, Set,
};

use super::chain::{Linked, insert_events};
use super::ticket::Plan;
use crate::app::App;
use crate::coordination::entity::{request, target};
use crate::escalation::entity as escalation;
use crate::reports::accountability::entity as accountability;
use crate::tickets::entity::{pause, stage_visit, ticket, ticket_department};

/// Bound parameters per statement (SQLite allows 32,766, PostgreSQL 65,535).
const MAX_PARAMS: usize = 30_000;

/// Writes the plans of a chunk in one write transaction.
pub(super) async fn write_chunk(app: &App, plans: Vec<Plan>) -> anyhow::Result<()> {
    let txn = app.begin_write().await?;
    let ids = insert_tickets(&txn, &plans).await?;
    let requests = insert_requests(&txn, &plans, &ids).await?;
    insert_targets(&txn, &plans, &requests).await?;
    insert_asked(&txn, &plans, &ids).await?;
    insert_history(&txn, &plans, &ids).await?;
    insert_escalations(&txn, &plans, &ids).await?;
    let entries = insert_entries(&txn, &plans, &ids).await?;
    let linked = Linked { requests, entries };
    insert_events(&txn, plans, &ids, &linked).await?;
    txn.commit().await?;
    Ok(())
}

/// Multi-row inserts of `rows`, as many per statement as the bound
/// parameters allow.
pub(super) async fn insert_rows<A>(
    txn: &DatabaseTransaction,
    rows: Vec<A>,
) -> Result<(), sea_orm::DbErr>
where
    A: ActiveModelTrait + Send,
{
    let columns = <<A::Entity as EntityTrait>::Column as Iterable>::iter().count();
    let per = (MAX_PARAMS / columns.max(1)).max(1);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows.by_ref().take(per).collect();
        <A::Entity as EntityTrait>::insert_many(chunk)
            .exec_without_returning(txn)
            .await?;
    }
    Ok(())
}

/// Inserts the tickets; their ids, in the order of `plans`.
async fn insert_tickets(txn: &DatabaseTransaction, plans: &[Plan]) -> anyhow::Result<Vec<i64>> {
    let rows: Vec<ticket::ActiveModel> = plans
        .iter()
        .map(|p| {
            let mut am: ticket::ActiveModel = p.ticket.clone().into();
            am = am.reset_all();
            am.id = NotSet;
            am
        })
        .collect();
    insert_rows(txn, rows).await?;
    let nos: Vec<String> = plans.iter().map(|p| p.ticket.ticket_no.clone()).collect();
    let found: HashMap<String, i64> = ticket::Entity::find()
        .select_only()
        .column(ticket::Column::TicketNo)
        .column(ticket::Column::Id)
        .filter(ticket::Column::TicketNo.is_in(nos))
        .into_tuple::<(String, i64)>()
        .all(txn)
        .await?
        .into_iter()
        .collect();
    plans
        .iter()
        .map(|p| {
            found
                .get(&p.ticket.ticket_no)
                .copied()
                .ok_or_else(|| anyhow::anyhow!("{} was not written", p.ticket.ticket_no))
        })
        .collect()
}

/// Inserts the coordination requests; their ids by plan index.
async fn insert_requests(
    txn: &DatabaseTransaction,
    plans: &[Plan],
    ids: &[i64],
) -> anyhow::Result<HashMap<usize, i64>> {
    let mut by_ticket = HashMap::new();
    let rows: Vec<request::ActiveModel> = plans
        .iter()
        .zip(ids)
        .enumerate()
        .filter_map(|(k, (p, id))| {
            let r = p.request.as_ref()?;
            by_ticket.insert(*id, k);
            let mut am: request::ActiveModel = r.row.clone().into();
            am = am.reset_all();
            am.id = NotSet;
            am.ticket_id = Set(*id);
            Some(am)
        })
        .collect();
    let mut out = HashMap::new();
    for chunk in rows.chunks(MAX_PARAMS / 12) {
        let saved = request::Entity::insert_many(chunk.to_vec())
            .exec_with_returning(txn)
            .await?;
        for r in saved {
            if let Some(k) = by_ticket.get(&r.ticket_id) {
                out.insert(*k, r.id);
            }
        }
    }
    Ok(out)
}

async fn insert_targets(
    txn: &DatabaseTransaction,
    plans: &[Plan],
    requests: &HashMap<usize, i64>,
) -> anyhow::Result<()> {
    let mut rows = Vec::new();
    for (k, p) in plans.iter().enumerate() {
        let (Some(r), Some(id)) = (&p.request, requests.get(&k)) else {
            continue;
        };
        for t in &r.targets {
            let mut am: target::ActiveModel = t.clone().into();
            am = am.reset_all();
            am.id = NotSet;
            am.request_id = Set(*id);
            rows.push(am);
        }
    }
    Ok(insert_rows(txn, rows).await?)
}

/// The departments asked about each ticket, with its due instant.
async fn insert_asked(
    txn: &DatabaseTransaction,
    plans: &[Plan],
    ids: &[i64],
) -> anyhow::Result<()> {
    let mut rows = Vec::new();
    for (p, id) in plans.iter().zip(ids) {
        let Some(r) = &p.request else { continue };
        for t in &r.targets {
            rows.push(ticket_department::ActiveModel {
                department_id: Set(t.department_id),
                ticket_id: Set(*id),
                due_at: Set(p.ticket.due_at),
            });
        }
    }
    Ok(insert_rows(txn, rows).await?)
}

/// Stage visits and pauses.
async fn insert_history(
    txn: &DatabaseTransaction,
    plans: &[Plan],
    ids: &[i64],
) -> anyhow::Result<()> {
    let mut visits = Vec::new();
    let mut pauses = Vec::new();
    for (p, id) in plans.iter().zip(ids) {
        for v in &p.history.visits {
            visits.push(stage_visit::ActiveModel {
                id: NotSet,
                ticket_id: Set(*id),
                stage: Set(v.row.stage.clone()),
                entered_at: Set(v.row.entered_at),
                left_at: Set(v.row.left_at),
            });
        }
        for x in &p.history.pauses {
            pauses.push(pause::ActiveModel {
                id: NotSet,
                ticket_id: Set(*id),
                reason: Set(x.row.reason.clone()),
                started_at: Set(x.row.started_at),
                ended_at: Set(x.row.ended_at),
            });
        }
    }
    insert_rows(txn, visits).await?;
    Ok(insert_rows(txn, pauses).await?)
}

async fn insert_escalations(
    txn: &DatabaseTransaction,
    plans: &[Plan],
    ids: &[i64],
) -> anyhow::Result<()> {
    let rows: Vec<escalation::ActiveModel> = plans
        .iter()
        .zip(ids)
        .flat_map(|(p, id)| {
            p.escalations.iter().map(|e| {
                let mut am: escalation::ActiveModel = e.clone().into();
                am = am.reset_all();
                am.id = NotSet;
                am.ticket_id = Set(*id);
                am
            })
        })
        .collect();
    Ok(insert_rows(txn, rows).await?)
}

/// Inserts the accountability entries; their ids by plan index.
async fn insert_entries(
    txn: &DatabaseTransaction,
    plans: &[Plan],
    ids: &[i64],
) -> anyhow::Result<HashMap<usize, i64>> {
    let mut by_ticket = HashMap::new();
    let rows: Vec<accountability::ActiveModel> = plans
        .iter()
        .zip(ids)
        .enumerate()
        .filter_map(|(k, (p, id))| {
            let e = p.entry.as_ref()?;
            by_ticket.insert(*id, k);
            let mut am: accountability::ActiveModel = e.clone().into();
            am = am.reset_all();
            am.id = NotSet;
            am.ticket_id = Set(*id);
            Some(am)
        })
        .collect();
    let columns = <accountability::Column as Iterable>::iter().count();
    let mut out = HashMap::new();
    for chunk in rows.chunks(MAX_PARAMS / columns) {
        let saved = accountability::Entity::insert_many(chunk.to_vec())
            .exec_with_returning(txn)
            .await?;
        for e in saved {
            if let Some(k) = by_ticket.get(&e.ticket_id) {
                out.insert(*k, e.id);
            }
        }
    }
    Ok(out)
}
