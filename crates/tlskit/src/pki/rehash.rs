//! OpenSSL-compatible hashed certificate directories (`openssl rehash`, `c_rehash`).
//!
//! OpenSSL's `-CApath DIR` (and Python's `load_verify_locations(capath=DIR)`) does not read every
//! file in `DIR`: it computes a hash of the issuer name it is looking for and opens
//! `DIR/<hash>.0`, `DIR/<hash>.1`, … So every CA certificate needs a link named after the hash of
//! its subject. [`rehash_dir`] creates exactly those links.
//!
//! The hash is OpenSSL's `X509_NAME_hash_ex`: SHA-1 over the *canonical* encoding of the name
//! (see [`canonical_name`]), first four bytes read as a little-endian `u32`, printed as eight
//! lowercase hex digits. It is the value `openssl x509 -subject_hash -noout` prints.

use super::der::{
    self, string_to_utf8, BMP_STRING, IA5_STRING, PRINTABLE_STRING, T61_STRING, UNIVERSAL_STRING,
    UTF8_STRING, VISIBLE_STRING,
};
use crate::error::{file_error, Error, Result};
use sha1::{Digest, Sha1};
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

fn bad_name() -> Error {
    Error::input("the distinguished name is not valid DER")
}

fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// OpenSSL's `asn1_string_canon` on UTF-8 bytes: trim ASCII white space, collapse inner runs to
/// one space, lowercase ASCII letters, leave every other byte as it is.
fn canon_text(s: &str) -> Vec<u8> {
    let bytes = s.as_bytes();
    let start = bytes
        .iter()
        .position(|b| !is_c_space(*b))
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !is_c_space(*b))
        .map_or(start, |p| p + 1);
    let mut out = Vec::with_capacity(end - start);
    let mut i = start;
    while i < end {
        let b = bytes[i];
        if is_c_space(b) {
            out.push(b' ');
            while i < end && is_c_space(bytes[i]) {
                i += 1;
            }
        } else {
            out.push(b.to_ascii_lowercase());
            i += 1;
        }
    }
    out
}

/// DER ordering of SET OF elements as OpenSSL sorts them: bytewise, then shorter first.
fn der_set_order(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    let n = a.len().min(b.len());
    a[..n].cmp(&b[..n]).then(a.len().cmp(&b.len()))
}

/// The canonical encoding OpenSSL hashes (`x509_name_canon`): for every RDN, a SET of
/// `SEQUENCE { type, value }` where string values are converted to UTF-8, trimmed, inner white
/// space collapsed, ASCII-lowercased and re-encoded as UTF8String; the SETs are concatenated
/// without the outer SEQUENCE. `name_der` is the DER of the whole `Name` (a SEQUENCE).
pub fn canonical_name(name_der: &[u8]) -> Result<Vec<u8>> {
    let (name, rest) = der::expect(name_der, der::SEQUENCE).ok_or_else(bad_name)?;
    if !rest.is_empty() {
        return Err(bad_name());
    }
    let mut out = Vec::new();
    for rdn in der::all(name.content).ok_or_else(bad_name)? {
        if rdn.tag != der::SET {
            return Err(bad_name());
        }
        let mut entries: Vec<Vec<u8>> = Vec::new();
        for atv in der::all(rdn.content).ok_or_else(bad_name)? {
            if atv.tag != der::SEQUENCE {
                return Err(bad_name());
            }
            let parts = der::all(atv.content).ok_or_else(bad_name)?;
            let [oid, value] = parts.as_slice() else {
                return Err(bad_name());
            };
            let mut entry = Vec::new();
            entry.extend_from_slice(oid.raw);
            match value.tag {
                UTF8_STRING | PRINTABLE_STRING | T61_STRING | IA5_STRING | VISIBLE_STRING
                | UNIVERSAL_STRING | BMP_STRING => {
                    let text = string_to_utf8(value.tag, value.content)?;
                    der::push_tlv(&mut entry, UTF8_STRING, &canon_text(&text));
                }
                // Other types are copied as they are.
                _ => entry.extend_from_slice(value.raw),
            }
            let mut seq = Vec::new();
            der::push_tlv(&mut seq, der::SEQUENCE, &entry);
            entries.push(seq);
        }
        entries.sort_by(|a, b| der_set_order(a, b));
        der::push_tlv(&mut out, der::SET, &entries.concat());
    }
    Ok(out)
}

/// OpenSSL's `X509_NAME_hash_ex` of a DER `Name`.
pub fn name_hash(name_der: &[u8]) -> Result<u32> {
    let canon = canonical_name(name_der)?;
    let digest = Sha1::digest(&canon);
    Ok(u32::from_le_bytes([
        digest[0], digest[1], digest[2], digest[3],
    ]))
}

/// `openssl x509 -subject_hash` of a DER certificate.
pub fn subject_hash(cert_der: &[u8]) -> Result<u32> {
    let (_, cert) = x509_parser::parse_x509_certificate(cert_der)
        .map_err(|_| Error::input("not a valid X.509 certificate"))?;
    name_hash(cert.tbs_certificate.subject.as_raw())
}

/// `openssl x509 -issuer_hash` of a DER certificate.
pub fn issuer_hash(cert_der: &[u8]) -> Result<u32> {
    let (_, cert) = x509_parser::parse_x509_certificate(cert_der)
        .map_err(|_| Error::input("not a valid X.509 certificate"))?;
    name_hash(cert.tbs_certificate.issuer.as_raw())
}

/// `openssl crl -hash` of a DER CRL (the hash of its issuer).
pub fn crl_issuer_hash(crl_der: &[u8]) -> Result<u32> {
    let (_, crl) =
        x509_parser::parse_x509_crl(crl_der).map_err(|_| Error::input("not a valid X.509 CRL"))?;
    name_hash(crl.tbs_cert_list.issuer.as_raw())
}

/// Eight lowercase hex digits, as OpenSSL prints the hash.
pub fn hash_hex(hash: u32) -> String {
    format!("{hash:08x}")
}

/// Whether a file name looks like a hash link OpenSSL uses: `[0-9a-f]{8}.[r]N`.
pub fn is_hash_link_name(name: &str) -> bool {
    let Some((hash, suffix)) = name.split_once('.') else {
        return false;
    };
    let digits = suffix.strip_prefix('r').unwrap_or(suffix);
    hash.len() == 8
        && hash
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        && !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
}

/// What a hash link points to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkKind {
    Certificate,
    Crl,
}

/// One link made by [`rehash_dir`].
#[derive(Debug, Clone, serde::Serialize)]
pub struct HashLink {
    /// Link name inside the directory, e.g. `"3c0b2d1e.0"`.
    pub link: String,
    /// File it points to (relative, in the same directory).
    pub target: String,
    pub kind: LinkKind,
    /// Subject (certificate) or issuer (CRL) the hash was computed from, RFC 4514 style.
    pub name: String,
}

/// A file [`rehash_dir`] did not link, and why.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SkippedFile {
    pub file: String,
    pub reason: String,
    /// `true` for files that are simply not certificates (keys, notes): not worth a warning.
    pub quiet: bool,
}

/// The result of [`rehash_dir`].
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct RehashReport {
    pub directory: String,
    pub links: Vec<HashLink>,
    /// Old hash links that were removed before linking.
    pub removed: Vec<String>,
    pub skipped: Vec<SkippedFile>,
}

enum Found {
    Cert {
        der: Vec<u8>,
        name: String,
        hash: u32,
    },
    Crl {
        der: Vec<u8>,
        name: String,
        hash: u32,
    },
    Skip {
        reason: String,
        quiet: bool,
    },
}

fn classify(bytes: &[u8]) -> Found {
    use rustls_pki_types::pem::{PemObject, SectionKind};
    let quiet = |r: &str| Found::Skip {
        reason: r.to_string(),
        quiet: true,
    };
    let mut certs = Vec::new();
    let mut crls = Vec::new();
    let text_like = bytes.windows(11).any(|w| w == b"-----BEGIN ");
    if text_like {
        for item in <(SectionKind, Vec<u8>)>::pem_slice_iter(bytes) {
            match item {
                Ok((SectionKind::Certificate, der)) => certs.push(der),
                Ok((SectionKind::Crl, der)) => crls.push(der),
                Ok(_) => {}
                Err(_) => {
                    return Found::Skip {
                        reason: "damaged PEM (a section is truncated or not valid base64)".into(),
                        quiet: false,
                    }
                }
            }
        }
    } else if x509_parser::parse_x509_certificate(bytes).is_ok() {
        certs.push(bytes.to_vec());
    } else if x509_parser::parse_x509_crl(bytes).is_ok() {
        crls.push(bytes.to_vec());
    } else {
        return quiet("not a certificate or CRL");
    }
    match (certs.len(), crls.len()) {
        (0, 0) => quiet("no certificate or CRL in it"),
        (1, 0) => {
            let der = certs.remove(0);
            match x509_parser::parse_x509_certificate(&der) {
                Ok((_, c)) => match name_hash(c.tbs_certificate.subject.as_raw()) {
                    Ok(hash) => Found::Cert {
                        name: super::inspect::format_name(&c.tbs_certificate.subject),
                        hash,
                        der: der.clone(),
                    },
                    Err(e) => Found::Skip {
                        reason: format!("cannot hash its subject: {e}"),
                        quiet: false,
                    },
                },
                Err(_) => Found::Skip {
                    reason: "its certificate is not valid X.509".into(),
                    quiet: false,
                },
            }
        }
        (0, 1) => {
            let der = crls.remove(0);
            match x509_parser::parse_x509_crl(&der) {
                Ok((_, c)) => match name_hash(c.tbs_cert_list.issuer.as_raw()) {
                    Ok(hash) => Found::Crl {
                        name: super::inspect::format_name(&c.tbs_cert_list.issuer),
                        hash,
                        der: der.clone(),
                    },
                    Err(e) => Found::Skip {
                        reason: format!("cannot hash its issuer: {e}"),
                        quiet: false,
                    },
                },
                Err(_) => Found::Skip {
                    reason: "its CRL is not valid".into(),
                    quiet: false,
                },
            }
        }
        (c, r) => {
            let count = |n: usize, what: &str| match n {
                0 => None,
                1 => Some(format!("1 {what}")),
                n => Some(format!("{n} {what}s")),
            };
            let held: Vec<String> = [count(c, "certificate"), count(r, "CRL")]
                .into_iter()
                .flatten()
                .collect();
            Found::Skip {
                reason: format!(
                    "it holds {}; OpenSSL only uses files with exactly one certificate or CRL (split it, one per file)",
                    held.join(" and ")
                ),
                quiet: false,
            }
        }
    }
}

/// Create OpenSSL-style hash links for every certificate (`<hash>.N`) and CRL (`<hash>.rN`) in
/// `dir`, like `openssl rehash DIR`.
///
/// * Symbolic links whose names look like hash links are removed first (stale ones included).
/// * Files holding exactly one certificate or CRL (PEM or DER) are linked; the same certificate in
///   two files is linked once. Keys and other files are skipped quietly; bundles with several
///   certificates are skipped with a reason (OpenSSL does the same).
/// * Collisions (different subjects with the same hash, or several certificates with the same
///   subject, e.g. a renewed CA) get `.1`, `.2`, … in file-name order.
pub fn rehash_dir(dir: &Path) -> Result<RehashReport> {
    if !dir.exists() {
        return Err(Error::input(format!(
            "directory {} does not exist",
            dir.display()
        )));
    }
    if !dir.is_dir() {
        return Err(Error::input(format!(
            "{} is not a directory (rehash works on a directory of CA certificates)",
            dir.display()
        )));
    }
    let mut report = RehashReport {
        directory: dir.display().to_string(),
        ..Default::default()
    };
    let names = sorted_entries(dir)?;
    let (mut occupied, sources) = remove_old_links(names, &mut report)?;
    let buckets = classify_files(sources, &mut report);
    make_links(dir, buckets, &mut occupied, &mut report)?;
    report
        .links
        .sort_by(|a, b| a.target.cmp(&b.target).then(a.link.cmp(&b.link)));
    Ok(report)
}

/// The directory's entries with UTF-8 names, sorted by name.
fn sorted_entries(dir: &Path) -> Result<Entries> {
    let mut names = Entries::new();
    for entry in std::fs::read_dir(dir).map_err(|e| file_error(dir, "read directory", &e))? {
        let entry = entry.map_err(|e| file_error(dir, "read directory", &e))?;
        let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
            continue;
        };
        names.push((name, entry.path()));
    }
    names.sort();
    Ok(names)
}

/// Remove old hash links (only symbolic links; a regular file with such a name is left alone
/// and its name stays taken). Returns the taken names and the files to classify (hidden files
/// left out).
fn remove_old_links(
    names: Entries,
    report: &mut RehashReport,
) -> Result<(HashSet<String>, Entries)> {
    let mut occupied = HashSet::new();
    let mut sources = Vec::new();
    for (name, path) in names {
        let meta =
            std::fs::symlink_metadata(&path).map_err(|e| file_error(&path, "inspect", &e))?;
        if is_hash_link_name(&name) {
            if meta.file_type().is_symlink() {
                std::fs::remove_file(&path)
                    .map_err(|e| file_error(&path, "remove old link", &e))?;
                report.removed.push(name);
            } else {
                occupied.insert(name);
            }
            continue;
        }
        if name.starts_with('.') {
            continue;
        }
        sources.push((name, path));
    }
    Ok((occupied, sources))
}

/// Directory entries: file name and path.
type Entries = Vec<(String, PathBuf)>;

/// Files to link, by (hash, is a CRL): each file's name and the name it was hashed from.
type Buckets = BTreeMap<(u32, bool), Vec<(String, String)>>;

/// Classify every file (following symbolic links to files): certificates and CRLs go into
/// buckets by hash, the same one twice only once; the rest is reported as skipped.
fn classify_files(sources: Entries, report: &mut RehashReport) -> Buckets {
    let mut seen: Vec<Vec<u8>> = Vec::new();
    let mut buckets = Buckets::new();
    for (name, path) in sources {
        if !path.is_file() {
            continue;
        }
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) => {
                report.skipped.push(SkippedFile {
                    file: name,
                    reason: file_error(&path, "read", &e).to_string(),
                    quiet: false,
                });
                continue;
            }
        };
        let (der, named, hash, is_crl) = match classify(&bytes) {
            Found::Cert { der, name, hash } => (der, name, hash, false),
            Found::Crl { der, name, hash } => (der, name, hash, true),
            Found::Skip { reason, quiet } => {
                report.skipped.push(SkippedFile {
                    file: name,
                    reason,
                    quiet,
                });
                continue;
            }
        };
        if seen.contains(&der) {
            let what = if is_crl { "CRL" } else { "certificate" };
            report.skipped.push(SkippedFile {
                file: name,
                reason: format!("the same {what} is already linked from another file"),
                quiet: false,
            });
            continue;
        }
        seen.push(der);
        buckets
            .entry((hash, is_crl))
            .or_default()
            .push((name, named));
    }
    buckets
}

/// Create `<hash>.N` (`<hash>.rN` for CRLs) for every file, numbering past taken names.
fn make_links(
    dir: &Path,
    buckets: Buckets,
    occupied: &mut HashSet<String>,
    report: &mut RehashReport,
) -> Result<()> {
    for ((hash, is_crl), files) in buckets {
        let mut n = 0u32;
        for (file, subject) in files {
            let link = loop {
                let candidate = format!("{}.{}{n}", hash_hex(hash), if is_crl { "r" } else { "" });
                n += 1;
                if !occupied.contains(&candidate) {
                    break candidate;
                }
            };
            let link_path = dir.join(&link);
            std::os::unix::fs::symlink(&file, &link_path)
                .map_err(|e| file_error(&link_path, "create link", &e))?;
            occupied.insert(link.clone());
            report.links.push(HashLink {
                link,
                target: file,
                kind: if is_crl {
                    LinkKind::Crl
                } else {
                    LinkKind::Certificate
                },
                name: subject,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canon_text_trims_collapses_and_lowercases_ascii_only() {
        assert_eq!(canon_text("  Zürich \t  LAB  "), "zürich lab".as_bytes());
        assert_eq!(canon_text("ÄBC"), "Äbc".as_bytes());
        assert_eq!(canon_text("   "), b"");
    }

    #[test]
    fn hash_link_names() {
        assert!(is_hash_link_name("0a1b2c3d.0"));
        assert!(is_hash_link_name("0a1b2c3d.12"));
        assert!(is_hash_link_name("0a1b2c3d.r0"));
        assert!(!is_hash_link_name("0A1B2C3D.0"));
        assert!(!is_hash_link_name("0a1b2c3.0"));
        assert!(!is_hash_link_name("0a1b2c3d.pem"));
        assert!(!is_hash_link_name("ca.crt"));
    }

    #[test]
    fn empty_name_hash_is_sha1_of_nothing() {
        // SHA-1("") = da39a3ee…; little-endian first four bytes.
        assert_eq!(name_hash(&[0x30, 0x00]).unwrap(), 0xeea339da);
    }

    #[test]
    fn printable_and_utf8_spellings_hash_alike() {
        // CN=" Test  CA" as PrintableString and CN="test ca" as UTF8String.
        fn name(tag: u8, value: &[u8]) -> Vec<u8> {
            let mut atv = vec![0x06, 0x03, 0x55, 0x04, 0x03];
            der::push_tlv(&mut atv, tag, value);
            let mut seq = Vec::new();
            der::push_tlv(&mut seq, der::SEQUENCE, &atv);
            let mut set = Vec::new();
            der::push_tlv(&mut set, der::SET, &seq);
            let mut out = Vec::new();
            der::push_tlv(&mut out, der::SEQUENCE, &set);
            out
        }
        let a = name(PRINTABLE_STRING, b" Test  CA");
        let b = name(UTF8_STRING, b"test ca");
        assert_eq!(name_hash(&a).unwrap(), name_hash(&b).unwrap());
        assert!(name_hash(&[0x30, 0x03, 0x31]).is_err());
    }
}
