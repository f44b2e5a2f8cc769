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

mod conn;
mod render;
mod tickets;
mod transfer;

use conn::*;
pub use render::*;
use tickets::*;
use transfer::*;

use crate::error::{Error, Result};
use crate::http;
use crate::net::ReadAhead;
use crate::net::{self, Target};
use crate::session::config::ClientSetup;
use crate::session::report::Negotiated;
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
        warm_up(ctx, opts.connections).await;
    }
    let server0 = procfs::snapshot(&opts.server_pids);
    let client0 = procfs::self_cpu_seconds();
    let start = Instant::now();
    let end = start + opts.duration;
    let mut all = handshake_workers(ctx, opts.connections, end).await;
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

/// One unmeasured exchange per connection, so that every connection starts with a ticket.
async fn warm_up(ctx: &Arc<Ctx>, connections: usize) {
    let mut warm = tokio::task::JoinSet::new();
    for _ in 0..connections {
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

/// `connections` workers doing small exchanges until `end`; their statistics merged.
async fn handshake_workers(ctx: &Arc<Ctx>, connections: usize, end: Instant) -> WorkerStats {
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..connections {
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
    all
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

fn round3(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
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
