//! A small certificate authority for labs and local development, and certificate inspection.
//!
//! * [`load`] — read certificates, keys and trust anchors from PEM/DER files.
//! * [`ca`] — create a CA, issue server and client certificates (any validity window, labs need
//!   expired ones too).
//! * [`inspect`] — a readable, serialisable description of a certificate.
//! * [`chain`] — what a scanner reports about the chain a server sends (trust, order, OCSP …).
//! * [`rehash`] — OpenSSL-compatible `<subject_hash>.N` links for CA directories.

pub mod ca;
pub mod chain;
pub(crate) mod der;
pub mod inspect;
pub mod load;
pub mod rehash;
pub mod trust;
