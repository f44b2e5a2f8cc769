//! `tlskit scan` against the vendored weak OpenSSL test server (crates/testsupport): SSLv3, RC4,
//! 3DES, and export-grade suites — what Debian's OpenSSL 3.0 can no longer serve. Export suites
//! (gone from OpenSSL since 1.1.0) come from the test server's `--fake-hello` mode, a wire-level
//! responder that answers the ClientHello the way an old export-capable server did.

use crate::common::*;
use serde_json::Value;
use std::collections::BTreeSet;

fn scan_json(port: u16) -> Value {
    scan_json_ok(&[&format!("127.0.0.1:{port}")])
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

fn suites(v: &Value, version: &str) -> BTreeSet<String> {
    v["protocols"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["version"] == version)
        .unwrap()["cipher_suites"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["openssl_name"].as_str().unwrap_or("?").to_string())
        .collect()
}

fn names(list: &[&str]) -> BTreeSet<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn rsa_pki() -> (Pki, std::path::PathBuf, std::path::PathBuf) {
    let pki = Pki::new("rsa2048");
    let (crt, key) = pki.issue("srv", &["localhost"], &[]);
    (pki, crt, key)
}

#[test]
fn sslv3_with_rc4_and_3des_from_the_weak_server() {
    let (_pki, crt, key) = rsa_pki();
    let list = ["RC4-SHA", "RC4-MD5", "DES-CBC3-SHA", "AES128-SHA"];
    let srv = WeakServer::start(&[
        "--cert",
        crt.to_str().unwrap(),
        "--key",
        key.to_str().unwrap(),
        "--min-version",
        "ssl3",
        "--max-version",
        "ssl3",
        "--cipher",
        &list.join(":"),
    ]);
    let v = scan_json(srv.port);
    assert_eq!(offered(&v), names(&["SSLv3"]));
    assert_eq!(suites(&v, "SSLv3"), names(&list));
    let ids: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"protocol.sslv3"), "{ids:?}");
}

#[test]
fn tls12_rc4_and_3des_suites_exactly() {
    let (_pki, crt, key) = rsa_pki();
    let list = [
        "DES-CBC3-SHA",
        "RC4-SHA",
        "ECDHE-RSA-DES-CBC3-SHA",
        "DHE-RSA-DES-CBC3-SHA",
        "ECDHE-RSA-RC4-SHA",
    ];
    let srv = WeakServer::start(&[
        "--cert",
        crt.to_str().unwrap(),
        "--key",
        key.to_str().unwrap(),
        "--min-version",
        "tls1.2",
        "--max-version",
        "tls1.2",
        "--cipher",
        &list.join(":"),
        "--serverpref",
    ]);
    let v = scan_json(srv.port);
    assert_eq!(offered(&v), names(&["TLSv1.2"]));
    assert_eq!(suites(&v, "TLSv1.2"), names(&list));
    // With server order the report follows the server's list.
    let order: Vec<String> = v["protocols"][4]["cipher_suites"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["openssl_name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        order,
        list.iter().map(|s| s.to_string()).collect::<Vec<_>>()
    );
}

#[test]
fn all_versions_sslv3_to_tls13_from_the_weak_server() {
    let (_pki, crt, key) = rsa_pki();
    let srv = WeakServer::start(&[
        "--cert",
        crt.to_str().unwrap(),
        "--key",
        key.to_str().unwrap(),
        "--cipher",
        "RC4-SHA:AES128-SHA:ECDHE-RSA-AES128-GCM-SHA256",
    ]);
    let v = scan_json(srv.port);
    assert_eq!(
        offered(&v),
        names(&["SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"])
    );
    assert_eq!(suites(&v, "SSLv3"), names(&["RC4-SHA", "AES128-SHA"]));
    assert_eq!(
        suites(&v, "TLSv1.2"),
        names(&["RC4-SHA", "AES128-SHA", "ECDHE-RSA-AES128-GCM-SHA256"])
    );
}

#[test]
fn export_grade_suites_via_fake_hello_responder() {
    let (_pki, crt, key) = rsa_pki();
    let srv = WeakServer::start(&[
        "--cert",
        crt.to_str().unwrap(),
        "--key",
        key.to_str().unwrap(),
        "--fake-hello",
        "--fake-suites",
        "0x0003,0x0008,0x0014",
        "--min-version",
        "tls1",
        "--max-version",
        "tls1",
    ]);
    let v = scan_json(srv.port);
    assert_eq!(offered(&v), names(&["TLSv1.0"]));
    assert_eq!(
        suites(&v, "TLSv1.0"),
        names(&["EXP-RC4-MD5", "EXP-DES-CBC-SHA", "EXP-EDH-RSA-DES-CBC-SHA"])
    );
    for s in v["protocols"][2]["cipher_suites"].as_array().unwrap() {
        assert_eq!(s["bits"], 40, "{s}");
    }
}
