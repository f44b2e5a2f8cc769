//! STARTTLS: upgrading a plaintext protocol session to TLS, and the plaintext it exposes.
//!
//! [`negotiate`] runs the protocol's plaintext opening on a connected TCP stream (banner,
//! capabilities, the upgrade command and the server's go-ahead) and leaves the stream positioned
//! exactly where the TLS ClientHello must go. The [`Transcript`] keeps what was said in clear.
//!
//! Every read is bounded by the timeout, every line and the whole plaintext part by a size, so a
//! hostile or broken server can neither hang nor flood us. Whatever the server sends after its
//! go-ahead and before the handshake is not TLS: it is discarded and reported as `injected`.

mod ftp;
mod imap;
mod io;
mod irc;
pub mod ldap;
pub mod mysql;
mod nntp;
mod pop3;
pub mod postgres;
mod sieve;
mod smtp;
pub mod xmpp;

use crate::error::{Error, Result};
use std::time::Duration;
use tokio::net::TcpStream;

/// A protocol that can be upgraded to TLS in-band.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
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

    /// The protocol's name in prose: "SMTP", "PostgreSQL", "ManageSieve" …
    pub fn display_name(self) -> &'static str {
        match self {
            Protocol::Smtp => "SMTP",
            Protocol::Lmtp => "LMTP",
            Protocol::Imap => "IMAP",
            Protocol::Pop3 => "POP3",
            Protocol::Ftp => "FTP",
            Protocol::Nntp => "NNTP",
            Protocol::Xmpp => "XMPP",
            Protocol::XmppServer => "XMPP (server-to-server)",
            Protocol::Ldap => "LDAP",
            Protocol::Postgres => "PostgreSQL",
            Protocol::Mysql => "MySQL",
            Protocol::Sieve => "ManageSieve",
            Protocol::Irc => "IRC",
        }
    }

    /// How the upgrade is asked for: "STARTTLS", "STLS", "AUTH TLS", "SSLRequest" …
    pub fn upgrade_name(self) -> &'static str {
        match self {
            Protocol::Pop3 => "STLS",
            Protocol::Ftp => "AUTH TLS",
            Protocol::Ldap => "StartTLS",
            Protocol::Postgres | Protocol::Mysql => "SSLRequest",
            _ => "STARTTLS",
        }
    }

    /// The port where the same service is usually offered with TLS from the first byte, if any.
    pub fn implicit_tls_port(self) -> Option<u16> {
        match self {
            Protocol::Smtp => Some(465),
            Protocol::Imap => Some(993),
            Protocol::Pop3 => Some(995),
            Protocol::Ftp => Some(990),
            Protocol::Nntp => Some(563),
            Protocol::Xmpp => Some(5223),
            Protocol::Ldap => Some(636),
            Protocol::Irc => Some(6697),
            _ => None,
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Client,
    Server,
}

/// The plaintext conversation before TLS: exactly what TLS does not protect.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Transcript {
    pub protocol: Option<Protocol>,
    /// Every line (or, for binary protocols, a readable rendering of each message), in order.
    pub lines: Vec<(Direction, String)>,
    /// The capabilities the server announced (EHLO keywords, IMAP CAPABILITY atoms …).
    pub capabilities: Vec<String>,
    /// Plaintext the server sent after its go-ahead and before the TLS handshake: discarded,
    /// and a finding (STARTTLS command injection, CVE-2011-0411 style).
    pub injected: Option<String>,
    /// How many bytes were injected (at most 64 KiB are kept).
    #[serde(skip_serializing_if = "is_zero")]
    pub injected_bytes: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Transcript {
    /// The conversation, one line each, `C: ` for us and `S: ` for the server, each prefixed by
    /// `indent`; an injection is reported at the end.
    pub fn render_text(&self, indent: &str) -> String {
        let mut out = String::new();
        for (d, line) in &self.lines {
            let who = match d {
                Direction::Client => "C:",
                Direction::Server => "S:",
            };
            // Multi-line entries (XML) stay readable: continuation lines are indented too.
            let mut first = true;
            for part in line.split('\n') {
                let part = part.trim_end_matches('\r');
                if first {
                    out.push_str(&format!("{indent}{who} {part}\n"));
                    first = false;
                } else {
                    out.push_str(&format!("{indent}   {part}\n"));
                }
            }
        }
        if let Some(inj) = &self.injected {
            out.push_str(&format!(
                "{indent}!! {} bytes of plaintext after the go-ahead, before TLS — discarded (STARTTLS injection): {}\n",
                self.injected_bytes,
                io::quote(inj)
            ));
        }
        out
    }
}

/// Run the plaintext opening of `proto` on `stream`; on success the next bytes on the stream are
/// the TLS handshake. Errors are one sentence: the server does not offer the upgrade (and what it
/// offers instead), refused it, does not speak the protocol, or went silent.
pub async fn negotiate(
    stream: &mut TcpStream,
    proto: Protocol,
    opts: &Options,
) -> Result<Transcript> {
    // Each read is bounded by the timeout; the whole exchange too, so a server that drips a
    // byte at a time cannot hold us either.
    let overall = opts.timeout.saturating_mul(4);
    match tokio::time::timeout(overall, exchange(stream, proto, opts)).await {
        Ok(r) => r,
        Err(_) => Err(Error::network(format!(
            "the {} server at {} did not finish the plaintext exchange before TLS within {}",
            proto.display_name(),
            crate::net::Target::new(
                opts.host.clone(),
                stream.peer_addr().map(|a| a.port()).unwrap_or(0)
            ),
            crate::net::fmt_duration(overall)
        ))),
    }
}

async fn exchange(stream: &mut TcpStream, proto: Protocol, opts: &Options) -> Result<Transcript> {
    let mut s = io::Session::new(stream, proto, &opts.host, opts.timeout);
    match proto {
        Protocol::Smtp => smtp::negotiate(&mut s, opts, false).await?,
        Protocol::Lmtp => smtp::negotiate(&mut s, opts, true).await?,
        Protocol::Imap => imap::negotiate(&mut s).await?,
        Protocol::Pop3 => pop3::negotiate(&mut s).await?,
        Protocol::Ftp => ftp::negotiate(&mut s).await?,
        Protocol::Nntp => nntp::negotiate(&mut s).await?,
        Protocol::Xmpp => xmpp::negotiate(&mut s, opts, false).await?,
        Protocol::XmppServer => xmpp::negotiate(&mut s, opts, true).await?,
        Protocol::Ldap => ldap::negotiate(&mut s).await?,
        Protocol::Postgres => postgres::negotiate(&mut s).await?,
        Protocol::Mysql => mysql::negotiate(&mut s).await?,
        Protocol::Sieve => sieve::negotiate(&mut s).await?,
        Protocol::Irc => irc::negotiate(&mut s).await?,
    }
    Ok(s.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// A hostile or broken server for one connection: it reads `expect` bytes (if any), then
    /// writes `says`, then keeps the connection open for a while.
    async fn server(says: Vec<u8>, expect: usize) -> std::net::SocketAddr {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap();
        tokio::spawn(async move {
            let (mut c, _) = l.accept().await.unwrap();
            let mut buf = vec![0u8; expect];
            if expect > 0 {
                let _ = c.read_exact(&mut buf).await;
            }
            let _ = c.write_all(&says).await;
            let mut sink = [0u8; 1024];
            let _ = tokio::time::timeout(Duration::from_secs(3), c.read(&mut sink)).await;
        });
        addr
    }

    async fn run(
        says: Vec<u8>,
        expect: usize,
        proto: Protocol,
        timeout_ms: u64,
    ) -> Result<Transcript> {
        let addr = server(says, expect).await;
        let mut s = TcpStream::connect(addr).await.unwrap();
        let opts = Options {
            name: None,
            host: "127.0.0.1".into(),
            timeout: Duration::from_millis(timeout_ms),
        };
        negotiate(&mut s, proto, &opts).await
    }

    #[tokio::test]
    async fn an_endless_line_is_refused() {
        let e = run(vec![b'A'; 40_000], 0, Protocol::Smtp, 2000)
            .await
            .unwrap_err();
        assert!(e.message().contains("line longer than 16 KiB"), "{e}");
    }

    #[tokio::test]
    async fn an_endless_reply_is_refused() {
        let e = run(b"220-x\r\n".repeat(3000), 0, Protocol::Smtp, 2000)
            .await
            .unwrap_err();
        assert!(e.message().contains("more than 1000 lines"), "{e}");
    }

    #[tokio::test]
    async fn silence_is_bounded_and_explained() {
        let e = run(Vec::new(), 0, Protocol::Imap, 200).await.unwrap_err();
        assert!(e.message().contains("sent nothing for 200.000 ms"), "{e}");
        assert!(e.message().contains("--no-starttls"), "{e}");
    }

    #[tokio::test]
    async fn postgres_plaintext_after_s_is_injected() {
        let t = run(b"SHELLO".to_vec(), 8, Protocol::Postgres, 2000)
            .await
            .unwrap();
        assert_eq!(t.injected.as_deref(), Some("HELLO"));
        assert_eq!(t.injected_bytes, 5);
        assert!(t
            .render_text("")
            .contains("!! 5 bytes of plaintext after the go-ahead"));
    }

    #[tokio::test]
    async fn a_dripping_server_is_bounded_overall() {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap();
        tokio::spawn(async move {
            let (mut c, _) = l.accept().await.unwrap();
            for _ in 0..100 {
                if c.write_all(b"2").await.is_err() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        });
        let mut s = TcpStream::connect(addr).await.unwrap();
        let opts = Options {
            name: None,
            host: "127.0.0.1".into(),
            timeout: Duration::from_millis(200),
        };
        let e = negotiate(&mut s, Protocol::Smtp, &opts).await.unwrap_err();
        assert!(
            e.message()
                .contains("did not finish the plaintext exchange before TLS within 800.000 ms"),
            "{e}"
        );
    }

    #[tokio::test]
    async fn postgres_n_is_not_offered() {
        let e = run(b"N".to_vec(), 8, Protocol::Postgres, 2000)
            .await
            .unwrap_err();
        assert!(
            e.message().contains("does not offer TLS: it answered 'N'"),
            "{e}"
        );
    }

    #[tokio::test]
    async fn http_is_not_ldap() {
        let e = run(
            b"HTTP/1.1 400 Bad Request\r\n\r\n".to_vec(),
            31,
            Protocol::Ldap,
            2000,
        )
        .await
        .unwrap_err();
        assert!(e.message().contains("does not speak LDAP"), "{e}");
    }

    #[tokio::test]
    async fn mysql_without_client_ssl_is_not_offered() {
        let mut p = vec![10];
        p.extend_from_slice(b"8.0.0\0");
        p.extend_from_slice(&[1, 0, 0, 0]);
        p.extend_from_slice(b"abcdefgh\0");
        p.extend_from_slice(&0x0200u16.to_le_bytes());
        let mut pkt = vec![p.len() as u8, 0, 0, 0];
        pkt.extend(p);
        let e = run(pkt, 0, Protocol::Mysql, 2000).await.unwrap_err();
        assert!(
            e.message().contains("does not offer TLS: CLIENT_SSL")
                && e.message().contains("PROTOCOL_41"),
            "{e}"
        );
    }

    #[tokio::test]
    async fn xmpp_stream_error_is_explained() {
        let says = b"<?xml version='1.0'?><stream:stream xmlns:stream='http://etherx.jabber.org/streams' version='1.0'><stream:error><host-unknown xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error></stream:stream>";
        let e = run(says.to_vec(), 0, Protocol::Xmpp, 2000)
            .await
            .unwrap_err();
        assert!(
            e.message().contains("host-unknown") && e.message().contains("--starttls-name"),
            "{e}"
        );
    }

    #[test]
    fn names_round_trip() {
        for p in Protocol::ALL {
            assert_eq!(Protocol::parse(p.name()).unwrap(), p);
        }
        assert!(Protocol::parse("gopher").is_err());
        assert_eq!(Protocol::for_port(587), Some(Protocol::Smtp));
        assert_eq!(Protocol::for_port(443), None);
    }
}

/// Entry points for the fuzz targets in `fuzz/` (one per protocol family): each runs that
/// family's parsers of server bytes over arbitrary input. Not an API.
#[doc(hidden)]
pub mod fuzz {
    /// MySQL: the server's initial handshake packet.
    pub fn mysql(data: &[u8]) {
        if let Ok(h) = super::mysql::parse_handshake(data) {
            let _ = super::mysql::flag_names(h.capabilities);
        }
    }

    /// LDAP: BER framing, nested elements, and the ExtendedResponse.
    pub fn ldap(data: &[u8]) {
        fn walk(b: &[u8], depth: usize) {
            if depth > 8 {
                return;
            }
            if let Ok(kids) = super::ldap::children(b) {
                for (_, c) in kids {
                    walk(c, depth + 1);
                }
            }
        }
        if let Ok(Some((_, start, len))) = super::ldap::header(data) {
            if let Some(content) = start.checked_add(len).and_then(|end| data.get(start..end)) {
                walk(content, 0);
                let _ = super::ldap::parse_response(content);
            }
        }
        let _ = super::ldap::parse_response(data);
    }

    /// XMPP: the tokenizer over a stream, as the negotiation feeds it.
    pub fn xmpp(mut data: &[u8]) {
        while let Ok(Some((_, used))) = super::xmpp::token(data) {
            if used == 0 || used > data.len() {
                break;
            }
            data = &data[used..];
        }
    }

    /// PostgreSQL: the answer byte and an ErrorResponse body.
    pub fn postgres(data: &[u8]) {
        let _ = super::postgres::error_message(data);
    }

    /// Three-digit replies (SMTP, LMTP, FTP, NNTP) and POP3 status lines.
    pub fn reply(data: &[u8]) {
        let text = String::from_utf8_lossy(data);
        let lines: Vec<String> = text.lines().map(str::to_string).collect();
        if let Some(r) = super::io::reply_from_lines(&lines) {
            let _ = (r.texts(), r.joined());
        }
        for l in &lines {
            let _ = super::io::quote(l);
        }
    }

    /// IMAP capability lines and tagged completions.
    pub fn imap(data: &[u8]) {
        for l in String::from_utf8_lossy(data).lines() {
            let _ = super::imap::capabilities_in(l);
        }
    }

    /// IRC messages.
    pub fn irc(data: &[u8]) {
        for l in String::from_utf8_lossy(data).lines() {
            let _ = super::irc::parse(l);
        }
    }

    /// ManageSieve quoted strings and status words.
    pub fn sieve(data: &[u8]) {
        for l in String::from_utf8_lossy(data).lines() {
            let _ = (super::sieve::quoted(l), super::sieve::status(l));
        }
    }
}
