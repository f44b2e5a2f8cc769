//! Is it TLS? What a peer's first bytes look like: a TLS record, an SSLv2 record, or a plaintext
//! protocol (HTTP, SMTP, SSH …). Depends on nothing else in the crate, so the codec's errors and
//! the record layer can both name [`NotTlsKind`] without a module cycle.

use std::fmt;

/// What a non-TLS peer appears to be speaking, judged from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NotTlsKind {
    /// An HTTP response (`HTTP/1.x …`) or request.
    Http,
    /// An SMTP or FTP greeting (`220 …`).
    SmtpOrFtp,
    /// A POP3 greeting (`+OK`).
    Pop3,
    /// An IMAP greeting (`* OK`).
    Imap,
    /// An SSH banner (`SSH-2.0-…`).
    Ssh,
    /// Some other printable text.
    Text,
    /// Bytes that are neither TLS, SSLv2 nor text.
    Unknown,
}

impl NotTlsKind {
    /// A short phrase for reports: "an HTTP response", "an SSH banner", …
    pub fn description(self) -> &'static str {
        match self {
            NotTlsKind::Http => "it sent HTTP",
            NotTlsKind::SmtpOrFtp => "it sent an SMTP or FTP greeting (plaintext; try STARTTLS)",
            NotTlsKind::Pop3 => "it sent a POP3 greeting (plaintext; try STLS)",
            NotTlsKind::Imap => "it sent an IMAP greeting (plaintext; try STARTTLS)",
            NotTlsKind::Ssh => "it sent an SSH banner",
            NotTlsKind::Text => "it sent plain text",
            NotTlsKind::Unknown => "it sent bytes that are not a TLS record",
        }
    }
}

impl fmt::Display for NotTlsKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.description())
    }
}

/// What the first bytes received from a peer look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniff {
    /// Not enough bytes yet to tell.
    NeedMore,
    /// A TLS record header (content type, then major version 3).
    Tls,
    /// An SSLv2-format record header (high bit set in the first byte).
    Sslv2,
    /// Something else.
    NotTls(NotTlsKind),
}

/// Classify the first bytes a peer sent.
///
/// A TLS record starts with a content type byte followed by major version 3. A byte with the high
/// bit set starts an SSLv2 record (a server's SSLv2 answer always uses the 2-byte header). Anything
/// else is classified by its text, if it is text.
pub fn sniff(buf: &[u8]) -> Sniff {
    let (Some(&b0), b1) = (buf.first(), buf.get(1).copied()) else {
        return Sniff::NeedMore;
    };
    if b0 & 0x80 != 0 {
        return Sniff::Sslv2;
    }
    let Some(b1) = b1 else {
        // One byte is not enough: the verdict must not depend on how the stream was chunked.
        return Sniff::NeedMore;
    };
    if b1 == 0x03 {
        return Sniff::Tls;
    }
    // An SSLv2 3-byte header (high bit clear, escape bit optional) is only used for padded
    // encrypted records; never as a server's first answer. Treat as not TLS.
    Sniff::NotTls(classify_text(buf))
}

fn classify_text(buf: &[u8]) -> NotTlsKind {
    let starts = |p: &[u8]| buf.len() >= p.len() && buf[..p.len()].eq_ignore_ascii_case(p);
    if starts(b"HTTP/")
        || starts(b"GET ")
        || starts(b"POST ")
        || starts(b"HEAD ")
        || starts(b"<html")
        || starts(b"<!DOCTYPE")
    {
        return NotTlsKind::Http;
    }
    if starts(b"SSH-") {
        return NotTlsKind::Ssh;
    }
    if starts(b"220") || starts(b"421") || starts(b"554") {
        return NotTlsKind::SmtpOrFtp;
    }
    if starts(b"+OK") {
        return NotTlsKind::Pop3;
    }
    if starts(b"* OK") || starts(b"* PREAUTH") || starts(b"* BYE") {
        return NotTlsKind::Imap;
    }
    let printable = buf
        .iter()
        .take(64)
        .all(|&b| b.is_ascii_graphic() || b == b' ' || b == b'\r' || b == b'\n' || b == b'\t');
    if printable {
        NotTlsKind::Text
    } else {
        NotTlsKind::Unknown
    }
}
