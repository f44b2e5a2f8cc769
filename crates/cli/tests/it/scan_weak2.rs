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
//! - `ticketbleed` (CVE-2016-9244): `ticketbleed_server`, a front for a real `openssl s_server`
//!   that pads the resumed session ID the way F5's stack did; the same s_server alone, and with
//!   `-no_ticket` (not asked), as the negative controls.

use crate::common::openssl_s_server as s_server;
use crate::common::*;
use serde_json::Value;
use std::path::PathBuf;
use std::time::Duration;

fn rsa_pki() -> (Pki, PathBuf, PathBuf) {
    let pki = Pki::new("rsa2048");
    let (crt, key) = pki.issue("srv", &["localhost"], &[]);
    (pki, crt, key)
}

/// `tlskit scan --json` (with `extra` flags), schema-checked.
fn scan_json(target: &str, extra: &[&str]) -> Value {
    scan_json_ok(&[extra, &[target]].concat())
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

// ---------------------------------------------------------------------------------------------
// Ticketbleed

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};

/// One record's header (type, version) and payload; None on EOF, timeout or an oversized length.
fn read_record(s: &mut TcpStream) -> Option<(u8, u16, Vec<u8>)> {
    let mut h = [0u8; 5];
    s.read_exact(&mut h).ok()?;
    let len = u16::from_be_bytes([h[3], h[4]]) as usize;
    if len > 18432 {
        return None;
    }
    let mut body = vec![0u8; len];
    s.read_exact(&mut body).ok()?;
    Some((h[0], u16::from_be_bytes([h[1], h[2]]), body))
}

fn record(typ: u8, version: u16, body: &[u8]) -> Vec<u8> {
    let mut r = vec![typ];
    r.extend_from_slice(&version.to_be_bytes());
    r.extend_from_slice(&(body.len() as u16).to_be_bytes());
    r.extend_from_slice(body);
    r
}

/// `ticketbleed_server`: a minimal vulnerable responder written for the test — a TCP front for a
/// real `openssl s_server` (which issues and resumes the tickets) that grafts F5's flaw onto it.
/// When a ClientHello offers a non-empty session ticket with a session ID shorter than 32 bytes,
/// the ServerHello's session ID (OpenSSL echoes the client's when it resumes) is padded to 32
/// bytes with "memory" that differs per connection. Everything else is relayed unchanged (the
/// Finished then no longer verifies, which the scan never gets to). Each read is bounded.
fn ticketbleed_server(upstream: u16) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for (n, c) in listener.incoming().enumerate() {
            let Ok(c) = c else { continue };
            std::thread::spawn(move || {
                let _ = ticketbleed_relay(c, upstream, n as u8);
            });
        }
    });
    port
}

fn ticketbleed_relay(mut client: TcpStream, upstream: u16, n: u8) -> Option<()> {
    use tlskit_wire::client_hello::ClientHello;
    use tlskit_wire::handshake::ServerHello;
    let timeout = Some(Duration::from_secs(10));
    client.set_read_timeout(timeout).ok()?;
    let mut server = TcpStream::connect(("127.0.0.1", upstream)).ok()?;
    server.set_read_timeout(timeout).ok()?;
    let (typ, version, body) = read_record(&mut client)?;
    let flawed = typ == 22
        && ClientHello::parse_message(&body).is_ok_and(|ch| {
            ch.session_id.len() < 32 && ch.extension(35u16).is_some_and(|e| !e.data.is_empty())
        });
    server.write_all(&record(typ, version, &body)).ok()?;
    if flawed {
        let (typ, version, mut body) = read_record(&mut server)?;
        if typ == 22 && body.first() == Some(&2) && body.len() >= 4 {
            let len = u32::from_be_bytes([0, body[1], body[2], body[3]]) as usize;
            let mut sh = ServerHello::parse(body.get(4..4 + len)?).ok()?;
            let memory = (0..32u8).map(|i| i.wrapping_mul(37) ^ n ^ 0xc3);
            let missing = 32 - sh.session_id.len();
            sh.session_id.extend(memory.take(missing));
            let mut patched = sh.to_message();
            patched.extend_from_slice(&body[4 + len..]);
            body = patched;
        }
        client.write_all(&record(typ, version, &body)).ok()?;
    }
    // Relay the rest both ways.
    let (mut c2, mut s2) = (client.try_clone().ok()?, server.try_clone().ok()?);
    let up = std::thread::spawn(move || {
        let _ = std::io::copy(&mut c2, &mut s2);
        let _ = s2.shutdown(std::net::Shutdown::Write);
    });
    let _ = std::io::copy(&mut server, &mut client);
    let _ = client.shutdown(std::net::Shutdown::Write);
    let _ = up.join();
    Some(())
}

#[test]
fn ticketbleed_minimal_vulnerable_server_written_for_the_test_then_openssl() {
    let (_pki, crt, key) = rsa_pki();
    let real = s_server(&crt, &key, &["-tls1_2"]);
    let port = ticketbleed_server(real.port);
    let v = scan_json(&format!("127.0.0.1:{port}"), &["--checks", "ticketbleed"]);
    let e = entry(&v, "ticketbleed");
    assert_eq!(e["vulnerable"], true, "{e}");
    assert_eq!(e["name"], "Ticketbleed (CVE-2016-9244)");
    let d = detail(&v, "ticketbleed");
    assert!(
        d.contains("echoed 32 bytes: 31 bytes of its memory ("),
        "{d}"
    );
    let f = finding(&v, "vuln.ticketbleed").expect("finding");
    assert_eq!(f["severity"], "high");
    assert_eq!(v["grade"]["grade"], "F", "{}", v["grade"]);

    // The same openssl s_server without the front: the 1-byte ID comes back as sent.
    let v = scan_json(&real.target(), &["--checks", "ticketbleed"]);
    let e = entry(&v, "ticketbleed");
    assert_eq!(e["vulnerable"], false, "{e}");
    assert_eq!(
        detail(&v, "ticketbleed"),
        "the server resumed the ticket and echoed the 1-byte session ID as sent"
    );
}

#[test]
fn ticketbleed_not_asked_without_session_tickets_openssl() {
    let (_pki, crt, key) = rsa_pki();
    let srv = s_server(&crt, &key, &["-tls1_2", "-no_ticket"]);
    let v = scan_json(&srv.target(), &["--checks", "ticketbleed"]);
    let e = entry(&v, "ticketbleed");
    assert_eq!(e["vulnerable"], false, "{e}");
    assert_eq!(
        detail(&v, "ticketbleed"),
        "not vulnerable: no session tickets"
    );
    assert_eq!(v["session_features"]["session_tickets"], false);
}
