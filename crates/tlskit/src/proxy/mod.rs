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
//! * `log.rs` — the log sink ([`LogSink`]) and its connection records.
//! * `relay.rs` — the two pumps that relay and log a connection; [`Prefixed`].

pub mod forge;
pub mod httplog;
mod log;
mod relay;

pub use log::{Closed, ConnInfo, LogSink};
pub use relay::Prefixed;

use crate::error::{Error, Result};
use crate::http;
use crate::net::{self, Target};
use crate::pki::ca::Ca;
use crate::session::report::Negotiated;
use crate::session::verify::{self, ErrorContext, RecordingVerifier};
use forge::Forge;
use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::ServerName;
use rustls::ClientConfig;
use serde::Serialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWrite, AsyncWriteExt};
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
    // Bytes already searched for the blank line (each piece is searched once).
    let mut searched = 0;
    let mut chunk = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if let Some(end) = http::head_end_from(&buf, searched) {
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
        searched = buf.len();
        buf.extend_from_slice(&chunk[..n]);
    }
}
