//! The registry tables: completeness against the IANA registries, internal consistency, and a
//! cross-check of every suite the system's OpenSSL knows (`openssl ciphers -V`): same code point,
//! same name, same Kx/Au/Enc/Mac/version columns.
//!
//! The cross-checks need the `openssl` command-line tool (Debian package `openssl`); without it
//! they fail rather than pass silently.

use std::collections::HashSet;
use std::process::Command;
use tlskit_wire::registry::{self, Auth, Enc, GroupKind, HashAlg, Kx, Mac, SigAlg};
use tlskit_wire::version::Version;

fn openssl(args: &[&str]) -> String {
    let out = Command::new("openssl").args(args).output().unwrap_or_else(|e| {
        panic!(
            "cannot run the `openssl` command ({e}); this test cross-checks the registry against it: install the \
             Debian package `openssl` (apt-get install openssl)"
        )
    });
    assert!(
        out.status.success(),
        "openssl {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

const ALL_TLS13: &str =
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_CCM_SHA256:TLS_AES_128_CCM_8_SHA256";

#[test]
fn every_openssl_suite_matches_the_registry() {
    let text = openssl(&[
        "ciphers",
        "-V",
        "-ciphersuites",
        ALL_TLS13,
        "ALL:COMPLEMENTOFALL:@SECLEVEL=0",
    ]);
    let mut checked = 0;
    let mut failures = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        // "0xC0,0x2F - ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 Kx=ECDH Au=RSA Enc=AESGCM(128) Mac=AEAD"
        let f: Vec<&str> = line.split_whitespace().collect();
        let (hi, lo) = f[0].split_once(',').unwrap();
        let hex = |s: &str| u16::from_str_radix(s.trim_start_matches("0x"), 16).unwrap();
        let id = (hex(hi) << 8) | hex(lo);
        let field = |k: &str| {
            f.iter()
                .find_map(|x| x.strip_prefix(k))
                .unwrap_or("")
                .to_string()
        };
        let Some(s) = registry::cipher_suite(id) else {
            failures.push(format!("{id:04x} {} missing from the registry", f[2]));
            continue;
        };
        let want = (
            f[2].to_string(),
            f[3].to_string(),
            field("Kx="),
            field("Au="),
            field("Enc="),
            field("Mac="),
        );
        let have = (
            s.openssl.unwrap_or("-").to_string(),
            s.openssl_version().to_string(),
            s.openssl_kx(),
            s.openssl_auth().to_string(),
            s.openssl_enc(),
            s.openssl_mac().to_string(),
        );
        if want != have {
            failures.push(format!(
                "{id:04x}: openssl {want:?}\n       registry {have:?}"
            ));
        }
        // The whole line, as `openssl ciphers -V` lays it out.
        if line.trim().trim_end() != s.openssl_description().trim_end() {
            failures.push(format!(
                "{id:04x}: line\n  {}\n  {}",
                line.trim(),
                s.openssl_description()
            ));
        }
        // Lookups by both names.
        assert_eq!(
            registry::cipher_suite_by_name(f[2]).map(|c| c.id),
            Some(id),
            "{}",
            f[2]
        );
        assert_eq!(
            registry::cipher_suite_by_name(s.iana).map(|c| c.id),
            Some(id),
            "{}",
            s.iana
        );
        checked += 1;
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(checked >= 150, "only {checked} suites listed by openssl");
}

/// Every code point the IANA registry assigns (as of 2025), by range.
const IANA_ASSIGNED: &[(u16, u16)] = &[
    (0x0000, 0x001B),
    (0x001E, 0x0046),
    (0x0067, 0x006D),
    (0x0084, 0x00C7),
    (0x1301, 0x1307),
    (0xC001, 0xC0B5),
    (0xC100, 0xC106),
    (0xCCA8, 0xCCAE),
    (0xD001, 0xD003),
    (0xD005, 0xD005),
];

#[test]
fn every_iana_cipher_suite_is_present() {
    let mut n = 0;
    for &(lo, hi) in IANA_ASSIGNED {
        for id in lo..=hi {
            let s = registry::cipher_suite(id).unwrap_or_else(|| panic!("0x{id:04X} missing"));
            assert!(s.iana_assigned && !s.scsv, "0x{id:04X}");
            assert!(s.iana.starts_with("TLS_"), "{}", s.iana);
            n += 1;
        }
    }
    let assigned = registry::cipher_suites()
        .iter()
        .filter(|s| s.iana_assigned)
        .count();
    assert_eq!(
        assigned, n,
        "suites marked iana_assigned outside the assigned ranges"
    );
    // The SCSVs are separate.
    let scsv: Vec<u16> = registry::signalling_cipher_suites()
        .iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(scsv, [0x00FF, 0x5600]);
    assert_eq!(registry::suite_name(0x5600), "TLS_FALLBACK_SCSV");
    assert_eq!(
        registry::cipher_suite_by_name("TLS_EMPTY_RENEGOTIATION_INFO_SCSV")
            .unwrap()
            .id,
        0x00FF
    );
}

#[test]
fn cipher_suite_table_is_consistent() {
    let all = registry::cipher_suites();
    let mut iana = HashSet::new();
    let mut ossl = HashSet::new();
    for s in all {
        assert!(
            iana.insert(s.iana.to_ascii_lowercase()),
            "duplicate IANA name {}",
            s.iana
        );
        if let Some(o) = s.openssl {
            assert!(
                ossl.insert(o.to_ascii_lowercase()),
                "duplicate OpenSSL name {o}"
            );
        }
        assert!(!registry::is_grease(s.id));
        assert_eq!(s.tls13, s.min_version == Version::Tls13, "{}", s.iana);
        assert_eq!(
            s.tls13,
            s.kx == Kx::Tls13 && s.auth == Auth::Tls13,
            "{}",
            s.iana
        );
        assert_eq!(s.bits, s.enc.bits(), "{}", s.iana);
        // The IANA name spells the parts out.
        let n = s.iana;
        if n.contains("_anon_") {
            assert!(s.anonymous(), "{n}");
        }
        if n.contains("EXPORT") {
            assert!(s.export && s.bits <= 56, "{n}");
        }
        if s.export {
            assert!(n.contains("EXPORT"), "{n}");
        }
        if n.contains("_GCM_")
            || n.contains("_CCM")
            || n.contains("CHACHA20")
            || n.contains("_MGM_")
        {
            assert!(s.is_aead(), "{n}");
        }
        if n.ends_with("_SHA256") && n.contains("_CBC_") {
            assert_eq!(s.mac, Mac::Sha256, "{n}");
        }
        if n.contains("_CBC_") || n.contains("_CBC3_") {
            assert!(s.is_cbc(), "{n}");
        }
        if n.contains("_NULL_") && !n.starts_with("TLS_NULL") {
            assert!(s.null_encryption() || s.mac == Mac::Null, "{n}");
        }
        if n.starts_with("TLS_ECDHE_") || n.starts_with("TLS_DHE_") {
            assert!(s.forward_secret(), "{n}");
        }
        if n.starts_with("TLS_RSA_WITH")
            || n.starts_with("TLS_ECDH_ECDSA")
            || n.starts_with("TLS_DH_RSA")
        {
            assert!(!s.forward_secret(), "{n}");
        }
        if s.is_aead() || matches!(s.mac, Mac::Sha256 | Mac::Sha384) {
            assert!(s.min_version >= Version::Tls10, "{n}");
        }
    }
    // Counts (the report quotes these).
    assert!(all.len() >= 360, "{}", all.len());
    assert_eq!(all.iter().filter(|s| s.tls13).count(), 15);
}

#[test]
fn cipher_suite_properties() {
    let get = |id| registry::cipher_suite(id).unwrap();
    let s = get(0xC02F);
    assert_eq!(s.openssl_enc(), "AESGCM(128)");
    assert!(s.forward_secret() && s.is_aead() && !s.is_cbc() && s.block_bits() == Some(128));

    let des3 = get(0x000A);
    assert_eq!(
        (des3.bits, des3.strength_bits(), des3.block_bits()),
        (168, 112, Some(64))
    );
    assert!(des3.is_cbc() && !des3.forward_secret() && des3.min_version == Version::Ssl3);

    let exp = get(0x0003);
    assert!(exp.export && exp.bits == 40 && exp.kx == Kx::RsaExport);
    assert_eq!(exp.openssl_kx(), "RSA(512)");
    assert_eq!(exp.openssl_description(), "0x00,0x03 - EXP-RC4-MD5                    SSLv3   Kx=RSA(512) Au=RSA   Enc=RC4(40)                Mac=MD5  export");
    assert_eq!(get(0x0062).openssl_kx(), "RSA(1024)");
    assert_eq!(get(0x0031).openssl_kx(), "DH/RSA");
    assert_eq!(get(0x0031).openssl_auth(), "DH");
    assert_eq!(get(0xC004).openssl_kx(), "ECDH/ECDSA");

    let adh = get(0x0034);
    assert!(adh.anonymous() && adh.forward_secret());
    assert!(get(0x0001).null_encryption());
    assert_eq!(get(0x0007).block_bits(), Some(64));
    assert_eq!(get(0x0005).block_bits(), None);
    assert_eq!(get(0x0005).max_version(), Version::Tls12);
    assert_eq!(get(0x0009).max_version(), Version::Tls11);
    assert_eq!(get(0x0008).max_version(), Version::Tls10);

    let t = get(0x1305);
    assert_eq!(
        (t.iana, t.tls13, t.kx.name(), t.auth.name()),
        ("TLS_AES_128_CCM_8_SHA256", true, "any", "any")
    );
    assert!(t.forward_secret() && !t.anonymous());

    assert_eq!(get(0x0016).openssl, Some("DHE-RSA-DES-CBC3-SHA"));
    assert_eq!(
        registry::cipher_suite_by_name("edh-rsa-des-cbc3-sha")
            .unwrap()
            .id,
        0x0016
    );
    for (name, id) in [
        ("EXP-RC4-MD5", 0x0003),
        ("DES-CBC3-SHA", 0x000A),
        ("EDH-RSA-DES-CBC-SHA", 0x0015),
        ("RC4-SHA", 0x0005),
        ("IDEA-CBC-SHA", 0x0007),
        ("SEED-SHA", 0x0096),
        ("KRB5-DES-CBC3-SHA", 0x001F),
        ("EXP1024-RC4-SHA", 0x0064),
        ("ECDH-RSA-AES256-GCM-SHA384", 0xC032),
        ("GOST2012-KUZNYECHIK-KUZNYECHIKOMAC", 0xC100),
        ("TLS_ECCPWD_WITH_AES_128_GCM_SHA256", 0xC0B0),
        ("TLS_SM4_GCM_SM3", 0x00C6),
        ("TLS_PSK_DHE_WITH_AES_128_CCM_8", 0xC0AA),
    ] {
        assert_eq!(
            registry::cipher_suite_by_name(name).map(|c| c.id),
            Some(id),
            "{name}"
        );
    }
    assert!(registry::cipher_suite_by_name("NOPE").is_none());
    assert_eq!(registry::suite_name(0x1A1A), "GREASE_0x1A1A");
    assert_eq!(registry::suite_name(0x0047), "UNKNOWN_0x0047");
    assert_eq!(registry::suite_name(0x1301), "TLS_AES_128_GCM_SHA256");
}

#[test]
fn ssl2_cipher_kinds() {
    let k = registry::ssl2_cipher_kinds();
    assert_eq!(k.len(), 9);
    let rc4 = registry::ssl2_cipher_kind(0x010080).unwrap();
    assert_eq!(
        (rc4.name, rc4.openssl, rc4.bits, rc4.export),
        ("SSL_CK_RC4_128_WITH_MD5", "RC4-MD5", 128, false)
    );
    assert_eq!(rc4.bytes(), [0x01, 0x00, 0x80]);
    let exp = registry::ssl2_cipher_kind(0x040080).unwrap();
    assert!(exp.export && exp.bits == 40 && exp.enc == Enc::Rc2_40);
    assert_eq!(
        registry::ssl2_cipher_kind(0x0700C0).unwrap().openssl,
        "DES-CBC3-MD5"
    );
}

#[test]
fn named_groups() {
    let all = registry::named_groups();
    // IANA: 1-41, 256-260, 512-514, 0x11EB-0x11EE, 0x6399/0x639A, 0xFF01/0xFF02.
    for id in (1..=41)
        .chain(256..=260)
        .chain(512..=514)
        .chain(0x11EB..=0x11EE)
    {
        assert!(
            registry::named_group(id).is_some(),
            "group {id:#06x} missing"
        );
    }
    assert_eq!(all.len(), 41 + 5 + 3 + 4 + 2 + 2);
    let mut names = HashSet::new();
    for g in all {
        assert!(
            names.insert(g.name.to_ascii_lowercase()),
            "duplicate {}",
            g.name
        );
    }
    let x = registry::named_group(0x001D).unwrap();
    assert_eq!(
        (x.name, x.openssl_name, x.kind, x.bits),
        ("x25519", Some("X25519"), GroupKind::Ecx, 253)
    );
    let p = registry::named_group_by_name("P-256").unwrap();
    assert_eq!(
        (p.id, p.name, p.openssl_name),
        (0x0017, "secp256r1", Some("prime256v1"))
    );
    assert_eq!(
        registry::named_group_by_name("prime256v1").unwrap().id,
        0x0017
    );
    assert_eq!(registry::named_group_by_name("X25519").unwrap().id, 0x001D);
    assert_eq!(
        registry::named_group_by_name("x25519mlkem768").unwrap().id,
        0x11EC
    );
    assert_eq!(
        registry::named_group_by_name("SecP384r1MLKEM1024")
            .unwrap()
            .kind,
        GroupKind::Hybrid
    );
    assert_eq!(
        registry::named_group_by_name("MLKEM768").unwrap().kind,
        GroupKind::Pqc
    );
    assert_eq!(
        registry::named_group_by_name("ffdhe3072").unwrap().kind,
        GroupKind::Ffdhe
    );
    assert!(registry::named_group(0x0001).unwrap().deprecated);
    assert!(!registry::named_group(0x0018).unwrap().deprecated);
    assert_eq!(registry::group_name(0x0A0A), "GREASE_0x0A0A");
    assert_eq!(registry::group_name(0x0105), "UNKNOWN_0x0105");
}

/// Every elliptic curve whose OpenSSL name we give is a curve OpenSSL knows.
#[test]
fn ec_group_names_are_openssl_curve_names() {
    let text = openssl(&["ecparam", "-list_curves"]);
    let curves: HashSet<&str> = text
        .lines()
        .filter_map(|l| l.split(':').next())
        .map(str::trim)
        .collect();
    let mut checked = 0;
    for g in registry::named_groups()
        .iter()
        .filter(|g| g.kind == GroupKind::Ec && g.id <= 0x1C)
    {
        let name = g.openssl_name.unwrap();
        assert!(
            curves.contains(name),
            "{} ({name}) is not an OpenSSL curve",
            g.name
        );
        checked += 1;
    }
    assert_eq!(checked, 28);
}

#[test]
fn signature_schemes() {
    let all = registry::signature_schemes();
    let get = |id| registry::signature_scheme(id).unwrap();
    assert_eq!(get(0x0403).name, "ecdsa_secp256r1_sha256");
    assert_eq!(
        (get(0x0804).hash, get(0x0804).sig),
        (HashAlg::Sha256, SigAlg::RsaPssRsae)
    );
    assert!(get(0x0807).tls13 && get(0x0807).name == "ed25519");
    assert!(get(0x0201).legacy && !get(0x0201).tls13);
    assert_eq!(get(0x0202).name, "dsa_sha1");
    assert_eq!(get(0x0301).name, "rsa_pkcs1_sha224");
    assert_eq!(get(0x0303).name, "ecdsa_sha224");
    assert_eq!(get(0x0905).sig, SigAlg::MlDsa65);
    for id in [
        0x0201, 0x0203, 0x0401, 0x0403, 0x0420, 0x0501, 0x0503, 0x0520, 0x0601, 0x0603, 0x0620,
    ]
    .into_iter()
    .chain(0x0704..=0x070F)
    .chain(0x0804..=0x080B)
    .chain(0x081A..=0x081C)
    .chain(0x0904..=0x0906)
    {
        assert!(get(id).iana_assigned, "{id:#06x}");
    }
    assert_eq!(
        registry::signature_scheme_by_name("RSA_PSS_RSAE_SHA384")
            .unwrap()
            .id,
        0x0805
    );
    assert_eq!(
        registry::signature_scheme_by_name("RSA+SHA256").unwrap().id,
        0x0401
    );
    assert_eq!(
        registry::signature_scheme_by_name("ECDSA+SHA384")
            .unwrap()
            .id,
        0x0503
    );
    assert_eq!(
        registry::signature_scheme_by_name("RSA-PSS+SHA256")
            .unwrap()
            .id,
        0x0804
    );
    assert_eq!(
        registry::signature_scheme_by_name("DSA+SHA1").unwrap().id,
        0x0202
    );
    assert!(registry::signature_scheme_by_name("FOO+SHA1").is_none());
    assert_eq!(registry::signature_scheme_name(0xFFFF), "UNKNOWN_0xFFFF");
    let mut names = HashSet::new();
    for s in all {
        assert!(names.insert(s.name), "duplicate {}", s.name);
        // TLS 1.2 pairs: hash byte / signature byte.
        if s.legacy && s.id < 0x0700 {
            assert!(s.id & 0xff <= 3, "{}", s.name);
        }
    }
    assert_eq!(all.len(), 52);
}
