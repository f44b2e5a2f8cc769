//! TLS sessions with rustls: configurations, the client handshake and report, the server loop.
//!
//! * [`config`] — safe client and server configurations from command-line style options.
//! * [`suites`] — protocol versions, OpenSSL-style cipher strings and groups → rustls settings.
//! * [`verify`] — a verifier that records its verdict; rustls errors as sentences.
//! * [`client`] — connect, handshake, report.
//! * [`server`] — accept, handshake, serve (message, echo, HTTP, forward), log.
//! * [`report`] — the handshake report model and its text rendering.
//! * [`keylog`] — NSS key log files for Wireshark.
//! * [`ech`] — Encrypted Client Hello: configuration files and the client's offer.

pub mod client;
pub mod config;
pub mod ech;
pub mod fetch;
pub mod keylog;
pub mod report;
pub mod server;
pub mod suites;
pub mod trace;
pub mod verify;
