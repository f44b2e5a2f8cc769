//! The server side: accept connections concurrently, handshake with a timeout, run one of the
//! modes (message, echo, HTTP, forward), and log one line per connection.

use super::config::ServerSetup;
use super::report::{Negotiated, SuiteReport};
use super::verify::{self, ErrorContext};
use crate::error::{Error, Result};
use crate::http;
use crate::net::{self, Target};
use serde::Serialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{
    AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt,
};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
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

/// Ignore SIGPIPE from now on, for the whole process.
///
/// tokio-rustls hands rustls' records to the socket with `writev`, which (unlike `send` with
/// MSG_NOSIGNAL) raises SIGPIPE when the peer has already gone. With the default action that
/// signal kills the process: one client that closes right after its handshake, while the server
/// is still sending its session tickets, would stop the whole server. Servers and load generators
/// call this first; afterwards a write to a closed stdout fails instead of killing the process,
/// so they print with functions that ignore that failure.
pub fn ignore_sigpipe() {
    #[cfg(unix)]
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_IGN);
    }
}

/// Raise the soft limit on open files to the hard limit, so that thousands of connections fit.
/// Returns the new soft limit (or the old one when it cannot be raised).
#[allow(clippy::unnecessary_cast)] // rlim_t is not u64 everywhere
pub fn raise_open_files_limit() -> Option<u64> {
    #[cfg(unix)]
    unsafe {
        let mut lim = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
            return None;
        }
        if lim.rlim_cur < lim.rlim_max {
            let old = lim.rlim_cur;
            lim.rlim_cur = lim.rlim_max;
            if libc::setrlimit(libc::RLIMIT_NOFILE, &lim) != 0 {
                return Some(old as u64);
            }
        }
        Some(lim.rlim_cur as u64)
    }
    #[cfg(not(unix))]
    None
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

/// Bind a listening socket. HOST may be `''` (all IPv4 interfaces, like Python), `0.0.0.0`, `::`,
/// an address, or a name that resolves locally.
pub async fn bind(host: &str, port: u16) -> Result<TcpListener> {
    let host = host.trim().trim_start_matches('[').trim_end_matches(']');
    let addrs: Vec<SocketAddr> = if host.is_empty() || host == "*" {
        vec![SocketAddr::from(([0, 0, 0, 0], port))]
    } else {
        net::resolve(&Target::new(host, port)).await?
    };
    let mut last = None;
    for addr in addrs {
        match listen_on(addr) {
            Ok(l) => return Ok(l),
            Err(e) => last = Some((addr, e)),
        }
    }
    let (addr, e) = last.expect("at least one address");
    let why = match e.kind() {
        std::io::ErrorKind::AddrInUse => "address already in use (another server is listening there; stop it or choose another port)".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied (ports below 1024 need root; choose a port above 1023)".to_string(),
        std::io::ErrorKind::AddrNotAvailable => "that address is not on this machine".to_string(),
        _ => e.to_string(),
    };
    Err(Error::network(format!("cannot listen on {addr}: {why}")))
}

/// A listening socket with SO_REUSEADDR and a deep accept queue (bursts of thousands of
/// connections wait in the kernel instead of being refused).
fn listen_on(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    #[cfg(unix)]
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(LISTEN_BACKLOG)
}

/// The accept queue asked of the kernel (it caps it at net.core.somaxconn).
const LISTEN_BACKLOG: u32 = 4096;

/// A TCP stream that reads ahead in large chunks while data streams in.
///
/// rustls asks its transport for about 4 KiB per read, so a bulk transfer would cost one system
/// call per 4 KiB. When a read fills all that rustls asked for, more is probably waiting: from then
/// on this reads up to 64 KiB at once into a buffer of its own and hands it out in the sizes
/// rustls asks for, until a read finds the socket drained. The buffer exists only while it holds
/// data, so an idle connection keeps none, and small messages (handshakes, HTTP requests) are read
/// directly as before.
#[derive(Debug)]
pub struct ReadAhead {
    tcp: TcpStream,
    buf: Vec<u8>,
    pos: usize,
    streaming: bool,
}

/// Largest read-ahead: four TLS records.
const READ_AHEAD: usize = 64 * 1024;

impl ReadAhead {
    pub fn new(tcp: TcpStream) -> Self {
        ReadAhead {
            tcp,
            buf: Vec::new(),
            pos: 0,
            streaming: false,
        }
    }

    pub fn get_ref(&self) -> &TcpStream {
        &self.tcp
    }
}

impl AsyncRead for ReadAhead {
    fn poll_read(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        out: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        use std::task::Poll;
        let this = self.get_mut();
        if this.pos < this.buf.len() {
            let n = out.remaining().min(this.buf.len() - this.pos);
            out.put_slice(&this.buf[this.pos..this.pos + n]);
            this.pos += n;
            if this.pos == this.buf.len() {
                this.buf = Vec::new();
                this.pos = 0;
            }
            return Poll::Ready(Ok(()));
        }
        let want = out.remaining();
        if !this.streaming || want >= READ_AHEAD {
            let before = out.filled().len();
            match std::pin::Pin::new(&mut this.tcp).poll_read(cx, out) {
                Poll::Ready(Ok(())) => {
                    this.streaming = want > 0 && out.filled().len() - before == want;
                    return Poll::Ready(Ok(()));
                }
                other => return other,
            }
        }
        loop {
            // Allocate only once data is there: a stream waiting for its peer holds no buffer.
            match this.tcp.poll_read_ready(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Ready(Ok(())) => {}
            }
            let mut buf = Vec::with_capacity(READ_AHEAD);
            match this.tcp.try_read_buf(&mut buf) {
                Ok(n) => {
                    this.streaming = n == READ_AHEAD;
                    let k = n.min(want);
                    out.put_slice(&buf[..k]);
                    if k < n {
                        this.buf = buf;
                        this.pos = k;
                    }
                    return Poll::Ready(Ok(()));
                }
                // Stale readiness: poll again, which registers for the next wake-up.
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
                Err(e) => return Poll::Ready(Err(e)),
            }
        }
    }
}

impl AsyncWrite for ReadAhead {
    fn poll_write(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        std::pin::Pin::new(&mut self.get_mut().tcp).poll_write(cx, buf)
    }
    fn poll_write_vectored(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> std::task::Poll<std::io::Result<usize>> {
        std::pin::Pin::new(&mut self.get_mut().tcp).poll_write_vectored(cx, bufs)
    }
    fn is_write_vectored(&self) -> bool {
        self.tcp.is_write_vectored()
    }
    fn poll_flush(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.get_mut().tcp).poll_flush(cx)
    }
    fn poll_shutdown(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.get_mut().tcp).poll_shutdown(cx)
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
            serve_http(
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

/// Request bodies up to this size are kept (and shown on the session page); larger ones are read
/// and discarded as they arrive, so an upload of any size costs no memory.
const MAX_BODY_KEPT: u64 = 1 << 20;

/// Files up to this size are read into memory at once; larger ones are streamed.
const SMALL_FILE: u64 = 64 * 1024;

/// Files are sent in chunks of this size, read ahead by a blocking reader thread.
const FILE_CHUNK: usize = 256 * 1024;

/// One parsed request with its body.
struct Request {
    head: http::RequestHead,
    body: Vec<u8>,
    /// Length of the body, also when it was too large to keep.
    body_len: u64,
}

async fn read_request<R: AsyncBufRead + Unpin>(
    r: &mut R,
    idle: Duration,
    c: &mut Counters,
) -> Result<Option<Request>> {
    let mut head = Vec::new();
    loop {
        let mut line = Vec::new();
        let n = match tokio::time::timeout(
            idle,
            (&mut *r)
                .take(http::MAX_HEAD as u64)
                .read_until(b'\n', &mut line),
        )
        .await
        {
            Err(_) => {
                if head.is_empty() {
                    return Ok(None); // idle keep-alive connection: close quietly
                }
                return Err(Error::protocol("client stopped in the middle of a request"));
            }
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof && head.is_empty() => {
                return Ok(None)
            }
            Ok(Err(e)) => return Err(io_err(e, "reading the HTTP request")),
            Ok(Ok(n)) => n,
        };
        if n == 0 {
            if head.is_empty() {
                return Ok(None);
            }
            return Err(Error::protocol(
                "client closed the connection in the middle of a request",
            ));
        }
        c.bytes_in += n as u64;
        head.extend_from_slice(&line);
        if head.len() > http::MAX_HEAD {
            return Err(Error::protocol("HTTP request head larger than 64 KiB"));
        }
        if line == b"\r\n" || line == b"\n" {
            if head.len() == line.len() {
                head.clear(); // tolerate stray blank lines between requests
                continue;
            }
            break;
        }
    }
    let head = http::parse_request_head(&head)?;
    let (body, body_len) = match http::request_framing(&head.headers)? {
        http::Framing::None | http::Framing::UntilClose => (Vec::new(), 0),
        http::Framing::Length(len) if len <= MAX_BODY_KEPT => {
            let mut body = vec![0u8; len as usize];
            tokio::time::timeout(idle, r.read_exact(&mut body))
                .await
                .map_err(|_| Error::protocol("client stopped sending the request body"))?
                .map_err(|e| io_err(e, "reading the request body"))?;
            (body, len)
        }
        http::Framing::Length(len) => {
            discard(r, len, idle).await?;
            (Vec::new(), len)
        }
        http::Framing::Chunked => read_chunked(r, idle).await?,
    };
    c.bytes_in += body_len;
    Ok(Some(Request {
        head,
        body,
        body_len,
    }))
}

/// Read a chunked request body with the one chunked decoder; keep at most [`MAX_BODY_KEPT`].
async fn read_chunked<R: AsyncBufRead + Unpin>(
    r: &mut R,
    idle: Duration,
) -> Result<(Vec<u8>, u64)> {
    let mut dec = http::ChunkedDecoder::new();
    let mut body = Vec::new();
    let mut len = 0u64;
    while !dec.done() {
        let buf = match tokio::time::timeout(idle, r.fill_buf()).await {
            Err(_) => return Err(Error::protocol("client stopped sending the request body")),
            Ok(Err(e)) => return Err(io_err(e, "reading the request body")),
            Ok(Ok([])) => {
                return Err(Error::protocol(
                    "client closed the connection in the middle of the request body",
                ))
            }
            Ok(Ok(b)) => b,
        };
        let used = dec.push(buf, &mut |b| {
            len += b.len() as u64;
            let room = (MAX_BODY_KEPT as usize).saturating_sub(body.len());
            body.extend_from_slice(&b[..b.len().min(room)]);
        })?;
        r.consume(used);
    }
    Ok((body, len))
}

/// Read and drop `len` bytes of a request body, chunk by chunk, straight from rustls' buffer.
async fn discard<R: AsyncBufRead + Unpin>(r: &mut R, mut len: u64, idle: Duration) -> Result<()> {
    while len > 0 {
        let n = match tokio::time::timeout(idle, r.fill_buf()).await {
            Err(_) => return Err(Error::protocol("client stopped sending the request body")),
            Ok(Err(e)) => return Err(io_err(e, "reading the request body")),
            Ok(Ok([])) => {
                return Err(Error::protocol(
                    "client closed the connection in the middle of the request body",
                ))
            }
            Ok(Ok(b)) => b.len().min(len.try_into().unwrap_or(usize::MAX)),
        };
        r.consume(n);
        len -= n as u64;
    }
    Ok(())
}

async fn serve_http(
    tls: &mut TlsStream<ReadAhead>,
    root: Option<&Path>,
    idle: Duration,
    c: &mut Counters,
    log: &mut ConnectionLog,
) -> Result<()> {
    let session = SessionFacts::from_conn(tls.get_ref().1, log);
    // No BufReader: the TLS stream buffers plaintext itself, so a keep-alive connection waiting for
    // its next request holds no read buffer of ours.
    loop {
        let req = match read_request(tls, idle, c).await {
            Ok(Some(req)) => req,
            Ok(None) => return Ok(()),
            Err(e) => {
                let body = Body::Bytes(e.to_string().into_bytes());
                let how = Sending {
                    idle,
                    close: true,
                    head_only: false,
                };
                let _ = write_response(tls, 400, "text/plain; charset=utf-8", body, how, c).await;
                return Err(e);
            }
        };
        let close = http::header(&req.head.headers, "connection")
            .is_some_and(|v| v.eq_ignore_ascii_case("close"))
            || req.head.version == "HTTP/1.0";
        let head_only = req.head.method == "HEAD";
        let (status, ctype, body) = match req.head.method.as_str() {
            "GET" | "HEAD" | "POST" => match root {
                Some(root) if req.head.method != "POST" => {
                    static_file(root, &req.head.target).await
                }
                _ => (
                    200,
                    "text/html; charset=utf-8".to_string(),
                    Body::Bytes(session_page(&session, &req).into_bytes()),
                ),
            },
            _ => (
                405,
                "text/plain; charset=utf-8".to_string(),
                Body::Bytes(b"method not allowed\n".to_vec()),
            ),
        };
        log.requests.push(format!(
            "{} {} {}",
            req.head.method, req.head.target, status
        ));
        let how = Sending {
            idle,
            close,
            head_only,
        };
        write_response(tls, status, &ctype, body, how, c).await?;
        if close {
            return Ok(());
        }
    }
}

/// A response body: bytes in memory, or a file streamed from disk.
enum Body {
    Bytes(Vec<u8>),
    File { file: std::fs::File, len: u64 },
}

impl Body {
    fn len(&self) -> u64 {
        match self {
            Body::Bytes(b) => b.len() as u64,
            Body::File { len, .. } => *len,
        }
    }
}

/// How a response is sent: the idle bound on each write, and whether the connection closes after it.
struct Sending {
    idle: Duration,
    close: bool,
    head_only: bool,
}

async fn write_response<W: AsyncWrite + Unpin>(
    w: &mut W,
    status: u16,
    ctype: &str,
    body: Body,
    how: Sending,
    c: &mut Counters,
) -> Result<()> {
    let Sending {
        idle,
        close,
        head_only,
    } = how;
    let head = format!(
        "HTTP/1.1 {status} {}\r\nServer: tlskit/{}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: {}\r\n\r\n",
        http::reason(status),
        env!("CARGO_PKG_VERSION"),
        body.len(),
        if close { "close" } else { "keep-alive" }
    );
    let mut out = head.into_bytes();
    const WHAT: &str = "sending the HTTP response";
    match body {
        Body::Bytes(b) => {
            if !head_only {
                out.extend_from_slice(&b);
            }
            // Before a close, no flush of its own: close_notify follows in the same write.
            write_within(w, &out, !close, idle, WHAT).await?;
            c.bytes_out += out.len() as u64;
        }
        Body::File { file, len } => {
            write_within(w, &out, false, idle, WHAT).await?;
            c.bytes_out += out.len() as u64;
            if !head_only {
                send_file(w, file, len, idle, c).await?;
            }
            write_within(w, &[], true, idle, WHAT).await?;
        }
    }
    Ok(())
}

/// Stream `len` bytes of `file`: a blocking thread reads ahead into a few buffers that go round
/// between it and this task (allocated once per file, not per chunk), so disk reads and TLS writes
/// overlap and the allocator is left alone.
async fn send_file<W: AsyncWrite + Unpin>(
    w: &mut W,
    file: std::fs::File,
    len: u64,
    idle: Duration,
    c: &mut Counters,
) -> Result<()> {
    const BUFFERS: usize = 3;
    let (full_tx, mut full_rx) =
        tokio::sync::mpsc::channel::<std::io::Result<(Vec<u8>, usize)>>(BUFFERS);
    let (empty_tx, empty_rx) = std::sync::mpsc::channel::<Vec<u8>>();
    for _ in 0..BUFFERS {
        let _ = empty_tx.send(vec![0u8; FILE_CHUNK]);
    }
    let reader = tokio::task::spawn_blocking(move || {
        use std::io::Read;
        let mut file = file.take(len);
        // Ends when the file is read, or when the sending task has gone (dropped its channels).
        while let Ok(mut buf) = empty_rx.recv() {
            let r = file.read(&mut buf).map(|n| (buf, n));
            let stop = !matches!(&r, Ok((_, n)) if *n > 0);
            if full_tx.blocking_send(r).is_err() || stop {
                return;
            }
        }
    });
    let mut sent = 0u64;
    let result = loop {
        match full_rx.recv().await {
            None | Some(Ok(_)) if sent >= len => break Ok(()),
            Some(Ok((_, 0))) => {
                break Err(Error::other(format!(
                    "the file shrank while it was being sent ({sent} of {len} bytes)"
                )));
            }
            Some(Ok((buf, n))) => {
                if let Err(e) = write_within(w, &buf[..n], false, idle, "sending the file").await {
                    break Err(e);
                }
                sent += n as u64;
                c.bytes_out += n as u64;
                let _ = empty_tx.send(buf);
            }
            Some(Err(e)) => break Err(Error::other(format!("reading the file: {e}"))),
            None => break Err(Error::other("the file reader stopped")),
        }
    };
    drop(full_rx);
    drop(empty_tx);
    let _ = reader.await;
    result
}

fn content_type(path: &Path) -> &'static str {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
        .as_deref()
    {
        Some("html") | Some("htm") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js") | Some("mjs") => "text/javascript; charset=utf-8",
        Some("json") => "application/json",
        Some("txt") | Some("md") => "text/plain; charset=utf-8",
        Some("png") => "image/png",
        Some("jpg") | Some("jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("svg") => "image/svg+xml",
        Some("ico") => "image/x-icon",
        Some("pdf") => "application/pdf",
        Some("wasm") => "application/wasm",
        _ => "application/octet-stream",
    }
}

/// A file under `root`, never outside it.
async fn static_file(root: &Path, target: &str) -> (u16, String, Body) {
    let text = |status: u16, msg: &str| {
        (
            status,
            "text/plain; charset=utf-8".to_string(),
            Body::Bytes(msg.as_bytes().to_vec()),
        )
    };
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let decoded = http::percent_decode(path, false);
    if decoded.split('/').any(|seg| seg == "..") || decoded.contains('\0') {
        return text(403, "forbidden\n");
    }
    let mut full = root.join(decoded.trim_start_matches('/'));
    if full.is_dir() {
        full = full.join("index.html");
    }
    let Ok(canon) = full.canonicalize() else {
        return text(404, "not found\n");
    };
    // `root` was made canonical once, when the server started.
    if !canon.starts_with(root) {
        return text(403, "forbidden\n");
    }
    // Small files are read at once (from the page cache this takes microseconds, less than a hop
    // to the blocking pool); large ones are streamed by send_file.
    let opened = std::fs::File::open(&canon).and_then(|f| {
        let meta = f.metadata()?;
        Ok((f, meta))
    });
    match opened {
        Ok((mut file, meta)) if meta.is_file() => {
            let ctype = content_type(&canon).to_string();
            if meta.len() <= SMALL_FILE {
                use std::io::Read;
                let mut bytes = Vec::with_capacity(meta.len() as usize);
                match file.read_to_end(&mut bytes) {
                    Ok(_) => (200, ctype, Body::Bytes(bytes)),
                    Err(_) => text(404, "not found\n"),
                }
            } else {
                (
                    200,
                    ctype,
                    Body::File {
                        file,
                        len: meta.len(),
                    },
                )
            }
        }
        _ => text(404, "not found\n"),
    }
}

/// Session details shown on the default page.
struct SessionFacts {
    negotiated: Negotiated,
    sni: Option<String>,
    client_cert: Option<String>,
    peer: String,
}

impl SessionFacts {
    fn from_conn(conn: &rustls::ServerConnection, log: &ConnectionLog) -> Self {
        SessionFacts {
            negotiated: Negotiated::from_state(conn),
            sni: conn.server_name().map(str::to_string),
            client_cert: log.client_certificate.clone(),
            peer: log.peer.clone(),
        }
    }
}

fn session_page(s: &SessionFacts, req: &Request) -> String {
    let e = http::html_escape;
    let n = &s.negotiated;
    let cs: &SuiteReport = &n.cipher_suite;
    let mut rows = vec![
        ("Client address", s.peer.clone()),
        (
            "Server name (SNI)",
            s.sni.clone().unwrap_or_else(|| "(none sent)".into()),
        ),
        ("Protocol", n.protocol.clone()),
        (
            "Cipher suite",
            format!(
                "{} (OpenSSL: {})",
                cs.name,
                cs.openssl_name.as_deref().unwrap_or("-")
            ),
        ),
        (
            "Encryption",
            format!("{}, {}-bit key, MAC {}", cs.enc, cs.bits, cs.mac),
        ),
        (
            "Key exchange group",
            n.key_exchange_group.clone().unwrap_or_else(|| "-".into()),
        ),
        (
            "Forward secrecy",
            if n.forward_secrecy {
                "yes".into()
            } else {
                "no".into()
            },
        ),
        ("ALPN", n.alpn.clone().unwrap_or_else(|| "(none)".into())),
        ("Handshake", n.handshake.replace('_', " ")),
        ("Compression", n.compression.clone()),
        (
            "Client certificate",
            s.client_cert.clone().unwrap_or_else(|| "(none)".into()),
        ),
    ];
    rows.push((
        "Request",
        format!(
            "{} {} {}",
            req.head.method, req.head.target, req.head.version
        ),
    ));
    let mut html = String::from(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>tlskit serve</title>\n<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td{border:1px solid #ccc;padding:4px 8px}td:first-child{font-weight:bold}</style></head><body>\n<h1>Hello over TLS</h1>\n<p id=\"summary\">",
    );
    html.push_str(&e(&format!("{} with {}", n.protocol, cs.name)));
    html.push_str("</p>\n<h2>This session</h2>\n<table id=\"session\">\n");
    for (k, v) in rows {
        html.push_str(&format!("<tr><td>{}</td><td>{}</td></tr>\n", e(k), e(&v)));
    }
    html.push_str("</table>\n<h2>Request headers</h2>\n<table id=\"headers\">\n");
    for (k, v) in &req.head.headers {
        html.push_str(&format!("<tr><td>{}</td><td>{}</td></tr>\n", e(k), e(v)));
    }
    html.push_str("</table>\n");
    if req.body.is_empty() && req.body_len > 0 {
        html.push_str(&format!(
            "<h2>Request body</h2>\n<p>{} bytes (read and discarded: larger than 1 MiB)</p>\n",
            req.body_len
        ));
    }
    if !req.body.is_empty() {
        let body = String::from_utf8_lossy(&req.body);
        html.push_str("<h2>Request body</h2>\n");
        let is_form = http::header(&req.head.headers, "content-type")
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if is_form {
            html.push_str("<table id=\"form\">\n");
            for (k, v) in http::parse_form(&body) {
                html.push_str(&format!("<tr><td>{}</td><td>{}</td></tr>\n", e(&k), e(&v)));
            }
            html.push_str("</table>\n");
        } else {
            html.push_str(&format!("<pre>{}</pre>\n", e(&body)));
        }
    }
    html.push_str("<form method=\"post\" action=\"/login\"><p>A lab login form (what a proxy can see once TLS is terminated):</p>\n<input name=\"username\" placeholder=\"username\"> <input name=\"password\" type=\"password\" placeholder=\"password\"> <button type=\"submit\">Log in</button></form>\n");
    html.push_str("</body></html>\n");
    html
}
