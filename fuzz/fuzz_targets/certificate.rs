//! Certificate messages in both formats, including TLS 1.3 per-entry extensions (SCTs, OCSP).
#![no_main]

use libfuzzer_sys::fuzz_target;
use tlskit_wire::codec::Codec;
use tlskit_wire::extensions;
use tlskit_wire::handshake::{Certificate, CertificateStatus};

fuzz_target!(|data: &[u8]| {
    for parsed in [
        Certificate::parse_tls12(data),
        Certificate::parse_tls13(data),
    ] {
        let Ok(c) = parsed else { continue };
        for e in &c.entries {
            for x in &e.extensions {
                let _ = extensions::parse_sct_list(&x.data);
                let _ = CertificateStatus::read_exact(&x.data, "status");
            }
        }
        let mut enc = Vec::new();
        c.encode(&mut enc);
        assert_eq!(enc, data, "Certificate re-encoding differs");
    }
});
