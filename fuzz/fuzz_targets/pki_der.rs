//! DER readers in pki/: certificate inspection and the OpenSSL subject/issuer hashes (which run
//! pki's own DER reader) take any bytes (a peer's certificate, a file) without a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tlskit::pki::{inspect::CertInfo, rehash};

fuzz_target!(|data: &[u8]| {
    let _ = CertInfo::from_der(data);
    let _ = rehash::canonical_name(data);
    let _ = rehash::subject_hash(data);
    let _ = rehash::issuer_hash(data);
    let _ = rehash::crl_issuer_hash(data);
});
