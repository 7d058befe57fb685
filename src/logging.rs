//! Logs: text for a terminal or JSON lines for a log platform
//! (`log.format`), with email addresses and phone numbers masked in every
//! line whatever wrote it (a message, a field, an SMTP server's error
//! echoing an address): the writer masks what the formatter wrote.

use std::io::{self, Write};

use serde::Deserialize;

/// `log.format`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object a line: timestamp, level, target, message, fields
    /// and the spans' fields.
    Json,
}

/// Installs the process's subscriber: `filter` (a tracing filter, unless
/// `RUST_LOG` says otherwise), `format`, to standard error, masked.
pub fn init(filter: &str, format: LogFormat) {
    init_with(filter, format, io::stderr);
}

/// Like [`init`], writing to what `make` opens (the tests' log file).
/// Does nothing when a subscriber is installed already.
pub fn init_with<W, F>(filter: &str, format: LogFormat, make: F)
where
    W: Write + 'static,
    F: Fn() -> W + Send + Sync + 'static,
{
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(filter));
    let b = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(move || Masking(make()));
    let _ = match format {
        LogFormat::Text => b.with_ansi(false).try_init(),
        LogFormat::Json => b
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .with_span_list(true)
            .try_init(),
    };
}

/// A writer that masks email addresses and phone numbers in what passes.
pub struct Masking<W: Write>(pub W);

impl<W: Write> Write for Masking<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        self.0.write_all(mask(&text).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

fn local_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "._%+-".contains(c)
}

fn domain_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || ".-".contains(c)
}

/// `text` with every email address shown as `d***@example.com` and every
/// mainland mobile number (`13812345678`) as `138****5678`.
pub fn mask(text: &str) -> String {
    // Most lines hold neither: passed on as they are.
    let digits = |w: &[u8]| w[0] == b'1' && w.iter().all(u8::is_ascii_digit);
    if !text.contains('@') && !text.as_bytes().windows(11).any(digits) {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        // An address: a local part ending here, '@', a dotted domain.
        if chars[i] == '@' {
            let kept: Vec<char> = out.chars().collect();
            let mut k = kept.len();
            while k > 0 && local_char(kept[k - 1]) {
                k -= 1;
            }
            let mut end = i + 1;
            while end < chars.len() && domain_char(chars[end]) {
                end += 1;
            }
            let domain: String = chars[i + 1..end].iter().collect();
            let domain = domain.trim_end_matches(['.', '-']);
            if k < kept.len() && domain.contains('.') {
                let local: String = kept[k..].iter().collect();
                out.truncate(out.len() - local.len());
                out.extend(local.chars().take(1));
                out.push_str("***@");
                out.push_str(domain);
                i += 1 + domain.chars().count();
                continue;
            }
        }
        // A mobile number: 11 digits from 1[3-9], not inside a longer number.
        if chars[i] == '1'
            && (i == 0 || !chars[i - 1].is_ascii_digit())
            && i + 11 <= chars.len()
            && chars[i + 1].is_ascii_digit()
            && ('3'..='9').contains(&chars[i + 1])
            && chars[i..i + 11].iter().all(char::is_ascii_digit)
            && chars.get(i + 11).is_none_or(|c| !c.is_ascii_digit())
        {
            out.extend(&chars[i..i + 3]);
            out.push_str("****");
            out.extend(&chars[i + 7..i + 11]);
            i += 11;
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::mask;

    #[test]
    fn addresses_and_mobile_numbers_are_masked_and_nothing_else() {
        assert_eq!(
            mask(r#"{"to":"dir-chen@example.com, 陈主任 <chen.zr@gz.csg.cn>"}"#),
            r#"{"to":"d***@example.com, 陈主任 <c***@gz.csg.cn>"}"#
        );
        assert_eq!(
            mask("550 5.1.1 <nobody@example.com>: rejected."),
            "550 5.1.1 <n***@example.com>: rejected."
        );
        assert_eq!(mask("call 13812345678 now"), "call 138****5678 now");
        // Ids, instants, versions and a lone @ are left alone.
        for plain in [
            "ticket 1381234567890 at 2026-03-02T09:00:00Z",
            "user@localhost said hi",
            "cn-2024+cn-2025#1a2b3c4d @ 12345678901",
            "@",
        ] {
            assert_eq!(mask(plain), plain);
        }
    }
}
