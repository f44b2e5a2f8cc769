//! PEM files (certificates, keys, trust bundles): any bytes give DER blocks or one error naming
//! the file, never a panic. The loaders read the file whole and parse the bytes with these
//! functions (`load_certs` and a trust file through `certs_from_bytes`, `load_key` through
//! `key_from_bytes`), so the bytes are fed in memory: no file is written per execution.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;
use tlskit::pki::load;

fuzz_target!(|data: &[u8]| {
    let path = Path::new("fuzz.pem");
    if let Ok(certs) = load::certs_from_bytes(path, data) {
        assert!(!certs.is_empty());
    }
    if let Err(e) = load::key_from_bytes(path, data) {
        assert!(!e.to_string().contains('\n'));
    }
});
