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

/// Why an org operation failed: the service error every room shares.
pub use crate::error::ServiceError;
