//! `tlskit proxy`: the SEED lab's man-in-the-middle. A victim reaches it through a DNS or
//! hosts-file redirect (it then speaks TLS right away), or uses it as an HTTPS proxy (HTTP
//! CONNECT, as `curl --proxy`, `https_proxy` and browsers do). The proxy reads the ClientHello,
//! opens its own *verified* TLS connection to the real server for the name the client asked for
//! (failing closed when that certificate does not verify, unless told otherwise), completes the
//! client's handshake with a certificate forged on the fly for that name and signed by the lab CA,
//! and relays both directions while logging every request and response it decrypts.
//!
//! * [`forge`] — certificates forged per server name, cached.
//! * [`httplog`] — the HTTP/1.1 logger (raw text/hex for anything else).

pub mod forge;
pub mod httplog;

use crate::error::{file_error, Error, Result};
use crate::http;
use crate::net::{self, Target};
use crate::pki::ca::Ca;
use crate::session::report::Negotiated;
use crate::session::verify::{self, ErrorContext, RecordingVerifier};
use forge::Forge;
use httplog::{Event, HttpMessage, HttpParser, MethodQueue, Side};
use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::ServerName;
use rustls::ClientConfig;
use serde::Serialize;
use std::collections::VecDeque;
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use tokio_rustls::{LazyConfigAcceptor, TlsConnector};

/// Where the proxy connects for each client.
#[derive(Debug, Clone)]
pub enum UpstreamMode {
    /// Always this server (the lab's usual setup: one real server behind the redirect).
    Fixed(Target),
    /// The server the client named: its SNI (or CONNECT target) on `port` (a CONNECT request's
    /// own port wins).
    FromSni { port: u16 },
}

/// How the proxy runs.
#[derive(Debug, Clone)]
pub struct ProxyOptions {
    pub upstream: UpstreamMode,
    /// Address overrides for upstream connections (curl's --resolve HOST:PORT:ADDRESS, or
    /// HOST:ADDRESS for any port), so a lab can point names at 127.0.0.1 without touching DNS.
    pub resolve: Vec<net::target::ResolveOverride>,
    /// Trust for the upstream's certificate; empty = the system store.
    pub upstream_ca: Vec<PathBuf>,
    /// DANGEROUS: relay even when the upstream certificate does not verify.
    pub upstream_insecure: bool,
    /// Name to forge for when the client sends no SNI.
    pub default_name: Option<String>,
    /// Mask credentials in the log.
    pub redact: bool,
    pub handshake_timeout: Duration,
    pub connect_timeout: Duration,
    pub idle_timeout: Duration,
    pub max_connections: usize,
    /// Forged certificates kept in the cache.
    pub cache_size: usize,
    /// Characters of each body shown in the text log.
    pub max_body_chars: usize,
}

impl ProxyOptions {
    pub fn new(upstream: UpstreamMode) -> Self {
        ProxyOptions {
            upstream,
            resolve: Vec::new(),
            upstream_ca: Vec::new(),
            upstream_insecure: false,
            default_name: None,
            redact: false,
            handshake_timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            max_connections: crate::net::DEFAULT_MAX_CONNECTIONS,
            cache_size: 1024,
            max_body_chars: 2000,
        }
    }
}

/// Parse a `--resolve` entry: `HOST:PORT:ADDRESS` (curl's form) or `NAME:ADDRESS`. One parser for
/// every command: [`net::target::ResolveOverride::parse`].
pub fn parse_resolve(s: &str) -> Result<net::target::ResolveOverride> {
    net::target::ResolveOverride::parse(s)
}

// ---------------------------------------------------------------------------------------------
// The log.

/// Where log events go: text or JSON lines, to stdout or to a file (mode 0600: it holds
/// passwords). With a file, stdout still gets one line per connection.
pub struct LogSink {
    main: Mutex<Box<dyn Write + Send>>,
    to_file: Option<PathBuf>,
    json: bool,
    redact: bool,
    max_body_chars: usize,
}

impl LogSink {
    /// Log to `file` (appending), or to stdout when `None`.
    pub fn new(
        file: Option<&Path>,
        json: bool,
        redact: bool,
        max_body_chars: usize,
    ) -> Result<LogSink> {
        let main: Box<dyn Write + Send> = match file {
            Some(p) => {
                use std::os::unix::fs::OpenOptionsExt;
                let f = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .mode(crate::fsutil::KEY_MODE)
                    .open(p)
                    .map_err(|e| file_error(p, "open the log file", &e))?;
                Box::new(std::io::LineWriter::new(f))
            }
            None => Box::new(std::io::stdout()),
        };
        Ok(LogSink {
            main: Mutex::new(main),
            to_file: file.map(Path::to_path_buf),
            json,
            redact,
            max_body_chars,
        })
    }

    /// The file the log goes to, if any.
    pub fn file(&self) -> Option<&Path> {
        self.to_file.as_deref()
    }

    fn write_main(&self, text: &str) {
        if let Ok(mut w) = self.main.lock() {
            let _ = w.write_all(text.as_bytes());
            let _ = w.flush();
        }
    }

    /// Lines that also go to stdout when the log is a file.
    fn write_summary(&self, text: &str) {
        self.write_main(text);
        if self.to_file.is_some() {
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(text.as_bytes());
            let _ = out.flush();
        }
    }

    fn json_line(&self, event: &str, id: u64, value: impl Serialize) -> String {
        let mut v = serde_json::to_value(value).unwrap_or(serde_json::Value::Null);
        if !v.is_object() {
            v = serde_json::json!({ "value": v });
        }
        if let Some(m) = v.as_object_mut() {
            m.insert("event".into(), event.into());
            m.insert("id".into(), id.into());
        }
        format!("{v}\n")
    }

    fn opened(&self, info: &ConnInfo) {
        if self.json {
            self.write_summary(&self.json_line("connection", info.id, info));
        } else {
            self.write_summary(&text_line(&info.line()));
        }
    }

    /// Log a message. With redaction, the secrets it carries join `secrets` (per connection),
    /// and every secret seen so far is scrubbed from it.
    fn message(&self, id: u64, dir: Side, msg: &HttpMessage, secrets: &Mutex<Vec<String>>) {
        let mut msg = msg.clone();
        if self.redact {
            let mut known = secrets.lock().unwrap_or_else(|p| p.into_inner());
            for s in msg.secrets() {
                if !known.contains(&s) && known.len() < 1024 {
                    known.push(s);
                }
            }
            msg.redact();
            msg.scrub(&known);
        }
        if self.json {
            let (event, d) = match dir {
                Side::Request => ("request", "client_to_server"),
                Side::Response => ("response", "server_to_client"),
            };
            let mut line = self.json_line(event, id, &msg);
            if let Ok(mut v) = serde_json::from_str::<serde_json::Value>(&line) {
                if let Some(m) = v.as_object_mut() {
                    m.insert("direction".into(), d.into());
                }
                line = format!("{v}\n");
            }
            self.write_main(&line);
        } else {
            let arrow = arrow(dir);
            let mut text = String::new();
            for l in msg.render_lines(self.max_body_chars) {
                text.push_str(&text_line(&format!("[#{id}] {arrow} {l}")));
            }
            self.write_main(&text);
        }
    }

    fn raw(&self, id: u64, dir: Side, bytes: usize, preview: &[u8]) {
        if self.json {
            let v = serde_json::json!({
                "direction": direction_name(dir),
                "bytes": bytes,
                "preview": if self.redact || preview.is_empty() { serde_json::Value::Null } else { httplog::raw_preview(preview).into() },
            });
            self.write_main(&self.json_line("data", id, v));
        } else if self.redact {
            self.write_main(&format!(
                "[#{id}] {} {bytes} bytes (not HTTP; content not shown with --redact)\n",
                arrow(dir)
            ));
        } else if preview.is_empty() {
            self.write_main(&format!(
                "[#{id}] {} {bytes} bytes (not HTTP)\n",
                arrow(dir)
            ));
        } else {
            let more = if bytes > preview.len() {
                format!(" … ({} more)", bytes - preview.len())
            } else {
                String::new()
            };
            self.write_main(&text_line(&format!(
                "[#{id}] {} {bytes} bytes: {}{more}",
                arrow(dir),
                httplog::raw_preview(preview)
            )));
        }
    }

    fn note(&self, id: u64, text: &str) {
        if self.json {
            self.write_main(&self.json_line("note", id, serde_json::json!({ "note": text })));
        } else {
            self.write_main(&text_line(&format!("[#{id}] note: {text}")));
        }
    }

    fn refused(&self, id: u64, client: &str, reason: &str) {
        if self.json {
            self.write_summary(&self.json_line(
                "refused",
                id,
                serde_json::json!({ "client": client, "reason": reason }),
            ));
        } else {
            self.write_summary(&text_line(&format!("[#{id}] {client}: refused: {reason}")));
        }
    }

    fn closed(&self, id: u64, c: &Closed) {
        if self.json {
            self.write_summary(&self.json_line("closed", id, c));
        } else {
            let creds = if c.credentials.is_empty() {
                String::new()
            } else {
                format!("; credentials seen: {}", c.credentials.join(", "))
            };
            let err = c
                .error
                .as_ref()
                .map(|e| format!("; {e}"))
                .unwrap_or_default();
            self.write_summary(&text_line(&format!(
                "[#{id}] closed after {}: {} bytes client->server, {} bytes server->client, {} request(s), {} response(s){creds}{err}",
                net::fmt_duration(Duration::from_secs_f64(c.duration_ms / 1000.0)),
                c.bytes_client_to_server,
                c.bytes_server_to_client,
                c.requests,
                c.responses
            )));
        }
    }
}

/// One line of the text log: peer bytes in it escaped by the one escaping helper, so nothing a
/// client or server sends can draw on the terminal or start a log line of its own.
fn text_line(line: &str) -> String {
    let mut s = crate::escape::text(line);
    s.push('\n');
    s
}

fn arrow(dir: Side) -> &'static str {
    match dir {
        Side::Request => ">>",
        Side::Response => "<<",
    }
}

fn direction_name(dir: Side) -> &'static str {
    match dir {
        Side::Request => "client_to_server",
        Side::Response => "server_to_client",
    }
}

/// What the log says about a connection once both handshakes are done.
#[derive(Debug, Clone, Serialize)]
pub struct ConnInfo {
    pub id: u64,
    pub client: String,
    /// `transparent` (the client was redirected and spoke TLS at once), `connect` (HTTP CONNECT),
    /// or `connect-plaintext` (a CONNECT tunnel carrying something other than TLS).
    pub mode: &'static str,
    pub connect_target: Option<String>,
    pub sni: Option<String>,
    pub alpn_offered: Vec<String>,
    /// The name the forged certificate is for.
    pub forged_for: Option<String>,
    /// The certificate was forged for this connection (false: from the cache).
    pub forged_new: bool,
    pub forged_sha256: Option<String>,
    pub client_protocol: Option<String>,
    pub client_cipher_suite: Option<String>,
    pub upstream: String,
    pub upstream_address: Option<String>,
    pub upstream_protocol: Option<String>,
    pub upstream_cipher_suite: Option<String>,
    pub upstream_certificate_verified: Option<bool>,
    pub upstream_verify_error: Option<String>,
}

impl ConnInfo {
    fn line(&self) -> String {
        let via = match (&self.connect_target, self.mode) {
            (Some(t), _) => format!(" (CONNECT {t})"),
            (None, _) => " (redirected)".to_string(),
        };
        let mut s = format!("[#{}] {}{via}", self.id, self.client);
        if let Some(sni) = &self.sni {
            s.push_str(&format!(" SNI {sni}"));
        } else if self.mode != "connect-plaintext" {
            s.push_str(" (no SNI)");
        }
        if let (Some(p), Some(c)) = (&self.client_protocol, &self.client_cipher_suite) {
            s.push_str(&format!(
                ": client {p} {c} with a certificate forged for {} ({})",
                self.forged_for.as_deref().unwrap_or("?"),
                if self.forged_new { "new" } else { "cached" }
            ));
        } else if self.mode == "connect-plaintext" {
            s.push_str(": plaintext tunnel (not TLS)");
        }
        s.push_str(&format!(
            "; upstream {}{}",
            self.upstream,
            self.upstream_address
                .as_ref()
                .map(|a| format!(" [{a}]"))
                .unwrap_or_default()
        ));
        if let (Some(p), Some(c)) = (&self.upstream_protocol, &self.upstream_cipher_suite) {
            s.push_str(&format!(" {p} {c}"));
        }
        match (
            self.upstream_certificate_verified,
            &self.upstream_verify_error,
        ) {
            (Some(true), _) => s.push_str(", certificate verified"),
            (Some(false), Some(e)) => s.push_str(&format!(
                ", CERTIFICATE NOT VERIFIED (--upstream-insecure): {e}"
            )),
            _ => {}
        }
        s
    }
}

/// The end of a connection.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Closed {
    pub duration_ms: f64,
    pub bytes_client_to_server: u64,
    pub bytes_server_to_client: u64,
    pub requests: u64,
    pub responses: u64,
    /// Where credentials were seen (names only, never values).
    pub credentials: Vec<String>,
    pub error: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// A stream with bytes already read in front of it (after a CONNECT head).

/// `prefix` is read first, then the inner stream; writes go to the inner stream.
pub struct Prefixed<S> {
    prefix: Vec<u8>,
    pos: usize,
    inner: S,
}

impl<S> Prefixed<S> {
    pub fn new(prefix: Vec<u8>, inner: S) -> Self {
        Prefixed {
            prefix,
            pos: 0,
            inner,
        }
    }
    fn pending(&self) -> &[u8] {
        &self.prefix[self.pos..]
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Prefixed<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        if self.pos < self.prefix.len() {
            let n = (self.prefix.len() - self.pos).min(buf.remaining());
            let start = self.pos;
            buf.put_slice(&self.prefix[start..start + n]);
            self.pos += n;
            if self.pos == self.prefix.len() {
                self.prefix = Vec::new();
                self.pos = 0;
            }
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Prefixed<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

// ---------------------------------------------------------------------------------------------
// The proxy.

/// Counters for the run.
#[derive(Debug, Default)]
pub struct Stats {
    pub connections: AtomicU64,
    pub refused: AtomicU64,
    pub active: AtomicU64,
    pub peak: AtomicU64,
}

/// What a finished run did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub connections: u64,
    pub refused: u64,
    pub peak_concurrent: u64,
    pub certificates_forged: u64,
}

/// A configured proxy.
pub struct Proxy {
    opts: ProxyOptions,
    forge: Forge,
    provider: Arc<rustls::crypto::CryptoProvider>,
    verifier: Arc<WebPkiServerVerifier>,
    trust: String,
    log: LogSink,
    pub stats: Stats,
    listen: Mutex<Option<SocketAddr>>,
}

/// Why a connection was not relayed.
struct Refusal(String);

impl From<Error> for Refusal {
    fn from(e: Error) -> Self {
        Refusal(e.to_string())
    }
}

/// Make a client-side error message speak the proxy's flags.
fn proxy_hints(msg: String) -> String {
    msg.replace(
        "pass the CA that issued it with -a CAFILE",
        "trust the CA that issued it with --upstream-ca FILE",
    )
    .replace(
        "or --insecure to look without verifying",
        "or relay anyway with --upstream-insecure (DANGEROUS)",
    )
    .replace(
        "; run `tlskit scan HOST:PORT` to see what the server offers",
        "",
    )
}

impl Proxy {
    /// Load trust for the upstream and prepare the forge. `ca` is the lab CA that signs forged
    /// certificates.
    pub fn new(ca: Ca, opts: ProxyOptions, log: LogSink) -> Result<Proxy> {
        let trust = crate::session::config::load_trust(&opts.upstream_ca)?;
        let provider = crate::provider();
        let verifier =
            WebPkiServerVerifier::builder_with_provider(trust.roots.clone(), provider.clone())
                .build()
                .map_err(|e| {
                    Error::input(format!(
                        "cannot build the upstream certificate verifier: {e}"
                    ))
                })?;
        let forge = Forge::new(ca, opts.cache_size)?;
        Ok(Proxy {
            opts,
            forge,
            provider,
            verifier,
            trust: trust.description,
            log,
            stats: Stats::default(),
            listen: Mutex::new(None),
        })
    }

    /// Where upstream trust comes from (for the start-up line).
    pub fn trust_description(&self) -> &str {
        &self.trust
    }

    pub fn ca_subject(&self) -> &str {
        self.forge.ca_subject()
    }

    pub fn log_file(&self) -> Option<&Path> {
        self.log.file()
    }

    pub fn summary(&self) -> Summary {
        Summary {
            connections: self.stats.connections.load(Ordering::Relaxed),
            refused: self.stats.refused.load(Ordering::Relaxed),
            peak_concurrent: self.stats.peak.load(Ordering::Relaxed),
            certificates_forged: self.forge.forged_count(),
        }
    }

    /// Serve until `shutdown` completes.
    pub async fn run(
        self: Arc<Self>,
        listener: TcpListener,
        shutdown: impl std::future::Future<Output = ()>,
    ) -> Result<Summary> {
        if let Ok(mut l) = self.listen.lock() {
            *l = listener.local_addr().ok();
        }
        let incoming = crate::net::BoundedListener::new(listener, self.opts.max_connections);
        let mut tasks: JoinSet<()> = JoinSet::new();
        let mut next_id = 0u64;
        tokio::pin!(shutdown);
        while let Some((tcp, peer, slot)) = incoming.accept(&mut tasks, shutdown.as_mut()).await {
            next_id += 1;
            let id = next_id;
            let me = self.clone();
            tasks.spawn(async move {
                me.handle(id, tcp, peer, &slot).await;
                drop(slot);
            });
        }
        drop(incoming);
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        loop {
            match tokio::time::timeout_at(deadline, tasks.join_next()).await {
                Ok(Some(_)) => {}
                Ok(None) => break,
                Err(_) => {
                    tasks.abort_all();
                    break;
                }
            }
        }
        Ok(self.summary())
    }

    async fn handle(self: &Arc<Self>, id: u64, tcp: TcpStream, peer: SocketAddr, slot: &net::Slot) {
        let started = Instant::now();
        self.stats.connections.fetch_add(1, Ordering::Relaxed);
        let now = self.stats.active.fetch_add(1, Ordering::Relaxed) + 1;
        self.stats.peak.fetch_max(now, Ordering::Relaxed);
        let outcome = tokio::select! {
            r = self.serve(id, tcp, peer, slot) => r,
            _ = slot.evicted() => Err(Refusal(net::EVICTED.to_string())),
        };
        match outcome {
            Ok(Some(mut closed)) => {
                closed.duration_ms = net::millis(started.elapsed());
                self.log.closed(id, &closed);
            }
            Ok(None) => {}
            Err(Refusal(reason)) => {
                self.stats.refused.fetch_add(1, Ordering::Relaxed);
                self.log.refused(id, &peer.to_string(), &reason);
            }
        }
        self.stats.active.fetch_sub(1, Ordering::Relaxed);
    }

    /// One client connection: classify, (CONNECT), handshakes, relay.
    async fn serve(
        self: &Arc<Self>,
        id: u64,
        mut tcp: TcpStream,
        peer: SocketAddr,
        slot: &net::Slot,
    ) -> std::result::Result<Option<Closed>, Refusal> {
        let hs = self.opts.handshake_timeout;
        let mut first = [0u8; 1];
        let spoke = tokio::time::timeout(hs, tcp.peek(&mut first)).await;
        slot.established();
        match spoke {
            Err(_) => {
                return Err(Refusal(format!(
                    "the client sent nothing within {}",
                    net::fmt_duration(hs)
                )))
            }
            Ok(Err(_)) | Ok(Ok(0)) => return Ok(None),
            Ok(Ok(_)) => {}
        }
        if first[0] == 0x16 {
            let stream = Prefixed::new(Vec::new(), tcp);
            return self.mitm(id, stream, peer, None).await.map(Some);
        }
        // Not TLS: an HTTP proxy request?
        let (head, leftover) = read_head(&mut tcp, hs).await?;
        let req = match http::parse_request_head(&head) {
            Ok(r) => r,
            Err(e) => {
                answer(&mut tcp, 400, &format!("{}\n", e.message())).await;
                return Err(Refusal(format!("the client spoke neither TLS nor HTTP (this proxy expects a TLS ClientHello or an HTTP CONNECT request): {}; answered 400", e.message())));
            }
        };
        if req.method != "CONNECT" {
            let body = "tlskit proxy is a TLS man-in-the-middle for labs: use it as an HTTPS proxy (CONNECT) or redirect TLS traffic to it; plain HTTP requests are not forwarded.\n";
            let resp = format!(
                "HTTP/1.1 501 Not Implemented\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = tcp.write_all(resp.as_bytes()).await;
            let _ = tcp.shutdown().await;
            return Err(Refusal(format!(
                "a plain HTTP proxy request ({} {}) — answered 501: only CONNECT tunnels and TLS are relayed",
                req.method, req.target
            )));
        }
        let target = match Target::parse(&req.target, Some(443)) {
            Ok(t) if t.port != 0 => t,
            Ok(_) => {
                answer(&mut tcp, 400, "CONNECT to port 0\n").await;
                return Err(Refusal(format!(
                    "CONNECT {}: port 0; answered 400",
                    req.target
                )));
            }
            Err(e) => {
                answer(
                    &mut tcp,
                    400,
                    &format!("CONNECT {}: {}\n", req.target, e.message()),
                )
                .await;
                return Err(Refusal(format!(
                    "CONNECT {}: {}; answered 400",
                    req.target,
                    e.message()
                )));
            }
        };
        tcp.write_all(b"HTTP/1.1 200 Connection established\r\nProxy-Agent: tlskit\r\n\r\n")
            .await
            .map_err(|e| Refusal(format!("the client went away after CONNECT: {e}")))?;
        let stream = Prefixed::new(leftover, tcp);
        // TLS inside the tunnel, or something else?
        let is_tls = if let Some(b) = stream.pending().first() {
            *b == 0x16
        } else {
            let mut b = [0u8; 1];
            match tokio::time::timeout(Duration::from_secs(2).min(hs), stream.inner.peek(&mut b))
                .await
            {
                Ok(Ok(0)) | Ok(Err(_)) => return Ok(None),
                Ok(Ok(_)) => b[0] == 0x16,
                Err(_) => false, // the client waits for the server to speak first
            }
        };
        if is_tls {
            self.mitm(id, stream, peer, Some(target)).await.map(Some)
        } else {
            self.plain_tunnel(id, stream, peer, target).await.map(Some)
        }
    }

    /// The upstream to use and the name to forge for / verify against.
    fn plan(
        &self,
        sni: Option<&str>,
        connect: Option<&Target>,
    ) -> std::result::Result<(Target, String), Refusal> {
        let named = sni
            .map(str::to_string)
            .or_else(|| connect.map(|t| t.host.clone()))
            .or_else(|| self.opts.default_name.clone());
        match &self.opts.upstream {
            UpstreamMode::Fixed(t) => Ok((t.clone(), named.unwrap_or_else(|| t.host.clone()))),
            UpstreamMode::FromSni { port } => {
                let Some(name) = named else {
                    return Err(Refusal(
                        "the client sent no SNI, so there is no server name to connect to or forge a certificate for (give --default-name NAME)".into(),
                    ));
                };
                let target = match connect {
                    Some(t) => t.clone(),
                    None => Target::new(name.clone(), *port),
                };
                Ok((target, name))
            }
        }
    }

    /// Addresses for an upstream target: `--resolve` overrides, else DNS. Refuses to connect back
    /// to the proxy itself.
    async fn addresses(&self, target: &Target) -> std::result::Result<Vec<SocketAddr>, Refusal> {
        let addrs = match net::target::ResolveOverride::lookup(&self.opts.resolve, target) {
            Some(ips) => ips
                .iter()
                .map(|ip| SocketAddr::new(*ip, target.port))
                .collect(),
            None => net::resolve(target).await?,
        };
        let me = self.listen.lock().ok().and_then(|l| *l);
        if let Some(me) = me {
            let loops = addrs.iter().any(|a| {
                a.port() == me.port()
                    && (a.ip() == me.ip() || (me.ip().is_unspecified() && a.ip().is_loopback()))
            });
            if loops {
                return Err(Refusal(format!(
                    "the upstream {target} is this proxy itself (that would loop); point the name elsewhere with --resolve NAME:ADDRESS or use --upstream HOST:PORT"
                )));
            }
        }
        Ok(addrs)
    }

    async fn connect_tcp(&self, target: &Target) -> std::result::Result<net::Connected, Refusal> {
        let addrs = self.addresses(target).await?;
        let mut last = None;
        for a in addrs {
            match net::connect_addr(a, self.opts.connect_timeout).await {
                Ok(c) => return Ok(c),
                Err(e) => last = Some(e),
            }
        }
        Err(Refusal(format!(
            "upstream {target}: {}",
            last.map(|e| e.to_string())
                .unwrap_or_else(|| "no address".into())
        )))
    }

    /// A verified TLS connection to the real server.
    async fn connect_upstream(
        &self,
        target: &Target,
        name: &str,
    ) -> std::result::Result<
        (
            tokio_rustls::client::TlsStream<TcpStream>,
            SocketAddr,
            Option<String>,
        ),
        Refusal,
    > {
        let server_name = ServerName::try_from(name.to_string())
            .map_err(|_| Refusal(format!("'{name}' is neither a DNS name nor an IP address; cannot verify the upstream for it")))?;
        let c = self.connect_tcp(target).await?;
        let peer = c.peer;
        let recorder = Arc::new(RecordingVerifier::new(
            Some(self.verifier.clone()),
            self.opts.upstream_insecure,
        ));
        let mut config = ClientConfig::builder_with_provider(self.provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| Refusal(format!("TLS settings: {e}")))?
            .dangerous()
            .with_custom_certificate_verifier(recorder.clone())
            .with_no_client_auth();
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        let ctx = || ErrorContext {
            peer: format!("{target} ({peer})"),
            name: name.to_string(),
            trust: self.trust.clone(),
            leaf: recorder.outcome().and_then(|o| o.chain.first().cloned()),
            server_side: false,
        };
        let hs = self.opts.handshake_timeout;
        let tls = match tokio::time::timeout(
            hs,
            TlsConnector::from(Arc::new(config)).connect(server_name, c.stream),
        )
        .await
        {
            Err(_) => {
                return Err(Refusal(format!(
                    "upstream {target} ({peer}) did not complete the TLS handshake within {}",
                    net::fmt_duration(hs)
                )))
            }
            Ok(Err(e)) => {
                let err = verify::io_error(&e, &ctx(), "TLS handshake with the upstream");
                return Err(Refusal(format!(
                    "upstream {target} ({peer}) for '{name}': {}; the client's handshake was aborted",
                    proxy_hints(err.to_string())
                )));
            }
            Ok(Ok(t)) => t,
        };
        let verify_error = recorder.outcome().and_then(|o| o.error).map(|e| match e {
            rustls::Error::InvalidCertificate(ce) => {
                proxy_hints(verify::certificate_error(&ce, &ctx()))
            }
            other => other.to_string(),
        });
        Ok((tls, peer, verify_error))
    }

    async fn mitm(
        self: &Arc<Self>,
        id: u64,
        stream: Prefixed<TcpStream>,
        peer: SocketAddr,
        connect: Option<Target>,
    ) -> std::result::Result<Closed, Refusal> {
        let hs = self.opts.handshake_timeout;
        let acceptor = LazyConfigAcceptor::new(rustls::server::Acceptor::default(), stream);
        let start = match tokio::time::timeout(hs, acceptor).await {
            Err(_) => {
                return Err(Refusal(format!(
                    "no complete ClientHello within {}",
                    net::fmt_duration(hs)
                )))
            }
            Ok(Err(e)) => {
                return Err(Refusal(format!(
                    "the client's ClientHello is not valid TLS: {e}"
                )))
            }
            Ok(Ok(s)) => s,
        };
        let (sni, alpn) = {
            let ch = start.client_hello();
            let sni = ch.server_name().map(str::to_string);
            let alpn: Vec<String> = ch
                .alpn()
                .map(|it| {
                    it.map(|p| String::from_utf8_lossy(p).into_owned())
                        .collect()
                })
                .unwrap_or_default();
            (sni, alpn)
        };
        let plan = self.plan(sni.as_deref(), connect.as_ref());
        let (target, name) = match plan {
            Ok(p) => p,
            Err(r) => {
                abort_client(start.io).await;
                return Err(r);
            }
        };
        // The real server first (fail closed), forging in parallel.
        let (up, forged) =
            tokio::join!(self.connect_upstream(&target, &name), self.forge.get(&name));
        let (upstream, up_addr, verify_error) = match up {
            Ok(u) => u,
            Err(r) => {
                abort_client(start.io).await;
                return Err(r);
            }
        };
        let (forged, cached) = match forged {
            Ok(f) => f,
            Err(e) => {
                abort_client(start.io).await;
                return Err(Refusal(e.to_string()));
            }
        };
        let config = if alpn.iter().any(|p| p == "http/1.1") {
            forged.config_http11.clone()
        } else {
            forged.config_plain.clone()
        };
        let client = match tokio::time::timeout(hs, start.into_stream(config)).await {
            Err(_) => {
                return Err(Refusal(format!(
                    "the client did not finish its handshake within {}",
                    net::fmt_duration(hs)
                )))
            }
            Ok(Err(e)) => {
                let ctx = ErrorContext {
                    peer: peer.to_string(),
                    server_side: true,
                    ..Default::default()
                };
                let err = verify::io_error(&e, &ctx, "TLS handshake with the client");
                return Err(Refusal(format!(
                    "the client's handshake failed: {err} (the forged certificate for '{name}' is only accepted by clients that trust the lab CA {})",
                    self.forge.ca_subject()
                )));
            }
            Ok(Ok(s)) => s,
        };
        let cn = Negotiated::from_state(client.get_ref().1);
        let un = Negotiated::from_state(upstream.get_ref().1);
        let info = ConnInfo {
            id,
            client: peer.to_string(),
            mode: if connect.is_some() {
                "connect"
            } else {
                "transparent"
            },
            connect_target: connect.as_ref().map(|t| t.to_string()),
            sni,
            alpn_offered: alpn,
            forged_for: Some(forged.name.clone()),
            forged_new: !cached,
            forged_sha256: Some(forged.fingerprint.clone()),
            client_protocol: Some(cn.protocol),
            client_cipher_suite: Some(cn.cipher_suite.name),
            upstream: target.to_string(),
            upstream_address: Some(up_addr.to_string()),
            upstream_protocol: Some(un.protocol),
            upstream_cipher_suite: Some(un.cipher_suite.name),
            upstream_certificate_verified: Some(verify_error.is_none()),
            upstream_verify_error: verify_error,
        };
        self.log.opened(&info);
        Ok(self.relay(id, client, upstream).await)
    }

    async fn plain_tunnel(
        self: &Arc<Self>,
        id: u64,
        stream: Prefixed<TcpStream>,
        peer: SocketAddr,
        connect: Target,
    ) -> std::result::Result<Closed, Refusal> {
        let target = match &self.opts.upstream {
            UpstreamMode::Fixed(t) => t.clone(),
            UpstreamMode::FromSni { .. } => connect.clone(),
        };
        let up = self.connect_tcp(&target).await?;
        let info = ConnInfo {
            id,
            client: peer.to_string(),
            mode: "connect-plaintext",
            connect_target: Some(connect.to_string()),
            sni: None,
            alpn_offered: Vec::new(),
            forged_for: None,
            forged_new: false,
            forged_sha256: None,
            client_protocol: None,
            client_cipher_suite: None,
            upstream: target.to_string(),
            upstream_address: Some(up.peer.to_string()),
            upstream_protocol: None,
            upstream_cipher_suite: None,
            upstream_certificate_verified: None,
            upstream_verify_error: None,
        };
        self.log.opened(&info);
        Ok(self.relay(id, stream, up.stream).await)
    }

    /// Relay both directions concurrently, logging what passes.
    async fn relay<C, U>(self: &Arc<Self>, id: u64, client: C, upstream: U) -> Closed
    where
        C: AsyncRead + AsyncWrite + Unpin + Send,
        U: AsyncRead + AsyncWrite + Unpin + Send,
    {
        let (cr, cw) = tokio::io::split(client);
        let (ur, uw) = tokio::io::split(upstream);
        let methods: MethodQueue = Arc::new(Mutex::new(VecDeque::new()));
        let activity = Activity {
            started: Instant::now(),
            last_ms: AtomicU64::new(0),
            secrets: Mutex::new(Vec::new()),
        };
        let (a, b) = tokio::join!(
            self.pump(
                id,
                cr,
                uw,
                HttpParser::new(Side::Request, methods.clone()),
                &activity
            ),
            self.pump(
                id,
                ur,
                cw,
                HttpParser::new(Side::Response, methods),
                &activity
            ),
        );
        let mut credentials = a.credentials;
        for c in b.credentials {
            if !credentials.contains(&c) {
                credentials.push(c);
            }
        }
        Closed {
            duration_ms: 0.0,
            bytes_client_to_server: a.bytes,
            bytes_server_to_client: b.bytes,
            requests: a.messages,
            responses: b.messages,
            credentials,
            error: a.error.or(b.error),
        }
    }

    async fn pump<R, W>(
        &self,
        id: u64,
        mut from: R,
        mut to: W,
        mut parser: HttpParser,
        activity: &Activity,
    ) -> PumpResult
    where
        R: AsyncRead + Unpin,
        W: AsyncWrite + Unpin,
    {
        let side = parser.side();
        let mut buf = vec![0u8; 16 * 1024];
        let mut res = PumpResult::default();
        let idle = self.opts.idle_timeout;
        loop {
            let n = match tokio::time::timeout(idle, from.read(&mut buf)).await {
                Err(_) => {
                    if activity.idle_for() >= idle {
                        res.error = Some(format!(
                            "no traffic for {}; closed",
                            net::fmt_duration(idle)
                        ));
                        break;
                    }
                    continue;
                }
                Ok(Ok(0)) => break,
                Ok(Ok(n)) => n,
                Ok(Err(e)) => {
                    if !quiet_end(&e) {
                        res.error = Some(format!(
                            "{}: {e}",
                            if side == Side::Request {
                                "client"
                            } else {
                                "upstream"
                            }
                        ));
                    }
                    break;
                }
            };
            activity.touch();
            res.bytes += n as u64;
            let events = parser.push(&buf[..n]);
            self.log_events(id, side, events, &mut res, activity);
            if let Err(e) = to.write_all(&buf[..n]).await {
                if !quiet_end(&e) {
                    res.error = Some(format!(
                        "writing to the {}: {e}",
                        if side == Side::Request {
                            "upstream"
                        } else {
                            "client"
                        }
                    ));
                }
                break;
            }
            let _ = to.flush().await;
        }
        let events = parser.finish();
        self.log_events(id, side, events, &mut res, activity);
        res.messages = parser.messages;
        let _ = tokio::time::timeout(Duration::from_secs(2), to.shutdown()).await;
        res
    }

    fn log_events(
        &self,
        id: u64,
        side: Side,
        events: Vec<Event>,
        res: &mut PumpResult,
        conn: &Activity,
    ) {
        for ev in events {
            match ev {
                Event::Message(m) => {
                    for c in &m.credentials {
                        if !res.credentials.contains(c) {
                            res.credentials.push(c.clone());
                        }
                    }
                    self.log.message(id, side, &m, &conn.secrets);
                }
                Event::Raw { bytes, preview } => self.log.raw(id, side, bytes, &preview),
                Event::Switched(note) => self.log.note(id, &note),
            }
        }
    }
}

#[derive(Default)]
struct PumpResult {
    bytes: u64,
    messages: u64,
    credentials: Vec<String>,
    error: Option<String>,
}

/// Per-connection state shared by the two pumps.
struct Activity {
    started: Instant,
    last_ms: AtomicU64,
    /// Credential values seen on this connection (only collected with --redact).
    secrets: Mutex<Vec<String>>,
}

impl Activity {
    fn touch(&self) {
        self.last_ms
            .store(self.started.elapsed().as_millis() as u64, Ordering::Relaxed);
    }
    fn idle_for(&self) -> Duration {
        self.started
            .elapsed()
            .saturating_sub(Duration::from_millis(self.last_ms.load(Ordering::Relaxed)))
    }
}

fn quiet_end(e: &std::io::Error) -> bool {
    use std::io::ErrorKind as K;
    matches!(
        e.kind(),
        K::UnexpectedEof | K::ConnectionReset | K::BrokenPipe | K::ConnectionAborted
    )
}

/// Refuse a client mid-handshake: a fatal internal_error alert, then close.
async fn abort_client<S: AsyncWrite + Unpin>(mut io: S) {
    let _ = io
        .write_all(&[0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 80])
        .await;
    let _ = io.shutdown().await;
}

/// Answer an HTTP client that the proxy refuses (400, 431…) and close, within 2 s.
async fn answer(tcp: &mut TcpStream, status: u16, text: &str) {
    let resp = format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
        http::reason(status),
        text.len()
    );
    let _ = tokio::time::timeout(Duration::from_secs(2), async {
        let _ = tcp.write_all(resp.as_bytes()).await;
        let _ = tcp.shutdown().await;
    })
    .await;
}

/// Read an HTTP request head (bounded in size and time). Returns the head and any bytes after it.
async fn read_head(
    tcp: &mut TcpStream,
    timeout: Duration,
) -> std::result::Result<(Vec<u8>, Vec<u8>), Refusal> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if let Some(end) = http::head_end(&buf) {
            let rest = buf.split_off(end);
            return Ok((buf, rest));
        }
        if buf.len() > http::MAX_HEAD {
            answer(tcp, 431, "the request head is larger than 64 KiB\n").await;
            return Err(Refusal(
                "the client's request head is larger than 64 KiB; answered 431".into(),
            ));
        }
        let n = match tokio::time::timeout_at(deadline, tcp.read(&mut chunk)).await {
            Err(_) => {
                return Err(Refusal(format!(
                    "the client did not finish its request within {}",
                    net::fmt_duration(timeout)
                )))
            }
            Ok(Err(e)) => return Err(Refusal(format!("reading the client's request: {e}"))),
            Ok(Ok(0)) => {
                return Err(Refusal(
                    "the client closed the connection in the middle of its request".into(),
                ))
            }
            Ok(Ok(n)) => n,
        };
        buf.extend_from_slice(&chunk[..n]);
    }
}
