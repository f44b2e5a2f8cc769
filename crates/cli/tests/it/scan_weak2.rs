//! The remaining weaknesses of issue 12 against real servers and, where no real vulnerable
//! server can be run here, minimal ones written for the test (named so):
//!
//! - `lucky13` (CVE-2013-0169), rated as testssl.sh rates it: "potentially" vulnerable when CBC
//!   suites are accepted with TLS ≤ 1.2. `openssl s_server` with CBC suites (with and without
//!   encrypt-then-MAC, `-no_etm`) and with AEAD suites only (the negative control).
//! - ROBOT's oracle, strong or weak as sslyze and testssl.sh rate it: the minimal server of
//!   scan_checks (`mini_server`): `Flaw::RobotOracle` checks the PKCS#1 format in full (weak),
//!   `Flaw::RobotPrefixOracle` only the 00 02 prefix (strong); `openssl s_server` with and
//!   without RSA key exchange (none; rsa_not_supported).

use crate::common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn openssl() -> PathBuf {
    require_tool("openssl", "openssl")
}

fn rsa_pki() -> (Pki, PathBuf, PathBuf) {
    let pki = Pki::new("rsa2048");
    let (crt, key) = pki.issue("srv", &["localhost"], &[]);
    (pki, crt, key)
}

/// `tlskit scan --json` (with `extra` flags), schema-checked.
fn scan_json(target: &str, extra: &[&str]) -> Value {
    let r = run_cmd(
        tlskit()
            .args(["scan", "--json", "--no-progress", "--timeout", "5"])
            .args(extra)
            .arg(target),
        Duration::from_secs(120),
    );
    assert_eq!(r.code, 0, "scan failed:\n{}\n{}", r.stdout, r.stderr);
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).expect("scan --json prints JSON");
    validate_schema(&v);
    v
}

/// A weakness's entry.
fn entry<'a>(v: &'a Value, id: &str) -> &'a Value {
    let list = v["vulnerabilities"].as_array().expect("vulnerabilities");
    list.iter()
        .find(|x| x["id"] == id)
        .unwrap_or_else(|| panic!("no vulnerability {id} in {list:?}"))
}

fn detail(v: &Value, id: &str) -> String {
    entry(v, id)["detail"].as_str().unwrap().to_string()
}

fn finding<'a>(v: &'a Value, id: &str) -> Option<&'a Value> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == id)
}

struct Server {
    _peer: Peer,
    port: u16,
}

impl Server {
    fn target(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

/// `openssl s_server -www` with `extra` flags.
fn s_server(cert: &Path, key: &Path, extra: &[&str]) -> Server {
    let port = free_port();
    let mut cmd = Command::new(openssl());
    cmd.args([
        "s_server",
        "-accept",
        &format!("127.0.0.1:{port}"),
        "-cert",
        p(cert),
        "-key",
        p(key),
        "-www",
        "-quiet",
    ])
    .args(extra);
    Server {
        _peer: Peer::listening("openssl s_server", &mut cmd, port),
        port,
    }
}

// ---------------------------------------------------------------------------------------------
// Lucky Thirteen

#[test]
fn lucky13_potentially_vulnerable_with_cbc_suites_openssl_with_and_without_etm() {
    let (_pki, crt, key) = rsa_pki();
    let cbc = "ECDHE-RSA-AES128-SHA:AES256-SHA256:ECDHE-RSA-AES128-GCM-SHA256";
    // The default scan: lucky13 is part of it, encrypt-then-MAC negotiated (OpenSSL's default).
    let srv = s_server(&crt, &key, &["-tls1_2", "-cipher", cbc]);
    let v = scan_json(&srv.target(), &[]);
    let e = entry(&v, "lucky13");
    assert_eq!(e["vulnerable"], true, "{e}");
    assert_eq!(e["name"], "Lucky Thirteen (CVE-2013-0169)");
    let d = detail(&v, "lucky13");
    assert!(d.starts_with("potentially"), "{d}");
    assert!(
        d.contains("ECDHE-RSA-AES128-SHA") && d.contains("AES256-SHA256"),
        "{d}"
    );
    assert!(!d.contains("GCM"), "{d}");
    assert!(d.contains("cannot be confirmed remotely"), "{d}");
    assert!(
        d.contains("encrypt-then-MAC (RFC 7366) is negotiated"),
        "{d}"
    );
    assert_eq!(v["session_features"]["encrypt_then_mac"], true);
    let f = finding(&v, "vuln.lucky13").expect("finding vuln.lucky13");
    assert_eq!(f["severity"], "low");
    // Not graded (testssl.sh rates it low, SSL Labs does not cap for it).
    let rules = v["grade"]["rules"].to_string();
    assert!(!rules.contains("vuln.lucky13"), "{rules}");
    drop(srv);

    // The same suites without encrypt-then-MAC: the detail says no client is protected by it.
    let srv = s_server(&crt, &key, &["-tls1_2", "-no_etm", "-cipher", cbc]);
    let v = scan_json(&srv.target(), &["--checks", "lucky13"]);
    assert_eq!(entry(&v, "lucky13")["vulnerable"], true);
    let d = detail(&v, "lucky13");
    assert!(d.contains("is not negotiated"), "{d}");
    assert_eq!(v["session_features"]["encrypt_then_mac"], false);
}

#[test]
fn lucky13_not_vulnerable_with_aead_suites_only_openssl() {
    let (_pki, crt, key) = rsa_pki();
    let srv = s_server(
        &crt,
        &key,
        &[
            "-cipher",
            "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-CHACHA20-POLY1305",
        ],
    );
    let v = scan_json(&srv.target(), &["--checks", "lucky13"]);
    let e = entry(&v, "lucky13");
    assert_eq!(e["vulnerable"], false, "{e}");
    assert_eq!(
        detail(&v, "lucky13"),
        "no CBC suite is accepted with TLS ≤ 1.2"
    );
    assert!(finding(&v, "vuln.lucky13").is_none());
}

// ---------------------------------------------------------------------------------------------
// ROBOT: the kind of oracle, as sslyze and testssl.sh rate it

use crate::scan_checks::{chain_of, mini_server, Flaw};

fn oracle(v: &Value) -> &Value {
    &entry(v, "robot")["oracle"]
}

#[test]
fn robot_strong_oracle_minimal_vulnerable_server_written_for_the_test() {
    // The robot_oracle_server checking only the 00 02 prefix.
    let (_pki, crt, key) = rsa_pki();
    let srv = mini_server(Flaw::RobotPrefixOracle, chain_of(&crt), key);
    let v = scan_json(&srv.target(), &["--checks", "robot"]);
    let e = entry(&v, "robot");
    assert_eq!(e["vulnerable"], true, "{e}");
    assert_eq!(oracle(&v), "strong", "{e}");
    let d = detail(&v, "robot");
    assert!(d.contains("a strong Bleichenbacher oracle"), "{d}");
    assert!(d.contains("wrong first bytes: decrypt_error alert"), "{d}");
    assert!(
        d.contains("misplaced 00 separator: bad_record_mac alert"),
        "{d}"
    );
    assert!(finding(&v, "vuln.robot").is_some());
}

#[test]
fn robot_weak_oracle_minimal_vulnerable_server_written_for_the_test() {
    // The robot_oracle_server checking the whole PKCS#1 format: the three malformed blocks get
    // the same alert, only the conforming ones reach the Finished check.
    let (_pki, crt, key) = rsa_pki();
    let srv = mini_server(Flaw::RobotOracle, chain_of(&crt), key);
    let v = scan_json(&srv.target(), &["--checks", "robot"]);
    let e = entry(&v, "robot");
    assert_eq!(e["vulnerable"], true, "{e}");
    assert_eq!(oracle(&v), "weak", "{e}");
    assert!(detail(&v, "robot").contains("a weak Bleichenbacher oracle"));
    // Still an F, as SSL Labs grades ROBOT.
    assert_eq!(v["grade"]["grade"], "F", "{}", v["grade"]);
}

#[test]
fn robot_no_oracle_openssl_and_rsa_not_supported() {
    let (_pki, crt, key) = rsa_pki();
    let srv = s_server(&crt, &key, &["-tls1_2", "-cipher", "AES128-GCM-SHA256"]);
    let v = scan_json(&srv.target(), &["--checks", "robot"]);
    let e = entry(&v, "robot");
    assert_eq!(e["vulnerable"], false, "{e}");
    assert_eq!(oracle(&v), "none", "{e}");
    drop(srv);
    let srv = s_server(
        &crt,
        &key,
        &["-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256"],
    );
    let v = scan_json(&srv.target(), &["--checks", "robot"]);
    let e = entry(&v, "robot");
    assert_eq!(e["vulnerable"], false, "{e}");
    assert_eq!(oracle(&v), "rsa_not_supported", "{e}");
    // Other weaknesses carry no oracle.
    let v = scan_json(&srv.target(), &["--checks", "robot,lucky13"]);
    assert!(entry(&v, "lucky13").get("oracle").is_none());
}
