//! Seed inputs for the fuzz targets in `fuzz/`: one small valid input per interesting shape, so
//! the fuzzer starts from messages that get past the first length checks.
//!
//! `cargo test -p tlskit-wire --test fuzz_seeds -- --ignored` rewrites `fuzz/seeds/<target>/`
//! (or `$FUZZ_SEEDS_DIR/<target>/`);
//! the normal run only checks that every seed is accepted by the parser it is meant for.

use std::path::PathBuf;

use tlskit_wire::client_hello::{ClientHello, ClientHelloBuilder};
use tlskit_wire::codec::{unhex, Codec};
use tlskit_wire::extensions::{Extension, KeyShareEntry};
use tlskit_wire::handshake::{
    Certificate, CertificateEntry, DheParams, EcdheParams, HandshakeType, KxHint, RawHandshake,
    ServerHello, ServerKeyExchange, SkeSignature, HELLO_RETRY_REQUEST_RANDOM,
};
use tlskit_wire::record::{ContentType, Record};
use tlskit_wire::sslv2::{self, ClientHelloV2, ServerHelloV2};
use tlskit_wire::version::Version;

const RFC8448_SERVER_HELLO: &str = "020000560303a6af06a4121860dc5e6e60249cd34c95930c8ac5cb1434dac155772ed3e2692800130100002e00330024001d0020c9828876112095fe66762bdbf7c672e156d6cc253b833df1dd69b1b04e751f0f002b00020304";

fn tls12_server_hello() -> ServerHello {
    ServerHello {
        legacy_version: 0x0303,
        random: [0x5a; 32],
        session_id: vec![1; 32],
        cipher_suite: 0xc02f,
        compression: 0,
        extensions: vec![
            Extension::renegotiation_info(&[]),
            Extension::ec_point_formats(&[0]),
            Extension::alpn(&["h2"]),
            Extension::empty(23u16),
            Extension::heartbeat(1),
        ],
    }
}

fn hrr() -> ServerHello {
    ServerHello {
        legacy_version: 0x0303,
        random: HELLO_RETRY_REQUEST_RANDOM,
        session_id: vec![],
        cipher_suite: 0x1301,
        compression: 0,
        extensions: vec![
            Extension::supported_versions_server(0x0304),
            Extension::key_share_hrr(0x17),
            Extension::cookie(b"c"),
        ],
    }
}

fn cert12() -> Vec<u8> {
    let mut v = Vec::new();
    Certificate::tls12(vec![vec![0x30, 0x03, 1, 2, 3], vec![0x30, 0x01, 0]]).encode(&mut v);
    v
}

fn cert13() -> Vec<u8> {
    let c = Certificate {
        request_context: Some(vec![]),
        entries: vec![CertificateEntry {
            cert: vec![0x30, 0x03, 1, 2, 3],
            extensions: vec![
                Extension::new(18u16, vec![0, 4, 0, 2, 9, 9]),
                Extension::new(5u16, vec![1, 0, 0, 1, 0x30]),
            ],
        }],
    };
    let mut v = Vec::new();
    c.encode(&mut v);
    v
}

fn ske_ecdhe() -> Vec<u8> {
    let s = ServerKeyExchange::Ecdhe {
        params: EcdheParams {
            curve_type: 3,
            named_group: Some(0x1d),
            explicit_curve: vec![],
            public: vec![9; 32],
        },
        signature: Some(SkeSignature {
            scheme: Some(0x0804),
            signature: vec![7; 16],
        }),
    };
    let mut v = Vec::new();
    s.encode(&mut v);
    v
}

fn ske_dhe() -> Vec<u8> {
    let s = ServerKeyExchange::Dhe {
        params: DheParams {
            p: vec![0xff; 16],
            g: vec![2],
            ys: vec![3; 16],
        },
        signature: Some(SkeSignature {
            scheme: None,
            signature: vec![7; 16],
        }),
    };
    let mut v = Vec::new();
    s.encode(&mut v);
    v
}

fn client_hello12() -> Vec<u8> {
    ClientHelloBuilder::for_version(
        Version::Tls12,
        &[0xc02f, 0x009c, 0x00ff],
        Some("example.com"),
    )
    .alpn(&["h2", "http/1.1"])
    .build_body()
}

fn client_hello13() -> Vec<u8> {
    ClientHelloBuilder::for_version(Version::Tls13, &[0x1301, 0x0a0a], Some("example.com"))
        .key_shares(&[KeyShareEntry::new(0x1d, vec![1; 32])])
        .build_body()
}

fn flight() -> Vec<u8> {
    let mut hs = Vec::new();
    tls12_server_hello()
        .to_message()
        .iter()
        .for_each(|b| hs.push(*b));
    RawHandshake::new(HandshakeType::Certificate, cert12()).encode(&mut hs);
    RawHandshake::new(HandshakeType::ServerKeyExchange, ske_ecdhe()).encode(&mut hs);
    RawHandshake::new(HandshakeType::ServerHelloDone, vec![]).encode(&mut hs);
    hs
}

fn records() -> Vec<u8> {
    let hs = flight();
    let mut wire = Vec::new();
    // Split mid-message to exercise reassembly.
    let (a, b) = hs.split_at(50);
    Record::new(ContentType::Handshake, 0x0303, a.to_vec()).encode(&mut wire);
    Record::new(ContentType::Handshake, 0x0303, b.to_vec()).encode(&mut wire);
    Record::new(ContentType::ChangeCipherSpec, 0x0303, vec![1]).encode(&mut wire);
    Record::new(ContentType::Alert, 0x0303, vec![2, 40]).encode(&mut wire);
    wire
}

fn v2_server_hello() -> Vec<u8> {
    ServerHelloV2 {
        session_id_hit: 0,
        certificate_type: 1,
        version: 2,
        certificate: vec![0x30, 0x03, 1, 2, 3],
        cipher_specs: vec![
            sslv2::CK_RC4_128_WITH_MD5,
            sslv2::CK_DES_192_EDE3_CBC_WITH_MD5,
        ],
        connection_id: vec![4; 16],
    }
    .to_record()
}

fn with(prefix: &[u8], body: &[u8]) -> Vec<u8> {
    let mut v = prefix.to_vec();
    v.extend_from_slice(body);
    v
}

/// (target, seed name, bytes)
fn seeds() -> Vec<(&'static str, &'static str, Vec<u8>)> {
    let sh13 = unhex(RFC8448_SERVER_HELLO).unwrap();
    vec![
        ("record_deframer", "flight", with(&[7], &records())),
        (
            "record_deframer",
            "http",
            with(&[3], b"HTTP/1.1 400 Bad Request\r\n\r\n"),
        ),
        ("record_deframer", "sslv2", with(&[0], &v2_server_hello())),
        (
            "handshake_reassembler",
            "flight_tls12_ecdhe",
            with(&[5, 3], &flight()),
        ),
        (
            "handshake_reassembler",
            "records",
            with(&[100, 3], &records()),
        ),
        ("server_hello", "rfc8448", sh13[4..].to_vec()),
        ("server_hello", "tls12", tls12_server_hello().to_bytes()),
        ("server_hello", "hrr", hrr().to_bytes()),
        ("certificate", "tls12", cert12()),
        ("certificate", "tls13", cert13()),
        (
            "server_key_exchange",
            "ecdhe_tls12",
            with(&[0x30], &ske_ecdhe()),
        ),
        (
            "server_key_exchange",
            "dhe_tls10",
            with(&[0x11], &ske_dhe()),
        ),
        ("client_hello", "tls12", client_hello12()),
        ("client_hello", "tls13", client_hello13()),
        ("alert", "handshake_failure", vec![2, 40]),
        ("alert", "two", vec![1, 0, 2, 70]),
        ("sslv2_server_hello", "server_hello", v2_server_hello()),
        ("sslv2_server_hello", "error", vec![0x80, 3, 0, 0, 1]),
        (
            "sslv2_server_hello",
            "client_hello",
            ClientHelloV2::new(vec![sslv2::CK_RC4_128_WITH_MD5], vec![1; 16]).to_bytes(),
        ),
        (
            "extensions",
            "alpn",
            Extension::alpn(&["h2", "http/1.1"]).data,
        ),
        (
            "extensions",
            "key_share",
            Extension::key_share_client(&[KeyShareEntry::new(0x1d, vec![1; 32])]).data,
        ),
        ("extensions", "block", {
            let ch = ClientHello::parse(&client_hello12()).unwrap();
            let mut v = Vec::new();
            tlskit_wire::extensions::put_extensions(&mut v, &ch.extensions);
            v
        }),
        (
            "handshake_message",
            "server_hello",
            with(&[3], &tls12_server_hello().to_message()),
        ),
        (
            "handshake_message",
            "ske",
            with(
                &[3],
                &RawHandshake::new(HandshakeType::ServerKeyExchange, ske_ecdhe()).to_bytes(),
            ),
        ),
        (
            "handshake_message",
            "cert13",
            with(
                &[4],
                &RawHandshake::new(HandshakeType::Certificate, cert13()).to_bytes(),
            ),
        ),
    ]
}

#[test]
fn seeds_are_valid() {
    for (target, name, bytes) in seeds() {
        let ok = match target {
            "server_hello" => ServerHello::parse(&bytes).is_ok(),
            "client_hello" => ClientHello::parse(&bytes).is_ok(),
            "certificate" => {
                Certificate::parse_tls12(&bytes).is_ok() || Certificate::parse_tls13(&bytes).is_ok()
            }
            "server_key_exchange" => {
                let v = [0x0300, 0x0301, 0x0302, 0x0303][(bytes[0] >> 4) as usize % 4];
                ServerKeyExchange::parse(&bytes[1..], KxHint::Unknown, v).is_ok()
            }
            "extensions" => !bytes.is_empty(),
            _ => true,
        };
        assert!(ok, "{target}/{name} does not parse");
        assert!(bytes.len() < 4096, "{target}/{name} is not small");
    }
}

#[test]
#[ignore = "writes fuzz/seeds; run explicitly to regenerate"]
fn write_fuzz_seeds() {
    let root = std::env::var_os("FUZZ_SEEDS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/seeds"));
    for (target, name, bytes) in seeds() {
        let dir = root.join(target);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(name), bytes).unwrap();
    }
}
