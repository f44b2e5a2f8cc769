//! Session features: renegotiation (RFC 5746 support, client-initiated, insecure), TLS_FALLBACK_SCSV,
//! compression, extended master secret, encrypt-then-MAC, session tickets and resumption (session
//! ID, ticket, TLS 1.3 PSK), 0-RTT, ALPN, heartbeat and OCSP stapling.
//!
//! How each is asked:
//! * From the ServerHello of one probe (our codec): renegotiation_info, extended_master_secret,
//!   session_ticket, status_request/CertificateStatus, heartbeat; encrypt_then_mac with CBC suites
//!   only (it means nothing with AEAD); compression by offering DEFLATE; ALPN by elimination;
//!   TLS_FALLBACK_SCSV by offering a lower version with the SCSV (inappropriate_fallback expected).
//! * With finished TLS 1.2 handshakes of the minimal client ([`super::tls12`]): resumption by
//!   session ID and by ticket, client-initiated renegotiation with and without RFC 5746.
//! * With rustls (TLS 1.3): PSK resumption, 0-RTT, and ALPN / OCSP when only TLS 1.3 is offered.

use super::common::{self, newest_legacy, offered};
use super::tls12::{self, After, Hello12, Outcome, Renegotiation};
use super::tls13;
use crate::scan::report::{Finding, ScanReport};
use crate::scan::Ctx;
use tlskit_wire::alert::AlertDescription;
use tlskit_wire::registry;
use tlskit_wire::version::Version;

/// ALPN support.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Alpn {
    /// The server selects a protocol when offered one it knows.
    pub supported: bool,
    /// Protocols the server selected, in the order found (first: its choice among all).
    pub protocols: Vec<String>,
    /// The server ends the handshake (no_application_protocol) when offered only an unknown
    /// protocol. null: not told.
    pub rejects_unknown: Option<bool>,
}

/// What the server supports beyond versions and suites. null: not tested or not applicable —
/// `notes` says why.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct SessionFeatures {
    /// RFC 5746: the server answers renegotiation_info (TLS ≤ 1.2).
    pub secure_renegotiation: Option<bool>,
    /// The server accepts a renegotiation started by the client (with RFC 5746).
    pub client_renegotiation: Option<bool>,
    /// The server accepts a client-initiated renegotiation from a client without RFC 5746
    /// (CVE-2009-3555).
    pub insecure_renegotiation: Option<bool>,
    /// The server refuses a downgraded hello carrying TLS_FALLBACK_SCSV (RFC 7507).
    pub fallback_scsv: Option<bool>,
    /// The server compresses (DEFLATE) when the client offers it (CRIME).
    pub compression: Option<bool>,
    /// RFC 7627 extended master secret.
    pub extended_master_secret: Option<bool>,
    /// RFC 7366 encrypt-then-MAC with CBC suites (null when no CBC suite is offered).
    pub encrypt_then_mac: Option<bool>,
    /// TLS ≤ 1.2 session tickets (RFC 5077) are issued.
    pub session_tickets: Option<bool>,
    /// A TLS 1.2 session resumes by session ID.
    pub session_id_resumption: Option<bool>,
    /// A TLS 1.2 session resumes by ticket.
    pub ticket_resumption: Option<bool>,
    /// TLS 1.3 NewSessionTickets are issued.
    pub tls13_tickets: Option<bool>,
    /// A TLS 1.3 session resumes with a PSK from a ticket.
    pub tls13_psk_resumption: Option<bool>,
    /// 0-RTT early data is accepted on a resumed TLS 1.3 connection.
    pub early_data: Option<bool>,
    /// Largest max_early_data_size the server's TLS 1.3 tickets announce.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_early_data: Option<u32>,
    pub alpn: Option<Alpn>,
    /// The server negotiates the heartbeat extension (RFC 6520).
    pub heartbeat: Option<bool>,
    /// The server staples an OCSP response when asked (status_request).
    pub ocsp_stapling: Option<bool>,
    /// Why something is null, and other remarks.
    pub notes: Vec<String>,
    /// The SCSV was ignored only on a fallback from TLS 1.3, where the ServerHello's downgrade
    /// sentinel protects TLS 1.3 clients anyway.
    #[serde(skip)]
    sentinel_protects: bool,
}

/// ALPN protocol ids worth asking about (IANA registry), common ones first.
const ALPN_CANDIDATES: [&str; 24] = [
    "h2",
    "http/1.1",
    "http/1.0",
    "spdy/3.1",
    "spdy/3",
    "spdy/2",
    "h2c",
    "acme-tls/1",
    "imap",
    "pop3",
    "managesieve",
    "ftp",
    "xmpp-client",
    "xmpp-server",
    "irc",
    "nntp",
    "nnsp",
    "smb",
    "postgresql",
    "mqtt",
    "dot",
    "coap",
    "sunrpc",
    "ntske/1",
];
/// An ALPN id no server knows.
const ALPN_UNKNOWN: &str = "tlskit-unknown/0";

/// Hello-level answers from one TLS ≤ 1.2 ServerHello.
async fn hello_level(ctx: &Ctx, report: &ScanReport, f: &mut SessionFeatures) {
    let Some((v, suites)) = newest_legacy(report) else {
        f.notes.push("TLS ≤ 1.2 is not offered: renegotiation, compression, extended master secret, encrypt-then-MAC, heartbeat and session tickets do not apply".into());
        return;
    };
    // Plain hello: renegotiation_info (extension, or the SCSV for SSLv3), EMS, tickets, OCSP.
    let mut s = common::spec(ctx, v, suites.clone());
    if v == Version::Ssl3 {
        s.extra_suites.push(0x00ff);
    }
    let base_record = s.build();
    let base = common::hello(ctx, &base_record);
    // Heartbeat asked separately, so a server that chokes on it does not hide the rest.
    let mut hb = common::spec(ctx, v, suites.clone());
    hb.status_request = false;
    let hb_record = (v >= Version::Tls10).then(|| {
        hb.builder()
            .heartbeat(tlskit_wire::extensions::HEARTBEAT_PEER_ALLOWED_TO_SEND)
            .build_record()
    });
    // Encrypt-then-MAC: only meaningful with CBC suites.
    let cbc: Vec<u16> = suites
        .iter()
        .copied()
        .filter(|id| registry::cipher_suite(*id).is_some_and(|s| s.is_cbc()))
        .collect();
    let etm_record = (v >= Version::Tls10 && !cbc.is_empty()).then(|| {
        common::spec(ctx, v, cbc.clone())
            .builder()
            .encrypt_then_mac()
            .build_record()
    });
    let (base, hb, etm, comp) = tokio::join!(
        base,
        async {
            match &hb_record {
                Some(r) => Some(common::hello(ctx, r).await),
                None => None,
            }
        },
        async {
            match &etm_record {
                Some(r) => Some(common::hello(ctx, r).await),
                None => None,
            }
        },
        common::compression(ctx, report),
    );
    match base {
        Ok(fl) if common::at_version(&fl, v) => {
            let sh = &fl.server_hello;
            f.secure_renegotiation = Some(sh.renegotiation_info().ok().flatten().is_some());
            if v >= Version::Tls10 {
                f.extended_master_secret = Some(sh.extended_master_secret());
                f.session_tickets = Some(sh.session_ticket());
            }
            if v >= Version::Tls10 {
                f.ocsp_stapling = Some(fl.ocsp_response.is_some());
            }
        }
        Ok(fl) => f.notes.push(format!(
            "{} probe answered with version 0x{:04x}",
            v.name(),
            fl.version()
        )),
        Err(r) => f
            .notes
            .push(format!("{} probe: {}", v.name(), r.describe())),
    }
    match hb {
        Some(Ok(fl)) => {
            f.heartbeat = Some(fl.server_hello.heartbeat_mode().ok().flatten().is_some())
        }
        Some(Err(r)) if r.is_refusal() => {
            f.heartbeat = Some(false);
            f.notes.push(format!(
                "heartbeat: a hello with the heartbeat extension was refused ({})",
                r.describe()
            ));
        }
        Some(Err(r)) => f.notes.push(format!("heartbeat: {}", r.describe())),
        None => f
            .notes
            .push("heartbeat: not asked (SSLv3 has no extensions)".into()),
    }
    match etm {
        Some(Ok(fl)) => f.encrypt_then_mac = Some(fl.server_hello.encrypt_then_mac()),
        Some(Err(r)) => f.notes.push(format!("encrypt-then-MAC: {}", r.describe())),
        None => f
            .notes
            .push("encrypt-then-MAC: not applicable (no CBC suite offered)".into()),
    }
    match comp {
        Ok(c) => f.compression = Some(c),
        Err(e) => f.notes.push(format!("compression: {e}")),
    }
}

/// TLS_FALLBACK_SCSV: offer the second-newest version with the SCSV.
async fn fallback_scsv(ctx: &Ctx, report: &ScanReport, f: &mut SessionFeatures) {
    let versions: Vec<Version> = [
        Version::Tls13,
        Version::Tls12,
        Version::Tls11,
        Version::Tls10,
        Version::Ssl3,
    ]
    .into_iter()
    .filter(|v| offered(report, *v))
    .collect();
    if versions.len() < 2 {
        f.notes.push("TLS_FALLBACK_SCSV: only one protocol version is offered, so there is nothing to fall back to".into());
        return;
    }
    let lower = versions[1];
    let mut s = common::spec(ctx, lower, common::accepted(report, lower));
    s.extra_suites.push(0x5600);
    match common::hello(ctx, &s.build()).await {
        Err(crate::scan::probe::Response::Alert(a))
            if a.description == AlertDescription::InappropriateFallback =>
        {
            f.fallback_scsv = Some(true);
        }
        Ok(fl) => {
            f.fallback_scsv = Some(false);
            let sentinel = fl.server_hello.downgrade_sentinel().is_some();
            f.sentinel_protects = sentinel && versions[0] == Version::Tls13 && versions.len() == 2;
            f.notes.push(format!(
                "TLS_FALLBACK_SCSV: a {} hello signalling a fallback from {} was accepted{}",
                lower.name(),
                versions[0].name(),
                if sentinel { " (the TLS 1.3 downgrade sentinel in the ServerHello random still protects TLS 1.3 clients)" } else { "" }
            ));
        }
        Err(r) => f.notes.push(format!(
            "TLS_FALLBACK_SCSV: a downgraded hello got {} instead of inappropriate_fallback",
            r.describe()
        )),
    }
}

/// ALPN by elimination (TLS ≤ 1.2 ServerHellos, or rustls handshakes for TLS 1.3-only servers).
async fn alpn(ctx: &Ctx, report: &ScanReport, f: &mut SessionFeatures) {
    let legacy = newest_legacy(report).filter(|(v, _)| *v >= Version::Tls10);
    let tls13 = offered(report, Version::Tls13);
    if legacy.is_none() && !tls13 {
        return;
    }
    // One question: which protocol of `list` is chosen? Ok(None): none; Err(true): refused with
    // no_application_protocol; Err(false): another failure (noted).
    let ask = |list: Vec<String>| {
        let legacy = legacy.clone();
        async move {
            match legacy {
                Some((v, suites)) => {
                    let mut s = common::spec(ctx, v, suites);
                    s.alpn = list;
                    match common::hello(ctx, &s.build()).await {
                        Ok(fl) => Ok(fl
                            .server_hello
                            .alpn()
                            .ok()
                            .flatten()
                            .map(|p| String::from_utf8_lossy(&p).into_owned())),
                        Err(crate::scan::probe::Response::Alert(a))
                            if a.description == AlertDescription::NoApplicationProtocol =>
                        {
                            Err((true, String::new()))
                        }
                        Err(r) => Err((false, r.describe())),
                    }
                }
                None => tls13::alpn(ctx, &list).await.map_err(|e| {
                    (
                        e.contains("NoApplicationProtocol")
                            || e.contains("no_application_protocol"),
                        e,
                    )
                }),
            }
        }
    };
    let mut result = Alpn::default();
    let mut left: Vec<String> = ALPN_CANDIDATES.iter().map(|s| s.to_string()).collect();
    while !left.is_empty() {
        match ask(left.clone()).await {
            Ok(Some(p)) if left.contains(&p) => {
                left.retain(|x| *x != p);
                result.protocols.push(p);
            }
            Ok(Some(p)) => {
                f.notes.push(format!(
                    "ALPN: the server selected {p:?}, which was not offered"
                ));
                break;
            }
            Ok(None) | Err((true, _)) => break,
            Err((false, e)) => {
                f.notes.push(format!("ALPN: {e}"));
                break;
            }
        }
    }
    result.supported = !result.protocols.is_empty();
    result.rejects_unknown = match ask(vec![ALPN_UNKNOWN.to_string()]).await {
        Err((true, _)) => Some(true),
        Ok(None) => Some(false),
        Ok(Some(p)) => {
            f.notes.push(format!(
                "ALPN: offered only an unknown protocol, the server selected {p:?}"
            ));
            Some(false)
        }
        Err((false, e)) => {
            f.notes.push(format!("ALPN with an unknown protocol: {e}"));
            None
        }
    };
    f.alpn = Some(result);
}

/// Renegotiation and resumption with the minimal TLS 1.2 client.
async fn tls12_sessions(ctx: &Ctx, report: &ScanReport, f: &mut SessionFeatures) {
    if !offered(report, Version::Tls12) {
        f.notes.push("resumption by session ID / ticket and client-initiated renegotiation: not tested (TLSv1.2 is not offered)".into());
        return;
    }
    let accepted = common::accepted(report, Version::Tls12);
    let suites: Vec<u16> = tls12::SUITES
        .iter()
        .copied()
        .filter(|s| accepted.contains(s))
        .collect();
    if suites.is_empty() {
        f.notes.push(
            "resumption by session ID / ticket and client-initiated renegotiation: not tested (tlskit's TLS 1.2 client speaks ECDHE or RSA key exchange with AES-GCM, ChaCha20-Poly1305 or AES-CBC, and the server accepts none of those)"
                .into(),
        );
        return;
    }
    let timeout = ctx.prober.timeout();
    let deadline = || tokio::time::Instant::now() + timeout;
    let plain = Hello12::new(suites.clone(), ctx.sni.clone());

    // Session ID: a full handshake without the ticket extension, then resume its id.
    let by_id = async {
        match tls12::handshake_then(ctx, &plain, deadline(), After::CloseNotify).await {
            Outcome::Established(e) => {
                let id = e.session_id.clone();
                e.close().await;
                if id.is_empty() {
                    return Ok(false);
                }
                let mut h = plain.clone();
                h.session_id = id;
                match tls12::handshake(ctx, &h, deadline()).await {
                    Outcome::Resumed => Ok(true),
                    Outcome::NotResumed => Ok(false),
                    Outcome::Failed(e) => Err(format!("resumption by session ID: {e}")),
                    Outcome::Established(_) => Ok(false),
                }
            }
            Outcome::Failed(e) => Err(format!("TLS 1.2 handshake: {e}")),
            _ => Err("TLS 1.2 handshake: unexpected resumption".into()),
        }
    };
    // Ticket: ask for one, then resume with it.
    let by_ticket = async {
        let mut h = plain.clone();
        h.ticket = Some(Vec::new());
        match tls12::handshake_then(ctx, &h, deadline(), After::CloseNotify).await {
            Outcome::Established(e) => {
                let ticket = e.ticket.clone().filter(|t| !t.is_empty());
                e.close().await;
                let Some(t) = ticket else {
                    return Ok(false);
                };
                h.ticket = Some(t);
                match tls12::handshake(ctx, &h, deadline()).await {
                    Outcome::Resumed => Ok(true),
                    Outcome::NotResumed | Outcome::Established(_) => Ok(false),
                    Outcome::Failed(e) => Err(format!("resumption by ticket: {e}")),
                }
            }
            Outcome::Failed(e) => Err(format!("TLS 1.2 handshake with a ticket request: {e}")),
            _ => Err("TLS 1.2 handshake: unexpected resumption".into()),
        }
    };
    // Client-initiated renegotiation, with RFC 5746 and (separately) without.
    let reneg = |secure: bool| {
        let mut h = plain.clone();
        h.renegotiation_info = secure;
        async move {
            match tls12::handshake_then(ctx, &h, deadline(), After::Renegotiate).await {
                Outcome::Established(e) => Ok(e.renegotiate(deadline()).await),
                Outcome::Failed(e) => Err(e),
                _ => Err("unexpected resumption".into()),
            }
        }
    };
    let (id, ticket, secure, insecure) = tokio::join!(
        Box::pin(crate::scan::timed("features: resumption by id", by_id)),
        Box::pin(crate::scan::timed(
            "features: resumption by ticket",
            by_ticket
        )),
        Box::pin(crate::scan::timed(
            "features: secure renegotiation",
            reneg(true)
        )),
        Box::pin(crate::scan::timed(
            "features: insecure renegotiation",
            reneg(false)
        ))
    );
    match id {
        Ok(b) => f.session_id_resumption = Some(b),
        Err(e) => f.notes.push(e),
    }
    match ticket {
        Ok(b) => f.ticket_resumption = Some(b),
        Err(e) => f.notes.push(e),
    }
    match secure {
        Ok(Renegotiation::Accepted) => f.client_renegotiation = Some(true),
        Ok(Renegotiation::Refused(why)) => {
            f.client_renegotiation = Some(false);
            f.notes
                .push(format!("client-initiated renegotiation refused: {why}"));
        }
        Err(e) => f.notes.push(format!(
            "client-initiated renegotiation: TLS 1.2 handshake failed: {e}"
        )),
    }
    match insecure {
        Ok(Renegotiation::Accepted) => f.insecure_renegotiation = Some(true),
        Ok(Renegotiation::Refused(_)) => f.insecure_renegotiation = Some(false),
        // A server that will not even finish a handshake with a client lacking RFC 5746 cannot
        // be renegotiated insecurely.
        Err(e) => {
            f.insecure_renegotiation = Some(false);
            f.notes.push(format!("a TLS 1.2 handshake without RFC 5746 failed ({e}), so insecure renegotiation is impossible"));
        }
    }
}

/// TLS 1.3 PSK resumption, 0-RTT, and OCSP stapling when TLS ≤ 1.2 could not tell.
async fn tls13_sessions(ctx: &Ctx, report: &ScanReport, f: &mut SessionFeatures) {
    if !offered(report, Version::Tls13) {
        return;
    }
    let early = (report.target.starttls.is_none()).then(|| {
        let host = ctx
            .sni
            .clone()
            .unwrap_or_else(|| ctx.prober.addr().ip().to_string());
        format!("HEAD / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").into_bytes()
    });
    let need_ocsp = f.ocsp_stapling.is_none();
    let (r, ocsp) = tokio::join!(Box::pin(tls13::resumption(ctx, early)), async {
        if need_ocsp {
            Some(tls13::ocsp(ctx).await)
        } else {
            None
        }
    });
    f.tls13_tickets = r.tickets;
    f.tls13_psk_resumption = r.resumed;
    f.early_data = r.early_data;
    if r.tickets == Some(true) {
        f.max_early_data = Some(r.max_early_data);
    }
    f.notes.extend(r.notes);
    match ocsp {
        Some(Ok(b)) => f.ocsp_stapling = Some(b),
        Some(Err(e)) => f.notes.push(format!("OCSP stapling (TLS 1.3): {e}")),
        None => {}
    }
}

/// Probe the session features; `report` holds the versions and suites found so far.
pub async fn run(ctx: &Ctx, report: &ScanReport) -> (SessionFeatures, Vec<Finding>) {
    let mut f = SessionFeatures::default();
    if report
        .offered_versions()
        .iter()
        .all(|v| *v == Version::Ssl2)
    {
        f.notes
            .push("no TLS version is offered: session features not tested".into());
        return (f, no_tls(ctx, report).await.into_iter().collect());
    }
    let (mut a, mut b, mut c, mut d) = (
        SessionFeatures::default(),
        SessionFeatures::default(),
        SessionFeatures::default(),
        SessionFeatures::default(),
    );
    // Each part boxed: together they would make one very large future.
    tokio::join!(
        Box::pin(crate::scan::timed(
            "features: hello level",
            hello_level(ctx, report, &mut a)
        )),
        Box::pin(crate::scan::timed(
            "features: fallback SCSV",
            fallback_scsv(ctx, report, &mut b)
        )),
        Box::pin(crate::scan::timed(
            "features: ALPN",
            alpn(ctx, report, &mut c)
        )),
        Box::pin(crate::scan::timed(
            "features: TLS 1.2 sessions",
            tls12_sessions(ctx, report, &mut d)
        ))
    );
    f.secure_renegotiation = a.secure_renegotiation;
    f.extended_master_secret = a.extended_master_secret;
    f.session_tickets = a.session_tickets;
    f.ocsp_stapling = a.ocsp_stapling;
    f.heartbeat = a.heartbeat;
    f.encrypt_then_mac = a.encrypt_then_mac;
    f.compression = a.compression;
    f.fallback_scsv = b.fallback_scsv;
    f.sentinel_protects = b.sentinel_protects;
    f.alpn = c.alpn.take();
    f.session_id_resumption = d.session_id_resumption;
    f.ticket_resumption = d.ticket_resumption;
    f.client_renegotiation = d.client_renegotiation;
    f.insecure_renegotiation = d.insecure_renegotiation;
    for x in [a, b, c, d] {
        f.notes.extend(x.notes);
    }
    Box::pin(crate::scan::timed(
        "features: TLS 1.3 sessions",
        tls13_sessions(ctx, report, &mut f),
    ))
    .await;
    let findings = findings(&f);
    (f, findings)
}

/// When no TLS version was accepted, one more plain TLS 1.2 hello says how the server answers,
/// so a report of a server that resets or closes every connection still says why.
async fn no_tls(ctx: &Ctx, report: &ScanReport) -> Option<Finding> {
    if report.protocols.iter().any(|p| p.offered) {
        return None;
    }
    let s = common::spec(
        ctx,
        Version::Tls12,
        crate::scan::hello::candidate_suites(Version::Tls12),
    );
    let answer = match common::hello(ctx, &s.build()).await {
        Ok(fl) => format!("a ServerHello for version 0x{:04x}", fl.version()),
        Err(r) => r.describe(),
    };
    Some(Finding::new(
        "high",
        "scan.no_tls",
        format!("no protocol version was accepted; a plain TLSv1.2 hello got: {answer}"),
    ))
}

fn findings(f: &SessionFeatures) -> Vec<Finding> {
    let mut out = Vec::new();
    if f.insecure_renegotiation == Some(true) {
        out.push(Finding::new(
            "high",
            "feature.insecure_renegotiation",
            "the server accepts client-initiated renegotiation from clients without RFC 5746: a man in the middle can prefix its own request to the victim's (CVE-2009-3555)",
        ));
    }
    if f.secure_renegotiation == Some(false) {
        out.push(Finding::new(
            "medium",
            "feature.no_secure_renegotiation",
            "secure renegotiation (RFC 5746 renegotiation_info) is not supported",
        ));
    }
    if f.compression == Some(true) {
        out.push(Finding::new("high", "feature.compression", "TLS compression (DEFLATE) is enabled: secrets in compressed requests leak through their length (CRIME)"));
    }
    if f.fallback_scsv == Some(false) && f.sentinel_protects {
        out.push(Finding::new(
            "info",
            "feature.no_fallback_scsv",
            "TLS_FALLBACK_SCSV is not honoured, but only TLSv1.3 and TLSv1.2 are offered and the TLS 1.3 downgrade sentinel protects TLS 1.3 clients",
        ));
    } else if f.fallback_scsv == Some(false) {
        out.push(Finding::new("low", "feature.no_fallback_scsv", "TLS_FALLBACK_SCSV is not honoured: clients that retry with older versions can be downgraded (RFC 7507)"));
    }
    if f.client_renegotiation == Some(true) {
        out.push(Finding::new("low", "feature.client_renegotiation", "client-initiated renegotiation is accepted: each renegotiation costs the server a handshake (denial of service)"));
    }
    if f.extended_master_secret == Some(false) {
        out.push(Finding::new("low", "feature.no_extended_master_secret", "extended master secret (RFC 7627) is not supported: TLS ≤ 1.2 sessions are open to triple-handshake attacks"));
    }
    if f.heartbeat == Some(true) {
        out.push(Finding::new(
            "low",
            "feature.heartbeat",
            "the heartbeat extension is enabled: unneeded code exposed (Heartbleed lived there)",
        ));
    }
    if f.early_data == Some(true) {
        out.push(Finding::new("low", "feature.early_data", "TLS 1.3 0-RTT early data is accepted: early data can be replayed, so only idempotent requests may be served from it"));
    }
    if f.encrypt_then_mac == Some(false) {
        out.push(Finding::new(
            "info",
            "feature.no_encrypt_then_mac",
            "encrypt-then-MAC (RFC 7366) is not used with the CBC suites",
        ));
    }
    if f.ocsp_stapling == Some(false) {
        out.push(Finding::new(
            "info",
            "feature.no_ocsp_stapling",
            "no OCSP response is stapled",
        ));
    }
    let resumes = [
        f.session_id_resumption,
        f.ticket_resumption,
        f.tls13_psk_resumption,
    ];
    if resumes.iter().all(|r| *r == Some(false)) {
        out.push(Finding::new(
            "info",
            "feature.no_resumption",
            "sessions cannot be resumed: every connection pays a full handshake",
        ));
    }
    out
}

impl SessionFeatures {
    /// The grouped text for `tlskit scan` (one line per feature; notes in verbose mode).
    pub fn render_text(&self, st: crate::scan::report::Style, verbose: bool) -> String {
        use std::fmt::Write;
        // (name, value, whether "yes" is the good answer)
        let rows: [(&str, Option<bool>, bool); 15] = [
            (
                "Secure renegotiation (RFC 5746)",
                self.secure_renegotiation,
                true,
            ),
            (
                "Client-initiated renegotiation",
                self.client_renegotiation,
                false,
            ),
            ("Insecure renegotiation", self.insecure_renegotiation, false),
            ("TLS_FALLBACK_SCSV honoured", self.fallback_scsv, true),
            ("TLS compression", self.compression, false),
            ("Extended master secret", self.extended_master_secret, true),
            ("Encrypt-then-MAC (CBC suites)", self.encrypt_then_mac, true),
            ("Session tickets (TLS <= 1.2)", self.session_tickets, true),
            ("Resumption by session ID", self.session_id_resumption, true),
            ("Resumption by ticket", self.ticket_resumption, true),
            ("TLS 1.3 tickets", self.tls13_tickets, true),
            ("TLS 1.3 PSK resumption", self.tls13_psk_resumption, true),
            ("0-RTT early data", self.early_data, false),
            ("Heartbeat extension", self.heartbeat, false),
            ("OCSP stapling", self.ocsp_stapling, true),
        ];
        let mut s = String::new();
        for (name, v, good) in rows {
            let text = match v {
                Some(true) if good => st.good("yes"),
                Some(false) if !good => st.good("no"),
                Some(true) => st.warn("yes"),
                Some(false) => st.warn("no"),
                None => st.dim("not tested"),
            };
            let _ = writeln!(s, "  {name:<34} {text}");
        }
        let alpn = match &self.alpn {
            Some(a) if a.supported => a.protocols.join(", "),
            Some(_) => "no".to_string(),
            None => st.dim("not tested"),
        };
        let _ = writeln!(s, "  {:<34} {alpn}", "ALPN");
        if verbose {
            for n in &self.notes {
                let _ = writeln!(s, "    {}", st.dim(n));
            }
        }
        s
    }
}
