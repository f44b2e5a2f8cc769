//! A small certificate authority for labs: create a CA ([`create_ca`]), load it ([`Ca::load`]) and
//! issue server and client certificates ([`Ca::issue`]) with any validity window — labs need
//! expired and not-yet-valid certificates too.
//!
//! Files are written so that nothing is ever half-written: every output is staged in a temporary
//! file in its target directory (with its final mode set before any byte is written; private keys
//! get 0600), and only when all outputs of an operation are staged are they renamed into place.

use super::inspect::CertInfo;
use crate::error::{file_error, Error, Result};
use crate::fsutil::{KEY_MODE, PUBLIC_MODE};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, PublicKeyData, SanType, SerialNumber,
};
use rustls_pki_types::CertificateDer;
use serde::Serialize;
use std::fmt;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use time::{Duration, OffsetDateTime};

/// Common name of a CA when none is given.
pub const DEFAULT_CA_NAME: &str = "tlskit lab CA";
/// Validity of a CA when none is given (about ten years).
pub const DEFAULT_CA_DAYS: u32 = 3650;
/// Validity of an issued certificate when none is given: 397 days fits the 398-day limit of the
/// CA/Browser Forum and Mozilla's root store policy (which `tlskit scan --policy` checks), counted
/// the RFC 5280 way (both ends inclusive), and so also Apple's 825-day limit for private CAs.
pub const DEFAULT_LEAF_DAYS: u32 = 397;
/// Longest validity Apple platforms accept for TLS server certificates, even from a private CA.
pub const APPLE_MAX_LEAF_DAYS: u32 = 825;
/// Longest validity the CA/Browser Forum and Mozilla allow for TLS server certificates.
pub const CABF_MAX_LEAF_DAYS: u32 = 398;
/// The name constraints of a lab CA (`tlskit lab`, `tlskit demo`): it can only vouch for names
/// under `.test` (RFC 2606), `localhost` and loopback addresses, never for a real site — so
/// trusting it in a browser cannot be abused against the rest of the web.
pub const LAB_NAME_CONSTRAINTS: &str = "DNS:.test,DNS:localhost,IP:127.0.0.0/8,IP:::1/128";
/// Environment variable naming the default CA directory.
pub const CA_DIR_ENV: &str = "TLSKIT_CA";
/// File names inside a CA directory.
pub const CA_CERT_FILE: &str = "ca.crt";
pub const CA_KEY_FILE: &str = "ca.key";
/// How far "now" is backdated when no start is given, so that a clock a little behind still
/// accepts a fresh certificate.
pub const BACKDATE: Duration = Duration::hours(1);

/// The key algorithms tlskit generates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyType {
    EcdsaP256,
    EcdsaP384,
    Rsa2048,
    Rsa3072,
    Rsa4096,
    Ed25519,
}

impl KeyType {
    pub const ALL: [KeyType; 6] = [
        KeyType::EcdsaP256,
        KeyType::EcdsaP384,
        KeyType::Rsa2048,
        KeyType::Rsa3072,
        KeyType::Rsa4096,
        KeyType::Ed25519,
    ];

    /// The name used on the command line: `ecdsa-p256`, `rsa2048`, `ed25519`, …
    pub fn name(self) -> &'static str {
        match self {
            KeyType::EcdsaP256 => "ecdsa-p256",
            KeyType::EcdsaP384 => "ecdsa-p384",
            KeyType::Rsa2048 => "rsa2048",
            KeyType::Rsa3072 => "rsa3072",
            KeyType::Rsa4096 => "rsa4096",
            KeyType::Ed25519 => "ed25519",
        }
    }

    /// How people write it: `ECDSA P-256`, `RSA 2048`, `Ed25519`.
    pub fn description(self) -> &'static str {
        match self {
            KeyType::EcdsaP256 => "ECDSA P-256",
            KeyType::EcdsaP384 => "ECDSA P-384",
            KeyType::Rsa2048 => "RSA 2048",
            KeyType::Rsa3072 => "RSA 3072",
            KeyType::Rsa4096 => "RSA 4096",
            KeyType::Ed25519 => "Ed25519",
        }
    }

    pub fn is_rsa(self) -> bool {
        matches!(self, KeyType::Rsa2048 | KeyType::Rsa3072 | KeyType::Rsa4096)
    }

    /// Parse a command-line name (a few common spellings are accepted).
    pub fn parse(s: &str) -> Result<KeyType> {
        let norm = s.trim().to_ascii_lowercase().replace(['_', ' '], "-");
        Ok(match norm.as_str() {
            "ecdsa-p256" | "ecdsa" | "p256" | "p-256" | "ec" | "ecdsa-p-256" | "prime256v1" => {
                KeyType::EcdsaP256
            }
            "ecdsa-p384" | "p384" | "p-384" | "ecdsa-p-384" | "secp384r1" => KeyType::EcdsaP384,
            "rsa2048" | "rsa-2048" | "rsa" => KeyType::Rsa2048,
            "rsa3072" | "rsa-3072" => KeyType::Rsa3072,
            "rsa4096" | "rsa-4096" => KeyType::Rsa4096,
            "ed25519" | "eddsa" => KeyType::Ed25519,
            _ => {
                return Err(Error::usage(format!(
                    "unknown key type {s:?}; choose one of: {}",
                    KeyType::ALL.map(KeyType::name).join(", ")
                )))
            }
        })
    }

    fn generate(self) -> Result<KeyPair> {
        let made = match self {
            KeyType::EcdsaP256 => KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256),
            KeyType::EcdsaP384 => KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384),
            KeyType::Ed25519 => KeyPair::generate_for(&rcgen::PKCS_ED25519),
            KeyType::Rsa2048 => {
                KeyPair::generate_rsa_for(&rcgen::PKCS_RSA_SHA256, rcgen::RsaKeySize::_2048)
            }
            KeyType::Rsa3072 => {
                KeyPair::generate_rsa_for(&rcgen::PKCS_RSA_SHA256, rcgen::RsaKeySize::_3072)
            }
            KeyType::Rsa4096 => {
                KeyPair::generate_rsa_for(&rcgen::PKCS_RSA_SHA256, rcgen::RsaKeySize::_4096)
            }
        };
        made.map_err(|e| Error::other(format!("cannot generate a {} key: {e}", self.description())))
    }

    /// The key type of a certificate's public key, when it is one tlskit generates.
    pub fn of_certificate(info: &CertInfo) -> Option<KeyType> {
        match (
            info.key_type.as_str(),
            info.key_curve.as_deref(),
            info.key_bits,
        ) {
            ("ECDSA", Some("P-256"), _) => Some(KeyType::EcdsaP256),
            ("ECDSA", Some("P-384"), _) => Some(KeyType::EcdsaP384),
            ("RSA", _, 2048) => Some(KeyType::Rsa2048),
            ("RSA", _, 3072) => Some(KeyType::Rsa3072),
            ("RSA", _, 4096) => Some(KeyType::Rsa4096),
            ("Ed25519", _, _) => Some(KeyType::Ed25519),
            _ => None,
        }
    }
}

impl fmt::Display for KeyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for KeyType {
    type Err = Error;
    fn from_str(s: &str) -> Result<KeyType> {
        KeyType::parse(s)
    }
}

// ---------------------------------------------------------------------------------------------
// Time.

/// Parse a point in time for `--not-before` / `--not-after`:
///
/// * `now`
/// * relative to now: `-30d`, `+2d`, `-12h`, `+90m`, `-1w` (s, m, h, d, w; the sign is required)
/// * a date: `2025-03-01` (midnight UTC)
/// * RFC 3339: `2025-03-01T12:00:00Z`, `2025-03-01T12:00:00+02:00` (a space instead of `T` is fine)
/// * OpenSSL / ASN.1 style: `20250301120000Z`
pub fn parse_time(s: &str, now: OffsetDateTime) -> Result<OffsetDateTime> {
    let text = s.trim();
    let bad = || {
        Error::usage(format!(
            "cannot read the time {s:?}: write a date (2025-03-01), an RFC 3339 time (2025-03-01T12:00:00Z), \
             or an offset from now with a sign and a unit (-30d, +2d, -12h; units s, m, h, d, w)"
        ))
    };
    if text.eq_ignore_ascii_case("now") {
        return check_year(now, s);
    }
    if let Some(sign) = text.chars().next().filter(|c| *c == '+' || *c == '-') {
        let body = &text[1..];
        let unit_at = body.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
        let (digits, unit) = body.split_at(unit_at);
        let n: i64 = digits.parse().map_err(|_| bad())?;
        let secs = match unit {
            "s" => Some(n),
            "m" | "min" => n.checked_mul(60),
            "h" => n.checked_mul(3600),
            "d" => n.checked_mul(86_400),
            "w" => n.checked_mul(7 * 86_400),
            _ => return Err(bad()),
        }
        .ok_or_else(bad)?;
        let delta = Duration::seconds(if sign == '-' { -secs } else { secs });
        let t = now.checked_add(delta).ok_or_else(bad)?;
        return check_year(t, s);
    }
    if text.chars().next().is_some_and(|c| c.is_ascii_digit()) && !text.contains(['-', ':']) {
        // 20250301120000Z
        let digits = text
            .strip_suffix('Z')
            .or_else(|| text.strip_suffix('z'))
            .ok_or_else(bad)?;
        if digits.len() != 14 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let rfc = format!(
            "{}-{}-{}T{}:{}:{}Z",
            &digits[0..4],
            &digits[4..6],
            &digits[6..8],
            &digits[8..10],
            &digits[10..12],
            &digits[12..14]
        );
        let t = OffsetDateTime::parse(&rfc, &time::format_description::well_known::Rfc3339)
            .map_err(|_| bad())?;
        return check_year(t, s);
    }
    if text.len() == 10 {
        let format = time::macros::format_description!("[year]-[month]-[day]");
        let date = time::Date::parse(text, &format).map_err(|_| bad())?;
        return check_year(date.midnight().assume_utc(), s);
    }
    let rfc = text.replacen(' ', "T", 1);
    let t = OffsetDateTime::parse(&rfc, &time::format_description::well_known::Rfc3339)
        .map_err(|_| bad())?;
    check_year(t.to_offset(time::UtcOffset::UTC), s)
}

fn check_year(t: OffsetDateTime, original: &str) -> Result<OffsetDateTime> {
    if !(1950..=9999).contains(&t.year()) {
        return Err(Error::usage(format!(
            "the time {original:?} is outside what a certificate can hold (years 1950 to 9999)"
        )));
    }
    Ok(t.replace_nanosecond(0).unwrap_or(t))
}

/// A validity window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Validity {
    pub not_before: OffsetDateTime,
    pub not_after: OffsetDateTime,
}

impl Validity {
    /// Work out the window from the command-line choices:
    ///
    /// * nothing: from now (backdated by [`BACKDATE`]) for `default_days`;
    /// * `not_before` (+ `days`): from that time, for `days` (default `default_days`);
    /// * `not_after` alone (+ `days`): ends then, started `days` earlier;
    /// * both ends: exactly that (then `days` must not be given).
    ///
    /// The window may lie entirely in the past or the future: labs need such certificates.
    pub fn resolve(
        not_before: Option<&str>,
        not_after: Option<&str>,
        days: Option<u32>,
        default_days: u32,
        now: OffsetDateTime,
    ) -> Result<Validity> {
        let now = now.replace_nanosecond(0).unwrap_or(now);
        if days == Some(0) {
            return Err(Error::usage("--days must be at least 1"));
        }
        let length = Duration::days(i64::from(days.unwrap_or(default_days)));
        let nb = not_before.map(|s| parse_time(s, now)).transpose()?;
        let na = not_after.map(|s| parse_time(s, now)).transpose()?;
        let (not_before, not_after) = match (nb, na) {
            (Some(_), Some(_)) if days.is_some() => {
                return Err(Error::usage(
                    "give at most two of --not-before, --not-after and --days (the third follows from the others)",
                ))
            }
            (Some(b), Some(a)) => (b, a),
            (Some(b), None) => (b, b.checked_add(length).ok_or_else(out_of_range)?),
            (None, Some(a)) => (a.checked_sub(length).ok_or_else(out_of_range)?, a),
            (None, None) => {
                let b = now - BACKDATE;
                (b, b.checked_add(length).ok_or_else(out_of_range)?)
            }
        };
        check_year(not_before, "the start of the validity period")?;
        check_year(not_after, "the end of the validity period")?;
        if not_after <= not_before {
            return Err(Error::usage(format!(
                "the certificate would end ({}) before it starts ({}); check --not-before / --not-after",
                rfc3339(not_after),
                rfc3339(not_before)
            )));
        }
        Ok(Validity {
            not_before,
            not_after,
        })
    }

    /// [`Validity::resolve`] at the current time.
    pub fn from_flags(
        not_before: Option<&str>,
        not_after: Option<&str>,
        days: Option<u32>,
        default_days: u32,
    ) -> Result<Validity> {
        Validity::resolve(
            not_before,
            not_after,
            days,
            default_days,
            OffsetDateTime::now_utc(),
        )
    }
}

fn out_of_range() -> Error {
    Error::usage(
        "the validity period reaches beyond what a certificate can hold (years 1950 to 9999)",
    )
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| t.to_string())
}

// ---------------------------------------------------------------------------------------------
// Names.

/// One NAME given to `cert issue`, classified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubjectName {
    /// A DNS name or wildcard (`www.bank32.com`, `*.bank32.com`), lowercased, no trailing dot.
    Dns(String),
    /// An IPv4 or IPv6 address.
    Ip(IpAddr),
    /// An e-mail address (client certificates).
    Email(String),
    /// A plain name such as a user name (client certificates): only becomes the subject CN.
    Plain(String),
}

impl SubjectName {
    /// The text used for the common name.
    pub fn text(&self) -> String {
        match self {
            SubjectName::Dns(s) | SubjectName::Email(s) | SubjectName::Plain(s) => s.clone(),
            SubjectName::Ip(ip) => ip.to_string(),
        }
    }
}

fn name_error(name: &str, why: &str) -> Error {
    Error::usage(format!("invalid name {name:?}: {why}"))
}

/// Check a DNS name (wildcards allowed as the whole left-most label) and normalise it.
pub fn validate_dns_name(name: &str) -> Result<String> {
    let err = |why: &str| name_error(name, why);
    if name.is_empty() {
        return Err(Error::usage("an empty name was given"));
    }
    if !name.is_ascii() {
        return Err(err(
            "it contains non-ASCII characters; write internationalised names in their xn-- (punycode) form",
        ));
    }
    if name.chars().any(|c| c.is_ascii_whitespace()) {
        return Err(err("host names cannot contain spaces"));
    }
    let lower = name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase();
    if lower.len() > 253 {
        return Err(err("it is longer than 253 characters"));
    }
    let labels: Vec<&str> = lower.split('.').collect();
    if labels.iter().any(|l| l.is_empty()) {
        return Err(err(
            "it has an empty label (two dots in a row, or a leading dot)",
        ));
    }
    for (i, label) in labels.iter().enumerate() {
        if label.contains('*') {
            if i != 0 || *label != "*" {
                return Err(err(
                    "a wildcard may only be the whole left-most label, as in *.example.com (no *.*.x, no w*.x)",
                ));
            }
            if labels.len() < 3 {
                return Err(err(
                    "a wildcard needs at least two labels after it (*.example.com, not *.com); clients reject the rest",
                ));
            }
            continue;
        }
        if label.len() > 63 {
            return Err(err(
                "a label (the text between dots) is longer than 63 characters",
            ));
        }
        if let Some(c) = label
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
        {
            return Err(err(&format!(
                "{c:?} is not allowed in host names (letters, digits and hyphens only)"
            )));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(err("a label cannot start or end with a hyphen"));
        }
    }
    if labels
        .last()
        .is_some_and(|l| l.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(err(
            "it looks like an IP address but is not a valid one (IPv4 is four numbers 0-255, e.g. 10.9.0.80)",
        ));
    }
    Ok(lower)
}

fn validate_email(name: &str) -> Result<String> {
    let (local, domain) = name
        .rsplit_once('@')
        .ok_or_else(|| name_error(name, "not an e-mail address"))?;
    if local.is_empty()
        || !local.is_ascii()
        || local
            .chars()
            .any(|c| c.is_ascii_whitespace() || c.is_ascii_control() || c == '@')
    {
        return Err(name_error(
            name,
            "the part before @ is not a valid e-mail local part",
        ));
    }
    let domain = validate_dns_name(domain)
        .map_err(|e| name_error(name, &format!("the domain after @ is not valid ({e})")))?;
    if domain.starts_with('*') {
        return Err(name_error(name, "an e-mail domain cannot be a wildcard"));
    }
    Ok(format!("{local}@{domain}"))
}

/// Classify and check one NAME. Server certificates accept DNS names, wildcards and IP addresses;
/// client certificates also accept e-mail addresses and plain names (`alice`, `Alice Smith`),
/// which only become the subject CN.
pub fn parse_name(raw: &str, client: bool) -> Result<SubjectName> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(Error::usage("an empty name was given"));
    }
    let unbracketed = name
        .strip_prefix('[')
        .and_then(|n| n.strip_suffix(']'))
        .unwrap_or(name);
    if let Ok(ip) = unbracketed.parse::<IpAddr>() {
        return Ok(SubjectName::Ip(ip));
    }
    if name.contains('@') {
        if !client {
            return Err(name_error(
                raw,
                "an e-mail address belongs in a client certificate (add --client)",
            ));
        }
        return validate_email(name).map(SubjectName::Email);
    }
    if client && !name.contains('.') {
        if name.chars().any(|c| c.is_control()) {
            return Err(name_error(raw, "it contains control characters"));
        }
        return Ok(SubjectName::Plain(name.to_string()));
    }
    validate_dns_name(name).map(SubjectName::Dns)
}

// ---------------------------------------------------------------------------------------------
// Writing files.

/// One file tlskit wrote.
#[derive(Debug, Clone, Serialize)]
pub struct WrittenFile {
    pub path: PathBuf,
    /// What is in it: `"certificate"`, `"private key"`, `"certificate, CA certificate, private key"`.
    pub contents: String,
    /// Unix permission bits, e.g. `0o600`; serialised as an octal string, `"0600"`.
    #[serde(serialize_with = "octal_mode")]
    pub mode: u32,
}

fn octal_mode<S: serde::Serializer>(mode: &u32, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&format!("{mode:04o}"))
}

struct Planned {
    path: PathBuf,
    bytes: Vec<u8>,
    mode: u32,
    contents: String,
}

fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// Check every target before anything is created: directory exists, target is not a directory,
/// target does not exist unless `overwrite`, no two targets are the same.
fn check_targets(files: &[Planned], overwrite: bool) -> Result<()> {
    for (i, f) in files.iter().enumerate() {
        if files[..i].iter().any(|g| g.path == f.path) {
            return Err(Error::usage(format!(
                "{} is given for two outputs; the certificate and the key need different files (or use --out for one combined file)",
                f.path.display()
            )));
        }
        let dir = parent_dir(&f.path);
        if !dir.is_dir() {
            let why = if dir.exists() {
                "is not a directory"
            } else {
                "does not exist"
            };
            return Err(Error::input(format!(
                "cannot write {}: {} {why}",
                f.path.display(),
                dir.display()
            )));
        }
        if f.path.is_dir() {
            return Err(Error::input(format!(
                "cannot write {}: it is a directory (give a file name)",
                f.path.display()
            )));
        }
        if !overwrite && f.path.symlink_metadata().is_ok() {
            return Err(Error::input(format!(
                "{} already exists; refusing to overwrite it (remove it first or pass --force)",
                f.path.display()
            )));
        }
    }
    Ok(())
}

/// Write all files or none: stage each in a temporary file beside its target (mode set before
/// writing), then rename them all into place. If a rename fails, files this call created are
/// removed again.
fn write_all_or_nothing(files: Vec<Planned>, overwrite: bool) -> Result<Vec<WrittenFile>> {
    use std::io::Write;
    use std::os::unix::fs::PermissionsExt;
    check_targets(&files, overwrite)?;
    let mut staged = Vec::new();
    for f in &files {
        let mut tmp = tempfile::Builder::new()
            .prefix(".tlskit-")
            .tempfile_in(parent_dir(&f.path))
            .map_err(|e| file_error(&f.path, "write", &e))?;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(f.mode))
            .map_err(|e| file_error(&f.path, "set permissions on", &e))?;
        tmp.write_all(&f.bytes)
            .map_err(|e| file_error(&f.path, "write", &e))?;
        tmp.as_file()
            .sync_all()
            .map_err(|e| file_error(&f.path, "write", &e))?;
        staged.push(tmp);
    }
    let mut done: Vec<&Path> = Vec::new();
    for (tmp, f) in staged.into_iter().zip(&files) {
        let existed = f.path.symlink_metadata().is_ok();
        let result = if overwrite {
            tmp.persist(&f.path).map(|_| ())
        } else {
            tmp.persist_noclobber(&f.path).map(|_| ())
        };
        if let Err(e) = result {
            for p in &done {
                let _ = std::fs::remove_file(p);
            }
            return Err(file_error(&f.path, "write", &e.error));
        }
        if !existed {
            done.push(&f.path);
        }
    }
    Ok(files
        .into_iter()
        .map(|f| WrittenFile {
            path: f.path,
            contents: f.contents,
            mode: f.mode,
        })
        .collect())
}

/// The private key as PKCS#8 PEM in the form every tool reads. aws-lc writes Ed25519 keys as
/// PKCS#8 v2 (RFC 5958, with the public key appended), which OpenSSL 3.0 (and so Python's ssl)
/// cannot load; the public key is optional, so v2 keys are written as v1 without it.
fn private_key_pem(key: &KeyPair) -> String {
    pem("PRIVATE KEY", &pkcs8_v1(key.serialized_der()))
}

fn pkcs8_v1(der: &[u8]) -> Vec<u8> {
    use super::rehash::der;
    let rebuilt = (|| {
        let (outer, rest) = der::expect(der, der::SEQUENCE)?;
        if !rest.is_empty() {
            return None;
        }
        let fields = der::all(outer.content)?;
        let [version, algorithm, private_key, ..] = fields.as_slice() else {
            return None;
        };
        if version.tag != 0x02 || version.content != [1] {
            return None;
        }
        let mut body = vec![0x02, 0x01, 0x00];
        body.extend_from_slice(algorithm.raw);
        body.extend_from_slice(private_key.raw);
        // Keep attributes [0]; drop publicKey [1].
        for f in &fields[3..] {
            if f.tag == 0xa0 {
                body.extend_from_slice(f.raw);
            }
        }
        let mut out = Vec::new();
        der::push_tlv(&mut out, der::SEQUENCE, &body);
        Some(out)
    })();
    rebuilt.unwrap_or_else(|| der.to_vec())
}

fn random_serial() -> Result<SerialNumber> {
    let mut bytes = [0u8; 16];
    aws_lc_rs::rand::fill(&mut bytes)
        .map_err(|_| Error::other("cannot get random bytes for the serial number"))?;
    // Positive, and 16 bytes long without a leading zero.
    bytes[0] = (bytes[0] & 0x7f) | 0x40;
    Ok(SerialNumber::from_slice(&bytes))
}

/// DER as PEM with the given label (`CERTIFICATE`, `X509 CRL` …), 64 columns.
pub fn pem_encode(label: &str, der: &[u8]) -> String {
    pem(label, der)
}

fn pem(label: &str, der: &[u8]) -> String {
    let b64 = base64_encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

fn base64_encode(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Name constraints and the default CA directory.

/// One permitted subtree of a CA's name constraints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum NameConstraint {
    /// `DNS:localhost` (the name and every name below it) or `DNS:.test` (only names below it).
    Dns(String),
    /// `IP:127.0.0.0/8`, `IP:::1/128`.
    Ip { address: IpAddr, prefix: u8 },
    /// `email:example.com` (addresses at that domain).
    Email(String),
}

impl NameConstraint {
    fn subtree(&self) -> rcgen::GeneralSubtree {
        match self {
            NameConstraint::Dns(d) => rcgen::GeneralSubtree::DnsName(d.clone()),
            NameConstraint::Email(e) => rcgen::GeneralSubtree::Rfc822Name(e.clone()),
            NameConstraint::Ip { address, prefix } => rcgen::GeneralSubtree::IpAddress(
                rcgen::CidrSubnet::from_addr_prefix(*address, *prefix),
            ),
        }
    }

    /// `DNS:.test`, `IP:127.0.0.0/8` — the form `--name-constraints` takes.
    pub fn text(&self) -> String {
        match self {
            NameConstraint::Dns(d) => format!("DNS:{d}"),
            NameConstraint::Email(e) => format!("email:{e}"),
            NameConstraint::Ip { address, prefix } => format!("IP:{address}/{prefix}"),
        }
    }
}

/// Parse `DNS:.test,DNS:localhost,IP:127.0.0.0/8,IP:::1/128` (comma-separated; the kinds are
/// `DNS:`, `IP:` with a prefix length, and `email:`).
pub fn parse_name_constraints(s: &str) -> Result<Vec<NameConstraint>> {
    let mut out = Vec::new();
    for item in s.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        let bad = |why: &str| {
            Error::usage(format!(
                "name constraint {item:?}: {why} (write DNS:.test, DNS:localhost, IP:127.0.0.0/8 or email:example.com, comma-separated)"
            ))
        };
        let (kind, value) = item
            .split_once(':')
            .ok_or_else(|| bad("no kind before ':'"))?;
        let c = match kind.to_ascii_lowercase().as_str() {
            "dns" => {
                let (dot, rest) = match value.strip_prefix('.') {
                    Some(r) => (".", r),
                    None => ("", value),
                };
                let name = validate_dns_name(rest).map_err(|e| bad(e.message()))?;
                if name.contains('*') {
                    return Err(bad("wildcards have no meaning in name constraints"));
                }
                NameConstraint::Dns(format!("{dot}{name}"))
            }
            "ip" => {
                let (addr, prefix) = value.rsplit_once('/').ok_or_else(|| {
                    bad("an IP constraint needs a prefix length, e.g. 127.0.0.0/8")
                })?;
                let address: IpAddr = addr.parse().map_err(|_| bad("not an IP address"))?;
                let prefix: u8 = prefix.parse().map_err(|_| bad("not a prefix length"))?;
                let max = if address.is_ipv4() { 32 } else { 128 };
                if prefix > max {
                    return Err(bad(&format!("the prefix length is at most {max}")));
                }
                NameConstraint::Ip { address, prefix }
            }
            "email" => NameConstraint::Email(value.to_ascii_lowercase()),
            _ => return Err(bad("unknown kind")),
        };
        if !out.contains(&c) {
            out.push(c);
        }
    }
    if out.is_empty() {
        return Err(Error::usage(
            "--name-constraints needs at least one name, e.g. DNS:.test,DNS:localhost,IP:127.0.0.0/8",
        ));
    }
    Ok(out)
}

/// The default CA directory: `$TLSKIT_CA`, else `$XDG_DATA_HOME/tlskit/ca`, else
/// `~/.local/share/tlskit/ca` (the XDG base directory default). `tlskit lab`, `cert issue`
/// and `cert trust` use it when no directory is given.
pub fn default_ca_dir() -> Result<PathBuf> {
    if let Some(d) = std::env::var_os(CA_DIR_ENV).filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(d));
    }
    if let Some(d) = std::env::var_os("XDG_DATA_HOME").filter(|d| !d.is_empty()) {
        let d = PathBuf::from(d);
        if d.is_absolute() {
            return Ok(d.join("tlskit").join("ca"));
        }
    }
    match std::env::var_os("HOME").filter(|d| !d.is_empty()) {
        Some(h) => Ok(PathBuf::from(h).join(".local/share/tlskit/ca")),
        None => Err(Error::usage(format!(
            "no default CA directory: set ${CA_DIR_ENV} (or HOME), or give the directory"
        ))),
    }
}

// ---------------------------------------------------------------------------------------------
// Creating a CA.

/// Choices for [`create_ca`].
#[derive(Debug, Clone)]
pub struct CaOptions {
    /// Subject common name.
    pub common_name: String,
    pub key_type: KeyType,
    pub validity: Validity,
    /// Replace an existing `ca.crt` / `ca.key`.
    pub force: bool,
    /// Permitted subtrees (RFC 5280 name constraints, marked critical); empty: unconstrained.
    pub name_constraints: Vec<NameConstraint>,
}

impl CaOptions {
    /// Defaults: [`DEFAULT_CA_NAME`], ECDSA P-256, [`DEFAULT_CA_DAYS`] from now.
    pub fn new() -> CaOptions {
        let now = OffsetDateTime::now_utc()
            .replace_nanosecond(0)
            .unwrap_or_else(|_| OffsetDateTime::now_utc());
        CaOptions {
            common_name: DEFAULT_CA_NAME.to_string(),
            key_type: KeyType::EcdsaP256,
            validity: Validity {
                not_before: now - BACKDATE,
                not_after: now - BACKDATE + Duration::days(i64::from(DEFAULT_CA_DAYS)),
            },
            force: false,
            name_constraints: Vec::new(),
        }
    }

    /// The defaults with [`LAB_NAME_CONSTRAINTS`]: a CA for `tlskit lab` and `tlskit demo`.
    pub fn lab(common_name: &str) -> CaOptions {
        CaOptions {
            common_name: common_name.to_string(),
            name_constraints: parse_name_constraints(LAB_NAME_CONSTRAINTS)
                .expect("the lab's name constraints parse"),
            ..CaOptions::new()
        }
    }
}

impl Default for CaOptions {
    fn default() -> Self {
        CaOptions::new()
    }
}

/// What [`create_ca`] made.
#[derive(Debug, Clone, Serialize)]
pub struct CreatedCa {
    pub directory: PathBuf,
    pub certificate: PathBuf,
    pub key: PathBuf,
    pub key_type: KeyType,
    pub files: Vec<WrittenFile>,
    pub info: CertInfo,
}

fn check_common_name(cn: &str, flag: &str) -> Result<()> {
    if cn.trim().is_empty() {
        return Err(Error::usage(format!("{flag} must not be empty")));
    }
    if cn.chars().count() > 64 {
        return Err(Error::usage(format!(
            "{flag} {cn:?} is longer than 64 characters, the limit X.509 sets for a common name"
        )));
    }
    if cn.chars().any(|c| c.is_control()) {
        return Err(Error::usage(format!(
            "{flag} {cn:?} contains control characters"
        )));
    }
    Ok(())
}

/// Create a CA in `dir`: `ca.crt` (self-signed X.509 v3; basicConstraints CA:TRUE and keyUsage
/// keyCertSign+cRLSign, both critical; subject key identifier) and `ca.key` (PKCS#8, mode 0600).
/// `dir` is created with mode 0700 if missing. Existing CA files are only replaced with
/// `opts.force`. On any error nothing is left behind (a directory created here is removed).
pub fn create_ca(dir: &Path, opts: &CaOptions) -> Result<CreatedCa> {
    check_common_name(&opts.common_name, "--cn")?;
    if dir.exists() && !dir.is_dir() {
        return Err(Error::input(format!(
            "{} exists and is not a directory (--out names the CA directory, e.g. --out ca)",
            dir.display()
        )));
    }
    let cert_path = dir.join(CA_CERT_FILE);
    let key_path = dir.join(CA_KEY_FILE);
    if !opts.force {
        for p in [&cert_path, &key_path] {
            if p.symlink_metadata().is_ok() {
                return Err(Error::input(format!(
                    "{} already exists; refusing to overwrite the CA (certificates it issued would no longer verify). Pass --force to replace it, or choose another --out",
                    p.display()
                )));
            }
        }
    }

    let key = opts.key_type.generate()?;
    let mut params = CertificateParams::default();
    params.not_before = opts.validity.not_before;
    params.not_after = opts.validity.not_after;
    params.serial_number = Some(random_serial()?);
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, opts.common_name.as_str());
    params.distinguished_name = dn;
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    if !opts.name_constraints.is_empty() {
        params.name_constraints = Some(rcgen::NameConstraints {
            permitted_subtrees: opts
                .name_constraints
                .iter()
                .map(NameConstraint::subtree)
                .collect(),
            excluded_subtrees: Vec::new(),
        });
    }
    let cert = params
        .self_signed(&key)
        .map_err(|e| Error::other(format!("cannot create the CA certificate: {e}")))?;
    let info = CertInfo::from_der(cert.der())?;

    let created_dir = !dir.exists();
    if created_dir {
        std::fs::create_dir_all(dir).map_err(|e| file_error(dir, "create directory", &e))?;
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .map_err(|e| file_error(dir, "set permissions on", &e))?;
    }
    let planned = vec![
        Planned {
            path: key_path.clone(),
            bytes: private_key_pem(&key).into_bytes(),
            mode: KEY_MODE,
            contents: "CA private key".into(),
        },
        Planned {
            path: cert_path.clone(),
            bytes: pem("CERTIFICATE", cert.der()).into_bytes(),
            mode: PUBLIC_MODE,
            contents: "CA certificate".into(),
        },
    ];
    let files = match write_all_or_nothing(planned, opts.force) {
        Ok(f) => f,
        Err(e) => {
            if created_dir {
                let _ = std::fs::remove_dir(dir);
            }
            return Err(e);
        }
    };
    Ok(CreatedCa {
        directory: dir.to_path_buf(),
        certificate: cert_path,
        key: key_path,
        key_type: opts.key_type,
        files,
        info,
    })
}

// ---------------------------------------------------------------------------------------------
// Issuing.

/// A CA loaded for issuing.
pub struct Ca {
    cert: CertificateDer<'static>,
    key: KeyPair,
    /// Where the certificate came from.
    pub cert_path: PathBuf,
    /// Where the key came from.
    pub key_path: PathBuf,
    pub info: CertInfo,
}

impl fmt::Debug for Ca {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ca")
            .field("cert_path", &self.cert_path)
            .field("key_path", &self.key_path)
            .field("subject", &self.info.subject)
            .finish_non_exhaustive()
    }
}

impl Ca {
    /// Load a CA: `path` is a CA directory (holding `ca.crt` and `ca.key`), or a certificate file
    /// whose key is in `key` (or in the same file). Checks that the certificate is a CA and that
    /// the key belongs to it.
    pub fn load(path: &Path, key: Option<&Path>) -> Result<Ca> {
        let (cert_path, key_path) = if path.is_dir() {
            let c = path.join(CA_CERT_FILE);
            let k = key
                .map(Path::to_path_buf)
                .unwrap_or_else(|| path.join(CA_KEY_FILE));
            if !c.exists() {
                return Err(Error::input(format!(
                    "{} has no {CA_CERT_FILE}: is it a CA directory made by `tlskit cert ca`? (for a CA certificate stored elsewhere, give the file with --ca and its key with --ca-key)",
                    path.display()
                )));
            }
            if !k.exists() {
                return Err(Error::input(format!(
                    "the CA key {} does not exist (issuing needs the CA's private key; give it with --ca-key)",
                    k.display()
                )));
            }
            (c, k)
        } else if path.exists() {
            let key_path = match key {
                Some(k) => k.to_path_buf(),
                None => {
                    let text = super::load::read_file(path)?;
                    let sibling = path.with_extension("key");
                    if String::from_utf8_lossy(&text).contains("PRIVATE KEY-----") {
                        path.to_path_buf()
                    } else if sibling != path && sibling.is_file() {
                        sibling
                    } else {
                        return Err(Error::input(format!(
                            "{} holds no private key, and there is no {} beside it: give the CA's key with --ca-key FILE",
                            path.display(),
                            sibling.display()
                        )));
                    }
                }
            };
            (path.to_path_buf(), key_path)
        } else {
            return Err(Error::input(format!(
                "CA directory {} does not exist (create one with `tlskit cert ca --out {}`)",
                path.display(),
                path.display()
            )));
        };
        let loaded = super::load::load_cert_key(&cert_path, Some(&key_path))?;
        let cert = loaded.chain[0].clone();
        let info = CertInfo::from_der(cert.as_ref())?;
        if !info.is_ca {
            return Err(Error::input(format!(
                "{} is not a CA certificate (it lacks basicConstraints CA:TRUE), so certificates it signs would not verify; use the ca.crt made by `tlskit cert ca`",
                cert_path.display()
            )));
        }
        if !info.key_usage.is_empty() && !info.key_usage.iter().any(|u| u == "keyCertSign") {
            return Err(Error::input(format!(
                "{} may not sign certificates (its keyUsage lacks keyCertSign)",
                cert_path.display()
            )));
        }
        let signing = KeyPair::try_from(&loaded.key).map_err(|_| {
            Error::input(format!(
                "the CA key in {} cannot be used for signing (supported: ECDSA P-256/P-384/P-521, RSA, Ed25519)",
                key_path.display()
            ))
        })?;
        // The key must be the certificate's: compare the public keys.
        let (_, parsed) = x509_parser::parse_x509_certificate(cert.as_ref()).map_err(|_| {
            Error::input(format!(
                "{} is not a valid certificate",
                cert_path.display()
            ))
        })?;
        if parsed
            .tbs_certificate
            .subject_pki
            .subject_public_key
            .data
            .as_ref()
            != signing.der_bytes()
        {
            return Err(Error::input(format!(
                "the private key in {} does not belong to the certificate in {} (their public keys differ)",
                key_path.display(),
                cert_path.display()
            )));
        }
        Ok(Ca {
            cert,
            key: signing,
            cert_path,
            key_path,
            info,
        })
    }

    /// The CA certificate (DER).
    pub fn cert_der(&self) -> &CertificateDer<'static> {
        &self.cert
    }

    /// The CA certificate as PEM.
    pub fn cert_pem(&self) -> String {
        pem("CERTIFICATE", self.cert.as_ref())
    }

    /// The CA's key type, when it is one tlskit generates.
    pub fn key_type(&self) -> Option<KeyType> {
        KeyType::of_certificate(&self.info)
    }

    /// Sign `msg` with the CA's key (its own algorithm; see [`Ca::signature_algorithm_der`]).
    pub fn sign(&self, msg: &[u8]) -> Result<Vec<u8>> {
        use rcgen::SigningKey as _;
        self.key
            .sign(msg)
            .map_err(|e| Error::other(format!("cannot sign with the CA key: {e}")))
    }

    /// The DER AlgorithmIdentifier of the signatures [`Ca::sign`] makes.
    pub fn signature_algorithm_der(&self) -> Vec<u8> {
        let alg = self.key.algorithm();
        let hex: &[u8] = if alg == &rcgen::PKCS_ECDSA_P256_SHA256 {
            &[
                0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02,
            ]
        } else if alg == &rcgen::PKCS_ECDSA_P384_SHA384 {
            &[
                0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03,
            ]
        } else if alg == &rcgen::PKCS_ED25519 {
            &[0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70]
        } else {
            // sha256WithRSAEncryption, NULL parameters.
            &[
                0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b, 0x05,
                0x00,
            ]
        };
        hex.to_vec()
    }

    /// Issue a subordinate CA (pathLenConstraint 0) into `dir` as `ca.crt` + `ca.key`, replacing
    /// what is there. Labs use it for incomplete chains and for the SHA-1 signer.
    pub fn issue_intermediate(
        &self,
        dir: &Path,
        common_name: &str,
        validity: Validity,
    ) -> Result<CreatedCa> {
        check_common_name(common_name, "the intermediate's name")?;
        crate::fsutil::ensure_dir(dir, 0o700)?;
        let key = KeyType::EcdsaP256.generate()?;
        let mut params = CertificateParams::default();
        params.not_before = validity.not_before;
        params.not_after = validity.not_after;
        params.serial_number = Some(random_serial()?);
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, common_name);
        params.distinguished_name = dn;
        params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        params.use_authority_key_identifier_extension = true;
        let issuer = Issuer::from_ca_cert_der(&self.cert, &self.key).map_err(|e| {
            Error::other(format!(
                "cannot issue from {}: {e}",
                self.cert_path.display()
            ))
        })?;
        let cert = params
            .signed_by(&key, &issuer)
            .map_err(|e| Error::other(format!("cannot sign the intermediate: {e}")))?;
        let info = CertInfo::from_der(cert.der())?;
        let cert_path = dir.join(CA_CERT_FILE);
        let key_path = dir.join(CA_KEY_FILE);
        let files = write_all_or_nothing(
            vec![
                Planned {
                    path: key_path.clone(),
                    bytes: private_key_pem(&key).into_bytes(),
                    mode: KEY_MODE,
                    contents: "intermediate CA private key".into(),
                },
                Planned {
                    path: cert_path.clone(),
                    bytes: pem("CERTIFICATE", cert.der()).into_bytes(),
                    mode: PUBLIC_MODE,
                    contents: "intermediate CA certificate".into(),
                },
            ],
            true,
        )?;
        Ok(CreatedCa {
            directory: dir.to_path_buf(),
            certificate: cert_path,
            key: key_path,
            key_type: KeyType::EcdsaP256,
            files,
            info,
        })
    }

    /// Re-sign a certificate this CA issued with ecdsa-with-SHA1: deliberately weak, for the
    /// lab's `sha1-signature` endpoint (clients must refuse it). Needs an ECDSA P-256 CA key;
    /// aws-lc-rs signs only with SHA-2, so the SHA-1 digest is signed with the `p256` crate.
    pub fn resign_sha1(&self, cert: &CertificateDer<'_>) -> Result<CertificateDer<'static>> {
        use super::rehash::der;
        use p256::ecdsa::signature::hazmat::PrehashSigner;
        use p256::pkcs8::DecodePrivateKey;
        use sha1::Digest;
        const ECDSA_SHA1: [u8; 11] = [
            0x30, 0x09, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x01,
        ];
        let signer = p256::ecdsa::SigningKey::from_pkcs8_der(self.key.serialized_der())
            .map_err(|_| Error::usage("SHA-1 re-signing needs an ECDSA P-256 CA key"))?;
        let bad = || Error::other("cannot re-sign: the certificate does not parse");
        let (outer, _) = der::expect(cert.as_ref(), der::SEQUENCE).ok_or_else(bad)?;
        let parts = der::all(outer.content).ok_or_else(bad)?;
        let tbs = parts.first().ok_or_else(bad)?;
        let fields = der::all(tbs.content).ok_or_else(bad)?;
        let alg_at = if fields.first().is_some_and(|f| f.tag == 0xa0) {
            2
        } else {
            1
        };
        let mut tbs_body = Vec::new();
        for (i, f) in fields.iter().enumerate() {
            if i == alg_at {
                tbs_body.extend_from_slice(&ECDSA_SHA1);
            } else {
                tbs_body.extend_from_slice(f.raw);
            }
        }
        let mut new_tbs = Vec::new();
        der::push_tlv(&mut new_tbs, der::SEQUENCE, &tbs_body);
        let digest = sha1::Sha1::digest(&new_tbs);
        let sig: p256::ecdsa::Signature = signer
            .sign_prehash(&digest)
            .map_err(|e| Error::other(format!("SHA-1 signing failed: {e}")))?;
        let sig_der = sig.to_der();
        let mut bits = vec![0u8];
        bits.extend_from_slice(sig_der.as_bytes());
        let mut body = new_tbs;
        body.extend_from_slice(&ECDSA_SHA1);
        der::push_tlv(&mut body, 0x03, &bits);
        let mut out = Vec::new();
        der::push_tlv(&mut out, der::SEQUENCE, &body);
        Ok(CertificateDer::from(out))
    }

    /// A CRL (v2, signed by this CA) listing `revoked`, valid from now for `days`.
    pub fn crl(&self, revoked: &[RevokedCert], days: u32) -> Result<Vec<u8>> {
        let now = OffsetDateTime::now_utc()
            .replace_nanosecond(0)
            .unwrap_or_else(|_| OffsetDateTime::now_utc());
        let params = rcgen::CertificateRevocationListParams {
            this_update: now - BACKDATE,
            next_update: now + Duration::days(i64::from(days.max(1))),
            crl_number: SerialNumber::from_slice(&(now.unix_timestamp() as u64).to_be_bytes()),
            issuing_distribution_point: None,
            revoked_certs: revoked
                .iter()
                .map(|r| rcgen::RevokedCertParams {
                    serial_number: SerialNumber::from_slice(&r.serial),
                    revocation_time: r.time,
                    reason_code: Some(rcgen::RevocationReason::KeyCompromise),
                    invalidity_date: None,
                })
                .collect(),
            key_identifier_method: rcgen::KeyIdMethod::Sha256,
        };
        let issuer = Issuer::from_ca_cert_der(&self.cert, &self.key).map_err(|e| {
            Error::other(format!(
                "cannot sign a CRL with {}: {e}",
                self.cert_path.display()
            ))
        })?;
        let crl = params
            .signed_by(&issuer)
            .map_err(|e| Error::other(format!("cannot sign the CRL: {e}")))?;
        Ok(crl.der().to_vec())
    }

    /// Issue a certificate.
    pub fn issue(&self, req: &IssueRequest) -> Result<Issued> {
        self.issue_with(req, &IssueExtras::default())
    }

    /// Issue a certificate with the extras labs need (revocation pointers, a foreign public key).
    pub fn issue_with(&self, req: &IssueRequest, extras: &IssueExtras) -> Result<Issued> {
        if !req.server && !req.client {
            return Err(Error::usage(
                "a certificate needs a purpose: server, client or both",
            ));
        }
        let mut names: Vec<SubjectName> = Vec::new();
        for raw in &req.names {
            let n = parse_name(raw, req.client && !req.server)?;
            if !names.contains(&n) {
                names.push(n);
            }
        }
        if names
            .iter()
            .any(|n| matches!(n, SubjectName::Plain(_) | SubjectName::Email(_)))
            && req.server
        {
            return Err(Error::usage(
                "e-mail addresses and plain names only fit client certificates; drop --server",
            ));
        }
        let sans: Vec<&SubjectName> = names
            .iter()
            .filter(|n| !matches!(n, SubjectName::Plain(_)))
            .collect();
        if req.server && sans.is_empty() {
            return Err(Error::usage(
                "give at least one DNS name or IP address, e.g. `localhost 127.0.0.1 ::1`; clients check the names in the certificate's SAN",
            ));
        }
        let common_name = match &req.common_name {
            Some(cn) => {
                check_common_name(cn, "--cn")?;
                cn.clone()
            }
            None => match names.first() {
                Some(first) => {
                    let text = first.text();
                    if text.chars().count() > 64 {
                        return Err(Error::usage(format!(
                            "{text:?} is longer than 64 characters, too long for the common name; give a shorter one with --cn"
                        )));
                    }
                    text
                }
                None => {
                    return Err(Error::usage(
                        "give a name for the client certificate (a user name like alice, or an e-mail address), or --cn",
                    ))
                }
            },
        };
        let key_type = req
            .key_type
            .or_else(|| self.key_type())
            .unwrap_or(KeyType::EcdsaP256);

        let mut params = CertificateParams::default();
        params.not_before = req.validity.not_before;
        params.not_after = req.validity.not_after;
        params.serial_number = Some(random_serial()?);
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, common_name.as_str());
        params.distinguished_name = dn;
        for n in &sans {
            let san = match n {
                SubjectName::Dns(d) => SanType::DnsName(
                    d.as_str()
                        .try_into()
                        .map_err(|_| name_error(d, "not a valid DNS name"))?,
                ),
                SubjectName::Ip(ip) => SanType::IpAddress(*ip),
                SubjectName::Email(e) => SanType::Rfc822Name(
                    e.as_str()
                        .try_into()
                        .map_err(|_| name_error(e, "not a valid e-mail address"))?,
                ),
                SubjectName::Plain(_) => continue,
            };
            params.subject_alt_names.push(san);
        }
        // ExplicitNoCa writes basicConstraints CA:FALSE and the subject key identifier.
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        if key_type.is_rsa() {
            params.key_usages.push(KeyUsagePurpose::KeyEncipherment);
        }
        if req.server {
            params
                .extended_key_usages
                .push(ExtendedKeyUsagePurpose::ServerAuth);
        }
        if req.client {
            params
                .extended_key_usages
                .push(ExtendedKeyUsagePurpose::ClientAuth);
        }
        params.use_authority_key_identifier_extension = true;
        if let Some(url) = &extras.crl_url {
            params.crl_distribution_points = vec![rcgen::CrlDistributionPoint {
                uris: vec![url.clone()],
            }];
        }
        if let Some(url) = &extras.ocsp_url {
            params.custom_extensions.push(aia_ocsp_extension(url));
        }

        let issuer = Issuer::from_ca_cert_der(&self.cert, &self.key).map_err(|_| {
            Error::input(format!(
                "cannot issue from {}: its subject name has a form tlskit cannot copy exactly (multi-valued or unusual attributes); use a CA made by `tlskit cert ca`",
                self.cert_path.display()
            ))
        })?;
        let (cert, key_pem) = match &extras.public_key {
            Some(spki) => {
                let public = rcgen::SubjectPublicKeyInfo::from_der(spki)
                    .map_err(|e| Error::input(format!("unusable public key: {e}")))?;
                let cert = params
                    .signed_by(&public, &issuer)
                    .map_err(|e| Error::other(format!("cannot sign the certificate: {e}")))?;
                (cert, String::new())
            }
            None => {
                let key = key_type.generate()?;
                let cert = params
                    .signed_by(&key, &issuer)
                    .map_err(|e| Error::other(format!("cannot sign the certificate: {e}")))?;
                (cert, private_key_pem(&key))
            }
        };

        // The issuer name must be byte-for-byte the CA's subject, or verifiers will not find the CA.
        let (_, leaf) = x509_parser::parse_x509_certificate(cert.der())
            .map_err(|_| Error::other("the new certificate does not parse"))?;
        let (_, ca) = x509_parser::parse_x509_certificate(self.cert.as_ref())
            .map_err(|_| Error::other("the CA certificate does not parse"))?;
        if leaf.tbs_certificate.issuer.as_raw() != ca.tbs_certificate.subject.as_raw() {
            return Err(Error::input(format!(
                "cannot issue from {}: its subject name has a form tlskit cannot copy exactly (e.g. repeated attributes); use a CA made by `tlskit cert ca`",
                self.cert_path.display()
            )));
        }

        let info = CertInfo::from_der(cert.der())?;
        let mut warnings = Vec::new();
        if self.info.expired {
            warnings.push(format!(
                "the CA certificate {} expired on {}; certificates it issues will not verify",
                self.cert_path.display(),
                self.info.not_after
            ));
        } else if self.info.not_yet_valid {
            warnings.push(format!(
                "the CA certificate {} is not valid before {}; certificates it issues will not verify until then",
                self.cert_path.display(),
                self.info.not_before
            ));
        } else if ca.validity().not_after.to_datetime() < req.validity.not_after {
            warnings.push(format!(
                "the certificate outlives its CA (the CA expires {}); after that it will not verify",
                self.info.not_after
            ));
        }
        if req.server && info.validity_days > i64::from(APPLE_MAX_LEAF_DAYS) {
            warnings.push(format!(
                "valid for {} days: Apple platforms reject TLS server certificates valid longer than {APPLE_MAX_LEAF_DAYS} days",
                info.validity_days
            ));
        } else if req.server && info.validity_days > i64::from(CABF_MAX_LEAF_DAYS) {
            warnings.push(format!(
                "valid for {} days: longer than the {CABF_MAX_LEAF_DAYS} days public CAs may issue (`tlskit scan --policy mozilla-intermediate` flags it); fine for a lab",
                info.validity_days
            ));
        }
        Ok(Issued {
            cert: cert.der().clone(),
            key_pem,
            ca_pem: self.cert_pem(),
            key_type,
            info,
            warnings,
        })
    }
}

/// What to issue.
#[derive(Debug, Clone)]
pub struct IssueRequest {
    /// DNS names, wildcards, IP addresses; for client certificates also e-mail addresses and
    /// plain names. See [`parse_name`].
    pub names: Vec<String>,
    /// Subject CN; defaults to the first name.
    pub common_name: Option<String>,
    /// Add extended key usage serverAuth.
    pub server: bool,
    /// Add extended key usage clientAuth.
    pub client: bool,
    /// Key type; defaults to the CA's (ECDSA P-256 when the CA's is unusual).
    pub key_type: Option<KeyType>,
    pub validity: Validity,
}

/// A revoked certificate, for [`Ca::crl`] and the lab's OCSP responder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevokedCert {
    /// The serial number's bytes (big-endian, as in the certificate).
    pub serial: Vec<u8>,
    pub time: OffsetDateTime,
}

/// What labs add to a certificate beyond [`IssueRequest`].
#[derive(Debug, Clone, Default)]
pub struct IssueExtras {
    /// A CRL distribution point (`http://127.0.0.1:PORT/crl`).
    pub crl_url: Option<String>,
    /// An OCSP responder, in the authority information access extension.
    pub ocsp_url: Option<String>,
    /// Certify this public key (DER SubjectPublicKeyInfo) instead of generating a key pair; the
    /// [`Issued`] then has no private key.
    pub public_key: Option<Vec<u8>>,
}

/// authorityInfoAccess (1.3.6.1.5.5.7.1.1) with one id-ad-ocsp (1.3.6.1.5.5.7.48.1) URI.
fn aia_ocsp_extension(url: &str) -> rcgen::CustomExtension {
    use super::rehash::der;
    const ID_AD_OCSP: [u8; 8] = [0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01];
    let mut access = Vec::new();
    der::push_tlv(&mut access, 0x06, &ID_AD_OCSP);
    der::push_tlv(&mut access, 0x86, url.as_bytes()); // [6] uniformResourceIdentifier
    let mut desc = Vec::new();
    der::push_tlv(&mut desc, der::SEQUENCE, &access);
    let mut content = Vec::new();
    der::push_tlv(&mut content, der::SEQUENCE, &desc);
    rcgen::CustomExtension::from_oid_content(&[1, 3, 6, 1, 5, 5, 7, 1, 1], content)
}

/// A freshly issued certificate and its key, not yet written anywhere.
pub struct Issued {
    pub cert: CertificateDer<'static>,
    key_pem: String,
    ca_pem: String,
    pub key_type: KeyType,
    pub info: CertInfo,
    /// Things the user should know (CA expired, validity too long for some clients, …).
    pub warnings: Vec<String>,
}

impl fmt::Debug for Issued {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Issued")
            .field("subject", &self.info.subject)
            .field("key_type", &self.key_type)
            .finish_non_exhaustive()
    }
}

/// A self-signed server certificate (not a CA) for `names`: what a server makes for itself when
/// nobody issued it one — the lab's `self-signed` endpoint.
pub fn self_signed_leaf(names: &[&str], validity: Validity) -> Result<Issued> {
    let mut params = CertificateParams::default();
    params.not_before = validity.not_before;
    params.not_after = validity.not_after;
    params.serial_number = Some(random_serial()?);
    let mut dn = DistinguishedName::new();
    dn.push(
        DnType::CommonName,
        names.first().copied().unwrap_or("localhost"),
    );
    params.distinguished_name = dn;
    for n in names {
        let san = match parse_name(n, false)? {
            SubjectName::Dns(d) => SanType::DnsName(
                d.as_str()
                    .try_into()
                    .map_err(|_| name_error(&d, "not a valid DNS name"))?,
            ),
            SubjectName::Ip(ip) => SanType::IpAddress(ip),
            _ => continue,
        };
        params.subject_alt_names.push(san);
    }
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let key = KeyType::EcdsaP256.generate()?;
    let cert = params
        .self_signed(&key)
        .map_err(|e| Error::other(format!("cannot make a self-signed certificate: {e}")))?;
    let info = CertInfo::from_der(cert.der())?;
    Ok(Issued {
        cert: cert.der().clone(),
        key_pem: private_key_pem(&key),
        ca_pem: String::new(),
        key_type: KeyType::EcdsaP256,
        info,
        warnings: Vec::new(),
    })
}

impl Issued {
    /// The private key as PEM; empty when the certificate was made for a foreign public key.
    pub fn has_key(&self) -> bool {
        !self.key_pem.is_empty()
    }

    /// The same certificate and key with another certificate (e.g. re-signed), described anew.
    pub fn with_certificate(self, cert: CertificateDer<'static>) -> Result<Issued> {
        let info = CertInfo::from_der(cert.as_ref())?;
        Ok(Issued { cert, info, ..self })
    }
}

/// Where [`Issued::write`] puts things.
#[derive(Debug, Clone)]
pub enum Output {
    /// One PEM file: certificate, CA certificate, private key (mode 0600) — like the
    /// `localhost.pem` Python's ssl examples load with `load_cert_chain`.
    Combined(PathBuf),
    /// Certificate (mode 0644) and private key (mode 0600) in separate files.
    Separate { cert: PathBuf, key: PathBuf },
}

impl Issued {
    /// The certificate as PEM.
    pub fn cert_pem(&self) -> String {
        pem("CERTIFICATE", self.cert.as_ref())
    }

    /// The private key as PKCS#8 PEM.
    pub fn key_pem(&self) -> &str {
        &self.key_pem
    }

    /// Certificate, CA certificate and key in one PEM text.
    pub fn combined_pem(&self) -> String {
        format!("{}{}{}", self.cert_pem(), self.ca_pem, self.key_pem)
    }

    /// Write the outputs, all or nothing. Existing files are only replaced with `overwrite`.
    pub fn write(&self, out: &Output, overwrite: bool) -> Result<Vec<WrittenFile>> {
        let planned = match out {
            Output::Combined(path) => vec![Planned {
                path: path.clone(),
                bytes: self.combined_pem().into_bytes(),
                mode: KEY_MODE,
                contents: "certificate, CA certificate, private key".into(),
            }],
            Output::Separate { cert, key } => vec![
                Planned {
                    path: key.clone(),
                    bytes: self.key_pem.clone().into_bytes(),
                    mode: KEY_MODE,
                    contents: "private key".into(),
                },
                Planned {
                    path: cert.clone(),
                    bytes: self.cert_pem().into_bytes(),
                    mode: PUBLIC_MODE,
                    contents: "certificate".into(),
                },
            ],
        };
        write_all_or_nothing(planned, overwrite)
    }
}

/// Check before any key is generated that the outputs can be written (directories exist, files
/// do not exist unless `overwrite`), so mistakes are reported at once.
pub fn check_output(out: &Output, overwrite: bool) -> Result<()> {
    let paths: Vec<PathBuf> = match out {
        Output::Combined(p) => vec![p.clone()],
        Output::Separate { cert, key } => vec![key.clone(), cert.clone()],
    };
    let planned: Vec<Planned> = paths
        .into_iter()
        .map(|path| Planned {
            path,
            bytes: Vec::new(),
            mode: 0,
            contents: String::new(),
        })
        .collect();
    check_targets(&planned, overwrite)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2025-06-15 12:00:00 UTC);

    #[test]
    fn time_forms() {
        assert_eq!(parse_time("now", NOW).unwrap(), NOW);
        assert_eq!(parse_time("-30d", NOW).unwrap(), NOW - Duration::days(30));
        assert_eq!(parse_time("+2d", NOW).unwrap(), NOW + Duration::days(2));
        assert_eq!(parse_time("-12h", NOW).unwrap(), NOW - Duration::hours(12));
        assert_eq!(parse_time("+1w", NOW).unwrap(), NOW + Duration::days(7));
        assert_eq!(
            parse_time("2024-02-29", NOW).unwrap(),
            datetime!(2024-02-29 00:00:00 UTC)
        );
        assert_eq!(
            parse_time("2024-02-29T10:00:00+02:00", NOW).unwrap(),
            datetime!(2024-02-29 08:00:00 UTC)
        );
        assert_eq!(
            parse_time("2024-02-29 10:00:00Z", NOW).unwrap(),
            datetime!(2024-02-29 10:00:00 UTC)
        );
        assert_eq!(
            parse_time("20240229100000Z", NOW).unwrap(),
            datetime!(2024-02-29 10:00:00 UTC)
        );
        for bad in [
            "30d",
            "-30x",
            "yesterday",
            "2024-13-01",
            "",
            "-d",
            "1800-01-01",
        ] {
            assert!(parse_time(bad, NOW).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn validity_windows() {
        let v = Validity::resolve(None, None, None, 825, NOW).unwrap();
        assert_eq!(v.not_before, NOW - BACKDATE);
        assert_eq!(v.not_after - v.not_before, Duration::days(825));
        let expired = Validity::resolve(Some("-30d"), None, Some(1), 825, NOW).unwrap();
        assert!(expired.not_after < NOW);
        let ends = Validity::resolve(None, Some("-1d"), Some(10), 825, NOW).unwrap();
        assert_eq!(ends.not_after, NOW - Duration::days(1));
        assert_eq!(ends.not_before, NOW - Duration::days(11));
        assert!(Validity::resolve(Some("+2d"), Some("+1d"), None, 825, NOW).is_err());
        assert!(Validity::resolve(Some("+2d"), Some("+3d"), Some(1), 825, NOW).is_err());
        assert!(Validity::resolve(None, None, Some(0), 825, NOW).is_err());
    }

    #[test]
    fn names() {
        assert_eq!(
            parse_name("WWW.Bank32.com.", false).unwrap(),
            SubjectName::Dns("www.bank32.com".into())
        );
        assert_eq!(
            parse_name("*.bank32.com", false).unwrap(),
            SubjectName::Dns("*.bank32.com".into())
        );
        assert_eq!(
            parse_name("::1", false).unwrap(),
            SubjectName::Ip("::1".parse().unwrap())
        );
        assert_eq!(
            parse_name("[::1]", false).unwrap(),
            SubjectName::Ip("::1".parse().unwrap())
        );
        assert_eq!(
            parse_name("10.9.0.80", false).unwrap(),
            SubjectName::Ip("10.9.0.80".parse().unwrap())
        );
        assert_eq!(
            parse_name("localhost", false).unwrap(),
            SubjectName::Dns("localhost".into())
        );
        for bad in [
            "*.*.x.com",
            "w*.x.com",
            "*.com",
            "bad name",
            "",
            "a..b",
            "-a.com",
            "1.2.3.999",
            "bücher.de",
            "a@b.com",
        ] {
            assert!(
                parse_name(bad, false).is_err(),
                "{bad:?} should be rejected"
            );
        }
        assert_eq!(
            parse_name("alice", true).unwrap(),
            SubjectName::Plain("alice".into())
        );
        assert_eq!(
            parse_name("Alice Smith", true).unwrap(),
            SubjectName::Plain("Alice Smith".into())
        );
        assert_eq!(
            parse_name("alice@Example.COM", true).unwrap(),
            SubjectName::Email("alice@example.com".into())
        );
        assert!(parse_name("@example.com", true).is_err());
        assert_eq!(
            parse_name("host.example.com", true).unwrap(),
            SubjectName::Dns("host.example.com".into())
        );
    }

    #[test]
    fn ed25519_keys_are_written_as_pkcs8_v1() {
        let key = KeyType::Ed25519.generate().unwrap();
        let v1 = pkcs8_v1(key.serialized_der());
        assert_eq!(&v1[2..5], &[0x02, 0x01, 0x00], "version 0 (v1)");
        assert!(v1.len() < key.serialized_der().len(), "public key dropped");
        let der = rustls_pki_types::PrivateKeyDer::Pkcs8(v1.clone().into());
        let again = KeyPair::try_from(&der).unwrap();
        assert_eq!(again.der_bytes(), key.der_bytes());
        assert!(crate::provider().key_provider.load_private_key(der).is_ok());
        // Keys already in v1 form are left alone.
        let ec = KeyType::EcdsaP256.generate().unwrap();
        assert_eq!(pkcs8_v1(ec.serialized_der()), ec.serialized_der());
    }

    #[test]
    fn base64_matches_known_values() {
        assert_eq!(base64_encode(b""), "");
        assert_eq!(base64_encode(b"f"), "Zg==");
        assert_eq!(base64_encode(b"fo"), "Zm8=");
        assert_eq!(base64_encode(b"foo"), "Zm9v");
        assert_eq!(base64_encode(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn create_and_issue_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let ca_dir = dir.path().join("ca");
        let created = create_ca(&ca_dir, &CaOptions::new()).unwrap();
        assert!(created.info.is_ca);
        assert!(created.info.is_critical("basicConstraints"));
        let ca = Ca::load(&ca_dir, None).unwrap();
        let req = IssueRequest {
            names: vec!["localhost".into(), "127.0.0.1".into(), "::1".into()],
            common_name: None,
            server: true,
            client: false,
            key_type: None,
            validity: Validity::resolve(
                None,
                None,
                None,
                DEFAULT_LEAF_DAYS,
                OffsetDateTime::now_utc(),
            )
            .unwrap(),
        };
        let issued = ca.issue(&req).unwrap();
        assert_eq!(issued.info.common_name.as_deref(), Some("localhost"));
        assert_eq!(issued.info.san_ip, vec!["127.0.0.1", "::1"]);
        assert_eq!(issued.info.authority_key_id, created.info.subject_key_id);
        assert!(!issued.info.self_signed);
        let anchors =
            super::super::inspect::Anchors::from_certs(std::slice::from_ref(ca.cert_der()), "test");
        let v = super::super::inspect::verify_chain(
            std::slice::from_ref(&issued.cert),
            &anchors,
            Some("::1"),
        );
        assert!(v.trusted, "{v:?}");
        // Refuses to overwrite without force.
        assert!(create_ca(&ca_dir, &CaOptions::new()).is_err());
    }
}
