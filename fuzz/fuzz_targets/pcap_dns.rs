//! DNS in captures (UDP payloads and DNS-over-TCP streams), and the UDP frame decoder in front
//! of it: hostile file bytes give a message or nothing, never a panic or an endless loop.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tlskit::pcap::{dns, packet};

fuzz_target!(|data: &[u8]| {
    if let Some(m) = dns::parse(data) {
        assert!(m.answers.len() <= 64);
        for a in &m.answers {
            assert!(a.name.len() <= 4 * 255);
        }
    }
    for m in dns::split_tcp(data) {
        let _ = dns::parse(m);
    }
    for link in [1u32, 0, 101, 113, 276] {
        if let Some(u) = packet::decode_udp(link, data) {
            let _ = dns::parse(&u.payload);
        }
    }
});
