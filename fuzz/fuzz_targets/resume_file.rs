//! `tlskit scan --resume FILE` (fleet::resume::read_results): a results file left by a killed
//! run, or edited by hand, reads or fails with one sentence naming the line, never panics; the
//! bytes it keeps are exactly the complete lines.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tlskit::fleet::resume::read_results;

fuzz_target!(|data: &[u8]| {
    match read_results(data, "fuzz.ndjson") {
        Ok(read) => {
            assert_eq!(read.complete_end + read.dropped_bytes, data.len() as u64);
            assert!(read.complete_end == 0 || data[read.complete_end as usize - 1] == b'\n');
            assert!(!data[read.complete_end as usize..].contains(&b'\n'));
            let entries: usize = read.done.values().map(Vec::len).sum();
            assert_eq!(entries, read.lines);
        }
        Err(e) => {
            let msg = e.to_string();
            assert!(msg.starts_with("line ") && msg.contains("fuzz.ndjson"), "{msg}");
            assert!(!msg.contains('\n'), "one line: {msg}");
        }
    }
});
