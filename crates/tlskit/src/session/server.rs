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
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;

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
    /// A client must complete its handshake within this time.
    pub handshake_timeout: Duration,
    /// A connection with no traffic for this long is closed.
    pub idle_timeout: Duration,
    /// Connections served at once; further ones wait in the kernel's accept queue.
    pub max_connections: usize,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            mode: Mode::Message(DEFAULT_MESSAGE.to_string()),
            once: false,
            handshake_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            max_connections: 4096,
        }
    }
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
            s.push_str(&format!(" in={} out={} {:.1}ms", self.bytes_in, self.bytes_out, self.duration_ms));
        } else {
            if let Some(sni) = &self.sni {
                s.push_str(&format!("sni={sni} "));
            }
            s.push_str(&format!("{:.1}ms", self.duration_ms));
        }
        if let Some(e) = &self.error {
            s.push_str(&format!(" error: {e}"));
        }
        s
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
        match TcpListener::bind(addr).await {
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
    let acceptor = TlsAcceptor::from(setup.config.clone());
    let opts = Arc::new(opts);
    let slots = Arc::new(Semaphore::new(opts.max_connections.max(1)));
    let mut tasks: JoinSet<ConnectionLog> = JoinSet::new();
    let mut summary = RunSummary::default();
    let failed = Arc::new(AtomicU64::new(0));
    tokio::pin!(shutdown);
    let mut accepting = true;
    while accepting {
        let permit = tokio::select! {
            _ = &mut shutdown => break,
            p = slots.clone().acquire_owned() => p.expect("semaphore is never closed"),
        };
        let accepted = tokio::select! {
            _ = &mut shutdown => break,
            a = listener.accept() => a,
            // Reap finished tasks so the set does not grow without bound.
            Some(_) = tasks.join_next(), if !tasks.is_empty() => { drop(permit); continue; }
        };
        let (tcp, peer) = match accepted {
            Ok(x) => x,
            Err(e) => {
                // Out of file descriptors and the like: back off instead of spinning.
                tracing::warn!("accept failed: {e}");
                drop(permit);
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let _ = tcp.set_nodelay(true);
        summary.connections += 1;
        let acceptor = acceptor.clone();
        let opts2 = opts.clone();
        let log_fn = on_connection.clone();
        let failed2 = failed.clone();
        tasks.spawn(async move {
            let log = handle(tcp, peer, acceptor, &opts2).await;
            if log.error.is_some() {
                failed2.fetch_add(1, Ordering::Relaxed);
            }
            log_fn(&log);
            drop(permit);
            log
        });
        if opts.once {
            accepting = false;
        }
    }
    drop(listener);
    // Let connections in flight finish, within a grace period.
    let grace = if opts.once { opts.idle_timeout + opts.handshake_timeout } else { Duration::from_secs(5) };
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

async fn handle(tcp: TcpStream, peer: SocketAddr, acceptor: TlsAcceptor, opts: &ServeOptions) -> ConnectionLog {
    let started = Instant::now();
    let mut log = ConnectionLog::new(peer);
    let accept = tokio::time::timeout(opts.handshake_timeout, acceptor.accept(tcp)).await;
    let mut tls = match accept {
        Err(_) => {
            log.error = Some(format!(
                "handshake not completed within {} (handshake timeout)",
                net::fmt_duration(opts.handshake_timeout)
            ));
            log.duration_ms = net::millis(started.elapsed());
            return log;
        }
        Ok(Err(e)) => {
            let ctx = ErrorContext { peer: peer.to_string(), server_side: true, ..Default::default() };
            log.error = Some(format!("handshake failed: {}", verify::io_error(&e, &ctx, "TLS handshake")));
            log.duration_ms = net::millis(started.elapsed());
            return log;
        }
        Ok(Ok(s)) => s,
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
        log.client_certificate = conn.peer_certificates().and_then(|c| c.first()).map(|c| client_names(c.as_ref()));
    }
    let mut counters = Counters::default();
    let result = match &opts.mode {
        Mode::Message(m) => send_message(&mut tls, m, &mut counters).await,
        Mode::Echo => echo(&mut tls, opts.idle_timeout, &mut counters).await,
        Mode::Http { root } => serve_http(&mut tls, root.as_deref(), opts.idle_timeout, &mut counters, &mut log).await,
        Mode::Forward(backend) => forward(&mut tls, backend, &mut counters).await,
    };
    // close_notify, then give the client a moment to read it before the socket closes.
    let _ = tokio::time::timeout(Duration::from_secs(2), tls.shutdown()).await;
    if let Err(e) = result {
        log.error = Some(e.to_string());
    }
    log.bytes_in = counters.bytes_in;
    log.bytes_out = counters.bytes_out;
    log.duration_ms = net::millis(started.elapsed());
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
    let ctx = ErrorContext { server_side: true, ..Default::default() };
    verify::io_error(&e, &ctx, during)
}

async fn send_message<S: AsyncWrite + AsyncRead + Unpin>(s: &mut S, msg: &str, c: &mut Counters) -> Result<()> {
    s.write_all(msg.as_bytes()).await.map_err(|e| io_err(e, "sending the message"))?;
    s.flush().await.map_err(|e| io_err(e, "sending the message"))?;
    c.bytes_out += msg.len() as u64;
    Ok(())
}

async fn echo<S: AsyncWrite + AsyncRead + Unpin>(s: &mut S, idle: Duration, c: &mut Counters) -> Result<()> {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = match tokio::time::timeout(idle, s.read(&mut buf)).await {
            Err(_) => return Err(Error::network(format!("idle for {}; closed", net::fmt_duration(idle)))),
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(()),
            Ok(Err(e)) => return Err(io_err(e, "echo")),
            Ok(Ok(0)) => return Ok(()),
            Ok(Ok(n)) => n,
        };
        c.bytes_in += n as u64;
        s.write_all(&buf[..n]).await.map_err(|e| io_err(e, "echo"))?;
        s.flush().await.map_err(|e| io_err(e, "echo"))?;
        c.bytes_out += n as u64;
    }
}

async fn forward(tls: &mut TlsStream<TcpStream>, backend: &Target, c: &mut Counters) -> Result<()> {
    let mut up = net::connect(backend, Duration::from_secs(10))
        .await
        .map_err(|e| e.context("backend"))?
        .stream;
    match tokio::io::copy_bidirectional(tls, &mut up).await {
        Ok((a, b)) => {
            c.bytes_in += a;
            c.bytes_out += b;
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Ok(()),
        Err(e) => Err(io_err(e, "forwarding")),
    }
}

/// One parsed request with its body.
struct Request {
    head: http::RequestHead,
    body: Vec<u8>,
}

async fn read_request<R: AsyncRead + Unpin>(
    r: &mut BufReader<R>,
    idle: Duration,
    c: &mut Counters,
) -> Result<Option<Request>> {
    use tokio::io::AsyncBufReadExt;
    let mut head = Vec::new();
    loop {
        let mut line = Vec::new();
        let n = match tokio::time::timeout(idle, (&mut *r).take(http::MAX_HEAD as u64).read_until(b'\n', &mut line)).await {
            Err(_) => {
                if head.is_empty() {
                    return Ok(None); // idle keep-alive connection: close quietly
                }
                return Err(Error::protocol("client stopped in the middle of a request"));
            }
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof && head.is_empty() => return Ok(None),
            Ok(Err(e)) => return Err(io_err(e, "reading the HTTP request")),
            Ok(Ok(n)) => n,
        };
        if n == 0 {
            if head.is_empty() {
                return Ok(None);
            }
            return Err(Error::protocol("client closed the connection in the middle of a request"));
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
    let len = http::header(&head.headers, "content-length").and_then(|v| v.trim().parse::<usize>().ok()).unwrap_or(0);
    if len > 1 << 20 {
        return Err(Error::protocol("request body larger than 1 MiB"));
    }
    let mut body = vec![0u8; len];
    if len > 0 {
        tokio::time::timeout(idle, r.read_exact(&mut body))
            .await
            .map_err(|_| Error::protocol("client stopped sending the request body"))?
            .map_err(|e| io_err(e, "reading the request body"))?;
        c.bytes_in += len as u64;
    }
    Ok(Some(Request { head, body }))
}

async fn serve_http(
    tls: &mut TlsStream<TcpStream>,
    root: Option<&Path>,
    idle: Duration,
    c: &mut Counters,
    log: &mut ConnectionLog,
) -> Result<()> {
    let session = SessionFacts::from_conn(tls.get_ref().1, log);
    let mut r = BufReader::new(tls);
    loop {
        let req = match read_request(&mut r, idle, c).await {
            Ok(Some(req)) => req,
            Ok(None) => return Ok(()),
            Err(e) => {
                let _ = write_response(r.get_mut(), 400, "text/plain; charset=utf-8", e.to_string().as_bytes(), true, false, c).await;
                return Err(e);
            }
        };
        let close = http::header(&req.head.headers, "connection").is_some_and(|v| v.eq_ignore_ascii_case("close"))
            || req.head.version == "HTTP/1.0";
        let head_only = req.head.method == "HEAD";
        let (status, ctype, body) = match req.head.method.as_str() {
            "GET" | "HEAD" | "POST" => match root {
                Some(root) if req.head.method != "POST" => static_file(root, &req.head.target).await,
                _ => (200, "text/html; charset=utf-8".to_string(), session_page(&session, &req).into_bytes()),
            },
            _ => (405, "text/plain; charset=utf-8".to_string(), b"method not allowed\n".to_vec()),
        };
        log.requests.push(format!("{} {} {}", req.head.method, req.head.target, status));
        write_response(r.get_mut(), status, &ctype, &body, close, head_only, c).await?;
        if close {
            return Ok(());
        }
    }
}

async fn write_response<W: AsyncWrite + Unpin>(
    w: &mut W,
    status: u16,
    ctype: &str,
    body: &[u8],
    close: bool,
    head_only: bool,
    c: &mut Counters,
) -> Result<()> {
    let head = format!(
        "HTTP/1.1 {status} {}\r\nServer: tlskit/{}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: {}\r\n\r\n",
        http::reason(status),
        env!("CARGO_PKG_VERSION"),
        body.len(),
        if close { "close" } else { "keep-alive" }
    );
    let mut out = head.into_bytes();
    if !head_only {
        out.extend_from_slice(body);
    }
    w.write_all(&out).await.map_err(|e| io_err(e, "sending the HTTP response"))?;
    w.flush().await.map_err(|e| io_err(e, "sending the HTTP response"))?;
    c.bytes_out += out.len() as u64;
    Ok(())
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).map(|e| e.to_ascii_lowercase()).as_deref() {
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
async fn static_file(root: &Path, target: &str) -> (u16, String, Vec<u8>) {
    let not_found = || (404, "text/plain; charset=utf-8".to_string(), b"not found\n".to_vec());
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let decoded = http::percent_decode(path, false);
    if decoded.split('/').any(|seg| seg == "..") || decoded.contains('\0') {
        return (403, "text/plain; charset=utf-8".to_string(), b"forbidden\n".to_vec());
    }
    let mut full = root.join(decoded.trim_start_matches('/'));
    if full.is_dir() {
        full = full.join("index.html");
    }
    let Ok(canon) = full.canonicalize() else { return not_found() };
    let Ok(root_canon) = root.canonicalize() else { return not_found() };
    if !canon.starts_with(&root_canon) {
        return (403, "text/plain; charset=utf-8".to_string(), b"forbidden\n".to_vec());
    }
    match tokio::fs::read(&canon).await {
        Ok(bytes) => (200, content_type(&canon).to_string(), bytes),
        Err(_) => not_found(),
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
        ("Server name (SNI)", s.sni.clone().unwrap_or_else(|| "(none sent)".into())),
        ("Protocol", n.protocol.clone()),
        ("Cipher suite", format!("{} (OpenSSL: {})", cs.name, cs.openssl_name.as_deref().unwrap_or("-"))),
        ("Encryption", format!("{}, {}-bit key, MAC {}", cs.enc, cs.bits, cs.mac)),
        ("Key exchange group", n.key_exchange_group.clone().unwrap_or_else(|| "-".into())),
        ("Forward secrecy", if n.forward_secrecy { "yes".into() } else { "no".into() }),
        ("ALPN", n.alpn.clone().unwrap_or_else(|| "(none)".into())),
        ("Handshake", n.handshake.replace('_', " ")),
        ("Compression", n.compression.clone()),
        ("Client certificate", s.client_cert.clone().unwrap_or_else(|| "(none)".into())),
    ];
    rows.push(("Request", format!("{} {} {}", req.head.method, req.head.target, req.head.version)));
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
