//! `tlskit scan`: versions, cipher suites, groups, signature algorithms, certificates, a grade and
//! an optional policy check, for one target or many.

use super::common;
use crate::output;
use std::collections::BTreeSet;
use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use targets::*;
use tlskit::net::starttls::Protocol;
use tlskit::net::target::{self, Start, StartReason, TargetSpec};
use tlskit::net::Target;
use tlskit::scan::policy::{self, Policy};
use tlskit::scan::report::{ScanReport, Style, TargetInfo};
use tlskit::scan::{self, ScanOptions};
use tlskit::{Error, Result};
use tlskit_wire::version::Version;

mod targets;

#[derive(clap::Args, Debug)]
#[command(
    about = "Scan TLS endpoints: versions, cipher suites, groups, certificates, grade, policy",
    long_about = "Scan TLS endpoints: which protocol versions (SSLv2 … TLSv1.3) and cipher suites each accepts,\n\
in which order it prefers them, its key-exchange groups and signature algorithms, the\n\
certificate chain for each key type it presents and whether Mozilla's roots, the system store or\n\
your --ca trust it, the session features (secure and client-initiated renegotiation,\n\
TLS_FALLBACK_SCSV, compression, extended master secret, encrypt-then-MAC, resumption by session\n\
ID, ticket and PSK, 0-RTT, ALPN, heartbeat, OCSP stapling), known weaknesses (safe probes for\n\
Heartbleed, CCS injection and ROBOT; POODLE, SWEET32, FREAK, LOGJAM, DROWN, BEAST, CRIME, RC4,\n\
NULL, anonymous and static-RSA suites from the configuration; BREACH from the HTTP layer), the\n\
HTTP layer (one GET to HTTPS targets, HTTP/2 where only h2 is offered: HSTS, security headers,\n\
cookies, compression; --no-http), and a grade (A+ … F, T, M; A+ needs HSTS of 180 days or\n\
more) with every reason (rules: docs/GRADING.md). TLSKIT_SCAN_TIMING=1 shows where the time goes.\n\n\
tlskit speaks the first flight of every version itself (rustls rightly refuses legacy TLS), so a\n\
scan can find SSLv3, RC4, export and NULL suites. Suites are found by elimination: offer all,\n\
drop the one chosen, repeat — one connection per accepted suite, several in parallel.\n\n\
Many targets: list them, or put them in a file (--targets FILE, one HOST[:PORT] a line, port\n\
443 by default, '#' comments). --parallel N hosts are scanned at once; targets on the same\n\
host (the same name or address, other ports) are scanned one after the other, so no host sees\n\
more than --max-connections connections at once. With more than one target the report ends with a\n\
summary table; --json prints one array; --json-lines prints one object per target as soon as\n\
it is done (so an interrupted run keeps what it finished).\n\n\
--policy checks each target against mozilla-modern, mozilla-intermediate, mozilla-old (Mozilla's\n\
Server Side TLS guidelines 5.7) or your own JSON file (docs/POLICY.md) and lists every deviation.\n\n\
Failures are never a report: a target that is unreachable, not TLS, or with which no SSL/TLS\n\
version could be negotiated (it stays silent, sends garbage, closes or resets every connection)\n\
could not be scanned — nothing about it was determined. It gets one error line on stderr and,\n\
with --json/--json-lines, the object {\"target\": {…same as a report's…}, \"error\": …,\n\
\"error_kind\": …} on stdout; --policy on it is \"not determined\", never compliant.\n\n\
Exit status: 0 when every target was scanned (and complies with --policy); 1 when any target\n\
could not be scanned or does not comply; 2 for usage errors (bad flags, a bad line in\n\
--targets, a malformed policy file) — nothing is scanned then.\n\n\
Only scan servers you are allowed to test.",
    after_help = "Examples:\n  tlskit scan localhost:8443\n  tlskit scan 127.0.0.1 4433 --json > report.json\n  tlskit scan -t smtp mail.example.test:25\n  tlskit scan --servername www.bank32.com 10.9.0.43:443\n  tlskit scan --policy mozilla-intermediate www.example.test:443   # exit 1 if not compliant\n  tlskit scan --targets hosts.txt --parallel 8 --json-lines > results.jsonl\n  tlskit scan --all-ips www.example.test:443"
)]
pub struct Args {
    /// HOST[:PORT], [IPv6]:PORT, HOST PORT, or a URL (https://HOST[:PORT]/, smtp://HOST picks
    /// STARTTLS, imaps://HOST port 993 …); the port defaults to 443 (or the -t protocol's). Several
    /// targets may be given; '-' reads them from stdin, one a line.
    #[arg(value_name = "TARGET", required_unless_present_any = ["targets", "list_checks"])]
    target: Vec<String>,

    /// Read targets from FILE ('-' for stdin): one target a line in any form TARGET takes (port
    /// 443, or the -t protocol's, if left out), '#' starts a comment, blank lines are skipped.
    #[arg(long, value_name = "FILE")]
    targets: Option<PathBuf>,
    /// Scan every IPv4 and IPv6 address each host name resolves to (SNI stays the name).
    #[arg(long)]
    all_ips: bool,
    /// Hosts scanned at once (targets on the same host wait for each other).
    #[arg(long, value_name = "N", default_value_t = 4)]
    parallel: usize,
    /// Check each target against a policy: mozilla-modern, mozilla-intermediate, mozilla-old, or a
    /// JSON FILE (docs/POLICY.md). Every deviation is listed; exit status 1 if any target does not comply.
    #[arg(long, value_name = "NAME|FILE")]
    policy: Option<String>,

    /// Print the report as JSON (schema: docs/scan.schema.json); a target that could not be
    /// scanned prints {"target": …, "error": …, "error_kind": …} instead; several targets
    /// (--targets, --all-ips) print an array of both.
    #[arg(long)]
    json: bool,
    /// Print one compact JSON object per target, each as soon as it is done; a target that failed
    /// is {"target": …, "error": …}.
    #[arg(long, conflicts_with = "json")]
    json_lines: bool,
    /// Also write the reports as one self-contained HTML page to FILE (grade, protocols, suites,
    /// certificate chains, findings worst first, a chart; a summary table for several targets).
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
    /// Show full certificates and IANA names.
    #[arg(short = 'v', long)]
    verbose: bool,
    /// SNI to send (default: the host name; none for IP addresses).
    #[arg(long, value_name = "NAME")]
    servername: Option<String>,
    /// Send no SNI.
    #[arg(long, conflicts_with = "servername")]
    no_sni: bool,
    /// Upgrade a plaintext protocol first: smtp, lmtp, imap, pop3, ftp, nntp, xmpp, xmpp-server,
    /// ldap, postgres, mysql, sieve, irc. Chosen automatically for well-known plaintext ports.
    #[arg(short = 't', long = "starttls", value_name = "PROTO")]
    starttls: Option<String>,
    /// Name for EHLO / the XMPP domain (default: the host).
    #[arg(long, value_name = "NAME")]
    starttls_name: Option<String>,
    /// Speak TLS directly even on a well-known plaintext port.
    #[arg(long, conflicts_with = "starttls")]
    no_starttls: bool,
    /// Also trust the CA certificates in FILE or DIR when judging chains (repeatable); Mozilla's
    /// roots and the system store are always consulted. Use it for a lab CA.
    #[arg(short = 'a', long = "ca", value_name = "FILE|DIR")]
    ca: Vec<PathBuf>,
    /// Connections open at once to one host (be polite to production servers).
    #[arg(long, value_name = "N", default_value_t = 8)]
    max_connections: usize,
    /// Seconds allowed for each probe (connect + answer).
    #[arg(long, value_name = "SECS", default_value_t = 5.0)]
    timeout: f64,
    /// No progress indicator on stderr.
    #[arg(long)]
    no_progress: bool,
    /// Run only these checks (comma-separated ids, see --list-checks: weakness checks such as
    /// heartbleed, and report sections such as client_simulation or http), with the
    /// enumeration they need; the others are left out of the report.
    #[arg(long, value_name = "ID,...")]
    checks: Option<String>,
    /// Leave out these checks (comma-separated ids, see --list-checks).
    #[arg(long, value_name = "ID,...")]
    skip: Option<String>,
    /// List the checks, one a line (id, name, CVEs): the weakness checks, then the report
    /// sections (client_auth, client_simulation, http, revocation, ech); as JSON with --json (with
    /// "kind": weakness or section).
    #[arg(long)]
    list_checks: bool,
    /// For servers that ask for a client certificate (mutual TLS): one PEM file with the
    /// certificate chain (leaf first) and its private key (`tlskit cert issue --client --out
    /// FILE` makes one). The handshakes tlskit completes with rustls (TLS 1.3 resumption,
    /// 0-RTT, ALPN, OCSP stapling, and the client-auth check) present it, so they finish on a
    /// server that requires one. The versions, suites and certificates are found without it
    /// (the server asks only after its hello). A missing, unreadable or mismatched file is a
    /// usage error (exit 2).
    #[arg(long = "client-cert", value_name = "FILE")]
    client_cert: Option<PathBuf>,
    /// Skip the client simulation (the handshakes of well-known clients: browsers, Android,
    /// Java, OpenSSL, curl …, each from a profile with its source named).
    #[arg(long)]
    no_simulation: bool,
    /// Leave out the HTTP layer: the one GET sent to HTTPS targets (ALPN http/1.1, or h2 in
    /// HTTP/2; port 443 or 8443, or an https:// URL) for HSTS, security headers, cookies,
    /// compression (BREACH).
    #[arg(long)]
    no_http: bool,
    /// The path the HTTP layer asks for (default: the URL's path, else /).
    #[arg(long, value_name = "PATH", conflicts_with = "no_http")]
    http_path: Option<String>,
    /// The Host header of the HTTP layer's GET (default: the SNI, else the host scanned).
    #[arg(long, value_name = "NAME", conflicts_with = "no_http")]
    http_host: Option<String>,
    /// Do not ask the certificates' OCSP responders and CRL distribution points whether they
    /// are revoked (by default each http:// URL is fetched, bounded by --timeout; a stapled
    /// OCSP response is still read).
    #[arg(long)]
    no_revocation: bool,
    /// Also look up the CAA records of the scanned name and its parents (RFC 8659) in DNS.
    #[arg(long)]
    dns: bool,
    /// The DNS server --dns asks (default: the system's first resolver).
    #[arg(long, value_name = "ADDR:PORT", requires = "dns")]
    dns_server: Option<std::net::SocketAddr>,
    /// Encrypted Client Hello: an ECHConfigList to try in a real ECH handshake (the inner
    /// ClientHello names the scan's server name), reported under `ech` as accepted or not.
    /// The file holds the PEM `openssl ech` writes (its ECHCONFIG block), the base64 of a DNS
    /// HTTPS record's ech= value, or the raw list. Without it the ECH check only probes for
    /// support (retry configs). A file without a list is a usage error (exit 2).
    #[arg(long = "ech-config", value_name = "FILE")]
    ech_config: Option<PathBuf>,

    #[command(flatten)]
    fleet: super::scan_fleet::FleetArgs,

    #[command(flatten)]
    net: common::NetFlags,
}

/// One scan to run.
struct Job {
    /// As the user wrote it (host:port).
    label: String,
    /// The name the user gave (kept in the report with --all-ips).
    host: String,
    opts: Option<ScanOptions>,
    /// Failed before scanning (name resolution with --all-ips).
    early_error: Option<Error>,
    /// The address, when known before scanning (--all-ips).
    ip: Option<String>,
    /// The port (for the `target` object of a target that could not be scanned).
    port: u16,
}

impl Job {
    /// The `target` object of this job before (or without) a scan: the same shape as a report's.
    fn target_info(&self) -> TargetInfo {
        let mut info = match &self.opts {
            Some(o) => o.target_info(self.ip.clone().unwrap_or_default()),
            None => TargetInfo::new(
                self.host.clone(),
                self.port,
                self.ip.clone().unwrap_or_default(),
            ),
        };
        info.host = self.host.clone();
        info
    }
}

/// What happened to one job.
struct Outcome {
    label: String,
    ip: Option<String>,
    /// The `target` object (for a target that could not be scanned; a report has its own).
    target: TargetInfo,
    result: Result<ScanReport>,
}

/// One element of `--json` (several targets) / one line of `--json-lines`.
#[derive(serde::Serialize)]
#[serde(untagged)]
enum Item<'a> {
    Report(&'a ScanReport),
    /// A target that could not be scanned: its `target` object has the shape of a report's.
    Failed {
        target: &'a TargetInfo,
        error: &'a str,
        error_kind: tlskit::ErrorKind,
    },
}

impl Outcome {
    /// The outcome with its report emptied but for the verdicts the exit status counts (failed,
    /// policy compliance): for outcomes already printed.
    fn slim(mut self) -> Outcome {
        if let Ok(r) = &mut self.result {
            r.protocols = Vec::new();
            r.groups = Vec::new();
            r.signature_algorithms = Vec::new();
            r.certificates = Vec::new();
            r.vulnerabilities = Vec::new();
            r.findings = Vec::new();
            r.errors = Vec::new();
            r.session_features = None;
            r.client_hellos = None;
            r.starttls = None;
            if let Some(p) = &mut r.policy {
                p.deviations = Vec::new();
            }
        }
        self
    }

    fn item(&self) -> Item<'_> {
        match &self.result {
            Ok(r) => Item::Report(r),
            Err(e) => Item::Failed {
                target: &self.target,
                error: e.message(),
                error_kind: e.kind(),
            },
        }
    }
}

/// The files the options name, read (and checked) once before any connection: the policy, the
/// client certificate, the ECH configuration and the extra CA certificates.
#[allow(clippy::type_complexity)]
fn load_files(
    args: &Args,
) -> Result<(
    Option<Arc<Policy>>,
    Option<scan::ClientCert>,
    Option<scan::checks::ech::KnownConfig>,
)> {
    let policy = args
        .policy
        .as_deref()
        .map(Policy::load)
        .transpose()?
        .map(Arc::new);
    let client_cert = args
        .client_cert
        .as_deref()
        .map(scan::load_client_cert)
        .transpose()?;
    let ech_config = args
        .ech_config
        .as_deref()
        .map(scan::checks::ech::load_config)
        .transpose()?;
    if !args.ca.is_empty() {
        // Once, before any connection (each scan loads it again, cheaply).
        tlskit::pki::chain::Store::custom(&args.ca)?;
    }
    Ok((policy, client_cert, ech_config))
}

pub fn run(args: Args) -> Result<i32> {
    let registry = scan::checks::registry::REGISTRY;
    if args.list_checks {
        crate::out!("{}", list_checks(registry, args.json)?);
        return Ok(0);
    }
    let selection = selection(&args, registry)?;
    check_limits(&args)?;
    let (policy, client_cert, ech_config) = load_files(&args)?;
    let explicit_starttls = args.starttls.as_deref().map(Protocol::parse).transpose()?;
    let default_port = target::default_port(explicit_starttls);
    let from_stdin = args.target.iter().any(|t| t == "-");
    let mut targets = parse_targets(&args, default_port, from_stdin)?;
    let fleet = args.fleet.active();
    if fleet {
        targets = super::scan_fleet::select(targets, args.fleet.shard()?);
    }
    let mut resume = super::scan_fleet::open_resume(&args.fleet)?;
    let timeout = common::secs(args.timeout);
    let route = args.net.route()?;

    // One target named on the command line behaves like one command: its report is the output
    // (a JSON object, not an array) and its error is the command's error.
    let single =
        targets.len() == 1 && !args.all_ips && args.targets.is_none() && !from_stdin && !fleet;
    let starttls_all = starttls_per_target(&args, &targets, explicit_starttls)?;
    if let Some(t) = targets
        .iter()
        .find(|t| route.proxy_for(&t.target).is_some())
    {
        common::note_env_proxy(&route, &t.target);
    }
    let http_all: Vec<scan::checks::http::HttpOptions> =
        targets.iter().map(|t| http_options(&args, t)).collect();
    for h in &http_all {
        h.validate()?;
    }
    let targets: Vec<Target> = targets.into_iter().map(|t| t.target).collect();
    let rt = common::runtime()?;

    let mut jobs = build_jobs(
        &args,
        &targets,
        starttls_all.into_iter().zip(http_all).collect(),
        &route,
        timeout,
        &selection,
        &rt,
    );
    for job in &mut jobs {
        if let Some(o) = &mut job.opts {
            o.client_cert = client_cert.clone();
            o.ech_config = ech_config.clone();
        }
    }

    // --resume: the targets the file already holds are done.
    let skipped = match &resume {
        Some(rf) => skip_done(&mut jobs, rf, args.all_ips),
        None => super::scan_fleet::Skipped::default(),
    };

    let overall_line = !single && (jobs.len() > 1 || fleet);
    let (progress, overall, spinners) =
        progress_bars(&args, overall_line, jobs.len(), skipped.total);
    let style = Style::new(output::colour_stdout());
    let mut printer = Printer {
        args: &args,
        style,
        progress: progress.clone(),
        single,
        resume: resume.as_mut(),
        resume_error: None,
        overall: overall.clone(),
    };
    // Reports printed one by one (--json-lines, --resume) are not needed afterwards: keep only
    // what the exit status needs, so memory stays flat however many targets there are.
    let keep_reports = !(args.json_lines || args.fleet.resume.is_some()) || args.html.is_some();
    let outcomes = rt.block_on(run_jobs(
        jobs,
        args.parallel,
        keep_reports,
        policy.clone(),
        spinners,
        |o| printer.finished(o),
    ));
    if let Some(o) = &overall {
        o.clear();
    }
    if let Some(mp) = &progress {
        let _ = mp.clear();
    }
    if let Some(e) = printer.resume_error.take() {
        return Err(e);
    }
    let results_file = resume.as_ref().map(|rf| rf.path().to_path_buf());
    finish(
        &args,
        outcomes,
        single,
        &skipped,
        policy.as_deref(),
        results_file.as_deref(),
    )
}

/// The progress display (on a terminal): the bars' owner, one line for the whole run when there
/// are many targets, and a spinner per target while they fit.
fn progress_bars(
    args: &Args,
    overall_line: bool,
    jobs: usize,
    skipped: usize,
) -> (
    Option<indicatif::MultiProgress>,
    Option<super::scan_fleet::Overall>,
    Option<indicatif::MultiProgress>,
) {
    let progress =
        (!args.no_progress && std::io::stderr().is_terminal()).then(indicatif::MultiProgress::new);
    let overall = progress
        .as_ref()
        .filter(|_| overall_line)
        .map(|mp| super::scan_fleet::Overall::new(mp, jobs, skipped));
    let spinners = progress.clone().filter(|_| args.parallel <= 8);
    (progress, overall, spinners)
}

/// One job per target — with --all-ips, one per address of each name.
fn build_jobs(
    args: &Args,
    targets: &[Target],
    per_target: Vec<(StartTls, scan::checks::http::HttpOptions)>,
    route: &tlskit::net::Route,
    timeout: Duration,
    selection: &scan::checks::registry::Selection,
    rt: &tokio::runtime::Runtime,
) -> Vec<Job> {
    let mut jobs = Vec::new();
    for (t, (starttls, http)) in targets.iter().zip(per_target) {
        let mut base = ScanOptions::new(t.clone());
        base.servername = args.servername.clone();
        base.no_sni = args.no_sni;
        base.starttls = starttls;
        base.max_connections = args.max_connections;
        base.timeout = timeout;
        base.ca = args.ca.clone();
        base.route = route.clone();
        base.checks = selection.clone();
        base.simulation = !args.no_simulation;
        base.http = http;
        base.revocation = !args.no_revocation;
        base.dns = args.dns.then(|| {
            let mut d = scan::checks::dns::DnsOptions::default();
            d.server = args.dns_server;
            d
        });
        if args.all_ips && t.ip().is_none() {
            let overridden = target::ResolveOverride::lookup(&route.overrides, t).map(|ips| {
                ips.iter()
                    .map(|ip| std::net::SocketAddr::new(*ip, t.port))
                    .collect::<Vec<_>>()
            });
            let resolved = match overridden {
                Some(a) => Ok(Ok(a)),
                None => rt.block_on(async {
                    tokio::time::timeout(timeout, tlskit::net::resolve(t)).await
                }),
            };
            let resolved = resolved.unwrap_or_else(|_| {
                Err(Error::network(format!(
                    "cannot resolve '{}': no answer within {}",
                    t.host,
                    tlskit::net::fmt_duration(timeout)
                )))
            });
            match resolved {
                Ok(addrs) => {
                    let mut seen = BTreeSet::new();
                    for a in addrs.into_iter().filter(|a| seen.insert(a.ip())) {
                        let mut o = base.clone();
                        o.target = Target::new(a.ip().to_string(), t.port);
                        if o.servername.is_none() && !o.no_sni {
                            o.servername = Some(t.host.clone());
                        }
                        if let Some((_, name)) = &mut o.starttls {
                            name.get_or_insert_with(|| t.host.clone());
                        }
                        jobs.push(Job {
                            label: t.to_string(),
                            port: t.port,
                            host: t.host.clone(),
                            opts: Some(o),
                            early_error: None,
                            ip: Some(a.ip().to_string()),
                        });
                    }
                }
                Err(e) => jobs.push(Job {
                    label: t.to_string(),
                    port: t.port,
                    host: t.host.clone(),
                    opts: None,
                    early_error: Some(e),
                    ip: None,
                }),
            }
        } else {
            jobs.push(Job {
                label: t.to_string(),
                port: t.port,
                host: t.host.clone(),
                opts: Some(base),
                early_error: None,
                ip: t.ip().map(|i| i.to_string()),
            });
        }
    }
    jobs
}

/// Print what is printed once every target is done, and the exit status.
fn finish(
    args: &Args,
    outcomes: Vec<Outcome>,
    single: bool,
    skipped: &super::scan_fleet::Skipped,
    policy: Option<&Policy>,
    results_file: Option<&std::path::Path>,
) -> Result<i32> {
    if let Some(path) = results_file {
        output::note(format!(
            "{} target{} scanned, {} already done before; all results in {}",
            outcomes.len(),
            if outcomes.len() == 1 { "" } else { "s" },
            skipped.total,
            path.display()
        ));
    }
    if let Some(path) = &args.html {
        let items: Vec<serde_json::Value> = outcomes
            .iter()
            .map(|o| serde_json::to_value(o.item()).unwrap_or_default())
            .collect();
        super::scan_html::write(path, &items)?;
    }
    // Single target: behave like one command (the error is the command's error).
    if single {
        let o = outcomes.into_iter().next().expect("one outcome");
        if args.json && o.result.is_err() {
            // --json always prints a document: the error object, then the error line on stderr.
            output::print_json(&o.item())?;
        }
        let report = o.result?;
        if args.json {
            output::print_json(&report)?;
        }
        return Ok(match &report.policy {
            Some(p) if !p.compliant => 1,
            _ => 0,
        });
    }

    if args.json {
        let all: Vec<Item> = outcomes.iter().map(Outcome::item).collect();
        output::print_json(&all)?;
    } else if !args.json_lines && results_file.is_none() && outcomes.len() > 1 {
        crate::out!("{}", summary(&outcomes, policy.is_some()));
    }
    // Targets skipped by --resume count as what the file says they were.
    let failed = outcomes.iter().filter(|o| o.result.is_err()).count() + skipped.failed;
    let noncompliant = outcomes
        .iter()
        .filter(|o| {
            o.result
                .as_ref()
                .is_ok_and(|r| r.policy.as_ref().is_some_and(|p| !p.compliant))
        })
        .count()
        + skipped.noncompliant;
    if failed > 0 || noncompliant > 0 {
        let total = outcomes.len() + skipped.total;
        let mut parts = Vec::new();
        if failed > 0 {
            parts.push(format!("{failed} of {total} targets could not be scanned"));
        }
        if noncompliant > 0 {
            let name = policy.map(|p| p.name.as_str()).unwrap_or("the policy");
            parts.push(format!(
                "{noncompliant} of {total} targets do not comply with {name}"
            ));
        }
        output::warn(parts.join("; "));
        return Ok(1);
    }
    Ok(0)
}

/// Scan every job, at most `parallel` at once; `done` sees each outcome as it finishes. Returns
/// the outcomes in job order.
async fn run_jobs(
    jobs: Vec<Job>,
    parallel: usize,
    keep_reports: bool,
    policy: Option<Arc<Policy>>,
    progress: Option<indicatif::MultiProgress>,
    mut done: impl FnMut(&Outcome),
) -> Vec<Outcome> {
    let labels: Vec<(String, Option<String>, TargetInfo)> = jobs
        .iter()
        .map(|j| (j.label.clone(), j.ip.clone(), j.target_info()))
        .collect();
    let sem = Arc::new(tokio::sync::Semaphore::new(parallel));
    // One lock per host: targets on the same host (other ports, the same address twice) are
    // scanned one after the other, so a host never sees more than --max-connections at once.
    let mut hosts: std::collections::HashMap<String, Arc<tokio::sync::Mutex<()>>> =
        Default::default();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(usize, Outcome)>();
    for (i, job) in jobs.into_iter().enumerate() {
        let key = job
            .ip
            .clone()
            .unwrap_or_else(|| job.host.to_ascii_lowercase());
        let host_lock = hosts.entry(key).or_default().clone();
        let tx = tx.clone();
        let sem = sem.clone();
        let policy = policy.clone();
        let progress = progress.clone();
        tokio::spawn(async move {
            let _host = host_lock.lock().await;
            let outcome = run_job(job, sem, policy, progress).await;
            let _ = tx.send((i, outcome));
        });
    }
    drop(tx);
    let mut out: Vec<Option<Outcome>> = labels.iter().map(|_| None).collect();
    while let Some((i, o)) = rx.recv().await {
        done(&o);
        out[i] = Some(if keep_reports { o } else { o.slim() });
    }
    out.into_iter()
        .zip(labels)
        .map(|(o, (label, ip, target))| {
            o.unwrap_or_else(|| Outcome {
                result: Err(Error::other(format!(
                    "the scan of {label} stopped unexpectedly (internal error)"
                ))),
                label,
                ip,
                target,
            })
        })
        .collect()
}

async fn run_job(
    job: Job,
    sem: Arc<tokio::sync::Semaphore>,
    policy: Option<Arc<Policy>>,
    progress: Option<indicatif::MultiProgress>,
) -> Outcome {
    let target = job.target_info();
    let Job {
        label,
        host,
        opts,
        early_error,
        ip,
        ..
    } = job;
    let Some(opts) = opts else {
        let e = early_error.unwrap_or_else(|| Error::other("nothing to scan"));
        return Outcome {
            label,
            ip,
            target,
            result: Err(e),
        };
    };
    let _permit = sem.acquire_owned().await.ok();
    let pb = progress.map(|mp| {
        let pb = mp.add(indicatif::ProgressBar::new_spinner());
        pb.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {msg} {pos} connections, {elapsed}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        let what = match &ip {
            Some(ip) if !label.contains(ip.as_str()) => format!("scanning {label} ({ip}):"),
            _ => format!("scanning {label}:"),
        };
        pb.set_message(what);
        pb.enable_steady_tick(Duration::from_millis(100));
        pb
    });
    let tick: Option<Arc<dyn Fn() + Send + Sync>> = pb.clone().map(|pb| {
        let f: Arc<dyn Fn() + Send + Sync> = Arc::new(move || pb.inc(1));
        f
    });
    let mut result = scan::scan(&opts, tick).await;
    if let Some(pb) = pb {
        pb.finish_and_clear();
    }
    if let Ok(r) = &mut result {
        // With --all-ips the scan connected to an address; keep the name the user gave.
        r.target.host = host;
        if let Some(p) = &policy {
            r.policy = Some(policy::check(r, p));
        }
    }
    let ip = match &result {
        Ok(r) => Some(r.target.ip.clone()),
        Err(_) => ip,
    };
    Outcome {
        label,
        ip,
        target,
        result,
    }
}

/// Prints each outcome as it arrives (text reports, JSON lines, error lines), or appends it to
/// the --resume file.
struct Printer<'a> {
    args: &'a Args,
    style: Style,
    progress: Option<indicatif::MultiProgress>,
    single: bool,
    resume: Option<&'a mut tlskit::fleet::resume::ResumeFile>,
    /// The first failure to append to the --resume file.
    resume_error: Option<Error>,
    overall: Option<super::scan_fleet::Overall>,
}

impl Printer<'_> {
    fn finished(&mut self, o: &Outcome) {
        if let Some(bar) = &mut self.overall {
            bar.finished(o.result.is_err());
        }
        if let Some(rf) = self.resume.as_deref_mut() {
            let line = serde_json::to_string(&o.item()).unwrap_or_default();
            if let Err(e) = rf.append(&line) {
                self.resume_error.get_or_insert(e);
            }
        }
        let print = || {
            let mut out = std::io::stdout().lock();
            if self.resume.is_some() {
                // The result is in the --resume file.
            } else if self.args.json_lines {
                let line = serde_json::to_string(&o.item()).unwrap_or_default();
                let _ = writeln!(out, "{line}");
            } else if !self.args.json {
                if let Ok(r) = &o.result {
                    let _ = write!(out, "{}", r.render_full_text(self.style, self.args.verbose));
                    if !self.single {
                        let _ = writeln!(out);
                    }
                }
            }
            let _ = out.flush();
            // In single-target mode the error is the command's own error line.
            if let (Err(e), false) = (&o.result, self.single) {
                let at = match &o.ip {
                    Some(ip) if !o.label.contains(ip.as_str()) => format!("{} ({ip})", o.label),
                    _ => o.label.clone(),
                };
                let msg = e.message();
                if msg.contains(&o.label) {
                    eprintln!("tlskit: error: {msg}");
                } else {
                    eprintln!("tlskit: error: {at}: {msg}");
                }
            }
        };
        match &self.progress {
            Some(mp) => mp.suspend(print),
            None => print(),
        }
    }
}

/// "1.2 1.3", "SSLv3 1.0 1.2".
/// `--list-checks`: one line per check (id, name, CVEs), or a JSON array.
fn versions_short(r: &ScanReport) -> String {
    let v: Vec<String> = r
        .protocols
        .iter()
        .filter(|p| p.offered)
        .map(|p| {
            match p.version {
                Version::Ssl2 => "SSLv2",
                Version::Ssl3 => "SSLv3",
                Version::Tls10 => "1.0",
                Version::Tls11 => "1.1",
                Version::Tls12 => "1.2",
                Version::Tls13 => "1.3",
            }
            .to_string()
        })
        .collect();
    if v.is_empty() {
        "none".into()
    } else {
        v.join(" ")
    }
}

/// At most `max` characters, cut before a parenthesis or a word.
fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let cut: String = s.chars().take(max).collect();
    match cut.rfind(" (").or_else(|| cut.rfind(' ')) {
        Some(i) if i > max / 2 => format!("{}…", &cut[..i]),
        _ => format!("{cut}…"),
    }
}

fn summary(outcomes: &[Outcome], with_policy: bool) -> String {
    use std::fmt::Write;
    let mut rows: Vec<Vec<String>> = vec![vec![
        "TARGET",
        "IP",
        "GRADE",
        "VERSIONS",
        "SUITES",
        "POLICY",
        "TIME / ERROR",
    ]
    .into_iter()
    .map(String::from)
    .collect()];
    for o in outcomes {
        let ip = o.ip.clone().unwrap_or_else(|| "-".into());
        match &o.result {
            Ok(r) => {
                let suites: BTreeSet<u32> = r
                    .protocols
                    .iter()
                    .filter(|p| p.offered)
                    .flat_map(|p| p.cipher_suites.iter().map(|s| s.id.code()))
                    .collect();
                let pol = match &r.policy {
                    Some(p) if p.compliant => "ok".to_string(),
                    Some(p) => format!(
                        "FAIL ({})",
                        p.deviations.iter().filter(|d| !d.advisory).count()
                    ),
                    None => "-".into(),
                };
                rows.push(vec![
                    o.label.clone(),
                    ip,
                    r.grade
                        .as_ref()
                        .map(|g| g.grade.to_string())
                        .unwrap_or_else(|| "-".into()),
                    versions_short(r),
                    suites.len().to_string(),
                    pol,
                    format!("{:.2} s", r.scan_time_ms as f64 / 1000.0),
                ]);
            }
            Err(e) => {
                let msg = shorten(e.message(), 90);
                rows.push(vec![
                    o.label.clone(),
                    ip,
                    "-".into(),
                    "-".into(),
                    "-".into(),
                    if with_policy {
                        // Never compliant, but not a verdict on its configuration either.
                        "not determined".into()
                    } else {
                        "-".into()
                    },
                    format!("error: {msg}"),
                ]);
            }
        }
    }
    let widths: Vec<usize> = (0..7)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut s = format!(
        "Summary: {} target{}\n",
        outcomes.len(),
        if outcomes.len() == 1 { "" } else { "s" }
    );
    for r in &rows {
        let mut line = String::new();
        for (c, cell) in r.iter().enumerate() {
            if c == 6 {
                line.push_str(cell);
            } else {
                let _ = write!(line, "{cell:<w$}  ", w = widths[c]);
            }
        }
        let _ = writeln!(s, "  {}", line.trim_end());
    }
    s
}
