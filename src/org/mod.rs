//! The organisation chart: bureaus, their service centers and departments,
//! people and the roles they hold; who holds a role for a ticket.

pub mod entity;
pub mod import;
pub mod model;
pub mod service;
pub mod words;

pub use model::{Role, UnitKind};
pub use words::{
    EmailAddress, NewPerson, NewUnit, PersonForm, Phone, RoleGrant, UnitCode, UnitForm, Username,
};

use crate::validate::FieldError;

/// Why an org operation failed.
#[derive(Debug, thiserror::Error)]
pub enum OrgError {
    #[error("{0} not found")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("invalid request")]
    Invalid(Vec<FieldError>),
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
}

impl OrgError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        OrgError::Invalid(vec![FieldError {
            field: field.into(),
            message: message.into(),
        }])
    }
}
