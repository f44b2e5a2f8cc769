//! `tlskit scan`: which versions, cipher suites, groups, signature algorithms and certificates a
//! TLS endpoint offers, found with ClientHellos built by our own sans-IO codec (so legacy versions
//! and suites rustls refuses to speak can be asked about).
//!
//! Data flows one way: [`ScanOptions`] → [`crate::net::Connector`] (TCP, STARTTLS) → [`engine::probe::Prober`]
//! → checks (one module each in [`checks`]; the engine they drive in [`engine`]) → [`report::ScanReport`] → text or JSON.

pub mod checks;
pub mod data;
pub mod engine;
pub mod grade;
pub mod policy;
pub mod report;

use crate::error::{Error, Result};
use crate::net::{starttls, Connector, Target};
use engine::{hello, keyshare, probe};
use report::{ForwardSecrecy, ProtocolResult, ScanReport, SigAlgResult, TargetInfo};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tlskit_wire::extensions::KeyShareEntry;
use tlskit_wire::registry;
use tlskit_wire::version::Version;

/// What to scan and how politely.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    pub target: Target,
    /// SNI to send (default: the host, unless it is an address literal).
    pub servername: Option<String>,
    pub no_sni: bool,
    pub starttls: Option<(starttls::Protocol, Option<String>)>,
    /// Connections open at once to this server.
    pub max_connections: usize,
    /// Bound on each probe (connect + answer).
    pub timeout: Duration,
    /// Extra trust anchors for the chain analysis (files or directories), besides Mozilla's and the system's.
    pub ca: Vec<std::path::PathBuf>,
    /// Outbound proxy and `--resolve` overrides.
    pub route: crate::net::Route,
    /// Which weakness checks run (`--checks`, `--skip`); all by default.
    pub checks: checks::registry::Selection,
}

impl ScanOptions {
    pub fn new(target: Target) -> Self {
        ScanOptions {
            target,
            servername: None,
            no_sni: false,
            starttls: None,
            max_connections: 8,
            timeout: Duration::from_secs(5),
            ca: Vec::new(),
            route: Default::default(),
            checks: checks::registry::Selection::all(),
        }
    }
}

impl ScanOptions {
    /// The SNI a scan with these options sends: `--servername`, else the host unless it is an
    /// address literal; none with `--no-sni`.
    pub fn sni(&self) -> Option<String> {
        if self.no_sni {
            None
        } else {
            self.servername
                .clone()
                .or_else(|| self.target.ip().is_none().then(|| self.target.host.clone()))
        }
    }

    /// The report's `target` object for these options and the address scanned (empty when not
    /// known) — the same shape for a finished scan and for a target that could not be scanned.
    pub fn target_info(&self, ip: String) -> TargetInfo {
        TargetInfo {
            host: self.target.host.clone(),
            port: self.target.port,
            ip,
            servername: self.sni(),
            starttls: self.starttls.as_ref().map(|(p, _)| p.name().to_string()),
        }
    }
}

/// Why no version could be negotiated: what one more plain TLS 1.2 ClientHello gets (a reset, a
/// close, silence …), then what the version probes ran into, grouped (`TLSv1.3, TLSv1.2: …`).
async fn undetermined_summary(ctx: &Ctx, protocols: &[ProtocolResult]) -> String {
    let s = checks::common::spec(ctx, Version::Tls12, hello::candidate_suites(Version::Tls12));
    let answer = match checks::common::hello(ctx, &s.build()).await {
        Ok(fl) => format!("a ServerHello for version 0x{:04x}", fl.version()),
        Err(r) => r.describe(),
    };
    let mut groups: Vec<(String, Vec<&str>)> = Vec::new();
    for p in protocols {
        let Some(why) = p.error.clone().or_else(|| p.note.clone()) else {
            continue;
        };
        match groups.iter_mut().find(|(w, _)| *w == why) {
            Some((_, versions)) => versions.push(p.version.name()),
            None => groups.push((why, vec![p.version.name()])),
        }
    }
    let parts: Vec<String> = groups
        .iter()
        .rev()
        .map(|(why, versions)| {
            let mut v = versions.clone();
            v.reverse();
            format!("{}: {}", v.join(", "), crate::escape::short(why, 120))
        })
        .collect();
    if parts.is_empty() {
        format!("a TLSv1.2 ClientHello got: {answer}")
    } else {
        format!("a TLSv1.2 ClientHello got: {answer}; {}", parts.join("; "))
    }
}

/// Shared by every check of one scan.
pub struct Ctx {
    pub prober: probe::Prober,
    pub sni: Option<String>,
    /// TLS 1.3 key shares offered by default (x25519, secp256r1).
    pub default_key_shares: Vec<KeyShareEntry>,
    /// Parallel chunks for client-order elimination.
    pub parallel_chunks: usize,
}

/// Run `fut`, and with TLSKIT_SCAN_TIMING set print how long it took on stderr (where the time
/// of a scan goes).
pub async fn timed<F: std::future::Future>(what: &str, fut: F) -> F::Output {
    let start = Instant::now();
    let out = fut.await;
    if std::env::var_os("TLSKIT_SCAN_TIMING").is_some() {
        eprintln!(
            "tlskit: timing: {what}: {:.1} ms",
            start.elapsed().as_secs_f64() * 1000.0
        );
    }
    out
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// Scan one endpoint. `tick` is called for every connection (progress).
pub async fn scan(
    opts: &ScanOptions,
    tick: Option<Arc<dyn Fn() + Send + Sync>>,
) -> Result<ScanReport> {
    let started = Instant::now();
    let started_at = now_rfc3339();
    let mut connector = Connector::new(opts.target.clone(), opts.timeout).with_route(&opts.route);
    if let Some((proto, name)) = &opts.starttls {
        connector = connector.with_starttls(*proto, name.clone());
    }
    // Trust stores first: a bad --ca is a usage problem, found before any connection.
    let stores = crate::pki::chain::TrustStores::load(&opts.ca)?;
    // Preflight: an unreachable target, or a STARTTLS server that will not upgrade, fails at once
    // with its own sentence instead of as a hundred probe errors.
    let (mut first, transcript) = connector.open(None).await?;
    let addr = first.peer;
    let proxy = first.proxy.clone();
    // Do not leave it idle: a server that serves one connection at a time would wait on it
    // (openssl s_server -www even sleeps a second when a read would block). A ClientHello gives
    // it something to answer; then close.
    {
        use tokio::io::AsyncWriteExt;
        let hello = hello::HelloSpec::new(
            Version::Tls12,
            hello::candidate_suites(Version::Tls12),
            None,
        )
        .build();
        let _ = tokio::time::timeout(opts.timeout, first.stream.write_all(&hello)).await;
        let _ = tokio::time::timeout(Duration::from_millis(200), first.stream.shutdown()).await;
    }
    drop(first);

    let sni = opts.sni();
    let mut prober = probe::Prober::new(connector, addr, opts.max_connections, opts.timeout);
    if let Some(t) = tick {
        prober = prober.on_connection(t);
    }
    let default_key_shares: Vec<KeyShareEntry> = [0x001d, 0x0017]
        .iter()
        .filter_map(|g| keyshare::share(*g))
        .collect();
    let ctx = Arc::new(Ctx {
        prober,
        sni: sni.clone(),
        default_key_shares,
        parallel_chunks: (opts.max_connections / 4).max(1),
    });

    // Phase 1: every version at once.
    let ((v2, v2_cert), v3, t10, t11, t12, t13) = tokio::join!(
        timed("SSLv2", checks::sslv2::run(&ctx)),
        timed(
            "SSLv3 suites",
            checks::suites::scan_version(&ctx, Version::Ssl3)
        ),
        timed(
            "TLSv1.0 suites",
            checks::suites::scan_version(&ctx, Version::Tls10)
        ),
        timed(
            "TLSv1.1 suites",
            checks::suites::scan_version(&ctx, Version::Tls11)
        ),
        timed(
            "TLSv1.2 suites",
            checks::suites::scan_version(&ctx, Version::Tls12)
        ),
        timed(
            "TLSv1.3 suites",
            checks::suites::scan_version(&ctx, Version::Tls13)
        ),
    );
    let tls13_offered = t13.result.offered;
    let newest_legacy = [&t12, &t11, &t10, &v3]
        .iter()
        .find(|v| v.result.offered)
        .map(|v| v.result.version);

    // Phase 2: groups, signature algorithms, TLS 1.3 certificates.
    let g13 = async {
        if tls13_offered {
            checks::groups::tls13(&ctx).await
        } else {
            (Vec::new(), None)
        }
    };
    let g12 = async {
        match newest_legacy {
            Some(v) if v >= Version::Tls10 => checks::groups::tls12(&ctx, v).await,
            _ => (Vec::new(), None),
        }
    };
    let s12 = async {
        if t12.result.offered {
            checks::sigalgs::tls12(&ctx).await
        } else {
            (Vec::new(), None)
        }
    };
    let legacy_key_types: Vec<String> = {
        let mut found = Vec::new();
        for vs in [&t12, &t11, &t10, &v3] {
            for a in &vs.accepted {
                if let Some(k) = a
                    .flight
                    .certificates
                    .first()
                    .and_then(|c| crate::pki::inspect::CertInfo::from_der(c).ok())
                    .map(|i| i.key_description())
                {
                    if !found.contains(&k) {
                        found.push(k);
                    }
                }
            }
        }
        found
    };
    let c13 = async {
        if tls13_offered {
            checks::certificates::tls13(&ctx, &legacy_key_types).await
        } else {
            (Vec::new(), Vec::new())
        }
    };
    let nosni = checks::certificates::without_sni(&ctx, newest_legacy, tls13_offered);
    let ((g13, g13_err), (g12, g12_err), (s12, s12_err), (s13, found13), nosni) = tokio::join!(
        timed("groups TLSv1.3", g13),
        timed("groups TLSv1.2", g12),
        timed("sigalgs TLSv1.2", s12),
        timed("TLSv1.3 certificates", c13),
        timed("no-SNI certificate", nosni)
    );

    let mut errors = Vec::new();
    for e in [g13_err, g12_err, s12_err].into_iter().flatten() {
        errors.push(e);
    }

    // Certificates: TLS ≤ 1.2 flights, SSLv2, TLS 1.3 handshakes.
    let mut found: Vec<checks::certificates::Found> = Vec::new();
    for vs in [&t12, &t11, &t10, &v3] {
        for a in &vs.accepted {
            if a.flight.certificates.is_empty() {
                continue;
            }
            let suite = registry::cipher_suite(a.suite)
                .map(|s| s.openssl.unwrap_or(s.iana).to_string())
                .unwrap_or_default();
            found.push(checks::certificates::Found {
                chain: a.flight.certificates.clone(),
                how: format!("{} {suite}", vs.result.version),
                ocsp: a.flight.ocsp_response.clone(),
            });
        }
    }
    found.extend(found13);
    if let Some(c) = v2_cert {
        found.push(checks::certificates::Found {
            chain: vec![c],
            how: "SSLv2".into(),
            ocsp: None,
        });
    }
    found.extend(nosni);
    let mut certificates = checks::certificates::summarise(&found);
    let hostname = sni.clone().unwrap_or_else(|| opts.target.host.clone());
    let chain_findings =
        checks::certificates::analyse(&mut certificates, &found, &stores, &hostname);

    let mut signature_algorithms: Vec<SigAlgResult> = s13;
    for id in s12 {
        match signature_algorithms.iter_mut().find(|a| a.id == id) {
            Some(a) => a.versions.push(Version::Tls12),
            None => signature_algorithms.push(SigAlgResult {
                id,
                name: registry::signature_scheme_name(id),
                versions: vec![Version::Tls12],
            }),
        }
    }

    let protocols: Vec<ProtocolResult> = vec![
        v2, v3.result, t10.result, t11.result, t12.result, t13.result,
    ];
    let groups = checks::groups::merge(&g13, &g12, newest_legacy);
    // What a version's enumeration could not determine is an error of the report too.
    for p in protocols.iter().filter(|p| p.offered) {
        if let Some(e) = &p.error {
            let name = p.version.name();
            errors.push(if e.starts_with(name) {
                e.clone()
            } else {
                format!("{name}: {e}")
            });
        }
    }

    // A port that is not TLS at all: say so plainly.
    if !protocols.iter().any(|p| p.offered) {
        if let Some(e) = protocols
            .iter()
            .filter_map(|p| p.error.as_ref())
            .find(|e| e.contains("plaintext"))
        {
            return Err(Error::protocol(format!("{}: {e}", opts.target)));
        }
        // Silent, garbage, closing or resetting: nothing can be said about this server, and a
        // report of "nothing offered" would read as a verdict. It is a failed scan.
        return Err(Error::tls(format!(
            "{}: no SSL/TLS version could be negotiated, so nothing about it could be determined ({}); check that it is a TLS port (for STARTTLS give -t PROTO) and that it is up",
            opts.target,
            undetermined_summary(&ctx, &protocols).await
        )));
    }

    let forward_secrecy = forward_secrecy(&protocols);
    let mut report = ScanReport {
        tool: format!("tlskit {}", env!("CARGO_PKG_VERSION")),
        // Through a proxy the TCP peer is the proxy: the target's address, when known.
        target: opts.target_info(match &proxy {
            None => addr.ip().to_string(),
            Some(p) => p.target_address.clone().unwrap_or_default(),
        }),
        started_at,
        scan_time_ms: 0,
        connections: 0,
        protocols,
        groups,
        signature_algorithms,
        certificates,
        forward_secrecy,
        starttls: transcript,
        session_features: None,
        vulnerabilities: Vec::new(),
        grade: None,
        policy: None,
        findings: Vec::new(),
        errors,
        client_hellos: None,
        proxy,
    };
    if let Some(inj) = ctx.prober.injected() {
        report.findings.push(report::Finding::new(
            report::Severity::High,
            "starttls.injection",
            format!("the server sent plaintext after its STARTTLS go-ahead ({inj:?}); tlskit discarded it, but clients that keep it are open to command injection"),
        ));
    }
    basic_findings(&mut report);
    report.findings.extend(chain_findings);

    // Phase 3: session features, with the checks that need only the enumeration alongside;
    // then the checks that need the session features.
    let selection = &opts.checks;
    let registry = checks::registry::REGISTRY;
    let any_answer = report.protocols.iter().any(|p| p.offered);
    let early = selection.after(registry, checks::Phase::Enumeration);
    let late = selection.after(registry, checks::Phase::SessionFeatures);
    let run_features = selection.session_features(registry);
    let enumeration = Arc::new(checks::Facts::new(report.clone(), None));
    let features = async {
        if run_features {
            Some(timed("session features", checks::features::run(&ctx, &report)).await)
        } else {
            None
        }
    };
    let early_checks = async {
        if any_answer {
            checks::registry::run(&ctx, &early, enumeration).await
        } else {
            // Nothing answered: there is nothing to judge.
            Vec::new()
        }
    };
    let (features, mut outcomes) = tokio::join!(features, timed("weaknesses", early_checks));
    let session_facts = features.as_ref().map(|f| f.facts.clone());
    if let Some(found) = features {
        report.session_features = Some(found.features);
        report.findings.extend(found.findings);
    }
    if any_answer && !late.is_empty() {
        let facts = Arc::new(checks::Facts::new(report.clone(), session_facts));
        outcomes.extend(checks::registry::run(&ctx, &late, facts).await);
    }
    // The report's order is the registry's.
    outcomes.sort_by_key(|o| registry.iter().position(|c| c.id() == o.vulnerability.id));
    for o in outcomes {
        report.vulnerabilities.push(o.vulnerability);
        report.findings.extend(o.finding);
    }
    qualify_suite_verdicts(&mut report);
    // Worst first (Severity orders so); the order within a severity is the order found.
    report.findings.sort_by_key(|f| f.severity);
    report.grade = grade::grade(&report);
    report.client_hellos = Some(ctx.prober.client_hellos().sorted());
    report.connections = ctx.prober.connections() + 1;
    report.scan_time_ms = started.elapsed().as_millis() as u64;
    Ok(report)
}

/// A "not vulnerable" that rests on the list of accepted suites is only as good as that list:
/// where a version's enumeration could not determine every suite, it becomes "not determined".
fn qualify_suite_verdicts(report: &mut ScanReport) {
    use report::WeaknessId as W;
    let incomplete: Vec<&str> = report
        .protocols
        .iter()
        .filter(|p| p.offered && p.error.is_some())
        .map(|p| p.version.name())
        .collect();
    if incomplete.is_empty() {
        return;
    }
    for v in &mut report.vulnerabilities {
        let from_suites = match v.id {
            W::Robot
            | W::Poodle
            | W::Sweet32
            | W::Freak
            | W::Logjam
            | W::Beast
            | W::Rc4
            | W::Null
            | W::Anonymous
            | W::StaticRsa => true,
            W::Heartbleed | W::CcsInjection | W::Drown | W::Crime => false,
        };
        if from_suites && v.vulnerable == Some(false) {
            v.vulnerable = None;
            v.detail = format!(
                "not determined: the cipher suites of {} could not all be tested (see errors); from those found: {}",
                incomplete.join(", "),
                v.detail
            );
        }
    }
}

pub(crate) fn forward_secrecy(protocols: &[ProtocolResult]) -> ForwardSecrecy {
    let mut without = Vec::new();
    let mut some = false;
    for p in protocols
        .iter()
        .filter(|p| p.offered && p.version != Version::Ssl2)
    {
        for s in &p.cipher_suites {
            if s.forward_secrecy {
                some = true;
            } else if !without.contains(&s.name) {
                without.push(s.name.clone());
            }
        }
    }
    ForwardSecrecy {
        all: some && without.is_empty(),
        some,
        suites_without: without,
    }
}

/// Findings that follow directly from the versions and suites.
fn basic_findings(r: &mut ScanReport) {
    use report::{Finding, Severity};
    let offered = |v: Version| r.protocols.iter().any(|p| p.version == v && p.offered);
    let mut f = Vec::new();
    if offered(Version::Ssl2) {
        f.push(Finding::new(
            Severity::Critical,
            "protocol.sslv2",
            "SSLv2 is offered: broken since 1996, and it exposes the server's RSA key to DROWN",
        ));
    }
    if offered(Version::Ssl3) {
        f.push(Finding::new(
            Severity::High,
            "protocol.sslv3",
            "SSLv3 is offered: broken by POODLE (RFC 7568)",
        ));
    }
    for (v, id) in [
        (Version::Tls10, "protocol.tlsv10"),
        (Version::Tls11, "protocol.tlsv11"),
    ] {
        if offered(v) {
            f.push(Finding::new(
                Severity::Medium,
                id,
                format!("{} is offered: deprecated by RFC 8996", v.name()),
            ));
        }
    }
    if !offered(Version::Tls12) && !offered(Version::Tls13) && r.protocols.iter().any(|p| p.offered)
    {
        f.push(Finding::new(
            Severity::High,
            "protocol.no_modern",
            "neither TLSv1.2 nor TLSv1.3 is offered",
        ));
    }
    if !offered(Version::Tls13) && offered(Version::Tls12) {
        f.push(Finding::new(
            Severity::Info,
            "protocol.no_tls13",
            "TLSv1.3 is not offered",
        ));
    }
    if r.forward_secrecy.some && !r.forward_secrecy.all {
        f.push(Finding::new(
            Severity::Low,
            "suites.no_forward_secrecy",
            format!(
                "{} accepted suite(s) lack forward secrecy",
                r.forward_secrecy.suites_without.len()
            ),
        ));
    } else if !r.forward_secrecy.some && r.protocols.iter().any(|p| p.offered) {
        f.push(Finding::new(
            Severity::High,
            "suites.no_forward_secrecy",
            "no accepted suite has forward secrecy",
        ));
    }
    r.findings.extend(f);
}

/// Scan several targets one after another (kept for callers that want a simple loop).
pub async fn scan_all(opts: Vec<ScanOptions>) -> Vec<Result<ScanReport>> {
    futures_util::future::join_all(opts.iter().map(|o| scan(o, None))).await
}
