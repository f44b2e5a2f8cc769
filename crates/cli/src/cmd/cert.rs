//! `tlskit cert`: a small lab CA (create, issue), certificate inspection and OpenSSL-style rehash.

use crate::output;
use clap::Subcommand;
use serde::Serialize;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use tlskit::net::starttls::Protocol;
use tlskit::net::target::TargetSpec;
use tlskit::net::Connector;
use tlskit::pki::ca::{self, Ca, CaOptions, IssueRequest, KeyType, Output, Validity};
use tlskit::pki::chain::{self, ChainAnalysis, ChainInput, Purpose, TrustStores};
use tlskit::pki::inspect::{self, CertInfo, FetchOptions, FetchedChain};
use tlskit::pki::{load, rehash};
use tlskit::{Error, Result};

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
    Ca(CaArgs),
    Issue(IssueArgs),
    Show(ShowArgs),
    Rehash(RehashArgs),
    Trust(TrustArgs),
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
(HOST, --servername or --name), as `tlskit scan` judges chains. SNI is HOST, unless HOST is an IP address (then
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
  verification      {trusted, anchors, name, error}";

const SHOW_EXAMPLES: &str = "\
Examples:
  tlskit cert show server.pem
  tlskit cert show --name abc.bank32.com server.pem      # does *.bank32.com cover it?
  tlskit cert show -a ca/ca.crt server.pem               # is it signed by my CA?
  tlskit cert show www.example.com:443
  tlskit cert show 127.0.0.1 8443 --servername www.bank32.com
  tlskit cert show -t smtp mail.example.org:25            # STARTTLS first
  tlskit cert show imaps://mail.example.org
  tlskit cert show --json '[::1]:8443'";

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
struct TrustArgs {
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

fn parse_key_type(s: &str) -> std::result::Result<KeyType, String> {
    KeyType::parse(s).map_err(|e| e.to_string())
}

#[derive(clap::Args, Debug)]
#[command(
    about = "Create a certificate authority: DIR/ca.crt and DIR/ca.key",
    long_about = CA_LONG,
    after_help = CA_EXAMPLES
)]
struct CaArgs {
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

#[derive(clap::Args, Debug)]
#[command(
    about = "Issue a server or client certificate for DNS names and IP addresses",
    long_about = ISSUE_LONG,
    after_help = ISSUE_EXAMPLES
)]
struct IssueArgs {
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

#[derive(clap::Args, Debug)]
#[command(
    about = "Describe the certificates in a file, or the chain a server sends",
    long_about = SHOW_LONG,
    after_help = SHOW_EXAMPLES
)]
struct ShowArgs {
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
    net: super::common::NetFlags,
}

#[derive(clap::Args, Debug)]
#[command(
    about = "Create OpenSSL <subject_hash>.0 links in a directory of CA certificates",
    long_about = REHASH_LONG,
    after_help = REHASH_EXAMPLES
)]
struct RehashArgs {
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

pub fn run(args: Args) -> Result<i32> {
    match args.command {
        CertCommand::Ca(a) => run_ca(a),
        CertCommand::Issue(a) => run_issue(a),
        CertCommand::Show(a) => run_show(a),
        CertCommand::Rehash(a) => run_rehash(a),
        CertCommand::Trust(a) => run_trust(a),
    }
}

// ---------------------------------------------------------------------------------------------
// Helpers for the text output.

/// Append a line to an output buffer (formatting into a String cannot fail).
macro_rules! say {
    ($out:expr) => {{
        $out.push('\n');
    }};
    ($out:expr, $($arg:tt)*) => {{
        let _ = writeln!($out, $($arg)*);
    }};
}

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

fn print_files(out: &mut String, files: &[ca::WrittenFile]) {
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

// ---------------------------------------------------------------------------------------------
// cert ca

fn run_ca(a: CaArgs) -> Result<i32> {
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

// ---------------------------------------------------------------------------------------------
// cert issue

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

fn run_issue(a: IssueArgs) -> Result<i32> {
    let mut out = String::new();
    let dest = match (&a.out, &a.cert, &a.key) {
        (Some(o), None, None) => Output::Combined(o.clone()),
        (None, Some(c), Some(k)) => Output::Separate { cert: c.clone(), key: k.clone() },
        _ => {
            return Err(Error::usage(
                "choose where to write: --out FILE.pem (one file) or --cert FILE --key FILE (two files)",
            ))
        }
    };
    let ca_path = match &a.ca {
        Some(c) => c.clone(),
        None => {
            let d = ca::default_ca_dir()?;
            if !d.join(ca::CA_CERT_FILE).exists() {
                return Err(Error::usage(format!(
                    "no --ca given and the default CA directory {} holds no CA: create it with `tlskit cert ca` (or `tlskit lab`), or pass --ca DIR",
                    d.display()
                )));
            }
            d
        }
    };
    let ca = Ca::load(&ca_path, a.ca_key.as_deref())?;
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
    say!(
        out,
        "  Issuer:    {} ({})",
        info.issuer,
        ca.cert_path.display()
    );
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
    say!(out, "Wrote:");
    print_files(&mut out, &files);

    let ca_crt = shp(&ca.cert_path);
    let host = example_host(info);
    say!(out, "Next:");
    match (&dest, req.server) {
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
    if req.server {
        match host {
            Some(h)
                if !h.contains(':')
                    && h.parse::<std::net::Ipv4Addr>().is_err()
                    && h != "localhost" =>
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
    } else {
        say!(
            out,
            "  (a server checks it with: tlskit serve -a {ca_crt} --require-client-cert ...)"
        );
    }
    emit(&out)?;
    Ok(0)
}

// ---------------------------------------------------------------------------------------------
// cert trust

fn run_trust(a: TrustArgs) -> Result<i32> {
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
    println!(
        "{verb} \"{}\" ({}) {} {}:",
        info.subject,
        cert_path.display(),
        if a.undo { "from" } else { "in" },
        store.describe()
    );
    if a.dry_run {
        for s in &steps {
            println!("  # {}", s.why);
            println!("  {}", s.command_line());
        }
        return Ok(0);
    }
    let results = trust::run(&steps, |s| {
        println!("  # {}", s.why);
        println!("  $ {}", s.command_line());
    })?;
    for r in results
        .iter()
        .filter(|r| !r.skipped && !r.output.trim().is_empty())
    {
        for line in r.output.lines() {
            println!("    {line}");
        }
    }
    if a.undo {
        println!("Done: the CA is no longer trusted there.");
    } else {
        match store {
            TrustStore::System => println!(
                "Done: OpenSSL, curl, Python and tlskit now trust it without -a. Undo: tlskit cert trust {} --system --undo",
                shp(&path)
            ),
            _ => println!(
                "Done: restart the browser to pick it up. Undo: the same command with --undo"
            ),
        }
        if info.extensions.iter().all(|e| e.oid != "2.5.29.30") {
            output::warn("this CA has no name constraints: while it is trusted, whoever holds its ca.key can impersonate any web site to this browser");
        }
    }
    Ok(0)
}

// ---------------------------------------------------------------------------------------------
// cert show

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
    Ok(ShowSource::Server(super::common::target_from(
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
fn show_stores(ca: &[PathBuf]) -> Result<(TrustStores, &'static str, String)> {
    let stores = TrustStores::load(ca)?;
    let (store, label) = if !ca.is_empty() {
        let names: Vec<String> = ca.iter().map(|p| p.display().to_string()).collect();
        ("custom", names.join(", "))
    } else if stores.system.anchors.is_empty() {
        (
            "mozilla",
            "Mozilla roots built into tlskit (no system store found)".to_string(),
        )
    } else {
        ("system", "system roots".to_string())
    };
    Ok((stores, store, label))
}

/// The verdict of `store` in `analysis`, with the host name check folded in.
fn verification(
    analysis: &ChainAnalysis,
    store: &str,
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

fn run_show(a: ShowArgs) -> Result<i32> {
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
    let verification = if a.ca.is_empty() {
        None
    } else {
        let (stores, store, label) = show_stores(&a.ca)?;
        let purpose = if client_only(&infos[0]) {
            Purpose::ClientAuth
        } else {
            Purpose::ServerAuth
        };
        let input = ChainInput::new(&certs, None, None);
        let analysis = chain::analyse_for(&input, &stores, purpose);
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
    let starttls = super::common::choose_starttls(spec, flag, a.no_starttls)?;
    if starttls.is_none() && a.starttls_name.is_some() {
        return Err(Error::usage("--starttls-name needs STARTTLS: add -t PROTO"));
    }
    let target = spec.target.clone();
    let route = a.net.route()?;
    let (stores, store, label) = show_stores(&a.ca)?;
    let mut connector =
        Connector::new(target.clone(), super::common::secs(a.timeout)).with_route(&route);
    if let Some(p) = starttls {
        // An XMPP domain is usually also the name the certificate is checked against.
        let xmpp = matches!(p, Protocol::Xmpp | Protocol::XmppServer);
        let name = a
            .starttls_name
            .clone()
            .or_else(|| a.servername.clone().filter(|_| xmpp));
        connector = connector.with_starttls(p, name);
    }
    super::common::note_env_proxy(&route, &target);
    let opts = FetchOptions {
        connector,
        servername: a.servername.clone(),
    };
    let fetched = super::common::runtime()?.block_on(inspect::fetch_chain(&opts))?;
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
    let input = ChainInput::new(
        &fetched.certs,
        Some(&check_name),
        fetched.ocsp_response.as_deref(),
    );
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
    if report.name_check.is_some() || report.verification.is_some() {
        say!(out);
    }
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
}

// ---------------------------------------------------------------------------------------------
// cert rehash

fn run_rehash(a: RehashArgs) -> Result<i32> {
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
