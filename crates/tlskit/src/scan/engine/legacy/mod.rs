//! The scanner's complete TLS ≤ 1.2 client: SSLv3, TLS 1.0, 1.1 and 1.2; RSA, DHE (any group the
//! server sends) and ECDHE key exchange; AES-CBC/GCM/CCM, ChaCha20-Poly1305, 3DES, Camellia,
//! ARIA, SEED, RC4 and NULL; full handshakes with the Finished verified, resumption by session ID
//! and by ticket, secure and legacy renegotiation, extended master secret, encrypt-then-MAC,
//! heartbeat and application data.
//!
//! **Weak crypto on purpose.** This client exists so the scanner can test session features on
//! every server that offers any TLS ≤ 1.2 version with a suite that server accepts, however
//! old. It only ever talks to servers being audited; it authenticates nobody (no certificate or
//! ServerKeyExchange signature check) and protects nothing of value. tlskit's own connections
//! (`connect`, `serve`, `proxy`) use rustls and never this code.
//!
//! Layout: [`suite`] maps a suite code point (from the wire crate's registry) to algorithms;
//! [`prf`] derives keys; [`record`] protects records; [`kx`] does the key exchanges; [`client`]
//! is the sans-IO state machine (its vocabulary in `types`); [`conn`] drives it over an async stream with a deadline;
//! [`features`] runs the session-feature probes on it.

// Only the items re-exported below are public (for the fuzz target and tests/legacy_client.rs);
// the modules themselves are the crate's.
pub(crate) mod client;
pub(crate) mod conn;
pub(crate) mod features;
pub(crate) mod kx;
pub(crate) mod prf;
pub(crate) mod record;
pub(crate) mod suite;
mod types;

pub use client::Client;
pub use conn::{ConnError, Connection, Guarded, RenegotiationAnswer};
pub use features::{probe_session_features, Probe, SessionFeatures, Verdict};
pub use suite::{supported_suites, SuiteParams};
pub use types::{Config, Error, Event, Negotiated, RenegotiationIndication, Session};
