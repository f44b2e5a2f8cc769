//! Handshake reassembly on hostile bytes. Input: byte 0 = chunk size, byte 1 = parse context;
//! the rest is fed both as raw handshake payload pieces into a `HandshakeReassembler` and as a
//! record stream into a `MessageReader`; every complete message is handed to the typed parsers.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tlskit_wire::handshake::{HandshakeMessage, KxHint, ParseContext};
use tlskit_wire::record::{HandshakeReassembler, Message, MessageReader};

const MAX: usize = 64 * 1024;

fn ctx(b: u8) -> ParseContext {
    let version = [0x0300, 0x0301, 0x0302, 0x0303, 0x0304][(b & 7) as usize % 5];
    let kx = [
        KxHint::Ecdhe,
        KxHint::Dhe,
        KxHint::RsaExport,
        KxHint::Psk,
        KxHint::DhePsk,
        KxHint::EcdhePsk,
        KxHint::Unknown,
    ][(b >> 3) as usize % 7];
    ParseContext { version, kx }
}

fuzz_target!(|data: &[u8]| {
    let [c, p, rest @ ..] = data else { return };
    let ctx = ctx(*p);
    let chunk = *c as usize + 1;

    let mut h = HandshakeReassembler::with_max_message_size(MAX);
    let mut total = 0;
    for piece in rest.chunks(chunk) {
        if h.push(piece).is_err() {
            break;
        }
        while let Ok(Some(m)) = h.next_message() {
            assert!(m.body.len() <= MAX);
            total += 4 + m.body.len();
            let _ = HandshakeMessage::parse(&m, &ctx);
        }
    }
    assert!(total <= rest.len());

    let mut mr = MessageReader::with_max_message_size(MAX);
    for piece in rest.chunks(chunk) {
        mr.push(piece);
        while let Ok(Some(m)) = mr.next_message() {
            if let Message::Handshake { message, .. } = m {
                let _ = HandshakeMessage::parse(&message, &ctx);
            }
        }
    }
});
