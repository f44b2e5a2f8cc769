//! Arbitrary bytes into every parser: errors are fine, panics are not. (The fuzz targets in
//! `fuzz/` do the same at much larger scale; these keep the property in `cargo test`.)

use proptest::collection::vec;
use proptest::prelude::*;

use tlskit_wire::alert::Alert;
use tlskit_wire::client_hello::ClientHello;
use tlskit_wire::codec::{Codec, Reader};
use tlskit_wire::extensions::{self as ext, Extension};
use tlskit_wire::handshake::{
    Certificate, CertificateRequest, CertificateRequestTls13, CertificateStatus,
    EncryptedExtensions, HandshakeMessage, HandshakeType, KxHint, NewSessionTicket,
    NewSessionTicketTls13, ParseContext, RawHandshake, ServerHello, ServerKeyExchange,
};
use tlskit_wire::record::{
    self, Deframer, HandshakeReassembler, MessageReader, Record, RecordHeader,
};
use tlskit_wire::sslv2::{self, ClientHelloV2, Sslv2Message, Sslv2Record};

const HINTS: [KxHint; 7] = [
    KxHint::Ecdhe,
    KxHint::Dhe,
    KxHint::RsaExport,
    KxHint::Psk,
    KxHint::DhePsk,
    KxHint::EcdhePsk,
    KxHint::Unknown,
];
const VERSIONS: [u16; 5] = [0x0300, 0x0301, 0x0302, 0x0303, 0x0304];

fn exercise_server_hello(sh: &ServerHello) {
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
    );
}

fn exercise_client_hello(ch: &ClientHello) {
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
        ch.ja3_string(),
    );
}

fn all_extension_parsers(d: &[u8]) {
    let _ = ext::parse_server_name(d);
    let _ = ext::parse_alpn(d);
    let _ = ext::parse_supported_versions_client(d);
    let _ = ext::parse_supported_versions_server(d);
    let _ = ext::parse_key_share_client(d);
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
    let _ = ext::read_extensions(&mut Reader::new(d));
}

fn all_body_parsers(d: &[u8]) {
    if let Ok(sh) = ServerHello::parse(d) {
        exercise_server_hello(&sh);
    }
    if let Ok(ch) = ClientHello::parse(d) {
        exercise_client_hello(&ch);
    }
    let _ = Certificate::parse_tls12(d);
    let _ = Certificate::parse_tls13(d);
    for v in VERSIONS {
        for k in HINTS {
            if let Ok(ske) = ServerKeyExchange::parse(d, k, v) {
                let _ = (
                    ske.named_group(),
                    ske.signature(),
                    ske.dh_params().map(|p| p.prime_bits()),
                );
            }
        }
        let _ = CertificateRequest::parse(d, v);
    }
    let _ = CertificateRequestTls13::parse(d);
    let _ = CertificateStatus::read_exact(d, "x");
    let _ = NewSessionTicket::read_exact(d, "x");
    let _ = NewSessionTicketTls13::read_exact(d, "x");
    let _ = EncryptedExtensions::read_exact(d, "x");
    let _ = Alert::read_exact(d, "x");
    for t in 0..=25u8 {
        for v in VERSIONS {
            let ctx = ParseContext {
                version: v,
                kx: KxHint::Unknown,
            };
            let _ = HandshakeMessage::parse(
                &RawHandshake::new(HandshakeType::from(t), d.to_vec()),
                &ctx,
            );
        }
    }
    let _ = Sslv2Message::parse_body(d);
    let _ = ClientHelloV2::read_exact(d, "x");
}

fn all_stream_parsers(d: &[u8], chunk: usize) {
    let _ = record::sniff(d);
    let _ = RecordHeader::parse(d);
    let _ = Record::parse(d);
    let _ = Record::read_exact(d, "x");
    let _ = RawHandshake::read_exact(d, "x");
    let _ = ServerHello::parse_message(d);
    let _ = ClientHello::parse_message(d);
    let _ = Sslv2Record::parse(d);
    let _ = Sslv2Message::parse(d);
    let _ = ClientHelloV2::parse_record(d);
    let _ = sslv2::parse_error(d);

    let chunk = chunk.max(1);
    let mut df = Deframer::new();
    let mut hs = HandshakeReassembler::with_max_message_size(4096);
    let mut mr = MessageReader::with_max_message_size(4096);
    for c in d.chunks(chunk) {
        df.push(c);
        mr.push(c);
        let _ = hs.push(c);
        while let Ok(Some(_)) = df.next_record() {}
        while let Ok(Some(_)) = hs.next_message() {}
        while let Ok(Some(_)) = mr.next_message() {}
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(d in vec(any::<u8>(), 0..300), chunk in 1usize..50) {
        all_extension_parsers(&d);
        all_body_parsers(&d);
        all_stream_parsers(&d, chunk);
    }

    /// Structured-but-hostile input: a TLS record header and handshake header around random
    /// bodies reaches the message parsers through the stream path.
    #[test]
    fn framed_garbage_never_panics(t in any::<u8>(), body in vec(any::<u8>(), 0..300), chunk in 1usize..40) {
        let msg = RawHandshake::new(HandshakeType::from(t), body.clone()).to_bytes();
        let wire = Record::new(record::ContentType::Handshake, 0x0303, msg).to_bytes();
        all_stream_parsers(&wire, chunk);
        all_body_parsers(&body);
    }

    /// ServerHellos with random data under every known extension type.
    #[test]
    fn server_hello_accessors_never_panic(
        random in any::<[u8; 32]>(),
        hrr in any::<bool>(),
        exts in vec((prop::sample::select(vec![0u16, 5, 10, 11, 15, 16, 18, 23, 35, 43, 44, 51, 0xff01]), vec(any::<u8>(), 0..12)), 0..8),
    ) {
        let random = if hrr { tlskit_wire::handshake::HELLO_RETRY_REQUEST_RANDOM } else { random };
        let sh = ServerHello {
            legacy_version: 0x0303,
            random,
            session_id: vec![],
            cipher_suite: 0x1301,
            compression: 0,
            extensions: exts.iter().map(|(t, d)| Extension::new(*t, d.clone())).collect(),
        };
        exercise_server_hello(&sh);
        let ch = ClientHello {
            legacy_version: 0x0303,
            random,
            session_id: vec![],
            cipher_suites: vec![],
            compression_methods: vec![0],
            extensions: sh.extensions.clone(),
        };
        exercise_client_hello(&ch);
    }
}
