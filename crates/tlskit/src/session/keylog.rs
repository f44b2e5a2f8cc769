//! TLS secrets in the NSS key log format (what Wireshark and tshark read), for `--keylog FILE` and
//! the `SSLKEYLOGFILE` environment variable.

use crate::error::{file_error, Error, Result};
use std::fmt::Write as _;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Appends `LABEL <client_random hex> <secret hex>` lines to a file created with mode 0600.
#[derive(Debug)]
pub struct KeyLogFile {
    path: PathBuf,
    file: Mutex<File>,
}

impl KeyLogFile {
    /// Open (or create, mode 0600) the key log for appending. A symbolic link is not followed
    /// (O_NOFOLLOW: someone who can write the folder could point the link at a file of theirs),
    /// and an existing file that other users can read or write is refused rather than appended
    /// to: the secrets decrypt every session logged.
    pub fn open(path: &Path) -> Result<Self> {
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .mode(crate::fsutil::KEY_MODE)
            .custom_flags(libc::O_NOFOLLOW)
            .open(path)
            .map_err(|e| {
                if e.raw_os_error() == Some(libc::ELOOP) {
                    Error::input(format!(
                        "cannot open the key log file {}: it is a symbolic link, which tlskit does not follow for TLS secrets; give the real path",
                        path.display()
                    ))
                } else {
                    file_error(path, "open the key log file", &e)
                }
            })?;
        let mode = file
            .metadata()
            .map_err(|e| file_error(path, "read the key log file's permissions", &e))?
            .permissions()
            .mode()
            & 0o777;
        if mode & 0o077 != 0 {
            return Err(Error::input(format!(
                "the key log file {} is open to other users (mode {mode:04o}): TLS secrets are not appended to it; run `chmod 600 {}` or choose a new file",
                path.display(),
                path.display()
            )));
        }
        Ok(KeyLogFile {
            path: path.to_path_buf(),
            file: Mutex::new(file),
        })
    }

    /// The key log's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl rustls::KeyLog for KeyLogFile {
    fn log(&self, label: &str, client_random: &[u8], secret: &[u8]) {
        let mut line =
            String::with_capacity(label.len() + 2 + 2 * (client_random.len() + secret.len()) + 1);
        line.push_str(label);
        line.push(' ');
        for b in client_random {
            let _ = write!(line, "{b:02x}");
        }
        line.push(' ');
        for b in secret {
            let _ = write!(line, "{b:02x}");
        }
        line.push('\n');
        if let Ok(mut f) = self.file.lock() {
            let _ = f.write_all(line.as_bytes());
            let _ = f.flush();
        }
    }

    fn will_log(&self, _label: &str) -> bool {
        true
    }
}

/// The key log to use: the explicit path, else `SSLKEYLOGFILE` when set and non-empty.
pub fn resolve(explicit: Option<&Path>) -> Option<PathBuf> {
    if let Some(p) = explicit {
        return Some(p.to_path_buf());
    }
    match std::env::var_os("SSLKEYLOGFILE") {
        Some(v) if !v.is_empty() => Some(PathBuf::from(v)),
        _ => None,
    }
}
