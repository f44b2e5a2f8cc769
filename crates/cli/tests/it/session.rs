//! `tlskit connect` and `tlskit serve` against real peers: openssl s_server / s_client, gnutls-serv /
//! gnutls-cli, curl, headless Chromium, and each other — with certificates issued by `tlskit cert`.

use crate::common::*;
use std::net::TcpListener;
use std::process::Command;
use std::time::Duration;

const MSG: &str = "Simple is better than complex.";

fn p(path: &std::path::Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn connect_to_openssl_s_server_tls13_ecdsa() {
    let pki = Pki::new("ecdsa-p256");
    let (crt, key) = pki.issue("server", &["localhost", "127.0.0.1"], &[]);
    let Listening { peer: _srv, port } = openssl_s_server_args(&crt, &key, &["-www"]);
    let r = run(&[
        "connect",
        "--json",
        "-a",
        p(&pki.ca_cert()),
        "--http",
        "/",
        "localhost",
        &port.to_string(),
    ]);
    r.ok();
    let j = r.json();
    assert_eq!(j["protocol"], "TLSv1.3");
    assert_eq!(j["certificate"]["verified"], true);
    assert_eq!(j["certificate"]["name_match"], true);
    assert_eq!(j["forward_secrecy"], true);
    assert_eq!(j["sni_sent"], true);
    assert_eq!(j["http"]["status"], 200);
    assert!(j["cipher_suite"]["name"]
        .as_str()
        .unwrap()
        .starts_with("TLS_"));
    assert!(j["timing"]["tcp_connect_ms"].as_f64().unwrap() > 0.0);
    assert!(j["timing"]["tls_handshake_ms"].as_f64().unwrap() > 0.0);
    // s_server -www echoes the session it negotiated: the protocol must agree.
    assert!(
        j["http"]["body"].as_str().unwrap().contains("TLSv1.3"),
        "{}",
        j["http"]["body"]
    );
    assert!(
        j["certificate"]["chain"][0]["key_type"]
            .as_str()
            .unwrap()
            .contains("EC"),
        "{}",
        j["certificate"]["chain"][0]
    );
}

#[test]
fn connect_to_openssl_s_server_forced_tls12_rsa_ecdhe() {
    let pki = Pki::new("rsa2048");
    let (crt, key) = pki.issue("server", &["localhost"], &["--key-type", "rsa2048"]);
    let Listening { peer: _srv, port } = openssl_s_server_args(
        &crt,
        &key,
        &["-www", "-tls1_2", "-cipher", "ECDHE-RSA-AES256-GCM-SHA384"],
    );
    let r = run(&[
        "connect",
        "--json",
        "-a",
        p(&pki.ca_cert()),
        "--http",
        "/",
        "localhost",
        &port.to_string(),
    ]);
    r.ok();
    let j = r.json();
    assert_eq!(j["protocol"], "TLSv1.2");
    assert_eq!(
        j["cipher_suite"]["name"],
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"
    );
    assert_eq!(
        j["cipher_suite"]["openssl_name"],
        "ECDHE-RSA-AES256-GCM-SHA384"
    );
    assert_eq!(j["cipher_suite"]["bits"], 256);
    assert_eq!(j["forward_secrecy"], true);
    assert!(j["key_exchange_group"].is_string());
}

#[test]
fn connect_text_report_and_cipher_string_like_test_tls_py() {
    let pki = Pki::new("ecdsa-p256");
    let (crt, key) = pki.issue("server", &["localhost"], &[]);
    let Listening { peer: _srv, port } = openssl_s_server_args(&crt, &key, &["-www"]);
    // test_tls.py -p TLSv1_2 -C 'ECDH+AES128'
    let r = run(&[
        "connect",
        "-a",
        p(&pki.ca_cert()),
        "-p",
        "TLSv1_2",
        "-C",
        "ECDH+AES128",
        "--http",
        "/",
        "localhost",
        &port.to_string(),
    ]);
    r.ok();
    assert!(
        r.stdout.contains("Protocol             TLSv1.2"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains(
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 (OpenSSL: ECDHE-ECDSA-AES128-GCM-SHA256)"
        ),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("forward secrecy: yes"), "{}", r.stdout);
    assert!(r.stdout.contains("TCP handshake"), "{}", r.stdout);
    assert!(r.stdout.contains("TLS handshake"), "{}", r.stdout);
    assert!(
        r.stdout.contains("'localhost' matches the certificate"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("HTTP/1.0 200 ok") || r.stdout.contains("HTTP/1.0 200 OK"),
        "{}",
        r.stdout
    );
}

#[test]
fn connect_to_gnutls_serv() {
    let pki = Pki::new("ecdsa-p256");
    let (crt, key) = pki.issue("server", &["localhost"], &[]);
    let Listening { peer: _srv, port } = gnutls_serv_http(&crt, &key, &[]);
    for proto in ["TLSv1_3", "TLSv1_2"] {
        let r = run(&[
            "connect",
            "--json",
            "-p",
            proto,
            "-a",
            p(&pki.ca_cert()),
            "--http",
            "/",
            "localhost",
            &port.to_string(),
        ]);
        r.ok();
        let j = r.json();
        assert_eq!(j["protocol"], proto.replace('_', "."));
        assert_eq!(j["http"]["status"], 200);
        assert_eq!(j["certificate"]["verified"], true);
    }
}

#[test]
fn serve_to_openssl_s_client_message_and_log() {
    let pki = Pki::new("ecdsa-p256");
    let pem = pki.issue_combined("localhost.pem", &["localhost", "127.0.0.1"], &[]);
    let srv = serve(&["-s", p(&pem), "--once"]);
    let mut cmd = Command::new(openssl());
    cmd.args([
        "s_client",
        "-connect",
        &format!("127.0.0.1:{}", srv.port),
        "-servername",
        "localhost",
    ])
    .args([
        "-CAfile",
        p(&pki.ca_cert()),
        "-verify_return_error",
        "-ign_eof",
    ]);
    let r = run_with_stdin(&mut cmd, b"", Duration::from_secs(30));
    assert!(
        r.stdout.contains(MSG),
        "s_client did not receive the message:\n{}\n{}",
        r.stdout,
        r.stderr
    );
    assert!(
        r.stdout.contains("Verify return code: 0 (ok)"),
        "{}",
        r.stdout
    );
    assert!(
        srv.peer
            .wait_output("sni=localhost TLSv1.3", Duration::from_secs(10)),
        "{}",
        srv.peer.output()
    );
    assert!(
        srv.peer.output().contains(&format!("out={}", MSG.len())),
        "{}",
        srv.peer.output()
    );
}

#[test]
fn serve_to_gnutls_cli() {
    let gnutls_cli = require_tool("gnutls-cli", "gnutls-bin");
    let pki = Pki::new("ecdsa-p256");
    let pem = pki.issue_combined("localhost.pem", &["localhost"], &[]);
    let srv = serve(&["-s", p(&pem), "--once", "-p", "TLSv1_2"]);
    let mut cmd = Command::new(gnutls_cli);
    cmd.args([
        "--x509cafile",
        p(&pki.ca_cert()),
        "-p",
        &srv.port.to_string(),
        "localhost",
    ]);
    let r = run_with_stdin(&mut cmd, b"", Duration::from_secs(30));
    assert!(
        r.stdout.contains(MSG),
        "gnutls-cli output:\n{}\n{}",
        r.stdout,
        r.stderr
    );
    assert!(r.stdout.contains("(TLS1.2-"), "{}", r.stdout);
    assert!(srv.peer.wait_output("TLSv1.2", Duration::from_secs(10)));
}

#[test]
fn serve_http_to_curl_get_and_post() {
    let curl = require_tool("curl", "curl");
    let pki = Pki::new("ecdsa-p256");
    let pem = pki.issue_combined("localhost.pem", &["localhost"], &[]);
    let srv = serve(&["-s", p(&pem), "--http"]);
    let url = format!("https://localhost:{}/", srv.port);
    let r = run_cmd(
        Command::new(&curl).args(["-sS", "--cacert", p(&pki.ca_cert()), &url]),
        Duration::from_secs(30),
    );
    r.ok();
    assert!(r.stdout.contains("Hello over TLS"), "{}", r.stdout);
    assert!(r.stdout.contains("TLSv1.3"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("<td>Server name (SNI)</td><td>localhost</td>"),
        "{}",
        r.stdout
    );
    let r = run_cmd(
        Command::new(&curl).args([
            "-sS",
            "--cacert",
            p(&pki.ca_cert()),
            "-d",
            "username=alice&password=s3cret",
            &format!("{url}login"),
        ]),
        Duration::from_secs(30),
    );
    r.ok();
    assert!(
        r.stdout.contains("<td>password</td><td>s3cret</td>"),
        "{}",
        r.stdout
    );
    // curl without the CA refuses: verification is on in both directions of this lab.
    let r = run_cmd(
        Command::new(&curl).args(["-sS", &url]),
        Duration::from_secs(30),
    );
    assert_ne!(r.code, 0);
    assert!(
        srv.peer
            .wait_output("\"POST /login 200\"", Duration::from_secs(10)),
        "{}",
        srv.peer.output()
    );
}

#[test]
fn serve_http_root_serves_files_and_refuses_traversal() {
    let pki = Pki::new("ecdsa-p256");
    let pem = pki.issue_combined("localhost.pem", &["localhost"], &[]);
    let site = pki.path("site");
    std::fs::create_dir(&site).unwrap();
    std::fs::write(site.join("index.html"), "<h1>bank32</h1>").unwrap();
    std::fs::write(site.join("data.bin"), [0u8, 1, 2, 255]).unwrap();
    let srv = serve(&["-s", p(&pem), "--http", "--root", p(&site)]);
    let port = srv.port.to_string();
    let ca = pki.ca_cert();
    let r = run(&[
        "connect",
        "-q",
        "-a",
        p(&ca),
        "--http",
        "/",
        "localhost",
        &port,
    ]);
    r.ok();
    assert!(r.stdout.contains("<h1>bank32</h1>"), "{}", r.stdout);
    let out = pki.path("got.bin");
    run(&[
        "connect",
        "-a",
        p(&ca),
        "--http",
        "/data.bin",
        "-o",
        p(&out),
        "localhost",
        &port,
    ])
    .ok();
    assert_eq!(std::fs::read(&out).unwrap(), vec![0u8, 1, 2, 255]);
    let r = run(&[
        "connect",
        "--json",
        "-a",
        p(&ca),
        "--http",
        "/../../etc/passwd",
        "localhost",
        &port,
    ]);
    r.ok();
    let status = r.json()["http"]["status"].as_u64().unwrap();
    assert!(status == 403 || status == 404, "{status}");
}

#[test]
fn serve_echo_with_connect_send() {
    let pki = Pki::new("ecdsa-p256");
    let pem = pki.issue_combined("localhost.pem", &["localhost"], &[]);
    let srv = serve(&["-s", p(&pem), "--echo"]);
    let r = run(&[
        "connect",
        "--json",
        "-a",
        p(&pki.ca_cert()),
        "--send",
        "ping\\n",
        "--read-timeout",
        "1",
        "localhost",
        &srv.port.to_string(),
    ]);
    r.ok();
    assert_eq!(r.json()["received"]["text"], "ping\n");
}

#[test]
fn tlskit_to_tlskit_message_like_safe_tls() {
    let pki = Pki::new("ecdsa-p256");
    let pem = pki.issue_combined("localhost.pem", &["localhost", "127.0.0.1", "::1"], &[]);
    let srv = serve(&["-s", p(&pem)]);
    let r = run(&[
        "connect",
        "-a",
        p(&pki.ca_cert()),
        "localhost",
        &srv.port.to_string(),
    ]);
    r.ok();
    assert!(r.stdout.contains(MSG), "{}", r.stdout);
    assert!(r.stdout.contains("close_notify"), "{}", r.stdout);
    // SSL_CERT_FILE stands in for the system store.
    let r = run_cmd(
        tlskit().env("SSL_CERT_FILE", pki.ca_cert()).args([
            "connect",
            "--json",
            "localhost",
            &srv.port.to_string(),
        ]),
        Duration::from_secs(30),
    );
    r.ok();
    assert_eq!(r.json()["received"]["text"], MSG);
    // By IP: no SNI is sent and the IP SAN is checked.
    let r = run(&[
        "connect",
        "--json",
        "-a",
        p(&pki.ca_cert()),
        "127.0.0.1",
        &srv.port.to_string(),
    ]);
    r.ok();
    assert_eq!(r.json()["sni_sent"], false);
    assert_eq!(r.json()["certificate"]["name_match"], true);
}

#[test]
fn mutual_tls_both_directions() {
    let pki = Pki::new("ecdsa-p256");
    let server_pem = pki.issue_combined("server.pem", &["localhost"], &[]);
    let client_pem = pki.issue_combined("alice.pem", &["alice.example"], &["--client"]);
    let (ccrt, ckey) = pki.issue("bob", &["bob.example"], &["--client"]);
    let ca = pki.ca_cert();

    // tlskit serve requires a client certificate.
    let srv = serve(&[
        "-s",
        p(&server_pem),
        "-a",
        p(&ca),
        "--require-client-cert",
        "--echo",
    ]);
    let port = srv.port.to_string();
    let r = run(&[
        "connect",
        "--json",
        "-a",
        p(&ca),
        "-c",
        p(&client_pem),
        "--send",
        "hi",
        "--read-timeout",
        "1",
        "localhost",
        &port,
    ]);
    r.ok();
    assert_eq!(r.json()["received"]["text"], "hi");
    assert!(
        srv.peer
            .wait_output("client=[CN=alice.example", Duration::from_secs(10)),
        "{}",
        srv.peer.output()
    );
    // Without a certificate the server refuses (TLS 1.3 reports it on the first read).
    let r = run(&["connect", "-a", p(&ca), "--send", "hi", "localhost", &port]);
    assert_ne!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(
        srv.peer
            .wait_output("error: handshake failed", Duration::from_secs(10)),
        "{}",
        srv.peer.output()
    );
    // openssl s_client with a certificate is accepted.
    let mut cmd = Command::new(openssl());
    cmd.args([
        "s_client",
        "-connect",
        &format!("127.0.0.1:{port}"),
        "-servername",
        "localhost",
        "-CAfile",
        p(&ca),
    ])
    .args(["-cert", p(&ccrt), "-key", p(&ckey), "-verify_return_error"]);
    let r = run_with_stdin(&mut cmd, b"via-openssl\n", Duration::from_secs(30));
    assert!(
        r.stdout.contains("via-openssl"),
        "{}\n{}",
        r.stdout,
        r.stderr
    );
    assert!(
        srv.peer
            .wait_output("client=[CN=bob.example", Duration::from_secs(10)),
        "{}",
        srv.peer.output()
    );

    // tlskit connect presents a client certificate to openssl s_server -Verify.
    let (scrt, skey) = pki.issue("server2", &["localhost"], &[]);
    let Listening {
        peer: _s,
        port: sport,
    } = openssl_s_server_args(
        &scrt,
        &skey,
        &[
            "-www",
            "-Verify",
            "1",
            "-CAfile",
            p(&ca),
            "-verify_return_error",
        ],
    );
    let r = run(&[
        "connect",
        "--json",
        "-a",
        p(&ca),
        "-c",
        p(&ccrt),
        "-k",
        p(&ckey),
        "--http",
        "/",
        "localhost",
        &sport.to_string(),
    ]);
    r.ok();
    assert_eq!(r.json()["http"]["status"], 200);
    assert!(r.json()["client_certificate"]
        .as_str()
        .unwrap()
        .contains("bob.example"));
    let r = run(&[
        "connect",
        "-a",
        p(&ca),
        "--http",
        "/",
        "localhost",
        &sport.to_string(),
    ]);
    assert_ne!(r.code, 0);
}

#[test]
fn san_semantics_from_seed_task_2c() {
    let pki = Pki::new("ecdsa-p256");
    let pem = pki.issue_combined("bank32.pem", &["www.bank32.com", "*.bank32.com"], &[]);
    let srv = serve(&["-s", p(&pem)]);
    let port = srv.port.to_string();
    for good in ["www.bank32.com", "abc.bank32.com"] {
        let r = run(&[
            "connect",
            "-a",
            p(&pki.ca_cert()),
            "--servername",
            good,
            "127.0.0.1",
            &port,
        ]);
        r.ok();
    }
    for bad in ["bank32.com", "a.b.bank32.com"] {
        let r = run(&[
            "connect",
            "-a",
            p(&pki.ca_cert()),
            "--servername",
            bad,
            "127.0.0.1",
            &port,
        ]);
        r.failed_with(1, "hostname mismatch");
        assert!(r.stderr.contains(bad), "{}", r.stderr);
    }
}

#[test]
fn failure_no_ca_is_unknown_issuer() {
    let pki = Pki::new("ecdsa-p256");
    let pem = pki.issue_combined("localhost.pem", &["localhost"], &[]);
    let srv = serve(&["-s", p(&pem)]);
    // Trusting only a CA that did not issue this certificate (an empty SSL_CERT_DIR stands in for
    // a system store without the lab CA).
    let other_dir = tempfile::tempdir().unwrap();
    let other_ca = other_dir.path().join("ca");
    run(&["cert", "ca", "--out", p(&other_ca), "--cn", "Some Other CA"]).ok();
    let other_crt = other_ca.join("ca.crt");
    let r = run(&[
        "connect",
        "-a",
        p(&other_crt),
        "localhost",
        &srv.port.to_string(),
    ]);
    r.failed_with(1, "unable to get local issuer certificate");
    assert!(
        r.stderr.contains("-a CAFILE") && r.stderr.contains("CN=tlskit test CA"),
        "{}",
        r.stderr
    );
    let r = run_cmd(
        tlskit()
            .env("SSL_CERT_FILE", &other_crt)
            .env("SSL_CERT_DIR", other_dir.path())
            .args(["connect", "localhost", &srv.port.to_string()]),
        Duration::from_secs(30),
    );
    r.failed_with(1, "unable to get local issuer certificate");
    // A CA re-created under the same name does not verify the old certificates.
    let same_name = Pki::new("ecdsa-p256");
    let r = run(&[
        "connect",
        "-a",
        p(&same_name.ca_cert()),
        "localhost",
        &srv.port.to_string(),
    ]);
    r.failed_with(1, "signature");
    // --insecure proceeds, loudly, and the report says why verification failed.
    let r = run(&[
        "connect",
        "--insecure",
        "-a",
        p(&other_crt),
        "localhost",
        &srv.port.to_string(),
    ]);
    r.ok();
    assert!(r.stderr.contains("NOT verified"), "{}", r.stderr);
    assert!(
        r.stdout.contains("NOT VERIFIED (--insecure)"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains(MSG));
}

#[test]
fn failure_ip_address_mismatch() {
    let pki = Pki::new("ecdsa-p256");
    let pem = pki.issue_combined("localhost.pem", &["localhost"], &[]);
    let srv = serve(&["-s", p(&pem)]);
    let r = run(&[
        "connect",
        "-a",
        p(&pki.ca_cert()),
        "127.0.0.1",
        &srv.port.to_string(),
    ]);
    r.failed_with(1, "IP address mismatch");
    assert!(
        r.stderr.contains("'127.0.0.1'") && r.stderr.contains("localhost"),
        "{}",
        r.stderr
    );
}

#[test]
fn failure_tls10_only_server_is_a_protocol_version_error() {
    let pki = Pki::new("rsa2048");
    let (crt, key) = pki.issue("server", &["localhost"], &["--key-type", "rsa2048"]);
    let Listening { peer: _srv, port } = openssl_s_server_args(
        &crt,
        &key,
        &["-www", "-tls1", "-cipher", "DEFAULT:@SECLEVEL=0"],
    );
    let r = run(&[
        "connect",
        "-a",
        p(&pki.ca_cert()),
        "localhost",
        &port.to_string(),
    ]);
    r.failed_with(1, "protocol version");
    assert!(r.stderr.contains("tlskit scan"), "{}", r.stderr);
}

#[test]
fn failure_expired_and_not_yet_valid() {
    let pki = Pki::new("ecdsa-p256");
    let pem = pki.issue_combined(
        "old.pem",
        &["localhost"],
        &["--not-before", "2020-01-01", "--days", "30"],
    );
    let srv = serve(&["-s", p(&pem)]);
    let r = run(&[
        "connect",
        "-a",
        p(&pki.ca_cert()),
        "localhost",
        &srv.port.to_string(),
    ]);
    r.failed_with(1, "expired");
    let pem = pki.issue_combined(
        "future.pem",
        &["localhost"],
        &["--not-before", "2099-01-01", "--days", "30"],
    );
    let srv = serve(&["-s", p(&pem)]);
    let r = run(&[
        "connect",
        "-a",
        p(&pki.ca_cert()),
        "localhost",
        &srv.port.to_string(),
    ]);
    r.failed_with(1, "not yet valid");
}

#[test]
fn failure_closed_port_and_timeout() {
    let port = free_port();
    let r = run(&["connect", "127.0.0.1", &port.to_string()]);
    r.failed_with(1, "connection refused");
    // A listener that never answers the ClientHello.
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let r = run(&["connect", "--timeout", "1", "localhost", &port.to_string()]);
    r.failed_with(1, "did not finish within 1 s");
    drop(l);
}

#[test]
fn refuses_legacy_protocols_and_ciphers_with_reasons() {
    let r = run(&["connect", "-p", "TLSv1", "localhost", "443"]);
    r.failed_with(2, "RFC 8996");
    assert!(r.stderr.contains("tlskit scan"));
    let r = run(&["connect", "-p", "TLSv1_1", "localhost", "443"]);
    r.failed_with(2, "TLSv1.1");
    let r = run(&["connect", "-p", "SSLv3", "localhost", "443"]);
    r.failed_with(2, "POODLE");
    let r = run(&["connect", "-C", "RC4", "localhost", "443"]);
    r.failed_with(2, "RC4");
    assert!(r.stderr.contains("tlskit scan"));
    let r = run(&["connect", "-C", "3DES", "localhost", "443"]);
    r.failed_with(2, "SWEET32");
    let r = run(&["serve", "-s", "x.pem", "-p", "TLSv1", "127.0.0.1", "0"]);
    r.failed_with(2, "RFC 8996");
}

#[test]
fn serve_refuses_versions_it_was_not_given() {
    let pki = Pki::new("ecdsa-p256");
    let pem = pki.issue_combined("localhost.pem", &["localhost"], &[]);
    let srv = serve(&["-s", p(&pem), "-p", "TLSv1_2"]);
    let r = run(&[
        "connect",
        "-p",
        "TLSv1_3",
        "-a",
        p(&pki.ca_cert()),
        "localhost",
        &srv.port.to_string(),
    ]);
    r.failed_with(1, "protocol version");
    let mut cmd = Command::new(openssl());
    cmd.args([
        "s_client",
        "-connect",
        &format!("127.0.0.1:{}", srv.port),
        "-tls1_3",
        "-CAfile",
        p(&pki.ca_cert()),
    ]);
    let r = run_with_stdin(&mut cmd, b"", Duration::from_secs(30));
    assert!(!r.stdout.contains(MSG));
    assert!(
        srv.peer
            .wait_output("handshake failed", Duration::from_secs(10)),
        "{}",
        srv.peer.output()
    );
}

#[test]
fn serve_forward_offloads_tls_to_a_plaintext_backend() {
    use std::io::{Read, Write};
    let backend = TcpListener::bind("127.0.0.1:0").unwrap();
    let bport = backend.local_addr().unwrap().port();
    let t = std::thread::spawn(move || {
        let (mut s, _) = backend.accept().unwrap();
        let mut buf = [0u8; 5];
        s.read_exact(&mut buf).unwrap();
        s.write_all(b"backend saw ").unwrap();
        s.write_all(&buf).unwrap();
    });
    let pki = Pki::new("ecdsa-p256");
    let pem = pki.issue_combined("localhost.pem", &["localhost"], &[]);
    let srv = serve(&["-s", p(&pem), "--forward", &format!("127.0.0.1:{bport}")]);
    let r = run(&[
        "connect",
        "--json",
        "-a",
        p(&pki.ca_cert()),
        "--send",
        "hello",
        "localhost",
        &srv.port.to_string(),
    ]);
    r.ok();
    assert_eq!(r.json()["received"]["text"], "backend saw hello");
    t.join().unwrap();
}

#[test]
fn serve_handshake_timeout_frees_silent_clients() {
    let pki = Pki::new("ecdsa-p256");
    let pem = pki.issue_combined("localhost.pem", &["localhost"], &[]);
    let srv = serve(&["-s", p(&pem), "--handshake-timeout", "0.5"]);
    let _silent = std::net::TcpStream::connect(("127.0.0.1", srv.port)).unwrap();
    assert!(
        srv.peer
            .wait_output("handshake timeout", Duration::from_secs(10)),
        "{}",
        srv.peer.output()
    );
    // and the server still answers others
    run(&[
        "connect",
        "-a",
        p(&pki.ca_cert()),
        "localhost",
        &srv.port.to_string(),
    ])
    .ok();
}

#[test]
fn keylog_lets_tshark_decrypt_a_capture() {
    let tshark = require_tool("tshark", "tshark");
    let pki = Pki::new("ecdsa-p256");
    let pem = pki.issue_combined("localhost.pem", &["localhost"], &[]);
    let srv = serve(&["-s", p(&pem), "--http"]);
    let cap = pki.path("cap.pcapng");
    let keys = pki.path("keys.log");
    let mut cmd = Command::new(&tshark);
    cmd.args([
        "-i",
        "lo",
        "-f",
        &format!("tcp port {}", srv.port),
        "-w",
        p(&cap),
    ]);
    let mut capture = Peer::spawn("tshark", &mut cmd);
    assert!(
        capture.wait_output("Capturing on", Duration::from_secs(20)),
        "tshark did not start: {}",
        capture.output()
    );
    std::thread::sleep(Duration::from_millis(500));
    run(&[
        "connect",
        "--keylog",
        p(&keys),
        "-a",
        p(&pki.ca_cert()),
        "--http",
        "/secret-path-42",
        "localhost",
        &srv.port.to_string(),
    ])
    .ok();
    std::thread::sleep(Duration::from_millis(800));
    // SAFETY: kill(2) on the pid of a child this test spawned and still owns (not yet reaped).
    unsafe { libc::kill(capture.child().id() as i32, libc::SIGINT) };
    let _ = capture.child().wait();
    let text = std::fs::read_to_string(&keys).unwrap();
    assert!(
        text.contains("CLIENT_HANDSHAKE_TRAFFIC_SECRET")
            && text.contains("CLIENT_TRAFFIC_SECRET_0"),
        "{text}"
    );
    let decrypted = run_cmd(
        Command::new(&tshark).args([
            "-r",
            p(&cap),
            "-o",
            &format!("tls.keylog_file:{}", p(&keys)),
            "-Y",
            "http.request",
            "-T",
            "fields",
            "-e",
            "http.request.uri",
        ]),
        Duration::from_secs(60),
    );
    assert!(
        decrypted.stdout.contains("/secret-path-42"),
        "tshark could not decrypt:\n{}\n{}",
        decrypted.stdout,
        decrypted.stderr
    );
    let without = run_cmd(
        Command::new(&tshark).args([
            "-r",
            p(&cap),
            "-Y",
            "http.request",
            "-T",
            "fields",
            "-e",
            "http.request.uri",
        ]),
        Duration::from_secs(60),
    );
    assert!(
        !without.stdout.contains("/secret-path-42"),
        "the capture should be opaque without the key log"
    );
}

#[test]
fn chromium_renders_the_http_page_only_when_the_ca_is_trusted() {
    let pki = Pki::new("ecdsa-p256");
    let pem = pki.issue_combined("localhost.pem", &["localhost"], &[]);
    let srv = serve(&["-s", p(&pem), "--http"]);
    let url = format!("https://localhost:{}/", srv.port);
    // Trusted: the lab CA in the browser's NSS database.
    let trusted = Browser::new(pki.path("home-trusted"), Some(&pki.ca_cert()));
    let r = trusted.dump_dom(&url, &[]);
    assert!(
        r.stdout.contains("Hello over TLS"),
        "Chromium did not render the page:\n{}\n{}",
        r.stdout,
        r.stderr
    );
    assert!(r.stdout.contains("TLSv1.3"), "{}", r.stdout);
    // Untrusted: a fresh home without the CA gets an interstitial, not the page.
    let r = Browser::new(pki.path("home-untrusted"), None).dump_dom(&url, &[]);
    assert!(
        !r.stdout.contains("Hello over TLS"),
        "Chromium rendered the page without trusting the CA:\n{}",
        r.stdout
    );
    assert!(
        srv.peer.output().contains("handshake failed"),
        "{}",
        srv.peer.output()
    );
}

#[test]
fn bad_input_gives_one_line_errors() {
    let pki = Pki::new("ecdsa-p256");
    let bad = pki.path("bad.pem");
    std::fs::write(
        &bad,
        "-----BEGIN CERTIFICATE-----\nnot base64!!\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    run(&["serve", "-s", p(&bad), "127.0.0.1", "0"]).failed_with(1, "bad.pem");
    run(&["serve", "-s", "/nonexistent/server.pem", "127.0.0.1", "0"])
        .failed_with(1, "no such file");
    // A key that belongs to another certificate.
    let (crt, _) = pki.issue("one", &["localhost"], &[]);
    let (_, key2) = pki.issue("two", &["localhost"], &[]);
    run(&["serve", "-s", p(&crt), "-k", p(&key2), "127.0.0.1", "0"])
        .failed_with(1, "does not belong");
    run(&["connect", "-a", p(&bad), "localhost", "1"]).failed_with(1, "bad.pem");
    // Port in use.
    let pem = pki.issue_combined("localhost.pem", &["localhost"], &[]);
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port().to_string();
    run(&["serve", "-s", p(&pem), "127.0.0.1", &port]).failed_with(1, "address already in use");
    run(&["serve", "127.0.0.1", &port]).failed_with(2, "needs a certificate");
    run(&["connect", "localhost", "99999"]).failed_with(2, "not a port number");
}

#[test]
fn serve_on_ipv6_loopback_and_stops_gracefully_on_ctrl_c() {
    let pki = Pki::new("ecdsa-p256");
    let pem = pki.issue_combined("localhost.pem", &["localhost", "::1"], &[]);
    let mut srv = serve_on("::1", &["-s", p(&pem)]);
    assert!(
        srv.peer.output().contains("listening on [::1]:"),
        "{}",
        srv.peer.output()
    );
    let port = srv.port.to_string();
    let r = run(&["connect", "--json", "-a", p(&pki.ca_cert()), "::1", &port]);
    r.ok();
    assert_eq!(r.json()["received"]["text"], MSG);
    assert_eq!(r.json()["target"]["address"], format!("[::1]:{port}"));
    // Ctrl-C: the server stops accepting, finishes, and exits 0 with a summary.
    // SAFETY: kill(2) on the pid of a child this test spawned and still owns (not yet reaped).
    unsafe { libc::kill(srv.peer.child().id() as i32, libc::SIGINT) };
    let status = srv.peer.child().wait().unwrap();
    assert_eq!(status.code(), Some(0), "{}", srv.peer.output());
    assert!(
        srv.peer.wait_output(
            "stopped after 1 connection(s), 0 failed",
            Duration::from_secs(5)
        ),
        "{}",
        srv.peer.output()
    );
}

#[test]
fn sslkeylogfile_is_honoured_and_empty_host_listens_on_every_interface() {
    let pki = Pki::new("ecdsa-p256");
    let pem = pki.issue_combined("localhost.pem", &["localhost"], &[]);
    // '' as in the seeds (`safe_tls.py -s localhost.pem '' 1060`): every IPv4 interface.
    let srv = serve_on("", &["-s", p(&pem), "--once"]);
    assert!(
        srv.peer.output().contains("listening on 0.0.0.0:"),
        "{}",
        srv.peer.output()
    );
    let port = srv.port.to_string();
    let keys = pki.path("env-keys.log");
    let r = run_cmd(
        tlskit().env("SSLKEYLOGFILE", &keys).args([
            "connect",
            "-a",
            p(&pki.ca_cert()),
            "localhost",
            &port,
        ]),
        Duration::from_secs(30),
    );
    r.ok();
    assert!(r.stderr.contains("writing TLS secrets"), "{}", r.stderr);
    let text = std::fs::read_to_string(&keys).unwrap();
    assert!(text.contains("CLIENT_TRAFFIC_SECRET_0 "), "{text}");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&keys).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the key log holds secrets");
}

#[test]
fn demo_runs_the_whole_story_and_can_keep_its_files() {
    let r = run(&["demo"]);
    r.ok();
    assert!(r.stdout.contains(MSG), "{}", r.stdout);
    assert!(
        r.stdout.contains("'localhost' matches the certificate"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("by hand: tlskit serve -s localhost.pem"),
        "{}",
        r.stdout
    );
    let r = run(&["demo", "--json"]);
    r.ok();
    let j = r.json();
    assert_eq!(j["received"]["text"], MSG);
    assert_eq!(j["certificate"]["verified"], true);
    assert_eq!(j["protocol"], "TLSv1.3");
    // --dir keeps the CA and the certificate; the keys are private.
    let dir = tempfile::tempdir().unwrap();
    let lab = dir.path().join("lab");
    run(&["demo", "--dir", p(&lab)]).ok();
    use std::os::unix::fs::PermissionsExt;
    for f in ["ca/ca.key", "localhost.pem"] {
        let mode = std::fs::metadata(lab.join(f)).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{f}");
    }
    // A second run refuses to overwrite the CA it made.
    run(&["demo", "--dir", p(&lab)]).failed_with(1, "pass --force");
    run(&["demo", "--dir", p(&lab), "--force"]).ok();
}

/// Issue 13: an existing key log that other users can read is not appended to, and `--keylog`
/// does not follow a symbolic link (someone could point it at a file of theirs); a 0600 file is
/// appended to as before. Against openssl s_server.
#[test]
fn keylog_refuses_open_files_and_symlinks() {
    use std::os::unix::fs::PermissionsExt;
    let pki = Pki::new("ecdsa-p256");
    let (crt, key) = pki.issue("server", &["localhost", "127.0.0.1"], &[]);
    let Listening { peer: _srv, port } = openssl_s_server_args(&crt, &key, &["-www"]);
    let port = port.to_string();
    let connect = |keys: &std::path::Path| {
        run(&[
            "connect",
            "--keylog",
            p(keys),
            "-a",
            p(&pki.ca_cert()),
            "--http",
            "/",
            "localhost",
            &port,
        ])
    };

    let open = pki.path("open-keys.log");
    std::fs::write(&open, "# someone else's\n").unwrap();
    std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o644)).unwrap();
    let r = connect(&open);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("is open to other users (mode 0644)") && r.stderr.contains("chmod 600"),
        "{}",
        r.stderr
    );
    assert_eq!(r.stderr.trim().lines().count(), 1, "one line: {}", r.stderr);
    assert_eq!(
        std::fs::read_to_string(&open).unwrap(),
        "# someone else's\n"
    );

    let victim = pki.path("victim.txt");
    std::fs::write(&victim, "untouched\n").unwrap();
    std::fs::set_permissions(&victim, std::fs::Permissions::from_mode(0o600)).unwrap();
    let link = pki.path("link-keys.log");
    std::os::unix::fs::symlink(&victim, &link).unwrap();
    let r = connect(&link);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("is a symbolic link"), "{}", r.stderr);
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "untouched\n");

    let good = pki.path("good-keys.log");
    std::fs::write(&good, "").unwrap();
    std::fs::set_permissions(&good, std::fs::Permissions::from_mode(0o600)).unwrap();
    connect(&good).ok();
    let text = std::fs::read_to_string(&good).unwrap();
    assert!(text.contains("CLIENT_TRAFFIC_SECRET_0 "), "{text}");
}

/// Issue 13: a ServerHello cut short (a hostile_server sends the first bytes of one and stalls)
/// is reported as truncated, not as a server that "did not answer".
#[test]
fn connect_says_a_truncated_server_hello_was_truncated() {
    use std::io::{Read, Write};
    let hostile_server = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = hostile_server.local_addr().unwrap().port();
    let t = std::thread::spawn(move || {
        let (mut c, _) = hostile_server.accept().unwrap();
        let mut buf = [0u8; 4096];
        let _ = c.read(&mut buf);
        // A handshake record announcing 80 bytes, of which only the ServerHello's start arrives.
        let _ = c.write_all(&[
            0x16, 0x03, 0x03, 0x00, 0x50, 0x02, 0x00, 0x00, 0x4c, 0x03, 0x03,
        ]);
        std::thread::sleep(Duration::from_secs(4));
    });
    let r = run(&["connect", "--timeout", "2", "127.0.0.1", &port.to_string()]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("sent 11 bytes"), "{}", r.stderr);
    assert!(r.stderr.contains("truncated"), "{}", r.stderr);
    assert!(!r.stderr.contains("did not answer"), "{}", r.stderr);
    let _ = t.join();
}
