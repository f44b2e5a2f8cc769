//! HTTP heads from peers (serve --http, the proxy, connect --http, the lab, the CONNECT reply):
//! request and response heads parse to a value or an error, and the framing decision (RFC 9112
//! §6.3) never panics whatever the headers say.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tlskit::http;

fuzz_target!(|data: &[u8]| {
    if let Some(end) = http::head_end(data) {
        assert!(end <= data.len());
        if let Ok(h) = http::parse_request_head(&data[..end]) {
            assert!(h.headers.len() <= http::MAX_HEADERS);
            let _ = http::request_framing(&h.headers);
        }
        if let Ok(h) = http::parse_response_head(&data[..end]) {
            let _ = http::response_framing(h.status, Some("GET"), &h.headers);
            let _ = http::response_framing(h.status, Some("HEAD"), &h.headers);
        }
    }
    let _ = http::parse_full_response(data);
    let _ = tlskit::net::proxy::parse_connect_reply(data);
    let text = String::from_utf8_lossy(data);
    let _ = http::parse_form(&text);
});
