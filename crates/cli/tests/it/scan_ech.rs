//! `tlskit scan`'s Encrypted Client Hello check (`ech`, RFC 9849) and `tlskit connect
//! --ech-config` against real servers:
//! OpenSSL 4's `s_server` with an ECH key made by `openssl ech` (the `openssl` program of
//! OpenSSL 4.0, built from vendored source by crates/testsupport-ech), the same server without
//! one, nginx (Debian's, no ECH), and Debian's `openssl s_server` without TLS 1.3. Certificates
//! are issued by `tlskit cert`.

use crate::common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// Path of `tlskit-openssl4` (package tlskit-testsupport-ech), which runs the OpenSSL 4
/// `openssl` program that crate builds, built by [`sibling_bin`] on first use (the first `cargo
/// test -p tlskit-cli` compiles OpenSSL 4, a few minutes). `TLSKIT_OPENSSL4=/path/to/openssl`
/// overrides.
pub fn openssl4() -> PathBuf {
    sibling_bin(
        "tlskit-testsupport-ech",
        "tlskit-openssl4",
        "TLSKIT_OPENSSL4",
        "; needs perl, make, gcc",
    )
}

/// An ECH key and its ECHConfigList made by `openssl ech -public_name NAME` (OpenSSL 4), in
/// `dir/ech.pem`.
fn ech_key(dir: &Path, public_name: &str) -> PathBuf {
    let out = dir.join("ech.pem");
    let r = run_cmd(
        Command::new(openssl4()).args(["ech", "-public_name", public_name, "-out", p(&out)]),
        Duration::from_secs(30),
    );
    assert_eq!(r.code, 0, "openssl ech failed:\n{}{}", r.stdout, r.stderr);
    let pem = std::fs::read_to_string(&out).unwrap();
    assert!(pem.contains("-----BEGIN ECHCONFIG-----"), "{pem}");
    out
}

struct Server {
    peer: Peer,
    port: u16,
}

/// OpenSSL 4's `s_server -www` on 127.0.0.1 with `extra` (e.g. `-ech_key FILE`).
fn s_server4(crt: &Path, key: &Path, extra: &[&str]) -> Server {
    let port = free_port();
    let mut cmd = Command::new(openssl4());
    cmd.args([
        "s_server",
        "-accept",
        &format!("127.0.0.1:{port}"),
        "-cert",
        p(crt),
        "-key",
        p(key),
        "-www",
    ])
    .args(extra);
    Server {
        peer: Peer::listening("OpenSSL 4 s_server", &mut cmd, port),
        port,
    }
}

/// `tlskit scan --checks ech --json --servername inner.test 127.0.0.1:PORT` (+ `extra`),
/// checked against the schema.
fn scan_ech(port: u16, extra: &[&str]) -> (Value, Run) {
    let target = format!("127.0.0.1:{port}");
    let mut args = vec![
        "scan",
        "--json",
        "--timeout",
        "5",
        "--checks",
        "ech",
        "--servername",
        "inner.test",
    ];
    args.extend_from_slice(extra);
    args.push(&target);
    let r = run_cmd(
        tlskit().env("NO_COLOR", "1").args(&args),
        Duration::from_secs(120),
    );
    assert_eq!(r.code, 0, "scan failed:\n{}\n{}", r.stdout, r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).expect("scan --json prints JSON");
    validate_schema(&v);
    (v, r)
}

fn certs() -> (Pki, PathBuf, PathBuf) {
    let pki = Pki::new("ecdsa-p256");
    let (crt, key) = pki.issue("srv", &["inner.test", "public.test"], &[]);
    (pki, crt, key)
}

/// OpenSSL 4's `s_server` with an ECH key for public.test (made by `openssl ech`), serving
/// inner.test: the CA, the key file and the server.
fn ech_server() -> (Pki, PathBuf, Server) {
    ech_server_with(false)
}

/// [`ech_server`], the key loaded with `-ech_key` (offered as retry configs), or with
/// `noretry` from a directory by `-ech_noretry_dir` (used, never sent as retry configs).
fn ech_server_with(noretry: bool) -> (Pki, PathBuf, Server) {
    let (pki, crt, key) = certs();
    let dir = pki.dir.path().join("ech");
    std::fs::create_dir_all(&dir).unwrap();
    let pem = ech_key(&dir, "public.test");
    let (flag, arg) = match noretry {
        false => ("-ech_key", pem.clone()),
        true => ("-ech_noretry_dir", dir),
    };
    let srv = s_server4(
        &crt,
        &key,
        &[
            flag,
            p(&arg),
            "-servername",
            "inner.test",
            "-cert2",
            p(&crt),
            "-key2",
            p(&key),
        ],
    );
    (pki, pem, srv)
}

/// The ECHConfigList (with its length) in the ECHCONFIG block `openssl ech` wrote.
fn ech_config_list(pem: &Path) -> Vec<u8> {
    let text = std::fs::read_to_string(pem).unwrap();
    let b64: String = text
        .split("-----BEGIN ECHCONFIG-----")
        .nth(1)
        .unwrap()
        .split("-----END ECHCONFIG-----")
        .next()
        .unwrap()
        .split_whitespace()
        .collect();
    tlskit::base64::decode_lenient(&b64).expect("base64 in the ECHCONFIG block")
}

#[test]
fn openssl4_with_an_ech_key_is_supported_and_accepts_a_real_ech_handshake() {
    let (_pki, pem, srv) = ech_server();

    // The probe alone: retry configs, decoded.
    let (v, _) = scan_ech(srv.port, &[]);
    let ech = &v["ech"];
    assert_eq!(ech["supported"], true, "{ech:#}\n{}", srv.peer.output());
    let retry = ech["retry_configs"].as_array().unwrap();
    assert_eq!(retry.len(), 1, "{ech:#}");
    assert_eq!(retry[0]["version"], 0xfe0d);
    assert_eq!(retry[0]["public_name"], "public.test");
    assert_eq!(retry[0]["kem"]["id"], 0x0020);
    assert_eq!(retry[0]["kem"]["name"], "DHKEM(X25519, HKDF-SHA256)");
    assert_eq!(retry[0]["cipher_suites"][0]["kdf"]["name"], "HKDF-SHA256");
    assert_eq!(retry[0]["cipher_suites"][0]["aead"]["name"], "AES-128-GCM");
    assert_eq!(ech["accepted"], Value::Null, "no configuration was known");
    assert!(ech.get("handshake").is_none());

    // The config id in the file is the one the server sent back.
    let list = ech_config_list(&pem);
    assert_eq!(retry[0]["config_id"], list[6], "{ech:#}");

    // A real ECH handshake with the server's configuration: accepted, with the inner SNI.
    let (v, r) = scan_ech(srv.port, &["--ech-config", p(&pem)]);
    let ech = &v["ech"];
    assert_eq!(ech["accepted"], true, "{ech:#}\n{}", srv.peer.output());
    let hs = &ech["handshake"];
    assert_eq!(hs["source"], "file");
    assert_eq!(hs["accepted"], true);
    assert_eq!(hs["inner_sni"], "inner.test");
    assert_eq!(hs["public_name"], "public.test");
    assert_eq!(hs["config_id"], list[6]);
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    // "accepted" is rustls' ECH status: the ServerHello carried the acceptance confirmation
    // only a server that decrypted the inner ClientHello can compute (RFC 9849 §7.2).
    // (s_server's own log of it is buffered and so not read here.)
}

#[test]
fn a_foreign_ech_config_is_rejected_and_the_text_report_says_so() {
    let (pki, crt, key) = certs();
    let pem = ech_key(pki.dir.path(), "public.test");
    let other = tempfile::tempdir().unwrap();
    let foreign = ech_key(other.path(), "public.test");
    let srv = s_server4(&crt, &key, &["-ech_key", p(&pem)]);
    let (v, _) = scan_ech(srv.port, &["--ech-config", p(&foreign)]);
    let ech = &v["ech"];
    assert_eq!(ech["supported"], true, "{ech:#}");
    assert_eq!(ech["accepted"], false, "{ech:#}");
    assert_eq!(ech["handshake"]["accepted"], false);
    let ids: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["id"].as_str())
        .collect();
    assert!(ids.contains(&"ech.config_rejected"), "{ids:?}");

    // The text report: the section, its retry config and the rejected handshake.
    let target = format!("127.0.0.1:{}", srv.port);
    let r = run_cmd(
        tlskit().env("NO_COLOR", "1").args([
            "scan",
            "--timeout",
            "5",
            "--checks",
            "ech",
            "--servername",
            "inner.test",
            "--ech-config",
            p(&foreign),
            &target,
        ]),
        Duration::from_secs(120),
    );
    assert!(r.code == 0 || r.code == 3, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("Encrypted Client Hello"), "{}", r.stdout);
    assert!(r.stdout.contains("public name public.test"), "{}", r.stdout);
    assert!(
        r.stdout.contains("ECH handshake          rejected"),
        "{}",
        r.stdout
    );
}

#[test]
fn servers_without_ech_are_not_supported() {
    let (_pki, crt, key) = certs();
    // OpenSSL 4 without an ECH key.
    let srv = s_server4(&crt, &key, &[]);
    let (v, _) = scan_ech(srv.port, &[]);
    assert_eq!(v["ech"]["supported"], false, "{:#}", v["ech"]);
    assert!(
        v["ech"]["reason"].as_str().unwrap().contains("ignored"),
        "{:#}",
        v["ech"]
    );
    assert_eq!(v["ech"]["retry_configs"], serde_json::json!([]));
    drop(srv);

    // nginx (Debian's OpenSSL 3: no ECH).
    let port = free_port();
    let _nginx = Nginx::start(
        &format!(
            "  server {{ listen 127.0.0.1:{port} ssl; ssl_certificate {}; ssl_certificate_key {}; location / {{ return 200 \"ok\\n\"; }} }}",
            crt.display(),
            key.display()
        ),
        &[port],
    );
    let (v, _) = scan_ech(port, &[]);
    assert_eq!(v["ech"]["supported"], false, "{:#}", v["ech"]);
    assert!(v["ech"].get("error").is_none(), "{:#}", v["ech"]);
}

#[test]
fn a_server_without_tls13_is_not_supported_with_the_reason() {
    let (_pki, crt, key) = certs();
    let srv = openssl_s_server(&crt, &key, &["-no_tls1_3"]);
    let port = srv.port;
    let (v, _) = scan_ech(port, &[]);
    assert_eq!(v["ech"]["supported"], false, "{:#}", v["ech"]);
    assert!(
        v["ech"]["reason"]
            .as_str()
            .unwrap()
            .contains("TLSv1.3 is not offered"),
        "{:#}",
        v["ech"]
    );
}

#[test]
fn an_ech_config_file_without_a_list_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.pem");
    std::fs::write(
        &bad,
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    let r = run(&["scan", "--ech-config", p(&bad), "127.0.0.1:1"]);
    r.failed_with(2, "--ech-config");
    assert!(r.stderr.contains("ECHConfigList"), "{}", r.stderr);
}

/// With `--dns`, the ECHConfigList of the name's HTTPS record (RFC 9460 type 65, SvcParam `ech`)
/// served by dnsmasq is tried in a real ECH handshake with OpenSSL 4 — accepted; a name whose
/// record has no `ech` is "published: false" and no handshake is tried.
#[test]
fn the_ech_config_of_the_dns_https_record_is_tried_with_dns() {
    let (pki, pem, srv) = ech_server();
    let list = ech_config_list(&pem);
    let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
    // HTTPS RDATA: SvcPriority 1, TargetName "." (the owner), SvcParams: ech (key 5) = the list;
    // public.test gets a record with only alpn (key 1) = "h2".
    let mut with_ech = String::from("0001") + "00" + "0005";
    with_ech += &format!("{:04x}", list.len());
    with_ech += &hex(&list);
    let without_ech = String::from("0001") + "00" + "0001" + "0003" + "02" + &hex(b"h2");
    let (_dns, dns_port) = dnsmasq(
        pki.dir.path(),
        &[
            format!("inner.test,65,{with_ech}"),
            format!("public.test,65,{without_ech}"),
        ],
    );
    let dns_server = format!("127.0.0.1:{dns_port}");

    let (v, r) = scan_ech(srv.port, &["--dns", "--dns-server", &dns_server]);
    let ech = &v["ech"];
    assert_eq!(ech["published"], true, "{ech:#}\n{}", r.stderr);
    let hs = &ech["handshake"];
    assert_eq!(hs["source"], "dns", "{ech:#}");
    assert_eq!(hs["inner_sni"], "inner.test");
    assert_eq!(hs["public_name"], "public.test");
    assert_eq!(ech["accepted"], true, "{ech:#}\n{}", srv.peer.output());

    // A name whose HTTPS record carries no ech: published false, nothing tried, no error.
    let target = format!("127.0.0.1:{}", srv.port);
    let r = run_cmd(
        tlskit().env("NO_COLOR", "1").args([
            "scan",
            "--json",
            "--timeout",
            "5",
            "--checks",
            "ech",
            "--servername",
            "public.test",
            "--dns",
            "--dns-server",
            &dns_server,
            &target,
        ]),
        Duration::from_secs(120),
    );
    assert_eq!(r.code, 0, "scan failed:\n{}\n{}", r.stdout, r.stderr);
    let v = r.json();
    validate_schema(&v);
    let ech = &v["ech"];
    assert_eq!(ech["published"], false, "{ech:#}");
    assert!(ech.get("handshake").is_none(), "{ech:#}");
    assert_eq!(ech["supported"], true, "{ech:#}");
    let errors = v["errors"].as_array().unwrap();
    assert!(
        !errors
            .iter()
            .any(|e| e.as_str().unwrap_or("").contains("ECH")),
        "{errors:?}"
    );
    // The text report says what DNS published.
    let r = run_cmd(
        tlskit().env("NO_COLOR", "1").args([
            "scan",
            "--timeout",
            "5",
            "--checks",
            "ech",
            "--servername",
            "inner.test",
            "--dns",
            "--dns-server",
            &dns_server,
            &target,
        ]),
        Duration::from_secs(120),
    );
    assert!(
        r.stdout
            .contains("DNS HTTPS record       publishes an ECHConfigList")
            && r.stdout.contains("accepted with the DNS configuration"),
        "{}\n{}",
        r.stdout,
        r.stderr
    );
}

/// An ECH server that keeps its configuration out of retry_configs (OpenSSL 4's
/// `-ech_noretry_dir`) looks like a server without ECH to the probe: "not supported", with a
/// reason that says so and names the way to tell; the real handshake with its configuration
/// (`--ech-config`) is accepted and turns the verdict to supported.
#[test]
fn an_ech_server_that_withholds_retry_configs_is_told_by_a_real_handshake() {
    let (_pki, pem, srv) = ech_server_with(true);
    let (v, _) = scan_ech(srv.port, &[]);
    assert_eq!(v["ech"]["supported"], false, "{}", v["ech"]);
    let reason = v["ech"]["reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains("may withhold them") && reason.contains("--ech-config"),
        "{reason}"
    );
    let (v, _) = scan_ech(srv.port, &["--ech-config", p(&pem)]);
    assert_eq!(v["ech"]["supported"], true, "{}", v["ech"]);
    assert_eq!(v["ech"]["accepted"], true, "{}", v["ech"]);
    assert_eq!(
        v["ech"]["retry_configs"],
        serde_json::json!([]),
        "{}",
        v["ech"]
    );
    assert!(v["ech"].get("reason").is_none(), "{}", v["ech"]);
}

/// `tlskit connect --ech-config` (+ `extra`) to inner.test on 127.0.0.1:PORT, trusting the CA.
fn connect_ech(pki: &Pki, port: u16, config: &Path, extra: &[&str]) -> Run {
    let ca = pki.ca_cert();
    let port = port.to_string();
    let mut args = vec![
        "connect",
        "--timeout",
        "5",
        "--ech-config",
        p(config),
        "-a",
        p(&ca),
        "--servername",
        "inner.test",
    ];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["127.0.0.1", &port]);
    run_cmd(
        tlskit().env("NO_COLOR", "1").args(&args),
        Duration::from_secs(60),
    )
}

/// `connect --ech-config` with the server's own configuration: OpenSSL 4 decrypts the inner
/// ClientHello and says on its page which name it saw in clear and which inside; the report
/// says ECH was accepted, names the public name, and the text says where the real name went.
#[test]
fn connect_with_ech_hides_the_server_name_and_the_server_confirms_it() {
    let (pki, pem, srv) = ech_server();
    let list = ech_config_list(&pem);
    let r = connect_ech(&pki, srv.port, &pem, &["--json", "--http", "/"]);
    assert_eq!(
        r.code,
        0,
        "{}\n{}\n{}",
        r.stdout,
        r.stderr,
        srv.peer.output()
    );
    let v: Value = serde_json::from_str(&r.stdout).expect("connect --json prints JSON");
    assert_eq!(v["ech"]["accepted"], true, "{:#}", v["ech"]);
    assert_eq!(v["ech"]["public_name"], "public.test");
    assert_eq!(v["ech"]["config_id"], list[6]);
    assert_eq!(v["servername"], "inner.test");
    assert_eq!(v["protocol"], "TLSv1.3");
    assert_eq!(v["certificate"]["verified"], true, "{:#}", v["certificate"]);
    let body = v["http"]["body"].as_str().unwrap_or_default();
    assert!(
        body.contains("ECH success: outer sni: public.test, inner sni: inner.test"),
        "{body}"
    );

    // The text report.
    let r = connect_ech(&pki, srv.port, &pem, &["--http", "/"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("SNI                  inner.test (in the encrypted inner ClientHello)"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("ECH                  accepted")
            && r.stdout
                .contains("the ClientHello in clear named public.test"),
        "{}",
        r.stdout
    );
}

/// A configuration the server has no key for (another `openssl ech` run): the server answers
/// the outer ClientHello with its retry configurations and the connection fails with one line
/// saying so. A server without ECH (Debian's OpenSSL 3) fails it too, with no retry configs.
/// Settings ECH cannot work with are usage errors before any connection.
#[test]
fn connect_with_ech_fails_clearly_when_the_offer_is_not_accepted() {
    let (pki, _pem, srv) = ech_server();
    let other = tempfile::tempdir().unwrap();
    let foreign = ech_key(other.path(), "public.test");
    let r = connect_ech(&pki, srv.port, &foreign, &[]);
    r.failed_with(1, "did not accept Encrypted Client Hello");
    assert!(
        r.stderr.contains("sent 1 retry configuration"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);

    let (crt, key) = pki.issue("plain", &["inner.test", "public.test"], &[]);
    let plain = openssl_s_server(&crt, &key, &[]);
    let r = connect_ech(&pki, plain.port, &foreign, &[]);
    r.failed_with(1, "sent no retry configurations");

    let r = connect_ech(&pki, plain.port, &foreign, &["-p", "TLSv1_2"]);
    r.failed_with(2, "needs TLS 1.3");
    let r = connect_ech(&pki, plain.port, &crt, &[]);
    r.failed_with(2, "holds no ECHConfigList");
}

/// What the path sees of an ECH connection: `tlskit observe` between `connect --ech-config` and
/// OpenSSL 4 reads the public name as the SNI (never inner.test) and the offer itself, in text
/// and in JSON.
#[test]
fn observe_shows_the_public_name_and_the_offer_but_not_the_real_name() {
    let (pki, pem, srv) = ech_server();
    let list = ech_config_list(&pem);
    for json in [false, true] {
        let obs = crate::observe::start_observe(srv.port, if json { &["--json"] } else { &[] });
        let r = connect_ech(&pki, obs.port, &pem, &["--http", "/"]);
        assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
        let want = if json {
            "\"event\":\"connection\""
        } else {
            "records:"
        };
        assert!(
            obs.peer.wait_output(want, Duration::from_secs(30)),
            "{}",
            obs.peer.output()
        );
        let out = obs.peer.output();
        assert!(!out.contains("inner.test"), "{out}");
        if json {
            let line = out
                .lines()
                .find(|l| l.contains("\"event\":\"connection\""))
                .unwrap();
            let v: Value = serde_json::from_str(line).unwrap();
            let ch = &v["client_hello"];
            assert_eq!(ch["sni"], "public.test", "{ch:#}");
            assert_eq!(ch["ech"]["config_id"], list[6], "{ch:#}");
            assert_eq!(ch["ech"]["kdf"], "HKDF-SHA256");
            assert_eq!(ch["ech"]["aead"], "AES-128-GCM");
            assert!(ch["ech"]["payload_bytes"].as_u64().unwrap() > 100, "{ch:#}");
        } else {
            assert!(out.contains("SNI:              public.test"), "{out}");
            assert!(
                out.contains(&format!(
                    "ECH:              offered: configuration {}, HKDF-SHA256 + AES-128-GCM",
                    list[6]
                )),
                "{out}"
            );
        }
    }
}
