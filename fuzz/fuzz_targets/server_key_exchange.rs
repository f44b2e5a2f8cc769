//! ServerKeyExchange under every key-exchange hint and version (selected by the first byte).
#![no_main]

use libfuzzer_sys::fuzz_target;
use tlskit_wire::handshake::{KxHint, ServerKeyExchange};

const HINTS: [KxHint; 7] = [
    KxHint::Ecdhe,
    KxHint::Dhe,
    KxHint::RsaExport,
    KxHint::Psk,
    KxHint::DhePsk,
    KxHint::EcdhePsk,
    KxHint::Unknown,
];

fuzz_target!(|data: &[u8]| {
    let Some((&sel, body)) = data.split_first() else {
        return;
    };
    let kx = HINTS[(sel & 0x0f) as usize % HINTS.len()];
    let version = [0x0300, 0x0301, 0x0302, 0x0303][(sel >> 4) as usize % 4];
    let Ok(ske) = ServerKeyExchange::parse(body, kx, version) else {
        return;
    };
    let _ = (ske.named_group(), ske.signature());
    if let Some(p) = ske.dh_params() {
        assert!(p.prime_bits() <= p.p.len() * 8);
        let _ = p.prime();
    }
    let mut enc = Vec::new();
    ske.encode(&mut enc);
    assert_eq!(enc, body, "ServerKeyExchange re-encoding differs");
});
