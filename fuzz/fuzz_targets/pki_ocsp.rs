//! The stapled OCSP response a server sends: pki's response reader (CertID matching, status,
//! times, issuer and delegated-responder signatures) takes any bytes without a panic, and what
//! it reports about the leaf is consistent.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rustls_pki_types::{CertificateDer, UnixTime};
use std::time::Duration;
use tlskit::pki::chain::OcspReader;

const LEAF: &[u8] = include_bytes!("../fixtures/pki_ocsp/leaf.der");
const CA: &[u8] = include_bytes!("../fixtures/pki_ocsp/ca.der");
static CHAIN: [CertificateDer<'static>; 2] = [
    CertificateDer::from_slice(LEAF),
    CertificateDer::from_slice(CA),
];

thread_local! {
    /// The fixture chain parsed once (`read_ocsp_response` would parse it for every input):
    /// with the issuer (signatures checked) and the leaf alone (no signature verdict).
    static READERS: (OcspReader<'static>, OcspReader<'static>) = {
        let now = UnixTime::since_unix_epoch(Duration::from_secs(1_800_000_000));
        (
            OcspReader::new(&CHAIN, now).expect("the fixture leaf parses"),
            OcspReader::new(&CHAIN[..1], now).expect("the fixture leaf parses"),
        )
    };
}

fuzz_target!(|data: &[u8]| {
    // One of the two per input, picked by the input's length: each execution pays for one
    // reading and at most one signature.
    let alone = data.len() % 2 == 1;
    READERS.with(|(with_issuer, leaf_alone)| {
        let reader = if alone { leaf_alone } else { with_issuer };
        if let Some(info) = reader.read(data) {
            assert!(info.responses <= data.len());
            assert!(info.matches_leaf || info.cert_status.is_none());
            if alone {
                assert_eq!(
                    info.signature_valid, None,
                    "no issuer, no signature verdict"
                );
            }
        }
    });
});
