//! A framed handshake message (type + u24 length + body) dispatched to the typed parsers under
//! the context selected by the first byte.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tlskit_wire::codec::Codec;
use tlskit_wire::handshake::{HandshakeMessage, KxHint, ParseContext, RawHandshake};

fuzz_target!(|data: &[u8]| {
    let Some((&sel, msg)) = data.split_first() else {
        return;
    };
    let version = [0x0300, 0x0301, 0x0302, 0x0303, 0x0304][(sel & 7) as usize % 5];
    let kx = [
        KxHint::Ecdhe,
        KxHint::Dhe,
        KxHint::RsaExport,
        KxHint::Psk,
        KxHint::Unknown,
    ][(sel >> 3) as usize % 5];
    let Ok(raw) = RawHandshake::read_exact(msg, "handshake") else {
        return;
    };
    assert_eq!(raw.to_bytes(), msg);
    let _ = HandshakeMessage::parse(&raw, &ParseContext { version, kx });
});
