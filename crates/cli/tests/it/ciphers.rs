//! `tlskit ciphers`, checked line by line against the real `openssl ciphers` (OpenSSL 3.0).
//!
//! Needs the `openssl` command-line tool (Debian package `openssl`).

use crate::common::{require_tool, run, run_cmd, Run};
use std::process::Command;
use std::time::Duration;

/// Cipher strings OpenSSL 3.0 understands (some select nothing: both must then fail).
const STRINGS: &[&str] = &[
    "ECDH+AES128",
    "ECDH+AES256",
    "DEFAULT",
    "ALL",
    "ALL:COMPLEMENTOFALL",
    "COMPLEMENTOFDEFAULT",
    "HIGH",
    "HIGH:!aNULL:!MD5",
    "MEDIUM",
    "LOW",
    "eNULL",
    "aNULL",
    "kRSA",
    "aRSA",
    "aECDSA",
    "ECDHE",
    "EECDH",
    "DHE",
    "kEDH+AESGCM",
    "AESGCM",
    "AES256",
    "CHACHA20",
    "CAMELLIA",
    "ARIA",
    "AESCCM8",
    "PSK",
    "SRP",
    "SHA256",
    "SHA384",
    "SHA1",
    "TLSv1.2",
    "TLSv1",
    "SSLv3",
    "ECDHE+AESGCM:ECDHE+CHACHA20",
    "ALL:!aNULL:@STRENGTH",
    "HIGH:+AES256",
    "ALL:-ECDHE:ECDHE+AES128",
    "AES128-SHA:AES256-SHA",
    "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-GCM-SHA256",
    "DEFAULT:@SECLEVEL=0",
    "SUITEB128",
    "SUITEB192",
    "ALL:!RSA:!PSK:!SRP",
    "ECDH+AESGCM:DH+AESGCM:ECDH+AES256:DH+AES256:ECDH+AES128:DH+AES:RSA+AESGCM:RSA+AES:!aNULL:!MD5:!DSS",
    "RC4",
    "NULL-MD5",
];

fn openssl(args: &[&str]) -> Run {
    let bin = require_tool("openssl", "openssl");
    run_cmd(Command::new(bin).args(args), Duration::from_secs(60))
}

/// Run the same listing with tlskit and openssl; both succeed with identical stdout, or both fail.
fn compare(tlskit_flags: &[&str], openssl_flags: &[&str], string: &str) {
    let mut t_args = vec!["ciphers"];
    t_args.extend(tlskit_flags);
    t_args.extend(["--", string]);
    let mut o_args = vec!["ciphers"];
    o_args.extend(openssl_flags);
    o_args.extend(["--", string]);
    let ours = run(&t_args);
    let theirs = openssl(&o_args);
    if theirs.code != 0 {
        assert_eq!(
            ours.code, 1,
            "openssl {o_args:?} fails ({}), tlskit {t_args:?} should too:\n{}",
            theirs.stderr, ours.stdout
        );
        assert!(ours.stdout.is_empty());
        assert!(ours.stderr.contains("tlskit: error:"), "{}", ours.stderr);
        return;
    }
    assert_eq!(ours.code, 0, "tlskit {t_args:?} failed:\n{}", ours.stderr);
    assert!(
        ours.stdout == theirs.stdout,
        "tlskit {t_args:?} differs from openssl {o_args:?}:\n--- openssl\n{}--- tlskit\n{}",
        theirs.stdout,
        ours.stdout
    );
}

#[test]
fn colon_list_matches_openssl_ciphers() {
    for s in STRINGS {
        compare(&[], &[], s);
    }
}

#[test]
fn verbose_matches_openssl_ciphers_v() {
    for s in STRINGS {
        compare(&["-v"], &["-v"], s);
    }
}

#[test]
fn hex_matches_openssl_ciphers_capital_v() {
    for s in STRINGS {
        compare(&["-V"], &["-V"], s);
    }
}

#[test]
fn stdname_matches_openssl() {
    for s in ["ECDH+AES128", "ALL:COMPLEMENTOFALL", "eNULL", "PSK"] {
        compare(&["--stdname"], &["-stdname"], s);
        compare(&["-V", "--stdname"], &["-V", "-stdname"], s);
    }
}

#[test]
fn supported_matches_openssl_ciphers_s() {
    // Debian's OpenSSL runs at security level 2, the default tlskit assumes for -s.
    for s in [
        "ALL:COMPLEMENTOFALL",
        "DEFAULT",
        "ECDH+AES128",
        "ALL:@SECLEVEL=0",
        "ALL:@SECLEVEL=3",
        "ALL:COMPLEMENTOFALL:@SECLEVEL=4",
        "aNULL:@SECLEVEL=0",
        "aNULL",
        "HIGH",
    ] {
        compare(&["-s", "-V"], &["-s", "-V"], s);
    }
}

#[test]
fn tls13_suites_match_openssl_ciphersuites() {
    for list in [
        "TLS_AES_128_GCM_SHA256",
        "TLS_AES_128_CCM_SHA256:TLS_AES_128_GCM_SHA256:TLS_AES_128_CCM_8_SHA256",
        "TLS_CHACHA20_POLY1305_SHA256:NOT_A_SUITE",
        "",
    ] {
        compare(
            &["--ciphersuites", list, "-V"],
            &["-ciphersuites", list, "-V"],
            "ECDH+AES128",
        );
    }
    // A list that names no TLS 1.3 suite: both refuse.
    compare(&["--ciphersuites", "FOO"], &["-ciphersuites", "FOO"], "ALL");
}

#[test]
fn default_string_is_default() {
    let ours = run(&["ciphers", "-V"]);
    ours.ok();
    assert_eq!(ours.stdout, openssl(&["ciphers", "-V"]).ok().stdout);
}

#[test]
fn json_describes_each_suite() {
    let r = run(&["ciphers", "--json", "ECDH+AES128"]);
    r.ok();
    let v = r.json();
    let rows = v.as_array().expect("an array");
    assert_eq!(rows.len(), 12, "{v}");
    let first = &rows[0];
    assert_eq!(first["id"], 0x1302);
    assert_eq!(first["hex"], "0x1302");
    assert_eq!(first["name"], "TLS_AES_256_GCM_SHA384");
    assert_eq!(first["openssl_name"], "TLS_AES_256_GCM_SHA384");
    assert_eq!(first["version"], "TLSv1.3");
    assert_eq!(first["tls13"], true);
    assert_eq!(first["tlskit_speaks"], true);
    assert!(first["why_not"].is_null());
    let gcm = rows
        .iter()
        .find(|r| r["openssl_name"] == "ECDHE-RSA-AES128-GCM-SHA256")
        .unwrap();
    assert_eq!(gcm["name"], "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
    assert_eq!(gcm["hex"], "0xC02F");
    assert_eq!(gcm["kx"], "ECDH");
    assert_eq!(gcm["auth"], "RSA");
    assert_eq!(gcm["enc"], "AESGCM(128)");
    assert_eq!(gcm["mac"], "AEAD");
    assert_eq!(gcm["bits"], 128);
    assert_eq!(gcm["forward_secrecy"], true);
    assert_eq!(gcm["aead"], true);
    assert_eq!(gcm["tlskit_speaks"], true);
    let cbc = rows
        .iter()
        .find(|r| r["openssl_name"] == "ECDHE-RSA-AES128-SHA")
        .unwrap();
    assert_eq!(cbc["tlskit_speaks"], false);
    assert_eq!(cbc["aead"], false);
    assert_eq!(cbc["mac"], "SHA1");
    assert!(cbc["why_not"].as_str().unwrap().contains("CBC"), "{cbc}");
    let anon = rows
        .iter()
        .find(|r| r["openssl_name"] == "AECDH-AES128-SHA")
        .unwrap();
    assert!(
        anon["why_not"].as_str().unwrap().contains("anonymous"),
        "{anon}"
    );
    // Same suites, same order, as the openssl-compatible list.
    let names: Vec<&str> = rows
        .iter()
        .map(|r| r["openssl_name"].as_str().unwrap())
        .collect();
    let list = run(&["ciphers", "ECDH+AES128"]).ok().stdout.clone();
    assert_eq!(names.join(":"), list.trim_end());
}

#[test]
fn table_shows_iana_names_and_what_tlskit_speaks() {
    let r = run(&["ciphers", "--table", "ECDH+AES128"]);
    r.ok();
    let out = &r.stdout;
    assert!(out.starts_with("CODE "), "{out}");
    assert!(out.contains("IANA NAME") && out.contains("TLSKIT"), "{out}");
    let line = out
        .lines()
        .find(|l| l.contains("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"))
        .unwrap();
    assert!(
        line.starts_with("0xC0,0x2F") && line.contains("ECDHE-RSA-AES128-GCM-SHA256"),
        "{line}"
    );
    assert!(line.ends_with("yes"), "{line}");
    let anon = out
        .lines()
        .find(|l| l.contains("AECDH-AES128-SHA"))
        .unwrap();
    assert!(
        anon.contains("no: anonymous suites cannot authenticate the server"),
        "{anon}"
    );
    assert!(
        out.contains("12 suites (3 TLS 1.3, 9 TLS 1.2 and older)") && out.contains("can speak 5"),
        "{out}"
    );
}

#[test]
fn legacy_suites_need_legacy() {
    let r = run(&["ciphers", "-v", "RC4"]);
    r.failed_with(1, "no cipher match");
    assert!(r.stderr.contains("--legacy"), "{}", r.stderr);
    let r = run(&["ciphers", "--legacy", "-V", "RC4:3DES"]);
    r.ok();
    assert!(r.stdout.contains("0x00,0x05 - RC4-SHA"), "{}", r.stdout);
    assert!(r.stdout.contains("DES-CBC3-SHA"), "{}", r.stdout);
    let j = run(&["ciphers", "--legacy", "--json", "RC4-SHA"])
        .ok()
        .json();
    let rc4 = j
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["openssl_name"] == "RC4-SHA")
        .unwrap();
    assert_eq!(rc4["tlskit_speaks"], false);
    assert!(rc4["why_not"].as_str().unwrap().contains("RC4"), "{rc4}");
}

#[test]
fn unknown_words_are_warned_about_and_ignored() {
    let r = run(&["ciphers", "FOO:AES128-SHA:TLS_AES_128_GCM_SHA256"]);
    r.ok();
    assert!(r.stdout.trim_end().ends_with(":AES128-SHA"), "{}", r.stdout);
    assert!(r.stderr.contains("tlskit: warning: 'FOO'"), "{}", r.stderr);
    assert!(r.stderr.contains("--ciphersuites"), "{}", r.stderr);
}

#[test]
fn errors_are_one_line() {
    run(&["ciphers", "NOSUCH"]).failed_with(1, "no cipher match");
    run(&["ciphers", "ALL:!"]).failed_with(1, "tlskit: error:");
    run(&["ciphers", "@FOO"]).failed_with(1, "tlskit: error:");
    run(&["ciphers", "--ciphersuites", "FOO", "ALL"]).failed_with(1, "TLS 1.3");
    // OpenSSL prints an empty line here; an empty list is an error for tlskit.
    run(&["ciphers", "-s", "--ciphersuites", "", "aNULL"]).failed_with(1, "security level 2");
    let r = run(&["ciphers", "--seclevel", "9"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let r = run(&["ciphers", "-v", "--json"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
}

#[test]
fn help_teaches_cipher_strings() {
    let r = run(&["ciphers", "--help"]);
    r.ok();
    for needle in [
        "ECDH+AES128",
        "ECDH+AES256",
        "@STRENGTH",
        "!WORD",
        "-WORD",
        "+WORD",
        "--ciphersuites",
        "--legacy",
    ] {
        assert!(
            r.stdout.contains(needle),
            "help lacks {needle}:\n{}",
            r.stdout
        );
    }
}
