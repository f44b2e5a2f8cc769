//! `tlskit scan` against servers that ask for a client certificate (mutual TLS): `openssl
//! s_server -Verify 1` (required) and `-verify 1` (optional) with TLS 1.2 and TLS 1.3, and
//! `gnutls-serv --require-client-cert`, each trusting a CA made by `tlskit cert ca` whose name
//! the CertificateRequest must carry. `--client-cert` with a certificate from that CA lets the
//! handshake-based session features finish.

use crate::common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// `openssl s_server` trusting the test CA for client certificates; `extra` picks versions and
/// -verify / -Verify.
fn s_server(pki: &Pki, crt: &Path, key: &Path, extra: &[&str]) -> Listening {
    let ca = pki.ca_cert();
    openssl_s_server(crt, key, &[&["-CAfile", p(&ca)][..], extra].concat())
}

fn scan(port: u16, extra: &[&str]) -> Run {
    scan_run(&[extra, &[format!("127.0.0.1:{port}").as_str()]].concat())
}

fn scan_json(port: u16, extra: &[&str]) -> Value {
    scan_json_ok(&[extra, &[format!("127.0.0.1:{port}").as_str()]].concat())
}

fn pki() -> (Pki, PathBuf, PathBuf) {
    let pki = Pki::new("ecdsa-p256");
    let (crt, key) = pki.issue("srv", &["localhost"], &[]);
    (pki, crt, key)
}

/// The CA's subject as the report writes names: the issuer of the server's certificate (the
/// same CA issued it).
fn ca_subject(v: &Value) -> String {
    v["certificates"][0]["certificates"][0]["issuer"]
        .as_str()
        .expect("a certificate was found")
        .to_string()
}

fn offered(v: &Value) -> Vec<String> {
    v["protocols"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["offered"] == true)
        .map(|p| p["version"].as_str().unwrap().to_string())
        .collect()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

/// What every client-auth server's report must say: the versions and suites were found, and
/// the CertificateRequest names the test CA.
fn assert_asks(v: &Value, versions: &[&str], required: bool) {
    let ca = &v["client_auth"];
    assert_eq!(ca["requested"], true, "{ca}");
    assert_eq!(ca["required"], required, "{ca}\nerrors: {}", v["errors"]);
    assert_eq!(strings(&ca["versions"]), versions, "{ca}");
    assert_eq!(strings(&ca["ca_names"]), vec![ca_subject(v)], "{ca}");
    assert!(
        ca["signature_algorithms"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["name"] == "ecdsa_secp256r1_sha256"),
        "{ca}"
    );
    for ver in versions {
        assert!(
            offered(v).iter().any(|o| o == ver),
            "{ver}: {}",
            v["protocols"]
        );
        let p = v["protocols"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["version"] == *ver)
            .unwrap();
        assert!(!p["cipher_suites"].as_array().unwrap().is_empty(), "{p}");
    }
    let id = if required {
        "client_auth.required"
    } else {
        "client_auth.requested"
    };
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["id"] == id && f["severity"] == "info"),
        "{}",
        v["findings"]
    );
}

#[test]
fn openssl_requiring_a_client_certificate_tls12_and_tls13() {
    let (pki, crt, key) = pki();
    let srv = s_server(&pki, &crt, &key, &["-Verify", "1"]);
    let v = scan_json(srv.port, &[]);
    assert_asks(&v, &["TLSv1.3", "TLSv1.2"], true);
    // The grade rates the TLS configuration as for any server (the lab's "good" is A+; this
    // one differs only by its private CA, which the scan does not trust without -a).
    assert!(v["grade"]["grade"].is_string(), "{}", v["grade"]);
    // Without a client certificate, the TLS 1.3 sessions cannot finish: not "no tickets".
    let sf = &v["session_features"];
    assert!(sf["tls13_tickets"].is_null(), "{sf}");
    // The text says it near the top, before the protocols.
    let r = scan(srv.port, &[]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let at = r
        .stdout
        .find("client certificate required")
        .unwrap_or_else(|| panic!("{}", r.stdout));
    assert!(at < r.stdout.find("Protocols").unwrap(), "{}", r.stdout);
    assert!(r.stdout.contains("Client authentication"), "{}", r.stdout);
    assert!(r.stdout.contains(&ca_subject(&v)), "{}", r.stdout);
}

#[test]
fn openssl_requiring_one_version_at_a_time() {
    let (pki, crt, key) = pki();
    for (flag, version) in [("-tls1_2", "TLSv1.2"), ("-tls1_3", "TLSv1.3")] {
        let srv = s_server(&pki, &crt, &key, &["-Verify", "1", flag]);
        let v = scan_json(srv.port, &[]);
        assert_asks(&v, &[version], true);
    }
}

#[test]
fn openssl_asking_for_an_optional_client_certificate() {
    let (pki, crt, key) = pki();
    let srv = s_server(&pki, &crt, &key, &["-verify", "1"]);
    let v = scan_json(srv.port, &[]);
    assert_asks(&v, &["TLSv1.3", "TLSv1.2"], false);
    // A server that lets clients in without one finishes its TLS 1.3 sessions.
    assert_eq!(v["session_features"]["tls13_tickets"], true, "{v}");
}

#[test]
fn a_server_that_does_not_ask() {
    let (pki, crt, key) = pki();
    let srv = s_server(&pki, &crt, &key, &[]);
    let v = scan_json(srv.port, &[]);
    let ca = &v["client_auth"];
    assert_eq!(ca["requested"], false, "{ca}");
    assert_eq!(ca["required"], false, "{ca}");
    assert!(ca["ca_names"].as_array().unwrap().is_empty());
}

#[test]
fn client_cert_lets_the_session_features_finish() {
    let (pki, crt, key) = pki();
    let client = pki.issue_combined("alice.pem", &["alice"], &["--client"]);
    // -verify_return_error: without it s_server only logs a certificate it cannot verify.
    let srv = s_server(&pki, &crt, &key, &["-Verify", "1", "-verify_return_error"]);
    let v = scan_json(srv.port, &["--client-cert", p(&client)]);
    assert_asks(&v, &["TLSv1.3", "TLSv1.2"], true);
    assert_eq!(v["client_auth"]["client_cert_accepted"], true, "{v}");
    let sf = &v["session_features"];
    assert_eq!(sf["tls13_tickets"], true, "{sf}");
    assert_eq!(sf["tls13_psk_resumption"], true, "{sf}");
    // A certificate from another CA is refused, and said so.
    let other = Pki::new("ecdsa-p256");
    let stranger = other.issue_combined("mallory.pem", &["mallory"], &["--client"]);
    let v = scan_json(srv.port, &["--client-cert", p(&stranger)]);
    assert_eq!(v["client_auth"]["client_cert_accepted"], false, "{v}");
    assert_eq!(v["client_auth"]["required"], true);
}

#[test]
fn a_bad_client_cert_file_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.pem");
    let r = run(&["scan", "--client-cert", p(&missing), "127.0.0.1:1"]);
    r.failed_with(2, "--client-cert");
    assert!(r.stderr.contains("missing.pem"), "{}", r.stderr);
    // A certificate with somebody else's key.
    let pki = Pki::new("ecdsa-p256");
    let (crt, _) = pki.issue("a", &["a"], &["--client"]);
    let (_, key_b) = pki.issue("b", &["b"], &["--client"]);
    let mixed = dir.path().join("mixed.pem");
    let mut pem = std::fs::read_to_string(&crt).unwrap();
    pem.push_str(&std::fs::read_to_string(&key_b).unwrap());
    std::fs::write(&mixed, pem).unwrap();
    let r = run(&["scan", "--client-cert", p(&mixed), "127.0.0.1:1"]);
    r.failed_with(2, "does not belong");
    // No key at all.
    let r = run(&["scan", "--client-cert", p(&crt), "127.0.0.1:1"]);
    r.failed_with(2, "--client-cert");
}

#[test]
fn gnutls_serv_requiring_a_client_certificate() {
    let gnutls = require_tool("gnutls-serv", "gnutls-bin");
    let (pki, crt, key) = pki();
    let port = free_port();
    let mut cmd = Command::new(gnutls);
    cmd.args([
        "--http",
        "--x509certfile",
        p(&crt),
        "--x509keyfile",
        p(&key),
        "--x509cafile",
        p(&pki.ca_cert()),
        "--require-client-cert",
        "-p",
        &port.to_string(),
    ]);
    let _srv = Peer::listening("gnutls-serv", &mut cmd, port);
    let v = scan_json(port, &[]);
    assert_asks(&v, &["TLSv1.3", "TLSv1.2"], true);
}

/// nginx's `ssl_verify_client on` asks for a certificate but lets the handshake finish without
/// one (it answers the HTTP request with 400 "No required SSL certificate was sent"): requested,
/// and not required at the TLS layer — which is what the report must say.
#[test]
fn nginx_ssl_verify_client_on_refuses_over_http_not_in_the_handshake() {
    let (pki, crt, key) = pki();
    let port = free_port();
    let servers = format!(
        "  server {{ listen 127.0.0.1:{port} ssl; server_name localhost; ssl_certificate {}; \
         ssl_certificate_key {}; ssl_client_certificate {}; ssl_verify_client on; \
         return 200 \"hello\\n\"; }}\n",
        p(&crt),
        p(&key),
        p(&pki.ca_cert())
    );
    let _nginx = Nginx::start(&servers, &[port]);
    let v = scan_json(port, &[]);
    assert_asks(&v, &["TLSv1.3", "TLSv1.2"], false);
}

/// TLS 1.0 and 1.1 only, and a DHE-only TLS 1.2 server: rustls speaks neither, so the scanner's
/// own TLS ≤ 1.2 client answers the CertificateRequest (with an empty Certificate, then with
/// `--client-cert`'s, signed for TLS 1.2) and tells "required" there too.
#[test]
fn required_on_servers_rustls_cannot_talk_to() {
    let pki = Pki::new("rsa2048");
    let (crt, key) = pki.issue("srv", &["localhost"], &[]);
    let client = pki.issue_combined("alice.pem", &["alice"], &["--client"]);
    for (flags, versions) in [
        (vec!["-tls1", "-cipher", "ALL:@SECLEVEL=0"], vec!["TLSv1.0"]),
        (
            vec!["-tls1_1", "-cipher", "ALL:@SECLEVEL=0"],
            vec!["TLSv1.1"],
        ),
        (
            vec!["-tls1_2", "-cipher", "DHE-RSA-AES128-GCM-SHA256"],
            vec!["TLSv1.2"],
        ),
    ] {
        let mut extra = vec!["-Verify", "1", "-verify_return_error"];
        extra.extend_from_slice(&flags);
        let srv = s_server(&pki, &crt, &key, &extra);
        let v = scan_json(srv.port, &[]);
        let ca = &v["client_auth"];
        assert_eq!(ca["requested"], true, "{flags:?}: {ca}\n{}", v["errors"]);
        assert_eq!(ca["required"], true, "{flags:?}: {ca}\n{}", v["errors"]);
        assert_eq!(strings(&ca["versions"]), versions, "{flags:?}: {ca}");
        assert_eq!(strings(&ca["ca_names"]), vec![ca_subject(&v)], "{ca}");
        assert!(
            !v["errors"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e.as_str().unwrap().starts_with("client authentication")),
            "{flags:?}: {}",
            v["errors"]
        );
        if versions == ["TLSv1.2"] {
            // The certificate, signed for with TLS 1.2, lets the session features finish.
            let v = scan_json(srv.port, &["--client-cert", p(&client)]);
            assert_eq!(v["client_auth"]["client_cert_accepted"], true, "{v}");
            let sf = &v["session_features"];
            assert_eq!(sf["session_id_resumption"], true, "{sf}");
        }
    }
}
