//! The one chunked decoder: fed the same bytes whole and in pieces it gives the same payload,
//! never more payload than input, and never panics on sizes (issue 13: `ffffffffffffffff`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use tlskit::http::{decode_chunked, ChunkedDecoder};

fuzz_target!(|data: &[u8]| {
    let whole = decode_chunked(data);
    if let Ok((body, used)) = &whole {
        assert!(body.len() <= data.len());
        assert!(*used <= data.len());
    }
    // The same bytes in pieces of 1..=7 bytes (the first byte picks the size).
    let step = 1 + (data.first().copied().unwrap_or(0) as usize % 7);
    let mut d = ChunkedDecoder::new();
    let mut body = Vec::new();
    let mut used = 0;
    let mut failed = false;
    for piece in data.chunks(step) {
        match d.push(piece, &mut |b| body.extend_from_slice(b)) {
            Ok(n) => {
                assert!(n <= piece.len());
                used += n;
                if d.done() {
                    break;
                }
            }
            Err(_) => {
                failed = true;
                break;
            }
        }
    }
    if let Ok((b, u)) = whole {
        assert!(!failed && d.done());
        assert_eq!(b, body);
        assert_eq!(u, used);
    }
});
