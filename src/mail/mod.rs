//! The mail room: outbox, templates, transports and the delivery worker.
//!
//! A mail is never sent inside a request or a sweep. The code that decides a
//! mail is due renders it ([`render_escalation`], [`render_vacancy`]) and
//! [`enqueue`]s it in its own transaction, under an idempotency key; the
//! delivery worker ([`deliver_due`]) claims due rows, sends them through a
//! [`Transport`] and marks them. Every row carries a stable Message-ID, so a
//! mail sent twice after a crash is recognisably the same mail.
//! See docs/mail.md.

mod address;
mod deliver;
mod entity;
mod ops;
mod outbox;
pub mod settings;
mod templates;
mod transport;

pub use address::{EmailAddress, mask_email};
pub use deliver::{DeliveryReport, backoff, claim_due, deliver_due, drain, worker_id};
pub use entity::outbox as outbox_entity;
pub use ops::{
    OutboxGauges, OutboxState, OutboxView, format_table, gauges as outbox_gauges, list, retry,
};
pub use outbox::{OutboxMail, Rendered, enqueue, enqueue_many, message_id_for};
pub use templates::{
    AgendaContext, AgendaGroup, AgendaItem, DigestAnswer, DigestContext, DigestItem,
    EscalationContext, LadderStep, Lang, VacancyContext, answer_label, render_agenda,
    render_digest, render_escalation, render_vacancy, role_label,
};
pub use transport::{SendError, Sent, SmtpSecurity, Transport};

/// What can go wrong in the mail room (sending failures are not errors of
/// the caller: they are recorded on the row and retried).
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
    #[error("mail template: {0}")]
    Template(#[from] askama::Error),
    #[error("{0}")]
    Address(String),
    #[error("outbox mail {0} does not exist")]
    NotFound(i64),
    #[error("{0}")]
    Conflict(String),
    #[error("mail transport: {0}")]
    Transport(String),
}
