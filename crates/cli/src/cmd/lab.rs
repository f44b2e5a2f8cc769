//! `tlskit lab`: every bad endpoint a TLS class needs, on loopback, with an index page.

use super::common;
use crate::output;
use std::io::Write;
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Arc;
use tlskit::lab::{self, LabOptions};
use tlskit::{Error, Result};

const LONG: &str = "\
Start a TLS lab on this machine: one HTTPS endpoint per thing that can be wrong with TLS, the
broken ones on purpose, like badssl.com but offline and on loopback.

  good                   a correct server (its page at https://localhost:N/ lists all the others)
  expired, not-yet-valid certificates outside their validity
  wrong-host             a certificate for another name
  self-signed            nobody vouches for the certificate
  untrusted-root         a chain up to a root you do not trust
  incomplete-chain       the intermediate certificate is missing
  revoked                revoked by the CA: a CRL and an OCSP responder (plain HTTP on loopback)
                         say so, and the certificate points at them
  sha1-signature         a certificate signed with SHA-1
  rsa-1024               a 1024-bit RSA key                            (legacy build)
  client-cert-required   mutual TLS (DIR/lab/client.pem is a client certificate)
  hsts                   Strict-Transport-Security
  no-sni-different-cert  one certificate with SNI, another without (connect by IP address)
  tls1.0, tls1.1, rc4, 3des, dh-1024, null, export                     (legacy build)

Each gets its own port, N (--port-base) upward in that order; the revocation service is N+20.
The lab CA is DIR/ca.crt and DIR/ca.key, made once (name-constrained: it can only vouch for
*.test, localhost and loopback addresses) and kept, so you trust it once:
  tlskit cert trust DIR          (Chromium; --firefox-profile, --system: see its --help)
Every endpoint certificate is made fresh in DIR/lab/ at each start. DIR/endpoints.json lists
every endpoint as {name, url, port, expect, ...}, where expect says what a correct client does.

The legacy endpoints (old protocols and ciphers, a 1024-bit RSA key) need weak crypto that
rustls refuses, and so does the default tlskit binary. A build with
  cargo build --release --features legacy-lab
adds them, served by a vendored OpenSSL; without it they are listed as not served.

Ctrl-C stops everything. Each connection is logged on stderr: [endpoint] peer, what was
negotiated, or why the handshake failed (often the client's alert: what it rejected).";

const EXAMPLES: &str = "\
Examples:
  tlskit lab                                   # DIR = $TLSKIT_CA or ~/.local/share/tlskit/ca
  tlskit cert trust                            # once: Chromium trusts the lab CA
  chromium https://localhost:9443/             # the index
  tlskit connect -a ~/.local/share/tlskit/ca/ca.crt localhost 9444   # expired
  tlskit lab --dir ./lab --port-base 20000 --json";

#[derive(clap::Args, Debug)]
#[command(about = "Start a lab of broken TLS endpoints on loopback (expired, wrong host, revoked …)", long_about = LONG, after_help = EXAMPLES)]
pub struct Args {
    /// Lab directory: the CA (ca.crt, ca.key), endpoints.json, lab/ (default: $TLSKIT_CA, else
    /// ~/.local/share/tlskit/ca).
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
    /// Address to listen on (loopback by default; the legacy endpoints only ever use loopback).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
    listen: IpAddr,
    /// First port: good gets N, expired N+1 … (see the list above).
    #[arg(long, value_name = "N", default_value_t = lab::DEFAULT_PORT_BASE)]
    port_base: u16,
    /// Print the endpoints as JSON (the same as DIR/endpoints.json) instead of a table.
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args) -> Result<i32> {
    let dir = match &args.dir {
        Some(d) => d.clone(),
        None => lab::default_dir()?,
    };
    if !args.listen.is_loopback() {
        output::warn(format!(
            "--listen {}: the lab's broken endpoints will be reachable from the network",
            args.listen
        ));
    }
    let options = LabOptions {
        dir: dir.clone(),
        listen: args.listen,
        port_base: args.port_base,
    };
    tlskit::net::ignore_sigpipe();
    let rt = common::runtime()?;
    rt.block_on(async move {
        let lab = lab::setup(options).await?;
        let json_path = lab.write_endpoints_json()?;
        if args.json {
            output::print_json(&lab.endpoints)?;
        } else {
            print_table(&lab, &json_path);
        }
        let log: lab::LogFn = Arc::new(|name: &str, line: String| {
            let mut err = std::io::stderr().lock();
            let _ = writeln!(err, "[{name}] {line}");
        });
        lab.run(log, shutdown_signal()).await?;
        eprintln!("tlskit lab: stopped");
        Ok::<i32, Error>(0)
    })
}

fn print_table(lab: &lab::Lab, json_path: &std::path::Path) {
    let mut out = String::new();
    let ca = lab.options.dir.join("ca.crt");
    out.push_str(&format!(
        "tlskit lab: {} endpoints on {} (CA {}; revocation service {})\n\n",
        lab.endpoints.iter().filter(|e| e.available).count(),
        lab.options.listen,
        ca.display(),
        lab.responder_url
    ));
    let w = lab
        .endpoints
        .iter()
        .map(|e| e.name.len())
        .max()
        .unwrap_or(4);
    let uw = lab.endpoints.iter().map(|e| e.url.len()).max().unwrap_or(4);
    out.push_str(&format!(
        "  {:<w$}  {:<uw$}  a correct client\n",
        "endpoint", "url"
    ));
    let mut missing = 0;
    for e in &lab.endpoints {
        let expect = if e.available {
            e.expect.clone()
        } else {
            missing += 1;
            "(not served: legacy build only)".to_string()
        };
        out.push_str(&format!("  {:<w$}  {:<uw$}  {expect}\n", e.name, e.url));
    }
    out.push('\n');
    if missing > 0 {
        out.push_str(&format!(
            "{missing} legacy endpoints are not served by this build: they need a tlskit built with the\nlegacy OpenSSL server (cargo build --release --features legacy-lab); rustls, and so the default\nbinary, refuses to serve them.\n"
        ));
    }
    out.push_str(&format!(
        "Index: {}   Endpoints as JSON: {}\n",
        lab.endpoints
            .iter()
            .find(|e| e.name == "good")
            .map(|e| e.url.as_str())
            .unwrap_or(""),
        json_path.display()
    ));
    out.push_str(&format!(
        "Trust the lab CA in Chromium: tlskit cert trust {}\nCtrl-C stops the lab.\n",
        tlskit::pki::trust::shell_word(&lab.options.dir.display().to_string())
    ));
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(out.as_bytes());
    let _ = stdout.flush();
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
