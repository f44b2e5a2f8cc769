//! The CRL and the OCSP answer a certificate's CA serves over plain HTTP (peer bytes): the
//! revocation readers of pki (the CRL's issuer, signature, nextUpdate and the serial's entry;
//! the OCSP answer checked for this certificate) take any bytes without a panic, and an answer
//! that cannot be used is "unknown" with its reason, never "good" or "revoked" without one
//! verified.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rustls_pki_types::{CertificateDer, UnixTime};
use std::sync::LazyLock;
use std::time::Duration;
use tlskit::pki::chain::{
    revocation_subjects, CheckAnswer, RevocationSource, RevocationSubject, TrustStores,
};

const LEAF: &[u8] = include_bytes!("../fixtures/pki_ocsp/leaf.der");
const CA: &[u8] = include_bytes!("../fixtures/pki_ocsp/ca.der");

/// The fixture leaf, its issuer (the CA sent after it) found once.
static SUBJECT: LazyLock<RevocationSubject> = LazyLock::new(|| {
    let chain = [CertificateDer::from(LEAF), CertificateDer::from(CA)];
    let stores = TrustStores::from_certs(&[], &[]);
    let mut s = revocation_subjects(&chain, &stores);
    assert!(s[0].issuer.is_some(), "the fixture CA issued the fixture leaf");
    s.remove(0)
});

fuzz_target!(|data: &[u8]| {
    let now = UnixTime::since_unix_epoch(Duration::from_secs(1_800_000_000));
    let subject = &*SUBJECT;
    let crl = subject.judge_crl(data, Some("http://127.0.0.1/ca.crl"), now);
    let ocsp = subject.judge_ocsp(data, RevocationSource::Ocsp, None, now);
    for c in [&crl, &ocsp] {
        if let CheckAnswer::Unknown(why) = &c.answer {
            assert!(!why.is_empty(), "an unknown verdict says why: {c:?}");
        }
    }
});
