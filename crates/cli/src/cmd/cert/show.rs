//! `tlskit cert show`: describe the certificates in a file or the chain a server sends.

use super::{emit, emit_json};
use crate::cmd::common;
use crate::output;
use serde::Serialize;
use std::path::{Path, PathBuf};
use tlskit::net::starttls::Protocol;
use tlskit::net::target::TargetSpec;
use tlskit::net::Connector;
use tlskit::pki::chain::{self, ChainAnalysis, ChainInput, Purpose, StoreId, TrustStores};
use tlskit::pki::inspect::{self, CertInfo};
use tlskit::pki::load;
use tlskit::session::fetch::{self, FetchOptions, FetchedChain};
use tlskit::{Error, Result};

// Help texts: written at column 0 so that what you see here is what `--help` prints.
// Lines stay under 96 columns, so clap does not re-wrap them on an 100-column terminal.

const SHOW_LONG: &str = "\
Describe certificates: those in FILE (PEM or DER; every certificate in it, in order), or the
chain a TLS server sends (HOST:PORT, [IPv6]:PORT, HOST PORT, or a URL such as
https://HOST/ or smtp://HOST).

For each certificate: subject and issuer, serial number, validity (days left, how long ago
it expired, or when it starts), the names it is valid for (SAN; IP addresses as 127.0.0.1
and ::1), key type and size, signature algorithm, key usage and extended key usage, whether
it is a CA, key identifiers, the SHA-256 fingerprint (as `openssl x509 -fingerprint -sha256`
prints it) and whether it is self-signed. -v adds the SHA-1 fingerprint, the SPKI hash and
the list of extensions.

For a server, tlskit connects with TLS 1.2/1.3 and accepts any certificate, only to show it.
Servers that start in plaintext are reached as `tlskit connect` reaches them: -t PROTO (smtp,
imap, pop3, ftp, xmpp, ldap, postgres …), the URL scheme (smtp://, imap:// …) or the port's
usual protocol (25, 143 …) runs STARTTLS first; --proxy and --resolve apply too. Then it says
whether the chain verifies against the system roots (or the -a CA) and is valid for the name
(HOST, --servername or --name), as `tlskit scan` judges chains.

For a server and for a file alike, one line says which trust stores accept the chain: the
root programs built into tlskit (Mozilla, Apple, Android, Microsoft, Java), the system store
and the -a CAs (\"Trusted by: Mozilla, Apple …; not by: Java (reason)\"). --at TIME judges
validity at that time (RFC 3339, e.g. 2024-12-01T00:00:00Z) instead of now. SNI is HOST, unless HOST is an IP address (then
no SNI is sent) or --servername is given. For a file, -a checks the chain and --name the
name, with the rules clients use (RFC 6125: SAN only; a wildcard covers one label).

--json prints one object:
  source            \"file\" or \"server\"
  file / server     the path, or {target, peer, sni, tls_version, cipher_suite,
                    handshake_error, proxy, starttls}
  has_private_key   (file) whether the file also holds a key (it is never printed)
  certificates      [ {subject, issuer, common_name, serial, not_before, not_after,
                    days_left, expired, not_yet_valid, san_dns, san_ip, san_email, key_type,
                    key_bits, key_curve, signature_algorithm, eku, key_usage, is_ca, path_len,
                    subject_key_id, authority_key_id, sha256_fingerprint, self_signed,
                    extensions, ...}, ... ]  leaf first
  name_check        {name, matches}
  verification      {trusted, anchors, name, error}
  trust             [ {store, description, trusted, error, path, legacy_only}, ... ]  one per
                    store: mozilla, apple, android, microsoft, java, system, custom (-a)";

const SHOW_EXAMPLES: &str = "\
Examples:
  tlskit cert show server.pem
  tlskit cert show --name abc.bank32.com server.pem      # does *.bank32.com cover it?
  tlskit cert show -a ca/ca.crt server.pem               # is it signed by my CA?
  tlskit cert show --at 2024-12-01T00:00:00Z chain.pem   # which stores trusted it then?
  tlskit cert show www.example.com:443
  tlskit cert show 127.0.0.1 8443 --servername www.bank32.com
  tlskit cert show -t smtp mail.example.org:25            # STARTTLS first
  tlskit cert show imaps://mail.example.org
  tlskit cert show --json '[::1]:8443'";

#[derive(clap::Args, Debug)]
#[command(
    about = "Describe the certificates in a file, or the chain a server sends",
    long_about = SHOW_LONG,
    after_help = SHOW_EXAMPLES
)]
pub(super) struct ShowArgs {
    /// A certificate file, or a server as HOST:PORT, [IPv6]:PORT, HOST PORT, or a URL
    /// (https://HOST[:PORT]/, imaps://HOST …; port 443 when none is given).
    #[arg(value_name = "FILE|HOST:PORT|URL")]
    target: String,
    /// Port, when the server is given as HOST PORT.
    #[arg(value_name = "PORT")]
    port: Option<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
    /// Show more: SHA-1 fingerprint, SPKI hash, all extensions.
    #[arg(short = 'v', long)]
    verbose: bool,
    /// SNI to send to the server, and the name to check (default: HOST).
    #[arg(long, value_name = "NAME")]
    servername: Option<String>,
    /// Check that the leaf certificate is valid for NAME (a DNS name or IP address, RFC 6125).
    #[arg(long, value_name = "NAME")]
    name: Option<String>,
    /// Verify the chain against this CA certificate file or directory (repeatable) instead of
    /// the system roots.
    #[arg(short = 'a', long = "ca", value_name = "FILE|DIR")]
    ca: Vec<PathBuf>,
    /// Judge validity at TIME (RFC 3339, e.g. 2024-12-01T00:00:00Z) instead of now.
    #[arg(long, value_name = "TIME")]
    at: Option<String>,
    /// Upgrade a plaintext session first: smtp, lmtp, imap, pop3, ftp, nntp, xmpp, xmpp-server, ldap,
    /// postgres, mysql, sieve or irc (default: chosen by well-known port, e.g. 25 → smtp).
    #[arg(short = 't', long = "starttls", value_name = "PROTO")]
    starttls: Option<String>,
    /// With STARTTLS: the name to announce — the EHLO/LHLO name (default: our address as [a.b.c.d])
    /// or the XMPP domain (default: --servername, else HOST).
    #[arg(long, value_name = "NAME")]
    starttls_name: Option<String>,
    /// Speak TLS from the first byte even on a port that usually starts in plaintext (25, 143 …).
    #[arg(long, conflicts_with = "starttls")]
    no_starttls: bool,
    /// Seconds allowed for the TCP connect, for each plaintext read, and for the TLS handshake.
    #[arg(long, value_name = "SECS", default_value_t = 10.0)]
    timeout: f64,

    #[command(flatten)]
    net: common::NetFlags,
}

#[derive(Serialize)]
struct NameCheck {
    name: String,
    matches: bool,
}

/// Whether the chain verifies against the anchors `cert show` was asked about (the `-a` CAs,
/// else the system roots), judged by [`chain::analyse`] as `tlskit scan` judges chains.
#[derive(Debug, Clone, Serialize)]
struct Verification {
    /// The chain leads to a trust anchor (and, when a name was given, is valid for it).
    trusted: bool,
    /// What was trusted: `"system roots"` or the CA files/directories.
    anchors: String,
    /// The host name or address checked against the leaf's SAN, if any.
    name: Option<String>,
    /// Why verification failed, in words.
    error: Option<String>,
}

#[derive(Serialize)]
struct ShowReport<'a> {
    source: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    server: Option<&'a FetchedChain>,
    /// The file also holds a private key (it is never printed).
    #[serde(skip_serializing_if = "Option::is_none")]
    has_private_key: Option<bool>,
    certificates: &'a [CertInfo],
    #[serde(skip_serializing_if = "Option::is_none")]
    name_check: Option<NameCheck>,
    #[serde(skip_serializing_if = "Option::is_none")]
    verification: Option<Verification>,
    /// One verdict per trust store.
    trust: Vec<chain::TrustResult>,
}

enum ShowSource {
    File(PathBuf),
    Server(TargetSpec),
}

fn show_source(target: &str, port: Option<&str>, flag: Option<Protocol>) -> Result<ShowSource> {
    if port.is_none() && flag.is_none() {
        let path = Path::new(target);
        if path.exists() {
            return Ok(ShowSource::File(path.to_path_buf()));
        }
    }
    let looks_like_server = port.is_some()
        || flag.is_some()
        || target.contains("://")
        || (target.contains(':') && !target.contains('/'));
    if !looks_like_server {
        return Err(Error::input(format!(
            "cannot read {target}: no such file (to look at a server, give HOST:PORT or a URL, e.g. {target}:443)"
        )));
    }
    let default_port = tlskit::net::target::default_port(flag);
    Ok(ShowSource::Server(common::target_from(
        target,
        port,
        default_port,
    )?))
}

fn chain_role(i: usize, info: &CertInfo) -> &'static str {
    match (info.is_ca, info.self_signed, i) {
        (true, true, _) => "root CA (self-signed)",
        (true, false, _) => "intermediate CA",
        (false, true, 0) => "leaf (self-signed)",
        (false, false, 0) => "leaf",
        _ => "not a CA (out of place in a chain)",
    }
}

/// The trust stores `cert show` judges by, and the label of the one it reports: the `-a` CAs
/// when given, else the system roots (the Mozilla set built into tlskit when there are none).
fn show_stores(ca: &[PathBuf]) -> Result<(TrustStores, StoreId, String)> {
    let stores = TrustStores::load(ca)?;
    let (store, label) = if !ca.is_empty() {
        let names: Vec<String> = ca.iter().map(|p| p.display().to_string()).collect();
        (StoreId::Custom, names.join(", "))
    } else if stores.system.anchors.is_empty() {
        (
            StoreId::Mozilla,
            "Mozilla roots built into tlskit (no system store found)".to_string(),
        )
    } else {
        (StoreId::System, "system roots".to_string())
    };
    Ok((stores, store, label))
}

/// The verdict of `store` in `analysis`, with the host name check folded in.
fn verification(
    analysis: &ChainAnalysis,
    store: StoreId,
    anchors: String,
    name: Option<&str>,
) -> Verification {
    let mut v = Verification {
        trusted: false,
        anchors,
        name: name.map(str::to_owned),
        error: None,
    };
    if analysis.certificates.is_empty() {
        v.error = Some("no certificate".to_string());
        return v;
    }
    match analysis.trust.iter().find(|t| t.store == store) {
        Some(t) if t.trusted => v.trusted = true,
        Some(t) => v.error = t.error.clone(),
        None => v.error = Some("no trust store was checked".to_string()),
    }
    if v.trusted && analysis.hostname_match == Some(false) {
        v.trusted = false;
        v.error = analysis
            .findings
            .iter()
            .find(|f| f.id == "cert.hostname_mismatch")
            .map(|f| f.message.clone());
    }
    v
}

/// A certificate that may only authenticate clients (extendedKeyUsage clientAuth, no serverAuth).
fn client_only(info: &CertInfo) -> bool {
    info.eku.iter().any(|e| e == "clientAuth")
        && !info
            .eku
            .iter()
            .any(|e| e == "serverAuth" || e == "anyExtendedKeyUsage")
}

fn describe_certs(certs: &[impl AsRef<[u8]>], source: &str) -> Result<Vec<CertInfo>> {
    certs
        .iter()
        .enumerate()
        .map(|(i, c)| {
            CertInfo::from_der(c.as_ref())
                .map_err(|e| e.context(format!("certificate #{} {source}", i + 1)))
        })
        .collect()
}

fn count_text(n: usize) -> String {
    match n {
        1 => "1 certificate".to_string(),
        n => format!("{n} certificates"),
    }
}

pub(super) fn run(a: ShowArgs) -> Result<i32> {
    let flag = a.starttls.as_deref().map(Protocol::parse).transpose()?;
    match show_source(&a.target, a.port.as_deref(), flag)? {
        ShowSource::File(path) => run_show_file(&a, &path),
        ShowSource::Server(spec) => run_show_server(&a, &spec, flag),
    }
}

fn run_show_file(a: &ShowArgs, path: &Path) -> Result<i32> {
    let bytes = load::read_file(path)?;
    let certs = load::certs_from_bytes(path, &bytes)?;
    let infos = describe_certs(&certs, &format!("in {}", path.display()))?;
    let has_key = String::from_utf8_lossy(&bytes).contains("PRIVATE KEY-----");
    let name_check = a
        .name
        .as_ref()
        .or(a.servername.as_ref())
        .map(|n| NameCheck {
            name: n.clone(),
            matches: inspect::matches_name(&infos[0], n),
        });
    let (stores, store, label) = show_stores(&a.ca)?;
    let purpose = if client_only(&infos[0]) {
        Purpose::ClientAuth
    } else {
        Purpose::ServerAuth
    };
    let mut input = ChainInput::new(&certs, None, None);
    if let Some(at) = &a.at {
        input.now = chain::parse_time(at).map_err(|e| e.context("--at"))?;
    }
    let analysis = chain::analyse_for(&input, &stores, purpose);
    let verification = if a.ca.is_empty() {
        None
    } else {
        Some(verification(&analysis, store, label, None))
    };
    let report = ShowReport {
        source: "file",
        file: Some(path.display().to_string()),
        server: None,
        has_private_key: Some(has_key),
        certificates: &infos,
        name_check,
        verification,
        trust: analysis.trust,
    };
    if a.json {
        emit_json(&report)?;
        return Ok(0);
    }
    let key_note = if has_key {
        " and a private key (not shown)"
    } else {
        ""
    };
    let mut out = String::new();
    say!(
        out,
        "{}: {}{key_note}",
        path.display(),
        count_text(infos.len())
    );
    print_certs(&mut out, &report, a.verbose);
    emit(&out)?;
    Ok(0)
}

fn run_show_server(a: &ShowArgs, spec: &TargetSpec, flag: Option<Protocol>) -> Result<i32> {
    let starttls = common::choose_starttls(spec, flag, a.no_starttls)?;
    if starttls.is_none() && a.starttls_name.is_some() {
        return Err(Error::usage("--starttls-name needs STARTTLS: add -t PROTO"));
    }
    let target = spec.target.clone();
    let route = a.net.route()?;
    let (stores, store, label) = show_stores(&a.ca)?;
    let mut connector = Connector::new(target.clone(), common::secs(a.timeout)).with_route(&route);
    if let Some(p) = starttls {
        // An XMPP domain is usually also the name the certificate is checked against.
        let xmpp = matches!(p, Protocol::Xmpp | Protocol::XmppServer);
        let name = a
            .starttls_name
            .clone()
            .or_else(|| a.servername.clone().filter(|_| xmpp));
        connector = connector.with_starttls(p, name);
    }
    common::note_env_proxy(&route, &target);
    let opts = FetchOptions {
        connector,
        servername: a.servername.clone(),
    };
    let fetched = common::runtime()?.block_on(fetch::fetch_chain(&opts))?;
    let infos = describe_certs(&fetched.certs, &format!("sent by {}", fetched.target))?;
    let check_name = a
        .name
        .clone()
        .or_else(|| a.servername.clone())
        .unwrap_or(target.host.clone());
    let name_check = Some(NameCheck {
        matches: inspect::matches_name(&infos[0], &check_name),
        name: check_name.clone(),
    });
    let mut input = ChainInput::new(
        &fetched.certs,
        Some(&check_name),
        fetched.ocsp_response.as_deref(),
    );
    if let Some(at) = &a.at {
        input.now = chain::parse_time(at).map_err(|e| e.context("--at"))?;
    }
    let analysis = chain::analyse(&input, &stores);
    let verification = Some(verification(&analysis, store, label, Some(&check_name)));
    if let Some(e) = &fetched.handshake_error {
        output::warn(format!(
            "the handshake did not complete after the certificates arrived: {e}"
        ));
    }
    let report = ShowReport {
        source: "server",
        file: None,
        server: Some(&fetched),
        has_private_key: None,
        certificates: &infos,
        name_check,
        verification,
        trust: analysis.trust,
    };
    if a.json {
        emit_json(&report)?;
        return Ok(0);
    }
    let mut out = String::new();
    say!(out, "{}", connected_line(&fetched));
    say!(out, "The server sent {}:", count_text(infos.len()));
    print_certs(&mut out, &report, a.verbose);
    emit(&out)?;
    Ok(0)
}

/// `Connected to HOST:PORT (ADDR) after STARTTLS (SMTP): TLSv1.3, SUITE; SNI: NAME`.
fn connected_line(fetched: &FetchedChain) -> String {
    let negotiated = match (&fetched.tls_version, &fetched.cipher_suite) {
        (Some(v), Some(c)) => format!(": {v}, {c}"),
        _ => String::new(),
    };
    let sni = match &fetched.sni {
        Some(s) => s.clone(),
        None => "none (IP address)".to_string(),
    };
    let peer = match &fetched.proxy {
        Some(p) => format!(" through the proxy {}", p.describe()),
        None if fetched.peer == fetched.target => String::new(),
        None => format!(" ({})", fetched.peer),
    };
    let starttls = match fetched.starttls.as_ref().and_then(|t| t.protocol) {
        Some(p) => format!(" after {} ({})", p.upgrade_name(), p.display_name()),
        None => String::new(),
    };
    format!(
        "Connected to {}{peer}{starttls}{negotiated}; SNI: {sni}",
        fetched.target
    )
}

fn print_certs(out: &mut String, report: &ShowReport<'_>, verbose: bool) {
    let n = report.certificates.len();
    for (i, info) in report.certificates.iter().enumerate() {
        say!(out);
        say!(out, "Certificate {} of {n}: {}", i + 1, chain_role(i, info));
        out.push_str(&inspect::render_text(info, verbose));
    }
    say!(out);
    if let Some(nc) = &report.name_check {
        if nc.matches {
            say!(
                out,
                "Name:         {} matches the leaf certificate's SAN",
                nc.name
            );
        } else {
            say!(
                out,
                "Name:         {} does NOT match the leaf certificate's SAN",
                nc.name
            );
        }
    }
    if let Some(v) = &report.verification {
        match (&v.error, v.trusted) {
            (None, true) => say!(out, "Verification: OK, trusted by {}", v.anchors),
            (Some(e), _) => say!(out, "Verification: FAILED against {}: {e}", v.anchors),
            (None, false) => say!(out, "Verification: FAILED against {}", v.anchors),
        }
    }
    if !report.trust.is_empty() {
        say!(out, "{}", chain::trust_line(&report.trust));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn show_sources() {
        assert!(matches!(
            show_source("127.0.0.1:443", None, None),
            Ok(ShowSource::Server(_))
        ));
        assert!(matches!(
            show_source("[::1]:443", None, None),
            Ok(ShowSource::Server(_))
        ));
        assert!(matches!(
            show_source("example.com", Some("443"), None),
            Ok(ShowSource::Server(_))
        ));
        assert!(
            matches!(show_source("https://example.com/x", None, None), Ok(ShowSource::Server(t)) if t.target.port == 443)
        );
        assert!(
            matches!(show_source("imaps://mail.example", None, None), Ok(ShowSource::Server(t)) if t.target.port == 993)
        );
        assert!(
            matches!(show_source("smtp://mail.example", None, None), Ok(ShowSource::Server(t)) if t.target.port == 25)
        );
        assert!(
            matches!(show_source("mail.example", None, Some(Protocol::Smtp)), Ok(ShowSource::Server(t)) if t.target.port == 25)
        );
        assert!(show_source("missing.pem", None, None).is_err());
    }
}
