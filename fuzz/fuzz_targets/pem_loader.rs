//! PEM files (certificates, keys, trust bundles): any bytes give DER blocks or one error naming
//! the file, never a panic. Keys are read through a file, as tlskit reads them.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;
use tlskit::pki::load;

fuzz_target!(|data: &[u8]| {
    let _ = load::certs_from_bytes(Path::new("fuzz.pem"), data);
    let path = std::env::temp_dir().join(format!("tlskit-fuzz-pem-{}", std::process::id()));
    if std::fs::write(&path, data).is_ok() {
        let _ = load::load_key(&path);
        let _ = load::load_trust(&path);
    }
});
