//! `tlskit cert issue`: a server or client certificate signed by the CA.

use super::{emit, emit_json, parse_key_type, print_files, sh, shp};
use crate::output;
use serde::Serialize;
use std::path::{Path, PathBuf};
use tlskit::pki::ca::{self, Ca, IssueRequest, KeyType, Output, Validity};
use tlskit::pki::inspect::CertInfo;
use tlskit::{Error, Result};

// Help texts: written at column 0 so that what you see here is what `--help` prints.
// Lines stay under 96 columns, so clap does not re-wrap them on an 100-column terminal.

const ISSUE_LONG: &str = "\
Issue a certificate signed by the CA in --ca for the NAMEs given.

The NAMEs go into the certificate's Subject Alternative Name (SAN) extension. That is the
only place modern clients (browsers, Python's ssl, rustls, curl) look when they check that a
certificate belongs to the host they connected to; the subject's Common Name (CN) is ignored.
Each NAME is one of:

  a DNS name      www.bank32.com, localhost
  a wildcard      *.bank32.com: only as the whole left-most label, and it stands for exactly
                  one label: it matches www.bank32.com, not bank32.com nor a.b.bank32.com
  an IP address   127.0.0.1, 10.9.0.80, ::1: needed when clients connect by address
  (--client)      an e-mail address (alice@example.com), or a plain name (alice,
                  'Alice Smith') that only becomes the CN

The CN is the first NAME unless --cn is given. Server certificates carry extended key usage
serverAuth, --client certificates clientAuth (--client --server: both). The key has the
CA's type unless --key-type says otherwise. Also set: X.509 v3, basicConstraints CA:FALSE,
keyUsage digitalSignature (+ keyEncipherment for RSA), subject and authority key
identifiers, and a random 128-bit serial number.

Output (on any error nothing is written; existing files are kept unless --force):
  --out FILE.pem     one file: the certificate, the CA certificate and the private key
                     (mode 0600), like the localhost.pem of Python's ssl examples:
                       Python: ctx.load_cert_chain('FILE.pem')
                       tlskit serve -s FILE.pem ...,  openssl s_server -cert FILE.pem
  --cert F --key F   certificate (mode 0644) and private key (mode 0600) in two files, for
                     servers that want them apart (Apache, nginx)

Validity: from now (backdated one hour, for clocks a little behind) for --days days. The
default, 397 days, fits the 398 days publicly trusted CAs may issue (the limit `tlskit scan
--policy mozilla-intermediate` checks; counted with both ends included). Browsers do not hold a
CA you installed yourself to that, but Apple platforms reject more than 825 days even then.
Labs can choose any window, also in the past or the future:
  --not-before WHEN  start. WHEN is a date (2025-03-01, midnight UTC), an RFC 3339 time
                     (2025-03-01T12:00:00Z), `now`, or an offset from now with a sign:
                     -30d, +2d, -12h (units s, m, h, d, w)
  --not-after WHEN   end; alone (or with --days) the validity counts back from it
For example `--not-before -30d --days 1` expired 29 days ago and `--not-before +7d` is not
valid for another week; `tlskit cert show` and `openssl verify` report both.";

const ISSUE_EXAMPLES: &str = "\
Examples:
  tlskit cert issue --ca ca --out server.pem www.bank32.com '*.bank32.com'   # SEED lab
  tlskit cert issue --ca ca --out localhost.pem localhost 127.0.0.1 ::1
  tlskit cert issue --ca ca --cert server.crt --key server.key www.lab.test 10.9.0.80
  tlskit cert issue --ca ca --client --out alice.pem alice alice@example.com
  tlskit cert issue --ca ca --out expired.pem --not-before -30d --days 1 localhost
  tlskit cert issue --ca ca --out future.pem --not-before +7d localhost
  tlskit cert issue --ca seed/ca.crt --ca-key seed/ca.key --out bank.pem www.bank32.com
  tlskit cert issue --out app.pem app.test        # the default CA ($TLSKIT_CA or ~/.local/share/tlskit/ca)

Quote wildcards ('*.bank32.com') so that the shell does not expand them.";

#[derive(clap::Args, Debug)]
#[command(
    about = "Issue a server or client certificate for DNS names and IP addresses",
    long_about = ISSUE_LONG,
    after_help = ISSUE_EXAMPLES
)]
pub(super) struct IssueArgs {
    /// The CA: a directory made by `tlskit cert ca` (ca.crt + ca.key), or a CA certificate file
    /// (default: $TLSKIT_CA, else ~/.local/share/tlskit/ca).
    #[arg(long, value_name = "DIR|FILE")]
    ca: Option<PathBuf>,
    /// The CA's private key, when it is not DIR/ca.key or inside the --ca file.
    #[arg(long, value_name = "FILE")]
    ca_key: Option<PathBuf>,
    /// Write certificate, CA certificate and key to one PEM file (mode 0600).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["cert", "key"], required_unless_present_any = ["cert", "key"])]
    out: Option<PathBuf>,
    /// Write the certificate to FILE (use with --key).
    #[arg(long, value_name = "FILE", requires = "key")]
    cert: Option<PathBuf>,
    /// Write the private key to FILE, mode 0600 (use with --cert).
    #[arg(long, value_name = "FILE", requires = "cert")]
    key: Option<PathBuf>,
    /// Issue a client certificate (extended key usage clientAuth) instead of a server one.
    #[arg(long)]
    client: bool,
    /// With --client: make it a server certificate too (serverAuth and clientAuth).
    #[arg(long, requires = "client")]
    server: bool,
    /// Validity in days (default 397), counted from --not-before.
    #[arg(long, value_name = "N")]
    days: Option<u32>,
    /// Start of validity: 2025-03-01, 2025-03-01T12:00:00Z, now, -30d, +2d, -12h … (default: now).
    #[arg(long, value_name = "WHEN", allow_hyphen_values = true)]
    not_before: Option<String>,
    /// End of validity, same forms (then give at most one of --not-before and --days).
    #[arg(long, value_name = "WHEN", allow_hyphen_values = true)]
    not_after: Option<String>,
    /// Key algorithm: ecdsa-p256, ecdsa-p384, rsa2048, rsa3072, rsa4096, ed25519 (default: the CA's).
    #[arg(long, value_name = "TYPE", value_parser = parse_key_type)]
    key_type: Option<KeyType>,
    /// Subject common name (default: the first NAME).
    #[arg(long, value_name = "NAME")]
    cn: Option<String>,
    /// Replace existing output files.
    #[arg(long)]
    force: bool,
    /// Print what was issued as JSON.
    #[arg(long)]
    json: bool,
    /// DNS names, wildcards (*.example.com) and IP addresses (127.0.0.1, ::1) the certificate is for.
    #[arg(value_name = "NAME")]
    names: Vec<String>,
}

#[derive(Serialize)]
struct IssueReport<'a> {
    kind: &'static str,
    ca: &'a Path,
    key_type: KeyType,
    files: &'a [ca::WrittenFile],
    certificate: &'a CertInfo,
    warnings: &'a [String],
}

/// A host name to suggest for `tlskit connect`: the first SAN, with a wildcard made concrete.
fn example_host(info: &CertInfo) -> Option<String> {
    if let Some(d) = info.san_dns.first() {
        return Some(
            d.strip_prefix("*.")
                .map(|rest| format!("www.{rest}"))
                .unwrap_or_else(|| d.clone()),
        );
    }
    info.san_ip.first().cloned()
}

/// Where `--out` or `--cert`/`--key` say the certificate and key go.
fn destination(a: &IssueArgs) -> Result<Output> {
    match (&a.out, &a.cert, &a.key) {
        (Some(o), None, None) => Ok(Output::Combined(o.clone())),
        (None, Some(c), Some(k)) => Ok(Output::Separate { cert: c.clone(), key: k.clone() }),
        _ => Err(Error::usage(
            "choose where to write: --out FILE.pem (one file) or --cert FILE --key FILE (two files)",
        )),
    }
}

/// The CA to sign with: `--ca`, else the default CA directory (which must hold a CA).
fn ca_location(a: &IssueArgs) -> Result<PathBuf> {
    if let Some(c) = &a.ca {
        return Ok(c.clone());
    }
    let d = ca::default_ca_dir()?;
    if !ca::ca_file_exists(&d.join(ca::CA_CERT_FILE), &d)? {
        return Err(Error::usage(format!(
            "no --ca given and the default CA directory {} holds no CA: create it with `tlskit cert ca` (or `tlskit lab`), or pass --ca DIR",
            d.display()
        )));
    }
    Ok(d)
}

pub(super) fn run(a: IssueArgs) -> Result<i32> {
    let dest = destination(&a)?;
    let ca = Ca::load(&ca_location(&a)?, a.ca_key.as_deref())?;
    let validity = Validity::from_flags(
        a.not_before.as_deref(),
        a.not_after.as_deref(),
        a.days,
        ca::DEFAULT_LEAF_DAYS,
    )?;
    ca::check_output(&dest, a.force)?;
    let req = IssueRequest {
        names: a.names.clone(),
        common_name: a.cn.clone(),
        server: !a.client || a.server,
        client: a.client,
        key_type: a.key_type,
        validity,
    };
    let issued = ca.issue(&req)?;
    let files = issued.write(&dest, a.force)?;
    for w in &issued.warnings {
        output::warn(w);
    }
    let kind = match (req.server, req.client) {
        (true, true) => "server and client",
        (false, true) => "client",
        _ => "server",
    };
    if a.json {
        emit_json(&IssueReport {
            kind,
            ca: &ca.cert_path,
            key_type: issued.key_type,
            files: &files,
            certificate: &issued.info,
            warnings: &issued.warnings,
        })?;
        return Ok(0);
    }
    let mut out = String::new();
    describe_issued(&mut out, kind, &issued, &ca.cert_path);
    say!(out, "Wrote:");
    print_files(&mut out, &files);
    next_steps(&mut out, &dest, req.server, &ca.cert_path, &issued.info);
    emit(&out)?;
    Ok(0)
}

/// "Issued a server certificate for …" and the certificate's main fields.
fn describe_issued(out: &mut String, kind: &str, issued: &ca::Issued, ca_cert: &Path) {
    let info = &issued.info;
    let names = info.san_list();
    // The names as given: the SAN values, led by the CN when it is not one of them (alice).
    let mut shown: Vec<&str> = names
        .iter()
        .map(|n| n.split_once(':').map_or(n.as_str(), |x| x.1))
        .collect();
    if let Some(cn) = info.common_name.as_deref() {
        if !shown.contains(&cn) {
            shown.insert(0, cn);
        }
    }
    let for_names = if shown.is_empty() {
        info.subject.clone()
    } else {
        shown.join(", ")
    };
    say!(out, "Issued a {kind} certificate for {for_names}");
    say!(out, "  Subject:   {}", info.subject);
    say!(out, "  Issuer:    {} ({})", info.issuer, ca_cert.display());
    say!(out, "  Key:       {}", issued.key_type.description());
    say!(
        out,
        "  Validity:  {} to {} ({} day{}; {})",
        info.not_before,
        info.not_after,
        info.validity_days,
        if info.validity_days == 1 { "" } else { "s" },
        info.validity_status()
    );
    say!(out, "  Usage:     {}", info.eku.join(", "));
}

/// The commands that use what was just issued: serve with it, connect to it.
fn next_steps(out: &mut String, dest: &Output, server: bool, ca_cert: &Path, info: &CertInfo) {
    let ca_crt = shp(ca_cert);
    say!(out, "Next:");
    match (dest, server) {
        (Output::Combined(p), true) => {
            say!(out, "  tlskit serve -s {} 127.0.0.1 8443", shp(p));
        }
        (Output::Separate { cert, key }, true) => {
            say!(
                out,
                "  tlskit serve -s {} -k {} 127.0.0.1 8443",
                shp(cert),
                shp(key)
            );
        }
        (Output::Combined(p), false) => {
            say!(out, "  tlskit connect -a {ca_crt} -c {} HOST PORT", shp(p));
        }
        (Output::Separate { cert, key }, false) => {
            say!(
                out,
                "  tlskit connect -a {ca_crt} -c {} -k {} HOST PORT",
                shp(cert),
                shp(key)
            );
        }
    }
    if !server {
        say!(
            out,
            "  (a server checks it with: tlskit serve -a {ca_crt} --require-client-cert ...)"
        );
        return;
    }
    match example_host(info) {
        Some(h)
            if !h.contains(':') && h.parse::<std::net::Ipv4Addr>().is_err() && h != "localhost" =>
        {
            say!(
                out,
                "  tlskit connect -a {ca_crt} {} 8443    (with {h} pointing at 127.0.0.1, e.g. in /etc/hosts)",
                sh(&h)
            );
        }
        Some(h) => say!(out, "  tlskit connect -a {ca_crt} {} 8443", sh(&h)),
        None => {}
    }
}
