//! Test support for tlskit: a deliberately weak TLS server for exercising `tlskit scan` and friends.
//!
//! This crate is never shipped: `publish = false`, it is not a dependency of `tlskit-cli`, and it
//! is not among the workspace's `default-members` (a plain `cargo build` skips it; `cargo test
//! --workspace` and `cargo build -p tlskit-testsupport` build it).
//!
//! It links a vendored OpenSSL 3 built with `enable-ssl3 enable-ssl3-method enable-weak-ssl-ciphers`
//! and the legacy provider (openssl-src features `ssl3`, `weak-crypto`, `legacy`), so the server
//! can offer SSLv3, TLS 1.0/1.1, RC4, 3DES, DES, NULL and anonymous suites, small or well-known DH
//! primes, unsafe legacy renegotiation, client-initiated renegotiation and more — things Debian's
//! OpenSSL refuses to serve.
//!
//! What it cannot do, because OpenSSL 3 lost it: export-grade suites (removed in 1.1.0), SSLv2
//! (removed in 1.1.0), heartbeat (removed in 1.1.1), and TLS compression (openssl-src always
//! configures `no-comp no-zlib`, and Debian's OpenSSL is built without zlib too). It also cannot
//! omit the RFC 5746 `renegotiation_info` answer to a client that asks for it: OpenSSL has no
//! switch for that. For scanner checks that decide from the ServerHello alone, `--fake-hello`
//! (module [`fake`]) answers those by hand.
//!
//! * [`server`]: the server behind the `tlskit-weak-server` binary ([`server::Options`] are its
//!   flags).
//! * [`fake`]: `--fake-hello`, a wire-level responder (ServerHello + Certificate +
//!   ServerHelloDone only) for export suites, DEFLATE compression, a missing renegotiation_info
//!   and the heartbeat extension — what OpenSSL 3 cannot serve.
//! * [`config::WeakServerConfig`]: a builder that renders those flags, for tests.
//! * [`client`]: a small client on the same vendored OpenSSL, for checking what the server
//!   negotiates when Debian's `openssl s_client` cannot (SSLv3, RC4, …).

pub mod client;
pub mod config;
pub mod fake;
pub mod server;

pub use config::WeakServerConfig;

use std::sync::OnceLock;

/// Load OpenSSL's `legacy` provider (RC4, DES, IDEA-less legacy ciphers, MD4 …) and, because
/// loading one provider explicitly stops the implicit load of the default one, the `default`
/// provider too. Must run before any `SslContext` is built: the TLS cipher table is filled from
/// the providers loaded at context creation. Idempotent; the providers stay loaded for the life
/// of the process.
pub fn load_providers() -> Result<(), String> {
    static LOADED: OnceLock<Result<(), String>> = OnceLock::new();
    LOADED
        .get_or_init(|| {
            for name in ["default", "legacy"] {
                let p = openssl::provider::Provider::load(None, name)
                    .map_err(|e| format!("cannot load OpenSSL provider {name:?}: {e}"))?;
                // Keep it loaded for the life of the process.
                std::mem::forget(p);
            }
            Ok(())
        })
        .clone()
}

/// The OpenSSL version string of the vendored library (e.g. "OpenSSL 3.6.3 …").
pub fn openssl_version() -> &'static str {
    openssl::version::version()
}
