//! Cipher strings: `cipherstring::select` must order suites exactly like the system's
//! `openssl ciphers -V STRING` (OpenSSL 3.x), restricted to the suites that OpenSSL build has.
//!
//! These tests need the `openssl` command-line tool (Debian package `openssl`); without it they
//! fail rather than pass silently.

use std::collections::HashSet;
use std::process::Command;
use tlskit_wire::cipherstring::{
    self, select, select_tls13, select_with_security_level, unknown_tokens,
};
use tlskit_wire::registry::CipherSuite;

/// Run `openssl ciphers -V <options> -- <string>`: `Some(lines)` on success, `None` when OpenSSL
/// rejects the string.
fn openssl_ciphers(options: &[&str], string: &str) -> Option<Vec<(u16, String, String)>> {
    let out = match Command::new("openssl").arg("ciphers").arg("-V").args(options).arg("--").arg(string).output() {
        Ok(o) => o,
        Err(e) => panic!(
            "cannot run the `openssl` command ({e}); these tests compare against it: install the Debian package \
             `openssl` (apt-get install openssl)"
        ),
    };
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).expect("openssl output is UTF-8");
    Some(
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .map(parse_line)
            .collect(),
    )
}

/// `0xC0,0x2F - ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 Kx=ECDH ...` → (0xC02F, name, version).
fn parse_line(line: &str) -> (u16, String, String) {
    let f: Vec<&str> = line.split_whitespace().collect();
    let (hi, lo) = f[0]
        .split_once(',')
        .unwrap_or_else(|| panic!("unexpected openssl line: {line}"));
    let hex = |s: &str| u16::from_str_radix(s.trim_start_matches("0x"), 16).unwrap();
    ((hex(hi) << 8) | hex(lo), f[2].to_string(), f[3].to_string())
}

/// The TLS ≤ 1.2 suites this OpenSSL build knows.
fn openssl_universe() -> HashSet<u16> {
    openssl_ciphers(&[], "ALL:COMPLEMENTOFALL:@SECLEVEL=0")
        .expect("openssl ciphers ALL:COMPLEMENTOFALL")
        .into_iter()
        .filter(|(_, _, v)| v != "TLSv1.3")
        .map(|(id, _, _)| id)
        .collect()
}

fn show(ids: &[u16]) -> String {
    ids.iter()
        .map(|id| {
            tlskit_wire::registry::cipher_suite(*id)
                .map_or(format!("{id:04x}"), |c| c.name().to_string())
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn ours(
    result: Result<Vec<&'static CipherSuite>, cipherstring::CipherStringError>,
    known: &HashSet<u16>,
) -> Vec<u16> {
    result
        .map(|v| {
            v.iter()
                .map(|c| c.id)
                .filter(|id| known.contains(id))
                .collect()
        })
        .unwrap_or_default()
}

/// The strings verified against `openssl ciphers -V` (plain, i.e. without `-s`).
const STRINGS: &[&str] = &[
    "ALL",
    "DEFAULT",
    "ALL:@SECLEVEL=0",
    "ALL:COMPLEMENTOFALL:@SECLEVEL=0",
    "COMPLEMENTOFALL",
    "COMPLEMENTOFDEFAULT",
    "HIGH",
    "HIGH:!aNULL:!MD5",
    "ECDH+AES128",
    "ECDHE+AESGCM:!SHA1",
    "aNULL:@SECLEVEL=0",
    "eNULL:@SECLEVEL=0",
    "NULL",
    "CAMELLIA:@SECLEVEL=0",
    "CAMELLIA128",
    "CAMELLIA256:+kRSA",
    "ARIA",
    "ARIAGCM",
    "ARIA128:ARIA256",
    "kRSA",
    "RSA",
    "aRSA:!kRSA",
    "AES256-SHA:AES128-SHA",
    "ALL:-ECDHE:+kRSA",
    "3DES",
    "PSK:@SECLEVEL=0",
    "kPSK",
    "kECDHEPSK:kDHEPSK:kRSAPSK",
    "aPSK",
    "SRP",
    "kSRP:aSRP",
    "SHA256:@STRENGTH",
    "DEFAULT:!ECDSA",
    "DEFAULT:@STRENGTH",
    "DEFAULTAES128-SHA",
    "AES128-SHA:DEFAULT",
    "kDHE",
    "kEDH",
    "DH",
    "DHE",
    "EDH",
    "ADH",
    "AECDH",
    "kECDHE",
    "kEECDH",
    "ECDHE",
    "EECDH",
    "ECDSA",
    "aECDSA",
    "aDSS",
    "DSS",
    "TLSv1.2",
    "TLSv1.0",
    "TLSv1",
    "SSLv3",
    "TLSv1.2+kRSA+AESGCM",
    "AES",
    "AES128",
    "AES256",
    "AESGCM",
    "AESCCM",
    "AESCCM8",
    "CHACHA20",
    "CBC",
    "MD5",
    "SHA1",
    "SHA",
    "SHA384",
    "FIPS",
    "MEDIUM",
    "LOW",
    "RC4",
    "EXPORT",
    "SEED:IDEA",
    "SUITEB128",
    "SUITEB128ONLY",
    "SUITEB128C2",
    "SUITEB192",
    "AES128-SHA:SUITEB128",
    "ECDHE-RSA-AES128-GCM-SHA256,ECDHE-RSA-AES256-GCM-SHA384;AES128-SHA AES256-SHA",
    "AES128-SHA!RC4:CAMELLIA128-SHA",
    "AES128-SHA:FOO:CAMELLIA128-SHA",
    "AES128-SHA:FOO#BAR:CAMELLIA128-SHA",
    "AES128-SHA:ECDHE+FOO:CAMELLIA128-SHA",
    "AES128-SHA+SHA256",
    "DHE-RSA-AES128-SHA+AES",
    "HIGH+FIPS",
    "kRSA+kDHE:AES",
    "ALL:!AES:AES256",
    "ALL:-AES:AES256",
    "ALL:-AES:+AES256:@STRENGTH",
    "-ALL:AES128-SHA",
    "ECDHE:+AES256:-SHA1:SHA1",
    "!ECDHE:ECDHE",
    "HIGH:MEDIUM:!aNULL:!eNULL:@STRENGTH",
    "EECDH+AESGCM:EDH+AESGCM",
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384",
    "ALL:+aNULL:+kRSA:@STRENGTH",
    "COMPLEMENTOFDEFAULT:@STRENGTH",
    "ALL:COMPLEMENTOFALL:+SHA1:+SHA256:+SHA384",
    "ALL:@SECLEVEL=5",
    "FOO",
    "",
    "ALL:!",
    "AES+",
    "ALL:@FOO",
    "ALL:@SECLEVEL=7",
];

#[test]
fn select_matches_openssl_ciphers() {
    let known = openssl_universe();
    let mut failures = Vec::new();
    for s in STRINGS {
        let theirs: Option<Vec<u16>> = openssl_ciphers(&[], s).map(|lines| {
            lines
                .into_iter()
                .filter(|(_, _, v)| v != "TLSv1.3")
                .map(|(id, _, _)| id)
                .collect()
        });
        let mine = select(s);
        match theirs {
            None => {
                // OpenSSL rejected the string: it is malformed, or selects nothing OpenSSL has.
                let got = ours(mine, &known);
                if !got.is_empty() {
                    failures.push(format!(
                        "'{s}': openssl rejects it, we select {}",
                        show(&got)
                    ));
                }
            }
            Some(theirs) => {
                let got = ours(mine, &known);
                if got != theirs {
                    failures.push(format!(
                        "'{s}':\n  openssl: {}\n  tlskit:  {}",
                        show(&theirs),
                        show(&got)
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} strings differ:\n{}",
        failures.len(),
        STRINGS.len(),
        failures.join("\n")
    );
    assert!(STRINGS.len() >= 30);
}

/// `openssl ciphers -s -V` applies the security level (and drops PSK/SRP suites, which need
/// callbacks). Compared only for strings that set `@SECLEVEL` explicitly, so that the build's
/// default level does not matter.
#[test]
fn security_level_matches_openssl_supported_ciphers() {
    let known = openssl_universe();
    let mut failures = Vec::new();
    let mut checked = 0;
    for base in [
        "ALL:COMPLEMENTOFALL",
        "DEFAULT",
        "HIGH:MEDIUM:LOW:eNULL:aNULL",
        "kRSA:ECDHE:DHE:ADH:NULL-MD5",
    ] {
        for level in 0..=5 {
            let s = format!("{base}:@SECLEVEL={level}");
            let theirs: Vec<u16> = openssl_ciphers(&["-s"], &s)
                .unwrap_or_default()
                .into_iter()
                .filter(|(_, _, v)| v != "TLSv1.3")
                .map(|(id, _, _)| id)
                .collect();
            let got: Vec<u16> = select_with_security_level(&s, 2)
                .map(|v| {
                    v.iter()
                        .filter(|c| !c.is_psk() && c.kx != tlskit_wire::registry::Kx::Srp)
                        .map(|c| c.id)
                        .collect()
                })
                .unwrap_or_default();
            let got: Vec<u16> = got.into_iter().filter(|id| known.contains(id)).collect();
            checked += 1;
            if got != theirs {
                failures.push(format!(
                    "'{s}' (-s):\n  openssl: {}\n  tlskit:  {}",
                    show(&theirs),
                    show(&got)
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn tls13_lists_match_openssl() {
    // Plain `openssl ciphers` prepends the default TLS 1.3 list.
    let lines = openssl_ciphers(&[], "ALL").unwrap();
    let theirs: Vec<u16> = lines
        .iter()
        .filter(|(_, _, v)| v == "TLSv1.3")
        .map(|(id, _, _)| *id)
        .collect();
    let ours: Vec<u16> = cipherstring::default_tls13().iter().map(|c| c.id).collect();
    assert_eq!(ours, theirs);

    for list in [
        "TLS_AES_128_GCM_SHA256",
        "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256",
        "TLS_AES_128_CCM_8_SHA256:TLS_AES_128_CCM_SHA256:TLS_AES_128_GCM_SHA256",
        "TLS_CHACHA20_POLY1305_SHA256:TLS_FOO:TLS_AES_256_GCM_SHA384",
    ] {
        let lines = openssl_ciphers(&["-ciphersuites", list], "ALL").unwrap();
        let theirs: Vec<u16> = lines
            .iter()
            .filter(|(_, _, v)| v == "TLSv1.3")
            .map(|(id, _, _)| *id)
            .collect();
        let ours: Vec<u16> = select_tls13(list).unwrap().iter().map(|c| c.id).collect();
        assert_eq!(ours, theirs, "{list}");
    }
}

#[test]
fn errors_name_the_problem() {
    let e = select("FROBNICATE").unwrap_err();
    assert!(
        e.to_string()
            .contains("'FROBNICATE' selects no cipher suites"),
        "{e}"
    );
    assert!(e.to_string().contains("not understood: FROBNICATE"), "{e}");

    let e = select("ALL:@SECLEVEL=9").unwrap_err();
    assert!(e.message.contains("SECLEVEL=9"), "{e}");
    let e = select("ALL:@NOPE").unwrap_err();
    assert!(e.message.contains("@NOPE"), "{e}");
    let e = select("HIGH:!").unwrap_err();
    assert!(e.message.contains("end of string"), "{e}");

    // Unknown words are ignored when something else matched, but reported.
    assert!(select("HIGH:FROBNICATE").is_ok());
    assert_eq!(
        unknown_tokens("HIGH:FROBNICATE:kRSA+WIBBLE:!NOPE"),
        ["FROBNICATE", "WIBBLE", "NOPE"]
    );
    assert!(unknown_tokens("ALL:!aNULL:@STRENGTH:DEFAULTX")
        .iter()
        .all(|t| t == "DEFAULTX"));
    // DEFAULT is only special at the start.
    assert_eq!(unknown_tokens("AES128-SHA:DEFAULT"), ["DEFAULT"]);

    assert!(select_tls13("AES128-SHA").is_err());
    assert!(select_tls13("TLS_NOPE")
        .unwrap_err()
        .message
        .contains("TLS_NOPE"));
}

#[test]
fn legacy_suites_are_selectable() {
    let ids = |s: &str| -> Vec<u16> { select(s).unwrap().iter().map(|c| c.id).collect() };
    // Export suites: all 40- and 56-bit ones, none of the non-export.
    let exp = select("EXPORT:@SECLEVEL=0").unwrap();
    assert!(!exp.is_empty() && exp.iter().all(|c| c.export));
    assert!(ids("EXPORT40")
        .iter()
        .all(|id| tlskit_wire::registry::cipher_suite(*id).unwrap().bits == 40));
    assert!(ids("EXP").contains(&0x0003));
    assert!(ids("EXPORT56").contains(&0x0062));
    // RC4, DES, 3DES, IDEA, SEED, KRB5, static DH/ECDH.
    assert!(ids("RC4").contains(&0x0005));
    assert!(ids("DES").contains(&0x0009) && !ids("DES").contains(&0x000A));
    assert!(ids("3DES").contains(&0x000A));
    // Default order: kRSA after the rest, MD5 after SHA-1.
    assert_eq!(ids("IDEA"), [0x0021, 0x0025, 0x0007]);
    assert!(ids("KRB5").contains(&0x001E));
    assert!(
        ids("kDH").contains(&0x0031)
            && ids("kDHr").contains(&0x0031)
            && !ids("kDHd").contains(&0x0031)
    );
    assert!(ids("kECDH").contains(&0xC004) && ids("aECDH").contains(&0xC00E));
    // Old OpenSSL names and IANA names.
    assert_eq!(ids("EDH-RSA-DES-CBC3-SHA"), [0x0016]);
    assert_eq!(ids("DHE-RSA-DES-CBC3-SHA"), [0x0016]);
    assert_eq!(
        ids("TLS_RSA_WITH_RC4_128_SHA:EXP-RC4-MD5"),
        [0x0005, 0x0003]
    );
    // `MEDIUM` is the 3.0 meaning (3DES, RC4, IDEA, SEED).
    assert!(select("MEDIUM")
        .unwrap()
        .iter()
        .all(|c| c.strength_bits() == 112 || c.bits == 128));
    // TLS 1.3 suites never appear.
    assert!(select("ALL:COMPLEMENTOFALL")
        .unwrap()
        .iter()
        .all(|c| !c.tls13));
}

/// Differential test: a few hundred pseudo-random cipher strings (aliases, suite names, unknown
/// words, `!`/`-`/`+` prefixes, `A+B` combinations, `@STRENGTH`, mixed separators), each compared
/// with `openssl ciphers -V`. Deterministic (fixed seed), so a failure is reproducible.
#[test]
fn random_strings_match_openssl() {
    const WORDS: &[&str] = &[
        "ALL",
        "COMPLEMENTOFALL",
        "COMPLEMENTOFDEFAULT",
        "HIGH",
        "MEDIUM",
        "LOW",
        "FIPS",
        "kRSA",
        "kDHE",
        "kEDH",
        "DH",
        "kECDHE",
        "kEECDH",
        "ECDH",
        "kPSK",
        "kRSAPSK",
        "kECDHEPSK",
        "kDHEPSK",
        "kSRP",
        "aRSA",
        "aDSS",
        "DSS",
        "aNULL",
        "aECDSA",
        "ECDSA",
        "aPSK",
        "aSRP",
        "EDH",
        "DHE",
        "EECDH",
        "ECDHE",
        "NULL",
        "eNULL",
        "RSA",
        "ADH",
        "AECDH",
        "PSK",
        "SRP",
        "AES",
        "AES128",
        "AES256",
        "AESGCM",
        "AESCCM",
        "AESCCM8",
        "CAMELLIA",
        "CAMELLIA128",
        "CAMELLIA256",
        "CHACHA20",
        "ARIA",
        "ARIAGCM",
        "ARIA128",
        "ARIA256",
        "CBC",
        "MD5",
        "SHA1",
        "SHA",
        "SHA256",
        "SHA384",
        "TLSv1.2",
        "TLSv1",
        "TLSv1.0",
        "SSLv3",
        "AES128-SHA",
        "AES256-GCM-SHA384",
        "ECDHE-RSA-AES128-GCM-SHA256",
        "DHE-RSA-CHACHA20-POLY1305",
        "PSK-AES128-CCM8",
        "ADH-CAMELLIA256-SHA",
        "NULL-MD5",
        "SRP-DSS-AES-128-CBC-SHA",
        "ECDHE-ECDSA-ARIA256-GCM-SHA384",
        "CAMELLIA128-SHA256",
        "WIBBLE",
        "3DES",
        "RC4",
        "SEED",
    ];
    let mut state: u64 = 0x5eed_c1f3_2024_0001;
    let mut next = |n: usize| -> usize {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 33) as usize) % n
    };
    let known = openssl_universe();
    let mut failures = Vec::new();
    let cases = 400;
    for _ in 0..cases {
        let mut s = String::new();
        if next(5) == 0 {
            s.push_str("DEFAULT:");
        }
        for i in 0..1 + next(5) {
            if i > 0 {
                s.push([':', ':', ':', ',', ' ', ';'][next(6)]);
            }
            if next(9) == 0 {
                s.push_str("@STRENGTH");
                continue;
            }
            s.push_str(["", "", "", "!", "-", "+"][next(6)]);
            for j in 0..1 + usize::from(next(4) == 0) + usize::from(next(8) == 0) {
                if j > 0 {
                    s.push('+');
                }
                s.push_str(WORDS[next(WORDS.len())]);
            }
        }
        let theirs: Vec<u16> = openssl_ciphers(&[], &s)
            .map(|lines| {
                lines
                    .into_iter()
                    .filter(|(_, _, v)| v != "TLSv1.3")
                    .map(|(id, _, _)| id)
                    .collect()
            })
            .unwrap_or_default();
        let got = ours(select(&s), &known);
        if got != theirs {
            failures.push(format!(
                "'{s}':\n  openssl: {}\n  tlskit:  {}",
                show(&theirs),
                show(&got)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {cases} differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
