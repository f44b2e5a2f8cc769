//! tlskit: a toolkit for TLS secure sockets.
//!
//! The library behind the `tlskit` command. Data flows one way:
//! target → [`net`] connector → [`session`] (or a scan check) → report model → renderer.
//!
//! * [`easy`] — the opinionated front door: safe client and server contexts, connect, accept,
//!   scan, in one call each (Python's `ssl.create_default_context`).
//! * [`pki`] — a small CA for labs: create a CA, issue certificates, inspect and rehash them.
//! * [`session`] — safe rustls client and server configurations and the handshake report.
//! * [`net`] — targets, name resolution and TCP connects with timings.

pub mod base64;
pub mod bench;
pub mod easy;
pub mod error;
pub mod escape;
pub mod finding;
pub mod fleet;
pub mod fsutil;
pub mod html;
pub mod http;
pub mod lab;
pub mod net;
pub mod observe;
pub mod pcap;
pub mod pki;
pub mod proxy;
pub mod scan;
pub mod session;

pub use error::{Error, ErrorKind, Result};

/// The crypto provider every rustls configuration in tlskit is built with (aws-lc-rs).
/// Picking it explicitly avoids the process-default lookup, which panics when two providers are linked.
pub fn provider() -> std::sync::Arc<rustls::crypto::CryptoProvider> {
    std::sync::Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}
