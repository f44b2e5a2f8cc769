//! Writing files so that nothing is lost or half-written: write to a temporary file in the same
//! directory, fsync, set the mode, then rename over the target.

use crate::error::{file_error, Error, Result};
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// Mode for private keys.
pub const KEY_MODE: u32 = 0o600;
/// Mode for certificates and other public files.
pub const PUBLIC_MODE: u32 = 0o644;

/// Write `bytes` to `path` atomically with permissions `mode`.
/// With `overwrite == false` an existing file is an error and is left untouched.
pub fn write_atomic(path: &Path, bytes: &[u8], mode: u32, overwrite: bool) -> Result<()> {
    if !overwrite && path.exists() {
        return Err(Error::input(format!(
            "{} already exists; refusing to overwrite it (remove it first or pass --force)",
            path.display()
        )));
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(Error::input(format!(
            "cannot write {}: directory {} does not exist",
            path.display(),
            dir.display()
        )));
    }
    let mut tmp = tempfile::Builder::new()
        .prefix(".tlskit-")
        .tempfile_in(dir)
        .map_err(|e| file_error(path, "write", &e))?;
    // Restrict the permissions before any secret byte is written.
    tmp.as_file()
        .set_permissions(std::fs::Permissions::from_mode(mode))
        .map_err(|e| file_error(path, "set permissions on", &e))?;
    tmp.write_all(bytes)
        .map_err(|e| file_error(path, "write", &e))?;
    tmp.as_file()
        .sync_all()
        .map_err(|e| file_error(path, "write", &e))?;
    if overwrite {
        tmp.persist(path)
            .map_err(|e| file_error(path, "write", &e.error))?;
    } else {
        tmp.persist_noclobber(path)
            .map_err(|e| file_error(path, "write", &e.error))?;
    }
    Ok(())
}

/// Create a directory (and parents) with the given mode if it does not exist.
pub fn ensure_dir(path: &Path, mode: u32) -> Result<()> {
    if path.is_dir() {
        return Ok(());
    }
    if path.exists() {
        return Err(Error::input(format!(
            "{} exists and is not a directory",
            path.display()
        )));
    }
    std::fs::create_dir_all(path).map_err(|e| file_error(path, "create directory", &e))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .map_err(|e| file_error(path, "set permissions on", &e))?;
    Ok(())
}
