//! ClientHello parsing (the observer's path): accessors (the ECH offer among them), JA3, JA4,
//! and re-encode round trips.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tlskit_wire::client_hello::ClientHello;
use tlskit_wire::codec::Codec;

fuzz_target!(|data: &[u8]| {
    let _ = ClientHello::parse_message(data);
    let Ok(ch) = ClientHello::parse(data) else {
        return;
    };
    let _ = (
        ch.server_name(),
        ch.alpn(),
        ch.supported_versions(),
        ch.offered_versions(),
        ch.max_version(),
        ch.supported_groups(),
        ch.ec_point_formats(),
        ch.signature_algorithms(),
        ch.key_shares(),
        ch.renegotiation_info(),
    );
    if let Ok(Some(ech)) = ch.ech() {
        assert_eq!(
            tlskit_wire::ech::EchClientHello::parse(&ech.to_bytes()).as_ref(),
            Ok(&ech)
        );
    }
    let ja3 = ch.ja3_string();
    assert_eq!(ja3.split(',').count(), 5);
    let ja4 = ch.ja4();
    assert_eq!(ja4.ja4.len(), 36, "{}", ja4.ja4);
    assert!(ja4.ja4.is_ascii());
    let again = ClientHello::parse(&ch.to_bytes()).expect("re-encoded ClientHello must parse");
    assert_eq!(again, ch);
});
