//! Capture files (pcap, both byte orders and resolutions, and pcapng): the reader gives packets
//! or one error, never a panic or an allocation the file's lengths ask for. The bytes go through
//! a file because the reader reads files.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tlskit::pcap::{file::CaptureReader, packet};

fuzz_target!(|data: &[u8]| {
    let dir = std::env::temp_dir();
    let path = dir.join(format!("tlskit-fuzz-pcap-{}", std::process::id()));
    if std::fs::write(&path, data).is_err() {
        return;
    }
    if let Ok(mut r) = CaptureReader::open(&path) {
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
