//! Operator actions on accounts: the first admin, passwords.

use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, PaginatorTrait, Set};

use super::{AuthError, secret, sessions};
use crate::app::App;
use crate::org::Role;
use crate::org::entity::person;
use crate::org::service::{create_person, person_by_username};
use crate::org::{NewPerson, PersonForm};

/// On first start with nobody in the database, creates `admin`
/// (installation-wide admin) with a random password, returned once.
pub async fn bootstrap_admin(app: &App) -> Result<Option<String>, AuthError> {
    if person::Entity::find().count(&app.db).await? > 0 {
        return Ok(None);
    }
    let password = secret::random_password();
    let hash = hash(&password).await?;
    let admin = NewPerson::try_from(PersonForm {
        username: "admin".into(),
        name: "Administrator".into(),
        email: "admin@localhost.localdomain".into(),
        roles: vec![Role::Admin.as_str().into()],
        ..PersonForm::default()
    })
    .map_err(|e| AuthError::Other(format!("{e:?}")))?;
    create_person(&app.writer, admin, Some(hash), app.now()).await?;
    Ok(Some(password))
}

async fn hash(password: &str) -> Result<String, AuthError> {
    let password = password.to_string();
    tokio::task::spawn_blocking(move || secret::hash_password(&password))
        .await
        .map_err(|e| AuthError::Other(e.to_string()))?
        .map_err(AuthError::Other)
}

/// Minimum rules for a password set by a person.
pub fn check_password(password: &str) -> Result<(), String> {
    if password.chars().count() < 10 {
        return Err("must be at least 10 characters".into());
    }
    Ok(())
}

/// Sets a new password (random when `None`, returned) and revokes the
/// person's sessions and tokens.
pub async fn set_password(
    app: &App,
    username: &str,
    password: Option<String>,
) -> Result<String, AuthError> {
    let p = person_by_username(&app.db, username)
        .await?
        .ok_or_else(|| AuthError::Other(format!("no person `{username}`")))?;
    let password = password.unwrap_or_else(secret::random_password);
    check_password(&password).map_err(|m| AuthError::Other(format!("password {m}")))?;
    let id = p.id;
    let mut am = p.into_active_model();
    am.password_hash = Set(Some(hash(&password).await?));
    am.updated_at = Set(app.now());
    let txn = app.begin_write().await?;
    am.update(&txn).await?;
    sessions::revoke_all(&txn, id, app.now()).await?;
    txn.commit().await?;
    app.credentials.clear();
    Ok(password)
}

/// Deactivates a person who left: their history is kept, and their
/// sessions and API tokens end now.
pub async fn deactivate(app: &App, id: i64) -> Result<person::Model, crate::org::ServiceError> {
    let txn = app.begin_write().await?;
    let person = crate::org::service::deactivate(&txn, id, app.now()).await?;
    sessions::revoke_all(&txn, id, app.now())
        .await
        .map_err(|e| match e {
            AuthError::Db(e) => crate::org::ServiceError::from(e),
            other => crate::org::ServiceError::Internal(other.to_string()),
        })?;
    txn.commit().await?;
    app.credentials.clear();
    Ok(person)
}
