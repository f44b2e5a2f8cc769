//! STARTTLS: upgrading a plaintext protocol session to TLS, and the plaintext it exposes.
//!
//! [`negotiate`] runs the protocol's plaintext opening on a connected TCP stream (banner,
//! capabilities, the upgrade command and the server's go-ahead) and leaves the stream positioned
//! exactly where the TLS ClientHello must go. The [`Transcript`] keeps what was said in clear.

use crate::error::{Error, Result};
use std::time::Duration;
use tokio::net::TcpStream;

/// A protocol that can be upgraded to TLS in-band.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Protocol {
    Smtp,
    Lmtp,
    Imap,
    Pop3,
    Ftp,
    Nntp,
    Xmpp,
    XmppServer,
    Ldap,
    Postgres,
    Mysql,
    Sieve,
    Irc,
}

impl Protocol {
    pub const ALL: [Protocol; 13] = [
        Protocol::Smtp,
        Protocol::Lmtp,
        Protocol::Imap,
        Protocol::Pop3,
        Protocol::Ftp,
        Protocol::Nntp,
        Protocol::Xmpp,
        Protocol::XmppServer,
        Protocol::Ldap,
        Protocol::Postgres,
        Protocol::Mysql,
        Protocol::Sieve,
        Protocol::Irc,
    ];

    /// The name used on the command line (`-t smtp`).
    pub fn name(self) -> &'static str {
        match self {
            Protocol::Smtp => "smtp",
            Protocol::Lmtp => "lmtp",
            Protocol::Imap => "imap",
            Protocol::Pop3 => "pop3",
            Protocol::Ftp => "ftp",
            Protocol::Nntp => "nntp",
            Protocol::Xmpp => "xmpp",
            Protocol::XmppServer => "xmpp-server",
            Protocol::Ldap => "ldap",
            Protocol::Postgres => "postgres",
            Protocol::Mysql => "mysql",
            Protocol::Sieve => "sieve",
            Protocol::Irc => "irc",
        }
    }

    /// Parse a `-t` value (also accepts common aliases: postgresql, pop, xmpp-client, imap4 …).
    pub fn parse(s: &str) -> Result<Protocol> {
        let v = s.trim().to_ascii_lowercase();
        let p = match v.as_str() {
            "smtp" | "submission" => Protocol::Smtp,
            "lmtp" => Protocol::Lmtp,
            "imap" | "imap4" => Protocol::Imap,
            "pop3" | "pop" => Protocol::Pop3,
            "ftp" | "ftps" => Protocol::Ftp,
            "nntp" | "news" => Protocol::Nntp,
            "xmpp" | "xmpp-client" | "jabber" => Protocol::Xmpp,
            "xmpp-server" => Protocol::XmppServer,
            "ldap" => Protocol::Ldap,
            "postgres" | "postgresql" | "psql" => Protocol::Postgres,
            "mysql" | "mariadb" => Protocol::Mysql,
            "sieve" | "managesieve" => Protocol::Sieve,
            "irc" => Protocol::Irc,
            _ => {
                let names: Vec<&str> = Protocol::ALL.iter().map(|p| p.name()).collect();
                return Err(Error::usage(format!(
                    "unknown STARTTLS protocol '{s}'; choose one of: {}",
                    names.join(", ")
                )));
            }
        };
        Ok(p)
    }

    /// The protocol usually spoken in plaintext on a well-known port (for automatic STARTTLS).
    pub fn for_port(port: u16) -> Option<Protocol> {
        Some(match port {
            25 | 587 => Protocol::Smtp,
            143 => Protocol::Imap,
            110 => Protocol::Pop3,
            21 => Protocol::Ftp,
            119 => Protocol::Nntp,
            5222 => Protocol::Xmpp,
            5269 => Protocol::XmppServer,
            389 => Protocol::Ldap,
            5432 => Protocol::Postgres,
            3306 => Protocol::Mysql,
            4190 => Protocol::Sieve,
            6667 => Protocol::Irc,
            _ => return None,
        })
    }
}

impl std::fmt::Display for Protocol {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Settings for the plaintext part.
#[derive(Debug, Clone)]
pub struct Options {
    /// The name we announce: EHLO/LHLO name, XMPP `to` domain (default: the target host).
    pub name: Option<String>,
    /// The host we connected to (used when `name` is not given).
    pub host: String,
    /// Bound on every plaintext read.
    pub timeout: Duration,
}

/// Who said a line of the plaintext conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Client,
    Server,
}

/// The plaintext conversation before TLS: exactly what TLS does not protect.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Transcript {
    pub protocol: Option<Protocol>,
    /// Every line (or, for binary protocols, a readable rendering of each message), in order.
    pub lines: Vec<(Direction, String)>,
    /// The capabilities the server announced (EHLO keywords, IMAP CAPABILITY atoms …).
    pub capabilities: Vec<String>,
    /// Plaintext the server sent after its go-ahead and before the TLS handshake: discarded,
    /// and a finding (STARTTLS command injection, CVE-2011-0411 style).
    pub injected: Option<String>,
}

/// Run the plaintext opening of `proto` on `stream`; on success the next bytes on the stream are
/// the TLS handshake.
pub async fn negotiate(stream: &mut TcpStream, proto: Protocol, opts: &Options) -> Result<Transcript> {
    let _ = (stream, opts);
    Err(Error::protocol(format!("STARTTLS for {proto} is not implemented yet")))
}
