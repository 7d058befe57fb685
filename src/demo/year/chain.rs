//! Each ticket's events as the service would have appended them: numbered
//! from 1 in the order they happened, each hashing the one before
//! (`tickets::chain`), naming the ids of the rows written with them.

use std::collections::HashMap;

use sea_orm::{ActiveValue::NotSet, DatabaseTransaction, Set};
use serde_json::json;

use super::ticket::{Draft, Link, Plan};
use super::write::insert_rows;
use crate::tickets::chain::event_hash;
use crate::tickets::entity::event;

/// The ids of the rows the events name, by plan index.
pub(super) struct Linked {
    pub(super) requests: HashMap<usize, i64>,
    pub(super) entries: HashMap<usize, i64>,
}

/// Each ticket's events, numbered from 1 and hash-chained.
pub(super) async fn insert_events(
    txn: &DatabaseTransaction,
    plans: Vec<Plan>,
    ids: &[i64],
    linked: &Linked,
) -> anyhow::Result<()> {
    let mut rows = Vec::new();
    for (k, (p, id)) in plans.into_iter().zip(ids).enumerate() {
        let request_id = linked.requests.get(&k).copied();
        let entry_id = linked.entries.get(&k).copied();
        chain(p.drafts, *id, request_id, entry_id, &mut rows);
    }
    Ok(insert_rows(txn, rows).await?)
}

fn chain(
    drafts: Vec<Draft>,
    ticket_id: i64,
    request_id: Option<i64>,
    entry_id: Option<i64>,
    out: &mut Vec<event::ActiveModel>,
) {
    let mut prev = String::new();
    for (n, mut d) in drafts.into_iter().enumerate() {
        match d.link {
            Link::None => {}
            Link::Request => d.payload["request_id"] = json!(request_id),
            Link::Entry => d.payload["entry_id"] = json!(entry_id),
        }
        let payload = d.payload.to_string();
        let seq = n as i32 + 1;
        let hash = event_hash(
            &prev,
            ticket_id,
            seq,
            d.at,
            &d.actor.name,
            d.actor.person_id,
            d.kind,
            &payload,
        );
        out.push(event::ActiveModel {
            id: NotSet,
            ticket_id: Set(ticket_id),
            seq: Set(seq),
            at: Set(d.at),
            actor: Set(d.actor.name),
            actor_id: Set(d.actor.person_id),
            kind: Set(d.kind.into()),
            payload: Set(payload),
            prev_hash: Set(std::mem::take(&mut prev)),
            hash: Set(hash.clone()),
        });
        prev = hash;
    }
}
