//! The stapled OCSP response a server sends: pki's response reader (CertID matching, status,
//! times, issuer and delegated-responder signatures) takes any bytes without a panic, and what
//! it reports about the leaf is consistent.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rustls_pki_types::{CertificateDer, UnixTime};
use std::time::Duration;
use tlskit::pki::chain::read_ocsp_response;

const LEAF: &[u8] = include_bytes!("../fixtures/pki_ocsp/leaf.der");
const CA: &[u8] = include_bytes!("../fixtures/pki_ocsp/ca.der");

fuzz_target!(|data: &[u8]| {
    let chain = [CertificateDer::from(LEAF), CertificateDer::from(CA)];
    let now = UnixTime::since_unix_epoch(Duration::from_secs(1_800_000_000));
    // With the issuer (signature checked) or the leaf alone (no verdict), one per input, picked
    // by the input's length: each execution pays for one reading and at most one signature.
    let sent = if data.len() % 2 == 0 {
        &chain[..]
    } else {
        &chain[..1]
    };
    if let Some(info) = read_ocsp_response(data, sent, now) {
        assert!(info.responses <= data.len());
        assert!(info.matches_leaf || info.cert_status.is_none());
        if sent.len() == 1 {
            assert_eq!(
                info.signature_valid, None,
                "no issuer, no signature verdict"
            );
        }
    }
});
