//! Transports: how a mail leaves. SMTP in production, `.eml` files in the
//! embedded default, memory in tests. Each carries the row's stored
//! Message-ID, so a mail sent twice after a crash is the same mail.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use lettre::message::MultiPart;
use lettre::transport::smtp::PoolConfig;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::{Deserialize, Serialize};

use super::entity::outbox;
use super::{EmailAddress, MailError};
use crate::config::MailConfig;

/// How the SMTP connection is secured (`mail.smtp_security`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS, which is required (port 587).
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: a relay on the same host or a trusted network only.
    None,
}

/// A mail the memory transport kept.
#[derive(Debug, Clone)]
pub struct Sent {
    pub outbox_id: i64,
    pub message_id: String,
    pub envelope_from: Option<String>,
    pub envelope_to: Vec<String>,
    /// The whole message as it would go on the wire.
    pub raw: Vec<u8>,
}

/// Where mail goes.
#[derive(Clone, Debug)]
pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// Writes `<outbox id>.eml` into the folder.
    File(PathBuf),
    /// Keeps mail in the process (tests only; refused by production config).
    Memory(Arc<Mutex<Vec<Sent>>>),
}

/// Why a send failed, and whether trying again can help.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct SendError {
    /// A 5xx rejection or a mail that cannot be built: retrying won't help.
    pub permanent: bool,
    /// The server could not be reached at all (not an answer about this
    /// mail): the rest of a batch would fail the same way.
    pub unreachable: bool,
    pub message: String,
}

impl SendError {
    pub fn transient(message: impl Into<String>) -> Self {
        SendError {
            permanent: false,
            unreachable: false,
            message: message.into(),
        }
    }
    pub fn permanent(message: impl Into<String>) -> Self {
        SendError {
            permanent: true,
            unreachable: false,
            message: message.into(),
        }
    }
    fn from_smtp(e: &lettre::transport::smtp::Error) -> Self {
        let message = e.to_string();
        if e.is_permanent() || e.is_client() {
            SendError::permanent(message)
        } else if e.is_transient() {
            SendError::transient(message)
        } else {
            SendError {
                permanent: false,
                unreachable: true,
                message,
            }
        }
    }
}

impl Transport {
    /// The transport `[mail]` describes.
    pub fn from_config(cfg: &MailConfig) -> Result<Transport, MailError> {
        match cfg.transport.as_str() {
            "smtp" => Self::smtp(cfg),
            "file" => Ok(Transport::File(PathBuf::from(&cfg.dir))),
            "memory" if cfg.allow_memory => Ok(Self::memory()),
            other => Err(MailError::Transport(format!(
                "transport `{other}` is not available here"
            ))),
        }
    }

    /// An empty memory transport.
    pub fn memory() -> Transport {
        Transport::Memory(Arc::new(Mutex::new(Vec::new())))
    }

    fn smtp(cfg: &MailConfig) -> Result<Transport, MailError> {
        type Smtp = AsyncSmtpTransport<Tokio1Executor>;
        let host = cfg.smtp_host.trim();
        let tls_err = |e: lettre::transport::smtp::Error| MailError::Transport(e.to_string());
        let builder = match cfg.smtp_security {
            SmtpSecurity::Tls => Smtp::relay(host).map_err(tls_err)?,
            SmtpSecurity::Starttls => Smtp::starttls_relay(host).map_err(tls_err)?,
            SmtpSecurity::None => Smtp::builder_dangerous(host),
        };
        let mut builder = builder
            .port(cfg.smtp_port)
            .timeout(Some(Duration::from_secs(cfg.smtp_timeout_seconds)))
            .pool_config(PoolConfig::new().max_size(cfg.smtp_pool_size));
        if !cfg.smtp_username.is_empty() {
            builder = builder.credentials(Credentials::new(
                cfg.smtp_username.clone(),
                cfg.smtp_password.expose().to_string(),
            ));
        }
        Ok(Transport::Smtp(builder.build()))
    }

    /// What the memory transport kept (empty for the others).
    pub fn sent(&self) -> Vec<Sent> {
        match self {
            Transport::Memory(kept) => kept.lock().unwrap_or_else(|p| p.into_inner()).clone(),
            _ => Vec::new(),
        }
    }

    /// Sends outbox row `outbox_id`'s message.
    pub async fn send(&self, outbox_id: i64, message: &Message) -> Result<(), SendError> {
        match self {
            Transport::Smtp(smtp) => smtp
                .send(message.clone())
                .await
                .map(|_| ())
                .map_err(|e| SendError::from_smtp(&e)),
            Transport::File(dir) => write_eml(dir.clone(), outbox_id, message.formatted()).await,
            Transport::Memory(kept) => {
                let envelope = message.envelope();
                let sent = Sent {
                    outbox_id,
                    message_id: header(message, "Message-ID").unwrap_or_default(),
                    envelope_from: envelope.from().map(ToString::to_string),
                    envelope_to: envelope.to().iter().map(ToString::to_string).collect(),
                    raw: message.formatted(),
                };
                kept.lock().unwrap_or_else(|p| p.into_inner()).push(sent);
                Ok(())
            }
        }
    }
}

fn header(message: &Message, name: &str) -> Option<String> {
    message.headers().get_raw(name).map(|v| v.to_string())
}

/// Writes the file whole or not at all (temporary file, then rename), so a
/// crash leaves no half mail and a second send replaces the first.
async fn write_eml(dir: PathBuf, outbox_id: i64, bytes: Vec<u8>) -> Result<(), SendError> {
    let work = move || -> std::io::Result<()> {
        std::fs::create_dir_all(&dir)?;
        let tmp = dir.join(format!(".{outbox_id}.eml.tmp"));
        std::fs::write(&tmp, &bytes)?;
        std::fs::rename(&tmp, dir.join(format!("{outbox_id}.eml")))
    };
    match tokio::task::spawn_blocking(work).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(SendError::transient(format!("writing the .eml file: {e}"))),
        Err(e) => Err(SendError::transient(format!("writing the .eml file: {e}"))),
    }
}

/// The message for an outbox row, From `from`, with the row's Message-ID
/// and its creation time as Date (so a second send is byte-for-byte the
/// same mail but for the MIME boundary).
pub(super) fn build_message(
    row: &outbox::Model,
    from: &EmailAddress,
) -> Result<Message, SendError> {
    let bad = |e: MailError| SendError::permanent(e.to_string());
    let mut b = Message::builder()
        .from(from.mailbox().clone())
        .subject(row.subject.clone())
        .message_id(Some(row.message_id.clone()))
        .date(SystemTime::from(row.created_at));
    for to in EmailAddress::parse_list(&row.recipients).map_err(bad)? {
        b = b.to(to.mailbox().clone());
    }
    for cc in EmailAddress::parse_list(&row.cc).map_err(bad)? {
        b = b.cc(cc.mailbox().clone());
    }
    b.multipart(MultiPart::alternative_plain_html(
        row.body_text.clone(),
        row.body_html.clone(),
    ))
    .map_err(|e| SendError::permanent(format!("building the message: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(extra: &str) -> MailConfig {
        let toml =
            format!("[mail]\ntransport = \"smtp\"\nsmtp_host = \"smtp.example.cn\"\n{extra}");
        crate::config::Config::from_toml_overrides(&toml)
            .unwrap()
            .raw
            .mail
    }

    #[tokio::test]
    async fn smtp_transports_build_for_each_security_with_and_without_auth() {
        for security in ["starttls", "tls", "none"] {
            let c = cfg(&format!("smtp_security = \"{security}\""));
            assert!(
                matches!(Transport::from_config(&c), Ok(Transport::Smtp(_))),
                "{security}"
            );
        }
        let c = cfg("smtp_username = \"yekuo\"\nsmtp_password = \"hunter5\"");
        let t = Transport::from_config(&c).unwrap();
        assert!(!format!("{t:?}").contains("hunter5"), "{t:?}");
    }

    #[test]
    fn the_file_transport_is_the_default_and_memory_needs_permission() {
        let c = crate::config::Config::from_toml_overrides("")
            .unwrap()
            .raw
            .mail;
        assert!(matches!(Transport::from_config(&c), Ok(Transport::File(_))));
        let mut m = c.clone();
        m.transport = "memory".into();
        assert!(Transport::from_config(&m).is_err());
        m.allow_memory = true;
        assert!(matches!(
            Transport::from_config(&m),
            Ok(Transport::Memory(_))
        ));
    }
}
