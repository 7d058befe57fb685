//! `[mail]`: the outbox's transport and delivery worker, as configured
//! (checked when the configuration is loaded).

use serde::Deserialize;

use crate::config::{ConfigError, Secret};

/// `[mail]`: the outbox's transport and delivery worker (see docs/mail.md).
#[derive(Debug, Clone, Deserialize)]
pub struct MailConfig {
    /// `file` (the embedded default), `smtp`, or `memory` (tests only).
    pub transport: String,
    /// Folder of the `file` transport's `.eml` files.
    pub dir: String,
    pub from: String,
    #[serde(default)]
    pub smtp_host: String,
    pub smtp_port: u16,
    #[serde(default)]
    pub smtp_username: String,
    #[serde(default)]
    pub smtp_password: Secret,
    /// `starttls`, `tls` (implicit, port 465) or `none` (plain).
    pub smtp_security: crate::mail::SmtpSecurity,
    /// Timeout of each SMTP command, connecting included.
    pub smtp_timeout_seconds: u64,
    /// At most this many pooled SMTP connections.
    pub smtp_pool_size: u32,
    /// Host part of Message-IDs; empty: the domain of `from`.
    #[serde(default)]
    pub message_id_domain: String,
    /// A worker's claim on a row lasts this long; then another may take it.
    pub claim_seconds: u64,
    /// First retry delay; doubles per attempt up to `retry_max_seconds`.
    pub retry_base_seconds: u64,
    pub retry_max_seconds: u64,
    /// After this many attempts a row becomes `failed`.
    pub max_attempts: u32,
    /// Rows claimed per round of the delivery worker.
    pub batch_size: u64,
    /// Whether `transport = "memory"` is allowed (tests set it; production never).
    #[serde(default)]
    pub allow_memory: bool,
}

impl MailConfig {
    pub(crate) fn validate(&self) -> Result<(), ConfigError> {
        let bad =
            |key: &str, problem: String| Err(ConfigError::invalid(format!("mail.{key}"), problem));
        match self.transport.as_str() {
            "file" | "smtp" => {}
            "memory" if self.allow_memory => {}
            "memory" => {
                return bad(
                    "transport",
                    "`memory` keeps mail in the process and loses it; it is for tests only (set mail.allow_memory)".into(),
                );
            }
            other => {
                return bad(
                    "transport",
                    format!("`{other}` is not one of file, smtp, memory"),
                );
            }
        }
        if let Err(e) = crate::mail::EmailAddress::parse(&self.from) {
            return bad("from", e.to_string());
        }
        if self.transport == "smtp" && self.smtp_host.trim().is_empty() {
            return bad(
                "smtp_host",
                "is required when mail.transport = \"smtp\"".into(),
            );
        }
        if self.transport == "smtp" && self.smtp_port == 0 {
            return bad("smtp_port", "must be a TCP port (1-65535)".into());
        }
        if self.smtp_username.is_empty() != self.smtp_password.is_empty() {
            return bad(
                "smtp_password",
                "give both smtp_username and smtp_password, or neither".into(),
            );
        }
        for (key, value) in [
            ("smtp_timeout_seconds", self.smtp_timeout_seconds),
            ("smtp_pool_size", u64::from(self.smtp_pool_size)),
            ("claim_seconds", self.claim_seconds),
            ("retry_base_seconds", self.retry_base_seconds),
            ("max_attempts", u64::from(self.max_attempts)),
            ("batch_size", self.batch_size),
        ] {
            if value == 0 {
                return bad(key, "must be at least 1".into());
            }
        }
        if self.retry_max_seconds < self.retry_base_seconds {
            return bad(
                "retry_max_seconds",
                "must be at least mail.retry_base_seconds".into(),
            );
        }
        if self.claim_seconds <= self.smtp_timeout_seconds {
            return bad(
                "claim_seconds",
                "must exceed mail.smtp_timeout_seconds, or a slow send would be claimed again"
                    .into(),
            );
        }
        Ok(())
    }
}
