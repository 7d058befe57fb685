//! Cross-department coordination (全方位协调机制): requests filed on a
//! ticket to one or more departments, their same-day answers, settlement.
//! The morning digest, the weekly meeting and the HTTP API build on this.

pub mod digest;
pub mod entity;
pub mod meeting;
pub mod service;

pub use service::{
    Answer, NewRequest, RequestView, TargetView, answer, answer_by, file, open_for_department,
    withdraw,
};

use crate::validate::FieldError;

/// Why a coordination operation failed.
#[derive(Debug, thiserror::Error)]
pub enum CoordinationError {
    #[error("{0} not found")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("invalid request")]
    Invalid(Vec<FieldError>),
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
}

impl CoordinationError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        CoordinationError::Invalid(vec![FieldError {
            field: field.into(),
            message: message.into(),
        }])
    }
}

impl From<crate::tickets::TicketError> for CoordinationError {
    fn from(e: crate::tickets::TicketError) -> Self {
        use crate::tickets::TicketError as T;
        match e {
            T::NotFound(m) => CoordinationError::NotFound(format!("ticket {m}")),
            T::Conflict(m) => CoordinationError::Conflict(m),
            T::Forbidden(m) => CoordinationError::Forbidden(m),
            T::Invalid(errors) => CoordinationError::Invalid(errors),
            T::Db(e) => CoordinationError::Db(e),
        }
    }
}

impl From<crate::org::OrgError> for CoordinationError {
    fn from(e: crate::org::OrgError) -> Self {
        use crate::org::OrgError as O;
        match e {
            O::NotFound(m) => CoordinationError::NotFound(m),
            O::Conflict(m) => CoordinationError::Conflict(m),
            O::Invalid(errors) => CoordinationError::Invalid(errors),
            O::Db(e) => CoordinationError::Db(e),
        }
    }
}
