//! Every typed extension parser on the same bytes, plus extension-block parsing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tlskit_wire::codec::{Codec, Reader};
use tlskit_wire::extensions as ext;

fuzz_target!(|d: &[u8]| {
    let _ = ext::parse_server_name(d);
    if let Ok(list) = ext::parse_alpn(d) {
        assert_eq!(ext::Extension::alpn(&list).data, d);
    }
    let _ = ext::parse_supported_versions_client(d);
    let _ = ext::parse_supported_versions_server(d);
    if let Ok(ks) = ext::parse_key_share_client(d) {
        assert_eq!(ext::Extension::key_share_client(&ks).data, d);
    }
    let _ = ext::parse_key_share_server(d);
    let _ = ext::parse_key_share_hrr(d);
    let _ = ext::parse_renegotiation_info(d);
    let _ = ext::parse_ec_point_formats(d);
    let _ = ext::parse_supported_groups(d);
    let _ = ext::parse_signature_algorithms(d);
    let _ = ext::parse_psk_key_exchange_modes(d);
    let _ = ext::parse_heartbeat(d);
    let _ = ext::parse_max_fragment_length(d);
    let _ = ext::parse_record_size_limit(d);
    let _ = ext::parse_cookie(d);
    let _ = ext::parse_status_request(d);
    let _ = ext::parse_sct_list(d);
    let mut r = Reader::new(d);
    if let Ok(exts) = ext::read_extensions(&mut r) {
        let _ = ext::duplicates(&exts);
        for e in &exts {
            let _ = e.ext_type().to_string();
            let _ = e.to_bytes();
        }
    }
});
