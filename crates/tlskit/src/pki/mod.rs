//! A small certificate authority for labs and local development, and certificate inspection.
//!
//! * [`load`] — read certificates, keys and trust anchors from PEM/DER files.
//! * [`ca`] — create a CA, issue server and client certificates (any validity window, labs need
//!   expired ones too).
//! * [`inspect`] — a readable, serialisable description of a certificate.
//! * [`chain`] — what a scanner reports about the chain a server sends (trust, order, OCSP …).
//! * [`rehash`] — OpenSSL-compatible `<subject_hash>.N` links for CA directories.
//! * [`revocation`] — the revocation verdict on a certificate (the model; the readers are in
//!   [`chain`]).
//! * [`sigalg`] — a certificate's signature algorithm, typed, and which ones are broken.

pub mod ca;
pub mod chain;
pub(crate) mod der;
pub mod inspect;
pub mod load;
pub mod rehash;
pub mod revocation;
pub mod sigalg;
pub mod trust;

/// A library error value in words, for the rare ones tlskit has no sentence of its own for:
/// the name of the Rust variant (`UnsupportedNameType(..)`) becomes `unsupported name type`, so
/// no error line shows Rust syntax.
pub(crate) fn error_words(e: &dyn std::fmt::Debug) -> String {
    let text = format!("{e:?}");
    let mut out = String::new();
    // The innermost of the nested variant names says the most
    // (`Other(OtherError(CaUsedAsEndEntity))`); fields (`CertExpired { time: .. }`) are left out.
    let mut name = "unknown error";
    for segment in text.split('(') {
        let end = segment
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(segment.len());
        let ident = &segment[..end];
        if !ident.starts_with(|c: char| c.is_ascii_uppercase()) {
            break;
        }
        if !matches!(ident, "Other" | "OtherError" | "Some") {
            name = ident;
        }
        if end != segment.len() {
            break;
        }
    }
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push(' ');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn error_words_read_as_words() {
        assert_eq!(
            super::error_words(&webpki::Error::UnsupportedNameType),
            "unsupported name type"
        );
        let nested = rustls::CertificateError::Other(rustls::OtherError(std::sync::Arc::new(
            webpki::Error::CaUsedAsEndEntity,
        )));
        assert_eq!(super::error_words(&nested), "ca used as end entity");
        assert_eq!(
            super::error_words(&rustls::PeerIncompatible::NoCipherSuitesInCommon),
            "no cipher suites in common"
        );
    }
}
