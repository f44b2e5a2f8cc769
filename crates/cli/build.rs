//! Build-time facts for `tlskit --version`: the versions of the TLS stack actually linked, read
//! from the workspace's Cargo.lock (the resolved graph), so they never go stale in a string.
// Cargo reads a build script's directives from its stdout: println! is the interface here
// (crates/cli/clippy.toml disallows it in the binary, where stdout is the user's).
#![allow(clippy::disallowed_macros)]

use std::path::Path;

/// The version of `name` in a Cargo.lock (the first entry; the TLS stack has one of each).
fn locked_version(lock: &str, name: &str) -> Option<String> {
    let mut lines = lock.lines();
    while let Some(l) = lines.next() {
        if l.trim() == format!("name = \"{name}\"") {
            let v = lines.next()?.trim();
            return v
                .strip_prefix("version = \"")
                .and_then(|r| r.strip_suffix('"'))
                .map(str::to_string);
        }
    }
    None
}

fn main() {
    let manifest = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
    let lock_path = Path::new(&manifest).join("../../Cargo.lock");
    println!("cargo:rerun-if-changed={}", lock_path.display());
    println!("cargo:rerun-if-changed=build.rs");
    let lock = std::fs::read_to_string(&lock_path).unwrap_or_default();
    for (name, var) in [
        ("rustls", "TLSKIT_RUSTLS_VERSION"),
        ("aws-lc-rs", "TLSKIT_AWS_LC_RS_VERSION"),
        ("aws-lc-sys", "TLSKIT_AWS_LC_SYS_VERSION"),
        ("webpki-roots", "TLSKIT_WEBPKI_ROOTS_VERSION"),
        ("clap", "TLSKIT_CLAP_VERSION"),
    ] {
        let v = locked_version(&lock, name).unwrap_or_else(|| "unknown".into());
        println!("cargo:rustc-env={var}={v}");
    }
}
