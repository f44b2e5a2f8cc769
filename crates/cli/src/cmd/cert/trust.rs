//! `tlskit cert trust`: make a browser or the system trust a CA.

use super::shp;
use crate::output;
use std::path::PathBuf;
use tlskit::pki::ca;
use tlskit::pki::inspect::CertInfo;
use tlskit::pki::load;
use tlskit::{Error, Result};

// Help texts: written at column 0 so that what you see here is what `--help` prints.
// Lines stay under 96 columns, so clap does not re-wrap them on an 100-column terminal.

const TRUST_LONG: &str = "\
Make clients trust a CA — like `mkcert -install`, but every step is an ordinary command,
printed before it runs, so you can read it, repeat it by hand, and undo it (--undo).

Where (default: Chromium's NSS database, $HOME/.pki/nssdb):
  --nss-db DIR            an NSS database (created if missing). Chromium and Chrome on Linux
                          read $HOME/.pki/nssdb. Runs: certutil -d sql:DIR -A -t C,, -n NICK -i ca.crt
  --firefox-profile DIR   a Firefox profile (~/.mozilla/firefox/XXXX.default-release): the same
                          certutil steps on its cert9.db; restart Firefox afterwards
  --system                the operating system's store (Debian, Ubuntu; needs root): copies
                          ca.crt to /usr/local/share/ca-certificates/ and runs
                          update-ca-certificates. OpenSSL, curl, Python and tlskit itself then
                          trust it without -a.

CA_DIR is a CA directory (its ca.crt) or a CA certificate file; default: the default CA
directory ($TLSKIT_CA, else ~/.local/share/tlskit/ca), where `tlskit lab` keeps its CA.
The nickname (and the system file name) is 'tlskit <CN> <fingerprint>', so --undo finds it.

Trust only CAs whose key you keep safe: whoever has ca.key can then impersonate any site to
you — unless the CA has name constraints (`tlskit cert ca --name-constraints lab`, the default
of `tlskit lab` and `tlskit demo`), which limit it to names such as *.test and localhost.
certutil is in the Debian package libnss3-tools.";

const TRUST_EXAMPLES: &str = "\
Examples:
  tlskit cert trust                          # the lab CA, for Chromium ($HOME/.pki/nssdb)
  tlskit cert trust --dry-run ./ca           # only print the commands
  tlskit cert trust ./ca --firefox-profile ~/.mozilla/firefox/abcd1234.default-release
  sudo tlskit cert trust ./ca --system
  tlskit cert trust ./ca --undo";

#[derive(clap::Args, Debug)]
#[command(
    about = "Make a browser or the system trust a CA (certutil / update-ca-certificates), or undo it",
    long_about = TRUST_LONG,
    after_help = TRUST_EXAMPLES
)]
pub(super) struct TrustArgs {
    /// The CA: a directory with ca.crt, or a certificate file (default: the default CA directory).
    #[arg(value_name = "CA_DIR")]
    ca: Option<PathBuf>,
    /// An NSS database directory (default: $HOME/.pki/nssdb, Chromium's).
    #[arg(long, value_name = "DIR", conflicts_with_all = ["system", "firefox_profile"])]
    nss_db: Option<PathBuf>,
    /// The system trust store (update-ca-certificates; needs root).
    #[arg(long, conflicts_with = "firefox_profile")]
    system: bool,
    /// A Firefox profile directory.
    #[arg(long, value_name = "DIR")]
    firefox_profile: Option<PathBuf>,
    /// Remove the CA again instead.
    #[arg(long)]
    undo: bool,
    /// Print the commands without running them.
    #[arg(long)]
    dry_run: bool,
}

pub(super) fn run(a: TrustArgs) -> Result<i32> {
    use tlskit::pki::trust::{self, TrustStore};
    let path = match &a.ca {
        Some(p) => p.clone(),
        None => ca::default_ca_dir()?,
    };
    let cert_path = if path.is_dir() {
        path.join(ca::CA_CERT_FILE)
    } else {
        path.clone()
    };
    if !cert_path.exists() {
        return Err(Error::input(format!(
            "{} does not exist: give a CA directory or ca.crt (create the default one with `tlskit cert ca` or `tlskit lab`)",
            cert_path.display()
        )));
    }
    let certs = load::load_certs(&cert_path)?;
    let first = certs
        .first()
        .ok_or_else(|| Error::input(format!("{} holds no certificate", cert_path.display())))?;
    let info = CertInfo::from_der(first.as_ref())?;
    if !info.is_ca {
        return Err(Error::input(format!(
            "{} is not a CA certificate (no basicConstraints CA:TRUE); trust the CA that issued it instead",
            cert_path.display()
        )));
    }
    let cert_path = std::fs::canonicalize(&cert_path).unwrap_or(cert_path);
    let store = if a.system {
        TrustStore::System
    } else if let Some(p) = &a.firefox_profile {
        TrustStore::FirefoxProfile(p.clone())
    } else if let Some(d) = &a.nss_db {
        TrustStore::Nss(d.clone())
    } else {
        TrustStore::chromium_default()?
    };
    let steps = trust::plan(&cert_path, &info, &store, a.undo)?;
    let verb = if a.undo { "Removing" } else { "Trusting" };
    crate::outln!(
        "{verb} \"{}\" ({}) {} {}:",
        info.subject,
        cert_path.display(),
        if a.undo { "from" } else { "in" },
        store.describe()
    );
    if a.dry_run {
        for s in &steps {
            crate::outln!("  # {}", s.why);
            crate::outln!("  {}", s.command_line());
        }
        return Ok(0);
    }
    let results = trust::run(&steps, |s| {
        crate::outln!("  # {}", s.why);
        crate::outln!("  $ {}", s.command_line());
    })?;
    for r in results
        .iter()
        .filter(|r| !r.skipped && !r.output.trim().is_empty())
    {
        for line in r.output.lines() {
            crate::outln!("    {line}");
        }
    }
    if a.undo {
        crate::outln!("Done: the CA is no longer trusted there.");
    } else {
        match store {
            TrustStore::System => crate::outln!(
                "Done: OpenSSL, curl, Python and tlskit now trust it without -a. Undo: tlskit cert trust {} --system --undo",
                shp(&path)
            ),
            _ => crate::outln!(
                "Done: restart the browser to pick it up. Undo: the same command with --undo"
            ),
        }
        if info.extensions.iter().all(|e| e.oid != "2.5.29.30") {
            output::warn("this CA has no name constraints: while it is trusted, whoever holds its ca.key can impersonate any web site to this browser");
        }
    }
    Ok(0)
}
