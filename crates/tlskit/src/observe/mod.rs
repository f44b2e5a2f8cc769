//! `tlskit observe`: a TCP relay that does not decrypt, and reports per connection what any
//! on-path observer sees of TLS — the hellos in clear (SNI, ALPN, versions, suites, JA3, JA4), then the
//! records with their directions, visible content types, sizes and timing, and the
//! request/response exchanges the pattern gives away.
//!
//! * [`analyze`] — the observer's analysis of one connection's two byte streams (shared with
//!   [`crate::pcap`]).

pub mod analyze;

pub use analyze::{Analysis, Analyzer, Direction};

use crate::error::{Error, Result};
use crate::net::{self, Target};
use serde::Serialize;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

/// How the relay runs.
#[derive(Debug, Clone)]
pub struct ObserveOptions {
    /// Where every connection is relayed to.
    pub upstream: Target,
    /// Stop after the first connection.
    pub once: bool,
    pub connect_timeout: Duration,
    /// A connection with no traffic in either direction for this long is closed.
    pub idle_timeout: Duration,
    pub max_connections: usize,
    /// Records listed per connection (the rest are counted).
    pub max_records: usize,
}

impl ObserveOptions {
    pub fn new(upstream: Target) -> Self {
        ObserveOptions {
            upstream,
            once: false,
            connect_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            max_connections: crate::net::DEFAULT_MAX_CONNECTIONS,
            max_records: 2_000,
        }
    }
}

/// One relayed connection as the observer saw it.
#[derive(Debug, Clone, Serialize)]
pub struct Observation {
    /// Connection number (from 1).
    pub id: u64,
    pub client: String,
    pub upstream: String,
    /// The address the relay connected to.
    pub upstream_address: Option<String>,
    pub duration_ms: f64,
    /// Why the relay could not do its job (upstream unreachable, …).
    pub error: Option<String>,
    #[serde(flatten)]
    pub analysis: Analysis,
}

impl Observation {
    /// The report for one connection as text.
    pub fn render_text(&self) -> String {
        let mut s = format!(
            "connection #{}: {} -> {}{} ({}, {})\n",
            self.id,
            self.client,
            self.upstream,
            self.upstream_address
                .as_ref()
                .map(|a| format!(" [{a}]"))
                .unwrap_or_default(),
            if self.analysis.tls {
                self.analysis
                    .version
                    .clone()
                    .unwrap_or_else(|| "TLS".into())
            } else if self.analysis.not_tls.is_some() {
                "not TLS".into()
            } else {
                "no data".into()
            },
            net::fmt_duration(Duration::from_secs_f64(self.duration_ms / 1000.0)),
        );
        if let Some(e) = &self.error {
            s.push_str(&format!("  error: {}\n", crate::escape::text(e)));
        }
        s.push_str(&self.analysis.render_text());
        s
    }
}

/// What a finished run did.
#[derive(Debug, Clone, Default)]
pub struct RunSummary {
    pub connections: u64,
}

type ObserveFn = Arc<dyn Fn(&Observation) + Send + Sync>;

/// Relay connections from `listener` to the upstream until `shutdown` completes (or after one
/// connection with `once`), calling `on_connection` when each connection ends.
pub async fn run(
    listener: TcpListener,
    opts: ObserveOptions,
    on_connection: ObserveFn,
    shutdown: impl std::future::Future<Output = ()>,
) -> Result<RunSummary> {
    let opts = Arc::new(opts);
    let incoming = crate::net::BoundedListener::new(listener, opts.max_connections);
    let mut tasks: JoinSet<()> = JoinSet::new();
    let mut summary = RunSummary::default();
    let mut next_id = 0u64;
    tokio::pin!(shutdown);
    while let Some((tcp, peer, slot)) = incoming.accept(&mut tasks, shutdown.as_mut()).await {
        next_id += 1;
        summary.connections += 1;
        let id = next_id;
        let opts2 = opts.clone();
        let report = on_connection.clone();
        tasks.spawn(async move {
            let started = Instant::now();
            let obs = tokio::select! {
                obs = relay(id, tcp, peer, &opts2, &slot) => obs,
                _ = slot.evicted() => {
                    let mut obs = Observation::empty(id, peer, &opts2);
                    obs.error = Some(net::EVICTED.to_string());
                    obs.duration_ms = net::millis(started.elapsed());
                    obs
                }
            };
            report(&obs);
            drop(slot);
        });
        if opts.once {
            break;
        }
    }
    drop(incoming);
    let grace = if opts.once {
        opts.idle_timeout + opts.connect_timeout
    } else {
        Duration::from_secs(5)
    };
    let deadline = tokio::time::Instant::now() + grace;
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
    Ok(summary)
}

/// Shared between the two pumps of one connection.
struct Shared {
    started: Instant,
    analyzer: Mutex<Analyzer>,
    /// Milliseconds since `started` of the last byte in either direction.
    last_activity: AtomicU64,
}

impl Observation {
    fn empty(id: u64, peer: SocketAddr, opts: &ObserveOptions) -> Self {
        Observation {
            id,
            client: peer.to_string(),
            upstream: opts.upstream.to_string(),
            upstream_address: None,
            duration_ms: 0.0,
            error: None,
            analysis: Analyzer::new(0).finish(),
        }
    }
}

async fn relay(
    id: u64,
    client: TcpStream,
    peer: SocketAddr,
    opts: &ObserveOptions,
    slot: &net::Slot,
) -> Observation {
    let started = Instant::now();
    let _ = client.set_nodelay(true);
    let upstream = net::connect(&opts.upstream, opts.connect_timeout).await;
    let mut obs = Observation::empty(id, peer, opts);
    let up = match upstream {
        Ok(c) => c,
        Err(e) => {
            obs.error = Some(format!("upstream: {e}"));
            obs.duration_ms = net::millis(started.elapsed());
            return obs;
        }
    };
    obs.upstream_address = Some(up.peer.to_string());
    let shared = Arc::new(Shared {
        started,
        analyzer: Mutex::new(Analyzer::new(opts.max_records)),
        last_activity: AtomicU64::new(0),
    });
    let (cr, cw) = client.into_split();
    let (ur, uw) = up.stream.into_split();
    let idle = opts.idle_timeout;
    let (e1, e2) = tokio::join!(
        pump(
            cr,
            uw,
            Direction::ClientToServer,
            shared.clone(),
            idle,
            Some(slot)
        ),
        pump(
            ur,
            cw,
            Direction::ServerToClient,
            shared.clone(),
            idle,
            None
        ),
    );
    let errors: Vec<String> = [e1, e2].into_iter().flatten().collect();
    if !errors.is_empty() {
        obs.error = Some(errors.join("; "));
    }
    let analyzer = match Arc::try_unwrap(shared) {
        Ok(s) => s.analyzer.into_inner().unwrap_or_else(|p| p.into_inner()),
        Err(s) => std::mem::take(&mut *s.analyzer.lock().unwrap_or_else(|p| p.into_inner())),
    };
    obs.analysis = analyzer.finish();
    obs.duration_ms = net::millis(started.elapsed());
    obs
}

/// Copy one direction, showing every chunk to the analyzer first. Returns an error sentence
/// for anything other than an orderly end.
async fn pump(
    mut from: OwnedReadHalf,
    mut to: OwnedWriteHalf,
    dir: Direction,
    shared: Arc<Shared>,
    idle: Duration,
    slot: Option<&net::Slot>,
) -> Option<String> {
    let mut buf = vec![0u8; 16 * 1024];
    let who = match dir {
        Direction::ClientToServer => "client",
        Direction::ServerToClient => "server",
    };
    let result = loop {
        let n = match tokio::time::timeout(idle, from.read(&mut buf)).await {
            Err(_) => {
                let last = Duration::from_millis(shared.last_activity.load(Ordering::Relaxed));
                if shared.started.elapsed().saturating_sub(last) >= idle {
                    break Some(format!(
                        "no traffic for {}; closed",
                        net::fmt_duration(idle)
                    ));
                }
                continue;
            }
            Ok(Err(e)) if is_reset(&e) => break None,
            Ok(Err(e)) => break Some(format!("reading from the {who}: {e}")),
            Ok(Ok(0)) => break None,
            Ok(Ok(n)) => n,
        };
        if let Some(slot) = slot {
            slot.established();
        }
        let now = shared.started.elapsed();
        shared
            .last_activity
            .store(now.as_millis() as u64, Ordering::Relaxed);
        if let Ok(mut a) = shared.analyzer.lock() {
            a.feed(dir, now, &buf[..n]);
        }
        if let Err(e) = to.write_all(&buf[..n]).await {
            if is_reset(&e) {
                break None;
            }
            break Some(format!(
                "writing to the {}: {e}",
                if who == "client" { "server" } else { "client" }
            ));
        }
    };
    let _ = to.shutdown().await;
    result
}

fn is_reset(e: &std::io::Error) -> bool {
    use std::io::ErrorKind as K;
    matches!(
        e.kind(),
        K::ConnectionReset | K::BrokenPipe | K::ConnectionAborted | K::UnexpectedEof
    )
}

/// Parse `--listen`: `HOST:PORT` or a bare `PORT` (127.0.0.1).
pub fn listen_target(s: &str) -> Result<Target> {
    if let Ok(p) = net::parse_port(s) {
        return Ok(Target::new("127.0.0.1", p));
    }
    Target::parse(s, None).map_err(|e| Error::usage(format!("--listen: {}", e.message())))
}
