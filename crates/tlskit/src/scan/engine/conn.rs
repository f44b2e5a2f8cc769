//! A probe connection the check drives itself: send plaintext records, read messages one at a
//! time, every read bounded by a deadline and every buffer by a limit. Used by the Heartbleed, CCS-injection and ROBOT probes.

use crate::scan::Ctx;
use std::collections::VecDeque;
use tlskit_wire::alert::Alert;
use tlskit_wire::codec::{Codec, Reader};
use tlskit_wire::handshake::RawHandshake;
use tlskit_wire::record::{ContentType, HandshakeReassembler, Record, RECORD_HEADER_LEN};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::Instant;

/// Most bytes read on one connection.
const MAX_BYTES: usize = 2 << 20;
/// Most messages read on one connection.
const MAX_MESSAGES: usize = 256;

/// One thing the server sent.
#[derive(Debug, Clone)]
pub enum Msg {
    Handshake(RawHandshake),
    Alert(Alert),
    ChangeCipherSpec,
    /// Application data (its bytes shown in debug output only).
    ApplicationData(#[allow(dead_code)] Vec<u8>),
    /// A heartbeat record's payload (and the record's length as sent).
    Heartbeat(Vec<u8>),
    /// A record of another content type (the type shown in debug output only).
    Other(#[allow(dead_code)] u8),
}

/// Why no message came.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum End {
    Closed { reset: bool },
    Timeout,
    Malformed(String),
}

impl End {
    pub fn describe(&self) -> String {
        match self {
            End::Closed { reset: true } => "connection reset".into(),
            End::Closed { reset: false } => "connection closed".into(),
            End::Timeout => "no answer within the timeout".into(),
            End::Malformed(s) => format!("malformed answer: {s}"),
        }
    }
}

/// A connection opened through the scan's prober (TCP, STARTTLS), holding a connection slot.
pub struct Conn {
    stream: TcpStream,
    _slot: tokio::sync::OwnedSemaphorePermit,
    buf: Vec<u8>,
    handshake: HandshakeReassembler,
    pending: VecDeque<Msg>,
    /// Record-layer version for records we send.
    pub version: u16,
    /// Bytes read so far.
    pub bytes_read: usize,
    messages: usize,
    /// Handshake messages exactly as received (for transcripts), in order.
    pub log: Vec<Vec<u8>>,
    /// Read buffer (on the heap: futures holding it stay small).
    tmp: Vec<u8>,
}

impl Conn {
    /// Open a connection (bounded by the probe timeout).
    pub async fn open(ctx: &Ctx) -> Result<Conn, String> {
        let slot = ctx.prober.slot().await;
        let c = match tokio::time::timeout(ctx.prober.timeout(), ctx.prober.open()).await {
            Err(_) => return Err("connecting timed out".into()),
            Ok(Err(e)) => return Err(e.to_string()),
            Ok(Ok(c)) => c,
        };
        Ok(Conn {
            stream: c.stream,
            _slot: slot,
            buf: Vec::new(),
            handshake: HandshakeReassembler::with_max_message_size(256 * 1024),
            pending: VecDeque::new(),
            version: 0x0303,
            bytes_read: 0,
            messages: 0,
            log: Vec::new(),
            tmp: vec![0u8; 16 * 1024],
        })
    }

    /// Send bytes as they are (a prepared record).
    pub async fn send_raw(&mut self, bytes: &[u8], deadline: Instant) -> Result<(), End> {
        match tokio::time::timeout_at(deadline, self.stream.write_all(bytes)).await {
            Err(_) => Err(End::Timeout),
            Ok(Err(e)) => Err(End::Closed {
                reset: matches!(
                    e.kind(),
                    std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::BrokenPipe
                ),
            }),
            Ok(Ok(())) => Ok(()),
        }
    }

    /// Send `payload` as plaintext records of `typ`.
    pub async fn send(
        &mut self,
        typ: ContentType,
        payload: &[u8],
        deadline: Instant,
    ) -> Result<(), End> {
        let mut out = Vec::new();
        let chunks: Vec<&[u8]> = if payload.is_empty() {
            vec![&[][..]]
        } else {
            payload.chunks(1 << 14).collect()
        };
        for chunk in chunks {
            let body = chunk;
            out.push(typ.to_u8());
            out.extend_from_slice(&self.version.to_be_bytes());
            out.extend_from_slice(&(body.len() as u16).to_be_bytes());
            out.extend(body);
        }
        self.send_raw(&out, deadline).await
    }

    /// The next message, waiting until `deadline`.
    pub async fn next(&mut self, deadline: Instant) -> Result<Msg, End> {
        loop {
            if let Some(m) = self.pending.pop_front() {
                return Ok(m);
            }
            match self.handshake.next_message() {
                Ok(Some(m)) => {
                    self.messages += 1;
                    if self.messages > MAX_MESSAGES {
                        return Err(End::Malformed(
                            "the server sent an endless stream of handshake messages".into(),
                        ));
                    }
                    self.log.push(tlskit_wire::handshake::frame(m.typ, &m.body));
                    return Ok(Msg::Handshake(m));
                }
                Ok(None) => {}
                Err(e) => return Err(End::Malformed(e.to_string())),
            }
            match Record::parse(&self.buf) {
                Err(e) => return Err(End::Malformed(e.to_string())),
                Ok(Some((rec, used))) => {
                    self.buf.drain(..used);
                    self.take_record(rec)?;
                    continue;
                }
                Ok(None) => {}
            }
            if self.bytes_read > MAX_BYTES {
                return Err(End::Malformed(format!(
                    "the server sent more than {} KiB",
                    MAX_BYTES / 1024
                )));
            }
            let n = match tokio::time::timeout_at(deadline, self.stream.read(&mut self.tmp)).await {
                Err(_) => return Err(End::Timeout),
                Ok(Err(e)) => {
                    return Err(End::Closed {
                        reset: matches!(
                            e.kind(),
                            std::io::ErrorKind::ConnectionReset
                                | std::io::ErrorKind::ConnectionAborted
                        ),
                    })
                }
                Ok(Ok(0)) => {
                    if self.buf.len() >= RECORD_HEADER_LEN {
                        return Err(End::Malformed(
                            "the server closed in the middle of a record".into(),
                        ));
                    }
                    return Err(End::Closed { reset: false });
                }
                Ok(Ok(n)) => n,
            };
            self.bytes_read += n;
            self.buf.extend_from_slice(&self.tmp[..n]);
        }
    }

    fn take_record(&mut self, rec: Record) -> Result<(), End> {
        let payload = rec.payload;
        match rec.content_type {
            ContentType::Handshake => self
                .handshake
                .push(&payload)
                .map_err(|e| End::Malformed(e.to_string()))?,
            ContentType::Alert => {
                let mut r = Reader::new(&payload);
                while !r.is_empty() {
                    match Alert::read(&mut r) {
                        Ok(a) => self.pending.push_back(Msg::Alert(a)),
                        Err(e) => return Err(End::Malformed(format!("bad alert: {e}"))),
                    }
                }
            }
            ContentType::ChangeCipherSpec => self.pending.push_back(Msg::ChangeCipherSpec),
            ContentType::ApplicationData => self.pending.push_back(Msg::ApplicationData(payload)),
            ContentType::Heartbeat => self.pending.push_back(Msg::Heartbeat(payload)),
            ContentType::Unknown(t) => self.pending.push_back(Msg::Other(t)),
        }
        Ok(())
    }

    /// Close politely (FIN).
    pub async fn close(mut self) {
        let _ = tokio::time::timeout(
            std::time::Duration::from_millis(500),
            self.stream.shutdown(),
        )
        .await;
    }
}

/// What a server sent up to ServerHelloDone, read on a [`Conn`].
#[derive(Debug, Clone, Default)]
pub struct Flight12 {
    pub server_hello: Option<tlskit_wire::handshake::ServerHello>,
    pub certificates: Vec<Vec<u8>>,
    pub server_key_exchange: Option<RawHandshake>,
    pub certificate_request: bool,
    /// A NewSessionTicket or ChangeCipherSpec came right after the ServerHello: an abbreviated
    /// (resumed) handshake.
    pub resumed: bool,
    pub new_session_ticket: Option<Vec<u8>>,
}

/// Read the server's first flight up to ServerHelloDone (or, for a resumed session, up to the
/// server's ChangeCipherSpec). Errors name what came instead.
pub async fn read_flight(conn: &mut Conn, deadline: Instant) -> Result<Flight12, String> {
    use tlskit_wire::handshake::{Certificate, HandshakeType, ServerHello};
    let mut f = Flight12::default();
    loop {
        let m = match conn.next(deadline).await {
            Ok(m) => m,
            Err(e) => return Err(e.describe()),
        };
        match m {
            Msg::Handshake(h) => match (h.typ, f.server_hello.is_some()) {
                (HandshakeType::ServerHello, false) => {
                    let sh =
                        ServerHello::parse(&h.body).map_err(|e| format!("bad ServerHello: {e}"))?;
                    if sh.selected_version() >= 0x0304 || sh.is_hello_retry_request() {
                        return Err("the server answered with TLSv1.3".into());
                    }
                    conn.version = sh.legacy_version;
                    f.server_hello = Some(sh);
                }
                (_, false) => return Err(format!("expected a ServerHello, got {}", h.typ.name())),
                (HandshakeType::Certificate, true) => {
                    if let Ok(c) = Certificate::parse_tls12(&h.body) {
                        f.certificates = c.certs().map(|c| c.to_vec()).collect();
                    }
                }
                (HandshakeType::ServerKeyExchange, true) => f.server_key_exchange = Some(h),
                (HandshakeType::CertificateRequest, true) => f.certificate_request = true,
                (HandshakeType::NewSessionTicket, true) => {
                    // lifetime(4) + ticket<0..2^16-1>
                    if h.body.len() >= 6 {
                        f.new_session_ticket = Some(h.body[6..].to_vec());
                    }
                    if f.certificates.is_empty() {
                        f.resumed = true;
                    }
                }
                (HandshakeType::ServerHelloDone, true) => return Ok(f),
                _ => {}
            },
            Msg::ChangeCipherSpec if f.server_hello.is_some() => {
                f.resumed = true;
                return Ok(f);
            }
            Msg::Alert(a) if a.is_fatal() => return Err(format!("{} alert", a.description.name())),
            Msg::Alert(_) => {}
            other => return Err(format!("unexpected {other:?} before ServerHelloDone")),
        }
    }
}
