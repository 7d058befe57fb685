//! Email addresses as a parsed type: `a@example.com` or
//! `陈主任 <dir-chen@example.com>`.

use std::fmt;
use std::str::FromStr;

use lettre::message::Mailbox;

use super::MailError;

/// A mailbox: an address with an optional display name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailAddress(Mailbox);

impl EmailAddress {
    /// Parses `addr@host` or `Name <addr@host>`.
    pub fn parse(s: &str) -> Result<Self, MailError> {
        Mailbox::from_str(s.trim())
            .map(EmailAddress)
            .map_err(|_| MailError::Address(format!("`{s}` is not an email address")))
    }

    /// An address with a display name (`name` may be anything: it is quoted
    /// as needed).
    pub fn named(name: &str, addr: &str) -> Result<Self, MailError> {
        let bare = Self::parse(addr)?;
        let name = name.trim();
        let name = (!name.is_empty()).then(|| name.to_string());
        Ok(EmailAddress(Mailbox::new(name, bare.0.email)))
    }

    /// The bare address, `addr@host`.
    pub fn email(&self) -> String {
        self.0.email.to_string()
    }

    pub fn name(&self) -> Option<&str> {
        self.0.name.as_deref()
    }

    pub fn mailbox(&self) -> &Mailbox {
        &self.0
    }

    /// The part after `@`.
    pub fn domain(&self) -> &str {
        self.0.email.domain()
    }

    /// Parses a list as stored in the outbox (`a@x, "B, C" <b@y>`).
    pub fn parse_list(s: &str) -> Result<Vec<Self>, MailError> {
        if s.trim().is_empty() {
            return Ok(Vec::new());
        }
        lettre::message::Mailboxes::from_str(s)
            .map(|m| m.into_iter().map(EmailAddress).collect())
            .map_err(|_| MailError::Address(format!("`{s}` is not a list of email addresses")))
    }

    /// Formats a list for storage; [`EmailAddress::parse_list`] reads it back.
    pub fn join(list: &[Self]) -> String {
        list.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// `dir-chen@example.com` → `d***@example.com`, for logs.
pub fn mask_email(addr: &str) -> String {
    match addr.split_once('@') {
        Some((user, host)) => {
            let first: String = user.chars().take(1).collect();
            format!("{first}***@{host}")
        }
        None => "***".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_with_and_without_names() {
        let a = EmailAddress::parse("dir-chen@example.com").unwrap();
        assert_eq!(a.email(), "dir-chen@example.com");
        assert_eq!(a.name(), None);
        let b = EmailAddress::parse("陈主任 <dir-chen@example.com>").unwrap();
        assert_eq!(b.name(), Some("陈主任"));
        assert_eq!(b.domain(), "example.com");
        assert!(EmailAddress::parse("not an address").is_err());
        assert!(EmailAddress::parse("").is_err());
    }

    #[test]
    fn lists_round_trip_names_with_commas() {
        let list = vec![
            EmailAddress::named("Chen, Director", "dir-chen@example.com").unwrap(),
            EmailAddress::named("孙副局长", "dep-sun@example.com").unwrap(),
            EmailAddress::parse("head-wu@example.com").unwrap(),
        ];
        let stored = EmailAddress::join(&list);
        assert_eq!(EmailAddress::parse_list(&stored).unwrap(), list);
        assert!(EmailAddress::parse_list("").unwrap().is_empty());
    }

    #[test]
    fn masks_addresses() {
        assert_eq!(mask_email("dir-chen@example.com"), "d***@example.com");
        assert_eq!(mask_email("nothing"), "***");
    }
}
