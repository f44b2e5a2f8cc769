//! Session features: renegotiation (RFC 5746 support, client-initiated, insecure), TLS_FALLBACK_SCSV,
//! compression, extended master secret, encrypt-then-MAC, session tickets and resumption (session
//! ID, ticket, TLS 1.3 PSK), 0-RTT, ALPN, heartbeat and OCSP stapling.
//!
//! How each is asked:
//! * From the ServerHello of one probe (our codec): renegotiation_info, extended_master_secret,
//!   session_ticket, status_request/CertificateStatus, heartbeat; encrypt_then_mac with CBC suites
//!   only (it means nothing with AEAD); compression by offering DEFLATE; ALPN by elimination;
//!   TLS_FALLBACK_SCSV by offering a lower version with the SCSV (inappropriate_fallback expected).
//! * With finished handshakes of the scanner's complete TLS ≤ 1.2 client
//!   ([`crate::scan::engine::legacy`]), on the newest TLS ≤ 1.2 version offered and the suites
//!   the server accepted there (any key exchange and cipher it speaks: SSLv3 to TLS 1.2, RSA,
//!   DHE, ECDHE): resumption by session ID and by ticket, client-initiated renegotiation with
//!   and without RFC 5746. A renegotiation is asked (the server's ServerHello or refusal is the
//!   answer), not completed, and last of the phase: a refusal stalls a serial server (see
//!   [`crate::scan::engine::legacy::features`]).
//! * With rustls (TLS 1.3): PSK resumption, 0-RTT, and ALPN / OCSP when only TLS 1.3 is offered.

use super::common::{self, newest_legacy, offered};
use super::{Probed, SessionFacts};
use crate::scan::engine::legacy::{self, features, Verdict};
use crate::scan::engine::tls13;
use crate::scan::report::{Alpn, Finding, ScanReport, SessionFeatures, Severity};
use crate::scan::Ctx;
use tlskit_wire::alert::AlertDescription;
use tlskit_wire::registry;
use tlskit_wire::version::Version;

use crate::scan::data::alpn::{ALPN_CANDIDATES, ALPN_UNKNOWN};

/// Hello-level answers from one TLS ≤ 1.2 ServerHello.
async fn hello_level(
    ctx: &Ctx,
    report: &ScanReport,
    f: &mut SessionFeatures,
    facts: &mut SessionFacts,
) {
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
    match &comp {
        Some(Probed::Found(c)) => f.compression = Some(*c),
        Some(Probed::Failed(e)) => f.notes.push(format!("compression: {e}")),
        None => {}
    }
    facts.compression = comp;
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
        Err(crate::scan::engine::probe::Response::Alert(a))
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
                        Err(crate::scan::engine::probe::Response::Alert(a))
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
    // Whether any answer came back at all: without one, ALPN support is not determined.
    let mut answered = false;
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
            Ok(None) | Err((true, _)) => {
                answered = true;
                break;
            }
            Err((false, e)) => {
                f.notes.push(format!("ALPN: {e}"));
                break;
            }
        }
        answered = true;
    }
    if !answered {
        f.notes
            .push("ALPN: not determined (no probe was answered)".into());
        return;
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

/// One answer of the TLS ≤ 1.2 client into the report: determined (with the reason for a "no"
/// in the notes), or null with the reason why it could not be tested.
fn record(field: &mut Option<bool>, notes: &mut Vec<String>, what: &str, v: Verdict) {
    match v {
        Verdict::Yes => *field = Some(true),
        Verdict::No(why) => {
            *field = Some(false);
            notes.push(format!("{what}: no ({why})"));
        }
        Verdict::NotTested(why) => notes.push(format!("{what}: not tested ({why})")),
    }
}

/// The newest TLS ≤ 1.2 version offered with accepted suites the scanner's client speaks, and
/// those suites.
pub(crate) fn legacy_target(report: &ScanReport) -> Option<(Version, Vec<u16>)> {
    common::LEGACY.into_iter().find_map(|v| {
        let suites: Vec<u16> = common::accepted(report, v)
            .into_iter()
            .filter(|id| legacy::SuiteParams::of(*id).is_ok())
            .collect();
        (offered(report, v) && !suites.is_empty()).then_some((v, suites))
    })
}

/// The scan's connections for the TLS ≤ 1.2 client: through the scan's connector (proxy,
/// STARTTLS), each holding a connection slot, connecting within the probe timeout.
pub(crate) async fn connect(
    ctx: &Ctx,
) -> Result<legacy::Guarded<tokio::net::TcpStream, tokio::sync::OwnedSemaphorePermit>, String> {
    let slot = ctx.prober.slot().await;
    match tokio::time::timeout(ctx.prober.timeout(), ctx.prober.open()).await {
        Err(_) => Err("connecting timed out".to_string()),
        Ok(Err(e)) => Err(e.to_string()),
        Ok(Ok(c)) => Ok(legacy::Guarded::new(c.stream, slot)),
    }
}

const LEGACY_WHAT: &str = "resumption by session ID / ticket and client-initiated renegotiation";

/// What the TLS ≤ 1.2 client offers: the newest TLS ≤ 1.2 version offered and the suites the
/// server accepted there (an older version when none of those is spoken). `notes`: why there is
/// nothing to ask, or that an older version is asked.
fn legacy_probe(
    ctx: &Ctx,
    report: &ScanReport,
    notes: Option<&mut Vec<String>>,
) -> Option<legacy::Probe> {
    let mut sink = Vec::new();
    let notes = notes.unwrap_or(&mut sink);
    let Some((newest, _)) = newest_legacy(report) else {
        notes.push(format!(
            "{LEGACY_WHAT}: not applicable (no TLS ≤ 1.2 version is offered)"
        ));
        return None;
    };
    let Some((version, suites)) = legacy_target(report) else {
        notes.push(format!(
            "{LEGACY_WHAT}: not tested (the server accepts no suite tlskit's TLS ≤ 1.2 client speaks: it speaks RSA, DHE and ECDHE key exchange with non-export ciphers, not PSK, SRP, static DH/ECDH, GOST, DES, IDEA or RC2)"
        ));
        return None;
    };
    if version != newest {
        notes.push(format!(
            "{LEGACY_WHAT}: asked with {} ({} accepts no suite tlskit's TLS ≤ 1.2 client speaks)",
            version.name(),
            newest.name()
        ));
    }
    Some(legacy::Probe {
        version,
        suites,
        server_name: ctx.sni.clone(),
        request: None,
        timeout: ctx.prober.timeout(),
        client_cert: ctx.client_cert.clone(),
    })
}

/// Resumption by session ID and by ticket with the scanner's complete TLS ≤ 1.2 client
/// ([`legacy`]), side by side.
async fn legacy_resumption(ctx: &Ctx, report: &ScanReport, f: &mut SessionFeatures) {
    let Some(probe) = legacy_probe(ctx, report, Some(&mut f.notes)) else {
        return;
    };
    let connect = || connect(ctx);
    let (id, ticket) = tokio::join!(
        Box::pin(crate::scan::timed(
            "features: resumption by id",
            features::resumption_by_session_id(&probe, &connect, None)
        )),
        Box::pin(crate::scan::timed(
            "features: resumption by ticket",
            features::resumption_by_ticket(&probe, &connect, None)
        )),
    );
    let n = &mut f.notes;
    record(
        &mut f.session_id_resumption,
        n,
        "resumption by session ID",
        id,
    );
    let (ticket, hint) = ticket;
    if hint.is_some() {
        f.session_ticket = Some(crate::scan::report::TicketLifetime {
            lifetime_hint_s: hint,
            tls13_lifetime_s: None,
        });
    }
    record(&mut f.ticket_resumption, n, "resumption by ticket", ticket);
}

/// Client-initiated renegotiation with and without RFC 5746, with the TLS ≤ 1.2 client (see
/// [`renegotiation_last`] for when). An accepted one costs nothing: its handshake is abandoned
/// after the ServerHello.
async fn legacy_renegotiation(ctx: &Ctx, report: &ScanReport, f: &mut SessionFeatures) {
    // Why nothing is asked is noted once, with the resumption.
    let Some(probe) = legacy_probe(ctx, report, None) else {
        return;
    };
    let connect = || connect(ctx);
    let (client, insecure) = features::renegotiation(&probe, &connect).await;
    let n = &mut f.notes;
    record(
        &mut f.client_renegotiation,
        n,
        "client-initiated renegotiation",
        client,
    );
    record(
        &mut f.insecure_renegotiation,
        n,
        "insecure renegotiation (a client without RFC 5746)",
        insecure,
    );
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
    if let Some(l) = r.lifetime_s {
        f.session_ticket.get_or_insert_default().tls13_lifetime_s = Some(l);
    }
    f.notes.extend(r.notes);
    match ocsp {
        Some(Ok(b)) => f.ocsp_stapling = Some(b),
        Some(Err(e)) => f.notes.push(format!("OCSP stapling (TLS 1.3): {e}")),
        None => {}
    }
}

/// What the session-features phase found: the report's part, its findings, and the facts later
/// checks read.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Found {
    /// The report's `session_features`.
    pub features: SessionFeatures,
    /// Findings about them.
    pub findings: Vec<Finding>,
    /// Probe outcomes for the checks of the next phase.
    pub facts: SessionFacts,
}

/// Probe the session features; `report` holds the versions and suites found so far.
pub async fn run(ctx: &Ctx, report: &ScanReport) -> Found {
    let mut f = SessionFeatures::default();
    if report
        .offered_versions()
        .iter()
        .all(|v| *v == Version::Ssl2)
    {
        f.notes
            .push("no TLS version is offered: session features not tested".into());
        return Found {
            features: f,
            findings: Vec::new(),
            facts: SessionFacts::default(),
        };
    }
    let mut facts = SessionFacts::default();
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
            hello_level(ctx, report, &mut a, &mut facts)
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
            "features: TLS ≤ 1.2 resumption",
            legacy_resumption(ctx, report, &mut d)
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
    f.session_ticket = d.session_ticket;
    for x in [a, b, c, d] {
        f.notes.extend(x.notes);
    }
    Box::pin(crate::scan::timed(
        "features: TLS 1.3 sessions",
        tls13_sessions(ctx, report, &mut f),
    ))
    .await;
    // Renegotiation is asked later, after every other probe of the scan:
    // [`renegotiation_last`].
    let findings = findings(&f);
    Found {
        features: f,
        findings,
        facts,
    }
}

/// Client-initiated renegotiation with and without RFC 5746, asked after every other probe of
/// the scan (the caller awaits everything else first): a server that refuses it may stall
/// before its next connection (`openssl s_server -www` sleeps a second after sending
/// no_renegotiation), so no other probe may queue behind it. Fills `report.session_features`'
/// renegotiation fields and adds their findings; nothing when the session features did not run.
pub async fn renegotiation_last(ctx: &Ctx, report: &mut ScanReport) {
    let Some(mut f) = report.session_features.take() else {
        return;
    };
    if report
        .offered_versions()
        .iter()
        .any(|v| *v != Version::Ssl2)
    {
        legacy_renegotiation(ctx, report, &mut f).await;
        report.findings.extend(renegotiation_findings(&f));
    }
    report.session_features = Some(f);
}

fn renegotiation_findings(f: &SessionFeatures) -> Vec<Finding> {
    let mut out = Vec::new();
    if f.insecure_renegotiation == Some(true) {
        out.push(Finding::new(
            Severity::High,
            "feature.insecure_renegotiation",
            "the server accepts client-initiated renegotiation from clients without RFC 5746: a man in the middle can prefix its own request to the victim's (CVE-2009-3555)",
        ));
    }
    if f.client_renegotiation == Some(true) {
        out.push(Finding::new(Severity::Low, "feature.client_renegotiation", "client-initiated renegotiation is accepted: each renegotiation costs the server a handshake (denial of service)"));
    }
    out
}

fn findings(f: &SessionFeatures) -> Vec<Finding> {
    let mut out = Vec::new();
    if f.secure_renegotiation == Some(false) {
        out.push(Finding::new(
            Severity::Medium,
            "feature.no_secure_renegotiation",
            "secure renegotiation (RFC 5746 renegotiation_info) is not supported",
        ));
    }
    if f.compression == Some(true) {
        out.push(Finding::new(Severity::High, "feature.compression", "TLS compression (DEFLATE) is enabled: secrets in compressed requests leak through their length (CRIME)"));
    }
    if f.fallback_scsv == Some(false) && f.sentinel_protects {
        out.push(Finding::new(
            Severity::Info,
            "feature.no_fallback_scsv",
            "TLS_FALLBACK_SCSV is not honoured, but only TLSv1.3 and TLSv1.2 are offered and the TLS 1.3 downgrade sentinel protects TLS 1.3 clients",
        ));
    } else if f.fallback_scsv == Some(false) {
        out.push(Finding::new(Severity::Low, "feature.no_fallback_scsv", "TLS_FALLBACK_SCSV is not honoured: clients that retry with older versions can be downgraded (RFC 7507)"));
    }
    if f.extended_master_secret == Some(false) {
        out.push(Finding::new(Severity::Low, "feature.no_extended_master_secret", "extended master secret (RFC 7627) is not supported: TLS ≤ 1.2 sessions are open to triple-handshake attacks"));
    }
    if let Some(h) = f
        .session_ticket
        .and_then(|t| t.lifetime_hint_s)
        .filter(|h| *h > crate::scan::report::TicketLifetime::LONG_S)
    {
        let cap = if h > crate::scan::report::TicketLifetime::TLS13_MAX_S {
            "; more than the 7 days RFC 8446 allows TLS 1.3 tickets"
        } else {
            ""
        };
        out.push(Finding::new(
            Severity::Low,
            "feature.ticket_lifetime_long",
            format!("the TLS ≤ 1.2 session tickets are valid for {h} s, more than a day: forward secrecy needs the ticket keys rotated at least daily (testssl.sh rates this LOW){cap}"),
        ));
    }
    if let Some(h) = f
        .session_ticket
        .and_then(|t| t.tls13_lifetime_s)
        .filter(|h| *h > crate::scan::report::TicketLifetime::TLS13_MAX_S)
    {
        out.push(Finding::new(
            Severity::Low,
            "feature.tls13_ticket_lifetime_over_max",
            format!("the TLS 1.3 session tickets are valid for {h} s, more than the 7 days RFC 8446 section 4.6.1 allows: clients cap them, and a stolen ticket key opens resumed sessions for longer"),
        ));
    }
    if f.heartbeat == Some(true) {
        out.push(Finding::new(
            Severity::Low,
            "feature.heartbeat",
            "the heartbeat extension is enabled: unneeded code exposed (Heartbleed lived there)",
        ));
    }
    if f.early_data == Some(true) {
        out.push(Finding::new(Severity::Low, "feature.early_data", "TLS 1.3 0-RTT early data is accepted: early data can be replayed, so only idempotent requests may be served from it"));
    }
    if f.encrypt_then_mac == Some(false) {
        out.push(Finding::new(
            Severity::Info,
            "feature.no_encrypt_then_mac",
            "encrypt-then-MAC (RFC 7366) is not used with the CBC suites",
        ));
    }
    if f.ocsp_stapling == Some(false) {
        out.push(Finding::new(
            Severity::Info,
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
            Severity::Info,
            "feature.no_resumption",
            "sessions cannot be resumed: every connection pays a full handshake",
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::report::TicketLifetime;

    fn ids(f: &SessionFeatures) -> Vec<String> {
        findings(f).into_iter().map(|x| x.id.to_string()).collect()
    }

    #[test]
    fn ticket_lifetimes_over_a_day_and_over_the_tls13_maximum() {
        let mut f = SessionFeatures {
            session_ticket: Some(TicketLifetime {
                lifetime_hint_s: Some(7200),
                tls13_lifetime_s: Some(TicketLifetime::TLS13_MAX_S),
            }),
            ..SessionFeatures::default()
        };
        assert!(!ids(&f).iter().any(|i| i.contains("ticket_lifetime")));
        f.session_ticket = Some(TicketLifetime {
            lifetime_hint_s: Some(TicketLifetime::LONG_S + 1),
            tls13_lifetime_s: Some(TicketLifetime::TLS13_MAX_S + 1),
        });
        let got = ids(&f);
        assert!(
            got.contains(&"feature.ticket_lifetime_long".into()),
            "{got:?}"
        );
        assert!(
            got.contains(&"feature.tls13_ticket_lifetime_over_max".into()),
            "{got:?}"
        );
    }
}
