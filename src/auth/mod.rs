//! Access: passwords, sessions, API tokens, login throttling, and the
//! permission checks (in `permissions`, the one place they live).

pub mod cache;
pub mod entity;
pub mod permissions;
pub mod secret;
pub mod sessions;
pub mod settings;
pub mod throttle;
pub mod tokens;
pub mod users;

use serde::Serialize;
use utoipa::ToSchema;

use crate::org::Role;
use crate::org::entity::person;
use crate::org::service::Grant;
use crate::tickets::Actor;

/// How a request was authenticated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    /// A web session cookie; state changes need its CSRF token.
    Session { id: i64, csrf: String },
    /// An API token (`Authorization: Bearer`).
    Token { id: i64 },
    /// An operator at the command line, reading as this person.
    Cli,
}

/// The authenticated person and the roles they hold.
#[derive(Debug, Clone)]
pub struct Principal {
    pub person: person::Model,
    pub grants: Vec<Grant>,
    pub via: Via,
}

impl Principal {
    pub fn actor(&self) -> Actor {
        Actor::person(self.person.id, &self.person.username)
    }

    pub fn has(&self, role: Role) -> bool {
        self.grants.iter().any(|g| g.role == role)
    }

    /// Units in which the person holds `role`.
    pub fn units_with(&self, role: Role) -> Vec<i64> {
        self.grants
            .iter()
            .filter(|g| g.role == role)
            .filter_map(|g| g.unit_id)
            .collect()
    }

    /// Bureaus in which the person holds one of `roles`.
    pub fn bureaus_with(&self, roles: &[Role]) -> Vec<i64> {
        self.grants
            .iter()
            .filter(|g| roles.contains(&g.role))
            .filter_map(|g| g.bureau_id)
            .collect()
    }
}

/// Who am I: the person and their roles.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub id: i64,
    pub username: String,
    pub name: String,
    pub email: String,
    pub lang: String,
    pub roles: Vec<Grant>,
    /// Send as `X-CSRF-Token` with state-changing requests made with the session cookie.
    pub csrf_token: Option<String>,
}

impl From<&Principal> for Me {
    fn from(p: &Principal) -> Self {
        Me {
            id: p.person.id,
            username: p.person.username.clone(),
            name: p.person.name.clone(),
            email: p.person.email.clone(),
            lang: p.person.lang.clone(),
            roles: p.grants.clone(),
            csrf_token: match &p.via {
                Via::Session { csrf, .. } => Some(csrf.clone()),
                Via::Token { .. } | Via::Cli => None,
            },
        }
    }
}

/// Why authentication failed.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// No or unusable credentials (401).
    #[error("{0}")]
    Unauthenticated(String),
    /// Too many failed logins (429); the same message whether or not the account exists.
    #[error("too many failed logins; try again after {0}")]
    Locked(chrono::DateTime<chrono::Utc>),
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
    #[error("{0}")]
    Other(String),
}

impl From<crate::org::ServiceError> for AuthError {
    fn from(e: crate::org::ServiceError) -> Self {
        match e {
            crate::org::ServiceError::Db(e) => AuthError::Db(e),
            other => AuthError::Other(other.to_string()),
        }
    }
}
