//! `tlskit scan`: which versions, cipher suites, groups, signature algorithms and certificates a
//! TLS endpoint offers, found with ClientHellos built by our own sans-IO codec (so legacy versions
//! and suites rustls refuses to speak can be asked about).
//!
//! Data flows one way: [`ScanOptions`] → [`crate::net::Connector`] (TCP, STARTTLS) → [`engine::probe::Prober`]
//! → checks (one module each in [`checks`]; the engine they drive in [`engine`]) → [`report::ScanReport`] → text or JSON.

#![warn(missing_docs)]

pub mod checks;
pub(crate) mod data;
pub mod engine;
pub mod grade;
mod phases;
pub mod policy;
pub mod report;
mod version_serde;

use crate::error::{Error, Result};
use crate::net::{starttls, Connector, Target};
use checks::registry::Section;
use engine::{hello, keyshare, probe};
use report::{ForwardSecrecy, ProtocolResult, ScanReport, TargetInfo};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tlskit_wire::extensions::KeyShareEntry;
use tlskit_wire::version::Version;

/// What to scan and how politely.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ScanOptions {
    /// The endpoint: host (or address) and port.
    pub target: Target,
    /// SNI to send (default: the host, unless it is an address literal).
    pub servername: Option<String>,
    /// Send no SNI at all (`--no-sni`).
    pub no_sni: bool,
    /// STARTTLS before the handshake: the protocol, and the name it announces (XMPP's domain …).
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
    /// `--client-cert`: the chain and key that answer a CertificateRequest in the handshakes
    /// rustls makes (session features, the client-auth check); see [`load_client_cert`].
    pub client_cert: Option<ClientCert>,
    /// Client simulation (the report's `client_simulation`); `--no-simulation` turns it off.
    pub simulation: bool,
    /// The HTTP layer: `--no-http`, `--http-path`, `--http-host`, and whether the target was an
    /// https:// URL.
    pub http: checks::http::HttpOptions,
    /// Ask each certificate's OCSP responder and CRL whether it is revoked (`--no-revocation`
    /// turns it off); see [`checks::revocation`].
    pub revocation: bool,
    /// `--dns`: look up the name's CAA records (off by default: nothing leaves for DNS).
    pub dns: Option<checks::dns::DnsOptions>,
    /// `--ech-config FILE`: an ECHConfigList to try in a real ECH handshake (see [`checks::ech`]).
    pub ech_config: Option<checks::ech::KnownConfig>,
}

impl ScanOptions {
    /// The defaults for `target`: SNI from the host, 8 connections, 5 s per probe, every check.
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
            client_cert: None,
            simulation: true,
            http: Default::default(),
            revocation: true,
            dns: None,
            ech_config: None,
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
    /// Sends the probes (connection limit, timeout, route, STARTTLS).
    pub(crate) prober: probe::Prober,
    /// The SNI every hello sends.
    pub(crate) sni: Option<String>,
    /// TLS 1.3 key shares offered by default (x25519, secp256r1).
    pub default_key_shares: Vec<KeyShareEntry>,
    /// Parallel chunks for client-order elimination.
    pub parallel_chunks: usize,
    /// `--client-cert`'s chain and key, for the handshakes rustls makes.
    pub client_cert: Option<ClientCert>,
}

/// A client certificate chain with its signing key, as loaded by [`load_client_cert`].
pub type ClientCert = Arc<rustls::sign::CertifiedKey>;

/// Load `--client-cert FILE`: one PEM with the certificate chain (leaf first) and its private
/// key. A missing, unreadable or malformed file, or a key that is not the leaf's, is a usage
/// error (exit 2) naming the file, found before anything is scanned.
pub fn load_client_cert(path: &std::path::Path) -> Result<ClientCert> {
    let fail = |e: Error| Error::usage(format!("--client-cert: {}", e.message()));
    let ck = crate::pki::load::load_cert_key(path, None).map_err(fail)?;
    let key = crate::provider()
        .key_provider
        .load_private_key(ck.key)
        .map_err(|e| {
            Error::usage(format!(
                "--client-cert: the private key in {} cannot be used: {e}",
                path.display()
            ))
        })?;
    Ok(Arc::new(rustls::sign::CertifiedKey::new(ck.chain, key)))
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

/// The preflight connection's outcome: where the probes go.
struct Preflight {
    connector: Connector,
    addr: std::net::SocketAddr,
    proxy: Option<crate::net::proxy::ProxyUse>,
    transcript: Option<starttls::Transcript>,
}

/// An unreachable target, or a STARTTLS server that will not upgrade, fails here at once with
/// its own sentence instead of as a hundred probe errors.
async fn preflight(opts: &ScanOptions) -> Result<Preflight> {
    let mut connector = Connector::new(opts.target.clone(), opts.timeout).with_route(&opts.route);
    if let Some((proto, name)) = &opts.starttls {
        connector = connector.with_starttls(*proto, name.clone());
    }
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
    Ok(Preflight {
        connector,
        addr,
        proxy,
        transcript,
    })
}

/// The context every probe of one scan shares.
fn context(
    opts: &ScanOptions,
    connector: Connector,
    addr: std::net::SocketAddr,
    tick: Option<Arc<dyn Fn() + Send + Sync>>,
) -> Arc<Ctx> {
    let mut prober = probe::Prober::new(connector, addr, opts.max_connections, opts.timeout);
    if let Some(t) = tick {
        prober = prober.on_connection(t);
    }
    let default_key_shares: Vec<KeyShareEntry> = [0x001d, 0x0017]
        .iter()
        .filter_map(|g| keyshare::share(*g))
        .collect();
    Arc::new(Ctx {
        prober,
        sni: opts.sni(),
        default_key_shares,
        parallel_chunks: (opts.max_connections / 4).max(1),
        client_cert: opts.client_cert.clone(),
    })
}

/// When no version was accepted: a port that is not TLS at all says so plainly; otherwise
/// (silent, garbage, closing or resetting) nothing can be said about this server, and a report
/// of "nothing offered" would read as a verdict. Either way it is a failed scan.
async fn nothing_offered(opts: &ScanOptions, ctx: &Ctx, protocols: &[ProtocolResult]) -> Error {
    if let Some(e) = protocols
        .iter()
        .filter_map(|p| p.error.as_ref())
        .find(|e| e.contains("plaintext"))
    {
        return Error::protocol(format!("{}: {e}", opts.target));
    }
    Error::tls(format!(
        "{}: no SSL/TLS version could be negotiated, so nothing about it could be determined ({}); check that it is a TLS port (for STARTTLS give -t PROTO) and that it is up",
        opts.target,
        undetermined_summary(ctx, protocols).await
    ))
}

/// The trust stores for `ca`, loaded once per process and shared by every scan that names the
/// same `--ca` (a fleet of thousands of targets would otherwise re-read the system store for each:
/// that was a tenth of the scanner's CPU per target). The loading (file reads, PEM and DER
/// parsing) runs on a blocking thread, off the runtime's workers; scans that start together wait
/// for the one load.
async fn trust_stores(ca: &[std::path::PathBuf]) -> Result<Arc<crate::pki::chain::TrustStores>> {
    type Cell = Arc<tokio::sync::OnceCell<Arc<crate::pki::chain::TrustStores>>>;
    static LOADED: std::sync::Mutex<Vec<(Vec<std::path::PathBuf>, Cell)>> =
        std::sync::Mutex::new(Vec::new());
    let cell = {
        let mut loaded = LOADED.lock().unwrap_or_else(|e| e.into_inner());
        match loaded.iter().find(|(k, _)| k.as_slice() == ca) {
            Some((_, c)) => c.clone(),
            None => {
                let c = Cell::default();
                loaded.push((ca.to_vec(), c.clone()));
                c
            }
        }
    };
    cell.get_or_try_init(|| async {
        let ca = ca.to_vec();
        match tokio::task::spawn_blocking(move || crate::pki::chain::TrustStores::load(&ca)).await {
            Ok(r) => r.map(Arc::new),
            Err(e) => Err(Error::other(format!(
                "loading the trust stores failed: {e}"
            ))),
        }
    })
    .await
    .cloned()
}

/// Scan one endpoint. `tick` is called for every connection (progress).
pub async fn scan(
    opts: &ScanOptions,
    tick: Option<Arc<dyn Fn() + Send + Sync>>,
) -> Result<ScanReport> {
    let started = Instant::now();
    let started_at = now_rfc3339();
    // The trust stores load while the first connection is made; a bad --ca is a usage problem
    // and wins over whatever the connection found.
    let (stores, pre) = tokio::join!(trust_stores(&opts.ca), preflight(opts));
    let stores = stores?;
    let pre = pre?;
    let ctx = context(opts, pre.connector, pre.addr, tick);
    // The HTTP layer on a connection of its own, alongside every phase.
    let http = AbortOnDrop(tokio::spawn({
        let (ctx, opts) = (ctx.clone(), opts.clone());
        async move { timed("HTTP", checks::http::run(&ctx, &opts)).await }
    }));

    let versions = phases::Versions::enumerate(&ctx).await;
    let details = phases::Details::enumerate(&ctx, versions).await;
    if !details.protocols.iter().any(|p| p.offered) {
        return Err(nothing_offered(opts, &ctx, &details.protocols).await);
    }
    let mut certificates = checks::certificates::summarise(&details.chains);
    let hostname = ctx.sni.clone().unwrap_or_else(|| opts.target.host.clone());
    let mut chain_findings =
        checks::certificates::analyse(&mut certificates, &details.chains, &stores, &hostname);
    let mut errors = details.errors;
    // The chain a client without SNI gets: its own section and finding, never graded.
    let certificate_without_sni = details.without_sni.map(|got| {
        let (section, finding, error) =
            checks::certificates::without_sni_section(got, &certificates, &stores, &hostname);
        chain_findings.extend(finding);
        errors.extend(error);
        section
    });

    let forward_secrecy = forward_secrecy(&details.protocols);
    let dh_parameters = report::dh::collect(&details.protocols);
    let mut report = ScanReport {
        tool: format!("tlskit {}", env!("CARGO_PKG_VERSION")),
        // Through a proxy the TCP peer is the proxy: the target's address, when known.
        target: opts.target_info(match &pre.proxy {
            None => pre.addr.ip().to_string(),
            Some(p) => p.target_address.clone().unwrap_or_default(),
        }),
        started_at,
        scan_time_ms: 0,
        connections: 0,
        protocols: details.protocols,
        groups: details.groups,
        signature_algorithms: details.signature_algorithms,
        certificates,
        certificate_without_sni,
        forward_secrecy,
        dh_parameters,
        starttls: pre.transcript,
        session_features: None,
        server_extensions: None,
        client_auth: None,
        client_simulation: None,
        http: None,
        dns: None,
        ech: None,
        vulnerabilities: Vec::new(),
        grade: None,
        policy: None,
        findings: Vec::new(),
        errors,
        client_hellos: None,
        proxy: pre.proxy,
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
    let no_urls = checks::revocation::no_url_findings(&report.certificates);
    report.findings.extend(no_urls);

    phase_three(&ctx, opts, &stores, &details.chains, &mut report).await;
    http_and_dns(&ctx, opts, http, &mut report).await;
    // Renegotiation last of all, when nothing else of the scan can queue behind a server that
    // stalls after refusing it (see features::renegotiation_last).
    timed(
        "features: renegotiation",
        checks::features::renegotiation_last(&ctx, &mut report),
    )
    .await;
    // Worst first (Severity orders so); the order within a severity is the order found.
    report.findings.sort_by_key(|f| f.severity);
    report.grade = grade::grade(&report);
    report.client_hellos = Some(ctx.prober.client_hellos().sorted());
    report.connections = ctx.prober.connections() + 1;
    report.scan_time_ms = started.elapsed().as_millis() as u64;
    Ok(report)
}

/// The HTTP layer (running since the scan began) joined into the report, the checks that read
/// it, then DNS when asked for.
async fn http_and_dns(
    ctx: &Arc<Ctx>,
    opts: &ScanOptions,
    mut http: AbortOnDrop<Option<checks::http::Found>>,
    report: &mut ScanReport,
) {
    match (&mut http.0).await {
        Ok(Some(found)) => {
            report.http = Some(found.http);
            report.findings.extend(found.findings);
            report.errors.extend(found.errors);
        }
        Ok(None) => {}
        Err(e) => report
            .errors
            .push(format!("HTTP: the check stopped before it finished: {e}")),
    }
    phases::http_checks(ctx, &opts.checks, report).await;
    if let Some(d) = opts
        .dns
        .as_ref()
        .filter(|_| opts.checks.runs_section(Section::Dns))
    {
        let (section, finding) =
            timed("dns", checks::dns::run(&opts.target.host, d, opts.timeout)).await;
        if let Some(e) = &section.error {
            report.errors.push(format!("DNS: {e}"));
        }
        report.dns = Some(section);
        report.findings.extend(finding);
    }
}

/// Phase 3: the session features and the weakness checks, with the sections that read only
/// the enumeration alongside them (client authentication, client simulation, revocation, ECH).
async fn phase_three(
    ctx: &Arc<Ctx>,
    opts: &ScanOptions,
    stores: &crate::pki::chain::TrustStores,
    chains: &[checks::certificates::Found],
    report: &mut ScanReport,
) {
    // Client authentication alongside the session features and the weakness checks (it reads
    // only the versions found).
    let run_client_auth = opts.checks.runs_section(Section::ClientAuth);
    let snapshot = report.clone();
    let client_auth = async {
        match run_client_auth {
            true => Some(timed("client auth", checks::client_auth::run(ctx, &snapshot)).await),
            false => None,
        }
    };
    // Client simulation alongside too: it reads only the certificates found.
    let simulation = async {
        match opts.simulation && opts.checks.runs_section(Section::ClientSimulation) {
            true => Some(timed("client simulation", checks::simulation::run(ctx, &snapshot)).await),
            false => None,
        }
    };
    // Revocation alongside too (it reads only the certificates, and asks their CAs).
    let revocation = async {
        match opts.revocation && opts.checks.runs_section(Section::Revocation) {
            true => Some(
                timed(
                    "revocation",
                    checks::revocation::run(
                        &snapshot.certificates,
                        chains,
                        stores,
                        &opts.route,
                        opts.timeout,
                    ),
                )
                .await,
            ),
            false => None,
        }
    };
    // Encrypted Client Hello alongside too (it reads only the versions found).
    let ech = async {
        match opts.checks.runs_section(Section::Ech) {
            true => Some(
                timed(
                    "ECH",
                    checks::ech::run(ctx, &snapshot, opts.ech_config.as_ref(), opts.dns.as_ref()),
                )
                .await,
            ),
            false => None,
        }
    };
    let ((), client_auth, simulation, revocation, ech) = tokio::join!(
        phases::session_and_checks(ctx, &opts.checks, report),
        client_auth,
        simulation,
        revocation,
        ech
    );
    if let Some(found) = ech {
        report.ech = Some(found.ech);
        report.findings.extend(found.findings);
        report.errors.extend(found.errors);
    }
    if let Some(found) = revocation {
        found.apply(report);
    }
    if let Some(found) = simulation {
        report.client_simulation = Some(found.clients);
        report.errors.extend(found.errors);
    }
    if let Some(found) = client_auth {
        report.client_auth = Some(found.client_auth);
        report.findings.extend(found.findings);
        report.errors.extend(found.errors);
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

/// A spawned task that is stopped when its handle is dropped (a scan that ends early).
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Scan several targets one after another (kept for callers that want a simple loop).
pub async fn scan_all(opts: Vec<ScanOptions>) -> Vec<Result<ScanReport>> {
    futures_util::future::join_all(opts.iter().map(|o| scan(o, None))).await
}
