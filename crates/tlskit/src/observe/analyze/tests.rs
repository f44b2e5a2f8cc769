use super::*;
use std::time::Duration;
use tlskit_wire::client_hello::ClientHelloBuilder;

#[test]
fn md5_matches_known_vector() {
    assert_eq!(md5_hex(""), "d41d8cd98f00b204e9800998ecf8427e");
    assert_eq!(md5_hex("abc"), "900150983cd24fb0d6963f7d28e17f72");
}

#[test]
fn reads_sni_from_a_fragmented_client_hello() {
    let rec = ClientHelloBuilder::new()
        .server_name("www.bank32.com")
        .alpn(&["http/1.1"])
        .build_record();
    let mut a = Analyzer::default();
    for (n, chunk) in rec.chunks(7).enumerate() {
        a.feed(
            Direction::ClientToServer,
            Duration::from_millis(n as u64),
            chunk,
        );
    }
    assert_eq!(a.sni(), Some("www.bank32.com"));
    let r = a.finish();
    assert!(r.tls);
    assert_eq!(r.client_hello.unwrap().alpn, vec!["http/1.1"]);
    assert_eq!(r.records.len(), 1);
    assert_eq!(r.records[0].what, "ClientHello");
}

#[test]
fn plaintext_is_reported_as_not_tls() {
    let mut a = Analyzer::default();
    a.feed(
        Direction::ClientToServer,
        Duration::ZERO,
        b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
    );
    a.feed(
        Direction::ServerToClient,
        Duration::from_millis(1),
        b"HTTP/1.1 200 OK\r\n\r\n",
    );
    let r = a.finish();
    assert!(!r.tls);
    assert!(r.not_tls.is_some());
    assert_eq!(r.exchanges.len(), 1);
}

#[test]
fn garbage_after_tls_is_a_problem_not_a_panic() {
    let rec = ClientHelloBuilder::new()
        .server_name("a.example")
        .build_record();
    let mut a = Analyzer::default();
    a.feed(Direction::ClientToServer, Duration::ZERO, &rec);
    a.feed(
        Direction::ClientToServer,
        Duration::from_millis(1),
        &[0x16, 0x03, 0x03, 0xff, 0xff, 1, 2],
    );
    let r = a.finish();
    assert!(!r.problems.is_empty());
}

#[test]
fn an_ech_offer_is_shown_and_a_malformed_one_is_a_problem() {
    // outer offer: HKDF-SHA256 / AES-128-GCM, configuration 7, a 32-byte enc, 200-byte payload.
    let mut ech = vec![0, 0, 1, 0, 1, 7, 0, 32];
    ech.extend([0x11; 32]);
    ech.extend([0, 200]);
    ech.extend([0x22; 200]);
    let rec = ClientHelloBuilder::new()
        .server_name("public.example")
        .raw_extension(0xfe0d, ech)
        .build_record();
    let mut a = Analyzer::default();
    a.feed(Direction::ClientToServer, Duration::ZERO, &rec);
    let r = a.finish();
    let ch = r.client_hello.as_ref().unwrap();
    assert_eq!(ch.sni.as_deref(), Some("public.example"));
    let seen = ch.ech.as_ref().expect("the offer");
    assert_eq!(
        (seen.config_id, seen.kdf.as_str(), seen.aead.as_str()),
        (7, "HKDF-SHA256", "AES-128-GCM")
    );
    assert_eq!(seen.payload_bytes, 200);
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    let text = r.render_hellos();
    assert!(
        text.contains("ECH:              offered: configuration 7, HKDF-SHA256 + AES-128-GCM, an encrypted inner ClientHello of 200 bytes"),
        "{text}"
    );

    // Cut short: no offer, and a problem that says why.
    let rec = ClientHelloBuilder::new()
        .server_name("public.example")
        .raw_extension(0xfe0d, vec![0, 0, 1])
        .build_record();
    let mut a = Analyzer::default();
    a.feed(Direction::ClientToServer, Duration::ZERO, &rec);
    let r = a.finish();
    assert!(r.client_hello.as_ref().unwrap().ech.is_none());
    assert!(
        r.problems
            .iter()
            .any(|p| p.contains("malformed encrypted_client_hello")),
        "{:?}",
        r.problems
    );
}
