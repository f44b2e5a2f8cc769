//! Client authentication (mutual TLS): whether the server asks for a client certificate, whether
//! its handshake fails without one, which CAs it names and which signature algorithms it takes.
//!
//! Two sources, because TLS 1.3 encrypts the CertificateRequest:
//! - TLS ≤ 1.2: the first flight read by our own codec carries the CertificateRequest in clear
//!   (it comes after the ServerHello and the certificate, so the enumeration is not affected by
//!   it); parsed with the wire crate's `CertificateRequest`.
//! - TLS 1.3 (and TLS 1.2's "required"): a rustls handshake whose client-certificate resolver
//!   ([`Recorder`]) records the acceptable issuers and signature schemes rustls hands it, and
//!   answers with no certificate (or `--client-cert`'s). How the server then ends the handshake
//!   tells whether the certificate is required: an alert (TLS 1.3 certificate_required, TLS 1.2
//!   handshake_failure / bad_certificate …) after our empty Certificate, or a finished handshake.
//!
//! What could not be told is null in the report and a line in `errors`, never "no".

use super::common;
use crate::finding::Severity;
use crate::scan::engine::client_cert::{Recorder, Request};
use crate::scan::engine::legacy;
use crate::scan::report::{ClientAuth, ClientSigAlg, Finding, ScanReport};
use crate::scan::Ctx;
use rustls::pki_types::ServerName;
use rustls::sign::CertifiedKey;
use rustls::{ClientConfig, ClientConnection};
use std::sync::Arc;
use std::time::Duration;
use tlskit_wire::alert::AlertDescription;
use tlskit_wire::handshake::CertificateRequest;
use tlskit_wire::version::Version;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::Instant;

/// How one rustls handshake ended.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Ending {
    /// The server completed the handshake (and, in TLS 1.3, went on after our Finished).
    Accepted,
    /// The server refused the handshake after the CertificateRequest; the words say how.
    Refused(String),
    /// Nothing could be told; the words say why.
    Failed(String),
}

/// One rustls handshake at `version`: what the server asked for, and how it ended.
#[derive(Debug, Clone)]
struct Probe {
    request: Option<Request>,
    ending: Ending,
}

/// Alerts a server sends when it will not go on without (or with this) client certificate.
fn refusal(a: AlertDescription) -> bool {
    matches!(
        a,
        AlertDescription::CertificateRequired
            | AlertDescription::HandshakeFailure
            | AlertDescription::BadCertificate
            | AlertDescription::UnsupportedCertificate
            | AlertDescription::CertificateUnknown
            | AlertDescription::CertificateRevoked
            | AlertDescription::CertificateExpired
            | AlertDescription::UnknownCa
            | AlertDescription::AccessDenied
    )
}

/// What one read from the server brought.
enum Read {
    /// Records processed without error.
    Data,
    /// The connection ended (EOF, reset); the words say how.
    Closed(String),
    /// A fatal alert.
    Alert(AlertDescription),
    /// Nothing before the deadline.
    Timeout,
    /// Anything else rustls refused.
    Error(String),
}

async fn read(conn: &mut ClientConnection, stream: &mut TcpStream, until: Instant) -> Read {
    let mut buf = vec![0u8; 16 * 1024];
    let n = match tokio::time::timeout_at(until, stream.read(&mut buf)).await {
        Err(_) => return Read::Timeout,
        Ok(Err(e)) => return Read::Closed(format!("the connection failed ({e})")),
        Ok(Ok(0)) => return Read::Closed("the server closed the connection".into()),
        Ok(Ok(n)) => n,
    };
    let mut rd = &buf[..n];
    while !rd.is_empty() {
        if let Err(e) = conn.read_tls(&mut rd) {
            return Read::Error(e.to_string());
        }
        match conn.process_new_packets() {
            Ok(_) => {}
            Err(rustls::Error::AlertReceived(a)) => {
                return Read::Alert(AlertDescription::from(u8::from(a)))
            }
            Err(e) => return Read::Error(e.to_string()),
        }
    }
    // Drain application data unread (a banner, an HTTP answer).
    let mut sink = [0u8; 4096];
    while let Ok(n) = std::io::Read::read(&mut conn.reader(), &mut sink) {
        if n == 0 {
            break;
        }
    }
    Read::Data
}

async fn write(conn: &mut ClientConnection, stream: &mut TcpStream, until: Instant) -> bool {
    while conn.wants_write() {
        let mut out = Vec::new();
        if conn.write_tls(&mut out).is_err() {
            return false;
        }
        match tokio::time::timeout_at(until, stream.write_all(&out)).await {
            Ok(Ok(())) => {}
            _ => return false,
        }
    }
    true
}

fn server_name(ctx: &Ctx) -> Option<ServerName<'static>> {
    match &ctx.sni {
        Some(n) => ServerName::try_from(n.clone()).ok(),
        None => Some(ServerName::IpAddress(ctx.prober.addr().ip().into())),
    }
}

/// A rustls client for `version` that accepts any server certificate (a scan only looks) and
/// answers a CertificateRequest through `recorder`.
pub(crate) fn config(
    ctx: &Ctx,
    version: &'static rustls::SupportedProtocolVersion,
    recorder: Arc<Recorder>,
) -> Option<Arc<ClientConfig>> {
    let mut c = ClientConfig::builder_with_provider(crate::scan::engine::ffdhe::provider())
        .with_protocol_versions(&[version])
        .ok()?
        .dangerous()
        .with_custom_certificate_verifier(crate::scan::engine::tls13::Look::new())
        .with_client_cert_resolver(recorder);
    c.enable_sni = ctx.sni.is_some();
    c.resumption = rustls::client::Resumption::disabled();
    Some(Arc::new(c))
}

/// A handshake at `version` answering a CertificateRequest with `key` (none: empty).
async fn probe(ctx: &Ctx, version: Version, key: Option<Arc<CertifiedKey>>) -> Probe {
    let recorder = Recorder::new(key);
    let ending = Box::pin(handshake(ctx, version, recorder.clone())).await;
    Probe {
        request: recorder.seen(),
        ending,
    }
}

async fn handshake(ctx: &Ctx, version: Version, recorder: Arc<Recorder>) -> Ending {
    let v = match version {
        Version::Tls13 => &rustls::version::TLS13,
        _ => &rustls::version::TLS12,
    };
    let Some(cfg) = config(ctx, v, recorder.clone()) else {
        return Ending::Failed("no client configuration".into());
    };
    let Some(name) = server_name(ctx) else {
        return Ending::Failed("no usable server name".into());
    };
    let deadline = Instant::now() + ctx.prober.timeout();
    let _slot = ctx.prober.slot().await;
    let mut stream = match tokio::time::timeout_at(deadline, ctx.prober.open()).await {
        Err(_) => return Ending::Failed("connecting timed out".into()),
        Ok(Err(e)) => return Ending::Failed(e.to_string()),
        Ok(Ok(c)) => c.stream,
    };
    let mut conn = match ClientConnection::new(cfg, name) {
        Ok(c) => c,
        Err(e) => return Ending::Failed(e.to_string()),
    };
    let asked = |r: &Arc<Recorder>| r.seen().is_some();
    while conn.is_handshaking() {
        let wrote = write(&mut conn, &mut stream, deadline).await;
        if !conn.is_handshaking() {
            break;
        }
        // Even when the write failed, read what the server said before it went away.
        let _ = wrote;
        match read(&mut conn, &mut stream, deadline).await {
            Read::Data => {}
            Read::Alert(a) if asked(&recorder) && refusal(a) => {
                return Ending::Refused(format!("{} alert", a.name()))
            }
            // GnuTLS (3.7, gnutls-serv --require-client-cert) answers an empty TLS 1.2
            // Certificate with decode_error and logs "No certificate was found".
            Read::Alert(AlertDescription::DecodeError)
                if asked(&recorder) && version == Version::Tls12 =>
            {
                return Ending::Refused(
                    "decode_error alert after our empty Certificate (GnuTLS's way of refusing it)"
                        .into(),
                );
            }
            Read::Alert(a) => {
                return Ending::Failed(format!("the handshake ended with a {} alert", a.name()))
            }
            // A server that drops the connection right after our empty Certificate refuses it
            // (its alert may be lost to a reset when our later records were still unread).
            Read::Closed(how) if asked(&recorder) => {
                return Ending::Refused(format!("{how} after our Certificate"))
            }
            Read::Closed(how) => return Ending::Failed(format!("{how} during the handshake")),
            Read::Timeout => return Ending::Failed("no answer within the timeout".into()),
            Read::Error(e) => return Ending::Failed(e),
        }
    }
    write(&mut conn, &mut stream, deadline).await;
    let ending = if version == Version::Tls13 && asked(&recorder) {
        // TLS 1.3: the client's handshake ends with its Finished; the server judges the
        // certificate after reading it. Anything it sends then (session tickets come only
        // after the client's Finished when it asked for a certificate) means it went on.
        after_finished(&mut conn, &mut stream, deadline).await
    } else {
        Ending::Accepted
    };
    conn.send_close_notify();
    write(&mut conn, &mut stream, deadline).await;
    let _ = tokio::time::timeout(Duration::from_millis(500), stream.shutdown()).await;
    ending
}

/// TLS 1.3, after our Finished: an alert is a refusal; session tickets or data mean the server
/// went on. A quiet server is asked to close (close_notify): it reads our Finished first, so
/// an orderly close without an alert means it accepted the handshake.
async fn after_finished(
    conn: &mut ClientConnection,
    stream: &mut TcpStream,
    deadline: Instant,
) -> Ending {
    let first = deadline.min(Instant::now() + Duration::from_millis(1500));
    match read(conn, stream, first).await {
        Read::Data => return Ending::Accepted,
        Read::Alert(a) if refusal(a) => return Ending::Refused(format!("{} alert", a.name())),
        Read::Alert(a) => return Ending::Failed(format!("a {} alert", a.name())),
        Read::Closed(how) => return Ending::Refused(format!("{how} after our Finished")),
        Read::Error(e) => return Ending::Failed(e),
        Read::Timeout => {}
    }
    conn.send_close_notify();
    if !write(conn, stream, deadline).await {
        return Ending::Failed("the connection failed after the handshake".into());
    }
    loop {
        match read(conn, stream, deadline).await {
            Read::Data => continue,
            Read::Alert(a) if refusal(a) => return Ending::Refused(format!("{} alert", a.name())),
            Read::Alert(a) => return Ending::Failed(format!("a {} alert", a.name())),
            Read::Closed(how) if how == "the server closed the connection" => {
                return Ending::Accepted
            }
            Read::Closed(how) => return Ending::Failed(format!("{how} after the handshake")),
            Read::Error(e) => return Ending::Failed(e),
            Read::Timeout => {
                return Ending::Failed(
                    "the server neither went on nor closed after the handshake within the timeout"
                        .into(),
                )
            }
        }
    }
}

/// What TLS ≤ 1.2 showed: the CertificateRequest (none: `Ok(None)`), and how a handshake
/// answering it ended (`None`: no handshake could be made, only the first flight read).
#[derive(Debug, Clone)]
struct Legacy {
    version: Version,
    request: Result<Option<Request>, String>,
    ending: Option<Ending>,
}

fn parse_request(body: &[u8], version: Version) -> Result<Option<Request>, String> {
    match CertificateRequest::parse(body, version.wire()) {
        Ok(cr) => Ok(Some(Request {
            ca_names: cr.ca_names,
            sigschemes: cr.signature_algorithms.unwrap_or_default(),
        })),
        Err(e) => Err(format!("its CertificateRequest is malformed: {e}")),
    }
}

/// TLS ≤ 1.2 with the scanner's complete client (every version and key exchange it speaks,
/// DHE and FFDHE included): the CertificateRequest, and whether the handshake completes with
/// `key`'s certificate (none: an empty Certificate). A server none of whose suites that client
/// speaks is only asked for its first flight ([`first_flight`]).
async fn legacy(ctx: &Ctx, report: &ScanReport, key: Option<Arc<CertifiedKey>>) -> Option<Legacy> {
    common::newest_legacy(report)?;
    match super::features::legacy_target(report) {
        Some((v, suites)) => Some(legacy_handshake(ctx, v, suites, key).await),
        None => first_flight(ctx, report).await,
    }
}

async fn legacy_handshake(
    ctx: &Ctx,
    version: Version,
    suites: Vec<u16>,
    key: Option<Arc<CertifiedKey>>,
) -> Legacy {
    let io = match super::features::connect(ctx).await {
        Ok(io) => io,
        Err(why) => {
            return Legacy {
                version,
                request: Err(why.clone()),
                ending: Some(Ending::Failed(why)),
            }
        }
    };
    let mut config = legacy::Config::new(version, suites);
    config.server_name = ctx.sni.clone();
    config.client_cert = key;
    let mut c = legacy::Connection::new(io, config, Instant::now() + ctx.prober.timeout());
    let result = c.handshake().await;
    let client = c.client();
    let version = client.server_choice().map_or(version, |(v, _)| v);
    let request = match (client.certificate_request(), &result) {
        (Some(body), _) => parse_request(body, version),
        (None, _) if client.server_flight_done() => Ok(None),
        (None, Ok(_)) => Ok(None),
        (None, Err(e)) => Err(format!(
            "the handshake ended before the server's first flight did: {e}"
        )),
    };
    let asked = matches!(request, Ok(Some(_)));
    use legacy::{ConnError, Error as TlsError};
    let ending = match result {
        Ok(_) => {
            c.close().await;
            Ending::Accepted
        }
        Err(ConnError::Tls(TlsError::Alert(a))) if asked && refusal(a) => {
            Ending::Refused(format!("{} alert", a.name()))
        }
        // GnuTLS (3.7, gnutls-serv --require-client-cert) answers an empty TLS 1.2 Certificate
        // with decode_error and logs "No certificate was found".
        Err(ConnError::Tls(TlsError::Alert(AlertDescription::DecodeError))) if asked => {
            Ending::Refused(
                "decode_error alert after our empty Certificate (GnuTLS's way of refusing it)"
                    .into(),
            )
        }
        // A server that drops the connection right after our Certificate refuses it.
        Err(e @ (ConnError::Closed | ConnError::Reset)) if asked => {
            Ending::Refused(format!("{e} after our Certificate"))
        }
        Err(e) => Ending::Failed(e.to_string()),
    };
    Legacy {
        version,
        request,
        ending: Some(ending),
    }
}

/// TLS ≤ 1.2 on a server whose suites the scanner's client does not speak: the
/// CertificateRequest of the first flight at the newest version offered, read by the codec
/// alone. Whether a certificate is required is then not told.
async fn first_flight(ctx: &Ctx, report: &ScanReport) -> Option<Legacy> {
    let (v, suites) = common::newest_legacy(report)?;
    let s = common::spec(ctx, v, suites);
    let request = match common::hello(ctx, &s.build()).await {
        Ok(f) if f.hello_done || f.certificate_request => match &f.certificate_request_body {
            None => Ok(None),
            Some(body) => match Version::from_wire(f.version()) {
                Some(version) => parse_request(body, version),
                None => Err("the server chose an unknown version".into()),
            },
        },
        Ok(_) => Err("the server's first flight ended before ServerHelloDone".into()),
        Err(r) => Err(r.describe()),
    };
    Some(Legacy {
        version: v,
        request,
        ending: None,
    })
}

/// What the check found: the report's `client_auth`, its findings, and what could not be told.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Found {
    /// The report's `client_auth`.
    pub client_auth: ClientAuth,
    /// Its findings.
    pub findings: Vec<Finding>,
    /// What could not be told, for the report's `errors`.
    pub errors: Vec<String>,
}

/// A distinguished name as an RFC 4514 string (hex when it is not a DER Name).
pub fn dn_text(der: &[u8]) -> String {
    use x509_parser::prelude::FromDer;
    match x509_parser::x509::X509Name::from_der(der) {
        Ok(([], name)) => crate::pki::inspect::format_name(&name),
        _ => format!("#{}", hex::encode(der)),
    }
}

/// Ask the server, at TLS 1.3 and TLS ≤ 1.2 as offered, without a client certificate; with
/// `ctx.client_cert`, also whether a handshake with it succeeds (TLS 1.3, else TLS 1.2: the
/// versions whose CertificateVerify the key's signer can make).
pub async fn run(ctx: &Ctx, report: &ScanReport) -> Found {
    let t13 = common::offered(report, Version::Tls13);
    let p13 = async {
        match t13 {
            true => Some(probe(ctx, Version::Tls13, None).await),
            false => None,
        }
    };
    let (p13, before13) = tokio::join!(p13, legacy(ctx, report, None));
    let mut found = judge(p13, before13.clone());
    if let (Some(key), Some(true)) = (&ctx.client_cert, found.client_auth.requested) {
        let with = if t13 {
            Ok((
                Version::Tls13,
                probe(ctx, Version::Tls13, Some(key.clone())).await.ending,
            ))
        } else {
            match before13.map(|l| l.version) {
                Some(Version::Tls12) => match legacy(ctx, report, Some(key.clone())).await {
                    Some(l) => Ok((l.version, l.ending.unwrap_or(Ending::Failed("no handshake could be made".into())))),
                    None => Err("no TLS ≤ 1.2 version to ask with".to_string()),
                },
                Some(v) => Err(format!("{v} is the newest version the server and tlskit's client share, and --client-cert is used with TLS 1.2 and 1.3 only")),
                None => Err("no version to ask with".to_string()),
            }
        };
        found.client_auth.client_cert_accepted = match with {
            Ok((_, Ending::Accepted)) => Some(true),
            Ok((v, Ending::Refused(how))) => {
                found.findings.push(Finding::new(
                    Severity::Info,
                    "client_auth.cert_refused",
                    format!("the server refused the --client-cert certificate ({v}: {how})"),
                ));
                Some(false)
            }
            Ok((v, Ending::Failed(why))) => {
                found.errors.push(format!(
                    "client authentication: {v}: whether the server accepts the --client-cert certificate could not be told: {why}"
                ));
                None
            }
            Err(why) => {
                found.errors.push(format!(
                    "client authentication: whether the server accepts the --client-cert certificate was not tested: {why}"
                ));
                None
            }
        };
    }
    found
}

/// Merge what each version showed.
fn judge(p13: Option<Probe>, legacy: Option<Legacy>) -> Found {
    let mut ca = ClientAuth::default();
    let mut errors = Vec::new();
    // Per version: requested (None: not told), required (None: not told).
    let mut verdicts: Vec<(Version, Option<bool>, Option<bool>)> = Vec::new();
    let add_request = |ca: &mut ClientAuth, v: Version, r: &Request| {
        if !ca.versions.contains(&v) {
            ca.versions.push(v);
        }
        for n in &r.ca_names {
            let t = dn_text(n);
            if !ca.ca_names.contains(&t) {
                ca.ca_names.push(t);
            }
        }
        for s in &r.sigschemes {
            if !ca.signature_algorithms.iter().any(|a| a.id == *s) {
                ca.signature_algorithms.push(ClientSigAlg::from_id(*s));
            }
        }
    };
    if let Some(p) = &p13 {
        let v = Version::Tls13;
        if let Some(r) = &p.request {
            add_request(&mut ca, v, r);
        }
        verdicts.push(match (&p.request, &p.ending) {
            (Some(_), Ending::Accepted) => (v, Some(true), Some(false)),
            (Some(_), Ending::Refused(_)) => (v, Some(true), Some(true)),
            (Some(_), Ending::Failed(why)) => {
                errors.push(format!("client authentication: {v}: the server asks for a client certificate, but whether it requires one could not be told: {why}"));
                (v, Some(true), None)
            }
            (None, Ending::Accepted) => (v, Some(false), Some(false)),
            (None, Ending::Refused(why) | Ending::Failed(why)) => {
                errors.push(format!("client authentication: {v}: the handshake did not reach the point where a CertificateRequest would come: {why}"));
                (v, None, None)
            }
        });
    }
    // TLS ≤ 1.2: the request and the ending of the scanner's own client's handshake.
    if let Some(l) = &legacy {
        let v = l.version;
        let requested = match &l.request {
            Ok(Some(r)) => {
                add_request(&mut ca, v, r);
                Some(true)
            }
            Ok(None) => Some(false),
            Err(why) => {
                errors.push(format!(
                    "client authentication: {v}: whether the server asks for a client certificate could not be told: {why}"
                ));
                None
            }
        };
        let required = match (requested, &l.ending) {
            (Some(false), _) => Some(false),
            (None, _) => None,
            (Some(true), Some(Ending::Accepted)) => Some(false),
            (Some(true), Some(Ending::Refused(_))) => Some(true),
            (Some(true), Some(Ending::Failed(why))) => {
                errors.push(format!("client authentication: {v}: the server asks for a client certificate, but whether it requires one could not be told: {why}"));
                None
            }
            (Some(true), None) => {
                errors.push(format!("client authentication: {v}: the server asks for a client certificate; whether it requires one could not be told (it accepts no suite tlskit's TLS ≤ 1.2 client speaks)"));
                None
            }
        };
        verdicts.push((v, requested, required));
    }
    // Requested when any version asks; "no" only when every version tested was told "no".
    ca.requested = if verdicts.iter().any(|(_, r, _)| *r == Some(true)) {
        Some(true)
    } else if !verdicts.is_empty() && verdicts.iter().all(|(_, r, _)| *r == Some(false)) {
        Some(false)
    } else {
        None
    };
    // Required when no version lets a client in without one.
    ca.required = match ca.requested {
        Some(false) => Some(false),
        None => None,
        Some(true) => {
            if verdicts.iter().any(|(_, _, q)| *q == Some(false)) {
                Some(false)
            } else if verdicts.iter().all(|(_, _, q)| *q == Some(true)) {
                Some(true)
            } else {
                None
            }
        }
    };
    if verdicts.is_empty() {
        errors.push(
            "client authentication: no TLS 1.2 or earlier version and no TLS 1.3 to ask with"
                .into(),
        );
    }
    let findings = findings(&ca);
    Found {
        client_auth: ca,
        findings,
        errors,
    }
}

/// Informational findings: what a browser does with such a server.
fn findings(ca: &ClientAuth) -> Vec<Finding> {
    let names = if ca.ca_names.is_empty() {
        "no CA names given".to_string()
    } else {
        let shown: Vec<String> = ca
            .ca_names
            .iter()
            .take(3)
            .map(|n| crate::escape::short(n, 80))
            .collect();
        let more = ca.ca_names.len().saturating_sub(3);
        if more > 0 {
            format!("accepted CAs: {} and {more} more", shown.join("; "))
        } else {
            format!("accepted CAs: {}", shown.join("; "))
        }
    };
    match (ca.requested, ca.required) {
        (Some(true), Some(true)) => vec![Finding::new(
            Severity::Info,
            "client_auth.required",
            format!("the server requires a client certificate ({names}): a browser without a matching certificate cannot connect (Chrome shows ERR_BAD_SSL_CLIENT_AUTH_CERT); with one installed it asks the user to pick it"),
        )],
        (Some(true), _) => vec![Finding::new(
            Severity::Info,
            "client_auth.requested",
            format!("the server asks for an optional client certificate ({names}): a browser with a matching certificate installed asks the user to pick one; without one it connects anonymously"),
        )],
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req() -> Request {
        Request {
            ca_names: vec![vec![0x30, 0x00]],
            sigschemes: vec![0x0804],
        }
    }

    fn tls12(request: Result<Option<Request>, String>, ending: Option<Ending>) -> Option<Legacy> {
        Some(Legacy {
            version: Version::Tls12,
            request,
            ending,
        })
    }

    #[test]
    fn required_needs_every_version_to_refuse() {
        let refused = || Ending::Refused("certificate_required alert".into());
        let p13 = |r: Option<Request>, ending: Ending| Probe { request: r, ending };
        let f = judge(
            Some(p13(Some(req()), refused())),
            tls12(Ok(Some(req())), Some(refused())),
        );
        assert_eq!(f.client_auth.requested, Some(true));
        assert_eq!(f.client_auth.required, Some(true));
        assert_eq!(f.client_auth.versions, vec![Version::Tls13, Version::Tls12]);
        assert_eq!(f.client_auth.ca_names, vec![String::new()]);
        assert_eq!(
            f.client_auth.signature_algorithms[0].name,
            "rsa_pss_rsae_sha256"
        );
        assert_eq!(f.findings[0].id, "client_auth.required");
        assert!(f.errors.is_empty());
        // TLS 1.2 lets a client in without one: not required.
        let f = judge(
            Some(p13(Some(req()), refused())),
            tls12(Ok(Some(req())), Some(Ending::Accepted)),
        );
        assert_eq!(f.client_auth.required, Some(false));
        assert_eq!(f.findings[0].id, "client_auth.requested");
        // Not asked anywhere.
        let f = judge(
            Some(p13(None, Ending::Accepted)),
            tls12(Ok(None), Some(Ending::Accepted)),
        );
        assert_eq!(f.client_auth.requested, Some(false));
        assert_eq!(f.client_auth.required, Some(false));
        assert!(f.findings.is_empty());
        // TLS 1.0 alone, refused after our empty Certificate: required.
        let f = judge(
            None,
            Some(Legacy {
                version: Version::Tls10,
                request: Ok(Some(req())),
                ending: Some(refused()),
            }),
        );
        assert_eq!(f.client_auth.required, Some(true));
        assert_eq!(f.client_auth.versions, vec![Version::Tls10]);
    }

    #[test]
    fn what_could_not_be_told_is_null_and_an_error_never_no() {
        let failed = Probe {
            request: None,
            ending: Ending::Failed("no answer within the timeout".into()),
        };
        let f = judge(Some(failed.clone()), None);
        assert_eq!(f.client_auth.requested, None);
        assert_eq!(f.client_auth.required, None);
        assert_eq!(f.errors.len(), 1);
        // Asked for, then the handshake failed in another way: required is not told.
        let f = judge(
            Some(Probe {
                request: Some(req()),
                ending: Ending::Failed("no answer within the timeout".into()),
            }),
            None,
        );
        assert_eq!(f.client_auth.requested, Some(true));
        assert_eq!(f.client_auth.required, None);
        assert!(f.errors[0].contains("could not be told"), "{:?}", f.errors);
        // TLS 1.2's flight could not be read while TLS 1.3 said "not asked": not "no".
        let f = judge(
            Some(Probe {
                request: None,
                ending: Ending::Accepted,
            }),
            tls12(Err("reset".into()), Some(Ending::Failed("reset".into()))),
        );
        assert_eq!(f.client_auth.requested, None);
        assert_eq!(f.client_auth.required, None);
        // Asked with TLS 1.2, but no handshake could be made (only the flight was read).
        let f = judge(None, tls12(Ok(Some(req())), None));
        assert_eq!(f.client_auth.requested, Some(true));
        assert_eq!(f.client_auth.required, None);
        assert!(f.errors[0].contains("no suite"), "{:?}", f.errors);
    }

    #[test]
    fn names_that_are_not_der_are_hex() {
        assert_eq!(dn_text(&[0x01, 0x02]), "#0102");
    }
}
