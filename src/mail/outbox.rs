//! Writing mail into the outbox, inside the caller's transaction.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::NotSet, ConnectionTrait, EntityTrait, Set, TryInsertResult};
use sha2::{Digest, Sha256};

use super::entity::outbox;
use super::{EmailAddress, MailError, OutboxState};
use crate::config::MailConfig;

/// A rendered mail: subject, plain text and HTML bodies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// A mail to enqueue.
#[derive(Debug, Clone)]
pub struct OutboxMail {
    /// What makes this mail unique, e.g. `escalation:{ticket}:{level}:{person}`;
    /// enqueueing the same key again writes nothing.
    pub idempotency_key: String,
    pub to: Vec<EmailAddress>,
    pub cc: Vec<EmailAddress>,
    pub rendered: Rendered,
    /// The template's name (`escalation`, `vacancy`), for operators.
    pub template: &'static str,
    pub ticket_id: Option<i64>,
    pub event_id: Option<i64>,
}

/// The stable Message-ID of the mail with `key`: `<yk.{hash}@{domain}>`,
/// the domain being `mail.message_id_domain` or else that of `mail.from`.
pub fn message_id_for(config: &MailConfig, key: &str) -> String {
    let domain = if config.message_id_domain.trim().is_empty() {
        EmailAddress::parse(&config.from)
            .map(|a| a.domain().to_string())
            .unwrap_or_else(|_| "localhost".into())
    } else {
        config.message_id_domain.trim().to_string()
    };
    let hash = Sha256::digest(key.as_bytes());
    let hex: String = hash[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("<yk.{hex}@{domain}>")
}

/// Writes `mail` into the outbox on `db` (pass the caller's transaction, so
/// the mail exists exactly when what caused it does). Returns `false`, and
/// writes nothing, when a mail with the same idempotency key exists.
pub async fn enqueue<C: ConnectionTrait>(
    db: &C,
    config: &MailConfig,
    mail: OutboxMail,
    now: DateTime<Utc>,
) -> Result<bool, MailError> {
    Ok(enqueue_many(db, config, vec![mail], now).await? == 1)
}

/// Writes several mails with multi-row inserts (same rules as [`enqueue`]);
/// returns how many were new.
pub async fn enqueue_many<C: ConnectionTrait>(
    db: &C,
    config: &MailConfig,
    mails: Vec<OutboxMail>,
    now: DateTime<Utc>,
) -> Result<u64, MailError> {
    let rows = mails
        .into_iter()
        .map(|m| row_for(config, m, now))
        .collect::<Result<Vec<_>, _>>()?;
    let mut written = 0;
    for chunk in rows.chunks(500) {
        let res = outbox::Entity::insert_many(chunk.to_vec())
            .on_conflict_do_nothing_on([outbox::Column::IdempotencyKey])
            .exec_without_returning(db)
            .await?;
        if let TryInsertResult::Inserted(n) = res {
            written += n;
        }
    }
    Ok(written)
}

fn row_for(
    config: &MailConfig,
    mail: OutboxMail,
    now: DateTime<Utc>,
) -> Result<outbox::ActiveModel, MailError> {
    if mail.to.is_empty() {
        return Err(MailError::Address(
            "a mail needs at least one recipient".into(),
        ));
    }
    if mail.idempotency_key.trim().is_empty() {
        return Err(MailError::Conflict(
            "a mail needs an idempotency key".into(),
        ));
    }
    Ok(outbox::ActiveModel {
        id: NotSet,
        message_id: Set(message_id_for(config, &mail.idempotency_key)),
        idempotency_key: Set(mail.idempotency_key),
        recipients: Set(EmailAddress::join(&mail.to)),
        cc: Set(EmailAddress::join(&mail.cc)),
        subject: Set(one_line(&mail.rendered.subject)),
        body_text: Set(mail.rendered.text),
        body_html: Set(mail.rendered.html),
        template: Set(mail.template.to_string()),
        ticket_id: Set(mail.ticket_id),
        event_id: Set(mail.event_id),
        state: Set(OutboxState::Pending.as_str().into()),
        attempts: Set(0),
        next_attempt_at: Set(now),
        claimed_until: Set(None),
        claimed_by: Set(None),
        last_error: Set(None),
        created_at: Set(now),
        sent_at: Set(None),
    })
}

/// A subject is one header line: line breaks and other controls become spaces.
fn one_line(s: &str) -> String {
    let spaced: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    spaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_ids_are_stable_and_use_the_configured_domain() {
        let mut c = crate::config::Config::from_toml_overrides("")
            .unwrap()
            .raw
            .mail;
        c.from = "yekuo <yekuo@gz.example.cn>".into();
        let a = message_id_for(&c, "escalation:1:2");
        assert_eq!(a, message_id_for(&c, "escalation:1:2"));
        assert_ne!(a, message_id_for(&c, "escalation:1:3"));
        assert!(
            a.starts_with("<yk.") && a.ends_with("@gz.example.cn>"),
            "{a}"
        );
        c.message_id_domain = "mail.example.cn".into();
        assert!(message_id_for(&c, "k").ends_with("@mail.example.cn>"));
    }

    #[test]
    fn subjects_are_one_line() {
        assert_eq!(one_line("a\r\nBcc: x@y \t b"), "a Bcc: x@y b");
    }
}
