//! Property tests: what the builders and encoders produce, the parsers read back unchanged —
//! including through the record layer when the byte stream is split arbitrarily.

use proptest::collection::vec;
use proptest::prelude::*;

use tlskit_wire::alert::Alert;
use tlskit_wire::client_hello::{ClientHello, ClientHelloBuilder, Padding};
use tlskit_wire::codec::Codec;
use tlskit_wire::extensions::{Extension, ExtensionType, KeyShareEntry};
use tlskit_wire::handshake::{HandshakeType, RawHandshake, ServerHello};
use tlskit_wire::record::{
    ContentType, Deframer, HandshakeReassembler, Message, MessageReader, Record,
};
use tlskit_wire::sslv2::{ClientHelloV2, ServerHelloV2, Sslv2Message};
use tlskit_wire::version::Version;

/// Typed extensions a ClientHello may carry, with arbitrary contents.
#[derive(Debug, Clone, Default)]
struct ChExts {
    sni: Option<String>,
    groups: Option<Vec<u16>>,
    point_formats: Option<Vec<u8>>,
    sigalgs: Option<Vec<u16>>,
    versions: Option<Vec<u16>>,
    key_shares: Option<Vec<KeyShareEntry>>,
    alpn: Option<Vec<Vec<u8>>>,
    reneg: Option<Vec<u8>>,
    ems: bool,
    etm: bool,
    ticket: Option<Vec<u8>>,
    status_request: bool,
    sct: bool,
    heartbeat: Option<u8>,
    psk_modes: Option<Vec<u8>>,
    cookie: Option<Vec<u8>>,
    raw: Vec<(u16, Vec<u8>)>,
}

fn host() -> impl Strategy<Value = String> {
    "[a-z0-9-]{1,20}(\\.[a-z0-9-]{1,20}){0,3}"
}

fn key_share() -> impl Strategy<Value = KeyShareEntry> {
    (any::<u16>(), vec(any::<u8>(), 1..100)).prop_map(|(g, k)| KeyShareEntry::new(g, k))
}

fn ch_exts() -> impl Strategy<Value = ChExts> {
    (
        (
            proptest::option::of(host()),
            proptest::option::of(vec(any::<u16>(), 0..20)),
            proptest::option::of(vec(any::<u8>(), 0..4)),
            proptest::option::of(vec(any::<u16>(), 0..30)),
            proptest::option::of(vec(any::<u16>(), 0..8)),
            proptest::option::of(vec(key_share(), 0..4)),
            proptest::option::of(vec(vec(any::<u8>(), 1..20), 0..5)),
            proptest::option::of(vec(any::<u8>(), 0..36)),
        ),
        (
            any::<bool>(),
            any::<bool>(),
            proptest::option::of(vec(any::<u8>(), 0..200)),
            any::<bool>(),
            any::<bool>(),
            proptest::option::of(any::<u8>()),
            proptest::option::of(vec(any::<u8>(), 0..3)),
            proptest::option::of(vec(any::<u8>(), 0..100)),
            // Raw extensions from a range no typed extension uses.
            vec((0x3000u16..0x3100, vec(any::<u8>(), 0..50)), 0..4),
        ),
    )
        .prop_map(
            |(
                (sni, groups, point_formats, sigalgs, versions, key_shares, alpn, reneg),
                (ems, etm, ticket, status_request, sct, heartbeat, psk_modes, cookie, raw),
            )| ChExts {
                sni,
                groups,
                point_formats,
                sigalgs,
                versions,
                key_shares,
                alpn,
                reneg,
                ems,
                etm,
                ticket,
                status_request,
                sct,
                heartbeat,
                psk_modes,
                cookie,
                raw,
            },
        )
}

fn apply(mut b: ClientHelloBuilder, e: &ChExts) -> ClientHelloBuilder {
    if let Some(h) = &e.sni {
        b = b.server_name(h);
    }
    if let Some(g) = &e.groups {
        b = b.supported_groups(g);
    }
    if let Some(p) = &e.point_formats {
        b = b.ec_point_formats(p);
    }
    if let Some(s) = &e.sigalgs {
        b = b.signature_algorithms(s);
    }
    if let Some(v) = &e.versions {
        b = b.supported_versions(v);
    }
    if let Some(k) = &e.key_shares {
        b = b.key_shares(k);
    }
    if let Some(a) = &e.alpn {
        b = b.alpn(a);
    }
    if let Some(r) = &e.reneg {
        b = b.renegotiation_info(r);
    }
    if e.ems {
        b = b.extended_master_secret();
    }
    if e.etm {
        b = b.encrypt_then_mac();
    }
    if let Some(t) = &e.ticket {
        b = b.session_ticket(t);
    }
    if e.status_request {
        b = b.status_request();
    }
    if e.sct {
        b = b.signed_certificate_timestamp();
    }
    if let Some(m) = e.heartbeat {
        b = b.heartbeat(m);
    }
    if let Some(m) = &e.psk_modes {
        b = b.psk_key_exchange_modes(m);
    }
    if let Some(c) = &e.cookie {
        b = b.cookie(c);
    }
    for (t, d) in &e.raw {
        b = b.raw_extension(*t, d.clone());
    }
    b
}

#[allow(clippy::type_complexity)]
fn hello_fields() -> impl Strategy<Value = (u16, u16, [u8; 32], Vec<u8>, Vec<u16>, Vec<u8>)> {
    (
        // Mostly record versions the deframer accepts (major 3), sometimes anything.
        prop_oneof![3 => 0x0300u16..=0x03ff, 1 => any::<u16>()],
        any::<u16>(),
        any::<[u8; 32]>(),
        vec(any::<u8>(), 0..=32),
        vec(any::<u16>(), 0..120),
        vec(any::<u8>(), 1..4),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn client_hello_builder_round_trips(
        (record_version, legacy_version, random, session_id, suites, compression) in hello_fields(),
        exts in ch_exts(),
        order_seed in vec(any::<u16>(), 0..6),
    ) {
        let mut b = ClientHelloBuilder::new()
            .record_version(record_version)
            .legacy_version(legacy_version)
            .with_random(random)
            .session_id(session_id.clone())
            .cipher_suites(suites.clone())
            .compression_methods(compression.clone());
        b = apply(b, &exts);
        // Reorder by some of the present types.
        let present: Vec<u16> = b.extensions().iter().map(|e| e.typ).collect();
        let order: Vec<u16> = order_seed.iter().filter_map(|i| present.get(*i as usize % present.len().max(1)).copied()).collect();
        b = b.extension_order(&order);

        let msg = b.build();
        let ch = ClientHello::parse_message(&msg).unwrap();
        prop_assert_eq!(ch.legacy_version, legacy_version);
        prop_assert_eq!(ch.random, random);
        prop_assert_eq!(&ch.session_id, &session_id);
        prop_assert_eq!(&ch.cipher_suites, &suites);
        prop_assert_eq!(&ch.compression_methods, &compression);
        prop_assert_eq!(ch.extensions.as_slice(), b.extensions());
        prop_assert_eq!(ch.to_message(), msg.clone());

        // Typed accessors give back what was put in.
        prop_assert_eq!(ch.server_name().unwrap(), exts.sni.clone());
        prop_assert_eq!(ch.supported_groups().unwrap(), exts.groups.clone());
        prop_assert_eq!(ch.ec_point_formats().unwrap(), exts.point_formats.clone());
        prop_assert_eq!(ch.signature_algorithms().unwrap(), exts.sigalgs.clone());
        prop_assert_eq!(ch.supported_versions().unwrap(), exts.versions.clone());
        prop_assert_eq!(ch.key_shares().unwrap(), exts.key_shares.clone());
        prop_assert_eq!(ch.alpn().unwrap(), exts.alpn.clone());
        prop_assert_eq!(ch.renegotiation_info().unwrap(), exts.reneg.clone());
        prop_assert_eq!(ch.has_extension(ExtensionType::ExtendedMasterSecret), exts.ems);
        prop_assert_eq!(ch.has_extension(ExtensionType::EncryptThenMac), exts.etm);
        match &exts.versions {
            Some(v) => prop_assert_eq!(ch.offered_versions(), v.clone()),
            None => prop_assert_eq!(ch.offered_versions(), vec![legacy_version]),
        }
        // A raw extension set twice keeps its place and takes the last value.
        let mut last = std::collections::BTreeMap::new();
        for (t, d) in &exts.raw {
            last.insert(*t, d);
        }
        for (t, d) in last {
            prop_assert_eq!(&ch.extension(t).unwrap().data, d);
        }
        // The order asked for is honoured: the listed types come first, in order.
        let mut firsts: Vec<u16> = Vec::new();
        for t in &order {
            if !firsts.contains(t) {
                firsts.push(*t);
            }
        }
        let got: Vec<u16> = ch.extensions.iter().map(|e| e.typ).take(firsts.len()).collect();
        prop_assert_eq!(got, firsts);

        // Through the record layer, in one piece.
        let wire = b.build_record();
        prop_assert_eq!(&wire[1..3], &record_version.to_be_bytes()[..]);
        let mut mr = MessageReader::new();
        mr.push(&wire);
        if record_version >> 8 == 3 {
            match mr.next_message().unwrap() {
                Some(Message::Handshake { record_version: rv, message }) => {
                    prop_assert_eq!(rv, record_version);
                    prop_assert_eq!(message.to_bytes(), msg);
                }
                other => prop_assert!(false, "unexpected {:?}", other),
            }
            prop_assert!(mr.is_idle());
        } else {
            // Not a TLS record header: reported, not misread.
            prop_assert!(mr.next_message().is_err());
        }

        // JA3 is well-formed: five comma-separated fields, no GREASE value anywhere.
        let ja3 = ch.ja3_string();
        prop_assert_eq!(ja3.split(',').count(), 5);
        for field in ja3.split(',').skip(1) {
            for v in field.split('-').filter(|s| !s.is_empty()) {
                let v: u32 = v.parse().unwrap();
                prop_assert!(v > 0xffff || !tlskit_wire::extensions::is_grease(v as u16));
            }
        }
    }

    #[test]
    fn padding_hits_its_target(
        (_, legacy_version, random, session_id, suites, compression) in hello_fields(),
        exts in ch_exts(),
        target in 0usize..2000,
    ) {
        let b = apply(
            ClientHelloBuilder::new()
                .legacy_version(legacy_version)
                .with_random(random)
                .session_id(session_id)
                .cipher_suites(suites)
                .compression_methods(compression),
            &exts,
        );
        let plain = b.build().len();
        let padded = b.clone().padding(Padding::ToLength(target)).build();
        if plain >= target {
            prop_assert_eq!(padded.len(), plain);
        } else {
            // Exact, except when fewer than 4 bytes (or 6 with a new extension block) were missing.
            prop_assert!(padded.len() >= target && padded.len() <= target + 5, "{} -> {} (target {})", plain, padded.len(), target);
        }
        let f5 = b.padding(Padding::F5Workaround).build();
        if (256..512).contains(&plain) {
            prop_assert!(f5.len() >= 512 && f5.len() < 518);
        } else {
            prop_assert_eq!(f5.len(), plain);
        }
        prop_assert!(ClientHello::parse_message(&padded).is_ok());
    }

    #[test]
    fn presets_parse(v in 0usize..6, suites in vec(any::<u16>(), 0..50), h in proptest::option::of(host())) {
        let version = Version::ALL[v];
        let b = ClientHelloBuilder::for_version(version, &suites, h.as_deref());
        let ch = ClientHello::parse_message(&b.build()).unwrap();
        prop_assert_eq!(&ch.cipher_suites, &suites);
        if matches!(version, Version::Ssl2 | Version::Ssl3) {
            prop_assert!(ch.extensions.is_empty());
        } else {
            let sni = h.clone().filter(|h| h.parse::<std::net::IpAddr>().is_err());
            prop_assert_eq!(ch.server_name().unwrap(), sni);
            prop_assert_eq!(ch.max_version(), Some(version));
        }
    }

    #[test]
    fn server_hello_round_trips(
        legacy_version in any::<u16>(),
        random in any::<[u8; 32]>(),
        session_id in vec(any::<u8>(), 0..=32),
        cipher_suite in any::<u16>(),
        compression in any::<u8>(),
        exts in vec((any::<u16>(), vec(any::<u8>(), 0..80)), 0..8),
        version_ext in proptest::option::of(any::<u16>()),
        group in proptest::option::of(key_share()),
    ) {
        // Random extensions avoid the typed types checked below.
        let mut extensions: Vec<Extension> = exts
            .into_iter()
            .map(|(t, d)| Extension::new(if t == 43 || t == 51 { t + 1000 } else { t }, d))
            .collect();
        // Typed ones go first, so `extension()` finds them rather than a random duplicate.
        if let Some(k) = &group {
            extensions.insert(0, Extension::key_share_server(k));
        }
        if let Some(v) = version_ext {
            extensions.insert(0, Extension::supported_versions_server(v));
        }
        let sh = ServerHello { legacy_version, random, session_id, cipher_suite, compression, extensions };
        let msg = sh.to_message();
        let back = ServerHello::parse_message(&msg).unwrap();
        prop_assert_eq!(&back, &sh);
        prop_assert_eq!(back.selected_version(), version_ext.unwrap_or(legacy_version));
        if !back.is_hello_retry_request() {
            prop_assert_eq!(back.selected_group(), group.as_ref().map(|k| k.group));
            prop_assert_eq!(back.key_share().unwrap(), group.clone());
        }
    }

    #[test]
    fn fragmented_stream_reassembles(
        messages in vec((any::<u8>(), prop_oneof![
            4 => vec(any::<u8>(), 0..300),
            1 => vec(any::<u8>(), 0..20_000),
        ]), 1..8),
        record_sizes in vec(1usize..=16_384, 1..40),
        chunk_sizes in vec(1usize..700, 1..60),
        ccs_after in proptest::option::of(0usize..8),
    ) {
        let raws: Vec<RawHandshake> =
            messages.iter().map(|(t, b)| RawHandshake::new(HandshakeType::from(*t), b.clone())).collect();
        let mut stream = Vec::new();
        for m in &raws {
            m.encode(&mut stream);
        }
        // Cut the handshake stream into records of varying sizes, optionally with a CCS record
        // after some record.
        let mut wire = Vec::new();
        let mut rest = &stream[..];
        let mut i = 0;
        while !rest.is_empty() {
            let n = record_sizes[i % record_sizes.len()].min(rest.len());
            Record::new(ContentType::Handshake, 0x0303, rest[..n].to_vec()).encode(&mut wire);
            rest = &rest[n..];
            if ccs_after == Some(i) {
                Record::new(ContentType::ChangeCipherSpec, 0x0303, vec![1]).encode(&mut wire);
            }
            i += 1;
        }

        // Feed the wire bytes in chunks to a deframer + reassembler, pulling as we go.
        let mut d = Deframer::new();
        let mut h = HandshakeReassembler::new();
        let mut got = Vec::new();
        let mut ccs = 0;
        let mut pos = 0;
        let mut c = 0;
        while pos < wire.len() {
            let n = chunk_sizes[c % chunk_sizes.len()].min(wire.len() - pos);
            d.push(&wire[pos..pos + n]);
            pos += n;
            c += 1;
            while let Some(rec) = d.next_record().unwrap() {
                match rec.content_type {
                    ContentType::Handshake => h.push(&rec.payload).unwrap(),
                    ContentType::ChangeCipherSpec => ccs += 1,
                    other => prop_assert!(false, "unexpected {:?}", other),
                }
                while let Some(m) = h.next_message().unwrap() {
                    got.push(m);
                }
            }
        }
        prop_assert_eq!(&got, &raws);
        prop_assert!(h.is_empty() && d.is_empty());
        prop_assert_eq!(ccs, usize::from(ccs_after.is_some_and(|a| a < i)));

        // Same through the combined reader.
        let mut mr = MessageReader::new();
        let mut got2 = Vec::new();
        for chunk in wire.chunks(chunk_sizes[0]) {
            mr.push(chunk);
            while let Some(m) = mr.next_message().unwrap() {
                if let Message::Handshake { message, .. } = m {
                    got2.push(message);
                }
            }
        }
        prop_assert_eq!(got2, raws);
    }

    #[test]
    fn alerts_round_trip(level in any::<u8>(), desc in any::<u8>()) {
        let a = Alert::read_exact(&[level, desc], "alert").unwrap();
        prop_assert_eq!(a.to_bytes(), vec![level, desc]);
    }

    #[test]
    fn sslv2_round_trips(
        version in any::<u16>(),
        specs in vec(0u32..0x100_0000, 0..30),
        session_id in vec(any::<u8>(), 0..=16),
        challenge in vec(any::<u8>(), 16..=32),
        cert in vec(any::<u8>(), 0..2000),
        conn_id in vec(any::<u8>(), 16..=32),
        hit in any::<u8>(),
    ) {
        let ch = ClientHelloV2 { version, cipher_specs: specs.clone(), session_id, challenge };
        prop_assert_eq!(ClientHelloV2::parse_record(&ch.to_record()).unwrap(), ch);
        let sh = ServerHelloV2 {
            session_id_hit: hit,
            certificate_type: 1,
            version: 2,
            certificate: cert,
            cipher_specs: specs,
            connection_id: conn_id,
        };
        let rec = sh.to_record();
        let (m, n) = Sslv2Message::parse(&rec).unwrap().unwrap();
        prop_assert_eq!(n, rec.len());
        prop_assert_eq!(m, Sslv2Message::ServerHello(sh));
    }

    /// Whatever parses re-encodes to something that parses to the same value.
    #[test]
    fn parse_encode_parse_is_stable(body in vec(any::<u8>(), 0..400)) {
        if let Ok(ch) = ClientHello::parse(&body) {
            prop_assert_eq!(ClientHello::parse(&ch.to_bytes()).unwrap(), ch);
        }
        if let Ok(sh) = ServerHello::parse(&body) {
            prop_assert_eq!(ServerHello::parse(&sh.to_bytes()).unwrap(), sh);
        }
    }
}

/// Mutated valid hellos exercise deeper parser paths than random bytes do.
#[test]
fn mutated_hellos_never_panic() {
    let base = ClientHelloBuilder::for_version(
        Version::Tls13,
        &[0x1301, 0x1302, 0xc02f],
        Some("example.com"),
    )
    .key_shares(&[KeyShareEntry::new(0x1d, vec![7; 32])])
    .alpn(&["h2", "http/1.1"])
    .build();
    for i in 0..base.len() {
        for v in [0u8, 1, 0x7f, 0x80, 0xff] {
            let mut m = base.clone();
            m[i] = v;
            if let Ok(ch) = ClientHello::parse_message(&m) {
                let _ = (
                    ch.server_name(),
                    ch.alpn(),
                    ch.key_shares(),
                    ch.offered_versions(),
                    ch.ja3_string(),
                );
            }
            let _ = ClientHello::parse_message(&m[..i]);
        }
    }
}
