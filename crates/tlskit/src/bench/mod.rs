//! `tlskit bench`: a concurrent load generator for TLS servers, in the manner of `openssl s_time`.
//!
//! Four workloads, each over N concurrent connections:
//! * full handshakes per second (no resumption offered);
//! * resumed handshakes per second (TLS 1.3 tickets / TLS 1.2 tickets or session IDs, from a
//!   session store shared by all connections; only handshakes rustls reports as resumed count);
//! * bulk throughput per direction (download a file, upload a body);
//! * idle: hold N established connections and measure the server's memory per connection.
//!
//! After each handshake the client sends a small HTTP/1.1 request (`GET PATH`, `Connection:
//! close`) and reads the answer to its end, as `openssl s_time -www PATH` does; with [`Exchange::Raw`]
//! it sends nothing and reads what the server sends until it closes. Latencies are measured from
//! the start of the TCP connect. CPU time of the load generator (getrusage) and, given its pids, of
//! the server (/proc) are reported so that ratios between servers can be judged on a machine
//! where both share the cores.

pub mod procfs;
pub mod stats;

use crate::error::{Error, Result};
use crate::http;
use crate::net::{self, Target};
use crate::session::config::ClientSetup;
use crate::session::report::Negotiated;
use crate::session::server::ReadAhead;
use crate::session::verify::{self, ErrorContext};
use rustls::client::Resumption;
use rustls::pki_types::ServerName;
use serde::Serialize;
use stats::Percentiles;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::Instant;
use tokio_rustls::client::TlsStream;
use tokio_rustls::TlsConnector;

/// What to measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workload {
    /// Full handshakes per second: the client never offers a session to resume.
    Full,
    /// Resumed handshakes per second.
    Resume,
    /// Move `bytes` over each connection, downloading and/or uploading.
    Bulk { bytes: u64, down: bool, up: bool },
    /// Open `count` connections, complete their handshakes and hold them idle.
    Idle { count: usize },
}

impl Workload {
    pub fn name(&self) -> &'static str {
        match self {
            Workload::Full => "full",
            Workload::Resume => "resume",
            Workload::Bulk { .. } => "bulk",
            Workload::Idle { .. } => "idle",
        }
    }
}

/// What the client says after the handshake.
#[derive(Debug, Clone)]
pub enum Exchange {
    /// HTTP/1.1 with `Connection: close`: `GET path` (handshakes, download), `POST upload_path`
    /// with a body (upload). `host` goes in the Host header.
    Http {
        path: String,
        upload_path: String,
        host: String,
    },
    /// No HTTP: read what the server sends until it closes (handshakes, download); send the bytes
    /// and close_notify, then wait for the server to close (upload).
    Raw,
}

/// A benchmark run.
#[derive(Debug, Clone)]
pub struct BenchOptions {
    pub target: Target,
    /// Name to send (SNI) and verify; default: the host.
    pub servername: Option<String>,
    pub workload: Workload,
    pub exchange: Exchange,
    /// Connections at once.
    pub connections: usize,
    /// How long to run (handshake workloads) or hold the connections (idle).
    pub duration: Duration,
    /// Bound on each connection's connect, handshake and each read or write.
    pub timeout: Duration,
    /// Server processes whose CPU time and memory to report (their children are included).
    pub server_pids: Vec<u32>,
    /// Proxy and `--resolve` overrides (every connection goes through `net::Connector`'s TCP part
    /// when a proxy applies).
    pub route: net::Route,
}

/// What was negotiated on the first connection.
#[derive(Debug, Clone, Serialize)]
pub struct Negotiation {
    pub protocol: String,
    pub cipher_suite: String,
    pub cipher_suite_openssl: Option<String>,
    pub key_exchange_group: Option<String>,
    pub alpn: Option<String>,
}

/// Handshake counts over the run.
#[derive(Debug, Clone, Serialize)]
pub struct Handshakes {
    pub full: u64,
    pub resumed: u64,
    /// The measured kind (full, or resumed with `--resume`) per second.
    pub per_second: f64,
    pub full_per_second: f64,
    pub resumed_per_second: f64,
}

/// Latencies from the start of the TCP connect.
#[derive(Debug, Clone, Serialize)]
pub struct Latency {
    /// Until the handshake completed.
    pub handshake: Option<Percentiles>,
    /// Until the first byte of the server's answer arrived.
    pub first_byte: Option<Percentiles>,
}

/// One direction of a bulk run.
#[derive(Debug, Clone, Serialize)]
pub struct Transfer {
    pub connections: usize,
    pub bytes: u64,
    pub seconds: f64,
    /// Application bytes per second / 10^6, all connections together.
    pub mb_per_s: f64,
    pub client_cpu_s: f64,
    pub server_cpu_s: Option<f64>,
}

/// A bulk run.
#[derive(Debug, Clone, Serialize)]
pub struct Bulk {
    pub bytes_per_connection: u64,
    pub down: Option<Transfer>,
    pub up: Option<Transfer>,
}

/// An idle run: the server's memory with N established connections.
#[derive(Debug, Clone, Serialize)]
pub struct Idle {
    pub requested: usize,
    pub held: u64,
    pub hold_s: f64,
    pub server_rss_kib_before: Option<u64>,
    pub server_rss_kib_held: Option<u64>,
    pub server_rss_kib_after_close: Option<u64>,
    /// (held − before) / connections held.
    pub per_connection_kib: Option<f64>,
}

/// Failed connections by kind, with the first message of each kind.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Errors {
    pub total: u64,
    pub by_kind: BTreeMap<String, u64>,
    pub first: BTreeMap<String, String>,
}

/// CPU time spent during the measured window.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Cpu {
    pub client_s: f64,
    pub server_s: Option<f64>,
    pub server_pids: Vec<u32>,
    pub client_ms_per_handshake: Option<f64>,
    pub server_ms_per_handshake: Option<f64>,
}

/// The result of a run; `render_text` or serde for `--json`.
#[derive(Debug, Clone, Serialize)]
pub struct BenchReport {
    pub target: String,
    pub address: String,
    pub server_name: String,
    pub workload: &'static str,
    /// `GET / (HTTP/1.1)` or `raw`.
    pub exchange: String,
    pub connections: usize,
    pub duration_s: f64,
    pub negotiated: Option<Negotiation>,
    pub handshakes: Option<Handshakes>,
    pub latency_ms: Option<Latency>,
    /// HTTP status codes of the answers.
    pub http_status: BTreeMap<String, u64>,
    pub bulk: Option<Bulk>,
    pub idle: Option<Idle>,
    pub errors: Errors,
    pub cpu: Cpu,
    pub notes: Vec<String>,
    /// The outbound proxy every connection went through (then `address` is the proxy's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proxy: Option<net::proxy::ProxyUse>,
}

/// The client's session store for `--resume`: shared by all connections, and deep enough that
/// each of N concurrent connections finds a TLS 1.3 ticket of its own (rustls' in-memory cache
/// keeps 8 per server, fewer than the connections a benchmark runs at once). Tickets are used
/// once, as RFC 8446 asks of clients.
#[derive(Debug)]
struct SharedTickets {
    cap: usize,
    inner: std::sync::Mutex<TicketsInner>,
}

#[derive(Debug, Default)]
struct TicketsInner {
    kx: std::collections::HashMap<ServerName<'static>, rustls::NamedGroup>,
    tls12: std::collections::HashMap<ServerName<'static>, rustls::client::Tls12ClientSessionValue>,
    tls13: std::collections::HashMap<
        ServerName<'static>,
        std::collections::VecDeque<rustls::client::Tls13ClientSessionValue>,
    >,
}

impl SharedTickets {
    fn new(cap: usize) -> Self {
        SharedTickets {
            cap,
            inner: std::sync::Mutex::new(TicketsInner::default()),
        }
    }
    fn with<T>(&self, f: impl FnOnce(&mut TicketsInner) -> T) -> T {
        let mut g = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut g)
    }
}

impl rustls::client::ClientSessionStore for SharedTickets {
    fn set_kx_hint(&self, server_name: ServerName<'static>, group: rustls::NamedGroup) {
        self.with(|i| i.kx.insert(server_name, group));
    }
    fn kx_hint(&self, server_name: &ServerName<'_>) -> Option<rustls::NamedGroup> {
        self.with(|i| i.kx.get(&server_name.to_owned()).copied())
    }
    fn set_tls12_session(
        &self,
        server_name: ServerName<'static>,
        value: rustls::client::Tls12ClientSessionValue,
    ) {
        self.with(|i| i.tls12.insert(server_name, value));
    }
    fn tls12_session(
        &self,
        server_name: &ServerName<'_>,
    ) -> Option<rustls::client::Tls12ClientSessionValue> {
        self.with(|i| i.tls12.get(&server_name.to_owned()).cloned())
    }
    fn remove_tls12_session(&self, server_name: &ServerName<'static>) {
        self.with(|i| i.tls12.remove(server_name));
    }
    fn insert_tls13_ticket(
        &self,
        server_name: ServerName<'static>,
        value: rustls::client::Tls13ClientSessionValue,
    ) {
        let cap = self.cap;
        self.with(|i| {
            let q = i.tls13.entry(server_name).or_default();
            q.push_back(value);
            while q.len() > cap {
                q.pop_front();
            }
        });
    }
    fn take_tls13_ticket(
        &self,
        server_name: &ServerName<'static>,
    ) -> Option<rustls::client::Tls13ClientSessionValue> {
        self.with(|i| i.tls13.get_mut(server_name).and_then(|q| q.pop_back()))
    }
}

/// Answers larger than this are not read to the end in the handshake workloads.
const MAX_ANSWER: usize = 1 << 20;
/// After the end of a run, connections still in flight get this long before they are cut.
const GRACE: Duration = Duration::from_secs(2);
/// Chunk written per call when uploading.
const UPLOAD_CHUNK: usize = 64 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Connect,
    Tls,
    Timeout,
    Io,
    NoAnswer,
    Http,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Connect => "connect",
            Kind::Tls => "tls",
            Kind::Timeout => "timeout",
            Kind::Io => "io",
            Kind::NoAnswer => "no_answer",
            Kind::Http => "http",
        }
    }
}

#[derive(Debug)]
struct Failure {
    kind: Kind,
    message: String,
}

impl Failure {
    fn new(kind: Kind, message: impl Into<String>) -> Self {
        Failure {
            kind,
            message: message.into(),
        }
    }
    fn into_error(self) -> Error {
        match self.kind {
            Kind::Tls => Error::tls(self.message),
            Kind::Http | Kind::NoAnswer => Error::protocol(self.message),
            _ => Error::network(self.message),
        }
    }
}

/// Everything a connection needs, shared by all of them.
struct Ctx {
    addr: SocketAddr,
    /// Set when a proxy applies: every connection is opened through it.
    via_proxy: Option<net::Connector>,
    name: ServerName<'static>,
    connector: TlsConnector,
    exchange: Exchange,
    /// Sent after each handshake in the handshake workloads (empty for raw).
    request: Vec<u8>,
    timeout: Duration,
    err_ctx: ErrorContext,
}

/// A completed connection in a handshake workload.
struct Sample {
    handshake: Duration,
    first_byte: Option<Duration>,
    resumed: bool,
    status: Option<u16>,
}

impl Ctx {
    /// TCP connect and TLS handshake, both before `deadline`. Returns the stream and the time the
    /// two took.
    async fn open(
        &self,
        deadline: Instant,
    ) -> std::result::Result<(TlsStream<ReadAhead>, Duration), Failure> {
        let t0 = Instant::now();
        if let Some(c) = &self.via_proxy {
            let tcp = match tokio::time::timeout_at(deadline, c.connect_tcp(None)).await {
                Err(_) => {
                    return Err(Failure::new(
                        Kind::Timeout,
                        format!("connecting through the proxy to {} timed out", c.target),
                    ))
                }
                Ok(Err(e)) => return Err(Failure::new(Kind::Connect, e.message())),
                Ok(Ok(c)) => c.stream,
            };
            return self.tls_on(tcp, t0, deadline).await;
        }
        let tcp = match tokio::time::timeout_at(deadline, TcpStream::connect(self.addr)).await {
            Err(_) => {
                return Err(Failure::new(
                    Kind::Timeout,
                    format!("TCP connect to {} timed out", self.addr),
                ))
            }
            Ok(Err(e)) => {
                return Err(Failure::new(
                    Kind::Connect,
                    net::connect_error(self.addr, &e).to_string(),
                ))
            }
            Ok(Ok(s)) => s,
        };
        let _ = tcp.set_nodelay(true);
        self.tls_on(tcp, t0, deadline).await
    }

    /// The TLS handshake on a connected stream, before `deadline`.
    async fn tls_on(
        &self,
        tcp: TcpStream,
        t0: Instant,
        deadline: Instant,
    ) -> std::result::Result<(TlsStream<ReadAhead>, Duration), Failure> {
        let tls = match tokio::time::timeout_at(
            deadline,
            self.connector
                .connect(self.name.clone(), ReadAhead::new(tcp)),
        )
        .await
        {
            Err(_) => {
                return Err(Failure::new(
                    Kind::Timeout,
                    format!("TLS handshake with {} did not finish in time", self.addr),
                ))
            }
            Ok(Err(e)) => {
                return Err(Failure::new(
                    Kind::Tls,
                    verify::io_error(&e, &self.err_ctx, "TLS handshake").to_string(),
                ))
            }
            Ok(Ok(s)) => s,
        };
        Ok((tls, t0.elapsed()))
    }

    /// One connection of a handshake workload: handshake, request, the whole answer.
    async fn small_exchange(
        &self,
        buf: &mut [u8],
        deadline: Instant,
    ) -> std::result::Result<Sample, Failure> {
        let t0 = Instant::now();
        let (mut tls, handshake) = self.open(deadline).await?;
        let resumed = tls.get_ref().1.handshake_kind() == Some(rustls::HandshakeKind::Resumed);
        let io = |what: &str, e: std::io::Error| Failure::new(Kind::Io, format!("{what}: {e}"));
        if !self.request.is_empty() {
            let sent = async {
                tls.write_all(&self.request).await?;
                tls.flush().await
            };
            match tokio::time::timeout_at(deadline, sent).await {
                Err(_) => return Err(Failure::new(Kind::Timeout, "sending the request timed out")),
                Ok(Err(e)) => return Err(io("sending the request", e)),
                Ok(Ok(())) => {}
            }
        }
        let mut first_byte = None;
        let mut start = [0u8; 16];
        let mut total = 0usize;
        loop {
            match tokio::time::timeout_at(deadline, tls.read(buf)).await {
                Err(_) => {
                    let what = if total == 0 {
                        "waiting for the server's answer"
                    } else {
                        "reading the answer"
                    };
                    return Err(Failure::new(Kind::Timeout, format!("{what} timed out")));
                }
                Ok(Ok(0)) => break,
                Ok(Ok(n)) => {
                    if first_byte.is_none() {
                        first_byte = Some(t0.elapsed());
                    }
                    if total < start.len() {
                        let k = (start.len() - total).min(n);
                        start[total..total + k].copy_from_slice(&buf[..k]);
                    }
                    total += n;
                    if total > MAX_ANSWER {
                        break;
                    }
                }
                // A server that closes without close_notify after answering: the answer is complete.
                Ok(Err(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof && total > 0 => break,
                Ok(Err(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                    return Err(Failure::new(
                        Kind::NoAnswer,
                        "the server closed the connection without answering",
                    ))
                }
                Ok(Err(e)) if total > 0 && e.kind() == std::io::ErrorKind::ConnectionReset => break,
                Ok(Err(e)) => return Err(io("reading the answer", e)),
            }
        }
        if total == 0 && matches!(self.exchange, Exchange::Raw) {
            return Err(Failure::new(
                Kind::NoAnswer,
                "the server closed the connection without sending anything",
            ));
        }
        let status = match self.exchange {
            Exchange::Http { .. } => Some(status_of(&start[..total.min(start.len())])),
            Exchange::Raw => None,
        };
        Ok(Sample {
            handshake,
            first_byte,
            resumed,
            status,
        })
    }
}

/// The status code of an answer that starts `HTTP/1.x NNN`, or 0 when it is not HTTP.
fn status_of(start: &[u8]) -> u16 {
    let text = String::from_utf8_lossy(start);
    let mut parts = text.split(' ');
    match (parts.next(), parts.next()) {
        (Some(v), Some(code)) if v.starts_with("HTTP/") => code.parse().unwrap_or(0),
        _ => 0,
    }
}

/// What one worker of a handshake workload saw.
#[derive(Default)]
struct WorkerStats {
    handshake_us: Vec<u32>,
    first_byte_us: Vec<u32>,
    full: u64,
    resumed: u64,
    status: BTreeMap<u16, u64>,
    errors: BTreeMap<Kind, (u64, String)>,
}

fn micros(d: Duration) -> u32 {
    d.as_micros().min(u32::MAX as u128) as u32
}

impl WorkerStats {
    fn add(&mut self, s: Sample) {
        self.handshake_us.push(micros(s.handshake));
        if let Some(f) = s.first_byte {
            self.first_byte_us.push(micros(f));
        }
        if s.resumed {
            self.resumed += 1;
        } else {
            self.full += 1;
        }
        if let Some(st) = s.status {
            *self.status.entry(st).or_default() += 1;
        }
    }
    fn fail(&mut self, f: Failure) {
        let e = self.errors.entry(f.kind).or_insert((0, f.message));
        e.0 += 1;
    }
    fn merge(&mut self, o: WorkerStats) {
        self.handshake_us.extend(o.handshake_us);
        self.first_byte_us.extend(o.first_byte_us);
        self.full += o.full;
        self.resumed += o.resumed;
        for (k, v) in o.status {
            *self.status.entry(k).or_default() += v;
        }
        for (k, (n, msg)) in o.errors {
            self.errors.entry(k).or_insert((0, msg)).0 += n;
        }
    }
}

fn errors_of(map: &BTreeMap<Kind, (u64, String)>) -> Errors {
    let mut e = Errors::default();
    for (k, (n, msg)) in map {
        e.total += n;
        e.by_kind.insert(k.name().to_string(), *n);
        e.first.insert(k.name().to_string(), msg.clone());
    }
    e
}

/// Run the benchmark. `setup` is the client configuration (trust, versions, suites, groups); its
/// resumption setting is replaced according to the workload.
pub async fn run(opts: &BenchOptions, setup: &ClientSetup) -> Result<BenchReport> {
    if opts.connections == 0 {
        return Err(Error::usage("--connections must be at least 1"));
    }
    procfs::check_pids(&opts.server_pids)?;
    let connector = net::Connector::new(opts.target.clone(), opts.timeout).with_route(&opts.route);
    let (addr, proxy_use, via_proxy) = if connector.proxy.is_some() {
        // The first tunnel tells whether the proxy is there and lets us through.
        let c = connector.connect_tcp(None).await?;
        (c.peer, c.proxy, Some(connector))
    } else if let Some(ips) =
        net::target::ResolveOverride::lookup(&opts.route.overrides, &opts.target)
    {
        (SocketAddr::new(ips[0], opts.target.port), None, None)
    } else {
        let addrs = net::resolve(&opts.target).await?;
        let addr = *addrs
            .first()
            .ok_or_else(|| Error::network(format!("{} has no address", opts.target)))?;
        (addr, None, None)
    };
    let name = crate::session::client::server_name(&opts.target, opts.servername.as_deref())?;
    let server_name = opts
        .servername
        .clone()
        .unwrap_or_else(|| opts.target.host.clone());
    let mut config = (*setup.config).clone();
    config.resumption = match opts.workload {
        Workload::Resume => {
            Resumption::store(Arc::new(SharedTickets::new(4 * opts.connections + 16)))
        }
        _ => Resumption::disabled(),
    };
    let request = match &opts.exchange {
        Exchange::Http { path, host, .. } => {
            format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: tlskit-bench\r\nConnection: close\r\n\r\n")
                .into_bytes()
        }
        Exchange::Raw => Vec::new(),
    };
    let ctx = Arc::new(Ctx {
        addr,
        via_proxy,
        name,
        connector: TlsConnector::from(Arc::new(config)),
        exchange: opts.exchange.clone(),
        request,
        timeout: opts.timeout,
        err_ctx: ErrorContext {
            peer: format!("{} ({addr})", opts.target),
            name: server_name.clone(),
            trust: setup.trust.clone(),
            leaf: None,
            server_side: false,
        },
    });

    // A first connection tells whether the server is there at all, and what it negotiates.
    let (probe, _) = ctx
        .open(Instant::now() + opts.timeout)
        .await
        .map_err(Failure::into_error)?;
    let n = Negotiated::from_state(probe.get_ref().1);
    drop(probe);
    let negotiated = Negotiation {
        protocol: n.protocol,
        cipher_suite: n.cipher_suite.name,
        cipher_suite_openssl: n.cipher_suite.openssl_name,
        key_exchange_group: n.key_exchange_group,
        alpn: n.alpn,
    };
    let mut report = BenchReport {
        target: opts.target.to_string(),
        address: addr.to_string(),
        server_name,
        workload: opts.workload.name(),
        exchange: match &opts.exchange {
            Exchange::Http {
                path, upload_path, ..
            } => match opts.workload {
                Workload::Bulk { down, up, .. } => match (down, up) {
                    (true, true) => format!("GET {path}, POST {upload_path} (HTTP/1.1)"),
                    (false, true) => format!("POST {upload_path} (HTTP/1.1)"),
                    _ => format!("GET {path} (HTTP/1.1)"),
                },
                Workload::Idle { .. } => "none (idle)".to_string(),
                _ => format!("GET {path} (HTTP/1.1)"),
            },
            Exchange::Raw => "raw".to_string(),
        },
        connections: opts.connections,
        duration_s: 0.0,
        negotiated: Some(negotiated),
        handshakes: None,
        latency_ms: None,
        http_status: BTreeMap::new(),
        bulk: None,
        idle: None,
        errors: Errors::default(),
        cpu: Cpu {
            server_pids: opts.server_pids.clone(),
            ..Default::default()
        },
        notes: Vec::new(),
        proxy: proxy_use,
    };
    match opts.workload {
        Workload::Full | Workload::Resume => handshakes(&ctx, opts, &mut report).await?,
        Workload::Bulk { bytes, down, up } => {
            bulk(&ctx, opts, bytes, down, up, &mut report).await?
        }
        Workload::Idle { count } => idle(&ctx, opts, count, &mut report).await?,
    }
    Ok(report)
}

async fn handshakes(ctx: &Arc<Ctx>, opts: &BenchOptions, report: &mut BenchReport) -> Result<()> {
    let resume = opts.workload == Workload::Resume;
    // The first exchange must work; with --resume it also leaves a session to resume.
    let mut buf = vec![0u8; 16 * 1024];
    ctx.small_exchange(&mut buf, Instant::now() + opts.timeout)
        .await
        .map_err(Failure::into_error)?;
    if resume {
        // One unmeasured exchange per connection, so that every connection starts with a ticket.
        let mut warm = tokio::task::JoinSet::new();
        for _ in 0..opts.connections {
            let ctx = ctx.clone();
            warm.spawn(async move {
                let mut buf = vec![0u8; 16 * 1024];
                let _ = ctx
                    .small_exchange(&mut buf, Instant::now() + ctx.timeout)
                    .await;
            });
        }
        while warm.join_next().await.is_some() {}
    }
    let server0 = procfs::snapshot(&opts.server_pids);
    let client0 = procfs::self_cpu_seconds();
    let start = Instant::now();
    let end = start + opts.duration;
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..opts.connections {
        let ctx = ctx.clone();
        workers.spawn(async move {
            let mut st = WorkerStats::default();
            let mut buf = vec![0u8; 16 * 1024];
            while Instant::now() < end {
                let deadline = (Instant::now() + ctx.timeout).min(end + GRACE);
                let r = ctx.small_exchange(&mut buf, deadline).await;
                if Instant::now() > end {
                    break; // finished after the end: not counted
                }
                match r {
                    Ok(s) => st.add(s),
                    Err(f) => {
                        st.fail(f);
                        // Do not spin on a server that refuses everything.
                        tokio::time::sleep(Duration::from_millis(10)).await;
                    }
                }
            }
            st
        });
    }
    let mut all = WorkerStats::default();
    while let Some(r) = workers.join_next().await {
        if let Ok(st) = r {
            all.merge(st);
        }
    }
    let elapsed = opts.duration.as_secs_f64();
    let client_s = procfs::self_cpu_seconds() - client0;
    let server1 = procfs::snapshot(&opts.server_pids);
    report.duration_s = elapsed;
    let counted = if resume {
        all.resumed
    } else {
        all.full + all.resumed
    };
    report.handshakes = Some(Handshakes {
        full: all.full,
        resumed: all.resumed,
        per_second: round2(counted as f64 / elapsed),
        full_per_second: round2(all.full as f64 / elapsed),
        resumed_per_second: round2(all.resumed as f64 / elapsed),
    });
    report.latency_ms = Some(Latency {
        handshake: stats::percentiles(&mut all.handshake_us),
        first_byte: stats::percentiles(&mut all.first_byte_us),
    });
    report.http_status = all
        .status
        .iter()
        .map(|(k, v)| (k.to_string(), *v))
        .collect();
    report.errors = errors_of(&all.errors);
    let total = all.full + all.resumed;
    report.cpu.client_s = round3(client_s);
    if total > 0 {
        report.cpu.client_ms_per_handshake = Some(round3(client_s * 1000.0 / total as f64));
    }
    if !opts.server_pids.is_empty() {
        let s = server1.cpu_s - server0.cpu_s;
        report.cpu.server_s = Some(round3(s));
        if total > 0 {
            report.cpu.server_ms_per_handshake = Some(round3(s * 1000.0 / total as f64));
        }
    }
    if resume && all.resumed == 0 && total > 0 {
        report.notes.push(format!(
            "the server resumed none of the {total} sessions offered: it issues no session tickets and keeps no session cache (tlskit serve --no-resumption, nginx ssl_session_tickets off …)"
        ));
    } else if resume && all.full > 0 {
        report.notes.push(format!(
            "{} handshake(s) were full although a session was offered (the server did not accept it)",
            all.full
        ));
    }
    let bad: u64 = all
        .status
        .iter()
        .filter(|(k, _)| !(200..300).contains(*k))
        .map(|(_, v)| v)
        .sum();
    if bad > 0 {
        report.notes.push(format!(
            "{bad} answer(s) were not HTTP 2xx: check the path (--path)"
        ));
    }
    if total == 0 {
        let first = all.errors.into_values().next().map(|(_, m)| m);
        return Err(Error::network(format!(
            "no connection completed in {:.1} s{}",
            elapsed,
            first.map(|m| format!(": {m}")).unwrap_or_default()
        )));
    }
    Ok(())
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

fn round3(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

/// One transfer: bytes moved and when it started (after the handshake) and ended.
struct Moved {
    bytes: u64,
    start: Instant,
    end: Instant,
    note: Option<String>,
}

async fn with_timeout<T>(
    t: Duration,
    what: &str,
    f: impl std::future::Future<Output = std::io::Result<T>>,
) -> std::result::Result<T, Failure> {
    match tokio::time::timeout(t, f).await {
        Err(_) => Err(Failure::new(
            Kind::Timeout,
            format!("{what}: nothing moved for {}", net::fmt_duration(t)),
        )),
        Ok(Err(e)) => Err(Failure::new(Kind::Io, format!("{what}: {e}"))),
        Ok(Ok(v)) => Ok(v),
    }
}

/// Read an HTTP response head; returns it and how many body bytes came with it (already consumed).
async fn read_head(
    tls: &mut TlsStream<ReadAhead>,
    t: Duration,
) -> std::result::Result<(http::ResponseHead, u64), Failure> {
    let mut head = Vec::new();
    loop {
        let chunk = with_timeout(t, "reading the response head", tls.fill_buf()).await?;
        if chunk.is_empty() {
            return Err(Failure::new(
                Kind::NoAnswer,
                "the server closed the connection without answering",
            ));
        }
        let n = chunk.len();
        head.extend_from_slice(chunk);
        tls.consume(n);
        if let Some(end) = http::head_end(&head) {
            let extra = (head.len() - end) as u64;
            head.truncate(end);
            let parsed = http::parse_response_head(&head)
                .map_err(|e| Failure::new(Kind::Http, e.to_string()))?;
            return Ok((parsed, extra));
        }
        if head.len() > http::MAX_HEAD {
            return Err(Failure::new(
                Kind::Http,
                "the response head is larger than 64 KiB",
            ));
        }
    }
}

async fn download(ctx: &Ctx, want: u64) -> std::result::Result<Moved, Failure> {
    let (mut tls, _) = ctx.open(Instant::now() + ctx.timeout).await?;
    let start = Instant::now();
    let mut got = 0u64;
    let mut limit = want;
    let mut note = None;
    if let Exchange::Http { path, host, .. } = &ctx.exchange {
        let req = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: tlskit-bench\r\nConnection: close\r\n\r\n");
        with_timeout(ctx.timeout, "sending the request", async {
            tls.write_all(req.as_bytes()).await?;
            tls.flush().await
        })
        .await?;
        let (head, extra) = read_head(&mut tls, ctx.timeout).await?;
        if head.status != 200 {
            return Err(Failure::new(
                Kind::Http,
                format!(
                    "the server answered {} {} to GET {path}: serve a file of at least {} there (--path)",
                    head.status,
                    head.reason,
                    stats::fmt_bytes(want)
                ),
            ));
        }
        if let Some(cl) =
            http::header(&head.headers, "content-length").and_then(|v| v.trim().parse::<u64>().ok())
        {
            if cl < want {
                note = Some(format!(
                    "GET {path} is {cl} bytes, less than the {want} asked for"
                ));
                limit = cl;
            }
        }
        got = extra.min(limit);
    }
    while got < limit {
        let chunk = match tokio::time::timeout(ctx.timeout, tls.fill_buf()).await {
            Err(_) => {
                return Err(Failure::new(
                    Kind::Timeout,
                    format!("download stalled after {got} bytes"),
                ))
            }
            Ok(Ok(c)) => c.len(),
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => 0,
            Ok(Err(e)) => {
                return Err(Failure::new(
                    Kind::Io,
                    format!("download after {got} bytes: {e}"),
                ))
            }
        };
        if chunk == 0 {
            note = Some(format!("the server closed after {got} of {want} bytes"));
            break;
        }
        tls.consume(chunk);
        got += chunk as u64;
    }
    let end = Instant::now();
    Ok(Moved {
        bytes: got.min(limit),
        start,
        end,
        note,
    })
}

async fn upload(ctx: &Ctx, want: u64, zeros: &[u8]) -> std::result::Result<Moved, Failure> {
    let (mut tls, _) = ctx.open(Instant::now() + ctx.timeout).await?;
    let start = Instant::now();
    if let Exchange::Http {
        upload_path, host, ..
    } = &ctx.exchange
    {
        let head = format!(
            "POST {upload_path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: tlskit-bench\r\nContent-Type: application/octet-stream\r\nContent-Length: {want}\r\nConnection: close\r\n\r\n"
        );
        with_timeout(
            ctx.timeout,
            "sending the request",
            tls.write_all(head.as_bytes()),
        )
        .await?;
    }
    let mut left = want;
    while left > 0 {
        let n = left.min(zeros.len() as u64) as usize;
        with_timeout(ctx.timeout, "upload", tls.write_all(&zeros[..n])).await?;
        left -= n as u64;
    }
    with_timeout(ctx.timeout, "upload", tls.flush()).await?;
    if matches!(ctx.exchange, Exchange::Raw) {
        // close_notify and FIN: the server sees the end and closes in turn.
        with_timeout(ctx.timeout, "closing", tls.shutdown()).await?;
    }
    // The answer, to its end: the server has read everything once it closes.
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match tokio::time::timeout(ctx.timeout, tls.read(&mut buf)).await {
            Err(_) => {
                return Err(Failure::new(
                    Kind::Timeout,
                    "waiting for the server to finish reading the upload",
                ))
            }
            Ok(Ok(0)) => break,
            Ok(Ok(n)) => {
                if answer.len() < 4096 {
                    answer.extend_from_slice(&buf[..n]);
                }
            }
            Ok(Err(e))
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::UnexpectedEof | std::io::ErrorKind::ConnectionReset
                ) =>
            {
                break
            }
            Ok(Err(e)) => {
                return Err(Failure::new(
                    Kind::Io,
                    format!("reading the answer to the upload: {e}"),
                ))
            }
        }
    }
    let end = Instant::now();
    if let Exchange::Http { upload_path, .. } = &ctx.exchange {
        let status = status_of(&answer[..answer.len().min(16)]);
        if !(200..300).contains(&status) {
            let line = String::from_utf8_lossy(&answer)
                .lines()
                .next()
                .unwrap_or("")
                .to_string();
            return Err(Failure::new(
                Kind::Http,
                format!(
                    "the server did not accept POST {upload_path}: {}",
                    if line.is_empty() {
                        "no answer".to_string()
                    } else {
                        line
                    }
                ),
            ));
        }
    }
    Ok(Moved {
        bytes: want,
        start,
        end,
        note: None,
    })
}

async fn bulk(
    ctx: &Arc<Ctx>,
    opts: &BenchOptions,
    bytes: u64,
    down: bool,
    up: bool,
    report: &mut BenchReport,
) -> Result<()> {
    let mut result = Bulk {
        bytes_per_connection: bytes,
        down: None,
        up: None,
    };
    let zeros: Arc<Vec<u8>> = Arc::new(vec![0u8; UPLOAD_CHUNK]);
    let wall = Instant::now();
    for (is_down, wanted) in [(true, down), (false, up)] {
        if !wanted {
            continue;
        }
        let server0 = procfs::snapshot(&opts.server_pids);
        let client0 = procfs::self_cpu_seconds();
        let mut set = tokio::task::JoinSet::new();
        for _ in 0..opts.connections {
            let ctx = ctx.clone();
            let zeros = zeros.clone();
            set.spawn(async move {
                if is_down {
                    download(&ctx, bytes).await
                } else {
                    upload(&ctx, bytes, &zeros).await
                }
            });
        }
        let mut moved = Vec::new();
        while let Some(r) = set.join_next().await {
            match r {
                Ok(Ok(m)) => moved.push(m),
                Ok(Err(f)) => return Err(f.into_error()),
                Err(e) => return Err(Error::other(format!("a transfer task failed: {e}"))),
            }
        }
        let client_s = procfs::self_cpu_seconds() - client0;
        let server1 = procfs::snapshot(&opts.server_pids);
        let start = moved.iter().map(|m| m.start).min().unwrap_or(wall);
        let end = moved.iter().map(|m| m.end).max().unwrap_or(wall);
        let total: u64 = moved.iter().map(|m| m.bytes).sum();
        let secs = (end - start).as_secs_f64().max(1e-6);
        for note in moved.iter().filter_map(|m| m.note.clone()) {
            if !report.notes.contains(&note) {
                report.notes.push(note);
            }
        }
        let t = Transfer {
            connections: opts.connections,
            bytes: total,
            seconds: round3(secs),
            mb_per_s: round2(total as f64 / 1e6 / secs),
            client_cpu_s: round3(client_s),
            server_cpu_s: (!opts.server_pids.is_empty())
                .then(|| round3(server1.cpu_s - server0.cpu_s)),
        };
        if is_down {
            result.down = Some(t);
        } else {
            result.up = Some(t);
        }
    }
    report.duration_s = round3(wall.elapsed().as_secs_f64());
    report.cpu.client_s = result
        .down
        .iter()
        .chain(result.up.iter())
        .map(|t| t.client_cpu_s)
        .sum();
    if !opts.server_pids.is_empty() {
        report.cpu.server_s = Some(
            result
                .down
                .iter()
                .chain(result.up.iter())
                .filter_map(|t| t.server_cpu_s)
                .sum(),
        );
    }
    report.bulk = Some(result);
    Ok(())
}

async fn idle(
    ctx: &Arc<Ctx>,
    opts: &BenchOptions,
    count: usize,
    report: &mut BenchReport,
) -> Result<()> {
    // Warm the server up (threads, allocator arenas, caches) before the baseline.
    let mut buf = vec![0u8; 16 * 1024];
    let warm = Instant::now() + Duration::from_secs(2);
    for _ in 0..200 {
        if Instant::now() > warm {
            break;
        }
        let _ = ctx
            .small_exchange(&mut buf, Instant::now() + ctx.timeout)
            .await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = procfs::snapshot(&opts.server_pids);
    let client0 = procfs::self_cpu_seconds();
    let slots = Arc::new(tokio::sync::Semaphore::new(opts.connections));
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..count {
        let ctx = ctx.clone();
        let slots = slots.clone();
        set.spawn(async move {
            let _slot = slots.acquire_owned().await.expect("never closed");
            ctx.open(Instant::now() + ctx.timeout).await.map(|(s, _)| s)
        });
    }
    let mut held = Vec::with_capacity(count);
    let mut errors: BTreeMap<Kind, (u64, String)> = BTreeMap::new();
    while let Some(r) = set.join_next().await {
        match r {
            Ok(Ok(s)) => held.push(s),
            Ok(Err(f)) => errors.entry(f.kind).or_insert((0, f.message)).0 += 1,
            Err(_) => {}
        }
    }
    // Let the server finish its side (TLS 1.3: the client's Finished, the tickets) and settle.
    tokio::time::sleep(opts.duration).await;
    let during = procfs::snapshot(&opts.server_pids);
    let n = held.len() as u64;
    drop(held);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let after = procfs::snapshot(&opts.server_pids);
    let measured = !opts.server_pids.is_empty();
    report.duration_s = round3(opts.duration.as_secs_f64());
    report.errors = errors_of(&errors);
    report.cpu.client_s = round3(procfs::self_cpu_seconds() - client0);
    if measured {
        report.cpu.server_s = Some(round3(during.cpu_s - before.cpu_s));
    }
    report.idle = Some(Idle {
        requested: count,
        held: n,
        hold_s: round3(opts.duration.as_secs_f64()),
        server_rss_kib_before: measured.then_some(before.rss_kib),
        server_rss_kib_held: measured.then_some(during.rss_kib),
        server_rss_kib_after_close: measured.then_some(after.rss_kib),
        per_connection_kib: (measured && n > 0)
            .then(|| round2((during.rss_kib as f64 - before.rss_kib as f64) / n as f64)),
    });
    if !measured {
        report.notes.push(
            "give --server-pid PID to measure the server's memory per connection".to_string(),
        );
    }
    if n == 0 {
        let first = errors
            .into_values()
            .next()
            .map(|(_, m)| m)
            .unwrap_or_default();
        return Err(Error::network(format!(
            "no connection could be established: {first}"
        )));
    }
    Ok(())
}

fn fmt_p(p: &Option<Percentiles>) -> String {
    match p {
        Some(p) => format!(
            "p50 {:.2} ms  p90 {:.2} ms  p99 {:.2} ms  max {:.2} ms  ({} samples)",
            p.p50, p.p90, p.p99, p.max, p.samples
        ),
        None => "-".to_string(),
    }
}

/// The report as text, one fact per line.
pub fn render_text(r: &BenchReport) -> String {
    let mut out = String::new();
    let what = match r.workload {
        "full" => "full handshakes",
        "resume" => "resumed handshakes",
        "bulk" => "bulk transfer",
        _ => "idle connections",
    };
    out.push_str(&format!(
        "tlskit bench: {} ({}, name {}) — {what}; exchange: {}; {} connection(s)\n",
        r.target, r.address, r.server_name, r.exchange, r.connections
    ));
    if let Some(p) = &r.proxy {
        out.push_str(&format!(
            "  proxy         every connection through {}\n",
            p.describe()
        ));
    }
    if let Some(n) = &r.negotiated {
        out.push_str(&format!(
            "  negotiated    {} {}{} group {}{}\n",
            n.protocol,
            n.cipher_suite,
            n.cipher_suite_openssl
                .as_deref()
                .map(|o| format!(" ({o})"))
                .unwrap_or_default(),
            n.key_exchange_group.as_deref().unwrap_or("-"),
            n.alpn
                .as_deref()
                .map(|a| format!(" alpn {a}"))
                .unwrap_or_default()
        ));
    }
    if let Some(h) = &r.handshakes {
        let main = if r.workload == "resume" {
            format!("{:.1} resumed handshakes/s", h.resumed_per_second)
        } else {
            format!(
                "{:.1} full handshakes/s",
                h.full_per_second + h.resumed_per_second
            )
        };
        out.push_str(&format!(
            "  rate          {main}  ({} full, {} resumed in {:.1} s)\n",
            h.full, h.resumed, r.duration_s
        ));
    }
    if let Some(l) = &r.latency_ms {
        out.push_str(&format!("  handshake     {}\n", fmt_p(&l.handshake)));
        out.push_str(&format!("  first byte    {}\n", fmt_p(&l.first_byte)));
    }
    if !r.http_status.is_empty() {
        let s: Vec<String> = r
            .http_status
            .iter()
            .map(|(k, v)| format!("{k} × {v}"))
            .collect();
        out.push_str(&format!("  http status   {}\n", s.join(", ")));
    }
    if let Some(b) = &r.bulk {
        for (dir, t) in [("download", &b.down), ("upload", &b.up)] {
            if let Some(t) = t {
                out.push_str(&format!(
                    "  {dir:<13} {:.1} MB/s  ({} in {:.3} s over {} connection(s); cpu client {:.2} s{})\n",
                    t.mb_per_s,
                    stats::fmt_bytes(t.bytes),
                    t.seconds,
                    t.connections,
                    t.client_cpu_s,
                    t.server_cpu_s.map(|s| format!(", server {s:.2} s")).unwrap_or_default()
                ));
            }
        }
    }
    if let Some(i) = &r.idle {
        out.push_str(&format!(
            "  held          {} of {} connections for {:.1} s\n",
            i.held, i.requested, i.hold_s
        ));
        if let (Some(b), Some(h), Some(a)) = (
            i.server_rss_kib_before,
            i.server_rss_kib_held,
            i.server_rss_kib_after_close,
        ) {
            out.push_str(&format!(
                "  server memory {b} KiB before, {h} KiB held, {a} KiB after closing: {:.1} KiB per connection\n",
                i.per_connection_kib.unwrap_or(0.0)
            ));
        }
    }
    if r.errors.total == 0 {
        out.push_str("  errors        none\n");
    } else {
        let kinds: Vec<String> = r
            .errors
            .by_kind
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        out.push_str(&format!(
            "  errors        {} ({})\n",
            r.errors.total,
            kinds.join(", ")
        ));
        for (k, m) in &r.errors.first {
            out.push_str(&format!("                first {k}: {m}\n"));
        }
    }
    let mut cpu = format!("client {:.2} s", r.cpu.client_s);
    if let Some(ms) = r.cpu.client_ms_per_handshake {
        cpu.push_str(&format!(" ({ms:.3} ms/handshake)"));
    }
    if let Some(s) = r.cpu.server_s {
        cpu.push_str(&format!("; server {s:.2} s"));
        if let Some(ms) = r.cpu.server_ms_per_handshake {
            cpu.push_str(&format!(" ({ms:.3} ms/handshake)"));
        }
        let pids: Vec<String> = r.cpu.server_pids.iter().map(|p| p.to_string()).collect();
        cpu.push_str(&format!(" [pid {}]", pids.join(",")));
    }
    out.push_str(&format!("  cpu           {cpu}\n"));
    for n in &r.notes {
        out.push_str(&format!("  note: {n}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn status_line() {
        assert_eq!(super::status_of(b"HTTP/1.1 200 OK\r\n"), 200);
        assert_eq!(super::status_of(b"HTTP/1.0 404 Not"), 404);
        assert_eq!(super::status_of(b"hello"), 0);
    }
}
