//! Capture files (pcap, both byte orders and resolutions, and pcapng): the reader gives packets
//! or one error, never a panic or an allocation the file's lengths ask for.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;
use tlskit::pcap::{file::CaptureReader, packet};

fuzz_target!(|data: &[u8]| {
    // In memory: the reader `pcap` uses on files, without writing a file per execution.
    if let Ok(mut r) = CaptureReader::from_bytes(Path::new("fuzz.pcap"), data.to_vec()) {
        for _ in 0..10_000 {
            match r.next_packet() {
                Ok(Some(p)) => {
                    let _ = packet::decode(p.link_type, &p.data);
                }
                _ => break,
            }
        }
    }
});
