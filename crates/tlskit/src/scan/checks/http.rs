//! The HTTP layer (issue 12, item 1): one GET over a TLS session rustls opens, for targets that
//! speak HTTP — the server accepts ALPN `http/1.1` or `h2`, or the port is 443 or 8443, or the
//! target was an `https://` URL. It reads the answer's head only (bounded: 64 KiB, the scan's
//! timeout for every step) and reports the status, the Server banner, HSTS, HPKP, the security
//! headers, the cookies' flags, the Content-Encoding applied when gzip, deflate and br are
//! accepted (BREACH), the clock skew and a redirect's Location (never followed), and the HTTP
//! version the GET went in (`http_version`).
//!
//! HTTP/1.1 first: the first handshake offers ALPN `http/1.1` alone, so a server that speaks
//! both versions answers as it answers HTTP/1.1 clients. A server that refuses it (a
//! no_application_protocol alert) or ignores it (nghttpd does: no ALPN, then it closes on
//! anything but HTTP/2) gets a second handshake offering `h2` alone; when it selects h2, the same
//! GET goes in HTTP/2 through the `h2` crate (hyperium: framing, HPACK, flow control), with the
//! same deadline, the header list bounded like the HTTP/1.1 head (SETTINGS_MAX_HEADER_LIST_SIZE
//! 64 KiB, enforced by h2), server push off and the body never read. Neither protocol chosen:
//! the HTTP/1.1 GET without ALPN where the target is known to be HTTP (port, URL), else the
//! target shows no sign of HTTP and the layer does not apply.
//!
//! It runs alongside every other phase of the scan, on connections of its own. rustls speaks
//! TLS 1.2 and 1.3 with modern suites only: when it cannot complete a handshake, `http` is an
//! error entry saying so, never silence; so is an HTTP/2 exchange that fails (a GOAWAY, a reset
//! stream, a header list over the bound) or times out.
//!
//! The HTTP/1.1 heads are parsed by [`crate::http`] (httparse), HTTP/2 heads by h2; the header
//! values read here (Strict-Transport-Security, Public-Key-Pins, Set-Cookie, Date), the same for
//! both versions, by the small parsers below, written by hand because each is a few lines of
//! RFC 6797 / RFC 7469 / RFC 6265 grammar that the crates at hand do not cover (the Date format
//! itself is read by the `time` crate). All of them take hostile bytes (fuzz target
//! `http_headers`).

use crate::finding::Severity;
use crate::http::{self, ResponseHead};
use crate::scan::report::http::HSTS_MIN_AGE_APLUS;
use crate::scan::report::http::{Cookie, Hpkp, Hsts, HttpReport, HttpVersion, SecurityHeaders};
use crate::scan::report::Finding;
use crate::scan::Ctx;
use rustls::pki_types::ServerName;
use rustls::ClientConfig;
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::time::{timeout_at, Instant};

/// What the user asked of the HTTP layer (`--no-http`, `--http-path`, `--http-host`, the URL).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HttpOptions {
    /// `--no-http`: leave the HTTP layer out.
    pub skip: bool,
    /// The path to GET (`--http-path`, else the URL's path, else "/").
    pub path: Option<String>,
    /// The Host header's name (`--http-host`, else the SNI, else the host scanned).
    pub host: Option<String>,
    /// The target was written as an `https://` URL: it speaks HTTP.
    pub url: bool,
}

impl HttpOptions {
    /// `--http-path` and `--http-host` must fit in a request line and a header: a usage error
    /// (exit 2) otherwise, found before anything is scanned.
    pub fn validate(&self) -> crate::Result<()> {
        if let Some(p) = &self.path {
            if !p.starts_with('/') || p.chars().any(|c| c.is_whitespace() || c.is_control()) {
                return Err(crate::Error::usage(format!(
                    "--http-path {}: give a path starting with '/' without spaces or control characters, e.g. /login?x=1",
                    crate::escape::quoted(p)
                )));
            }
        }
        if let Some(h) = &self.host {
            let ok = !h.is_empty()
                && h.chars().all(|c| {
                    c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':' | '[' | ']')
                });
            if !ok {
                return Err(crate::Error::usage(format!(
                    "--http-host {}: give a host name (letters, digits, '.', '-'), e.g. www.example.org",
                    crate::escape::quoted(h)
                )));
            }
        }
        Ok(())
    }
}

/// What the HTTP layer found: the report's `http`, its findings and its error lines.
#[derive(Debug, Clone)]
pub struct Found {
    /// The report's `http`.
    pub http: HttpReport,
    /// Findings (missing or short HSTS, cookies without Secure …).
    pub findings: Vec<Finding>,
    /// Lines for the report's `errors` (what could not be determined).
    pub errors: Vec<String>,
}

/// Ports that speak HTTPS whatever ALPN says.
fn http_port(port: u16) -> bool {
    matches!(port, 443 | 8443)
}

/// Run the HTTP layer: `None` when it does not apply (`--no-http`, STARTTLS, or a target that is
/// not HTTP: no ALPN `http/1.1` or `h2`, another port, not a URL).
pub async fn run(ctx: &Ctx, opts: &crate::scan::ScanOptions) -> Option<Found> {
    if opts.http.skip
        || !opts.checks.runs_http(super::registry::REGISTRY)
        || opts.starttls.is_some()
    {
        return None;
    }
    let port = opts.target.port;
    let known_http = opts.http.url || http_port(port);
    let name = opts
        .http
        .host
        .clone()
        .or_else(|| ctx.sni.clone())
        .unwrap_or_else(|| opts.target.host.clone());
    let name = if name.parse::<std::net::Ipv6Addr>().is_ok() {
        format!("[{name}]")
    } else {
        name
    };
    let host = if port == 443 {
        name
    } else {
        format!("{name}:{port}")
    };
    let path = opts.http.path.clone().unwrap_or_else(|| "/".into());
    let mut report = HttpReport {
        request: format!("GET https://{host}{path}"),
        ..Default::default()
    };
    let errors = |e: &str| vec![format!("HTTP: {e}")];
    match get(ctx, &host, &path, known_http).await {
        // Not an HTTP target: the handshake said nothing of HTTP, and the port does not either.
        Got::NotHttp => None,
        // A failed handshake says nothing about HTTP: reported in `http`, and among the errors
        // only when the target is known to be HTTP.
        Got::NoSession(e) => {
            let e = format!(
                "rustls (TLS 1.2/1.3, modern suites) could not complete a handshake, so no HTTP request was sent: {e}"
            );
            let errors = if known_http { errors(&e) } else { Vec::new() };
            report.error = Some(e);
            Some(Found {
                http: report,
                findings: Vec::new(),
                errors,
            })
        }
        Got::NoAnswer(alpn, version, e) => {
            report.alpn = alpn;
            report.http_version = Some(version);
            let errors = errors(&e);
            report.error = Some(e);
            Some(Found {
                http: report,
                findings: Vec::new(),
                errors,
            })
        }
        Got::Answer(alpn, version, head) => {
            report.alpn = alpn;
            report.http_version = Some(version);
            let findings = analyse(&head, &mut report, time::OffsetDateTime::now_utc());
            Some(Found {
                http: report,
                findings,
                errors: Vec::new(),
            })
        }
    }
}

/// How [`get`] ended.
enum Got {
    /// No TLS session (why).
    NoSession(String),
    /// Sessions without ALPN http/1.1 or h2 on a target not otherwise known to be HTTP: nothing
    /// asked.
    NotHttp,
    /// A session (with this ALPN), a GET in this version, but no readable answer (why).
    NoAnswer(Option<String>, HttpVersion, String),
    /// The answer's head.
    Answer(Option<String>, HttpVersion, ResponseHead),
}

/// The HTTP layer's TLS session.
type Tls = tokio_rustls::client::TlsStream<tokio::net::TcpStream>;

/// How one handshake ended.
enum Session {
    /// A session, with the ALPN protocol the server chose (boxed: a session is large).
    Up(Box<Tls>, Option<String>),
    /// The server refused the ALPN protocol offered (a no_application_protocol alert): the text.
    Refused(String),
    /// No session (why).
    Failed(String),
}

/// A client config offering `alpn` alone.
fn client_config(ctx: &Ctx, alpn: &[u8]) -> Result<Arc<ClientConfig>, String> {
    let mut c = ClientConfig::builder_with_provider(crate::scan::engine::ffdhe::provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .dangerous()
        // A scan looks at the certificate, it does not judge it here (the chain analysis does).
        .with_custom_certificate_verifier(crate::scan::engine::tls13::Look::new())
        .with_client_cert_resolver(crate::scan::engine::client_cert::Recorder::new(
            ctx.client_cert.clone(),
        ));
    c.enable_sni = ctx.sni.is_some();
    c.alpn_protocols = vec![alpn.to_vec()];
    c.resumption = rustls::client::Resumption::disabled();
    Ok(Arc::new(c))
}

/// Connect and complete a handshake offering ALPN `alpn` alone, within the timeout.
async fn handshake(ctx: &Ctx, name: &ServerName<'static>, alpn: &[u8]) -> Session {
    let timeout = ctx.prober.timeout();
    let config = match client_config(ctx, alpn) {
        Ok(c) => c,
        Err(e) => return Session::Failed(e),
    };
    let deadline = Instant::now() + timeout;
    let tcp = match timeout_at(deadline, ctx.prober.open()).await {
        Err(_) => return Session::Failed("connecting timed out".into()),
        Ok(Err(e)) => return Session::Failed(e.message().to_string()),
        Ok(Ok(c)) => c.stream,
    };
    let connector = tokio_rustls::TlsConnector::from(config);
    match timeout_at(deadline, connector.connect(name.clone(), tcp)).await {
        Err(_) => Session::Failed(format!(
            "no finished handshake within {}",
            crate::net::fmt_duration(timeout)
        )),
        Ok(Err(e)) if refuses_alpn(&e) => Session::Refused(e.to_string()),
        Ok(Err(e)) => Session::Failed(e.to_string()),
        Ok(Ok(tls)) => {
            let alpn = tls
                .get_ref()
                .1
                .alpn_protocol()
                .map(|p| String::from_utf8_lossy(p).into_owned());
            Session::Up(Box::new(tls), alpn)
        }
    }
}

/// Whether a handshake failed on the server's no_application_protocol alert.
fn refuses_alpn(e: &std::io::Error) -> bool {
    let alert = rustls::Error::AlertReceived(rustls::AlertDescription::NoApplicationProtocol);
    e.get_ref()
        .and_then(|e| e.downcast_ref::<rustls::Error>())
        .is_some_and(|e| *e == alert)
}

/// End a session politely, without waiting long.
async fn close(mut tls: Tls) {
    let _ = tokio::time::timeout(std::time::Duration::from_millis(200), tls.shutdown()).await;
}

/// Open a session and, when the target speaks HTTP, GET `path` and read the answer's head.
///
/// The first handshake offers ALPN `http/1.1` alone, so that a server speaking both versions
/// answers in HTTP/1.1 (a server picks h2 first when offered both). When the server does not
/// accept it — it refuses with a no_application_protocol alert, or ignores it (nghttpd does) —
/// a second handshake offers `h2` alone: a server that selects it gets the GET in HTTP/2. A
/// server that chooses no protocol either time gets the HTTP/1.1 GET only when the target is
/// `known_http` (port 443/8443, an https:// URL).
async fn get(ctx: &Ctx, host: &str, path: &str, known_http: bool) -> Got {
    let timeout = ctx.prober.timeout();
    let name = match &ctx.sni {
        Some(n) => match ServerName::try_from(n.clone()) {
            Ok(n) => n,
            Err(e) => return Got::NoSession(format!("the SNI cannot be used: {e}")),
        },
        None => ServerName::IpAddress(ctx.prober.addr().ip().into()),
    };
    let _slot = ctx.prober.slot().await;
    let refused = match handshake(ctx, &name, b"http/1.1").await {
        Session::Up(tls, alpn) if alpn.as_deref() == Some("http/1.1") => {
            return over_h1(*tls, alpn, host, path, timeout).await
        }
        Session::Up(tls, _) => {
            close(*tls).await;
            None
        }
        Session::Refused(e) => Some(e),
        Session::Failed(e) => return Got::NoSession(e),
    };
    match handshake(ctx, &name, b"h2").await {
        Session::Up(tls, alpn) if alpn.as_deref() == Some("h2") => {
            let head = over_h2(*tls, host, path, timeout).await;
            match head {
                Ok(h) => Got::Answer(alpn, HttpVersion::H2, h),
                Err(e) => Got::NoAnswer(alpn, HttpVersion::H2, e),
            }
        }
        Session::Up(tls, alpn) if known_http => over_h1(*tls, alpn, host, path, timeout).await,
        Session::Up(tls, _) => {
            close(*tls).await;
            Got::NotHttp
        }
        Session::Refused(e) if refused.is_some() || known_http => Got::NoSession(format!(
            "{e} (the server refuses ALPN {}h2: it speaks no HTTP over TLS here)",
            if refused.is_some() {
                "http/1.1 and "
            } else {
                ""
            }
        )),
        // It ignores http/1.1 and refuses h2: no sign of HTTP.
        Session::Refused(_) => Got::NotHttp,
        Session::Failed(e) => Got::NoSession(e),
    }
}

/// The HTTP/1.1 GET on a session, its answer's head read.
async fn over_h1(
    mut tls: Tls,
    alpn: Option<String>,
    host: &str,
    path: &str,
    timeout: std::time::Duration,
) -> Got {
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: tlskit/{}\r\nAccept: */*\r\nAccept-Encoding: {ACCEPT_ENCODING}\r\nConnection: close\r\n\r\n",
        env!("CARGO_PKG_VERSION")
    );
    // A fresh deadline for the exchange: the handshake may have used most of the first.
    let deadline = Instant::now() + timeout;
    let sent = match timeout_at(deadline, tls.write_all(request.as_bytes())).await {
        Err(_) => Err("the GET could not be sent within the timeout".to_string()),
        Ok(Err(e)) => Err(format!("sending the GET failed: {e}")),
        Ok(Ok(())) => Ok(()),
    };
    let head = match sent {
        Ok(()) => {
            let _ = timeout_at(deadline, tls.flush()).await;
            read_head(&mut tls, deadline, timeout).await
        }
        Err(e) => Err(e),
    };
    close(tls).await;
    match head {
        Ok(h) => Got::Answer(alpn, HttpVersion::Http11, h),
        Err(e) => Got::NoAnswer(alpn, HttpVersion::Http11, e),
    }
}

/// What the GET accepts (BREACH: which of them the server applies).
const ACCEPT_ENCODING: &str = "gzip, deflate, br";

/// The flow-control window the HTTP/2 GET grants the server's body: the body is never read
/// (the head says all the HTTP layer reports), so a little suffices.
const H2_BODY_WINDOW: u32 = 16 * 1024;

/// The same GET in HTTP/2 on a session where the server selected ALPN h2: the framing, HPACK and
/// flow control are the `h2` crate's; the answer's header list is bounded as the HTTP/1.1 head
/// is ([`http::MAX_HEAD`], announced as SETTINGS_MAX_HEADER_LIST_SIZE and enforced by h2), server
/// push is off, and the whole exchange runs within the timeout. The body is not read: the
/// stream is reset once the head is in, then the connection closed (GOAWAY).
async fn over_h2(
    tls: Tls,
    host: &str,
    path: &str,
    timeout: std::time::Duration,
) -> Result<ResponseHead, String> {
    let request = ::http::Request::get(format!("https://{host}{path}"))
        .header(
            "user-agent",
            format!("tlskit/{}", env!("CARGO_PKG_VERSION")),
        )
        .header("accept", "*/*")
        .header("accept-encoding", ACCEPT_ENCODING)
        .body(())
        .map_err(|e| format!("the GET cannot be written in HTTP/2: {e}"))?;
    let deadline = Instant::now() + timeout;
    let exchange = async move {
        let (send, conn) = h2::client::Builder::new()
            .max_header_list_size(http::MAX_HEAD as u32)
            .initial_window_size(H2_BODY_WINDOW)
            .enable_push(false)
            .handshake::<_, bytes::Bytes>(tls)
            .await
            .map_err(|e| format!("the HTTP/2 connection could not start: {e}"))?;
        let mut conn = std::pin::pin!(conn);
        let ask = async move {
            let mut send = send.ready().await?;
            let (answer, _) = send.send_request(request, true)?;
            answer.await
        };
        let head = tokio::select! {
            r = ask => r
                .map(|answer| h2_head(&answer))
                .map_err(|e| format!("the HTTP/2 GET failed: {e}")),
            c = &mut conn => Err(match c {
                Ok(()) => "the server closed the HTTP/2 connection before answering".to_string(),
                Err(e) => format!("the HTTP/2 connection failed before an answer: {e}"),
            }),
        };
        // No handle is left: the connection says GOAWAY and ends (briefly waited for).
        let _ = tokio::time::timeout(std::time::Duration::from_millis(200), conn).await;
        head
    };
    match timeout_at(deadline, exchange).await {
        Err(_) => Err(format!(
            "no HTTP/2 answer within {}",
            crate::net::fmt_duration(timeout)
        )),
        Ok(r) => r,
    }
}

/// An HTTP/2 answer's head as the HTTP/1.1 path gives it: names in lowercase (as h2 carries
/// them), values as text (invalid UTF-8 replaced), repeated fields in their order.
fn h2_head<B>(answer: &::http::Response<B>) -> ResponseHead {
    ResponseHead {
        version: "HTTP/2".into(),
        status: answer.status().as_u16(),
        reason: String::new(),
        headers: answer
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).trim().to_string(),
                )
            })
            .collect(),
    }
}

/// Read until the end of a final (non-1xx) response head: at most [`http::MAX_HEAD`] bytes,
/// each read bounded by `deadline`.
async fn read_head<S: tokio::io::AsyncRead + Unpin>(
    s: &mut S,
    deadline: Instant,
    timeout: std::time::Duration,
) -> Result<ResponseHead, String> {
    let mut buf: Vec<u8> = Vec::new();
    // Bytes already searched for the blank line (each piece is searched once).
    let mut searched = 0;
    let mut chunk = [0u8; 8192];
    loop {
        if let Some(end) = http::head_end_from(&buf, searched) {
            let head =
                http::parse_response_head(&buf[..end]).map_err(|e| e.message().to_string())?;
            // Interim answers (100 Continue, 103 Early Hints) come before the real one.
            if (100..200).contains(&head.status) && head.status != 101 {
                buf.drain(..end);
                searched = 0;
                continue;
            }
            return Ok(head);
        }
        if buf.len() > http::MAX_HEAD {
            return Err(format!(
                "the server's HTTP response head is larger than {} KiB",
                http::MAX_HEAD / 1024
            ));
        }
        let n = match timeout_at(deadline, s.read(&mut chunk)).await {
            Err(_) if buf.is_empty() => {
                return Err(format!(
                    "no HTTP answer within {}",
                    crate::net::fmt_duration(timeout)
                ))
            }
            Err(_) => {
                return Err(format!(
                    "the HTTP response head was not complete within {}: {}",
                    crate::net::fmt_duration(timeout),
                    first_line(&buf)
                ))
            }
            // A close without close_notify is an error for tokio-rustls: an end all the same.
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => 0,
            Ok(Err(e)) => return Err(format!("reading the HTTP answer failed: {e}")),
            Ok(Ok(n)) => n,
        };
        if n == 0 {
            return Err(http::parse_full_response(&buf)
                .err()
                .map(|e| e.message().to_string())
                .unwrap_or_else(|| "the server closed the connection early".into()));
        }
        searched = buf.len();
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// The first line of what came, escaped and cut, for an error.
fn first_line(buf: &[u8]) -> String {
    let line = buf.split(|b| *b == b'\n').next().unwrap_or(b"");
    crate::escape::short(&String::from_utf8_lossy(line), 80)
}

/// Fill `report` from the answer's head, with the findings it calls for. `now` is the local
/// clock (for the skew).
pub fn analyse(
    head: &ResponseHead,
    report: &mut HttpReport,
    now: time::OffsetDateTime,
) -> Vec<Finding> {
    let h = &head.headers;
    let mut findings = Vec::new();
    report.status = Some(head.status);
    report.server = http::header(h, "server").map(str::to_string);
    if (300..400).contains(&head.status) {
        report.redirect = http::header(h, "location").map(str::to_string);
    }
    // RFC 6797 §8.1: only the first Strict-Transport-Security header counts.
    match http::header(h, "strict-transport-security").map(parse_hsts) {
        None => findings.push(Finding::new(
            Severity::Low,
            "http.hsts_missing",
            "no Strict-Transport-Security (HSTS) header: a browser may still reach the site over plain HTTP first; an A+ needs HSTS with a max-age of at least 180 days",
        )),
        Some(Err(why)) => findings.push(Finding::new(
            Severity::Low,
            "http.hsts_invalid",
            format!("the Strict-Transport-Security header is invalid, so browsers ignore it: {why}"),
        )),
        Some(Ok(hsts)) => {
            if hsts.max_age < HSTS_MIN_AGE_APLUS {
                findings.push(Finding::new(
                    Severity::Low,
                    "http.hsts_short",
                    format!(
                        "HSTS max-age is {} s ({} days), under 180 days (15552000 s): browsers forget it soon; an A+ needs at least 180 days",
                        hsts.max_age,
                        hsts.max_age / 86_400
                    ),
                ));
            }
            report.hsts = Some(hsts);
        }
    }
    report.hpkp = http::header(h, "public-key-pins")
        .map(|v| parse_hpkp(v, false))
        .or_else(|| http::header(h, "public-key-pins-report-only").map(|v| parse_hpkp(v, true)));
    if report.hpkp.is_some() {
        findings.push(Finding::new(
            Severity::Info,
            "http.hpkp",
            "Public-Key-Pins (HPKP) is sent: browsers no longer honour it, and a wrong pin locks visitors out; remove it",
        ));
    }
    let has = |n: &str| http::header(h, n).is_some();
    let headers = SecurityHeaders {
        content_security_policy: has("content-security-policy"),
        x_frame_options: has("x-frame-options"),
        x_content_type_options: has("x-content-type-options"),
        referrer_policy: has("referrer-policy"),
    };
    let missing: Vec<&str> = headers
        .list()
        .iter()
        .filter(|(_, sent)| !sent)
        .map(|(n, _)| *n)
        .collect();
    if !missing.is_empty() {
        findings.push(Finding::new(
            Severity::Info,
            "http.security_headers",
            format!("security headers not sent: {}", missing.join(", ")),
        ));
    }
    report.headers = Some(headers);
    report.cookies = h
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("set-cookie"))
        .filter_map(|(_, v)| parse_cookie(v))
        .collect();
    let names = |f: &dyn Fn(&Cookie) -> bool| -> Vec<String> {
        report
            .cookies
            .iter()
            .filter(|c| f(c))
            .map(|c| crate::escape::short(&c.name, 40))
            .collect()
    };
    let insecure = names(&|c| !c.secure);
    if !insecure.is_empty() {
        findings.push(Finding::new(
            Severity::Low,
            "http.cookie_not_secure",
            format!(
                "cookies without the Secure attribute (a browser also sends them over plain HTTP): {}",
                some(&insecure)
            ),
        ));
    }
    let scriptable = names(&|c| !c.http_only);
    if !scriptable.is_empty() {
        findings.push(Finding::new(
            Severity::Info,
            "http.cookie_not_httponly",
            format!(
                "cookies without the HttpOnly attribute (scripts can read them): {}",
                some(&scriptable)
            ),
        ));
    }
    report.compression = content_encoding(h);
    report.date_skew_s = http::header(h, "date")
        .and_then(parse_http_date)
        .map(|d| (d - now).whole_seconds());
    if let Some(skew) = report.date_skew_s.filter(|s| s.abs() > 300) {
        findings.push(Finding::new(
            Severity::Info,
            "http.clock_skew",
            format!("the server's clock is {skew} s off the local clock (its Date header)"),
        ));
    }
    findings
}

/// At most five names, then how many more.
fn some(names: &[String]) -> String {
    if names.len() <= 5 {
        names.join(", ")
    } else {
        format!("{} and {} more", names[..5].join(", "), names.len() - 5)
    }
}

/// The content codings applied (lowercase, as listed), `None` for none or `identity`.
fn content_encoding(h: &[(String, String)]) -> Option<String> {
    let codings: Vec<String> = h
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("content-encoding"))
        .flat_map(|(_, v)| v.split(','))
        .map(|c| c.trim().to_ascii_lowercase())
        .filter(|c| !c.is_empty() && c != "identity")
        .collect();
    (!codings.is_empty()).then(|| codings.join(", "))
}

/// `name[=value]` directives separated by ';' (RFC 6797 §6.1, RFC 7469 §2.1): names lowercased,
/// values unquoted. Empty directives are skipped.
fn directives(value: &str) -> Vec<(String, Option<String>)> {
    value
        .split(';')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| match d.split_once('=') {
            Some((n, v)) => {
                let v = v.trim();
                let v = v
                    .strip_prefix('"')
                    .and_then(|v| v.strip_suffix('"'))
                    .unwrap_or(v);
                (n.trim().to_ascii_lowercase(), Some(v.to_string()))
            }
            None => (d.to_ascii_lowercase(), None),
        })
        .collect()
}

/// delta-seconds: digits only; too large for 64 bits counts as the largest value.
fn delta_seconds(v: &str) -> Option<u64> {
    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(v.parse::<u64>().unwrap_or(u64::MAX))
}

/// Read a Strict-Transport-Security value as a browser does (RFC 6797 §6.1): max-age is required
/// and every directive appears at most once, or the header is ignored (the error says why).
pub fn parse_hsts(value: &str) -> Result<Hsts, String> {
    let mut seen: Vec<String> = Vec::new();
    let mut max_age = None;
    let mut hsts = Hsts {
        max_age: 0,
        include_subdomains: false,
        preload: false,
    };
    for (name, v) in directives(value) {
        if seen.contains(&name) {
            return Err(format!(
                "the directive {} appears twice",
                crate::escape::quoted(&name)
            ));
        }
        match name.as_str() {
            "max-age" => {
                max_age = Some(v.as_deref().and_then(delta_seconds).ok_or_else(|| {
                    format!(
                        "max-age is not a number of seconds: {}",
                        crate::escape::quoted(v.as_deref().unwrap_or(""))
                    )
                })?)
            }
            "includesubdomains" => hsts.include_subdomains = true,
            "preload" => hsts.preload = true,
            _ => {}
        }
        seen.push(name);
    }
    hsts.max_age = max_age.ok_or("it has no max-age directive")?;
    Ok(hsts)
}

/// Public-Key-Pins (RFC 7469 §2.1): its max-age and how many pins.
pub fn parse_hpkp(value: &str, report_only: bool) -> Hpkp {
    let d = directives(value);
    Hpkp {
        report_only,
        max_age: d
            .iter()
            .find(|(n, _)| n == "max-age")
            .and_then(|(_, v)| v.as_deref().and_then(delta_seconds)),
        pins: d.iter().filter(|(n, _)| n == "pin-sha256").count(),
    }
}

/// One Set-Cookie (RFC 6265 §5.2): `None` when a browser ignores it (no '=' in its name-value
/// pair, or an empty name).
pub fn parse_cookie(value: &str) -> Option<Cookie> {
    let mut parts = value.split(';');
    let (name, _) = parts.next()?.split_once('=')?;
    let name = name.trim();
    if name.is_empty() {
        return None;
    }
    let mut c = Cookie {
        name: name.to_string(),
        secure: false,
        http_only: false,
        same_site: None,
    };
    for attr in parts {
        let (n, v) = match attr.split_once('=') {
            Some((n, v)) => (n.trim(), Some(v.trim())),
            None => (attr.trim(), None),
        };
        if n.eq_ignore_ascii_case("secure") {
            c.secure = true;
        } else if n.eq_ignore_ascii_case("httponly") {
            c.http_only = true;
        } else if n.eq_ignore_ascii_case("samesite") {
            c.same_site = Some(v.unwrap_or("").to_string());
        }
    }
    Some(c)
}

/// An HTTP Date in the IMF-fixdate form every server sends today (RFC 9110 §5.6.7:
/// `Sun, 06 Nov 1994 08:49:37 GMT`); `None` for anything else.
pub fn parse_http_date(value: &str) -> Option<time::OffsetDateTime> {
    let fmt = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    time::PrimitiveDateTime::parse(value.trim(), fmt)
        .ok()
        .map(|t| t.assume_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hsts_as_a_browser_reads_it() {
        let h = parse_hsts("max-age=31536000; includeSubDomains; preload").unwrap();
        assert_eq!(
            h,
            Hsts {
                max_age: 31_536_000,
                include_subdomains: true,
                preload: true
            }
        );
        assert_eq!(parse_hsts("MAX-AGE=\"300\"").unwrap().max_age, 300);
        assert_eq!(
            parse_hsts("max-age=99999999999999999999999")
                .unwrap()
                .max_age,
            u64::MAX
        );
        assert!(parse_hsts("includeSubDomains")
            .unwrap_err()
            .contains("no max-age"));
        assert!(parse_hsts("max-age=1; max-age=2")
            .unwrap_err()
            .contains("twice"));
        assert!(parse_hsts("max-age=-1")
            .unwrap_err()
            .contains("not a number"));
        assert!(parse_hsts("").is_err());
    }

    #[test]
    fn cookies_and_their_flags() {
        let c = parse_cookie("sid=abc; Path=/; Secure; HttpOnly; SameSite=Lax").unwrap();
        assert_eq!(
            c,
            Cookie {
                name: "sid".into(),
                secure: true,
                http_only: true,
                same_site: Some("Lax".into())
            }
        );
        let c = parse_cookie(" pref = 1 ").unwrap();
        assert_eq!(c.name, "pref");
        assert!(!c.secure && !c.http_only && c.same_site.is_none());
        assert!(parse_cookie("novalue").is_none());
        assert!(parse_cookie("=x").is_none());
    }

    #[test]
    fn dates_and_skew() {
        let d = parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        assert_eq!(d.unix_timestamp(), 784_111_777);
        assert!(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT").is_none());
        assert!(parse_http_date("garbage").is_none());
    }

    #[test]
    fn an_h2_head_reads_as_an_http1_head() {
        let answer = ::http::Response::builder()
            .status(404)
            .header("server", "nghttpd nghttp2/1.52.0")
            .header("set-cookie", "a=1")
            .header("content-encoding", "gzip")
            .header("set-cookie", "b=2; Secure; HttpOnly")
            .header("strict-transport-security", " max-age=31536000 ")
            .body(())
            .unwrap();
        let head = h2_head(&answer);
        assert_eq!((head.version.as_str(), head.status), ("HTTP/2", 404));
        let mut r = HttpReport::default();
        analyse(&head, &mut r, time::OffsetDateTime::now_utc());
        assert_eq!(r.server.as_deref(), Some("nghttpd nghttp2/1.52.0"));
        assert_eq!(r.hsts.unwrap().max_age, 31_536_000);
        assert_eq!(r.compression.as_deref(), Some("gzip"));
        let names: Vec<&str> = r.cookies.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["a", "b"]);
        assert!(r.cookies[1].secure && !r.cookies[0].secure);
    }

    #[test]
    fn a_head_becomes_the_report() {
        let raw = b"HTTP/1.1 301 Moved Permanently\r\nServer: nginx\xe2\x80\xae\r\nLocation: https://x/\r\nStrict-Transport-Security: max-age=300\r\nContent-Encoding: GZIP\r\nSet-Cookie: a=1; Secure\r\nSet-Cookie: b=2; HttpOnly\r\nX-Frame-Options: DENY\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n\r\n";
        let head = http::parse_response_head(raw).unwrap();
        let mut r = HttpReport::default();
        let now = parse_http_date("Sun, 06 Nov 1994 08:49:47 GMT").unwrap();
        let f = analyse(&head, &mut r, now);
        assert_eq!(r.status, Some(301));
        assert_eq!(r.server.as_deref(), Some("nginx\u{202e}"));
        let text = r.render_text(crate::scan::report::Style { colour: false });
        assert!(
            text.contains("server                 nginx\\u{202e}\n"),
            "{text}"
        );
        assert_eq!(r.redirect.as_deref(), Some("https://x/"));
        assert_eq!(r.hsts.as_ref().unwrap().max_age, 300);
        assert_eq!(r.compression.as_deref(), Some("gzip"));
        assert_eq!(r.date_skew_s, Some(-10));
        assert_eq!(r.cookies.len(), 2);
        assert!(r.headers.unwrap().x_frame_options);
        let ids: Vec<&str> = f.iter().map(|f| f.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "http.hsts_short",
                "http.security_headers",
                "http.cookie_not_secure",
                "http.cookie_not_httponly"
            ]
        );
        assert!(f[2].message.ends_with(": b"), "{}", f[2].message);
    }
}
