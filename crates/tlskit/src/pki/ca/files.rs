//! Writing files: all outputs staged, then renamed into place; PEM encoding.

use super::*;

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

pub(super) fn octal_mode<S: serde::Serializer>(
    mode: &u32,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&format!("{mode:04o}"))
}

pub(super) struct Planned {
    pub(super) path: PathBuf,
    pub(super) bytes: Vec<u8>,
    pub(super) mode: u32,
    pub(super) contents: String,
}

pub(super) fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// Check every target before anything is created: directory exists, target is not a directory,
/// target does not exist unless `overwrite`, no two targets are the same.
pub(super) fn check_targets(files: &[Planned], overwrite: bool) -> Result<()> {
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
pub(super) fn write_all_or_nothing(
    files: Vec<Planned>,
    overwrite: bool,
) -> Result<Vec<WrittenFile>> {
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
pub(super) fn private_key_pem(key: &KeyPair) -> String {
    pem("PRIVATE KEY", &pkcs8_v1(key.serialized_der()))
}

pub(super) fn pkcs8_v1(der: &[u8]) -> Vec<u8> {
    use crate::pki::der;
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

pub(super) fn random_serial() -> Result<SerialNumber> {
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

pub(super) fn pem(label: &str, der: &[u8]) -> String {
    let b64 = crate::base64::encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}
