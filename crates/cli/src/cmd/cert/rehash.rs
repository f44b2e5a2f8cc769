//! `tlskit cert rehash`: OpenSSL-style <hash>.0 links in a CA directory.

use super::{emit, emit_json, sh};
use crate::output;
use std::path::PathBuf;
use tlskit::pki::rehash;
use tlskit::Result;

// Help texts: written at column 0 so that what you see here is what `--help` prints.
// Lines stay under 96 columns, so clap does not re-wrap them on an 100-column terminal.

const REHASH_LONG: &str = "\
Create the <hash>.0 links OpenSSL looks up in a directory of CA certificates, like
`openssl rehash DIR`.

OpenSSL (openssl verify -CApath DIR, openssl s_client -CApath DIR), Python
(ctx.load_verify_locations(capath=DIR)) and many servers do not read every file in a CA
directory. They compute a hash of the issuer name they look for and open DIR/<hash>.0,
DIR/<hash>.1, ... The hash is what `openssl x509 -subject_hash -noout` prints. SEED's TLS lab
makes such a link by hand:
  ln -s ca.crt $(openssl x509 -in ca.crt -noout -subject_hash).0

This command does it for every certificate in DIR (and <hash>.r0 for every CRL):
  - old hash links are removed first (only symbolic links named like 1a2b3c4d.0);
  - files holding exactly one certificate or CRL, PEM or DER, are linked; keys and other
    files are skipped quietly (-v lists them); bundles with several certificates are
    skipped with a note, as OpenSSL does: split them, one certificate per file;
  - the same certificate in two files is linked once; certificates whose subject names hash
    alike (e.g. a renewed CA with the same name) get .1, .2, ...
Run it again whenever you add or remove a certificate.";

const REHASH_EXAMPLES: &str = "\
Examples:
  tlskit cert rehash ./client-certs
  openssl verify -CApath ./client-certs server.crt
  tlskit connect -a ./client-certs www.bank32.com 443";

#[derive(clap::Args, Debug)]
#[command(
    about = "Create OpenSSL <subject_hash>.0 links in a directory of CA certificates",
    long_about = REHASH_LONG,
    after_help = REHASH_EXAMPLES
)]
pub(super) struct RehashArgs {
    /// Directory of CA certificates.
    #[arg(value_name = "DIR")]
    dir: PathBuf,
    /// Also list the files that were skipped quietly (keys, notes).
    #[arg(short = 'v', long)]
    verbose: bool,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
}

pub(super) fn run(a: RehashArgs) -> Result<i32> {
    let mut out = String::new();
    let report = rehash::rehash_dir(&a.dir)?;
    if a.json {
        emit_json(&report)?;
        return Ok(0);
    }
    let dir = a.dir.display();
    if report.links.is_empty() {
        output::warn(format!(
            "no certificate or CRL found in {dir}; copy the CA certificates (one per file) into it first"
        ));
    } else {
        let certs = report
            .links
            .iter()
            .filter(|l| l.kind == rehash::LinkKind::Certificate)
            .count();
        let crls = report.links.len() - certs;
        let mut what = match certs {
            1 => "1 certificate".to_string(),
            n => format!("{n} certificates"),
        };
        if crls > 0 {
            what.push_str(&format!(
                " and {crls} CRL{}",
                if crls == 1 { "" } else { "s" }
            ));
        }
        say!(out, "Linked {what} in {dir}:");
        let width = report
            .links
            .iter()
            .map(|l| l.target.len())
            .max()
            .unwrap_or(0);
        let lw = report.links.iter().map(|l| l.link.len()).max().unwrap_or(0);
        for l in &report.links {
            say!(out, "  {:<lw$} -> {:<width$}  {}", l.link, l.target, l.name);
        }
    }
    if !report.removed.is_empty() {
        let n = report.removed.len();
        say!(
            out,
            "Removed {n} old link{}.",
            if n == 1 { "" } else { "s" }
        );
    }
    for s in &report.skipped {
        if !s.quiet {
            output::warn(format!("skipped {}: {}", s.file, s.reason));
        } else if a.verbose {
            say!(out, "Skipped {}: {}", s.file, s.reason);
        }
    }
    if !report.links.is_empty() {
        say!(out, "Use it: openssl verify -CApath {} CERT   |   Python: ctx.load_verify_locations(capath={:?})", sh(&dir.to_string()), dir.to_string());
    }
    emit(&out)?;
    Ok(0)
}
