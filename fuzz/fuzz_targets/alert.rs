//! Alerts, alone and as alert records through the message reader.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tlskit_wire::alert::Alert;
use tlskit_wire::codec::Codec;
use tlskit_wire::record::{ContentType, Message, MessageReader, Record};

fuzz_target!(|data: &[u8]| {
    if let Ok(a) = Alert::read_exact(data, "alert") {
        assert_eq!(a.to_bytes(), data);
        let _ = (a.name(), a.to_string(), a.is_fatal());
    }
    let wire = Record::fragment(ContentType::Alert, 0x0303, data);
    let mut mr = MessageReader::new();
    mr.push(&wire);
    let mut n = 0;
    while let Ok(Some(m)) = mr.next_message() {
        assert!(matches!(m, Message::Alert(_)));
        n += 1;
    }
    assert!(n * 2 <= data.len());
});
