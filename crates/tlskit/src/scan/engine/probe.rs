//! One probe: open a connection (TCP, STARTTLS), send a ClientHello we built ourselves, read the
//! server's first flight up to ServerHelloDone (TLS ≤ 1.2) or the ServerHello (TLS 1.3), close.
//!
//! Everything the server sends is parsed by the sans-IO codec with hard limits, so a hostile or
//! broken server ends a probe with a typed [`Response`] — never a panic or a hang.

use crate::error::{ErrorKind, Result};
use crate::net::{Connected, Connector};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tlskit_wire::alert::Alert;
use tlskit_wire::handshake::{Certificate, HandshakeType, RawHandshake, ServerHello};
use tlskit_wire::record::{Message, MessageReader};
use tlskit_wire::sslv2::{ServerHelloV2, Sslv2Message};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::Semaphore;

/// Most bytes read in one probe (a certificate chain plus change; a stream beyond this is hostile).
pub const MAX_FLIGHT_BYTES: usize = 1 << 20;
/// Most handshake messages accepted in one flight.
pub const MAX_FLIGHT_MESSAGES: usize = 32;

/// The part of the server's first flight a scanner looks at.
#[derive(Debug, Clone)]
pub struct Flight {
    pub server_hello: ServerHello,
    /// Record-layer version of the record carrying the ServerHello (no check reads it yet; it
    /// shows in debug output).
    #[allow(dead_code)]
    pub record_version: u16,
    /// DER certificates from a TLS ≤ 1.2 Certificate message.
    pub certificates: Vec<Vec<u8>>,
    pub server_key_exchange: Option<RawHandshake>,
    /// Stapled OCSP response (CertificateStatus).
    pub ocsp_response: Option<Vec<u8>>,
    pub certificate_request: bool,
    /// The CertificateRequest's body, when one came (the client-auth check parses it).
    pub certificate_request_body: Option<Vec<u8>>,
    pub hello_done: bool,
    /// An alert that followed the ServerHello, if any.
    pub alert: Option<Alert>,
    /// Bytes the server sent.
    pub bytes: usize,
}

impl Flight {
    /// The negotiated version's wire code.
    pub fn version(&self) -> u16 {
        self.server_hello.selected_version()
    }
}

/// How a probe ended.
#[derive(Debug, Clone)]
pub enum Response {
    /// A ServerHello (or HelloRetryRequest) and what followed in the same flight.
    Hello(Box<Flight>),
    /// An SSLv2 SERVER-HELLO.
    Sslv2(Box<ServerHelloV2>),
    /// An SSLv2 ERROR message (code).
    Sslv2Error(u16),
    /// A fatal alert before any ServerHello.
    Alert(Alert),
    /// The server closed (or reset) the connection without answering.
    Closed { reset: bool },
    /// The server answered with something that is not TLS (a banner, HTTP …).
    NotTls(String),
    /// The server's bytes could not be parsed.
    Malformed(String),
    /// No complete answer within the timeout.
    Timeout,
}

impl Response {
    /// A short description for reports and errors.
    pub fn describe(&self) -> String {
        match self {
            Response::Hello(f) => {
                format!("ServerHello (suite 0x{:04x})", f.server_hello.cipher_suite)
            }
            Response::Sslv2(_) => "SSLv2 SERVER-HELLO".into(),
            Response::Sslv2Error(c) => format!("SSLv2 error {c}"),
            Response::Alert(a) => format!("{} alert", a.description.name()),
            Response::Closed { reset: true } => "connection reset".into(),
            Response::Closed { reset: false } => "connection closed without an answer".into(),
            Response::NotTls(s) => format!("not TLS: {s}"),
            Response::Malformed(s) => format!("malformed answer: {s}"),
            Response::Timeout => "no answer within the timeout".into(),
        }
    }

    /// Whether this looks like a refusal of what was offered (as opposed to a transport problem).
    pub fn is_refusal(&self) -> bool {
        // A reset is not an answer: a server that died or a middlebox can send one to anything.
        matches!(
            self,
            Response::Alert(_) | Response::Closed { reset: false } | Response::Sslv2Error(_)
        )
    }
}

/// Opens probe connections to one server, politely: at most `max_connections` at once.
pub struct Prober {
    connector: Connector,
    addr: SocketAddr,
    slots: Arc<Semaphore>,
    timeout: Duration,
    connections: AtomicU32,
    /// Connections that failed: refused or reset, or no answer within the timeout.
    failures: AtomicU32,
    /// Plaintext injected after STARTTLS go-aheads (first one seen).
    injected: std::sync::Mutex<Option<String>>,
    tick: Option<Arc<dyn Fn() + Send + Sync>>,
    /// Fingerprints of the ClientHellos the probes sent.
    hellos: std::sync::Mutex<crate::scan::report::ClientHellos>,
}

impl Prober {
    pub fn new(
        connector: Connector,
        addr: SocketAddr,
        max_connections: usize,
        timeout: Duration,
    ) -> Self {
        Prober {
            connector,
            addr,
            slots: Arc::new(Semaphore::new(max_connections.max(1))),
            timeout,
            connections: AtomicU32::new(0),
            failures: AtomicU32::new(0),
            injected: std::sync::Mutex::new(None),
            tick: None,
            hellos: Default::default(),
        }
    }

    /// Call `f` after every connection (for progress bars).
    pub fn on_connection(mut self, f: Arc<dyn Fn() + Send + Sync>) -> Self {
        self.tick = Some(f);
        self
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Connections opened so far.
    pub fn connections(&self) -> u32 {
        self.connections.load(Ordering::Relaxed)
    }

    /// Connections that failed so far (refused or reset, or no answer in time): a phase whose
    /// count grew could not ask everything it meant to.
    pub fn failures(&self) -> u32 {
        self.failures.load(Ordering::Relaxed)
    }

    /// Plaintext the server injected after a STARTTLS go-ahead, if ever.
    pub fn injected(&self) -> Option<String> {
        self.injected.lock().ok().and_then(|g| g.clone())
    }

    /// JA3 and JA4 of the ClientHellos sent so far by [`Prober::probe`].
    pub fn client_hellos(&self) -> crate::scan::report::ClientHellos {
        self.hellos.lock().map(|h| h.clone()).unwrap_or_default()
    }

    /// Note the fingerprints of a ClientHello about to be sent (a record carrying it whole).
    fn note_hello(&self, record: &[u8]) {
        let Some(len) = record
            .get(3..5)
            .map(|b| u16::from_be_bytes([b[0], b[1]]) as usize)
        else {
            return;
        };
        if record[0] != 22 {
            return;
        }
        let Some(msg) = record.get(5..5 + len) else {
            return;
        };
        let Ok(ch) = tlskit_wire::client_hello::ClientHello::parse_message(msg) else {
            return;
        };
        if let Ok(mut h) = self.hellos.lock() {
            h.add(&ch);
        }
    }

    /// A connection slot; hold it for the whole exchange.
    pub async fn slot(&self) -> tokio::sync::OwnedSemaphorePermit {
        self.slots
            .clone()
            .acquire_owned()
            .await
            .expect("the semaphore is never closed")
    }

    /// Open a connection (TCP and STARTTLS), counting it. The caller holds a slot.
    pub async fn open(&self) -> Result<Connected> {
        self.connections.fetch_add(1, Ordering::Relaxed);
        if let Some(t) = &self.tick {
            t();
        }
        let (c, transcript) = match self.connector.open(Some(self.addr)).await {
            Ok(c) => c,
            Err(e) => {
                self.failures.fetch_add(1, Ordering::Relaxed);
                return Err(e);
            }
        };
        if let Some(t) = transcript {
            if let Some(inj) = t.injected {
                if let Ok(mut g) = self.injected.lock() {
                    g.get_or_insert(inj);
                }
            }
        }
        Ok(c)
    }

    /// Send a TLS ClientHello (record bytes) and read the first flight. Retries once when the
    /// connection is reset or closed before any answer (servers under load do that).
    pub async fn probe(&self, hello: &[u8]) -> Result<Response> {
        let first = self.probe_once(hello, false).await?;
        if matches!(first, Response::Closed { reset: true }) {
            tokio::time::sleep(Duration::from_millis(50)).await;
            return self.probe_once(hello, false).await;
        }
        Ok(first)
    }

    /// Send an SSLv2 CLIENT-HELLO record and read the answer.
    pub async fn probe_sslv2(&self, hello: &[u8]) -> Result<Response> {
        self.probe_once(hello, true).await
    }

    async fn probe_once(&self, hello: &[u8], sslv2: bool) -> Result<Response> {
        let _slot = self.slot().await;
        let deadline = tokio::time::Instant::now() + self.timeout;
        let conn = match tokio::time::timeout_at(deadline, self.open()).await {
            Err(_) => {
                self.failures.fetch_add(1, Ordering::Relaxed);
                return Ok(Response::Timeout);
            }
            Ok(Err(e)) => {
                if e.kind() == ErrorKind::Network && e.message().contains("reset") {
                    return Ok(Response::Closed { reset: true });
                }
                return Err(e);
            }
            Ok(Ok(c)) => c,
        };
        let mut stream = conn.stream;
        if !sslv2 {
            self.note_hello(hello);
        }
        if let Err(e) = stream.write_all(hello).await {
            return Ok(match e.kind() {
                std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::BrokenPipe => {
                    Response::Closed { reset: true }
                }
                _ => Response::Closed { reset: false },
            });
        }
        let result = if sslv2 {
            read_sslv2(&mut stream, deadline).await
        } else {
            read_flight(&mut stream, deadline).await
        };
        if matches!(result, Response::Timeout | Response::Closed { reset: true }) {
            self.failures.fetch_add(1, Ordering::Relaxed);
        }
        // Close without ceremony: an RST-free FIN is enough, the server expects nothing more.
        let _ = stream.shutdown().await;
        Ok(result)
    }
}

/// Read TLS records until the first flight is complete.
pub async fn read_flight<R: tokio::io::AsyncRead + Unpin>(
    stream: &mut R,
    deadline: tokio::time::Instant,
) -> Response {
    let mut reader = MessageReader::with_max_message_size(256 * 1024);
    let mut buf = vec![0u8; 16 * 1024];
    let mut st = FlightState::default();
    let mut first_bytes: Vec<u8> = Vec::new();
    loop {
        let n = match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Err(_) => return finish(st.flight, Response::Timeout),
            Ok(Err(e)) => {
                let reset = matches!(
                    e.kind(),
                    std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::ConnectionAborted
                );
                return finish(st.flight, Response::Closed { reset });
            }
            Ok(Ok(0)) => return st.at_eof(&first_bytes, reader.is_idle()),
            Ok(Ok(n)) => n,
        };
        st.total += n;
        if first_bytes.len() < 64 {
            first_bytes.extend_from_slice(&buf[..n.min(64 - first_bytes.len())]);
        }
        if st.total > MAX_FLIGHT_BYTES {
            return finish(
                st.flight,
                Response::Malformed(format!(
                    "the server sent more than {} KiB without finishing its first flight",
                    MAX_FLIGHT_BYTES / 1024
                )),
            );
        }
        reader.push(&buf[..n]);
        loop {
            let msg = match reader.next_message() {
                Ok(Some(m)) => m,
                Ok(None) => break,
                Err(e) => {
                    if st.flight.is_none() {
                        if let Some(s) = not_tls(&first_bytes) {
                            return Response::NotTls(s);
                        }
                    }
                    return finish(st.flight, Response::Malformed(e.to_string()));
                }
            };
            if let Some(done) = st.on_message(msg) {
                return done;
            }
        }
    }
}

/// The first flight as it arrives.
#[derive(Default)]
struct FlightState {
    /// Set from the ServerHello on.
    flight: Option<Flight>,
    /// Handshake messages so far.
    messages: usize,
    /// Bytes read so far.
    total: usize,
}

impl FlightState {
    /// The server closed the connection.
    fn at_eof(self, first_bytes: &[u8], reader_idle: bool) -> Response {
        if self.flight.is_none() && !first_bytes.is_empty() {
            if let Some(s) = not_tls(first_bytes) {
                return Response::NotTls(s);
            }
        }
        if self.flight.is_none() && !reader_idle {
            // Half a record or half a message is a broken answer, not a refusal.
            return Response::Malformed(
                "the server closed the connection in the middle of a record".into(),
            );
        }
        finish(self.flight, Response::Closed { reset: false })
    }

    /// One message; `Some` when the answer is complete.
    fn on_message(&mut self, msg: Message) -> Option<Response> {
        match msg {
            Message::Alert(a) => match self.flight.as_mut() {
                Some(f) => {
                    if a.is_fatal() || f.alert.is_none() {
                        f.alert = Some(a);
                    }
                    a.is_fatal()
                        .then(|| Response::Hello(Box::new(self.flight.take().expect("flight"))))
                }
                // Warnings (e.g. unrecognized_name) before the hello: keep reading.
                None => a.is_fatal().then_some(Response::Alert(a)),
            },
            Message::Handshake {
                record_version,
                message,
            } => {
                self.messages += 1;
                if self.messages > MAX_FLIGHT_MESSAGES {
                    return Some(finish(
                        self.flight.take(),
                        Response::Malformed(
                            "the server sent an endless stream of handshake messages".into(),
                        ),
                    ));
                }
                match self.flight.as_mut() {
                    None => self.on_server_hello(record_version, message),
                    Some(f) => {
                        f.bytes = self.total;
                        add_to_flight(f, message)
                            .then(|| Response::Hello(Box::new(self.flight.take().expect("flight"))))
                    }
                }
            }
            // Resumption or TLS 1.3 encrypted flight: nothing more to see in clear.
            Message::ChangeCipherSpec(_) | Message::ApplicationData(_) => {
                self.flight.take().map(|f| Response::Hello(Box::new(f)))
            }
            _ => None,
        }
    }

    /// The first handshake message, which must be a ServerHello.
    fn on_server_hello(&mut self, record_version: u16, message: RawHandshake) -> Option<Response> {
        if message.typ != HandshakeType::ServerHello {
            return Some(Response::Malformed(format!(
                "expected a ServerHello, got {}",
                message.typ.name()
            )));
        }
        let sh = match ServerHello::parse(&message.body) {
            Ok(sh) => sh,
            Err(e) => return Some(Response::Malformed(format!("bad ServerHello: {e}"))),
        };
        let tls13 = sh.is_hello_retry_request() || sh.selected_version() >= 0x0304;
        let f = Flight {
            server_hello: sh,
            record_version,
            certificates: Vec::new(),
            server_key_exchange: None,
            ocsp_response: None,
            certificate_request: false,
            certificate_request_body: None,
            hello_done: false,
            alert: None,
            bytes: self.total,
        };
        if tls13 {
            return Some(Response::Hello(Box::new(f)));
        }
        self.flight = Some(f);
        None
    }
}

/// A handshake message after the ServerHello; true when it ends the flight (ServerHelloDone).
fn add_to_flight(f: &mut Flight, message: RawHandshake) -> bool {
    match message.typ {
        HandshakeType::Certificate => {
            if let Ok(c) = Certificate::parse_tls12(&message.body) {
                f.certificates = c.certs().map(|c| c.to_vec()).collect();
            }
        }
        HandshakeType::ServerKeyExchange => f.server_key_exchange = Some(message),
        // status_type ocsp(1) + u24 length + OCSPResponse
        HandshakeType::CertificateStatus if message.body.len() > 4 && message.body[0] == 1 => {
            f.ocsp_response = Some(message.body[4..].to_vec());
        }
        HandshakeType::CertificateRequest => {
            f.certificate_request = true;
            f.certificate_request_body = Some(message.body);
        }
        HandshakeType::ServerHelloDone => {
            f.hello_done = true;
            return true;
        }
        _ => {}
    }
    false
}

/// Once a ServerHello is in hand, a later problem still leaves a usable answer.
fn finish(flight: Option<Flight>, otherwise: Response) -> Response {
    match flight {
        Some(f) => Response::Hello(Box::new(f)),
        None => otherwise,
    }
}

/// Recognise a plaintext answer: a protocol banner, HTTP, SSH.
pub fn not_tls(first: &[u8]) -> Option<String> {
    if first.is_empty() || first[0] == 0x15 || first[0] == 0x16 || first[0] & 0x80 != 0 {
        return None;
    }
    let printable = first
        .iter()
        .take(32)
        .all(|b| b.is_ascii_graphic() || *b == b' ' || *b == b'\r' || *b == b'\n' || *b == b'\t');
    if !printable {
        return None;
    }
    let text = String::from_utf8_lossy(first);
    let line = text.lines().next().unwrap_or("").trim();
    let short: String = line.chars().take(60).collect();
    Some(format!(
        "the server answered in plaintext ({short:?}); is this a STARTTLS port? try -t PROTO"
    ))
}

async fn read_sslv2<R: tokio::io::AsyncRead + Unpin>(
    stream: &mut R,
    deadline: tokio::time::Instant,
) -> Response {
    let mut data = Vec::new();
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        match Sslv2Message::parse(&data) {
            Ok(Some((Sslv2Message::ServerHello(sh), _))) => return Response::Sslv2(Box::new(sh)),
            Ok(Some((Sslv2Message::Error(code), _))) => return Response::Sslv2Error(code),
            Ok(Some(_)) => return Response::Malformed("unexpected SSLv2 message".into()),
            Ok(None) => {}
            Err(_) => {
                // Probably a TLS alert or a TLS record: a server that does not speak SSLv2.
                if data.first() == Some(&0x15) && data.len() >= 7 {
                    return Response::Closed { reset: false };
                }
                if let Some(s) = not_tls(&data) {
                    return Response::NotTls(s);
                }
                return Response::Closed { reset: false };
            }
        }
        if data.len() > MAX_FLIGHT_BYTES {
            return Response::Malformed("SSLv2 answer too large".into());
        }
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Err(_) => return Response::Timeout,
            Ok(Err(e)) => {
                return Response::Closed {
                    reset: matches!(e.kind(), std::io::ErrorKind::ConnectionReset),
                }
            }
            Ok(Ok(0)) => return Response::Closed { reset: false },
            Ok(Ok(n)) => data.extend_from_slice(&buf[..n]),
        }
    }
}
