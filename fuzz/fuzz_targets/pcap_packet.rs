//! Frames from a capture: every link type tlskit reads decodes to a segment, a datagram or
//! nothing, never a panic (lengths inside the frame are hostile).
#![no_main]

use libfuzzer_sys::fuzz_target;
use tlskit::pcap::packet;

fuzz_target!(|data: &[u8]| {
    for link in [0u32, 1, 101, 113, 228, 229, 276] {
        let _ = packet::decode(link, data);
        let _ = packet::decode_udp(link, data);
    }
});
