//! `tlskit scan` against real servers configured to accept exactly known versions and suites:
//! `openssl s_server` in many configurations and `gnutls-serv` with priority strings. Every test
//! derives the expected answer from the server's own configuration tool (`openssl ciphers -V -s`,
//! `gnutls-cli --list --priority`) and asserts the exact set — and the order where the server
//! imposes one. The JSON output is validated against docs/scan.schema.json.

use crate::common::openssl_s_server as s_server;
use crate::common::*;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// Suites (id, auth) that `openssl ciphers -V -s <flag> STRING` lists, in order.
fn openssl_ciphers(
    string: &str,
    version_flag: &str,
    ciphersuites: Option<&str>,
) -> Vec<(u16, String, String)> {
    let mut cmd = Command::new(openssl());
    cmd.args(["ciphers", "-V", "-s", version_flag]);
    if let Some(cs) = ciphersuites {
        cmd.args(["-ciphersuites", cs]);
    }
    cmd.arg(string);
    let r = run_cmd(&mut cmd, Duration::from_secs(20));
    assert_eq!(r.code, 0, "openssl ciphers failed: {}", r.stderr);
    r.stdout
        .lines()
        .filter_map(|l| {
            let mut it = l.split_whitespace();
            let hex = it.next()?;
            let (a, b) = hex.split_once(',')?;
            let id = u16::from_str_radix(a.trim_start_matches("0x"), 16).ok()? << 8
                | u16::from_str_radix(b.trim_start_matches("0x"), 16).ok()?;
            let _dash = it.next()?;
            let _name = it.next()?;
            let version = it.next()?.to_string();
            let au = l
                .split_whitespace()
                .find_map(|w| w.strip_prefix("Au="))
                .unwrap_or("")
                .to_string();
            Some((id, version, au))
        })
        .collect()
}

/// The TLS ≤ 1.2 suites of an openssl cipher string a server with a certificate of `cert_auth`
/// ("RSA" or "ECDSA") can negotiate, in the string's order.
fn expected_tls12(string: &str, version_flag: &str, cert_auth: &str) -> Vec<u16> {
    openssl_ciphers(string, version_flag, None)
        .into_iter()
        .filter(|(_, v, au)| v != "TLSv1.3" && (au == cert_auth || au == "None"))
        .map(|(id, _, _)| id)
        .collect()
}

fn scan_json(args: &[&str]) -> Value {
    scan_json_ok(args)
}

fn protocol<'a>(v: &'a Value, version: &str) -> &'a Value {
    v["protocols"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["version"] == version)
        .unwrap()
}

fn offered(v: &Value) -> BTreeSet<String> {
    v["protocols"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["offered"] == true)
        .map(|p| p["version"].as_str().unwrap().to_string())
        .collect()
}

fn ids(v: &Value, version: &str) -> Vec<u16> {
    protocol(v, version)["cipher_suites"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_u64().unwrap() as u16)
        .collect()
}

fn set(v: &[u16]) -> BTreeSet<u16> {
    v.iter().copied().collect()
}

fn hex(v: &[u16]) -> Vec<String> {
    v.iter().map(|i| format!("0x{i:04X}")).collect()
}

fn target(port: u16) -> String {
    format!("127.0.0.1:{port}")
}

#[test]
fn tls12_only_rsa_server_order_exact_suites_and_order() {
    let pki = Pki::new("rsa2048");
    let (crt, key) = pki.issue("srv", &["localhost"], &[]);
    let string = "ECDHE+AESGCM:ECDHE+CHACHA20:DHE+AESGCM:AES256-SHA";
    let srv = s_server(&crt, &key, &["-tls1_2", "-serverpref", "-cipher", string]);
    let v = scan_json(&[&target(srv.port)]);
    assert_eq!(offered(&v), BTreeSet::from(["TLSv1.2".to_string()]));
    let want = expected_tls12(string, "-tls1_2", "RSA");
    assert_eq!(
        hex(&ids(&v, "TLSv1.2")),
        hex(&want),
        "suites and server order"
    );
    assert_eq!(protocol(&v, "TLSv1.2")["server_order"], true);
    assert_eq!(v["certificates"][0]["key_type"], "RSA 2048");
}

#[test]
fn tls12_client_order_is_detected() {
    let pki = Pki::new("ecdsa-p256");
    let (crt, key) = pki.issue("srv", &["localhost"], &[]);
    let string = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-SHA";
    let srv = s_server(&crt, &key, &["-tls1_2", "-cipher", string]);
    let v = scan_json(&[&target(srv.port)]);
    assert_eq!(
        set(&ids(&v, "TLSv1.2")),
        set(&expected_tls12(string, "-tls1_2", "ECDSA"))
    );
    assert_eq!(protocol(&v, "TLSv1.2")["server_order"], false);
    assert_eq!(v["certificates"][0]["key_type"], "ECDSA P-256");
}

#[test]
fn tls13_only_ecdsa_ciphersuites_in_server_order() {
    let pki = Pki::new("ecdsa-p256");
    let (crt, key) = pki.issue("srv", &["localhost"], &[]);
    let cs = "TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256";
    let srv = s_server(&crt, &key, &["-tls1_3", "-serverpref", "-ciphersuites", cs]);
    let v = scan_json(&[&target(srv.port)]);
    assert_eq!(offered(&v), BTreeSet::from(["TLSv1.3".to_string()]));
    assert_eq!(hex(&ids(&v, "TLSv1.3")), hex(&[0x1303, 0x1301]));
    assert_eq!(protocol(&v, "TLSv1.3")["server_order"], true);
    // The chain came through a rustls TLS 1.3 handshake.
    let chain = &v["certificates"][0];
    assert_eq!(chain["key_type"], "ECDSA P-256");
    assert!(
        chain["found_with"][0]
            .as_str()
            .unwrap()
            .starts_with("TLSv1.3"),
        "{chain}"
    );
    assert_eq!(chain["certificates"][0]["common_name"], "localhost");
    let sigalgs: Vec<&str> = v["signature_algorithms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(sigalgs, vec!["ecdsa_secp256r1_sha256"]);
}

#[test]
fn legacy_tls10_and_tls11_cbc_at_seclevel_0() {
    let pki = Pki::new("rsa2048");
    let (crt, key) = pki.issue("srv", &["localhost"], &[]);
    let string = "AES128-SHA:DHE-RSA-AES256-SHA:ECDHE-RSA-AES128-SHA:CAMELLIA256-SHA:@SECLEVEL=0";
    let srv = s_server(&crt, &key, &["-tls1", "-cipher", string]);
    let v = scan_json(&[&target(srv.port)]);
    assert_eq!(offered(&v), BTreeSet::from(["TLSv1.0".to_string()]));
    assert_eq!(
        set(&ids(&v, "TLSv1.0")),
        set(&expected_tls12(string, "-tls1", "RSA"))
    );
    // Asking for TLS 1.2 or 1.3 is answered with TLS 1.0 or refused; either way: not offered.
    let srv11 = s_server(&crt, &key, &["-tls1_1", "-cipher", string]);
    let v = scan_json(&[&target(srv11.port)]);
    assert_eq!(offered(&v), BTreeSet::from(["TLSv1.1".to_string()]));
    assert_eq!(
        set(&ids(&v, "TLSv1.1")),
        set(&expected_tls12(string, "-tls1_1", "RSA"))
    );
    assert!(v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["id"] == "protocol.tlsv11"));
}

#[test]
fn null_anonymous_camellia_and_aria_suites() {
    let pki = Pki::new("rsa2048");
    let (crt, key) = pki.issue("srv", &["localhost"], &[]);
    let string = "eNULL:aNULL:CAMELLIA:ARIA:@SECLEVEL=0";
    let srv = s_server(&crt, &key, &["-tls1_2", "-serverpref", "-cipher", string]);
    let v = scan_json(&[&target(srv.port)]);
    let want = expected_tls12(string, "-tls1_2", "RSA");
    assert!(
        want.len() > 20,
        "the configuration should select many suites: {want:?}"
    );
    assert_eq!(hex(&ids(&v, "TLSv1.2")), hex(&want));
    let suites = protocol(&v, "TLSv1.2")["cipher_suites"].as_array().unwrap();
    assert!(suites
        .iter()
        .any(|s| s["name"] == "TLS_RSA_WITH_NULL_SHA256"));
    assert!(suites
        .iter()
        .any(|s| s["name"] == "TLS_DH_anon_WITH_AES_128_CBC_SHA"));
    assert!(suites
        .iter()
        .any(|s| s["name"] == "TLS_RSA_WITH_ARIA_128_GCM_SHA256"));
    assert!(suites
        .iter()
        .any(|s| s["name"] == "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA"));
    assert_eq!(v["forward_secrecy"]["all"], false);
}

#[test]
fn all_four_versions_with_many_suites() {
    let pki = Pki::new("rsa2048");
    let (crt, key) = pki.issue("srv", &["localhost"], &[]);
    let string = "ALL:@SECLEVEL=0";
    let srv = s_server(&crt, &key, &["-cipher", string]);
    let v = scan_json(&[&target(srv.port)]);
    let want_versions: BTreeSet<String> = ["TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(offered(&v), want_versions);
    for (version, flag) in [
        ("TLSv1.0", "-tls1"),
        ("TLSv1.1", "-tls1_1"),
        ("TLSv1.2", "-tls1_2"),
    ] {
        assert_eq!(
            hex(&set(&ids(&v, version)).into_iter().collect::<Vec<_>>()),
            hex(&set(&expected_tls12(string, flag, "RSA"))
                .into_iter()
                .collect::<Vec<_>>()),
            "{version}"
        );
    }
    let tls13: BTreeSet<u16> = openssl_ciphers(string, "-tls1_3", None)
        .into_iter()
        .filter(|(_, v, _)| v == "TLSv1.3")
        .map(|x| x.0)
        .collect();
    assert_eq!(set(&ids(&v, "TLSv1.3")), tls13);
    assert_eq!(protocol(&v, "TLSv1.2")["server_order"], false);
}

#[test]
fn groups_including_ffdhe2048() {
    let pki = Pki::new("ecdsa-p256");
    let (crt, key) = pki.issue("srv", &["localhost"], &[]);
    let srv = s_server(&crt, &key, &["-groups", "ffdhe2048:secp384r1:x25519"]);
    let v = scan_json(&[&target(srv.port)]);
    let groups: BTreeSet<(String, String)> = v["groups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| {
            g["versions"].as_array().unwrap().iter().map(move |ver| {
                (
                    g["name"].as_str().unwrap().to_string(),
                    ver.as_str().unwrap().to_string(),
                )
            })
        })
        .collect();
    let want: BTreeSet<(String, String)> = [
        ("ffdhe2048", "TLSv1.3"),
        ("secp384r1", "TLSv1.3"),
        ("x25519", "TLSv1.3"),
        ("secp384r1", "TLSv1.2"),
        ("x25519", "TLSv1.2"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(groups, want);
}

#[test]
fn dual_certificates_rsa_and_ecdsa() {
    let pki = Pki::new("ecdsa-p256");
    let (ecrt, ekey) = pki.issue("ec", &["localhost"], &[]);
    let (rcrt, rkey) = pki.issue("rsa", &["localhost"], &["--key-type", "rsa2048"]);
    let srv = s_server(
        &ecrt,
        &ekey,
        &["-dcert", p(&rcrt), "-dkey", p(&rkey), "-tls1_2"],
    );
    let v = scan_json(&[&target(srv.port)]);
    let kinds: BTreeSet<String> = v["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["key_type"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        kinds,
        BTreeSet::from(["ECDSA P-256".to_string(), "RSA 2048".to_string()])
    );
}

#[test]
fn gnutls_serv_with_a_priority_string() {
    let gnutls_cli = require_tool("gnutls-cli", "gnutls-bin");
    let pki = Pki::new("ecdsa-p256");
    let (crt, key) = pki.issue("srv", &["localhost"], &[]);
    let priority = "NORMAL:-VERS-ALL:+VERS-TLS1.2:+VERS-TLS1.3:-CIPHER-ALL:+AES-256-GCM:+CHACHA20-POLY1305:-KX-ALL:+ECDHE-ECDSA";
    // What the priority string allows, as gnutls-cli lists it.
    let list = run_cmd(
        Command::new(&gnutls_cli).args(["--list", "--priority", priority]),
        Duration::from_secs(20),
    );
    let mut want12 = BTreeSet::new();
    let mut want13 = BTreeSet::new();
    for line in list.stdout.lines() {
        // "TLS_ECDHE_ECDSA_AES_256_GCM_SHA384    0xc0, 0x2c	TLS1.2"
        let Some(idx) = line.find("0x") else { continue };
        let rest = &line[idx..];
        let bytes: Vec<u16> = rest
            .split(',')
            .take(2)
            .filter_map(|b| {
                u16::from_str_radix(
                    b.trim()
                        .trim_start_matches("0x")
                        .split_whitespace()
                        .next()?,
                    16,
                )
                .ok()
            })
            .collect();
        if bytes.len() != 2 {
            continue;
        }
        let id = bytes[0] << 8 | bytes[1];
        if line.contains("TLS1.3") {
            want13.insert(id);
        } else {
            want12.insert(id);
        }
    }
    assert!(
        !want12.is_empty() && !want13.is_empty(),
        "could not read gnutls-cli --list:\n{}",
        list.stdout
    );
    let Listening { peer: _srv, port } = gnutls_serv_http(&crt, &key, &["--priority", priority]);
    let v = scan_json(&[&target(port)]);
    assert_eq!(
        offered(&v),
        BTreeSet::from(["TLSv1.2".to_string(), "TLSv1.3".to_string()])
    );
    assert_eq!(set(&ids(&v, "TLSv1.2")), want12);
    assert_eq!(set(&ids(&v, "TLSv1.3")), want13);
}

#[test]
fn scan_text_report_and_host_port_form() {
    let pki = Pki::new("ecdsa-p256");
    let (crt, key) = pki.issue("srv", &["localhost"], &[]);
    let srv = s_server(
        &crt,
        &key,
        &["-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256"],
    );
    let r = run(&["scan", "localhost", &srv.port.to_string()]);
    r.ok();
    assert!(r.stdout.contains("TLSv1.2  offered"), "{}", r.stdout);
    assert!(r.stdout.contains("TLSv1.3  not offered"), "{}", r.stdout);
    assert!(
        r.stdout.contains("ECDHE-ECDSA-AES128-GCM-SHA256"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("\x1b["), "no colour when not a terminal");
}

#[test]
fn scan_errors_closed_port_and_plaintext_port() {
    let port = free_port();
    run(&["scan", &target(port)]).failed_with(1, "connection refused");
    // A plaintext server (an SMTP-like banner) on a port tlskit does not associate with STARTTLS.
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for s in l.incoming() {
            let Ok(mut s) = s else { break };
            use std::io::Write;
            let _ = s.write_all(b"220 mail.example ESMTP ready\r\n");
            std::thread::sleep(Duration::from_millis(300));
        }
    });
    run(&["scan", "--timeout", "2", &target(port)]).failed_with(1, "plaintext");
    // A target without a port is HOST:443 (as in other tools); a ':' without a port is a mistake.
    run(&["scan", "not-a-target:"]).failed_with(2, "without a port");
}
