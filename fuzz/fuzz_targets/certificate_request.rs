//! A server's TLS ≤ 1.2 CertificateRequest (wire::handshake::CertificateRequest) and the
//! distinguished names in it as the scan's client_auth check shows them
//! (scan::checks::client_auth::dn_text): any bytes parse or fail with a DecodeError, never
//! panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tlskit::scan::checks::client_auth::dn_text;
use tlskit_wire::handshake::CertificateRequest;

fuzz_target!(|data: &[u8]| {
    for version in [0x0300u16, 0x0301, 0x0303] {
        if let Ok(cr) = CertificateRequest::parse(data, version) {
            assert_eq!(cr.signature_algorithms.is_some(), version >= 0x0303);
            for name in &cr.ca_names {
                // Exact text (JSON keeps it); the text renderer escapes it when shown.
                let _ = dn_text(name);
            }
        }
    }
    // A name on its own, as the TLS 1.3 certificate_authorities extension carries them.
    let _ = dn_text(data);
});
