//! The server side: accept connections concurrently, handshake with a timeout, run one of the
//! modes (message, echo, HTTP, forward), and log one line per connection. The HTTP mode is in
//! `http.rs`; the listening socket and [`ReadAhead`] come from [`crate::net`].

mod http;

use super::config::ServerSetup;
use super::report::Negotiated;
use super::verify::{self, ErrorContext};
use crate::error::{Error, Result};
use crate::net::{self, ReadAhead, Target};
use serde::Serialize;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{
    AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt,
};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio_rustls::server::TlsStream;
use tokio_rustls::LazyConfigAcceptor;

/// What the server does once a handshake completes.
#[derive(Debug, Clone)]
pub enum Mode {
    /// Send a fixed message and close (safe_tls.py's server).
    Message(String),
    /// Send back whatever arrives.
    Echo,
    /// Answer HTTP/1.1 requests: a page describing the session, or files under `root`.
    Http { root: Option<PathBuf> },
    /// TLS offload: relay the decrypted stream to a plaintext backend.
    Forward(Target),
}

/// How the server runs.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub mode: Mode,
    /// Exit after the first connection.
    pub once: bool,
    /// A client must complete its handshake within this time, counted from the TCP accept (the
    /// wait for its first byte, the ClientHello, a handshake slot and the rest of the handshake).
    pub handshake_timeout: Duration,
    /// A connection with no traffic for this long is closed.
    pub idle_timeout: Duration,
    /// Connections served at once; further ones wait in the kernel's accept queue.
    pub max_connections: usize,
    /// Handshakes in flight at once, counted from a complete ClientHello to the end of the
    /// handshake: the CPU-heavy part. Clients that have not sent a whole ClientHello yet (idle or
    /// slow ones) do not hold a slot, so they cannot starve the others.
    pub max_handshakes: usize,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            mode: Mode::Message(DEFAULT_MESSAGE.to_string()),
            once: false,
            handshake_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            max_connections: DEFAULT_MAX_CONNECTIONS,
            max_handshakes: default_max_handshakes(),
        }
    }
}

/// Default bound on connections served at once.
pub const DEFAULT_MAX_CONNECTIONS: usize = net::DEFAULT_MAX_CONNECTIONS;

/// Default bound on handshakes in flight: 128 per core. A handshake costs well under a millisecond
/// of CPU, so this is far more than the cores can work on; its job is to cap the memory and CPU
/// that a flood of ClientHellos can take, not to queue ordinary load.
pub fn default_max_handshakes() -> usize {
    128 * std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

/// safe_tls.py's message.
pub const DEFAULT_MESSAGE: &str = "Simple is better than complex.";

/// One connection, as the log line reports it.
#[derive(Debug, Clone, Serialize)]
pub struct ConnectionLog {
    pub peer: String,
    pub sni: Option<String>,
    pub protocol: Option<String>,
    pub cipher_suite: Option<String>,
    pub cipher_suite_openssl: Option<String>,
    pub key_exchange_group: Option<String>,
    pub alpn: Option<String>,
    pub handshake: Option<String>,
    /// Subject and names of the client's certificate (mutual TLS).
    pub client_certificate: Option<String>,
    pub bytes_in: u64,
    pub bytes_out: u64,
    pub duration_ms: f64,
    /// HTTP requests served: "GET / 200".
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub requests: Vec<String>,
    pub error: Option<String>,
}

impl ConnectionLog {
    fn new(peer: SocketAddr) -> Self {
        ConnectionLog {
            peer: peer.to_string(),
            sni: None,
            protocol: None,
            cipher_suite: None,
            cipher_suite_openssl: None,
            key_exchange_group: None,
            alpn: None,
            handshake: None,
            client_certificate: None,
            bytes_in: 0,
            bytes_out: 0,
            duration_ms: 0.0,
            requests: Vec::new(),
            error: None,
        }
    }

    /// The log line: peer, SNI, protocol, suite, bytes, duration, or the error.
    pub fn line(&self) -> String {
        let mut s = format!("{} ", self.peer);
        if let Some(p) = &self.protocol {
            s.push_str(&format!(
                "sni={} {} {} group={} alpn={}",
                self.sni.as_deref().unwrap_or("-"),
                p,
                self.cipher_suite.as_deref().unwrap_or("?"),
                self.key_exchange_group.as_deref().unwrap_or("-"),
                self.alpn.as_deref().unwrap_or("-"),
            ));
            if self.handshake.as_deref() == Some("resumed") {
                s.push_str(" resumed");
            }
            if let Some(c) = &self.client_certificate {
                s.push_str(&format!(" client=[{c}]"));
            }
            for r in &self.requests {
                s.push_str(&format!(" \"{r}\""));
            }
            s.push_str(&format!(
                " in={} out={} {:.1}ms",
                self.bytes_in, self.bytes_out, self.duration_ms
            ));
        } else {
            if let Some(sni) = &self.sni {
                s.push_str(&format!("sni={sni} "));
            }
            s.push_str(&format!("{:.1}ms", self.duration_ms));
        }
        if let Some(e) = &self.error {
            s.push_str(&format!(" error: {e}"));
        }
        // SNI, ALPN, request lines and errors are the client's bytes: escaped, one line.
        crate::escape::text(&s)
    }
}

/// What a finished run did.
#[derive(Debug, Clone, Default)]
pub struct RunSummary {
    pub connections: u64,
    pub failed: u64,
    /// With `once`: the log of that one connection.
    pub last: Option<ConnectionLog>,
}

type LogFn = Arc<dyn Fn(&ConnectionLog) + Send + Sync>;

/// Serve until `shutdown` completes (or after one connection with `once`).
pub async fn run(
    listener: TcpListener,
    setup: Arc<ServerSetup>,
    opts: ServeOptions,
    on_connection: LogFn,
    shutdown: impl std::future::Future<Output = ()>,
) -> Result<RunSummary> {
    let config = setup.config.clone();
    let mut opts = opts;
    if let Mode::Http { root: Some(r) } = &mut opts.mode {
        if let Ok(c) = r.canonicalize() {
            *r = c;
        }
    }
    let opts = Arc::new(opts);
    let incoming = net::BoundedListener::new(listener, opts.max_connections);
    let handshakes = Arc::new(Semaphore::new(opts.max_handshakes.max(1)));
    let mut tasks: JoinSet<ConnectionLog> = JoinSet::new();
    let mut summary = RunSummary::default();
    let failed = Arc::new(AtomicU64::new(0));
    tokio::pin!(shutdown);
    let mut accepting = true;
    while accepting {
        let Some((tcp, peer, slot)) = incoming.accept(&mut tasks, shutdown.as_mut()).await else {
            break;
        };
        summary.connections += 1;
        let config = config.clone();
        let handshakes = handshakes.clone();
        let opts2 = opts.clone();
        let log_fn = on_connection.clone();
        let failed2 = failed.clone();
        tasks.spawn(async move {
            let log = handle(tcp, peer, config, handshakes, &opts2, &slot).await;
            if log.error.is_some() {
                failed2.fetch_add(1, Ordering::Relaxed);
            }
            log_fn(&log);
            drop(slot);
            log
        });
        if opts.once {
            accepting = false;
        }
    }
    drop(incoming);
    // Let connections in flight finish, within a grace period.
    let grace = if opts.once {
        opts.idle_timeout + opts.handshake_timeout
    } else {
        Duration::from_secs(5)
    };
    let deadline = tokio::time::Instant::now() + grace;
    loop {
        match tokio::time::timeout_at(deadline, tasks.join_next()).await {
            Ok(Some(Ok(log))) => summary.last = Some(log),
            Ok(Some(Err(_))) => {}
            Ok(None) => break,
            Err(_) => {
                tasks.abort_all();
                break;
            }
        }
    }
    summary.failed = failed.load(Ordering::Relaxed);
    Ok(summary)
}

/// Counts application bytes in each direction.
#[derive(Default)]
struct Counters {
    bytes_in: u64,
    bytes_out: u64,
}

/// The handshake, in three steps that each hold as little as possible:
/// 1. wait for the client's first byte holding only the socket (an idle client costs no TLS state);
/// 2. read the ClientHello (a small buffer, no crypto);
/// 3. take a handshake slot and finish the handshake (the expensive part).
///
/// One deadline, `handshake_timeout` after the accept, bounds all three.
async fn accept_tls(
    tcp: TcpStream,
    peer: SocketAddr,
    config: Arc<rustls::ServerConfig>,
    handshakes: &Semaphore,
    opts: &ServeOptions,
    log: &mut ConnectionLog,
    slot: &net::Slot,
) -> std::result::Result<(TlsStream<ReadAhead>, Option<TcpStream>), String> {
    let timeout = opts.handshake_timeout;
    let backend = match &opts.mode {
        Mode::Forward(b) => Some(b),
        _ => None,
    };
    let deadline = tokio::time::Instant::now() + timeout;
    let late = |what: &str| {
        format!(
            "{what} within {} (handshake timeout)",
            net::fmt_duration(timeout)
        )
    };
    let failed = |e: std::io::Error| {
        let ctx = ErrorContext {
            peer: peer.to_string(),
            server_side: true,
            ..Default::default()
        };
        format!(
            "handshake failed: {}",
            verify::io_error(&e, &ctx, "TLS handshake")
        )
    };
    // peek, not readable(): readiness can be reported before any byte has arrived.
    let mut first = [0u8; 1];
    let spoke = tokio::select! {
        r = tokio::time::timeout_at(deadline, tcp.peek(&mut first)) => r,
        _ = slot.evicted() => return Err(net::EVICTED.to_string()),
    };
    match spoke {
        Err(_) => return Err(late("no ClientHello")),
        Ok(Err(e)) => return Err(failed(e)),
        Ok(Ok(0)) => {
            return Err(
                "the client closed the connection without sending a ClientHello".to_string(),
            )
        }
        Ok(Ok(_)) => {}
    }
    let hello = LazyConfigAcceptor::new(rustls::server::Acceptor::default(), ReadAhead::new(tcp));
    let hello = tokio::select! {
        r = tokio::time::timeout_at(deadline, hello) => r,
        _ = slot.evicted() => return Err(net::EVICTED.to_string()),
    };
    slot.established();
    let start = match hello {
        Err(_) => return Err(late("ClientHello not completed")),
        Ok(Err(e)) => return Err(failed(e)),
        Ok(Ok(s)) => s,
    };
    log.sni = start.client_hello().server_name().map(str::to_string);
    let mut start = start;
    let up = match backend {
        None => None,
        Some(b) => match connect_backend(b, deadline).await {
            Ok(up) => Some(up),
            Err(e) => {
                // Before the ServerHello an alert is plaintext: tell the client (internal_error)
                // rather than closing as if all were well.
                let _ = start
                    .io
                    .write_all(&[0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 80])
                    .await;
                let _ = start.io.shutdown().await;
                return Err(e);
            }
        },
    };
    let slot = match tokio::time::timeout_at(deadline, handshakes.acquire()).await {
        Err(_) => return Err(late("server busy: no handshake slot free")),
        Ok(p) => p.expect("semaphore is never closed"),
    };
    let tls = match tokio::time::timeout_at(deadline, start.into_stream(config)).await {
        Err(_) => return Err(late("handshake not completed")),
        Ok(Err(e)) => return Err(failed(e)),
        Ok(Ok(s)) => s,
    };
    drop(slot);
    Ok((tls, up))
}

/// Connect to the `--forward` backend within the handshake deadline (at most 10 s).
async fn connect_backend(
    backend: &Target,
    deadline: tokio::time::Instant,
) -> std::result::Result<TcpStream, String> {
    let left = deadline
        .saturating_duration_since(tokio::time::Instant::now())
        .min(Duration::from_secs(10));
    net::connect(backend, left)
        .await
        .map(|c| c.stream)
        .map_err(|e| {
            format!(
                "backend {backend}: {}; the client got an internal_error alert",
                e.message()
            )
        })
}

async fn handle(
    tcp: TcpStream,
    peer: SocketAddr,
    config: Arc<rustls::ServerConfig>,
    handshakes: Arc<Semaphore>,
    opts: &ServeOptions,
    slot: &net::Slot,
) -> ConnectionLog {
    let started = Instant::now();
    let mut log = ConnectionLog::new(peer);
    let (mut tls, up) = match accept_tls(tcp, peer, config, &handshakes, opts, &mut log, slot).await
    {
        Ok(s) => s,
        Err(e) => {
            log.error = Some(e);
            log.duration_ms = net::millis(started.elapsed());
            return log;
        }
    };
    {
        let conn = tls.get_ref().1;
        let n = Negotiated::from_state(conn);
        log.sni = conn.server_name().map(str::to_string);
        log.protocol = Some(n.protocol.clone());
        log.cipher_suite = Some(n.cipher_suite.name.clone());
        log.cipher_suite_openssl = n.cipher_suite.openssl_name.clone();
        log.key_exchange_group = n.key_exchange_group.clone();
        log.alpn = n.alpn.clone();
        log.handshake = Some(n.handshake.clone());
        log.client_certificate = conn
            .peer_certificates()
            .and_then(|c| c.first())
            .map(|c| client_names(c.as_ref()));
    }
    let mut counters = Counters::default();
    let result = match &opts.mode {
        Mode::Message(m) => send_message(&mut tls, m, opts.idle_timeout, &mut counters).await,
        Mode::Echo => echo(&mut tls, opts.idle_timeout, &mut counters).await,
        Mode::Http { root } => {
            http::serve_http(
                &mut tls,
                root.as_deref(),
                opts.idle_timeout,
                &mut counters,
                &mut log,
            )
            .await
        }
        Mode::Forward(_) => match up {
            Some(up) => forward(&mut tls, up, opts.idle_timeout, &mut counters).await,
            None => Ok(()),
        },
    };
    // The connection's life: until its mode ended (not the grace given to the close below).
    log.duration_ms = net::millis(started.elapsed());
    // close_notify, then give the client a moment to read it before the socket closes.
    let _ = tokio::time::timeout(Duration::from_secs(2), tls.shutdown()).await;
    if let Err(e) = result {
        log.error = Some(e.to_string());
    }
    log.bytes_in = counters.bytes_in;
    log.bytes_out = counters.bytes_out;
    log
}

/// "CN=alice; DNS:alice.example" — who the client certificate says the client is.
fn client_names(der: &[u8]) -> String {
    match crate::pki::inspect::CertInfo::from_der(der) {
        Ok(info) => {
            let mut parts = vec![info.subject.clone()];
            parts.extend(super::report::san_names(&info));
            parts.join("; ")
        }
        Err(_) => "(unparsable certificate)".to_string(),
    }
}

fn io_err(e: std::io::Error, during: &str) -> Error {
    let ctx = ErrorContext {
        server_side: true,
        ..Default::default()
    };
    verify::io_error(&e, &ctx, during)
}

/// Write all of `data` (and flush, with `flush`), unless the client takes nothing for `idle`: a
/// client that stops reading must not hold its connection and buffers for ever.
async fn write_within<W: AsyncWrite + Unpin>(
    w: &mut W,
    data: &[u8],
    flush: bool,
    idle: Duration,
    what: &str,
) -> Result<()> {
    let io = async {
        w.write_all(data).await?;
        if flush {
            w.flush().await?;
        }
        Ok::<(), std::io::Error>(())
    };
    match tokio::time::timeout(idle, io).await {
        Err(_) => Err(Error::network(format!(
            "{what}: the client read nothing for {}; closed",
            net::fmt_duration(idle)
        ))),
        Ok(Err(e)) => Err(io_err(e, what)),
        Ok(Ok(())) => Ok(()),
    }
}

async fn send_message<S: AsyncWrite + AsyncRead + Unpin>(
    s: &mut S,
    msg: &str,
    idle: Duration,
    c: &mut Counters,
) -> Result<()> {
    write_within(s, msg.as_bytes(), true, idle, "sending the message").await?;
    c.bytes_out += msg.len() as u64;
    Ok(())
}

/// Echo what arrives, straight out of rustls' plaintext buffer: an idle echo connection holds no
/// buffer of its own.
async fn echo<S: AsyncBufRead + AsyncWrite + Unpin>(
    s: &mut S,
    idle: Duration,
    c: &mut Counters,
) -> Result<()> {
    loop {
        let chunk = match tokio::time::timeout(idle, s.fill_buf()).await {
            Err(_) => {
                return Err(Error::network(format!(
                    "idle for {}; closed",
                    net::fmt_duration(idle)
                )))
            }
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(()),
            Ok(Err(e)) => return Err(io_err(e, "echo")),
            Ok(Ok([])) => return Ok(()),
            Ok(Ok(b)) => b.to_vec(),
        };
        s.consume(chunk.len());
        c.bytes_in += chunk.len() as u64;
        write_within(s, &chunk, true, idle, "echo").await?;
        c.bytes_out += chunk.len() as u64;
    }
}

/// Relay between the client and the backend until either side ends, or until nothing passes in
/// either direction for `idle` (`--idle-timeout`, like the other modes).
async fn forward(
    tls: &mut TlsStream<ReadAhead>,
    up: TcpStream,
    idle: Duration,
    c: &mut Counters,
) -> Result<()> {
    let (mut cr, mut cw) = tokio::io::split(tls);
    let (mut ur, mut uw) = up.into_split();
    let mut a = vec![0u8; 16 * 1024];
    let mut b = vec![0u8; 16 * 1024];
    let mut client_open = true;
    loop {
        tokio::select! {
            r = cr.read(&mut a), if client_open => match r {
                Ok(0) => { client_open = false; let _ = uw.shutdown().await; }
                Ok(n) => {
                    write_within(&mut uw, &a[..n], false, idle, "forwarding to the backend").await?;
                    c.bytes_in += n as u64;
                }
                Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(()),
                Err(e) => return Err(io_err(e, "forwarding")),
            },
            r = ur.read(&mut b) => match r {
                Ok(0) => return Ok(()),
                Ok(n) => {
                    write_within(&mut cw, &b[..n], true, idle, "forwarding to the client").await?;
                    c.bytes_out += n as u64;
                }
                Err(e) => return Err(Error::network(format!("the backend: {e}"))),
            },
            _ = tokio::time::sleep(idle) => {
                return Err(Error::network(format!(
                    "no traffic for {}; closed (--idle-timeout)",
                    net::fmt_duration(idle)
                )))
            }
        }
    }
}
