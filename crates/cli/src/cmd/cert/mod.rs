//! `tlskit cert`: a small lab CA (create, issue), certificate inspection and OpenSSL-style rehash.

use clap::Subcommand;
use serde::Serialize;
use std::path::Path;
use tlskit::pki::ca::{KeyType, WrittenFile};
use tlskit::{Error, Result};

/// Append a line to an output buffer (formatting into a String cannot fail).
macro_rules! say {
    ($out:expr) => {{
        $out.push('\n');
    }};
    ($out:expr, $($arg:tt)*) => {{
        use std::fmt::Write as _;
        let _ = writeln!($out, $($arg)*);
    }};
}

mod ca;
mod issue;
mod rehash;
mod show;
mod trust;

#[derive(clap::Args, Debug)]
#[command(
    about = "A small CA for labs: create a CA, issue, show and rehash certificates",
    long_about = CERT_LONG,
    after_help = CERT_EXAMPLES
)]
pub struct Args {
    #[command(subcommand)]
    command: CertCommand,
}

#[derive(Subcommand, Debug)]
enum CertCommand {
    // No doc comments here: clap would let them replace the long help of each command.
    Ca(ca::CaArgs),
    Issue(issue::IssueArgs),
    Show(show::ShowArgs),
    Rehash(rehash::RehashArgs),
    Trust(trust::TrustArgs),
}

// Help texts: written at column 0 so that what you see here is what `--help` prints.
// Lines stay under 96 columns, so clap does not re-wrap them on an 100-column terminal.

const CERT_LONG: &str = "\
A small certificate authority for labs and local development, and tools to look at
certificates.

  tlskit cert ca      create a CA: DIR/ca.crt (the certificate clients trust) and
                      DIR/ca.key (its private key)
  tlskit cert issue   issue a server or client certificate signed by that CA
  tlskit cert show    describe the certificates in a file, or the chain a server sends
  tlskit cert rehash  make the <hash>.0 links that OpenSSL's -CApath and Python's capath= use
  tlskit cert trust   make a browser (NSS database, Firefox profile) or the system trust the CA

The certificates are ordinary X.509 v3: openssl, browsers, curl, rustls and Python's ssl
accept them once the CA certificate is trusted. `tlskit cert <command> --help` explains each
step.

The default CA directory is $TLSKIT_CA, else $XDG_DATA_HOME/tlskit/ca (~/.local/share/tlskit/ca):
`cert ca`, `cert issue` and `cert trust` use it when no directory is given, and so does
`tlskit lab`.";

const CERT_EXAMPLES: &str = "\
Examples (the SEED TLS lab, step by step):
  tlskit cert ca --out ca --cn 'SEED lab CA'
  tlskit cert issue --ca ca --out server.pem www.bank32.com '*.bank32.com'
  tlskit cert show server.pem
  tlskit cert show www.example.com:443
  tlskit cert rehash ./client-certs";

fn parse_key_type(s: &str) -> std::result::Result<KeyType, String> {
    KeyType::parse(s).map_err(|e| e.to_string())
}

pub fn run(args: Args) -> Result<i32> {
    match args.command {
        CertCommand::Ca(a) => ca::run(a),
        CertCommand::Issue(a) => issue::run(a),
        CertCommand::Show(a) => show::run(a),
        CertCommand::Rehash(a) => rehash::run(a),
        CertCommand::Trust(a) => trust::run(a),
    }
}

// ---------------------------------------------------------------------------------------------
// Helpers for the text output.

/// Print a command's output. A reader that goes away (`tlskit cert show x | head`) is not an
/// error: the output was simply not wanted any more.
fn emit(text: &str) -> Result<()> {
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Error::other(format!(
            "cannot write to standard output: {e}"
        ))),
    }
}

/// Print a value as pretty JSON (see [`emit`]).
fn emit_json<T: Serialize>(value: &T) -> Result<()> {
    let mut text = serde_json::to_string_pretty(value)
        .map_err(|e| Error::other(format!("cannot serialise JSON: {e}")))?;
    text.push('\n');
    emit(&text)
}

/// Quote a path or word for a POSIX shell when needed, so suggested commands can be pasted.
fn sh(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:@%+=,".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

fn shp(path: &Path) -> String {
    sh(&path.display().to_string())
}

fn date_of(rfc3339: &str) -> &str {
    rfc3339.get(..10).unwrap_or(rfc3339)
}

fn mode_text(mode: u32) -> String {
    format!("{mode:04o}")
}

fn print_files(out: &mut String, files: &[WrittenFile]) {
    let width = files
        .iter()
        .map(|f| f.path.display().to_string().len())
        .max()
        .unwrap_or(0);
    for f in files {
        say!(
            out,
            "  {:<width$}  {} (mode {})",
            f.path.display().to_string(),
            f.contents,
            mode_text(f.mode)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_quoting() {
        assert_eq!(sh("ca/ca.crt"), "ca/ca.crt");
        assert_eq!(sh("my ca"), "'my ca'");
        assert_eq!(sh("*.x.com"), "'*.x.com'");
        assert_eq!(sh("it's"), r"'it'\''s'");
    }
}
