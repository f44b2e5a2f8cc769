//! SSLv2 records and messages: SERVER-HELLO, ERROR, CLIENT-HELLO.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tlskit_wire::codec::Codec;
use tlskit_wire::sslv2::{self, ClientHelloV2, Sslv2Message, Sslv2Record};

fuzz_target!(|data: &[u8]| {
    let _ = sslv2::parse_error(data);
    let _ = ClientHelloV2::parse_record(data);
    if let Ok(Some((rec, n))) = Sslv2Record::parse(data) {
        assert!(n <= data.len());
        assert!(rec.body.len() < n);
    }
    if let Ok(Some((Sslv2Message::ServerHello(sh), _))) = Sslv2Message::parse(data) {
        for &k in &sh.cipher_specs {
            let _ = sslv2::cipher_kind_name(k);
        }
        let back =
            Sslv2Message::parse_body(&sh.to_bytes()).expect("re-encoded SERVER-HELLO must parse");
        assert_eq!(back, Sslv2Message::ServerHello(sh));
    }
    if let Ok(ch) = ClientHelloV2::read_exact(data, "hello") {
        assert_eq!(ch.to_bytes(), data);
    }
});
