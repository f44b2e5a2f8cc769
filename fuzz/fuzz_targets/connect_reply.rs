//! An HTTP proxy's answer to CONNECT (net::proxy): any bytes give a verdict or an error, never a
//! panic; a refusal's reason is one printable line.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tlskit::net::proxy::{parse_connect_reply, ConnectReply};

fuzz_target!(|data: &[u8]| {
    if let Ok(ConnectReply::Refused { reason, .. }) = parse_connect_reply(data) {
        assert!(!reason.chars().any(|c| c.is_control()), "{reason:?}");
    }
});
