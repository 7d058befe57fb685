//! Credentials resolved recently: the principal of a token or session
//! secret, kept for a few seconds so a request does not read the token,
//! the person and their roles every time.
//!
//! Freshness: an entry lives `auth.credential_cache_seconds` (at most 5)
//! by the application clock, and never past the credential's own expiry.
//! Whatever revokes credentials or changes people or roles on this
//! instance calls [`CredentialCache::clear`] after committing, so it takes
//! effect at once here; other instances see it when their entries age out.
//! A read that began before a clear is not cached (the generation moved).

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

use super::Principal;

/// Entries kept at most; beyond it, expired ones are dropped first and
/// then everything (the next requests read the database again).
const MAX_ENTRIES: usize = 10_000;

#[derive(Debug)]
struct Entry {
    principal: Principal,
    valid_until: DateTime<Utc>,
}

#[derive(Debug, Default)]
struct Inner {
    generation: u64,
    entries: HashMap<String, Entry>,
}

/// See the module documentation.
#[derive(Debug)]
pub struct CredentialCache {
    ttl: Duration,
    inner: Mutex<Inner>,
}

impl CredentialCache {
    /// A cache whose entries live `seconds` (0: nothing is cached).
    pub fn new(seconds: u32) -> Self {
        CredentialCache {
            ttl: Duration::seconds(seconds.into()),
            inner: Mutex::default(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves only a map behind.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The principal cached for `key`, if still fresh at `now`.
    pub fn get(&self, key: &str, now: DateTime<Utc>) -> Option<Principal> {
        let inner = self.lock();
        inner
            .entries
            .get(key)
            .filter(|e| e.valid_until > now)
            .map(|e| e.principal.clone())
    }

    /// Take before reading the database; pass to [`insert`](Self::insert).
    pub fn generation(&self) -> u64 {
        self.lock().generation
    }

    /// Caches `principal` for `key` from `now`, unless a clear happened
    /// since `generation` was taken; never past `expires_at`.
    pub fn insert(
        &self,
        key: String,
        principal: Principal,
        generation: u64,
        now: DateTime<Utc>,
        expires_at: Option<DateTime<Utc>>,
    ) {
        if self.ttl <= Duration::zero() {
            return;
        }
        let mut inner = self.lock();
        if inner.generation != generation {
            return;
        }
        if inner.entries.len() >= MAX_ENTRIES {
            inner.entries.retain(|_, e| e.valid_until > now);
            if inner.entries.len() >= MAX_ENTRIES {
                inner.entries.clear();
            }
        }
        let valid_until = expires_at.map_or(now + self.ttl, |e| e.min(now + self.ttl));
        inner.entries.insert(
            key,
            Entry {
                principal,
                valid_until,
            },
        );
    }

    /// Forgets everything (after a revocation, a password reset, a
    /// deactivation or a change of roles).
    pub fn clear(&self) {
        let mut inner = self.lock();
        inner.generation += 1;
        inner.entries.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Via;

    fn principal() -> Principal {
        Principal {
            person: crate::org::entity::person::Model {
                id: 7,
                username: "mgr-li".into(),
                name: "李".into(),
                email: "li@example.com".into(),
                phone: None,
                unit_id: None,
                lang: "zh-CN".into(),
                password_hash: None,
                active: true,
                deactivated_at: None,
                created_at: DateTime::UNIX_EPOCH,
                updated_at: DateTime::UNIX_EPOCH,
            },
            grants: Vec::new(),
            via: Via::Token { id: 1 },
        }
    }

    #[test]
    fn entries_age_out_and_clears_win_over_reads_in_flight() {
        let c = CredentialCache::new(5);
        let t0 = DateTime::from_timestamp(1_780_000_000, 0).unwrap();
        let g = c.generation();
        c.insert("k".into(), principal(), g, t0, None);
        assert!(c.get("k", t0 + Duration::seconds(4)).is_some());
        assert!(c.get("k", t0 + Duration::seconds(5)).is_none());
        // A credential expiring sooner ends its entry sooner.
        c.insert(
            "e".into(),
            principal(),
            g,
            t0,
            Some(t0 + Duration::seconds(1)),
        );
        assert!(c.get("e", t0 + Duration::seconds(2)).is_none());
        // A read that started before a clear is not cached.
        let before = c.generation();
        c.clear();
        c.insert("k".into(), principal(), before, t0, None);
        assert!(c.get("k", t0).is_none());
        let off = CredentialCache::new(0);
        off.insert("k".into(), principal(), off.generation(), t0, None);
        assert!(off.get("k", t0).is_none());
    }
}
