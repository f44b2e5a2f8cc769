//! `tlskit scan` session features and weaknesses against real servers configured to show each
//! finding and its absence: `openssl s_server` (renegotiation flags, tickets, session cache,
//! `-status_file`, `-alpn`, `-early_data`, `-dhparam`, TLS 1.0 CBC), `gnutls-serv` (heartbeat,
//! `%DISABLE_SAFE_RENEGOTIATION`), and `tlskit-weak-server` (the vendored weak OpenSSL: SSLv3,
//! RC4, 3DES, well-known DH primes; its `--fake-hello` mode for DEFLATE compression and export
//! suites, which no OpenSSL 3 can serve).
//!
//! Where no vulnerable server can be built here (Heartbleed, CCS injection, a ROBOT oracle,
//! SSLv2 for DROWN, a server ignoring TLS_FALLBACK_SCSV), the positive case comes from a minimal
//! server written in this file on tlskit's wire codec that answers the way a vulnerable one does;
//! those tests say so in their names (`…_minimal_vulnerable_server_written_for_the_test`).

use crate::common::openssl_s_server_echo as s_server;
use crate::common::*;
use serde_json::Value;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn scan_json(target: &str) -> Value {
    scan_json_ok(&[target])
}

/// A session feature (null when not tested).
fn feat<'a>(v: &'a Value, name: &str) -> &'a Value {
    &v["session_features"][name]
}

/// A weakness's verdict (true / false / null).
fn vuln<'a>(v: &'a Value, id: &str) -> &'a Value {
    let list = v["vulnerabilities"].as_array().expect("vulnerabilities");
    &list
        .iter()
        .find(|x| x["id"] == id)
        .unwrap_or_else(|| panic!("no vulnerability {id} in {list:?}"))["vulnerable"]
}

fn vuln_detail(v: &Value, id: &str) -> String {
    v["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == id)
        .unwrap()["detail"]
        .as_str()
        .unwrap()
        .to_string()
}

fn finding(v: &Value, id: &str) -> bool {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["id"] == id)
}

fn notes(v: &Value) -> String {
    serde_json::to_string_pretty(&v["session_features"]).unwrap()
}

fn rsa_pki() -> (Pki, PathBuf, PathBuf) {
    let pki = Pki::new("rsa2048");
    let (crt, key) = pki.issue("srv", &["localhost"], &[]);
    (pki, crt, key)
}

// ---------------------------------------------------------------------------------------------
// Renegotiation

#[test]
fn renegotiation_openssl_default_secure_and_client_initiated_refused() {
    let (_pki, crt, key) = rsa_pki();
    let srv = s_server(&crt, &key, &[]);
    let v = scan_json(&srv.target());
    assert_eq!(feat(&v, "secure_renegotiation"), true, "{}", notes(&v));
    assert_eq!(feat(&v, "client_renegotiation"), false, "{}", notes(&v));
    assert_eq!(feat(&v, "insecure_renegotiation"), false, "{}", notes(&v));
    assert!(!finding(&v, "feature.no_secure_renegotiation"));
    assert!(!finding(&v, "feature.insecure_renegotiation"));
    assert!(!finding(&v, "feature.client_renegotiation"));
    // OpenSSL refuses an early ChangeCipherSpec and has no padding oracle.
    assert_eq!(
        vuln(&v, "ccs_injection"),
        false,
        "{}",
        vuln_detail(&v, "ccs_injection")
    );
    assert!(vuln_detail(&v, "ccs_injection").contains("unexpected_message"));
    assert_eq!(vuln(&v, "robot"), false, "{}", vuln_detail(&v, "robot"));
    assert_eq!(vuln(&v, "heartbleed"), false);
}

#[test]
fn renegotiation_openssl_client_renegotiation_accepted() {
    let (_pki, crt, key) = rsa_pki();
    let srv = s_server(&crt, &key, &["-client_renegotiation"]);
    let v = scan_json(&srv.target());
    assert_eq!(feat(&v, "secure_renegotiation"), true);
    assert_eq!(feat(&v, "client_renegotiation"), true, "{}", notes(&v));
    assert_eq!(feat(&v, "insecure_renegotiation"), false, "{}", notes(&v));
    assert!(finding(&v, "feature.client_renegotiation"));
}

#[test]
fn renegotiation_openssl_legacy_renegotiation_is_insecure() {
    let (_pki, crt, key) = rsa_pki();
    let srv = s_server(
        &crt,
        &key,
        &["-legacy_renegotiation", "-client_renegotiation"],
    );
    let v = scan_json(&srv.target());
    assert_eq!(feat(&v, "insecure_renegotiation"), true, "{}", notes(&v));
    assert!(finding(&v, "feature.insecure_renegotiation"));
}

#[test]
fn renegotiation_gnutls_without_and_with_rfc5746() {
    let (_pki, crt, key) = rsa_pki();
    let without = gnutls_serv(
        &crt,
        &key,
        &["--priority", "NORMAL:%DISABLE_SAFE_RENEGOTIATION"],
    );
    let v = scan_json(&without.target());
    assert_eq!(feat(&v, "secure_renegotiation"), false, "{}", notes(&v));
    assert!(finding(&v, "feature.no_secure_renegotiation"));
    // gnutls renegotiates with a client that lacks RFC 5746 when it lacks it itself.
    assert_eq!(feat(&v, "insecure_renegotiation"), true, "{}", notes(&v));
    drop(without);

    let with = gnutls_serv(&crt, &key, &["--priority", "NORMAL:%SAFE_RENEGOTIATION"]);
    let v = scan_json(&with.target());
    assert_eq!(feat(&v, "secure_renegotiation"), true, "{}", notes(&v));
    assert_eq!(feat(&v, "insecure_renegotiation"), false, "{}", notes(&v));
    assert!(!finding(&v, "feature.no_secure_renegotiation"));
}

// ---------------------------------------------------------------------------------------------
// Resumption, tickets, 0-RTT

#[test]
fn resumption_and_tickets_on_by_default_in_openssl() {
    let (_pki, crt, key) = rsa_pki();
    let srv = s_server(&crt, &key, &[]);
    let v = scan_json(&srv.target());
    for f in [
        "session_tickets",
        "session_id_resumption",
        "ticket_resumption",
        "tls13_tickets",
        "tls13_psk_resumption",
        "extended_master_secret",
    ] {
        assert_eq!(feat(&v, f), true, "{f}: {}", notes(&v));
    }
    assert_eq!(feat(&v, "early_data"), false, "{}", notes(&v));
    assert!(!finding(&v, "feature.no_resumption"));
}

#[test]
fn resumption_and_tickets_off_in_openssl() {
    let (_pki, crt, key) = rsa_pki();
    let srv = s_server(
        &crt,
        &key,
        &["-no_ticket", "-num_tickets", "0", "-no_cache"],
    );
    let v = scan_json(&srv.target());
    for f in [
        "session_tickets",
        "session_id_resumption",
        "ticket_resumption",
        "tls13_tickets",
        "tls13_psk_resumption",
        "early_data",
    ] {
        assert_eq!(feat(&v, f), false, "{f}: {}", notes(&v));
    }
    assert!(finding(&v, "feature.no_resumption"));
}

#[test]
fn session_id_without_tickets_and_tickets_without_cache_openssl() {
    let (_pki, crt, key) = rsa_pki();
    let srv = s_server(&crt, &key, &["-no_ticket", "-tls1_2"]);
    let v = scan_json(&srv.target());
    assert_eq!(feat(&v, "session_tickets"), false, "{}", notes(&v));
    assert_eq!(feat(&v, "ticket_resumption"), false, "{}", notes(&v));
    assert_eq!(feat(&v, "session_id_resumption"), true, "{}", notes(&v));
    // TLS 1.3 not offered: its features are not tested.
    assert!(feat(&v, "tls13_psk_resumption").is_null());
    drop(srv);

    let srv = s_server(&crt, &key, &["-no_cache", "-tls1_2"]);
    let v = scan_json(&srv.target());
    assert_eq!(feat(&v, "session_tickets"), true, "{}", notes(&v));
    assert_eq!(feat(&v, "ticket_resumption"), true, "{}", notes(&v));
    assert_eq!(feat(&v, "session_id_resumption"), false, "{}", notes(&v));
}

#[test]
fn early_data_openssl_on_and_off() {
    let (_pki, crt, key) = rsa_pki();
    let on = s_server(&crt, &key, &["-early_data"]);
    let v = scan_json(&on.target());
    assert_eq!(feat(&v, "early_data"), true, "{}", notes(&v));
    assert_eq!(feat(&v, "max_early_data"), 16384);
    assert!(finding(&v, "feature.early_data"));
    drop(on);
    let off = s_server(&crt, &key, &[]);
    let v = scan_json(&off.target());
    assert_eq!(feat(&v, "early_data"), false, "{}", notes(&v));
    assert!(!finding(&v, "feature.early_data"));
}

// ---------------------------------------------------------------------------------------------
// OCSP stapling, ALPN, heartbeat, fallback SCSV

/// A DER OCSP response ("good") for `crt`, signed by the lab CA, made with `openssl ocsp`.
fn ocsp_response(pki: &Pki, crt: &Path) -> PathBuf {
    let out = run_cmd(
        Command::new(openssl()).args(["x509", "-serial", "-noout", "-in", p(crt)]),
        Duration::from_secs(20),
    );
    let serial = out.stdout.trim().trim_start_matches("serial=").to_string();
    let index = pki.path("index.txt");
    std::fs::write(
        &index,
        format!("V\t301231235959Z\t\t{serial}\tunknown\t/CN=x\n"),
    )
    .unwrap();
    let (ca_crt, ca_key) = (pki.ca_cert(), pki.ca_dir().join("ca.key"));
    let (req, resp) = (pki.path("req.der"), pki.path("resp.der"));
    let r = run_cmd(
        Command::new(openssl()).args([
            "ocsp",
            "-issuer",
            p(&ca_crt),
            "-cert",
            p(crt),
            "-reqout",
            p(&req),
            "-no_nonce",
        ]),
        Duration::from_secs(20),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run_cmd(
        Command::new(openssl()).args([
            "ocsp",
            "-index",
            p(&index),
            "-rsigner",
            p(&ca_crt),
            "-rkey",
            p(&ca_key),
            "-CA",
            p(&ca_crt),
            "-reqin",
            p(&req),
            "-respout",
            p(&resp),
            "-ndays",
            "7",
        ]),
        Duration::from_secs(20),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    resp
}

#[test]
fn ocsp_staple_openssl_status_file_tls12_and_tls13_and_without() {
    let (pki, crt, key) = rsa_pki();
    let resp = ocsp_response(&pki, &crt);
    let both = s_server(&crt, &key, &["-status_file", p(&resp)]);
    let v = scan_json(&both.target());
    assert_eq!(feat(&v, "ocsp_stapling"), true, "{}", notes(&v));
    assert!(!finding(&v, "feature.no_ocsp_stapling"));
    drop(both);
    // TLS 1.3 only: the staple travels encrypted; the scan asks with a TLS 1.3 handshake.
    let tls13 = s_server(&crt, &key, &["-status_file", p(&resp), "-tls1_3"]);
    let v = scan_json(&tls13.target());
    assert_eq!(feat(&v, "ocsp_stapling"), true, "{}", notes(&v));
    drop(tls13);
    let without = s_server(&crt, &key, &[]);
    let v = scan_json(&without.target());
    assert_eq!(feat(&v, "ocsp_stapling"), false, "{}", notes(&v));
    assert!(finding(&v, "feature.no_ocsp_stapling"));
}

#[test]
fn alpn_openssl_h2_and_http11_then_none() {
    let (_pki, crt, key) = rsa_pki();
    let srv = s_server(&crt, &key, &["-alpn", "h2,http/1.1"]);
    let v = scan_json(&srv.target());
    let alpn = feat(&v, "alpn");
    assert_eq!(alpn["supported"], true, "{}", notes(&v));
    assert_eq!(alpn["protocols"], serde_json::json!(["h2", "http/1.1"]));
    // OpenSSL ends the handshake when no offered protocol is acceptable.
    assert_eq!(alpn["rejects_unknown"], true);
    drop(srv);
    // TLS 1.3 only: ALPN is asked with TLS 1.3 handshakes.
    let srv = s_server(&crt, &key, &["-alpn", "http/1.1", "-tls1_3"]);
    let v = scan_json(&srv.target());
    assert_eq!(
        feat(&v, "alpn")["protocols"],
        serde_json::json!(["http/1.1"]),
        "{}",
        notes(&v)
    );
    drop(srv);
    let srv = s_server(&crt, &key, &[]);
    let v = scan_json(&srv.target());
    assert_eq!(feat(&v, "alpn")["supported"], false);
    assert_eq!(feat(&v, "alpn")["protocols"], serde_json::json!([]));
    assert_eq!(feat(&v, "alpn")["rejects_unknown"], false);
}

#[test]
fn heartbeat_gnutls_negotiated_but_not_heartbleed() {
    let (_pki, crt, key) = rsa_pki();
    let srv = gnutls_serv(&crt, &key, &["--heartbeat"]);
    let v = scan_json(&srv.target());
    assert_eq!(feat(&v, "heartbeat"), true, "{}", notes(&v));
    assert!(finding(&v, "feature.heartbeat"));
    assert_eq!(
        vuln(&v, "heartbleed"),
        false,
        "{}",
        vuln_detail(&v, "heartbleed")
    );
    assert!(
        !vuln_detail(&v, "heartbleed").contains("does not negotiate"),
        "the probe must have run: {}",
        vuln_detail(&v, "heartbleed")
    );
    assert_eq!(
        vuln(&v, "ccs_injection"),
        false,
        "{}",
        vuln_detail(&v, "ccs_injection")
    );
    drop(srv);
    let srv = gnutls_serv(&crt, &key, &[]);
    let v = scan_json(&srv.target());
    assert_eq!(feat(&v, "heartbeat"), false);
    assert!(vuln_detail(&v, "heartbleed").contains("does not negotiate the heartbeat extension"));
}

#[test]
fn fallback_scsv_honoured_by_openssl() {
    let (_pki, crt, key) = rsa_pki();
    // TLS 1.3 and 1.2: a TLS 1.2 hello with the SCSV must be refused.
    let srv = s_server(&crt, &key, &[]);
    let v = scan_json(&srv.target());
    assert_eq!(feat(&v, "fallback_scsv"), true, "{}", notes(&v));
    drop(srv);
    // TLS 1.2 and 1.1 only (TLS 1.1 needs security level 0 in OpenSSL 3).
    let srv = s_server(
        &crt,
        &key,
        &[
            "-min_protocol",
            "TLSv1.1",
            "-max_protocol",
            "TLSv1.2",
            "-cipher",
            "AES128-SHA:ECDHE-RSA-AES128-SHA@SECLEVEL=0",
        ],
    );
    let v = scan_json(&srv.target());
    let offered: Vec<&str> = v["protocols"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["offered"] == true)
        .map(|p| p["version"].as_str().unwrap())
        .collect();
    assert_eq!(offered, ["TLSv1.1", "TLSv1.2"]);
    assert_eq!(feat(&v, "fallback_scsv"), true, "{}", notes(&v));
    drop(srv);
    // One version only: nothing to fall back to, so not tested.
    let srv = s_server(&crt, &key, &["-tls1_2"]);
    let v = scan_json(&srv.target());
    assert!(feat(&v, "fallback_scsv").is_null());
    assert!(notes(&v).contains("only one protocol version"));
}

// ---------------------------------------------------------------------------------------------
// Configuration-derived weaknesses with real servers

#[test]
fn modern_openssl_server_has_none_of_the_weaknesses() {
    let pki = Pki::new("ecdsa-p256");
    let (crt, key) = pki.issue("srv", &["localhost"], &[]);
    let srv = s_server(&crt, &key, &["-cipher", "ECDHE+AESGCM:ECDHE+CHACHA20"]);
    let v = scan_json(&srv.target());
    let list = v["vulnerabilities"].as_array().unwrap();
    // Every weakness check of the registry ran (the report sections are listed too).
    let all = run(&["scan", "--list-checks", "--json"]).json();
    let weaknesses = all
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == "weakness")
        .count();
    assert_eq!(list.len(), weaknesses, "{all}");
    for x in list {
        if x["id"] == "breach" {
            // s_server on a random port without ALPN is no HTTP target: not determined.
            assert_eq!(x["vulnerable"], Value::Null, "{x}");
            assert!(x["detail"].as_str().unwrap().contains("did not run"), "{x}");
            continue;
        }
        assert_eq!(x["vulnerable"], false, "{x}");
    }
    assert!(!v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["id"].as_str().unwrap().starts_with("vuln.")));
    assert!(vuln_detail(&v, "robot").contains("no RSA key-exchange suite"));
}

#[test]
fn beast_and_static_rsa_with_tls10_cbc_then_not_with_tls12() {
    let (_pki, crt, key) = rsa_pki();
    let srv = s_server(&crt, &key, &["-tls1", "-cipher", "AES128-SHA@SECLEVEL=0"]);
    let v = scan_json(&srv.target());
    assert_eq!(vuln(&v, "beast"), true, "{}", vuln_detail(&v, "beast"));
    assert_eq!(vuln(&v, "static_rsa"), true);
    assert!(finding(&v, "vuln.beast") && finding(&v, "vuln.static_rsa"));
    // TLS 1.0 only: ROBOT is asked (RSA key exchange), and the session features too (the
    // complete TLS ≤ 1.2 client): OpenSSL 3.0 refuses client-initiated renegotiation by default.
    assert_eq!(vuln(&v, "robot"), false, "{}", vuln_detail(&v, "robot"));
    assert_eq!(feat(&v, "client_renegotiation"), false, "{}", notes(&v));
    assert_eq!(feat(&v, "session_id_resumption"), true, "{}", notes(&v));
    drop(srv);
    let srv = s_server(&crt, &key, &["-tls1_2", "-cipher", "ECDHE-RSA-AES128-SHA"]);
    let v = scan_json(&srv.target());
    assert_eq!(vuln(&v, "beast"), false);
    assert_eq!(vuln(&v, "static_rsa"), false);
    // CBC only: encrypt-then-MAC is asked (OpenSSL does it), and the TLS ≤ 1.2 client completes
    // AES-CBC handshakes (resumption checked on them).
    assert_eq!(feat(&v, "encrypt_then_mac"), true, "{}", notes(&v));
    assert_eq!(feat(&v, "session_id_resumption"), true, "{}", notes(&v));
    assert_eq!(feat(&v, "ticket_resumption"), true, "{}", notes(&v));
}

#[test]
fn null_and_anonymous_suites_openssl() {
    let (_pki, crt, key) = rsa_pki();
    let srv = s_server(
        &crt,
        &key,
        &[
            "-tls1_2",
            "-cipher",
            "NULL-SHA256:ADH-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256@SECLEVEL=0",
        ],
    );
    let v = scan_json(&srv.target());
    assert_eq!(vuln(&v, "null"), true, "{}", vuln_detail(&v, "null"));
    assert_eq!(
        vuln(&v, "anonymous"),
        true,
        "{}",
        vuln_detail(&v, "anonymous")
    );
    assert!(vuln_detail(&v, "null").contains("NULL-SHA256"));
    assert!(vuln_detail(&v, "anonymous").contains("ADH-AES128-GCM-SHA256"));
    assert!(finding(&v, "vuln.null") && finding(&v, "vuln.anonymous"));
    assert_eq!(vuln(&v, "rc4"), false);
    assert_eq!(vuln(&v, "sweet32"), false);
}

fn dhparam(dir: &Path, group: &str) -> PathBuf {
    let out = dir.join(format!("{group}.pem"));
    let r = run_cmd(
        Command::new(openssl()).args([
            "genpkey",
            "-genparam",
            "-algorithm",
            "DH",
            "-pkeyopt",
            &format!("group:{group}"),
            "-out",
            p(&out),
        ]),
        Duration::from_secs(30),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    out
}

#[test]
fn logjam_openssl_1024_bit_common_prime_then_2048() {
    let (pki, crt, key) = rsa_pki();
    let weak = dhparam(pki.dir.path(), "dh_1024_160");
    let srv = s_server(
        &crt,
        &key,
        &[
            "-tls1_2",
            "-cipher",
            "DHE-RSA-AES128-GCM-SHA256@SECLEVEL=0",
            "-dhparam",
            p(&weak),
        ],
    );
    let v = scan_json(&srv.target());
    assert_eq!(vuln(&v, "logjam"), true, "{}", vuln_detail(&v, "logjam"));
    let d = vuln_detail(&v, "logjam");
    assert!(
        d.contains("1024-bit") && d.contains("RFC 5114 1024-bit"),
        "{d}"
    );
    assert!(finding(&v, "vuln.logjam"));
    drop(srv);
    let strong = dhparam(pki.dir.path(), "modp_2048");
    let srv = s_server(
        &crt,
        &key,
        &[
            "-tls1_2",
            "-cipher",
            "DHE-RSA-AES128-GCM-SHA256",
            "-dhparam",
            p(&strong),
        ],
    );
    let v = scan_json(&srv.target());
    assert_eq!(vuln(&v, "logjam"), false, "{}", vuln_detail(&v, "logjam"));
    assert!(
        vuln_detail(&v, "logjam").contains("RFC 3526 group 14"),
        "{}",
        vuln_detail(&v, "logjam")
    );
}

// ---------------------------------------------------------------------------------------------
// The vendored weak OpenSSL server (tlskit-weak-server)

#[test]
fn weak_server_sslv3_cbc_rc4_and_3des_poodle_rc4_sweet32() {
    let (_pki, crt, key) = rsa_pki();
    let srv = WeakServer::start(&[
        "--cert",
        p(&crt),
        "--key",
        p(&key),
        "--min-version",
        "ssl3",
        "--max-version",
        "tls1.2",
        "--cipher",
        "AES128-SHA:RC4-SHA:DES-CBC3-SHA",
    ]);
    let v = scan_json(&srv.addr());
    assert_eq!(vuln(&v, "poodle"), true, "{}", vuln_detail(&v, "poodle"));
    assert_eq!(vuln(&v, "rc4"), true, "{}", vuln_detail(&v, "rc4"));
    assert_eq!(vuln(&v, "sweet32"), true, "{}", vuln_detail(&v, "sweet32"));
    assert!(vuln_detail(&v, "sweet32").contains("DES-CBC3-SHA"));
    assert_eq!(vuln(&v, "beast"), true);
    for id in ["vuln.poodle", "vuln.rc4", "vuln.sweet32"] {
        assert!(finding(&v, id), "{id}");
    }
    // SSLv3 … TLS 1.2: the SCSV is honoured by OpenSSL; no compression (OpenSSL 3 has none).
    assert_eq!(feat(&v, "fallback_scsv"), true, "{}", notes(&v));
    assert_eq!(feat(&v, "compression"), false);
    assert_eq!(vuln(&v, "crime"), false);
    assert_eq!(
        vuln(&v, "ccs_injection"),
        false,
        "{}",
        vuln_detail(&v, "ccs_injection")
    );
    drop(srv);
    // TLS 1.2 with AES only: none of the three.
    let srv = WeakServer::start(&[
        "--cert",
        p(&crt),
        "--key",
        p(&key),
        "--min-version",
        "tls1.2",
        "--max-version",
        "tls1.2",
        "--cipher",
        "AES128-GCM-SHA256",
    ]);
    let v = scan_json(&srv.addr());
    for id in ["poodle", "rc4", "sweet32", "beast"] {
        assert_eq!(vuln(&v, id), false, "{id}");
    }
}

#[test]
fn weak_server_well_known_dh_prime_logjam() {
    let (_pki, crt, key) = rsa_pki();
    let srv = WeakServer::start(&[
        "--cert",
        p(&crt),
        "--key",
        p(&key),
        "--max-version",
        "tls1.2",
        "--cipher",
        "DHE-RSA-AES128-SHA",
        "--dh-group",
        "oakley2",
    ]);
    let v = scan_json(&srv.addr());
    assert_eq!(vuln(&v, "logjam"), true, "{}", vuln_detail(&v, "logjam"));
    assert!(
        vuln_detail(&v, "logjam").contains("Oakley group 2"),
        "{}",
        vuln_detail(&v, "logjam")
    );
}

#[test]
fn weak_server_fake_hello_deflate_compression_crime_and_export_freak() {
    let (_pki, crt, key) = rsa_pki();
    let srv = WeakServer::start(&[
        "--cert",
        p(&crt),
        "--key",
        p(&key),
        "--fake-hello",
        "--fake-suites",
        "0x0003,0x0008,0x002f",
        "--fake-compression",
        "--max-version",
        "tls1.2",
    ]);
    let v = scan_json(&srv.addr());
    assert_eq!(feat(&v, "compression"), true, "{}", notes(&v));
    assert_eq!(vuln(&v, "crime"), true, "{}", vuln_detail(&v, "crime"));
    assert!(finding(&v, "feature.compression") && finding(&v, "vuln.crime"));
    assert_eq!(vuln(&v, "freak"), true, "{}", vuln_detail(&v, "freak"));
    assert!(finding(&v, "vuln.freak"));
    drop(srv);
    // The same hand-built server without compression.
    let srv = WeakServer::start(&[
        "--cert",
        p(&crt),
        "--key",
        p(&key),
        "--fake-hello",
        "--fake-suites",
        "0x002f",
        "--max-version",
        "tls1.2",
    ]);
    let v = scan_json(&srv.addr());
    assert_eq!(feat(&v, "compression"), false, "{}", notes(&v));
    assert_eq!(vuln(&v, "crime"), false);
    assert_eq!(vuln(&v, "freak"), false);
    // The hand-built ServerHello answers neither extended_master_secret nor encrypt_then_mac.
    assert_eq!(feat(&v, "extended_master_secret"), false, "{}", notes(&v));
    assert_eq!(feat(&v, "encrypt_then_mac"), false, "{}", notes(&v));
    assert!(finding(&v, "feature.no_extended_master_secret"));
}

#[test]
fn weak_server_fake_hello_without_renegotiation_info_and_ignoring_fallback_scsv() {
    let (_pki, crt, key) = rsa_pki();
    // The hand-built hello answers any version in range and does not look for the SCSV.
    let srv = WeakServer::start(&[
        "--cert",
        p(&crt),
        "--key",
        p(&key),
        "--fake-hello",
        "--fake-suites",
        "0x002f",
        "--fake-no-renegotiation-info",
        "--min-version",
        "tls1",
        "--max-version",
        "tls1.2",
    ]);
    let v = scan_json(&srv.addr());
    assert_eq!(feat(&v, "secure_renegotiation"), false, "{}", notes(&v));
    assert_eq!(feat(&v, "fallback_scsv"), false, "{}", notes(&v));
    assert!(
        finding(&v, "feature.no_secure_renegotiation") && finding(&v, "feature.no_fallback_scsv")
    );
}

// ---------------------------------------------------------------------------------------------
// Minimal servers written for these tests on tlskit's wire codec

/// Which flaw the minimal server has.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Flaw {
    /// Answers a heartbeat request with payload_length bytes, whatever was sent (CVE-2014-0160).
    Heartbleed,
    /// Accepts a ChangeCipherSpec before the key exchange, then fails to decrypt (CVE-2014-0224).
    EarlyCcs,
    /// Answers TLS 1.0–1.2 without looking for TLS_FALLBACK_SCSV.
    IgnoresFallbackScsv,
    /// Checks PKCS#1 padding of the RSA premaster secret (00 02, non-zero padding, the 00
    /// separator before 48 bytes) and says so: a weak ROBOT oracle as sslyze and testssl.sh rate
    /// it (the three malformed blocks look alike).
    RobotOracle,
    /// Checks only the 00 02 prefix and says so: a strong ROBOT oracle (Bleichenbacher's
    /// original), the misplaced or missing separator passing like a good block.
    RobotPrefixOracle,
    /// Also answers SSLv2 CLIENT-HELLOs (DROWN).
    Sslv2,
}

pub(crate) struct Mini {
    port: u16,
}

impl Mini {
    pub(crate) fn target(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

/// Start a minimal TLS server with one flaw. It speaks TLS 1.2 (1.0–1.2 for
/// IgnoresFallbackScsv) with AES128-SHA / AES256-SHA (static RSA), sends ServerHello,
/// Certificate and ServerHelloDone, and then only reacts to what its flaw needs. Each connection
/// runs on its own thread; every read is bounded.
pub(crate) fn mini_server(flaw: Flaw, chain: Vec<Vec<u8>>, key: PathBuf) -> Mini {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for s in listener.incoming() {
            let Ok(s) = s else { continue };
            let chain = chain.clone();
            let key = key.clone();
            std::thread::spawn(move || {
                let _ = mini_connection(flaw, s, &chain, &key);
            });
        }
    });
    Mini { port }
}

fn record(typ: u8, version: u16, body: &[u8]) -> Vec<u8> {
    let mut r = vec![typ];
    r.extend_from_slice(&version.to_be_bytes());
    r.extend_from_slice(&(body.len() as u16).to_be_bytes());
    r.extend_from_slice(body);
    r
}

fn alert(version: u16, description: u8) -> Vec<u8> {
    record(21, version, &[2, description])
}

/// Read one record (type, payload), or None on EOF/timeout/garbage.
fn read_record(s: &mut TcpStream) -> Option<(u8, Vec<u8>)> {
    let mut h = [0u8; 5];
    s.read_exact(&mut h).ok()?;
    let len = u16::from_be_bytes([h[3], h[4]]) as usize;
    if len > 18432 {
        return None;
    }
    let mut body = vec![0u8; len];
    s.read_exact(&mut body).ok()?;
    Some((h[0], body))
}

/// RSA without padding, with the openssl command line: the test's own oracle.
fn rsa_raw_decrypt(key: &Path, ct: &[u8]) -> Option<Vec<u8>> {
    let mut child = Command::new(openssl())
        .args([
            "pkeyutl",
            "-decrypt",
            "-inkey",
            p(key),
            "-pkeyopt",
            "rsa_padding_mode:none",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    child.stdin.take()?.write_all(ct).ok()?;
    let out = child.wait_with_output().ok()?;
    out.status.success().then_some(out.stdout)
}

fn mini_connection(flaw: Flaw, mut s: TcpStream, chain: &[Vec<u8>], key: &Path) -> Option<()> {
    use tlskit_wire::client_hello::ClientHello;
    use tlskit_wire::extensions::Extension;
    use tlskit_wire::handshake::{frame, Certificate, HandshakeType, ServerHello};
    s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    let mut first = [0u8; 2];
    s.peek(&mut first).ok()?;
    if first[0] & 0x80 != 0 {
        // An SSLv2 CLIENT-HELLO.
        if flaw != Flaw::Sslv2 {
            return None;
        }
        let mut buf = vec![0u8; 4096];
        let n = s.read(&mut buf).ok()?;
        let hello = tlskit_wire::sslv2::ClientHelloV2::parse_record(&buf[..n]).ok()?;
        let mine = [0x010080u32, 0x020080, 0x0700c0];
        let specs: Vec<u32> = hello
            .cipher_specs
            .iter()
            .copied()
            .filter(|c| mine.contains(c))
            .collect();
        let sh = tlskit_wire::sslv2::ServerHelloV2 {
            session_id_hit: 0,
            certificate_type: 1,
            version: 2,
            certificate: chain[0].clone(),
            cipher_specs: specs,
            connection_id: vec![7; 16],
        };
        s.write_all(&sh.to_record()).ok()?;
        let _ = s.read(&mut buf);
        return Some(());
    }
    let (typ, body) = read_record(&mut s)?;
    if typ != 22 {
        return None;
    }
    let ch = ClientHello::parse_message(&body).ok()?;
    let (min, max) = if flaw == Flaw::IgnoresFallbackScsv {
        (0x0301, 0x0303)
    } else {
        (0x0303, 0x0303)
    };
    let version = ch.legacy_version.min(max);
    if version < min {
        s.write_all(&alert(0x0303, 70)).ok()?;
        return Some(());
    }
    if ch.cipher_suites.contains(&0x5600) && version < max && flaw != Flaw::IgnoresFallbackScsv {
        s.write_all(&alert(version, 86)).ok()?;
        return Some(());
    }
    let Some(suite) = ch
        .cipher_suites
        .iter()
        .copied()
        .find(|c| [0x002f, 0x0035].contains(c))
    else {
        s.write_all(&alert(version, 40)).ok()?;
        return Some(());
    };
    let mut extensions = Vec::new();
    if ch.has_extension(0xff01u16) || ch.cipher_suites.contains(&0x00ff) {
        extensions.push(Extension::renegotiation_info(&[]));
    }
    if flaw == Flaw::Heartbleed && ch.has_extension(15u16) {
        extensions.push(Extension::heartbeat(1));
    }
    let mut random = [0u8; 32];
    random[..10].copy_from_slice(b"tlskitmini");
    let sh = ServerHello {
        legacy_version: version,
        random,
        session_id: vec![1; 32],
        cipher_suite: suite,
        compression: 0,
        extensions,
    };
    let mut flight = sh.to_message();
    let mut certs = Vec::new();
    Certificate::tls12(chain.to_vec()).encode(&mut certs);
    flight.extend(frame(HandshakeType::Certificate, &certs));
    flight.extend(frame(HandshakeType::ServerHelloDone, &[]));
    s.write_all(&record(22, version, &flight)).ok()?;

    let mut ccs_seen = false;
    let mut cke_good: Option<bool> = None;
    loop {
        let (typ, body) = read_record(&mut s)?;
        match (typ, flaw) {
            // Heartbeat request: the vulnerable answer copies payload_length bytes of "memory".
            (24, Flaw::Heartbleed) if body.len() >= 3 && body[0] == 1 => {
                let claimed = u16::from_be_bytes([body[1], body[2]]) as usize;
                let mut resp = vec![2u8];
                resp.extend_from_slice(&(claimed as u16).to_be_bytes());
                resp.extend(std::iter::repeat_n(0x41u8, claimed + 16));
                s.write_all(&record(24, version, &resp)).ok()?;
            }
            (24, _) => {} // silently discarded, as RFC 6520 says
            (20, Flaw::EarlyCcs) if cke_good.is_none() && !ccs_seen => ccs_seen = true, // accepted: the bug
            (_, Flaw::EarlyCcs) if ccs_seen => {
                // Keys "derived" from nothing: the next record cannot be authenticated.
                s.write_all(&alert(version, 20)).ok()?;
                return Some(());
            }
            (20, _) if cke_good.is_none() => {
                s.write_all(&alert(version, 10)).ok()?;
                return Some(());
            }
            (22, _) if cke_good.is_none() && body.first() == Some(&16) => {
                // ClientKeyExchange: u16 length + RSA ciphertext.
                let ct = body.get(6..)?;
                cke_good = Some(match flaw {
                    Flaw::RobotOracle => {
                        let pt = rsa_raw_decrypt(key, ct)?;
                        let k = pt.len();
                        pt.len() > 50
                            && pt[0] == 0
                            && pt[1] == 2
                            && pt[k - 49] == 0
                            && !pt[2..k - 49].contains(&0)
                    }
                    Flaw::RobotPrefixOracle => {
                        let pt = rsa_raw_decrypt(key, ct)?;
                        pt.len() > 50 && pt[0] == 0 && pt[1] == 2
                    }
                    _ => true,
                });
                if cke_good == Some(false) {
                    // The oracle: bad padding is reported at once.
                    s.write_all(&alert(version, 51)).ok()?;
                    return Some(());
                }
            }
            (20, _) => {}
            (22, _) => {
                // The (undecryptable) Finished.
                s.write_all(&alert(version, 20)).ok()?;
                return Some(());
            }
            _ => return Some(()),
        }
    }
}

pub(crate) fn chain_of(crt: &Path) -> Vec<Vec<u8>> {
    tlskit::pki::load::load_certs(crt)
        .unwrap()
        .into_iter()
        .map(|c| c.as_ref().to_vec())
        .collect()
}

#[test]
fn heartbleed_minimal_vulnerable_server_written_for_the_test() {
    let (_pki, crt, key) = rsa_pki();
    let srv = mini_server(Flaw::Heartbleed, chain_of(&crt), key);
    let v = scan_json(&srv.target());
    assert_eq!(
        vuln(&v, "heartbleed"),
        true,
        "{}",
        vuln_detail(&v, "heartbleed")
    );
    assert!(
        vuln_detail(&v, "heartbleed").contains("16384"),
        "{}",
        vuln_detail(&v, "heartbleed")
    );
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "vuln.heartbleed")
        .expect("finding");
    assert_eq!(f["severity"], "critical");
    assert_eq!(feat(&v, "heartbeat"), true);
    // The same minimal server has no other wire-level flaw.
    assert_eq!(
        vuln(&v, "ccs_injection"),
        false,
        "{}",
        vuln_detail(&v, "ccs_injection")
    );
    assert_eq!(vuln(&v, "robot"), false, "{}", vuln_detail(&v, "robot"));
}

#[test]
fn ccs_injection_minimal_vulnerable_server_written_for_the_test() {
    let (_pki, crt, key) = rsa_pki();
    let srv = mini_server(Flaw::EarlyCcs, chain_of(&crt), key);
    let v = scan_json(&srv.target());
    assert_eq!(
        vuln(&v, "ccs_injection"),
        true,
        "{}",
        vuln_detail(&v, "ccs_injection")
    );
    assert!(vuln_detail(&v, "ccs_injection").contains("bad_record_mac"));
    assert!(finding(&v, "vuln.ccs_injection"));
    assert_eq!(vuln(&v, "heartbleed"), false);
}

#[test]
fn robot_oracle_minimal_vulnerable_server_written_for_the_test() {
    let (_pki, crt, key) = rsa_pki();
    let srv = mini_server(Flaw::RobotOracle, chain_of(&crt), key);
    let v = scan_json(&srv.target());
    assert_eq!(vuln(&v, "robot"), true, "{}", vuln_detail(&v, "robot"));
    let d = vuln_detail(&v, "robot");
    assert!(
        d.contains("decrypt_error") && d.contains("bad_record_mac") && d.contains("2048-bit"),
        "{d}"
    );
    assert!(finding(&v, "vuln.robot"));
}

#[test]
fn robot_not_vulnerable_openssl_and_gnutls_with_rsa_key_exchange() {
    let (_pki, crt, key) = rsa_pki();
    let srv = s_server(
        &crt,
        &key,
        &["-tls1_2", "-cipher", "AES128-GCM-SHA256:AES128-SHA"],
    );
    let v = scan_json(&srv.target());
    assert_eq!(vuln(&v, "robot"), false, "{}", vuln_detail(&v, "robot"));
    assert!(vuln_detail(&v, "robot").contains("same answer"));
    assert_eq!(vuln(&v, "static_rsa"), true);
    // RSA key exchange with AES-GCM: the TLS 1.2 client completes handshakes too.
    assert_eq!(feat(&v, "session_id_resumption"), true, "{}", notes(&v));
    drop(srv);
    let srv = gnutls_serv(&crt, &key, &["--priority", "NORMAL:-KX-ALL:+RSA"]);
    let v = scan_json(&srv.target());
    assert_eq!(vuln(&v, "robot"), false, "{}", vuln_detail(&v, "robot"));
}

#[test]
fn fallback_scsv_ignored_minimal_vulnerable_server_written_for_the_test() {
    let (_pki, crt, key) = rsa_pki();
    let srv = mini_server(Flaw::IgnoresFallbackScsv, chain_of(&crt), key);
    let v = scan_json(&srv.target());
    assert_eq!(feat(&v, "fallback_scsv"), false, "{}", notes(&v));
    assert!(finding(&v, "feature.no_fallback_scsv"));
    assert_eq!(feat(&v, "secure_renegotiation"), true);
}

#[test]
fn drown_sslv2_minimal_vulnerable_server_written_for_the_test() {
    let (_pki, crt, key) = rsa_pki();
    let srv = mini_server(Flaw::Sslv2, chain_of(&crt), key);
    let v = scan_json(&srv.target());
    assert_eq!(vuln(&v, "drown"), true, "{}", vuln_detail(&v, "drown"));
    assert_eq!(vuln(&v, "rc4"), true, "{}", vuln_detail(&v, "rc4"));
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "vuln.drown")
        .expect("finding");
    assert_eq!(f["severity"], "critical");
}

#[test]
fn tlskit_serve_rustls_ignores_fallback_scsv_but_sends_the_downgrade_sentinel() {
    let (_pki, crt, key) = rsa_pki();
    let srv = serve(&["-s", p(&crt), "-k", p(&key), "--echo", "--alpn", "h2"]);
    let v = scan_json(&format!("127.0.0.1:{}", srv.port));
    // rustls does not implement RFC 7507; with only TLS 1.3 and 1.2 that costs nothing.
    assert_eq!(feat(&v, "fallback_scsv"), false, "{}", notes(&v));
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "feature.no_fallback_scsv")
        .expect("finding");
    assert_eq!(f["severity"], "info");
    assert!(notes(&v).contains("downgrade sentinel"));
    assert_eq!(feat(&v, "alpn")["protocols"], serde_json::json!(["h2"]));
    // rustls never renegotiates and has no heartbeat, compression or early CCS.
    assert_eq!(feat(&v, "client_renegotiation"), false, "{}", notes(&v));
    assert_eq!(feat(&v, "insecure_renegotiation"), false, "{}", notes(&v));
    assert_eq!(feat(&v, "tls13_psk_resumption"), true, "{}", notes(&v));
    assert_eq!(
        vuln(&v, "ccs_injection"),
        false,
        "{}",
        vuln_detail(&v, "ccs_injection")
    );
    assert_eq!(vuln(&v, "heartbleed"), false);
}
