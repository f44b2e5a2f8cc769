//! Test support for tlskit's Encrypted Client Hello tests: the `openssl` program of OpenSSL 4
//! (ECH-capable `s_server`, `openssl ech`), built from `openssl-src`'s vendored source by this
//! crate's build script. Never a dependency of the shipped `tlskit` binary.

use std::path::Path;

/// The OpenSSL 4 `openssl` program built by build.rs.
pub fn openssl4() -> &'static Path {
    Path::new(env!("TLSKIT_OPENSSL4"))
}
