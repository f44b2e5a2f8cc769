//! The record layer on hostile bytes: sniffing, one-shot record parsing, and the incremental
//! deframer fed in chunks (chunk size from the first input byte). A record it returns must
//! re-encode to exactly the bytes it was parsed from.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tlskit_wire::codec::Codec;
use tlskit_wire::record::{sniff, Deframer, Record, RecordHeader, MAX_RECORD_PAYLOAD};

fuzz_target!(|data: &[u8]| {
    let Some((&c, stream)) = data.split_first() else {
        return;
    };
    let _ = sniff(stream);
    let _ = RecordHeader::parse(stream);
    if let Ok(Some((rec, n))) = Record::parse(stream) {
        assert!(rec.payload.len() <= MAX_RECORD_PAYLOAD);
        assert_eq!(rec.to_bytes(), &stream[..n]);
    }
    let mut d = Deframer::new();
    let mut consumed = 0;
    for chunk in stream.chunks(c as usize + 1) {
        d.push(chunk);
        while let Ok(Some(rec)) = d.next_record() {
            let enc = rec.to_bytes();
            assert_eq!(&stream[consumed..consumed + enc.len()], enc.as_slice());
            consumed += enc.len();
        }
    }
});
