//! `tlskit cert ca`: create a lab CA.

use super::{date_of, emit, emit_json, parse_key_type, shp};
use crate::output;
use std::path::PathBuf;
use tlskit::pki::ca::{self, CaOptions, KeyType, Validity};
use tlskit::Result;

// Help texts: written at column 0 so that what you see here is what `--help` prints.
// Lines stay under 96 columns, so clap does not re-wrap them on an 100-column terminal.

const CA_LONG: &str = "\
Create a certificate authority (CA) in DIR:

  DIR/ca.crt  the CA certificate (public). Clients trust it:
              tlskit connect -a DIR/ca.crt HOST PORT
              Python: ctx.load_verify_locations('DIR/ca.crt')
              openssl verify -CAfile DIR/ca.crt CERT,  curl --cacert DIR/ca.crt URL
              or import it into a browser as a certificate authority.
  DIR/ca.key  the CA's private key (mode 0600). Whoever has it can make certificates that
              every client trusting ca.crt accepts: keep it out of shared folders and git.

ca.crt is a self-signed X.509 v3 certificate with basicConstraints CA:TRUE and keyUsage
keyCertSign, cRLSign (both marked critical) and a subject key identifier. DIR is created
(mode 0700) if it does not exist; without --out it is the default CA directory ($TLSKIT_CA, else
~/.local/share/tlskit/ca). An existing CA is not replaced without --force: every certificate it
issued would stop verifying.

--name-constraints makes a CA that can only vouch for the names listed (RFC 5280 name
constraints, a critical extension every modern client enforces): with
  --name-constraints DNS:.test,DNS:localhost,IP:127.0.0.0/8,IP:::1/128
a certificate it issues for www.bank32.com or any real site is rejected by browsers, OpenSSL and
rustls even where the CA is trusted, so installing it in your browser is safe. DNS:.test covers
names below .test, DNS:localhost covers localhost and names below it, IP: takes a prefix length.
`tlskit lab` and `tlskit demo` make such CAs (--name-constraints lab is that list).

Next step: tlskit cert issue --ca DIR ...  (see `tlskit cert issue --help`).";

const CA_EXAMPLES: &str = "\
Examples:
  tlskit cert ca --out ca
  tlskit cert ca --out ca --cn 'SEED lab CA' --key-type rsa2048
  tlskit cert ca --out old-ca --not-before -400d --days 365     # an expired CA, for a lab
  tlskit cert ca --out lab-ca --name-constraints DNS:.test,DNS:localhost,IP:127.0.0.0/8
  tlskit cert ca                   # the default CA directory (~/.local/share/tlskit/ca)";

#[derive(clap::Args, Debug)]
#[command(
    about = "Create a certificate authority: DIR/ca.crt and DIR/ca.key",
    long_about = CA_LONG,
    after_help = CA_EXAMPLES
)]
pub(super) struct CaArgs {
    /// Directory for ca.crt and ca.key (created if missing; default: $TLSKIT_CA, else
    /// ~/.local/share/tlskit/ca).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Names the CA may vouch for, e.g. DNS:.test,DNS:localhost,IP:127.0.0.0/8,IP:::1/128
    /// (`lab`: that list). Certificates it issues for other names are rejected by clients.
    #[arg(long, value_name = "LIST")]
    name_constraints: Option<String>,
    /// The CA's name (subject common name).
    #[arg(long, value_name = "NAME", default_value = ca::DEFAULT_CA_NAME)]
    cn: String,
    /// Validity in days.
    #[arg(long, value_name = "N", default_value_t = ca::DEFAULT_CA_DAYS)]
    days: u32,
    /// Key algorithm: ecdsa-p256, ecdsa-p384, rsa2048, rsa3072, rsa4096 or ed25519.
    /// (Ed25519 CAs are not accepted by browsers; RSA is the most widely understood.)
    #[arg(long, value_name = "TYPE", default_value = "ecdsa-p256", value_parser = parse_key_type)]
    key_type: KeyType,
    /// Start of validity (default: now, backdated one hour). Same forms as `cert issue --not-before`.
    #[arg(long, value_name = "WHEN", allow_hyphen_values = true)]
    not_before: Option<String>,
    /// End of validity (instead of --days). Same forms as --not-before.
    #[arg(
        long,
        value_name = "WHEN",
        allow_hyphen_values = true,
        conflicts_with = "days"
    )]
    not_after: Option<String>,
    /// Replace an existing CA in DIR.
    #[arg(long)]
    force: bool,
    /// Print what was created as JSON.
    #[arg(long)]
    json: bool,
}

pub(super) fn run(a: CaArgs) -> Result<i32> {
    let mut out = String::new();
    let days = if a.not_before.is_some() && a.not_after.is_some() {
        None
    } else {
        Some(a.days)
    };
    let validity = Validity::from_flags(
        a.not_before.as_deref(),
        a.not_after.as_deref(),
        days,
        ca::DEFAULT_CA_DAYS,
    )?;
    let name_constraints = match a.name_constraints.as_deref() {
        Some("lab") => ca::parse_name_constraints(ca::LAB_NAME_CONSTRAINTS)?,
        Some(list) => ca::parse_name_constraints(list)?,
        None => Vec::new(),
    };
    let opts = CaOptions {
        common_name: a.cn.clone(),
        key_type: a.key_type,
        validity,
        force: a.force,
        name_constraints,
    };
    let dir = match &a.out {
        Some(d) => d.clone(),
        None => ca::default_ca_dir()?,
    };
    let created = ca::create_ca(&dir, &opts)?;
    for note in &created.notes {
        output::warn(note);
    }
    if a.json {
        emit_json(&created)?;
        return Ok(0);
    }
    let info = &created.info;
    say!(
        out,
        "Created CA \"{}\" ({}, valid {} to {}; {}):",
        a.cn,
        created.key_type.description(),
        date_of(&info.not_before),
        date_of(&info.not_after),
        info.validity_status()
    );
    let width = created
        .certificate
        .display()
        .to_string()
        .len()
        .max(created.key.display().to_string().len());
    say!(
        out,
        "  {:<width$}  CA certificate: give it to clients to trust (mode 0644)",
        created.certificate.display().to_string()
    );
    say!(
        out,
        "  {:<width$}  CA private key: keep it secret (mode 0600)",
        created.key.display().to_string()
    );
    if !opts.name_constraints.is_empty() {
        let list: Vec<String> = opts.name_constraints.iter().map(|c| c.text()).collect();
        say!(out, "It may only vouch for: {}", list.join(", "));
    }
    say!(out);
    say!(out, "Next: issue a server certificate with it, e.g.");
    say!(
        out,
        "  tlskit cert issue --ca {} --out localhost.pem localhost 127.0.0.1 ::1",
        shp(&dir)
    );
    say!(
        out,
        "  tlskit cert trust {}    # make your browser trust it",
        shp(&dir)
    );
    emit(&out)?;
    Ok(0)
}
