//! The hash chain over a ticket's events (append-only history auditors can
//! verify): each event stores the SHA-256 of its own content together with
//! the hash of the event before it; changing or removing any event breaks
//! every link after it.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use super::entity::event;

/// The hash of an event given the previous event's hash (empty for the first).
#[expect(
    clippy::too_many_arguments,
    reason = "every field that the hash covers"
)]
pub fn event_hash(
    prev: &str,
    ticket_id: i64,
    seq: i32,
    at: DateTime<Utc>,
    actor: &str,
    actor_id: Option<i64>,
    kind: &str,
    payload: &str,
) -> String {
    let actor_id = actor_id.map(|i| i.to_string()).unwrap_or_default();
    let at = at.to_rfc3339_opts(SecondsFormat::Micros, true);
    let text = format!("{prev}\n{ticket_id}\n{seq}\n{at}\n{actor}\n{actor_id}\n{kind}\n{payload}");
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The outcome of checking one ticket's chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Verification {
    pub ticket_id: i64,
    pub events: usize,
    pub ok: bool,
    /// The first event whose hash or link does not hold.
    pub broken_at_seq: Option<i32>,
    pub problem: Option<String>,
}

/// Checks `events` (one ticket's, in sequence order).
pub fn verify(ticket_id: i64, events: &[event::Model]) -> Verification {
    let mut prev = String::new();
    for (i, e) in events.iter().enumerate() {
        let problem = if e.seq != i as i32 + 1 {
            Some(format!(
                "sequence {} where {} was expected (an event is missing)",
                e.seq,
                i + 1
            ))
        } else if e.prev_hash != prev {
            Some("it does not link to the event before it".to_string())
        } else if e.hash
            != event_hash(
                &prev,
                e.ticket_id,
                e.seq,
                e.at,
                &e.actor,
                e.actor_id,
                &e.kind,
                &e.payload,
            )
        {
            Some("its content does not match its hash (it was changed)".to_string())
        } else {
            None
        };
        if let Some(problem) = problem {
            return Verification {
                ticket_id,
                events: events.len(),
                ok: false,
                broken_at_seq: Some(e.seq),
                problem: Some(problem),
            };
        }
        prev = e.hash.clone();
    }
    Verification {
        ticket_id,
        events: events.len(),
        ok: true,
        broken_at_seq: None,
        problem: None,
    }
}
