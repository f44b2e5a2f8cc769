//! Certificate chain analysis: everything a scanner reports about the chain a server sends.
//!
//! [`analyse`] takes the certificates as sent (leaf first), the host name the client asked for,
//! the stapled OCSP response and the time to judge by, and checks them against three sets of
//! trust anchors ([`TrustStores`]): the Mozilla roots built into tlskit (webpki-roots, what
//! Firefox trusts), the system store (`/etc/ssl/certs`, or `SSL_CERT_FILE` / `SSL_CERT_DIR`) and
//! the CAs given with `--ca`. Path building and trust use rustls-webpki, exactly as tlskit's own
//! client does; everything else (order, missing intermediates, weak signatures and keys,
//! validity, host name, must-staple, the OCSP staple, SCTs) is worked out here so that each
//! problem gets its own sentence and [`Finding`].
//!
//! rustls-webpki refuses SHA-1 signatures and RSA keys under 2048 bits. When a chain fails for
//! that reason it is checked a second time with those legacy algorithms allowed, so the report
//! can say "signed with SHA-1, rejected by modern clients" instead of a bare "untrusted".

mod algs;
mod analysis;
mod model;
mod ocsp;
mod parse;
mod revocation;
pub mod sct;
mod store;

use algs::*;
pub use analysis::*;
pub use model::*;
use ocsp::*;
use parse::*;
pub use revocation::*;
pub use store::*;

use super::der;
use super::inspect::{self, CertInfo};
use crate::error::{Error, Result};
use rustls_pki_types::{
    alg_id, AlgorithmIdentifier, CertificateDer, InvalidSignature, SignatureVerificationAlgorithm,
    TrustAnchor, UnixTime,
};
use serde::Serialize;
use sha1::Sha1;
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use std::time::Duration;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use x509_parser::prelude::FromDer;
use x509_parser::x509::X509Name;

/// Read an OCSP response (RFC 6960) about the first certificate of `chain`, checking its
/// signature against the second (the issuer) when one is given: what [`analyse`] reports as
/// `ocsp` for a stapled response. `None` when the bytes are not an `OCSPResponse` (or the leaf
/// is not a certificate). Takes any bytes: a staple comes from the peer.
pub fn read_ocsp_response(
    response: &[u8],
    chain: &[CertificateDer<'_>],
    now: UnixTime,
) -> Option<OcspInfo> {
    OcspReader::new(chain, now)?.read(response)
}

/// [`read_ocsp_response`] for many responses about one chain: the leaf and its issuer are parsed
/// once. (The fuzz target reads every input this way; parsing the two certificates was most
/// of each execution.)
pub struct OcspReader<'a> {
    leaf: Parsed<'a>,
    issuer: Option<Parsed<'a>>,
}

impl<'a> OcspReader<'a> {
    /// Parse the first certificate of `chain` and the second (its issuer) if there is one.
    /// `None` if the leaf is not a certificate.
    pub fn new(chain: &'a [CertificateDer<'a>], now: UnixTime) -> Option<OcspReader<'a>> {
        let now = to_offset(now);
        let leaf = parse_cert(0, chain.first()?.as_ref(), now)?;
        let issuer = chain.get(1).and_then(|c| parse_cert(1, c.as_ref(), now));
        Some(OcspReader { leaf, issuer })
    }

    /// Read one response: as [`read_ocsp_response`].
    pub fn read(&self, response: &[u8]) -> Option<OcspInfo> {
        parse_ocsp(
            response,
            &self.leaf,
            self.issuer.as_ref().map(Issuer::Cert).as_ref(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generalized_time_to_rfc3339() {
        assert_eq!(
            generalized_time(b"20250131120001Z").as_deref(),
            Some("2025-01-31T12:00:01Z")
        );
        assert_eq!(
            generalized_time(b"20250131120001.123Z").as_deref(),
            Some("2025-01-31T12:00:01Z")
        );
        assert_eq!(generalized_time(b"2025013112Z"), None);
    }

    #[test]
    fn severities_sort_worst_first() {
        let mut f = Findings::default();
        f.add(Severity::Info, "a", "x".into());
        f.add(Severity::Critical, "b", "y".into());
        f.add(Severity::Medium, "c", "z".into());
        f.add(Severity::Medium, "c", "z".into());
        let v = f.into_sorted();
        assert_eq!(v.len(), 3);
        assert_eq!(v[0].severity, Severity::Critical);
        assert_eq!(v[2].severity, Severity::Info);
        assert_eq!(serde_json::to_value(v[0].severity).unwrap(), "critical");
    }

    #[test]
    fn empty_chain_is_a_finding_not_a_panic() {
        let stores = TrustStores::from_certs(&[], &[]);
        let a = analyse(
            &ChainInput {
                chain: &[],
                hostname: Some("example.com"),
                ocsp_response: None,
                now: UnixTime::now(),
            },
            &stores,
        );
        assert!(!a.trusted);
        assert_eq!(a.findings[0].id, "cert.none");
    }

    #[test]
    fn garbage_ocsp_is_unparsable() {
        let key = rcgen::KeyPair::generate().unwrap();
        let params = rcgen::CertificateParams::new(vec!["a.test".to_string()]).unwrap();
        let cert = params.self_signed(&key).unwrap();
        let chain = vec![cert.der().clone()];
        let stores = TrustStores::from_certs(&[], &[]);
        let a = analyse(
            &ChainInput {
                chain: &chain,
                hostname: Some("a.test"),
                ocsp_response: Some(&[0x30, 0x03, 0x0a, 0x01]),
                now: UnixTime::now(),
            },
            &stores,
        );
        assert_eq!(a.ocsp_status.as_deref(), Some("unparsable"));
        assert!(a.ocsp_stapled);
        assert!(a.self_signed_leaf);
        assert_eq!(a.hostname_match, Some(true));
    }

    #[test]
    fn reads_openssl_ocsp_responses() {
        // Real responses from `openssl ocsp -index` about the fuzz target's fixture chain.
        let leaf = include_bytes!("../../../../../fuzz/fixtures/pki_ocsp/leaf.der");
        let ca = include_bytes!("../../../../../fuzz/fixtures/pki_ocsp/ca.der");
        let chain = [
            CertificateDer::from(&leaf[..]),
            CertificateDer::from(&ca[..]),
        ];
        let read = |bytes: &[u8]| read_ocsp_response(bytes, &chain, UnixTime::now()).unwrap();
        let good = read(include_bytes!(
            "../../../../../fuzz/seeds/pki_ocsp/openssl_resp_good.der"
        ));
        assert_eq!(good.cert_status.as_deref(), Some("good"));
        assert!(good.matches_leaf);
        assert_eq!(good.signature_valid, Some(true));
        assert_eq!(good.signed_by.as_deref(), Some("issuer"));
        let revoked = read(include_bytes!(
            "../../../../../fuzz/seeds/pki_ocsp/openssl_resp_revoked.der"
        ));
        assert_eq!(revoked.cert_status.as_deref(), Some("revoked"));
        assert_eq!(
            revoked.revocation_reason,
            Some(crate::pki::revocation::CrlReason::KeyCompromise)
        );
        let wrong = read(include_bytes!(
            "../../../../../fuzz/seeds/pki_ocsp/openssl_resp_wrong_signer.der"
        ));
        assert_eq!(wrong.signature_valid, Some(false));
        let two = read(include_bytes!(
            "../../../../../fuzz/seeds/pki_ocsp/openssl_resp_two_sha256.der"
        ));
        assert_eq!(two.responses, 2);
        assert_eq!(two.cert_status.as_deref(), Some("good"));
        let err = read(&[0x30, 0x03, 0x0a, 0x01, 0x01]);
        assert_eq!(err.response_status, "malformedRequest");
    }

    #[test]
    fn same_chain_compares_every_certificate() {
        let a = vec![
            CertificateDer::from(vec![1u8, 2]),
            CertificateDer::from(vec![3u8]),
        ];
        let b = vec![CertificateDer::from(vec![1u8, 2])];
        assert!(same_chain(&a, &a.clone()));
        assert!(!same_chain(&a, &b));
        assert!(same_leaf(&a, &b));
        assert!(!same_leaf(&a, &[]));
    }
}
