//! Web sessions: login with throttling, cookie lookup, logout, revocation.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ColumnTrait, ConnectionTrait, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, Set, sea_query::Expr,
};
use serde::Serialize;
use utoipa::ToSchema;

use super::entity::{api_token, session};
use super::{AuthError, Principal, Via, secret, throttle};
use crate::app::App;
use crate::org::entity::person;
use crate::org::service::{grants_of, person_by_id, person_by_username};

/// The answer to every failed login, whether or not the account exists.
pub const BAD_LOGIN: &str = "invalid username or password";

/// Builds the principal for an active person.
pub async fn principal<C: ConnectionTrait>(
    db: &C,
    person: person::Model,
    via: Via,
) -> Result<Principal, AuthError> {
    let grants = grants_of(db, person.id).await?;
    Ok(Principal {
        person,
        grants,
        via,
    })
}

/// Checks a username and password; on success opens a session and returns
/// its secret (for the cookie) and the principal.
pub async fn login(
    app: &App,
    username: &str,
    password: &str,
    ip: Option<&str>,
) -> Result<(String, Principal), AuthError> {
    let cfg = &app.config.raw.auth;
    let now = app.now();
    // What cannot be a username names no account: its key is its digest,
    // so that any text the client sends makes a key of bounded length.
    let name = username.to_lowercase();
    let user_key = match crate::org::Username::parse(&name) {
        Ok(u) => format!("user:{u}"),
        Err(_) => format!("user#{}", secret::digest(&name)),
    };
    let mut keys = vec![user_key];
    if let Some(ip) = ip {
        keys.push(format!("ip:{ip}"));
    }
    throttle::check(&app.db, &keys, now).await?;
    let person = person_by_username(&app.db, username).await?;
    let hash = person
        .as_ref()
        .filter(|p| p.active)
        .and_then(|p| p.password_hash.clone());
    let ok = {
        let hash = hash
            .clone()
            .unwrap_or_else(|| secret::dummy_hash().to_string());
        let password = password.to_string();
        tokio::task::spawn_blocking(move || secret::verify_password(&hash, &password))
            .await
            .unwrap_or(false)
    };
    let person = match (ok && hash.is_some(), person) {
        (true, Some(p)) => p,
        _ => {
            let failures = throttle::fail(&app.writer, &keys, now, cfg).await?;
            let delay = cfg
                .failure_delay_ms
                .saturating_mul(failures.into())
                .min(5_000);
            tokio::time::sleep(std::time::Duration::from_millis(delay)).await;
            return Err(AuthError::Unauthenticated(BAD_LOGIN.into()));
        }
    };
    throttle::clear(&app.writer, &keys[0]).await?;
    let token = secret::new_secret("yks_");
    let csrf = secret::new_secret("ykc_");
    let row = session::ActiveModel {
        id: NotSet,
        person_id: Set(person.id),
        token_hash: Set(secret::digest(&token)),
        created_at: Set(now),
        expires_at: Set(Some(now + Duration::hours(cfg.session_hours.into()))),
        last_used_at: Set(Some(now)),
        revoked_at: Set(None),
        csrf_token: Set(csrf.clone()),
        ip: Set(ip.map(str::to_string)),
    }
    .insert(&app.writer)
    .await?;
    let p = principal(&app.db, person, Via::Session { id: row.id, csrf }).await?;
    Ok((token, p))
}

/// The principal of a session cookie, if the session is live; extends it.
pub async fn authenticate(app: &App, token: &str) -> Result<Option<Principal>, AuthError> {
    let now = app.now();
    let digest = secret::digest(token);
    let key = format!("session:{digest}");
    if let Some(p) = app.credentials.get(&key, now) {
        return Ok(Some(p));
    }
    let generation = app.credentials.generation();
    let Some(s) = session::Entity::find()
        .filter(session::Column::TokenHash.eq(digest))
        .one(&app.db)
        .await?
    else {
        return Ok(None);
    };
    if s.revoked_at.is_some() || s.expires_at.is_some_and(|e| e <= now) {
        return Ok(None);
    }
    let person = person_by_id(&app.db, s.person_id).await?;
    if !person.active {
        return Ok(None);
    }
    let (id, csrf, mut expires_at) = (s.id, s.csrf_token.clone(), s.expires_at);
    // Sliding expiry, written at most once a minute.
    if s.last_used_at
        .is_none_or(|t| now - t > Duration::minutes(1))
    {
        let hours = app.config.raw.auth.session_hours;
        expires_at = Some(now + Duration::hours(hours.into()));
        let mut am = s.into_active_model();
        am.last_used_at = Set(Some(now));
        am.expires_at = Set(expires_at);
        am.update(&app.writer).await?;
    }
    let p = principal(&app.db, person, Via::Session { id, csrf }).await?;
    app.credentials
        .insert(key, p.clone(), generation, now, expires_at);
    Ok(Some(p))
}

/// A session as listed to its owner.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionInfo {
    pub id: i64,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub ip: Option<String>,
    pub current: bool,
}

/// The live sessions of a person.
pub async fn list(app: &App, p: &Principal) -> Result<Vec<SessionInfo>, AuthError> {
    let now = app.now();
    let rows = session::Entity::find()
        .filter(session::Column::PersonId.eq(p.person.id))
        .filter(session::Column::RevokedAt.is_null())
        .filter(session::Column::ExpiresAt.gt(now))
        .order_by_desc(session::Column::Id)
        .all(&app.db)
        .await?;
    let current = match &p.via {
        Via::Session { id, .. } => Some(*id),
        Via::Token { .. } | Via::Cli => None,
    };
    Ok(rows
        .into_iter()
        .map(|s| SessionInfo {
            id: s.id,
            created_at: s.created_at,
            last_used_at: s.last_used_at,
            expires_at: s.expires_at,
            ip: s.ip,
            current: Some(s.id) == current,
        })
        .collect())
}

/// Revokes one of the person's sessions; false when there is no such live session.
pub async fn revoke(app: &App, person_id: i64, id: i64) -> Result<bool, AuthError> {
    let res = session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, Expr::value(app.now()))
        .filter(session::Column::Id.eq(id))
        .filter(session::Column::PersonId.eq(person_id))
        .filter(session::Column::RevokedAt.is_null())
        .exec(&app.writer)
        .await?;
    app.credentials.clear();
    Ok(res.rows_affected > 0)
}

/// Revokes every session and API token of a person (deactivation, password
/// reset), in the caller's transaction: after committing, the caller clears
/// `App::credentials`.
pub async fn revoke_all<C: ConnectionTrait>(
    db: &C,
    person_id: i64,
    now: DateTime<Utc>,
) -> Result<(), AuthError> {
    session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, Expr::value(now))
        .filter(session::Column::PersonId.eq(person_id))
        .filter(session::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    api_token::Entity::update_many()
        .col_expr(api_token::Column::RevokedAt, Expr::value(now))
        .filter(api_token::Column::PersonId.eq(person_id))
        .filter(api_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}
