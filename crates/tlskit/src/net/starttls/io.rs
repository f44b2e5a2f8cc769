//! The plaintext conversation: bounded, timed reads of lines and binary messages, a transcript of
//! everything said, and the errors every protocol shares (silence, hang-ups, oversized input, a
//! peer that speaks something else).

use super::{Direction, Protocol, Transcript};
use crate::error::{Error, Result};
use crate::net::fmt_duration;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Longest line we accept from a server (SMTP allows 512, XMPP features can be a few KiB).
pub const MAX_LINE: usize = 16 * 1024;
/// Most plaintext we accept before the go-ahead: a hostile server cannot make us buffer more.
pub const MAX_TOTAL: usize = 256 * 1024;
/// Most lines in one reply (a multi-line EHLO or CAPA answer).
pub const MAX_REPLY_LINES: usize = 1000;
/// Most plaintext we collect after the go-ahead to report it as injected.
const MAX_INJECTED: usize = 64 * 1024;

/// One plaintext session on a TCP stream.
pub struct Session<'a> {
    stream: &'a mut TcpStream,
    buf: Vec<u8>,
    received: usize,
    pub proto: Protocol,
    pub timeout: Duration,
    /// `host:port` as the user named it, for messages.
    pub peer: String,
    pub local: Option<SocketAddr>,
    pub transcript: Transcript,
}

impl<'a> Session<'a> {
    pub fn new(stream: &'a mut TcpStream, proto: Protocol, host: &str, timeout: Duration) -> Self {
        let port = stream.peer_addr().map(|a| a.port()).unwrap_or(0);
        let local = stream.local_addr().ok();
        let peer = crate::net::Target::new(host, port).to_string();
        Session {
            stream,
            buf: Vec::new(),
            received: 0,
            proto,
            timeout,
            peer,
            local,
            transcript: Transcript {
                protocol: Some(proto),
                ..Transcript::default()
            },
        }
    }

    /// "the SMTP server at mail.example.org:25"
    pub fn who(&self) -> String {
        format!("the {} server at {}", self.proto.display_name(), self.peer)
    }

    /// An error for a server that does not speak the protocol, quoting what it said.
    pub fn not_protocol(&self, said: &str) -> Error {
        Error::protocol(format!(
            "the server at {} does not speak {}: it said '{}' (is this the right port? -t chooses the protocol, --no-starttls speaks TLS directly)",
            self.peer,
            self.proto.display_name(),
            quote(said)
        ))
    }

    /// The upgrade command failed: a refusal if the server had offered it, else "does not offer"
    /// with what it offers and what it answered.
    pub fn upgrade_failed(&self, advertised: bool, answer: &str) -> Error {
        if advertised {
            self.refused(answer)
        } else {
            self.not_offered_answer(Some(answer))
        }
    }

    /// An error for a server that does not offer the upgrade, listing what it does offer.
    pub fn not_offered(&self) -> Error {
        self.not_offered_answer(None)
    }

    fn not_offered_answer(&self, answer: Option<&str>) -> Error {
        let caps = &self.transcript.capabilities;
        let offers = if caps.is_empty() {
            "it announced no capabilities".to_string()
        } else {
            let shown: Vec<&str> = caps.iter().take(40).map(String::as_str).collect();
            let more = if caps.len() > 40 {
                format!(" and {} more", caps.len() - 40)
            } else {
                String::new()
            };
            format!("it offers: {}{more}", shown.join(", "))
        };
        let answered = answer
            .map(|a| format!("; asked anyway, it answered '{}'", quote(a)))
            .unwrap_or_default();
        Error::protocol(format!(
            "{} does not offer {} ({offers}{answered})",
            self.who(),
            self.proto.upgrade_name()
        ))
    }

    /// An error for a server that answered the upgrade command with a refusal.
    pub fn refused(&self, answer: &str) -> Error {
        Error::protocol(format!(
            "{} refused {}: '{}'",
            self.who(),
            self.proto.upgrade_name(),
            quote(answer)
        ))
    }

    /// An error for a server that turned the session away before we could ask for TLS.
    pub fn refused_session(&self, answer: &str) -> Error {
        Error::protocol(format!(
            "{} turned the session away: '{}'",
            self.who(),
            quote(answer)
        ))
    }

    /// An error for a server that rejected a command we need before the upgrade.
    pub fn rejected(&self, command: &str, answer: &str) -> Error {
        Error::protocol(format!(
            "{} rejected {command}: '{}'",
            self.who(),
            quote(answer)
        ))
    }

    /// Record a line the server said (for binary protocols: a description of the message).
    pub fn note_server(&mut self, text: impl Into<String>) {
        self.transcript.lines.push((Direction::Server, text.into()));
    }

    /// Record a line the client said.
    pub fn note_client(&mut self, text: impl Into<String>) {
        self.transcript.lines.push((Direction::Client, text.into()));
    }

    /// Read once more from the socket into the buffer. `what` completes "... while waiting for {what}".
    async fn fill(&mut self, what: &str) -> Result<()> {
        if self.received >= MAX_TOTAL {
            return Err(Error::protocol(format!(
                "{} sent more than {} KiB of plaintext while we waited for {what}; giving up",
                self.who(),
                MAX_TOTAL / 1024
            )));
        }
        let mut chunk = vec![0u8; (MAX_TOTAL - self.received).min(16 * 1024)];
        let n = match tokio::time::timeout(self.timeout, self.stream.read(&mut chunk)).await {
            Err(_) => {
                let hint = if self.received == 0 {
                    " (a server that speaks TLS directly waits silently for the ClientHello: try --no-starttls)"
                } else {
                    " (raise --timeout to wait longer)"
                };
                return Err(Error::network(format!(
                    "{} sent nothing for {} while we waited for {what}{hint}",
                    self.who(),
                    fmt_duration(self.timeout)
                )));
            }
            Ok(Err(e)) => {
                return Err(Error::network(format!(
                    "{}: connection failed while we waited for {what}: {e}",
                    self.who()
                )))
            }
            Ok(Ok(0)) if !self.buf.is_empty() => {
                let start =
                    String::from_utf8_lossy(&self.buf[..self.buf.len().min(80)]).into_owned();
                return Err(Error::protocol(format!(
                    "{} closed the connection after sending '{}' while we waited for {what} (is this {} at all?)",
                    self.who(),
                    quote(&start),
                    self.proto.display_name()
                )));
            }
            Ok(Ok(0)) => {
                let last = self
                    .transcript
                    .lines
                    .last()
                    .filter(|(d, _)| *d == Direction::Server)
                    .map(|(_, l)| format!(" (its last words: '{}')", quote(l)))
                    .unwrap_or_default();
                return Err(Error::protocol(format!(
                    "{} closed the connection while we waited for {what}{last}",
                    self.who()
                )));
            }
            Ok(Ok(n)) => n,
        };
        // A TLS record where plaintext was expected: the port speaks TLS directly.
        if self.received == 0 && n >= 2 && chunk[0] == 0x15 && chunk[1] == 0x03 {
            return Err(Error::protocol(format!(
                "the server at {} answered with a TLS alert, not {}: this port speaks TLS directly (use --no-starttls)",
                self.peer,
                self.proto.display_name()
            )));
        }
        self.received += n;
        self.buf.extend_from_slice(&chunk[..n]);
        Ok(())
    }

    /// Read one line (without its CR LF), recording it in the transcript.
    pub async fn line(&mut self, what: &str) -> Result<String> {
        let line = self.line_quiet(what).await?;
        self.note_server(line.clone());
        Ok(line)
    }

    /// Read one line without recording it.
    pub async fn line_quiet(&mut self, what: &str) -> Result<String> {
        loop {
            if let Some(pos) = self.buf.iter().position(|&b| b == b'\n') {
                if pos > MAX_LINE {
                    return Err(self.too_long());
                }
                let raw: Vec<u8> = self.buf.drain(..=pos).collect();
                let mut s = String::from_utf8_lossy(&raw[..raw.len() - 1]).into_owned();
                if s.ends_with('\r') {
                    s.pop();
                }
                return Ok(s);
            }
            if self.buf.len() > MAX_LINE {
                return Err(self.too_long());
            }
            self.fill(what).await?;
        }
    }

    fn too_long(&self) -> Error {
        let start = String::from_utf8_lossy(&self.buf[..self.buf.len().min(60)]).into_owned();
        Error::protocol(format!(
            "{} sent a line longer than {} KiB (starting '{}'): not {}",
            self.who(),
            MAX_LINE / 1024,
            quote(&start),
            self.proto.display_name()
        ))
    }

    /// Exactly `n` bytes.
    pub async fn exact(&mut self, n: usize, what: &str) -> Result<Vec<u8>> {
        while self.buf.len() < n {
            self.fill(what).await?;
        }
        Ok(self.buf.drain(..n).collect())
    }

    /// The buffered bytes (read but not consumed), filling once more if `more` or nothing is buffered.
    pub async fn peek_more(&mut self, more: bool, what: &str) -> Result<&[u8]> {
        if more || self.buf.is_empty() {
            self.fill(what).await?;
        }
        Ok(&self.buf)
    }

    /// What is buffered now (read but not consumed), without reading.
    pub fn buffered(&self) -> &[u8] {
        &self.buf
    }

    /// Drop `n` buffered bytes (after `peek_more`).
    pub fn consume(&mut self, n: usize) -> Vec<u8> {
        self.buf.drain(..n.min(self.buf.len())).collect()
    }

    /// Send a line (CR LF added) and record it.
    pub async fn send_line(&mut self, line: &str) -> Result<()> {
        self.note_client(line.to_string());
        let mut bytes = line.as_bytes().to_vec();
        bytes.extend_from_slice(b"\r\n");
        self.write(&bytes).await
    }

    /// Send raw bytes, recording `shown` as what was said.
    pub async fn send_raw(&mut self, bytes: &[u8], shown: impl Into<String>) -> Result<()> {
        self.note_client(shown);
        self.write(bytes).await
    }

    async fn write(&mut self, bytes: &[u8]) -> Result<()> {
        let w = async {
            self.stream.write_all(bytes).await?;
            self.stream.flush().await
        };
        match tokio::time::timeout(self.timeout, w).await {
            Err(_) => Err(Error::network(format!(
                "{} did not accept our data within {}",
                self.who(),
                fmt_duration(self.timeout)
            ))),
            Ok(Err(e)) => Err(Error::network(format!(
                "{}: sending failed: {e}",
                self.who()
            ))),
            Ok(Ok(())) => Ok(()),
        }
    }

    /// The server said go: whatever it sent beyond that is not TLS but plaintext slipped in front of
    /// the handshake. Collect it (what is buffered, and what already waits in the socket, without
    /// waiting for more), discard it, and report it in the transcript.
    pub fn finish(mut self) -> Transcript {
        let mut extra = std::mem::take(&mut self.buf);
        drain_ready(self.stream, &mut extra);
        if !extra.is_empty() {
            extra.truncate(MAX_INJECTED);
            self.transcript.injected_bytes = extra.len();
            self.transcript.injected = Some(String::from_utf8_lossy(&extra).into_owned());
        }
        self.transcript
    }
}

/// Take what has already arrived on the socket without waiting (MSG_DONTWAIT), up to a bound.
fn drain_ready(stream: &TcpStream, out: &mut Vec<u8>) {
    use std::os::fd::AsRawFd;
    let fd = stream.as_raw_fd();
    let mut chunk = [0u8; 4096];
    while out.len() < MAX_INJECTED {
        // SAFETY: `chunk` is a valid writable buffer of the given length; `fd` is the stream's open
        // socket, borrowed for the duration of the call.
        let n = unsafe {
            libc::recv(
                fd,
                chunk.as_mut_ptr().cast(),
                chunk.len(),
                libc::MSG_DONTWAIT,
            )
        };
        if n <= 0 {
            break;
        }
        out.extend_from_slice(&chunk[..n as usize]);
    }
}

/// Peer text quoted in a one-line message: the one escaping helper, at most 120 characters.
pub fn quote(s: &str) -> String {
    crate::escape::short(s, 120)
}

/// A three-digit reply (SMTP, LMTP, FTP, NNTP): the code and every line of it.
pub struct Reply {
    pub code: u16,
    pub lines: Vec<String>,
}

impl Reply {
    /// The text after the code on each line (`250-PIPELINING` → `PIPELINING`).
    pub fn texts(&self) -> Vec<String> {
        self.lines
            .iter()
            .map(|l| l.get(4..).unwrap_or("").trim().to_string())
            .collect()
    }
    /// The reply as one line for messages.
    pub fn joined(&self) -> String {
        self.lines.join(" / ")
    }
}

fn code_of(line: &str) -> Option<u16> {
    let b = line.as_bytes();
    if b.len() >= 3
        && b[..3].iter().all(u8::is_ascii_digit)
        && (b.len() == 3 || b[3] == b' ' || b[3] == b'-')
    {
        line[..3].parse().ok()
    } else {
        None
    }
}

/// A whole reply from lines already read (the fuzz target's view of [`Session::reply`]).
pub fn reply_from_lines(lines: &[String]) -> Option<Reply> {
    let code = code_of(lines.first()?)?;
    let mut out = Vec::new();
    for l in lines.iter().take(MAX_REPLY_LINES) {
        out.push(l.clone());
        if code_of(l) == Some(code) && l.as_bytes().get(3) != Some(&b'-') {
            break;
        }
    }
    Some(Reply { code, lines: out })
}

impl Session<'_> {
    /// Read a reply of the `NNN-text … NNN text` family. FTP continuation lines need not carry the
    /// code; SMTP's always do: both end at the first line that is the code followed by a space.
    pub async fn reply(&mut self, what: &str) -> Result<Reply> {
        let first = self.line(what).await?;
        let Some(code) = code_of(&first) else {
            return Err(self.not_protocol(&first));
        };
        let mut lines = vec![first.clone()];
        let mut multi = first.as_bytes().get(3) == Some(&b'-');
        while multi {
            if lines.len() >= MAX_REPLY_LINES {
                return Err(Error::protocol(format!(
                    "{} sent a reply of more than {MAX_REPLY_LINES} lines",
                    self.who()
                )));
            }
            let l = self.line(what).await?;
            if code_of(&l) == Some(code) && l.as_bytes().get(3) != Some(&b'-') {
                multi = false;
            }
            lines.push(l);
        }
        Ok(Reply { code, lines })
    }
}
