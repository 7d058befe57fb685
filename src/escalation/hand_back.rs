//! Handing a ticket back down the ladder. Ownership never falls back by
//! itself when a deadline moves later; the current owner may hand it back,
//! with a reason, to the level the ladder calls for now.

use crate::app::App;
use crate::org::Role;
use crate::tickets::service::act;
use crate::tickets::store::find_row;
use crate::tickets::{Action, Actor, ServiceError, TicketView};

use super::decide::{Holders, due_of};

/// Hands ticket `id` back to the owner of the level due now; only its
/// current owner may. Answers 409 when the ladder still calls for the
/// current level.
pub async fn hand_back(
    app: &App,
    actor: &Actor,
    id: i64,
    note: String,
) -> Result<TicketView, ServiceError> {
    let t = find_row(app, id).await?;
    if actor.person_id != Some(t.owner_id) {
        return Err(ServiceError::Forbidden(
            "only the ticket's current owner hands it back".into(),
        ));
    }
    let ladder = app.ladder.for_category(&t.category);
    let instants = ladder.instants(&due_of(&t), &app.sla());
    let due_level = ladder.due_level(&instants, app.now());
    let current = t.escalation_level.max(0) as u32;
    if due_level >= current {
        return Err(ServiceError::Conflict(format!(
            "the ladder still calls for level {current} as of now"
        )));
    }
    let role = match due_level {
        0 => Role::Manager,
        l => ladder.level(l).map_or(Role::Manager, |l| l.role),
    };
    let (holder, _) = Holders::default().of(&app.db, role, &t).await?;
    let owner = holder.ok_or_else(|| {
        ServiceError::Conflict(format!(
            "the {} role for level {due_level} is vacant",
            role.as_str()
        ))
    })?;
    act(
        app,
        actor,
        id,
        Action::HandBack {
            level: due_level,
            owner: (owner.id, owner.username),
            note,
        },
    )
    .await
}
