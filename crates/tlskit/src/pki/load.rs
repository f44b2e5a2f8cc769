//! Loading certificates, keys and trust anchors from PEM (or DER) files, with errors a user can act on.

use crate::error::{file_error, Error, Result};
use rustls_pki_types::pem::{self, PemObject, SectionKind};
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use std::path::{Path, PathBuf};

/// A certificate chain (leaf first) and the private key that belongs to the leaf.
#[derive(Debug)]
pub struct CertKey {
    pub chain: Vec<CertificateDer<'static>>,
    pub key: PrivateKeyDer<'static>,
}

/// Read a whole file, turning I/O errors into one-line messages.
pub fn read_file(path: &Path) -> Result<Vec<u8>> {
    if path.is_dir() {
        return Err(Error::input(format!(
            "cannot read {}: it is a directory, not a file",
            path.display()
        )));
    }
    std::fs::read(path).map_err(|e| file_error(path, "read", &e))
}

fn pem_error(path: &Path, e: pem::Error) -> Error {
    let why = match e {
        pem::Error::MissingSectionEnd { .. } => {
            "a PEM section has no matching -----END----- line (the file is truncated or damaged)"
                .to_string()
        }
        pem::Error::IllegalSectionStart { .. } => "a -----BEGIN----- line is malformed".to_string(),
        pem::Error::Base64Decode(_) => {
            "the base64 text inside a PEM section is damaged".to_string()
        }
        other => other.to_string(),
    };
    Error::input(format!("{} is not valid PEM: {why}", path.display()))
}

/// What PEM sections a file holds, in order. Files that are not PEM give an empty list.
fn pem_sections(path: &Path, bytes: &[u8]) -> Result<Vec<(SectionKind, Vec<u8>)>> {
    let mut out = Vec::new();
    for item in <(SectionKind, Vec<u8>)>::pem_slice_iter(bytes) {
        out.push(item.map_err(|e| pem_error(path, e))?);
    }
    Ok(out)
}

fn looks_like_der_certificate(bytes: &[u8]) -> bool {
    // SEQUENCE with a long-form length, as every certificate is.
    bytes.len() > 4 && bytes[0] == 0x30 && (bytes[1] == 0x82 || bytes[1] == 0x83)
}

fn has_encrypted_key(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(bytes);
    text.contains("BEGIN ENCRYPTED PRIVATE KEY") || text.contains("Proc-Type: 4,ENCRYPTED")
}

/// Every certificate in a PEM file (or a single DER certificate), in file order.
pub fn load_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>> {
    let bytes = read_file(path)?;
    certs_from_bytes(path, &bytes)
}

/// Like [`load_certs`] on bytes already read; `path` is only used in messages.
pub fn certs_from_bytes(path: &Path, bytes: &[u8]) -> Result<Vec<CertificateDer<'static>>> {
    if looks_like_der_certificate(bytes) {
        return Ok(vec![CertificateDer::from(bytes.to_vec())]);
    }
    let certs: Vec<CertificateDer<'static>> = pem_sections(path, bytes)?
        .into_iter()
        .filter(|(kind, _)| *kind == SectionKind::Certificate)
        .map(|(_, der)| CertificateDer::from(der))
        .collect();
    if certs.is_empty() {
        return Err(Error::input(format!(
            "{} contains no certificate (expected a -----BEGIN CERTIFICATE----- block or a DER certificate)",
            path.display()
        )));
    }
    for (i, c) in certs.iter().enumerate() {
        if x509_parser::parse_x509_certificate(c.as_ref()).is_err() {
            return Err(Error::input(format!(
                "certificate #{} in {} is not a valid X.509 certificate",
                i + 1,
                path.display()
            )));
        }
    }
    Ok(certs)
}

/// The first private key in a PEM file (PKCS#8, PKCS#1 RSA or SEC1 EC).
pub fn load_key(path: &Path) -> Result<PrivateKeyDer<'static>> {
    let bytes = read_file(path)?;
    key_from_bytes(path, &bytes)
}

/// Like [`load_key`] on bytes already read; `path` is only used in messages.
pub fn key_from_bytes(path: &Path, bytes: &[u8]) -> Result<PrivateKeyDer<'static>> {
    for (kind, der) in pem_sections(path, bytes)? {
        let key = match kind {
            SectionKind::PrivateKey => PrivateKeyDer::Pkcs8(der.into()),
            SectionKind::RsaPrivateKey => PrivateKeyDer::Pkcs1(der.into()),
            SectionKind::EcPrivateKey => PrivateKeyDer::Sec1(der.into()),
            _ => continue,
        };
        return Ok(key);
    }
    if has_encrypted_key(bytes) {
        return Err(Error::input(format!(
            "the private key in {} is encrypted; tlskit needs an unencrypted key (decrypt it with `openssl pkey -in {} -out plain.key`)",
            path.display(),
            path.display()
        )));
    }
    Err(Error::input(format!(
        "{} contains no private key (expected a -----BEGIN PRIVATE KEY----- block; pass the key with -k/--key if it is in another file)",
        path.display()
    )))
}

/// Load a certificate chain and its key: from one combined PEM (`key == None`), or from two files.
/// Checks that the key belongs to the first (leaf) certificate.
pub fn load_cert_key(cert: &Path, key: Option<&Path>) -> Result<CertKey> {
    let cert_bytes = read_file(cert)?;
    let chain = certs_from_bytes(cert, &cert_bytes)?;
    let (key, key_path) = match key {
        Some(k) => (load_key(k)?, k.to_path_buf()),
        None => (key_from_bytes(cert, &cert_bytes)?, cert.to_path_buf()),
    };
    check_key_matches(&chain, &key, cert, &key_path)?;
    Ok(CertKey { chain, key })
}

/// Verify that `key` is the private half of the leaf certificate's public key.
pub fn check_key_matches(
    chain: &[CertificateDer<'static>],
    key: &PrivateKeyDer<'static>,
    cert_path: &Path,
    key_path: &Path,
) -> Result<()> {
    let provider = crate::provider();
    let signing = provider.key_provider.load_private_key(key.clone_key()).map_err(|e| {
        Error::input(format!(
            "the private key in {} cannot be used: {e} (supported: RSA, ECDSA P-256/P-384/P-521, Ed25519)",
            key_path.display()
        ))
    })?;
    let certified = rustls::sign::CertifiedKey::new(chain.to_vec(), signing);
    match certified.keys_match() {
        Ok(()) => Ok(()),
        Err(rustls::Error::InconsistentKeys(rustls::InconsistentKeys::KeyMismatch)) => {
            Err(Error::input(format!(
                "the private key in {} does not belong to the certificate in {} (their public keys differ)",
                key_path.display(),
                cert_path.display()
            )))
        }
        // Unknown: the key type cannot report its public key; rustls will check at handshake time.
        Err(rustls::Error::InconsistentKeys(rustls::InconsistentKeys::Unknown)) => Ok(()),
        Err(e) => Err(Error::input(format!(
            "cannot use the certificate in {}: {e}",
            cert_path.display()
        ))),
    }
}

/// Trust anchors from a file (PEM bundle or DER) or from a directory (every readable certificate file
/// in it, like OpenSSL's CApath; hashed `xxxxxxxx.0` links included, duplicates removed).
pub fn load_trust(path: &Path) -> Result<Vec<CertificateDer<'static>>> {
    if !path.exists() {
        return Err(Error::input(format!(
            "CA file or directory {} does not exist",
            path.display()
        )));
    }
    if !path.is_dir() {
        return load_certs(path);
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(|e| file_error(path, "read directory", &e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    entries.sort();
    let mut out: Vec<CertificateDer<'static>> = Vec::new();
    for p in entries {
        // Keys, CSRs and notes may live beside the certificates: skip what is not a certificate.
        let Ok(bytes) = std::fs::read(&p) else {
            continue;
        };
        if let Ok(certs) = certs_from_bytes(&p, &bytes) {
            for c in certs {
                if !out.iter().any(|o| o.as_ref() == c.as_ref()) {
                    out.push(c);
                }
            }
        }
    }
    if out.is_empty() {
        return Err(Error::input(format!(
            "CA directory {} holds no certificate files",
            path.display()
        )));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_file_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("empty.pem");
        std::fs::write(&p, b"").unwrap();
        let e = load_certs(&p).unwrap_err();
        assert!(e.to_string().contains("contains no certificate"), "{e}");
    }

    #[test]
    fn truncated_pem_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("bad.pem");
        std::fs::write(&p, b"-----BEGIN CERTIFICATE-----\nMIIB\n").unwrap();
        let e = load_certs(&p).unwrap_err();
        assert!(e.to_string().contains("not valid PEM"), "{e}");
    }

    #[test]
    fn missing_file_names_the_file() {
        let e = load_certs(Path::new("/nonexistent/x.pem")).unwrap_err();
        assert!(e.to_string().contains("/nonexistent/x.pem"), "{e}");
        assert!(e.to_string().contains("no such file"), "{e}");
    }
}
