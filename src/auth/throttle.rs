//! Login throttling per account and per client address, stored in the
//! database so every instance sees the same counts.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, IntoActiveModel, Set};

use super::AuthError;
use super::entity::throttle;
use crate::config::AuthConfig;

/// Refuses when any key is locked.
pub async fn check<C: ConnectionTrait>(
    db: &C,
    keys: &[String],
    now: DateTime<Utc>,
) -> Result<(), AuthError> {
    for key in keys {
        if let Some(row) = throttle::Entity::find_by_id(key.clone()).one(db).await?
            && let Some(until) = row.locked_until
            && until > now
        {
            return Err(AuthError::Locked(until));
        }
    }
    Ok(())
}

/// Counts a failure against every key; returns the highest count in the
/// current window (locking a key that reaches the limit).
pub async fn fail<C: ConnectionTrait>(
    db: &C,
    keys: &[String],
    now: DateTime<Utc>,
    cfg: &AuthConfig,
) -> Result<u32, AuthError> {
    let window = Duration::minutes(cfg.failure_window_minutes.into());
    let mut worst = 0;
    for key in keys {
        let row = throttle::Entity::find_by_id(key.clone()).one(db).await?;
        let (failures, start) = match &row {
            Some(r) if now - r.window_start < window => (r.failures + 1, r.window_start),
            _ => (1, now),
        };
        let locked_until = (failures as u32 >= cfg.max_failures)
            .then(|| now + Duration::minutes(cfg.lock_minutes.into()));
        match row {
            Some(r) => {
                let mut am = r.into_active_model();
                am.failures = Set(failures);
                am.window_start = Set(start);
                am.locked_until = Set(locked_until);
                am.update(db).await?;
            }
            None => {
                throttle::ActiveModel {
                    key: Set(key.clone()),
                    failures: Set(failures),
                    window_start: Set(start),
                    locked_until: Set(locked_until),
                }
                .insert(db)
                .await?;
            }
        }
        worst = worst.max(failures as u32);
    }
    Ok(worst)
}

/// Forgets the failures of `key` (after a successful login).
pub async fn clear<C: ConnectionTrait>(db: &C, key: &str) -> Result<(), AuthError> {
    throttle::Entity::delete_by_id(key.to_string())
        .exec(db)
        .await?;
    Ok(())
}
