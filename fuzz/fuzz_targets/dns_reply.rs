//! DNS replies as `scan --dns` reads them (net::dns: CAA and HTTPS records, SvcParams back to
//! their wire bytes): hostile bytes from a DNS server give records or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok((caa, https)) = tlskit::net::dns::read_reply(data) {
        for h in &https {
            let _ = h.ech_config_list();
        }
        let _ = caa.len();
    }
});
