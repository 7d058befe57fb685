//! Tickets: the domain (statuses, actions, events), persistence and the
//! service functions that HTTP handlers and CLI commands call.

pub mod actions;
pub mod chain;
pub mod entity;
pub mod input;
pub mod list;
pub mod recompute;
pub mod service;
pub mod view;

pub use actions::Action;
pub use input::{ActionBody, NewTicket, ReassignBody, TicketPatch};
pub use list::{ListFilter, Page};
pub use view::{EventView, TicketView};

use crate::validate::FieldError;

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

/// Why a ticket operation failed.
#[derive(Debug, thiserror::Error)]
pub enum TicketError {
    #[error("ticket {0} not found")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    /// Allowed to see the ticket, not to do this (403).
    #[error("{0}")]
    Forbidden(String),
    #[error("invalid request")]
    Invalid(Vec<FieldError>),
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
}

impl From<crate::org::OrgError> for TicketError {
    fn from(e: crate::org::OrgError) -> Self {
        use crate::org::OrgError as O;
        match e {
            O::Db(e) => TicketError::Db(e),
            O::Invalid(errors) => TicketError::Invalid(errors),
            O::NotFound(m) | O::Conflict(m) => TicketError::Conflict(m),
        }
    }
}

impl TicketError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        TicketError::Invalid(vec![FieldError {
            field: field.into(),
            message: message.into(),
        }])
    }
}
