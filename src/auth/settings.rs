//! `[auth]`: sessions, login throttling, the credential cache.

use serde::Deserialize;

/// `[auth]`.
#[derive(Debug, Clone, Deserialize)]
pub struct AuthConfig {
    pub session_hours: u32,
    pub max_failures: u32,
    pub failure_window_minutes: u32,
    pub lock_minutes: u32,
    pub failure_delay_ms: u64,
    pub trust_forwarded_for: bool,
    /// How long a resolved token or session is reused (0–5 s).
    pub credential_cache_seconds: u32,
}
