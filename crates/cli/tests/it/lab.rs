//! `tlskit lab`: every endpoint against real clients — curl, `tlskit connect`, OpenSSL's OCSP
//! client, headless Chromium (with the lab CA trusted by `tlskit cert trust`) and `tlskit scan`
//! — and the legacy endpoints from a build with `--features legacy-lab`.

use crate::common::*;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// A running `tlskit lab` and the endpoints it announced.
struct RunningLab {
    peer: Peer,
    dir: tempfile::TempDir,
    base: u16,
    endpoints: Vec<serde_json::Value>,
}

impl RunningLab {
    fn ca(&self) -> PathBuf {
        self.dir.path().join("ca.crt")
    }
    fn lab(&self, file: &str) -> PathBuf {
        self.dir.path().join("lab").join(file)
    }
    fn endpoint(&self, name: &str) -> &serde_json::Value {
        self.endpoints
            .iter()
            .find(|e| e["name"] == name)
            .unwrap_or_else(|| panic!("no endpoint {name}"))
    }
    fn port(&self, name: &str) -> String {
        self.endpoint(name)["port"].as_u64().unwrap().to_string()
    }
    fn url(&self, name: &str) -> String {
        self.endpoint(name)["url"].as_str().unwrap().to_string()
    }
}

/// 21 consecutive free ports on 127.0.0.1.
fn free_port_range(n: u16) -> u16 {
    let seed = std::process::id() as u32;
    for attempt in 0..200u32 {
        let base = 20_000 + ((seed.wrapping_mul(7919) + attempt * 131) % 30_000) as u16;
        let held: Vec<_> = (0..n)
            .map_while(|i| TcpListener::bind(("127.0.0.1", base + i)).ok())
            .collect();
        if held.len() == n as usize {
            return base;
        }
    }
    panic!("no range of {n} free ports found");
}

fn start_lab(bin: &Path) -> RunningLab {
    let dir = tempfile::tempdir().unwrap();
    for _ in 0..3 {
        let base = free_port_range(21);
        let mut cmd = Command::new(bin);
        cmd.env("NO_COLOR", "1").args([
            "lab",
            "--dir",
            dir.path().to_str().unwrap(),
            "--port-base",
            &base.to_string(),
            "--json",
        ]);
        let peer = Peer::spawn("tlskit lab", &mut cmd);
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let out = peer.output();
            // The JSON array is printed whole before the first log line.
            if let Some(end) = out.find("\n]\n") {
                let start = out.find('[').unwrap();
                let endpoints: Vec<serde_json::Value> =
                    serde_json::from_str(&out[start..end + 2]).unwrap();
                assert!(wait_for_port(base, Duration::from_secs(10)));
                return RunningLab {
                    peer,
                    dir,
                    base,
                    endpoints,
                };
            }
            if out.contains("cannot listen") {
                break; // a port was taken meanwhile: try another range
            }
            assert!(
                !out.contains("tlskit: error") && Instant::now() < deadline,
                "tlskit lab did not start:\n{out}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    panic!("tlskit lab could not find free ports");
}

fn curl(args: &[&str]) -> Run {
    let tool = require_tool("curl", "curl");
    run_cmd(
        Command::new(tool)
            .args(["-sS", "-o", "/dev/null", "--max-time", "20"])
            .args(args),
        Duration::from_secs(60),
    )
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// curl's exit status for each rustls endpoint (with the lab CA trusted), and what it says.
const CURL: &[(&str, i32, &str)] = &[
    ("good", 0, ""),
    ("expired", 60, "expired"),
    ("not-yet-valid", 60, "not yet valid"),
    (
        "wrong-host",
        60,
        "no alternative certificate subject name matches",
    ),
    ("self-signed", 60, "self-signed certificate"),
    (
        "untrusted-root",
        60,
        "self-signed certificate in certificate chain",
    ),
    (
        "incomplete-chain",
        60,
        "unable to get local issuer certificate",
    ),
    // curl checks no revocation unless asked (see the revocation test).
    ("revoked", 0, ""),
    ("sha1-signature", 60, ""),
    ("client-cert-required", 56, "certificate required"),
    ("hsts", 0, ""),
    // By IP address curl sends no SNI: the fallback certificate does not match.
    ("no-sni-different-cert", 60, "127.0.0.1"),
];

/// `tlskit connect`'s verdict for each rustls endpoint: None when it connects, else a piece of
/// its one error line.
const CONNECT: &[(&str, Option<&str>)] = &[
    ("good", None),
    ("expired", Some("certificate has expired")),
    ("not-yet-valid", Some("certificate is not yet valid")),
    ("wrong-host", Some("hostname mismatch")),
    (
        "self-signed",
        Some("unable to get local issuer certificate"),
    ),
    (
        "untrusted-root",
        Some("issuer: CN=tlskit lab UNTRUSTED root"),
    ),
    (
        "incomplete-chain",
        Some("issuer: CN=tlskit lab intermediate CA"),
    ),
    ("revoked", None),
    (
        "sha1-signature",
        Some("signed with an algorithm rustls does not accept"),
    ),
    ("client-cert-required", Some("certificate_required alert")),
    ("hsts", None),
    ("no-sni-different-cert", Some("IP address mismatch")),
];

/// Endpoints only a legacy build serves.
const LEGACY: &[&str] = &[
    "rsa-1024", "tls1.0", "tls1.1", "rc4", "3des", "dh-1024", "null", "export",
];

#[test]
fn every_endpoint_gets_the_expected_verdict_from_curl_and_tlskit_connect() {
    let lab = start_lab(&tlskit_bin());
    assert_eq!(lab.endpoints.len(), 20);
    let json: Vec<serde_json::Value> = serde_json::from_str(
        &std::fs::read_to_string(lab.dir.path().join("endpoints.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(json, lab.endpoints, "endpoints.json is what --json printed");
    for e in &lab.endpoints {
        for field in ["name", "url", "port", "expect"] {
            assert!(!e[field].is_null(), "{field} missing in {e}");
        }
    }
    assert_eq!(lab.url("good"), format!("https://localhost:{}/", lab.base));
    assert_eq!(
        lab.url("expired"),
        format!("https://localhost:{}/", lab.base + 1)
    );
    // The default build says which endpoints need the legacy build, and serves none of them.
    for name in LEGACY {
        let e = lab.endpoint(name);
        assert_eq!(e["available"], false, "{e}");
        assert!(e["unavailable"]
            .as_str()
            .unwrap()
            .contains("--features legacy-lab"));
        let port: u16 = lab.port(name).parse().unwrap();
        assert!(
            std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
            "{name} is listening"
        );
    }
    let ca = lab.ca();
    for (name, code, says) in CURL {
        let r = curl(&["--cacert", p(&ca), &lab.url(name)]);
        assert_eq!(r.code, *code, "curl {name}: {}", r.stderr);
        assert!(r.stderr.contains(says), "curl {name}: {}", r.stderr);
    }
    for (name, verdict) in CONNECT {
        let host = if *name == "no-sni-different-cert" {
            "127.0.0.1"
        } else {
            "localhost"
        };
        let r = run(&[
            "connect",
            "-a",
            p(&ca),
            "--http",
            "/",
            host,
            &lab.port(name),
        ]);
        match verdict {
            None => {
                r.ok();
                assert!(r.stdout.contains("tlskit lab"), "{name}: {}", r.stdout);
            }
            Some(why) => {
                r.failed_with(1, why);
            }
        }
    }
    // What the fixes look like: the client certificate, SNI, the HSTS header.
    let r = run(&[
        "connect",
        "-a",
        p(&ca),
        "-c",
        p(&lab.lab("client.pem")),
        "--http",
        "/",
        "localhost",
        &lab.port("client-cert-required"),
    ]);
    r.ok();
    let r = run(&[
        "connect",
        "-a",
        p(&ca),
        "localhost",
        &lab.port("no-sni-different-cert"),
    ]);
    r.ok();
    let r = run(&[
        "connect",
        "-a",
        p(&ca),
        "--http",
        "/",
        "localhost",
        &lab.port("hsts"),
    ]);
    r.ok();
    assert!(
        r.stdout.contains("Strict-Transport-Security: max-age=300"),
        "{}",
        r.stdout
    );
    // The index lists every endpoint with its link, what the browser says and the command.
    let r = run(&[
        "connect",
        "-a",
        p(&ca),
        "--http",
        "/",
        "-q",
        "localhost",
        &lab.port("good"),
    ]);
    r.ok();
    for e in &lab.endpoints {
        assert!(r
            .stdout
            .contains(&format!("id=\"{}\"", e["name"].as_str().unwrap())));
    }
    assert!(r.stdout.contains("ERR_CERT_DATE_INVALID"));
    // The server logs what each client did, e.g. curl's alert about the expired certificate.
    assert!(
        lab.peer.wait_output("[expired]", Duration::from_secs(5)),
        "{}",
        lab.peer.output()
    );
    // The lab CA is name-constrained and reused by a second start (trust it once).
    let ca_bytes = std::fs::read(&ca).unwrap();
    // Ctrl-C stops everything.
    let mut peer = lab.peer;
    // SAFETY: kill(2) on the pid of a child this test spawned and still owns (not yet reaped).
    unsafe {
        libc::kill(peer.child().id() as i32, libc::SIGINT);
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Ok(Some(st)) = peer.child().try_wait() {
            break st;
        }
        assert!(Instant::now() < deadline, "tlskit lab ignored Ctrl-C");
        std::thread::sleep(Duration::from_millis(30));
    };
    assert!(status.success(), "{status:?}\n{}", peer.output());
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", lab.base)).is_err(),
        "still listening after Ctrl-C"
    );
    let info = run(&["cert", "show", "--json", p(&ca)]).json();
    let exts: Vec<&str> = info["certificates"][0]["extensions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert!(exts.contains(&"nameConstraints"), "{exts:?}");
    let again = start_lab_in(&tlskit_bin(), lab.dir);
    assert_eq!(std::fs::read(again.ca()).unwrap(), ca_bytes);
}

fn start_lab_in(bin: &Path, dir: tempfile::TempDir) -> RunningLab {
    let base = free_port_range(21);
    let mut cmd = Command::new(bin);
    cmd.args([
        "lab",
        "--dir",
        dir.path().to_str().unwrap(),
        "--port-base",
        &base.to_string(),
        "--json",
    ]);
    let peer = Peer::spawn("tlskit lab", &mut cmd);
    assert!(
        peer.wait_output("\n]\n", Duration::from_secs(60)),
        "{}",
        peer.output()
    );
    assert!(wait_for_port(base, Duration::from_secs(10)));
    RunningLab {
        peer,
        dir,
        base,
        endpoints: Vec::new(),
    }
}

#[test]
fn the_revoked_endpoint_is_revoked_by_crl_ocsp_and_staple() {
    let lab = start_lab(&tlskit_bin());
    let ca = lab.ca();
    let responder = format!("http://127.0.0.1:{}", lab.base + 20);
    // OpenSSL's OCSP client asks the lab's responder.
    let openssl = require_tool("openssl", "openssl");
    for (cert, status) in [("revoked.crt", ": revoked"), ("good.crt", ": good")] {
        let r = run_cmd(
            Command::new(&openssl).args([
                "ocsp",
                "-issuer",
                p(&ca),
                "-cert",
                p(&lab.lab(cert)),
                "-url",
                &format!("{responder}/ocsp"),
                "-CAfile",
                p(&ca),
            ]),
            Duration::from_secs(30),
        );
        assert!(
            r.stdout.contains(status),
            "{cert}: {}\n{}",
            r.stdout,
            r.stderr
        );
        assert!(
            r.stderr.contains("Response verify OK") || r.stdout.contains("Response verify OK"),
            "{}",
            r.stderr
        );
    }
    // curl with the CRL the lab serves, and with the stapled OCSP answer.
    let crl = lab.dir.path().join("downloaded.crl");
    let r = run_cmd(
        Command::new(require_tool("curl", "curl")).args([
            "-sS",
            "-o",
            p(&crl),
            &format!("{responder}/crl.pem"),
        ]),
        Duration::from_secs(30),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = curl(&[
        "--cacert",
        p(&ca),
        "--crlfile",
        p(&crl),
        &lab.url("revoked"),
    ]);
    assert_eq!(r.code, 60, "{}", r.stderr);
    assert!(r.stderr.contains("certificate revoked"), "{}", r.stderr);
    let r = curl(&["--cacert", p(&ca), "--cert-status", &lab.url("revoked")]);
    assert_eq!(r.code, 91, "{}", r.stderr);
    assert!(r.stderr.contains("revocation reason"), "{}", r.stderr);
    // tlskit connect with the CRL file.
    run(&[
        "connect",
        "-a",
        p(&ca),
        "--crl",
        p(&lab.lab("revoked.crl")),
        "localhost",
        &lab.port("revoked"),
    ])
    .failed_with(1, "has been revoked");
    run(&[
        "connect",
        "-a",
        p(&ca),
        "--crl",
        p(&lab.lab("revoked.crl")),
        "localhost",
        &lab.port("good"),
    ])
    .ok();
    // The certificate points at the responder.
    let show = run(&["cert", "show", "-v", p(&lab.lab("revoked.crt"))]);
    show.ok();
    assert!(
        show.stdout.contains("crlDistributionPoints"),
        "{}",
        show.stdout
    );
    assert!(
        show.stdout.contains("authorityInfoAccess"),
        "{}",
        show.stdout
    );
    // A malformed request gets a malformedRequest answer, not a hang or a crash.
    let r = run_cmd(
        Command::new(require_tool("curl", "curl")).args([
            "-sS",
            "--data-binary",
            "not an OCSP request",
            "-H",
            "Content-Type: application/ocsp-request",
            "-o",
            "-",
            &format!("{responder}/ocsp"),
        ]),
        Duration::from_secs(30),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout.as_bytes(), [0x30, 0x03, 0x0a, 0x01, 0x01]);
}

#[test]
fn the_revocation_service_starts_for_any_ca_dir() {
    // The library function other tests (the scanner's revocation check) use.
    let pki = Pki::new("ecdsa-p256");
    let (cert, _key) = pki.issue("victim", &["localhost"], &[]);
    let serial_hex = run(&["cert", "show", "--json", p(&cert)]).json()["certificates"][0]["serial"]
        .as_str()
        .unwrap()
        .replace(':', "");
    let parsed: Vec<u8> = (0..serial_hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&serial_hex[i..i + 2], 16).unwrap())
        .collect();
    let responder = tlskit::lab::revocation::start_background(
        &pki.ca_dir(),
        "127.0.0.1:0".parse().unwrap(),
        &[tlskit::pki::ca::RevokedCert {
            serial: parsed,
            time: time_now_minus_hour(),
        }],
        &[],
    )
    .unwrap();
    let openssl = require_tool("openssl", "openssl");
    let r = run_cmd(
        Command::new(&openssl).args([
            "ocsp",
            "-issuer",
            p(&pki.ca_cert()),
            "-cert",
            p(&cert),
            "-url",
            &responder.ocsp_url(),
            "-CAfile",
            p(&pki.ca_cert()),
        ]),
        Duration::from_secs(30),
    );
    assert!(r.stdout.contains(": revoked"), "{}\n{}", r.stdout, r.stderr);
    let r = run_cmd(
        Command::new(require_tool("curl", "curl")).args([
            "-sS",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            &responder.crl_url(),
        ]),
        Duration::from_secs(30),
    );
    assert_eq!(r.stdout, "200");
}

fn time_now_minus_hour() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc() - time::Duration::hours(1)
}

#[test]
fn chromium_with_the_lab_ca_trusted_loads_the_index_and_shows_each_error() {
    let lab = start_lab(&tlskit_bin());
    let browser = Browser::trusting_with_tlskit(lab.dir.path().join("home"), lab.dir.path());
    let index = browser.dump_dom(&lab.url("good"), &[]);
    assert!(
        index.stdout.contains("<title>tlskit lab</title>"),
        "{}\n{}",
        index.stdout,
        index.stderr
    );
    assert!(
        index.stdout.contains("incomplete-chain"),
        "{}",
        index.stdout
    );
    for e in &lab.endpoints {
        if e["available"] != true {
            continue;
        }
        let name = e["name"].as_str().unwrap();
        let expected = e["browser"].as_str().unwrap();
        let got = browser.net_error(e["url"].as_str().unwrap());
        match got {
            Ok(()) => assert!(
                expected.starts_with("loads"),
                "{name}: Chromium loaded it, expected {expected}"
            ),
            Err(err) => assert!(
                names_error(expected, &err),
                "{name}: Chromium said {err}, expected {expected}"
            ),
        }
    }
    // Undo removes the CA from the database again.
    let nssdb = lab.dir.path().join("home/.pki/nssdb");
    run(&[
        "cert",
        "trust",
        p(lab.dir.path()),
        "--nss-db",
        p(&nssdb),
        "--undo",
    ])
    .ok();
    let certutil = require_tool("certutil", "libnss3-tools");
    let list = run_cmd(
        Command::new(certutil).args(["-L", "-d", &format!("sql:{}", nssdb.display())]),
        Duration::from_secs(30),
    );
    assert!(!list.stdout.contains("tlskit lab CA"), "{}", list.stdout);
}

/// Whether the catalogue's browser text names `err` (as a whole word: ERR_CERT_INVALID is not
/// ERR_CERT_INVALID_X).
fn names_error(expected: &str, err: &str) -> bool {
    let needle = format!("net::{err}");
    expected.match_indices(&needle).any(|(i, _)| {
        !expected[i + needle.len()..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
    })
}

/// `tlskit scan -a CA` grade of each rustls endpoint.
/// A+ needs HSTS of at least 180 days (docs/GRADING.md): `good` sends none, and `hsts` sends
/// max-age 300 on purpose (a lab must not pin localhost to HTTPS in a browser for months), so
/// both are A, with the finding saying why.
const GRADES: &[(&str, &str)] = &[
    ("good", "A"),
    ("expired", "T"),
    ("not-yet-valid", "T"),
    ("wrong-host", "M"),
    ("self-signed", "T"),
    ("untrusted-root", "T"),
    ("incomplete-chain", "T"),
    ("revoked", "F"),
    ("sha1-signature", "T"),
    ("hsts", "A"),
    // Graded by the certificate served for localhost (SNI); the fallback a client without SNI
    // gets is reported apart (certificate_without_sni and a finding), not graded.
    ("no-sni-different-cert", "A"),
    // Rated on its TLS configuration like SSL Labs does; the refused handshake changes nothing.
    ("client-cert-required", "A"),
];

#[test]
fn tlskit_scan_grades_each_endpoint_as_expected() {
    let lab = start_lab(&tlskit_bin());
    let ca = lab.ca();
    for (name, grade) in GRADES {
        let r = run_cmd(
            tlskit().args([
                "scan",
                "--json",
                "-a",
                p(&ca),
                &format!("localhost:{}", lab.port(name)),
            ]),
            Duration::from_secs(300),
        );
        let v = r.json();
        let t = if v["targets"].is_array() {
            &v["targets"][0]
        } else {
            &v
        };
        assert_eq!(t["grade"]["grade"], *grade, "{name}: {}", t["grade"]);
        if *name == "hsts" {
            assert_eq!(t["http"]["hsts"]["max_age"], 300, "{}", t["http"]);
            assert!(
                t["findings"].to_string().contains("http.hsts_short"),
                "{}",
                t["findings"]
            );
        }
        if *name == "no-sni-different-cert" {
            let w = &t["certificate_without_sni"];
            assert_eq!(w["outcome"], "different", "{w}");
            assert_eq!(
                w["chain"]["certificates"][0]["san_dns"][0],
                "fallback.lab.test"
            );
        }
        let ca = &t["client_auth"];
        if *name == "client-cert-required" {
            assert_eq!(ca["requested"], true, "{name}: {ca}");
            assert_eq!(ca["required"], true, "{name}: {ca}\n{}", t["errors"]);
            // rustls names the lab CA (the issuer of the server's certificate).
            let issuer = &t["certificates"][0]["certificates"][0]["issuer"];
            assert_eq!(ca["ca_names"][0], *issuer, "{name}: {ca}");
        } else {
            assert_eq!(ca["requested"], false, "{name}: {ca}");
        }
    }
}

#[test]
fn the_default_build_links_no_openssl_and_the_legacy_build_does() {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
    let tree = |features: &[&str]| {
        let r = run_cmd(
            Command::new(&cargo)
                .args([
                    "tree",
                    "--locked",
                    "--offline",
                    "-e",
                    "normal",
                    "--prefix",
                    "none",
                    "-p",
                    "tlskit-cli",
                ])
                .args(features)
                .arg("--manifest-path")
                .arg(&manifest),
            Duration::from_secs(300),
        );
        assert_eq!(r.code, 0, "cargo tree: {}", r.stderr);
        r.stdout
    };
    let default = tree(&[]);
    assert!(default.contains("rustls"), "{default}");
    // (openssl-probe only looks for certificate directories: no crypto in it.)
    for weak in [
        "openssl v",
        "openssl-sys ",
        "openssl-src ",
        "tlskit-testsupport ",
    ] {
        assert!(
            !default.lines().any(|l| l.starts_with(weak)),
            "the default build links {weak}:\n{default}"
        );
    }
    let legacy = tree(&["--features", "legacy-lab"]);
    assert!(
        legacy.lines().any(|l| l.starts_with("openssl-sys")),
        "{legacy}"
    );
}

/// Build `tlskit` with `--features legacy-lab` into a target directory of its own (beside the
/// test's), so the default binary under test is not replaced. The first build compiles the
/// vendored OpenSSL and takes minutes; later ones are quick.
fn legacy_bin() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().and_then(|d| d.parent()).unwrap().to_path_buf();
    let target_dir = profile_dir.parent().unwrap().join("legacy-lab");
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let r = run_cmd(
        Command::new(cargo)
            .args([
                "build",
                "--quiet",
                "--locked",
                "-p",
                "tlskit-cli",
                "--features",
                "legacy-lab",
            ])
            .arg("--manifest-path")
            .arg(workspace.join("Cargo.toml"))
            .arg("--target-dir")
            .arg(&target_dir),
        Duration::from_secs(3600),
    );
    assert_eq!(
        r.code, 0,
        "cargo build --features legacy-lab failed:\n{}",
        r.stderr
    );
    target_dir.join("debug").join("tlskit")
}

#[test]
fn the_legacy_build_serves_the_legacy_endpoints() {
    let bin = legacy_bin();
    let lab = start_lab(&bin);
    let ca = lab.ca();
    for name in LEGACY {
        assert_eq!(lab.endpoint(name)["available"], true);
        let port: u16 = lab.port(name).parse().unwrap();
        assert!(
            wait_for_port(port, Duration::from_secs(10)),
            "{name} is not listening"
        );
    }
    // tlskit connect (rustls) refuses every one of them, with a reason.
    for (name, why) in [
        ("tls1.0", "does not speak TLSv1.2 or TLSv1.3"),
        ("tls1.1", "does not speak TLSv1.2 or TLSv1.3"),
        ("rc4", "handshake_failure"),
        ("3des", "handshake_failure"),
        ("dh-1024", "handshake_failure"),
        ("null", "handshake_failure"),
        ("export", ""),
    ] {
        let r = run(&["connect", "-a", p(&ca), "localhost", &lab.port(name)]);
        assert_eq!(r.code, 1, "{name}: {}{}", r.stdout, r.stderr);
        assert!(r.stderr.contains(why), "{name}: {}", r.stderr);
    }
    run(&["connect", "-a", p(&ca), "localhost", &lab.port("rsa-1024")])
        .failed_with(1, "has a 1024-bit RSA key");
    // curl (OpenSSL at Debian's security level 2) refuses them too.
    for name in LEGACY {
        let r = curl(&["--cacert", p(&ca), &lab.url(name)]);
        assert_ne!(r.code, 0, "curl accepted {name}");
    }
    // openssl s_client at security level 0 shows what each one really negotiates.
    let openssl = require_tool("openssl", "openssl");
    for (name, flags, expect) in [
        ("tls1.0", vec!["-tls1"], "Protocol  : TLSv1\n"),
        ("tls1.1", vec!["-tls1_1"], "Protocol  : TLSv1.1"),
        ("dh-1024", vec!["-tls1_2"], "Server Temp Key: DH, 1024 bits"),
        ("null", vec!["-tls1_2"], "NULL"),
    ] {
        let mut cmd = Command::new(&openssl);
        cmd.args([
            "s_client",
            "-connect",
            &format!("127.0.0.1:{}", lab.port(name)),
            "-cipher",
            "ALL:COMPLEMENTOFALL:@SECLEVEL=0",
        ])
        .args(&flags);
        let r = run_with_stdin(&mut cmd, b"", Duration::from_secs(30));
        assert!(
            r.stdout.contains(expect),
            "{name}: {}\n{}",
            r.stdout,
            r.stderr
        );
    }
    // tlskit scan: the grade and the one finding each endpoint is about. (Debian's openssl has
    // no RC4 or 3DES at all, so only the scanner, which speaks legacy TLS itself, shows that one.)
    for (name, grade, rule) in [
        ("rsa-1024", "B", "cert.key_under_2048"),
        ("tls1.0", "C", "protocol.tls10_tls11"),
        ("tls1.1", "C", "protocol.tls10_tls11"),
        ("rc4", "C", "vuln.rc4"),
        ("3des", "C", "vuln.sweet32"),
        ("dh-1024", "B", "vuln.logjam"),
        ("null", "F", "suites.null"),
        ("export", "F", "vuln.freak"),
    ] {
        let r = run_cmd(
            tlskit().args([
                "scan",
                "--json",
                "-a",
                p(&ca),
                &format!("localhost:{}", lab.port(name)),
            ]),
            Duration::from_secs(300),
        );
        let v = r.json();
        let t = if v["targets"].is_array() {
            &v["targets"][0]
        } else {
            &v
        };
        assert_eq!(t["grade"]["grade"], grade, "{name}: {}", t["grade"]);
        assert!(
            t["grade"]["rules"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["id"] == rule),
            "{name}: no {rule} in {}",
            t["grade"]
        );
    }
    // Chromium: what the catalogue says.
    let browser = Browser::trusting_with_tlskit(lab.dir.path().join("home"), lab.dir.path());
    for name in LEGACY {
        let e = lab.endpoint(name);
        let expected = e["browser"].as_str().unwrap();
        match browser.net_error(&lab.url(name)) {
            Ok(()) => assert!(
                expected.starts_with("loads"),
                "{name}: loaded; expected {expected}"
            ),
            Err(err) => assert!(
                names_error(expected, &err),
                "{name}: {err}; expected {expected}"
            ),
        }
    }
}
