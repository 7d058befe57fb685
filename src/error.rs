//! One error for the service functions of every room (tickets, org,
//! coordination, escalation): what went wrong, in words the caller can act
//! on. Database errors are mapped here, once: a unique key violated is a
//! [`ServiceError::Conflict`] (a race lost, not a crash), a connection that
//! cannot be had or was lost is [`ServiceError::Unavailable`] (try again).
//! The HTTP layer turns each kind into its status (`http::error`).

use sea_orm::{DbErr, SqlErr};

use crate::validate::FieldError;

/// Why a service function did not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// What does not exist, as a noun phrase: `ticket 12`, `person 3` (404).
    #[error("{0} does not exist")]
    NotFound(String),
    /// Not possible in the current state, or a concurrent change won (409).
    #[error("{0}")]
    Conflict(String),
    /// Allowed to see it, not to do this (403).
    #[error("{0}")]
    Forbidden(String),
    /// One entry per bad field (422).
    #[error("invalid request: {}", describe(.0))]
    Invalid(Vec<FieldError>),
    /// The database cannot be reached now (503).
    #[error("the database is not reachable: {0}")]
    Unavailable(String),
    /// Anything else the database said (500, logged).
    #[error(transparent)]
    Db(DbErr),
    /// yekuo's own fault: a template that does not render, a mail that
    /// cannot be built (500, logged).
    #[error("{0}")]
    Internal(String),
}

fn describe(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| format!("{}: {}", e.field, e.message))
        .collect::<Vec<_>>()
        .join("; ")
}

impl ServiceError {
    /// One invalid field.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        ServiceError::Invalid(vec![FieldError {
            field: field.into(),
            message: message.into(),
        }])
    }
}

impl From<DbErr> for ServiceError {
    fn from(e: DbErr) -> Self {
        if let Some(SqlErr::UniqueConstraintViolation(_)) = e.sql_err() {
            return ServiceError::Conflict(
                "someone else made the same change at the same moment; reload and try again".into(),
            );
        }
        match e {
            DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => {
                ServiceError::Unavailable(e.to_string())
            }
            other => ServiceError::Db(other),
        }
    }
}

impl From<crate::mail::MailError> for ServiceError {
    fn from(e: crate::mail::MailError) -> Self {
        use crate::mail::MailError as M;
        match e {
            M::Db(e) => e.into(),
            M::NotFound(id) => ServiceError::NotFound(format!("outbox mail {id}")),
            M::Conflict(m) => ServiceError::Conflict(m),
            M::Address(m) => ServiceError::invalid("to", m),
            other @ (M::Template(_) | M::Transport(_)) => ServiceError::Internal(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lost_connections_are_unavailable_and_the_rest_is_kept() {
        let e: ServiceError = DbErr::ConnectionAcquire(sea_orm::ConnAcquireErr::Timeout).into();
        assert!(matches!(e, ServiceError::Unavailable(_)));
        let e: ServiceError = DbErr::Custom("x".into()).into();
        assert!(matches!(e, ServiceError::Db(_)));
        assert_eq!(
            ServiceError::invalid("email", "is required").to_string(),
            "invalid request: email: is required"
        );
    }
}
