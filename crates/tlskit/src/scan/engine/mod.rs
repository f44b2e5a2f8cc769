//! The scanner's engine: how probes reach a server and how its answers are read, apart from the
//! checks that decide what those answers mean.
//!
//! [`hello`] builds ClientHellos with our own codec; [`keyshare`] makes TLS 1.3 key shares;
//! [`probe`] sends one hello and classifies the server's first flight; [`eliminate`] searches a
//! list by elimination without taking a failed probe for "nothing left"; [`conn`] keeps a
//! connection open for multi-step probes; [`legacy`] is the complete TLS ≤ 1.2 client (the
//! session features' resumption and renegotiation); [`tls13`] is the TLS 1.3 handshake (rustls)
//! for the TLS 1.3 session features; [`ech`] is the Encrypted Client Hello handshake (rustls); [`rsa`] is the RSA arithmetic ROBOT needs.

pub(crate) mod client_cert;
pub(crate) mod conn;
pub(crate) mod ech;
pub(crate) mod eliminate;
pub(crate) mod ffdhe;
pub(crate) mod hello;
pub(crate) mod keyshare;
// The complete TLS ≤ 1.2 client is public for its fuzz target (fuzz/fuzz_targets/legacy_client.rs)
// and its tests against real servers (tests/legacy_client.rs): a small documented surface.
pub mod legacy;
pub(crate) mod probe;
pub(crate) mod rsa;
pub(crate) mod tls13;
