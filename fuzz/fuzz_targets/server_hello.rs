//! ServerHello parsing and every accessor; whatever parses must re-encode and parse back equal.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tlskit_wire::codec::Codec;
use tlskit_wire::handshake::ServerHello;

fuzz_target!(|data: &[u8]| {
    let _ = ServerHello::parse_message(data);
    let Ok(sh) = ServerHello::parse(data) else {
        return;
    };
    let _ = (
        sh.is_hello_retry_request(),
        sh.selected_version(),
        sh.selected_protocol(),
        sh.selected_group(),
        sh.key_share(),
        sh.alpn(),
        sh.renegotiation_info(),
        sh.ec_point_formats(),
        sh.heartbeat_mode(),
        sh.cookie(),
        sh.sct_list(),
        sh.max_fragment_length(),
        sh.downgrade_sentinel(),
        sh.duplicate_extensions(),
        sh.ja4s(),
    );
    let again = ServerHello::parse(&sh.to_bytes()).expect("re-encoded ServerHello must parse");
    assert_eq!(again, sh);
});
