//! The observer's analyzer (observe, pcap): records in both directions, in pieces, give an
//! analysis whose text report carries no control character from the peer.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::time::Duration;
use tlskit::observe::analyze::{Analyzer, Direction};

fuzz_target!(|data: &[u8]| {
    let mut a = Analyzer::new(64);
    let mut t = 0u64;
    // Each piece: one byte of header (direction bit, length 0..127), then the bytes.
    let mut rest = data;
    while let Some((&h, r)) = rest.split_first() {
        let n = ((h & 0x7f) as usize).min(r.len());
        let dir = if h & 0x80 == 0 {
            Direction::ClientToServer
        } else {
            Direction::ServerToClient
        };
        t += 1;
        a.feed(dir, Duration::from_millis(t), &r[..n]);
        rest = &r[n..];
    }
    let report = a.finish();
    let text = report.render_text();
    assert!(!text.contains('\x1b'));
});
