//! API tokens: named, shown once, stored hashed, revocable, optional expiry.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set, sea_query::Expr,
};
use serde::Serialize;
use utoipa::ToSchema;

use super::entity::api_token;
use super::sessions::principal;
use super::{AuthError, Principal, Via, secret};
use crate::app::App;
use crate::org::service::person_by_id;

/// A token as listed (never the secret).
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenInfo {
    pub id: i64,
    pub name: String,
    /// The first characters of the token, to recognise it.
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<api_token::Model> for TokenInfo {
    fn from(t: api_token::Model) -> Self {
        TokenInfo {
            id: t.id,
            name: t.name,
            prefix: t.prefix,
            created_at: t.created_at,
            expires_at: t.expires_at,
            last_used_at: t.last_used_at,
            revoked_at: t.revoked_at,
        }
    }
}

/// Creates a token for `person_id`; the secret is returned once.
pub async fn create(
    app: &App,
    person_id: i64,
    name: &str,
    expires_at: Option<DateTime<Utc>>,
) -> Result<(String, TokenInfo), AuthError> {
    let secret = secret::new_secret("ykt_");
    let row = api_token::ActiveModel {
        id: NotSet,
        person_id: Set(person_id),
        token_hash: Set(secret::digest(&secret)),
        created_at: Set(app.now()),
        expires_at: Set(expires_at),
        last_used_at: Set(None),
        revoked_at: Set(None),
        name: Set(name.to_string()),
        prefix: Set(secret.chars().take(10).collect()),
    }
    .insert(&app.writer)
    .await?;
    Ok((secret, row.into()))
}

/// The principal of a bearer token, if the token is live.
pub async fn authenticate(app: &App, secret: &str) -> Result<Option<Principal>, AuthError> {
    let now = app.now();
    let digest = secret::digest(secret);
    let key = format!("token:{digest}");
    if let Some(p) = app.credentials.get(&key, now) {
        return Ok(Some(p));
    }
    let generation = app.credentials.generation();
    let Some(t) = api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(digest))
        .one(&app.db)
        .await?
    else {
        return Ok(None);
    };
    if t.revoked_at.is_some() || t.expires_at.is_some_and(|e| e <= now) {
        return Ok(None);
    }
    let person = person_by_id(&app.db, t.person_id).await?;
    if !person.active {
        return Ok(None);
    }
    let (id, expires_at) = (t.id, t.expires_at);
    if t.last_used_at
        .is_none_or(|u| now - u > chrono::Duration::minutes(1))
    {
        let mut am = t.into_active_model();
        am.last_used_at = Set(Some(now));
        am.update(&app.writer).await?;
    }
    let p = principal(&app.db, person, Via::Token { id }).await?;
    app.credentials
        .insert(key, p.clone(), generation, now, expires_at);
    Ok(Some(p))
}

/// A person's tokens, newest first.
pub async fn list(app: &App, person_id: i64) -> Result<Vec<TokenInfo>, AuthError> {
    let rows = api_token::Entity::find()
        .filter(api_token::Column::PersonId.eq(person_id))
        .order_by_desc(api_token::Column::Id)
        .all(&app.db)
        .await?;
    Ok(rows.into_iter().map(TokenInfo::from).collect())
}

/// Revokes one of a person's tokens; false when there is no such live token.
pub async fn revoke(app: &App, person_id: i64, id: i64) -> Result<bool, AuthError> {
    let res = api_token::Entity::update_many()
        .col_expr(api_token::Column::RevokedAt, Expr::value(app.now()))
        .filter(api_token::Column::Id.eq(id))
        .filter(api_token::Column::PersonId.eq(person_id))
        .filter(api_token::Column::RevokedAt.is_null())
        .exec(&app.writer)
        .await?;
    app.credentials.clear();
    Ok(res.rows_affected > 0)
}
