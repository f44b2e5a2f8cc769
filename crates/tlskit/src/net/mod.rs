//! Targets, name resolution and TCP connections with timings and errors in words; listening
//! sockets and the process set-up of servers; outbound proxies; STARTTLS.

pub mod dns;
mod listen;
mod process;
pub mod proxy;
mod readahead;
pub mod starttls;
pub mod target;

pub use listen::bind;
pub use process::{ignore_sigpipe, raise_open_files_limit};
pub use readahead::ReadAhead;

use crate::error::{Error, Result};
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};
use tokio::net::TcpStream;

/// Where to connect: a host name or address literal, and a port.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Target {
    pub host: String,
    pub port: u16,
}

impl Target {
    pub fn new(host: impl Into<String>, port: u16) -> Self {
        let host = host.into();
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        Target { host, port }
    }

    /// Parse `host:port`, `[v6]:port`, or `host` with `default_port`.
    pub fn parse(s: &str, default_port: Option<u16>) -> Result<Target> {
        let s = s.trim();
        if s.is_empty() {
            return Err(Error::usage("empty target: give HOST:PORT"));
        }
        // [v6]:port or [v6]
        if let Some(rest) = s.strip_prefix('[') {
            let Some(end) = rest.find(']') else {
                return Err(Error::usage(format!(
                    "'{s}': missing ']' after the IPv6 address"
                )));
            };
            let host = &rest[..end];
            let after = &rest[end + 1..];
            let port = if let Some(p) = after.strip_prefix(':') {
                parse_port(p)?
            } else if after.is_empty() {
                default_port.ok_or_else(|| {
                    Error::usage(format!("'{s}' has no port: write [{host}]:PORT"))
                })?
            } else {
                return Err(Error::usage(format!("'{s}': expected ':PORT' after ']'")));
            };
            return Ok(Target::new(host, port));
        }
        // A bare IPv6 address has several colons; it can only carry the default port.
        if s.matches(':').count() > 1 {
            if s.parse::<IpAddr>().is_ok() {
                let port = default_port.ok_or_else(|| {
                    Error::usage(format!(
                        "'{s}' has no port: write [{s}]:PORT for an IPv6 address"
                    ))
                })?;
                return Ok(Target::new(s, port));
            }
            return Err(Error::usage(format!(
                "'{s}' is not HOST:PORT (write IPv6 addresses as [ADDRESS]:PORT)"
            )));
        }
        match s.rsplit_once(':') {
            Some((h, p)) => {
                if h.is_empty() {
                    return Err(Error::usage(format!("'{s}' has no host before the ':'")));
                }
                Ok(Target::new(h, parse_port(p)?))
            }
            None => {
                let port = default_port
                    .ok_or_else(|| Error::usage(format!("'{s}' has no port: write {s}:PORT")))?;
                Ok(Target::new(s, port))
            }
        }
    }

    /// The host as an IP address, if it is an address literal.
    pub fn ip(&self) -> Option<IpAddr> {
        self.host.parse().ok()
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

/// Parse a port number with a helpful message.
pub fn parse_port(p: &str) -> Result<u16> {
    match p.trim().parse::<u32>() {
        Ok(n) if n <= 65535 => Ok(n as u16),
        _ => Err(Error::usage(format!(
            "'{p}' is not a port number (0-65535)"
        ))),
    }
}

/// Resolve a target to socket addresses (an address literal resolves to itself, without DNS).
pub async fn resolve(target: &Target) -> Result<Vec<SocketAddr>> {
    if let Some(ip) = target.ip() {
        return Ok(vec![SocketAddr::new(ip, target.port)]);
    }
    let host = target.host.clone();
    let addrs = tokio::net::lookup_host((host.as_str(), target.port))
        .await
        .map_err(|e| {
            Error::network(format!(
                "cannot resolve '{}': {e} (check the name, or use an IP address)",
                target.host
            ))
        })?;
    let mut v: Vec<SocketAddr> = addrs.collect();
    v.dedup();
    if v.is_empty() {
        return Err(Error::network(format!(
            "'{}' has no addresses",
            target.host
        )));
    }
    Ok(v)
}

/// A TCP connection and how long the TCP handshake took.
#[derive(Debug)]
pub struct Connected {
    pub stream: TcpStream,
    pub peer: SocketAddr,
    pub local: SocketAddr,
    pub connect_time: Duration,
    /// The proxy the connection goes through (then `peer` is the proxy's address).
    pub proxy: Option<proxy::ProxyUse>,
}

/// Connect to the first address of `target` that answers, each attempt bounded by `timeout`.
pub async fn connect(target: &Target, timeout: Duration) -> Result<Connected> {
    let addrs = resolve(target).await?;
    let mut last: Option<Error> = None;
    for addr in addrs {
        match connect_addr(addr, timeout).await {
            Ok(c) => return Ok(c),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| Error::network(format!("cannot connect to {target}"))))
}

/// Connect to one socket address with a timeout.
pub async fn connect_addr(addr: SocketAddr, timeout: Duration) -> Result<Connected> {
    let start = Instant::now();
    let stream = match tokio::time::timeout(timeout, TcpStream::connect(addr)).await {
        Err(_) => {
            return Err(Error::network(format!(
                "cannot connect to {addr}: no answer within {} (a firewall may drop the packets; raise --timeout to wait longer)",
                fmt_duration(timeout)
            )))
        }
        Ok(Err(e)) => return Err(connect_error(addr, &e)),
        Ok(Ok(s)) => s,
    };
    let connect_time = start.elapsed();
    let _ = stream.set_nodelay(true);
    let local = stream
        .local_addr()
        .map_err(|e| Error::network(format!("socket error: {e}")))?;
    Ok(Connected {
        stream,
        peer: addr,
        local,
        connect_time,
        proxy: None,
    })
}

/// Turn a connect error into a sentence.
pub fn connect_error(addr: SocketAddr, e: &std::io::Error) -> Error {
    use std::io::ErrorKind as K;
    let why = match e.kind() {
        K::ConnectionRefused => {
            "connection refused (is a server listening on that port?)".to_string()
        }
        K::TimedOut => "connection timed out".to_string(),
        K::AddrNotAvailable => "address not available".to_string(),
        _ => match e.raw_os_error() {
            Some(libc::ENETUNREACH) => "network unreachable".to_string(),
            Some(libc::EHOSTUNREACH) => "no route to host".to_string(),
            _ => e.to_string(),
        },
    };
    Error::network(format!("cannot connect to {addr}: {why}"))
}

/// `1.234 ms`, `2.5 s`, `10 s`.
pub fn fmt_duration(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 1000.0 {
        format!("{ms:.3} ms")
    } else if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{:.2} s", d.as_secs_f64())
    }
}

/// Duration in milliseconds as f64 (for reports), rounded to microseconds.
pub fn millis(d: Duration) -> f64 {
    (d.as_secs_f64() * 1_000_000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_targets() {
        assert_eq!(
            Target::parse("localhost:443", None).unwrap(),
            Target::new("localhost", 443)
        );
        assert_eq!(
            Target::parse("[::1]:8443", None).unwrap(),
            Target::new("::1", 8443)
        );
        assert_eq!(
            Target::parse("::1", Some(443)).unwrap(),
            Target::new("::1", 443)
        );
        assert_eq!(Target::parse("example.org", Some(443)).unwrap().port, 443);
        assert!(Target::parse("example.org", None).is_err());
        assert!(Target::parse("host:99999", None).is_err());
        assert!(Target::parse(":443", None).is_err());
        assert_eq!(Target::new("::1", 443).to_string(), "[::1]:443");
    }
}

/// How to reach a TLS endpoint: TCP (through a proxy, if one applies), then optionally a
/// STARTTLS upgrade. Every command that opens connections (connect, scan, bench …) goes through
/// this, so they all speak the same protocols and honour the same proxies and `--resolve`.
#[derive(Debug, Clone)]
pub struct Connector {
    pub target: Target,
    /// Bound on the TCP connect (and proxy handshake) and on each plaintext read.
    pub timeout: Duration,
    pub starttls: Option<(starttls::Protocol, starttls::Options)>,
    /// The outbound proxy for this target, if any (see [`proxy`]).
    pub proxy: Option<proxy::Proxy>,
    /// Addresses to use instead of DNS (`--resolve`).
    pub overrides: Vec<target::ResolveOverride>,
}

/// How connections are routed: the proxy settings and `--resolve` overrides a command was given.
#[derive(Debug, Clone, Default)]
pub struct Route {
    pub proxies: proxy::ProxySettings,
    pub overrides: Vec<target::ResolveOverride>,
}

impl Route {
    /// The proxy that connections to `target` use, if any.
    pub fn proxy_for(&self, target: &Target) -> Option<proxy::Proxy> {
        self.proxies.for_target(target)
    }
}

impl Connector {
    pub fn new(target: Target, timeout: Duration) -> Self {
        Connector {
            target,
            timeout,
            starttls: None,
            proxy: None,
            overrides: Vec::new(),
        }
    }

    /// Route connections as `route` says: its proxy for this target, its address overrides.
    pub fn with_route(mut self, route: &Route) -> Self {
        self.proxy = route.proxy_for(&self.target);
        self.overrides = route.overrides.clone();
        self
    }

    /// Upgrade with `proto` after connecting.
    pub fn with_starttls(mut self, proto: starttls::Protocol, name: Option<String>) -> Self {
        let opts = starttls::Options {
            name,
            host: self.target.host.clone(),
            timeout: self.timeout,
        };
        self.starttls = Some((proto, opts));
        self
    }

    /// The TCP part only: directly (to `addr` if given, else to the target's addresses, from
    /// `--resolve` or DNS), or through the proxy (which ignores `addr`: a proxy connects by the
    /// name, or by the address tlskit resolved for it).
    pub async fn connect_tcp(&self, addr: Option<SocketAddr>) -> Result<Connected> {
        let overridden = target::ResolveOverride::lookup(&self.overrides, &self.target);
        if let Some(p) = &self.proxy {
            return proxy::connect_via(p, &self.target, overridden, self.timeout).await;
        }
        match (addr, overridden) {
            (Some(a), _) => connect_addr(a, self.timeout).await,
            (None, Some(ips)) => {
                let mut last = None;
                for ip in ips {
                    match connect_addr(SocketAddr::new(*ip, self.target.port), self.timeout).await {
                        Ok(c) => return Ok(c),
                        Err(e) => last = Some(e),
                    }
                }
                Err(last.unwrap_or_else(|| {
                    Error::network(format!("cannot connect to {}", self.target))
                }))
            }
            (None, None) => connect(&self.target, self.timeout).await,
        }
    }

    /// Connect (see [`Connector::connect_tcp`]) and run STARTTLS if configured.
    /// The stream returned is ready for a ClientHello.
    pub async fn open(
        &self,
        addr: Option<SocketAddr>,
    ) -> Result<(Connected, Option<starttls::Transcript>)> {
        let mut c = self.connect_tcp(addr).await?;
        let transcript = match &self.starttls {
            Some((proto, opts)) => Some(starttls::negotiate(&mut c.stream, *proto, opts).await?),
            None => None,
        };
        Ok((c, transcript))
    }
}

/// The default --max-connections of `serve`, `proxy` and `observe`.
pub const DEFAULT_MAX_CONNECTIONS: usize = 4096;

/// The one admission policy of `serve`, `proxy` and `observe`: at most `max` connections are
/// served at once; a connection is *waiting* from its accept until its handler calls
/// [`Slot::established`] (the client has spoken: a ClientHello, a CONNECT head, first bytes).
/// When every slot is taken, the oldest waiting connection is evicted to admit the next one, so
/// thousands of idle connections that never send a byte cannot starve a client that does. Only
/// when every slot holds an established connection do further clients wait (one accepted, the
/// rest in the kernel's accept queue).
pub struct BoundedListener {
    listener: tokio::net::TcpListener,
    slots: std::sync::Arc<tokio::sync::Semaphore>,
    waiting: std::sync::Arc<std::sync::Mutex<Waiting>>,
}

#[derive(Default)]
struct Waiting {
    next: u64,
    queue: std::collections::VecDeque<(u64, std::sync::Arc<tokio::sync::Notify>)>,
}

impl Waiting {
    fn remove(&mut self, id: u64) {
        if let Some(i) = self.queue.iter().position(|(n, _)| *n == id) {
            self.queue.remove(i);
        }
    }
}

/// A served connection's place: dropping it frees the slot.
pub struct Slot {
    _permit: tokio::sync::OwnedSemaphorePermit,
    id: u64,
    evict: std::sync::Arc<tokio::sync::Notify>,
    waiting: std::sync::Arc<std::sync::Mutex<Waiting>>,
    spoke: std::sync::atomic::AtomicBool,
}

impl Slot {
    /// The client has spoken: this connection is no longer evicted for a newcomer.
    pub fn established(&self) {
        self.spoke.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Ok(mut w) = self.waiting.lock() {
            w.remove(self.id);
        }
    }

    /// Completes when the listener evicts this (still waiting) connection to admit another.
    /// Never completes once the connection is established (an eviction that raced with it is
    /// ignored; the listener then evicts another).
    pub async fn evicted(&self) {
        self.evict.notified().await;
        if self.spoke.load(std::sync::atomic::Ordering::Relaxed) {
            std::future::pending::<()>().await;
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.established();
    }
}

/// An accepted connection and its slot: drop the slot when the connection is done.
pub type Accepted = (TcpStream, SocketAddr, Slot);

/// What a waiting connection that was evicted is told in the log.
pub const EVICTED: &str =
    "closed while still silent, to admit a newer client (every --max-connections slot was taken)";

impl BoundedListener {
    pub fn new(listener: tokio::net::TcpListener, max: usize) -> Self {
        BoundedListener {
            listener,
            slots: std::sync::Arc::new(tokio::sync::Semaphore::new(max.max(1))),
            waiting: Default::default(),
        }
    }

    /// Free a slot for a newcomer by evicting the oldest waiting connection, if every slot is taken.
    fn evict_oldest(&self) {
        if self.slots.available_permits() > 0 {
            return;
        }
        if let Ok(mut w) = self.waiting.lock() {
            if let Some((_, n)) = w.queue.pop_front() {
                n.notify_one();
            }
        }
    }

    fn slot(&self, permit: tokio::sync::OwnedSemaphorePermit) -> Slot {
        let evict = std::sync::Arc::new(tokio::sync::Notify::new());
        let mut w = self.waiting.lock().unwrap_or_else(|p| p.into_inner());
        w.next += 1;
        let id = w.next;
        w.queue.push_back((id, evict.clone()));
        Slot {
            _permit: permit,
            id,
            evict,
            waiting: self.waiting.clone(),
            spoke: false.into(),
        }
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The next connection (with TCP_NODELAY set), or `None` once `shutdown` completes. Finished
    /// tasks in `tasks` are reaped while waiting, so the set does not grow without bound; accept
    /// errors (out of file descriptors and the like) back off instead of spinning.
    pub async fn accept<T: 'static, F: std::future::Future<Output = ()>>(
        &self,
        tasks: &mut tokio::task::JoinSet<T>,
        mut shutdown: std::pin::Pin<&mut F>,
    ) -> Option<Accepted> {
        loop {
            let accepted = tokio::select! {
                _ = shutdown.as_mut() => return None,
                a = self.listener.accept() => a,
                Some(_) = tasks.join_next(), if !tasks.is_empty() => continue,
            };
            while tasks.try_join_next().is_some() {}
            match accepted {
                Ok((tcp, peer)) => {
                    let _ = tcp.set_nodelay(true);
                    // A newcomer: make room by evicting the oldest silent connection, again every
                    // 50 ms while none is free (an evicted one may have spoken meanwhile).
                    let permit = loop {
                        self.evict_oldest();
                        tokio::select! {
                            _ = shutdown.as_mut() => return None,
                            p = self.slots.clone().acquire_owned() => {
                                break p.expect("the semaphore is never closed")
                            }
                            _ = tokio::time::sleep(Duration::from_millis(50)) => {}
                        }
                    };
                    return Some((tcp, peer, self.slot(permit)));
                }
                Err(e) => {
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    }
}
