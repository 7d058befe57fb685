//! Tickets: the domain (statuses, actions, events), persistence and the
//! service functions that HTTP handlers and CLI commands call.

pub mod actions;
pub mod chain;
pub mod entity;
pub mod input;
pub mod list;
pub mod recompute;
pub mod service;
pub mod store;
pub mod view;

pub use actions::Action;
pub use input::{ActionBody, NewTicket, ReassignBody, TicketPatch};
pub use list::{ListFilter, Page};
pub use view::{EventView, TicketView};

/// Who acts on a ticket: a person, or `system` (scheduler, recomputes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub person_id: Option<i64>,
    pub name: String,
}

impl Actor {
    pub fn system() -> Self {
        Actor {
            person_id: None,
            name: "system".into(),
        }
    }
    pub fn person(id: i64, username: &str) -> Self {
        Actor {
            person_id: Some(id),
            name: username.into(),
        }
    }
}

/// Why a ticket operation failed: the service error every room shares.
pub use crate::error::ServiceError;
