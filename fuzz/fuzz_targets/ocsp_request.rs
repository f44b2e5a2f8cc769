//! The lab's OCSP responder reads requests from the network: any bytes give CertIDs or an
//! error, never a panic, and what parses is bounded.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tlskit::lab::ocsp;

fuzz_target!(|data: &[u8]| {
    if let Ok(ids) = ocsp::parse_request(data) {
        assert!(!ids.is_empty() && ids.len() <= 16);
        for id in ids {
            assert!(!id.serial.is_empty() && id.serial.len() <= 32);
            assert!(id.raw.len() <= data.len());
        }
    }
});
