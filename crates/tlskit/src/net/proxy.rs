//! Outbound proxies: HTTP `CONNECT` tunnels (with Basic credentials) and SOCKS5 (`socks5://`
//! resolves names here, `socks5h://` lets the proxy resolve them), chosen like curl chooses them.
//!
//! Which proxy a connection uses, first match wins:
//!
//! 1. `--proxy URL` (`--proxy ''` turns every proxy off, the environment included);
//! 2. the environment: `https_proxy`, `HTTPS_PROXY`, then `all_proxy`, `ALL_PROXY` (every tlskit
//!    connection is TLS, so the https variables apply to STARTTLS targets too);
//!
//! and then `--noproxy LIST` (or, without it, `no_proxy` / `NO_PROXY`) exempts the hosts it
//! lists: `*` every host; a name also covers its subdomains (`example.org` and `.example.org`
//! both cover `www.example.org`); addresses and CIDR blocks (`10.0.0.0/8`, `::1`) cover targets
//! written as addresses.
//!
//! Loopback targets are NOT exempt by default, as in curl: a lab that runs with HTTPS_PROXY set
//! and connects to localhost goes through the proxy (the CLI says so on stderr) unless NO_PROXY
//! lists `localhost,127.0.0.0/8,::1`. This keeps one rule for every host, and lets a test or a
//! lab put a proxy in front of a server on loopback.
//!
//! The SOCKS5 handshake is tokio-socks's; the CONNECT response head is parsed by [`crate::http`] (httparse).
//! Both run under the connection's deadline, and every refusal is one sentence naming the proxy,
//! the destination and what to change.

use super::{connect_addr, fmt_duration, resolve, Connected, Target};
use crate::error::{Error, Result};
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The proxy protocols tlskit speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ProxyKind {
    /// An HTTP proxy's CONNECT method (RFC 9110 section 9.3.6); the proxy resolves the name.
    #[serde(rename = "http-connect")]
    HttpConnect,
    /// SOCKS5 (RFC 1928) with the name resolved by tlskit.
    #[serde(rename = "socks5")]
    Socks5,
    /// SOCKS5 with the name resolved by the proxy.
    #[serde(rename = "socks5h")]
    Socks5h,
}

impl ProxyKind {
    fn scheme(self) -> &'static str {
        match self {
            ProxyKind::HttpConnect => "http",
            ProxyKind::Socks5 => "socks5",
            ProxyKind::Socks5h => "socks5h",
        }
    }
    fn words(self) -> &'static str {
        match self {
            ProxyKind::HttpConnect => "HTTP CONNECT",
            ProxyKind::Socks5 | ProxyKind::Socks5h => "SOCKS5",
        }
    }
}

/// Where a proxy setting came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProxySource {
    /// `--proxy`.
    Flag,
    /// An environment variable (its name).
    Env(&'static str),
}

impl ProxySource {
    pub fn name(self) -> &'static str {
        match self {
            ProxySource::Flag => "--proxy",
            ProxySource::Env(v) => v,
        }
    }
}

/// One proxy: kind, address and optional credentials.
#[derive(Clone, PartialEq, Eq)]
pub struct Proxy {
    pub kind: ProxyKind,
    pub host: String,
    pub port: u16,
    user: Option<String>,
    password: Option<String>,
    pub source: ProxySource,
}

impl std::fmt::Debug for Proxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.display())
    }
}

/// The port curl assumes for a proxy URL without one.
pub const DEFAULT_PROXY_PORT: u16 = 1080;

impl Proxy {
    /// Parse a proxy URL: `http://[USER:PASSWORD@]HOST[:PORT]`, `socks5://…`, `socks5h://…`; a
    /// URL without a scheme is an HTTP proxy, and the port defaults to 1080 (both as in curl).
    /// Credentials may be percent-encoded (`p%40ss` for `p@ss`).
    pub fn parse(url: &str, source: ProxySource) -> Result<Proxy> {
        let from = match source {
            ProxySource::Flag => "--proxy".to_string(),
            ProxySource::Env(v) => v.to_string(),
        };
        let bad = |why: String| Error::usage(format!("{from} {}: {why}", redact_url(url)));
        let url = url.trim();
        let (kind, rest) = match url.split_once("://") {
            None => (ProxyKind::HttpConnect, url),
            Some((s, rest)) => {
                let kind = match s.to_ascii_lowercase().as_str() {
                    "http" => ProxyKind::HttpConnect,
                    "socks5" => ProxyKind::Socks5,
                    "socks5h" => ProxyKind::Socks5h,
                    "https" => return Err(bad("TLS to the proxy itself (https://) is not supported; most proxies take http:// and tunnel TLS through CONNECT".into())),
                    "socks4" | "socks4a" | "socks" => return Err(bad(format!("{s}:// is not supported; use socks5:// or socks5h://"))),
                    other => return Err(bad(format!("unknown proxy scheme '{other}'; use http://, socks5:// or socks5h://"))),
                };
                (kind, rest)
            }
        };
        let authority = rest.strip_suffix('/').unwrap_or(rest);
        if authority.contains(['/', '?', '#']) {
            return Err(bad(
                "a proxy URL has no path: write SCHEME://HOST:PORT".into()
            ));
        }
        let (userinfo, hostport) = match authority.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, authority),
        };
        if hostport.is_empty() {
            return Err(bad("no proxy host".into()));
        }
        let spec = super::target::TargetSpec::parse(hostport, DEFAULT_PROXY_PORT)
            .map_err(|e| bad(e.message().to_string()))?;
        let (user, password) = match userinfo {
            None => (None, None),
            Some(u) => {
                let (user, pass) = match u.split_once(':') {
                    Some((a, b)) => (a, Some(b)),
                    None => (u, None),
                };
                let user = percent_decode(user)
                    .ok_or_else(|| bad("the user name has a bad %-escape".into()))?;
                let pass = pass
                    .map(|p| {
                        percent_decode(p)
                            .ok_or_else(|| bad("the password has a bad %-escape".into()))
                    })
                    .transpose()?;
                (Some(user), pass)
            }
        };
        if kind != ProxyKind::HttpConnect {
            // RFC 1929: one length byte each.
            if user.as_ref().is_some_and(|u| u.is_empty() || u.len() > 255)
                || password.as_ref().is_some_and(|p| p.len() > 255)
            {
                return Err(bad(
                    "SOCKS5 user names and passwords are 1 to 255 bytes".into()
                ));
            }
        }
        Ok(Proxy {
            kind,
            host: spec.target.host,
            port: spec.target.port,
            user,
            password,
            source,
        })
    }

    /// The proxy as a URL, with the password (if any) replaced by `***`.
    pub fn display(&self) -> String {
        let creds = match (&self.user, &self.password) {
            (Some(u), Some(_)) => format!("{u}:***@"),
            (Some(u), None) => format!("{u}@"),
            _ => String::new(),
        };
        format!(
            "{}://{creds}{}",
            self.kind.scheme(),
            Target::new(self.host.clone(), self.port)
        )
    }

    fn target(&self) -> Target {
        Target::new(self.host.clone(), self.port)
    }
}

/// `scheme://user:pass@host` with the password hidden, for messages about a URL that did not parse.
fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return match url.rsplit_once('@') {
            Some((u, h)) => format!("{}:***@{h}", u.split(':').next().unwrap_or("")),
            None => url.to_string(),
        };
    };
    match rest.rsplit_once('@') {
        Some((u, h)) if u.contains(':') => {
            format!("{scheme}://{}:***@{h}", u.split(':').next().unwrap_or(""))
        }
        _ => url.to_string(),
    }
}

fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let h = b.get(i + 1..i + 3)?;
            let h = std::str::from_utf8(h).ok()?;
            out.push(u8::from_str_radix(h, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// One `NO_PROXY` / `--noproxy` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Exempt {
    /// A name and its subdomains (lower case, no leading or trailing dot).
    Domain(String),
    /// An address block (a single address has the full prefix length).
    Net(IpAddr, u8),
}

/// Hosts that never go through a proxy.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NoProxy {
    all: bool,
    entries: Vec<Exempt>,
}

impl NoProxy {
    /// Parse a comma-separated list (`*`, names, `.domains`, addresses, CIDR blocks; a `:port`
    /// after a name is ignored, as curl does).
    pub fn parse(list: &str) -> NoProxy {
        let mut np = NoProxy::default();
        for item in list
            .split([',', ' '])
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            if item == "*" {
                np.all = true;
                continue;
            }
            let item = item.trim_start_matches('[');
            let (addr, prefix) = match item.split_once('/') {
                Some((a, p)) => (a.trim_end_matches(']'), p.parse::<u8>().ok()),
                None => (item.trim_end_matches(']'), None),
            };
            if let Ok(ip) = addr.parse::<IpAddr>() {
                let max = if ip.is_ipv4() { 32 } else { 128 };
                np.entries
                    .push(Exempt::Net(ip, prefix.unwrap_or(max).min(max)));
                continue;
            }
            // name[:port]
            let name = match item.rsplit_once(':') {
                Some((n, p)) if p.chars().all(|c| c.is_ascii_digit()) => n,
                _ => item,
            };
            let name = name.trim_matches('.').to_ascii_lowercase();
            if !name.is_empty() {
                np.entries.push(Exempt::Domain(name));
            }
        }
        np
    }

    /// Whether `host` (a name or an address literal) is exempt.
    pub fn covers(&self, host: &str) -> bool {
        if self.all {
            return true;
        }
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .trim_end_matches('.')
            .to_ascii_lowercase();
        let ip = host.parse::<IpAddr>().ok();
        self.entries.iter().any(|e| match (e, ip) {
            (Exempt::Net(net, len), Some(ip)) => in_block(ip, *net, *len),
            (Exempt::Domain(d), None) => {
                host == *d
                    || (host.ends_with(d.as_str()) && host[..host.len() - d.len()].ends_with('.'))
            }
            (Exempt::Domain(d), Some(_)) => host == *d,
            _ => false,
        })
    }
}

fn in_block(ip: IpAddr, net: IpAddr, len: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(b)) => {
            let mask = if len == 0 {
                0
            } else {
                u32::MAX << (32 - len as u32)
            };
            u32::from(a) & mask == u32::from(b) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(b)) => {
            let mask = if len == 0 {
                0
            } else {
                u128::MAX << (128 - len as u32)
            };
            u128::from(a) & mask == u128::from(b) & mask
        }
        _ => false,
    }
}

/// The proxy decision for every connection of a command: `--proxy`/`--noproxy` and the
/// environment, weighed as the module documentation says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProxySettings {
    proxy: Option<Proxy>,
    no_proxy: NoProxy,
}

impl ProxySettings {
    /// No proxy at all.
    pub fn none() -> Self {
        Self::default()
    }

    /// From the flags and the environment (`env` looks a variable up; pass
    /// `|k| std::env::var(k).ok()`).
    pub fn resolve(
        flag: Option<&str>,
        noproxy: Option<&str>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<ProxySettings> {
        let proxy = match flag {
            Some(f) if f.trim().is_empty() => None,
            Some(f) => Some(Proxy::parse(f, ProxySource::Flag)?),
            None => {
                const VARS: [&str; 4] = ["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"];
                let mut found = None;
                for v in VARS {
                    if let Some(val) = env(v).filter(|s| !s.trim().is_empty()) {
                        found = Some(Proxy::parse(&val, ProxySource::Env(v))?);
                        break;
                    }
                }
                found
            }
        };
        let no_proxy = match noproxy {
            Some(list) => NoProxy::parse(list),
            None => env("no_proxy")
                .or_else(|| env("NO_PROXY"))
                .map(|l| NoProxy::parse(&l))
                .unwrap_or_default(),
        };
        Ok(ProxySettings { proxy, no_proxy })
    }

    /// A fixed proxy (for library callers and tests).
    pub fn with_proxy(proxy: Proxy) -> Self {
        ProxySettings {
            proxy: Some(proxy),
            no_proxy: NoProxy::default(),
        }
    }

    /// The proxy for connections to `target`, if any.
    pub fn for_target(&self, target: &Target) -> Option<Proxy> {
        self.proxy
            .as_ref()
            .filter(|_| !self.no_proxy.covers(&target.host))
            .cloned()
    }

    /// The configured proxy, whatever the exemptions.
    pub fn proxy(&self) -> Option<&Proxy> {
        self.proxy.as_ref()
    }
}

/// What the reports say about a proxied connection.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ProxyUse {
    /// The proxy URL, password hidden.
    pub url: String,
    /// `http-connect`, `socks5` or `socks5h`.
    pub kind: ProxyKind,
    /// The proxy's address (the TCP peer).
    pub address: String,
    /// Where the setting came from: `--proxy`, `HTTPS_PROXY` …
    pub source: String,
    /// The destination asked of the proxy (`host:port`, or an address).
    pub destination: String,
    /// Who turned the name into an address: `proxy` or `tlskit`.
    pub resolved_by: String,
    /// The target's address, when tlskit knows it (it resolved the name, or it was an address).
    pub target_address: Option<String>,
    /// Time from the TCP connection to the proxy until the tunnel was open.
    pub tunnel_ms: f64,
}

impl ProxyUse {
    /// "http://127.0.0.1:3128 (HTTP CONNECT, from HTTPS_PROXY; the proxy resolved the name)".
    pub fn describe(&self) -> String {
        let kind = match self.kind {
            ProxyKind::HttpConnect => "HTTP CONNECT",
            ProxyKind::Socks5 | ProxyKind::Socks5h => "SOCKS5",
        };
        let by = if self.resolved_by == "proxy" {
            "the proxy resolved the name".to_string()
        } else {
            match &self.target_address {
                Some(a) => format!("to {a}"),
                None => "resolved by tlskit".to_string(),
            }
        };
        format!("{} ({kind}, from {}; {by})", self.url, self.source)
    }
}

/// Open a tunnel to `target` through `proxy`: TCP to the proxy, then CONNECT or the SOCKS5
/// handshake, all within `timeout`. `addrs` are addresses to use instead of DNS (from
/// `--resolve`); with them the proxy is asked for an address, not the name.
pub async fn connect_via(
    proxy: &Proxy,
    target: &Target,
    addrs: Option<&[IpAddr]>,
    timeout: Duration,
) -> Result<Connected> {
    let deadline = Instant::now() + timeout;
    let url = proxy.display();
    let ptarget = proxy.target();
    let paddrs = resolve(&ptarget).await.map_err(|e| {
        Error::network(format!(
            "proxy {url} (from {}): {}",
            proxy.source.name(),
            e.message()
        ))
    })?;
    let mut last = None;
    let mut conn = None;
    for a in paddrs {
        match connect_addr(a, timeout).await {
            Ok(c) => {
                conn = Some(c);
                break;
            }
            Err(e) => last = Some(e),
        }
    }
    let Some(mut c) = conn else {
        let why = last.map(|e| e.message().to_string()).unwrap_or_default();
        return Err(Error::network(format!(
            "cannot reach the proxy {url} (from {}): {why}; check the proxy address, or use --noproxy '*' to connect directly",
            proxy.source.name()
        )));
    };
    // The destination: an address when tlskit knows or must know it, else the name.
    let known: Option<IpAddr> = target
        .ip()
        .or_else(|| addrs.and_then(|a| a.first().copied()));
    let (dest_addr, resolved_by) = match (known, proxy.kind) {
        (Some(ip), _) => (Some(SocketAddr::new(ip, target.port)), "tlskit"),
        (None, ProxyKind::Socks5) => {
            let a = resolve(target).await?;
            (a.first().copied(), "tlskit")
        }
        (None, _) => (None, "proxy"),
    };
    let destination = match dest_addr {
        Some(a) => a.to_string(),
        None => target.to_string(),
    };
    let start = Instant::now();
    let left = deadline.saturating_duration_since(Instant::now());
    let tunnel = async {
        match proxy.kind {
            ProxyKind::HttpConnect => http_connect(&mut c.stream, proxy, &destination).await,
            ProxyKind::Socks5 | ProxyKind::Socks5h => {
                socks5(&mut c.stream, proxy, target, dest_addr).await
            }
        }
    };
    match tokio::time::timeout(left, tunnel).await {
        Err(_) => {
            return Err(Error::network(format!(
                "the proxy {url} did not open a tunnel to {destination} within {} (raise --timeout, or check that it is a {} proxy)",
                fmt_duration(timeout),
                proxy.kind.words()
            )))
        }
        Ok(Err(e)) => return Err(e),
        Ok(Ok(())) => {}
    }
    c.proxy = Some(ProxyUse {
        url,
        kind: proxy.kind,
        address: c.peer.to_string(),
        source: proxy.source.name().to_string(),
        destination,
        resolved_by: resolved_by.to_string(),
        target_address: dest_addr.map(|a| a.ip().to_string()),
        tunnel_ms: super::millis(start.elapsed()),
    });
    Ok(c)
}

/// What a CONNECT request got back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectReply {
    /// 2xx: the tunnel is open.
    Open,
    /// Any other status, with the reason phrase (control characters escaped).
    Refused { status: u16, reason: String },
}

/// The largest CONNECT response head accepted.
pub const MAX_CONNECT_HEAD: usize = 16 * 1024;

/// Parse a complete CONNECT response head (ending in an empty line). Peer bytes: never panics.
pub fn parse_connect_reply(head: &[u8]) -> Result<ConnectReply> {
    let resp = crate::http::parse_response_head(head).map_err(|e| {
        Error::protocol(format!(
            "the proxy's answer to CONNECT: {}: is it an HTTP proxy? (socks5:// for a SOCKS server)",
            e.message()
        ))
    })?;
    if (200..300).contains(&resp.status) {
        return Ok(ConnectReply::Open);
    }
    Ok(ConnectReply::Refused {
        status: resp.status,
        reason: crate::escape::short(&resp.reason, 120),
    })
}

/// The sentence for a refused CONNECT.
fn connect_refusal(proxy: &Proxy, destination: &str, status: u16, reason: &str) -> Error {
    let url = proxy.display();
    let said = if reason.is_empty() {
        format!("{status}")
    } else {
        format!("{status} {reason}")
    };
    let hint = match status {
        // tinyproxy answers 401 where RFC 9110 says 407.
        401 | 407 if proxy.user.is_some() => {
            "it rejected the credentials in the proxy URL; check the user name and password".to_string()
        }
        401 | 407 => "it wants credentials: write them in the proxy URL, http://USER:PASSWORD@HOST:PORT".to_string(),
        403 => "its rules do not allow this destination (many proxies allow CONNECT to port 443 only: tinyproxy's ConnectPort, squid's SSL_ports)".to_string(),
        400 | 405 | 501 => "it does not tunnel with CONNECT; is it a forward HTTP proxy?".to_string(),
        502..=504 => format!("it could not reach {destination} itself; check the target, or connect without the proxy (--noproxy '*')"),
        _ => "check the proxy's log".to_string(),
    };
    Error::network(format!(
        "the proxy {url} refused to CONNECT to {destination} ({said}): {hint}"
    ))
}

async fn http_connect(stream: &mut TcpStream, proxy: &Proxy, destination: &str) -> Result<()> {
    let mut req = format!(
        "CONNECT {destination} HTTP/1.1\r\nHost: {destination}\r\nUser-Agent: tlskit/{}\r\nProxy-Connection: keep-alive\r\n",
        env!("CARGO_PKG_VERSION")
    );
    if let Some(user) = &proxy.user {
        let creds = format!("{user}:{}", proxy.password.as_deref().unwrap_or(""));
        req.push_str(&format!(
            "Proxy-Authorization: Basic {}\r\n",
            crate::base64::encode(creds.as_bytes())
        ));
    }
    req.push_str("\r\n");
    let url = proxy.display();
    let io = |e: std::io::Error| {
        Error::network(format!(
            "the proxy {url} closed the connection during CONNECT to {destination}: {e}"
        ))
    };
    stream.write_all(req.as_bytes()).await.map_err(io)?;
    // Read the head one byte at a time: whatever follows it belongs to the tunnel (a server that
    // speaks first, like SMTP, may send its banner right behind the proxy's 200).
    let mut head = Vec::with_capacity(256);
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && !head.ends_with(b"\n\n") {
        if head.len() >= MAX_CONNECT_HEAD {
            return Err(Error::protocol(format!(
                "the proxy {url} sent more than {} KiB of header in answer to CONNECT; is it an HTTP proxy?",
                MAX_CONNECT_HEAD / 1024
            )));
        }
        let n = stream.read(&mut byte).await.map_err(io)?;
        if n == 0 {
            return Err(Error::network(format!(
                "the proxy {url} closed the connection without answering CONNECT to {destination}{}",
                if head.is_empty() {
                    " (is it an HTTP proxy? socks5:// for a SOCKS server)"
                } else {
                    ""
                }
            )));
        }
        head.push(byte[0]);
    }
    match parse_connect_reply(&head).map_err(|e| e.context(format!("proxy {url}")))? {
        ConnectReply::Open => Ok(()),
        ConnectReply::Refused { status, reason } => {
            Err(connect_refusal(proxy, destination, status, &reason))
        }
    }
}

async fn socks5(
    stream: &mut TcpStream,
    proxy: &Proxy,
    target: &Target,
    dest_addr: Option<SocketAddr>,
) -> Result<()> {
    use tokio_socks::tcp::Socks5Stream;
    use tokio_socks::TargetAddr;
    let dest: TargetAddr<'_> = match dest_addr {
        Some(a) => TargetAddr::Ip(a),
        None => TargetAddr::Domain(target.host.as_str().into(), target.port),
    };
    let shown_dest = match dest_addr {
        Some(a) => a.to_string(),
        None => target.to_string(),
    };
    let r = match (&proxy.user, &proxy.password) {
        (Some(u), p) => {
            Socks5Stream::connect_with_password_and_socket(
                &mut *stream,
                dest,
                u,
                p.as_deref().unwrap_or(""),
            )
            .await
        }
        (None, _) => Socks5Stream::connect_with_socket(&mut *stream, dest).await,
    };
    r.map(|_| ())
        .map_err(|e| socks_error(proxy, &shown_dest, e))
}

/// One sentence per SOCKS5 outcome (RFC 1928 section 6 reply codes, RFC 1929 authentication).
fn socks_error(proxy: &Proxy, dest: &str, e: tokio_socks::Error) -> Error {
    use tokio_socks::Error as E;
    let url = proxy.display();
    let refused = |code: u8, what: &str, hint: &str| {
        Error::network(format!(
            "the SOCKS5 proxy {url} could not connect to {dest}: {what} (reply {code}); {hint}"
        ))
    };
    match e {
        E::GeneralSocksServerFailure => refused(1, "general failure", "see the proxy's log"),
        E::ConnectionNotAllowedByRuleset => refused(
            2,
            "not allowed by its rules",
            "the proxy's configuration must permit this destination",
        ),
        E::NetworkUnreachable => refused(3, "network unreachable", "check the target address"),
        E::HostUnreachable => refused(
            4,
            "host unreachable",
            "check the name (socks5h:// lets the proxy resolve it) and address",
        ),
        E::ConnectionRefused => refused(
            5,
            "connection refused by the target",
            "is a server listening on that port?",
        ),
        E::TtlExpired => refused(6, "TTL expired", "the target is too many hops away"),
        E::CommandNotSupported => refused(7, "CONNECT not supported", "use another proxy"),
        E::AddressTypeNotSupported => refused(
            8,
            "address type not supported",
            if dest.parse::<SocketAddr>().is_ok() {
                "try socks5h:// to send the name instead"
            } else {
                "try socks5:// to send an address instead"
            },
        ),
        E::NoAcceptableAuthMethods if proxy.user.is_some() => Error::network(format!(
            "the SOCKS5 proxy {url} accepts none of the authentication methods offered (user name and password); check its configuration"
        )),
        E::NoAcceptableAuthMethods => Error::network(format!(
            "the SOCKS5 proxy {url} wants credentials: write them in the URL, socks5://USER:PASSWORD@HOST:PORT"
        )),
        E::PasswordAuthFailure(code) => Error::network(format!(
            "the SOCKS5 proxy {url} rejected the user name and password (status {code}); check the credentials in the proxy URL"
        )),
        E::InvalidResponseVersion | E::UnknownAuthMethod | E::InvalidReservedByte | E::UnknownAddressType => {
            Error::protocol(format!(
                "{url} does not answer like a SOCKS5 proxy ({e}); is it an HTTP proxy? (http:// for those)"
            ))
        }
        E::Io(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => Error::network(format!(
            "the SOCKS5 proxy {url} closed the connection during the handshake for {dest}; is it a SOCKS5 proxy, and does it allow this client?"
        )),
        other => Error::network(format!(
            "the SOCKS5 proxy {url} failed for {dest}: {other}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn proxy_urls() {
        let p = Proxy::parse("http://127.0.0.1:3128", ProxySource::Flag).unwrap();
        assert_eq!(p.kind, ProxyKind::HttpConnect);
        assert_eq!((p.host.as_str(), p.port), ("127.0.0.1", 3128));
        let p = Proxy::parse("proxy.example", ProxySource::Flag).unwrap();
        assert_eq!((p.kind, p.port), (ProxyKind::HttpConnect, 1080));
        let p = Proxy::parse("socks5h://u:p%40ss@[::1]:1080/", ProxySource::Flag).unwrap();
        assert_eq!(p.kind, ProxyKind::Socks5h);
        assert_eq!(p.password.as_deref(), Some("p@ss"));
        assert_eq!(p.display(), "socks5h://u:***@[::1]:1080");
        let e = Proxy::parse("https://x:1", ProxySource::Flag).unwrap_err();
        assert!(e.to_string().contains("not supported"), "{e}");
        let e = Proxy::parse("socks4://x:1", ProxySource::Flag).unwrap_err();
        assert!(e.to_string().contains("socks5"), "{e}");
        let e = Proxy::parse("ftp://x:1", ProxySource::Env("HTTPS_PROXY")).unwrap_err();
        assert!(e.to_string().starts_with("HTTPS_PROXY"), "{e}");
        let e = Proxy::parse("http://u:secret@x:99999", ProxySource::Flag).unwrap_err();
        assert!(!e.to_string().contains("secret"), "{e}");
        assert!(Proxy::parse("http://x:1/path", ProxySource::Flag).is_err());
    }

    #[test]
    fn precedence_like_curl() {
        let t = Target::new("example.org", 443);
        let s = ProxySettings::resolve(
            None,
            None,
            &env(&[("HTTPS_PROXY", "http://a:1"), ("ALL_PROXY", "socks5://b:2")]),
        )
        .unwrap();
        let p = s.for_target(&t).unwrap();
        assert_eq!(
            (p.host.as_str(), p.source),
            ("a", ProxySource::Env("HTTPS_PROXY"))
        );
        let s = ProxySettings::resolve(
            None,
            None,
            &env(&[
                ("https_proxy", "http://lower:1"),
                ("HTTPS_PROXY", "http://a:1"),
            ]),
        )
        .unwrap();
        assert_eq!(s.for_target(&t).unwrap().host, "lower");
        let s = ProxySettings::resolve(None, None, &env(&[("ALL_PROXY", "socks5://b:2")])).unwrap();
        assert_eq!(s.for_target(&t).unwrap().kind, ProxyKind::Socks5);
        // --proxy wins over the environment; --proxy '' turns proxies off.
        let s = ProxySettings::resolve(
            Some("http://f:3"),
            None,
            &env(&[("HTTPS_PROXY", "http://a:1")]),
        )
        .unwrap();
        assert_eq!(s.for_target(&t).unwrap().host, "f");
        let s =
            ProxySettings::resolve(Some(""), None, &env(&[("HTTPS_PROXY", "http://a:1")])).unwrap();
        assert!(s.for_target(&t).is_none());
        // NO_PROXY applies to --proxy too; --noproxy replaces NO_PROXY.
        let s = ProxySettings::resolve(
            Some("http://f:3"),
            None,
            &env(&[("NO_PROXY", "example.org")]),
        )
        .unwrap();
        assert!(s.for_target(&t).is_none());
        let s = ProxySettings::resolve(
            Some("http://f:3"),
            Some("other.org"),
            &env(&[("NO_PROXY", "example.org")]),
        )
        .unwrap();
        assert!(s.for_target(&t).is_some());
        // Loopback is not exempt unless listed.
        let s = ProxySettings::resolve(Some("http://f:3"), None, &env(&[])).unwrap();
        assert!(s.for_target(&Target::new("127.0.0.1", 443)).is_some());
        assert!(s.for_target(&Target::new("localhost", 443)).is_some());
    }

    #[test]
    fn no_proxy_lists() {
        let np =
            NoProxy::parse("example.org, .corp.test,10.0.0.0/8, ::1, [fd00::]/8, localhost:8080");
        assert!(np.covers("example.org"));
        assert!(np.covers("www.example.org"));
        assert!(!np.covers("badexample.org"));
        assert!(np.covers("corp.test"));
        assert!(np.covers("a.b.corp.test"));
        assert!(np.covers("10.1.2.3"));
        assert!(!np.covers("11.1.2.3"));
        assert!(np.covers("::1"));
        assert!(np.covers("fd12::1"));
        assert!(np.covers("LOCALHOST"));
        assert!(!np.covers("127.0.0.1"));
        assert!(NoProxy::parse("*").covers("anything"));
        assert!(!NoProxy::parse("").covers("x"));
    }

    #[test]
    fn connect_replies() {
        assert_eq!(
            parse_connect_reply(b"HTTP/1.1 200 Connection established\r\n\r\n").unwrap(),
            ConnectReply::Open
        );
        assert_eq!(
            parse_connect_reply(b"HTTP/1.0 200 OK\r\nProxy-agent: x\r\n\r\n").unwrap(),
            ConnectReply::Open
        );
        assert_eq!(
            parse_connect_reply(b"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"x\"\r\n\r\n").unwrap(),
            ConnectReply::Refused { status: 407, reason: "Proxy Authentication Required".into() }
        );
        assert!(parse_connect_reply(b"SSH-2.0-OpenSSH\r\n\r\n").is_err());
        assert!(parse_connect_reply(b"HTTP/1.1 200 OK\r\n").is_err());
        let p = Proxy::parse("http://u:p@h:1", ProxySource::Flag).unwrap();
        let e = connect_refusal(&p, "x:443", 407, "Proxy Authentication Required");
        assert!(e.to_string().contains("rejected the credentials"), "{e}");
        assert!(!e.to_string().contains(":p@"), "{e}");
        let q = Proxy::parse("http://h:1", ProxySource::Flag).unwrap();
        assert!(connect_refusal(&q, "x:25", 403, "Forbidden")
            .to_string()
            .contains("ConnectPort"));
    }
}
