//! `tlskit observe` between `tlskit connect` and `tlskit serve`: what an on-path observer sees
//! without any key — the SNI sent, the versions and suite, and record sizes that give away how
//! much data each side sent.

use crate::common::*;
use std::io::{Read, Write};
use std::path::Path;
use std::time::{Duration, Instant};

const NAME: &str = "www.bank32.com";
const MSG: &str = "Simple is better than complex.";

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// A running `tlskit observe` and its port.
pub(crate) struct Observer {
    pub peer: Peer,
    pub port: u16,
}

pub(crate) fn start_observe(upstream_port: u16, extra: &[&str]) -> Observer {
    let mut cmd = tlskit();
    cmd.args([
        "observe",
        "--listen",
        "127.0.0.1:0",
        "--upstream",
        &format!("127.0.0.1:{upstream_port}"),
    ])
    .args(extra);
    let peer = Peer::spawn("tlskit observe", &mut cmd);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let out = peer.output();
        let port = out.lines().find_map(|l| {
            if let Some(rest) = l.split("listening on ").nth(1) {
                return rest
                    .split([' ', ','])
                    .next()
                    .and_then(|a| a.rsplit(':').next())
                    .and_then(|p| p.parse().ok());
            }
            if l.contains("\"event\":\"listening\"") {
                let v: serde_json::Value = serde_json::from_str(l).ok()?;
                return v["address"].as_str()?.rsplit(':').next()?.parse().ok();
            }
            None
        });
        if let Some(port) = port {
            return Observer { peer, port };
        }
        if out.contains("tlskit: error:") || Instant::now() > deadline {
            panic!("tlskit observe did not start:\n{out}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The observation of the first connection (JSON mode).
fn observation(obs: &Observer) -> serde_json::Value {
    assert!(
        obs.peer
            .wait_output("\"event\":\"connection\"", Duration::from_secs(30)),
        "no observation:\n{}",
        obs.peer.output()
    );
    let out = obs.peer.output();
    let line = out
        .lines()
        .find(|l| l.contains("\"event\":\"connection\""))
        .unwrap();
    serde_json::from_str(line).unwrap()
}

fn records_from_server(o: &serde_json::Value) -> Vec<serde_json::Value> {
    o["records"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["direction"] == "server_to_client" && r["phase"] == "application")
        .cloned()
        .collect()
}

#[test]
fn the_observer_sees_the_sni_and_the_size_of_the_message_tls13() {
    let pki = Pki::new("ecdsa-p256");
    let pem = pki.issue_combined("bank.pem", &[NAME], &[]);
    let srv = serve(&["-s", p(&pem), "--no-resumption", "--message", MSG]);
    let obs = start_observe(srv.port, &["--json", "--once"]);
    let r = run(&[
        "connect",
        "-a",
        p(&pki.ca_cert()),
        "--servername",
        NAME,
        "--json",
        "127.0.0.1",
        &obs.port.to_string(),
    ]);
    r.ok();
    let report = r.json();
    let o = observation(&obs);
    assert_eq!(o["tls"], true);
    assert_eq!(o["client_hello"]["sni"], NAME, "{o}");
    assert!(o["client_hello"]["offered_versions"]
        .as_array()
        .unwrap()
        .iter()
        .any(|v| v == "TLSv1.3"));
    let ja3 = o["client_hello"]["ja3_hash"].as_str().unwrap();
    assert_eq!(ja3.len(), 32);
    assert_eq!(o["server_hello"]["version"], "TLSv1.3");
    // What the observer read in clear matches what the client negotiated.
    assert_eq!(
        o["server_hello"]["cipher_suite"],
        report["cipher_suite"]["name"]
    );
    assert_eq!(o["version"], report["protocol"]);
    assert_eq!(o["round_trips"], 1);
    assert!(o["handshake_ms"].as_f64().unwrap() > 0.0);
    // The server sent MSG in one record: payload = data + 1 (inner type) + 16 (AEAD tag).
    let app = records_from_server(&o);
    assert!(!app.is_empty(), "{o}");
    assert_eq!(app[0]["length"], MSG.len() + 17, "{o}");
    assert_eq!(app[0]["wire_length"], MSG.len() + 17 + 5);
    assert_eq!(app[0]["plaintext_estimate"], MSG.len());
    assert_eq!(app[0]["encrypted"], true);
    assert_eq!(app[0]["content_type"], "application_data");
    // The client received exactly that.
    assert_eq!(report["received"]["bytes"], MSG.len(), "{report}");
    // Totals: what passed the relay.
    assert!(o["bytes"]["server_to_client"].as_u64().unwrap() > MSG.len() as u64);
}

#[test]
fn tls12_records_show_the_gcm_overhead_and_two_round_trips() {
    let pki = Pki::new("ecdsa-p256");
    let pem = pki.issue_combined("bank.pem", &[NAME], &[]);
    let srv = serve(&["-s", p(&pem), "--no-resumption", "--message", MSG]);
    let obs = start_observe(srv.port, &["--json", "--once"]);
    run(&[
        "connect",
        "-a",
        p(&pki.ca_cert()),
        "--servername",
        NAME,
        "-p",
        "TLSv1_2",
        "-C",
        "ECDHE-ECDSA-AES128-GCM-SHA256",
        "-q",
        "127.0.0.1",
        &obs.port.to_string(),
    ])
    .ok();
    let o = observation(&obs);
    assert_eq!(o["server_hello"]["version"], "TLSv1.2");
    assert_eq!(
        o["server_hello"]["cipher_suite"],
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"
    );
    assert!(
        o["server_hello"]["group"].as_str().is_some(),
        "TLS 1.2: the group is in the ServerKeyExchange: {o}"
    );
    assert_eq!(o["round_trips"], 2, "{o}");
    // AES-GCM in TLS 1.2: 8-byte explicit nonce + 16-byte tag.
    let app = records_from_server(&o);
    let data = app
        .iter()
        .find(|r| r["content_type"] == "application_data")
        .expect("an application record");
    assert_eq!(data["length"], MSG.len() + 24, "{o}");
    // In TLS 1.2 the handshake records stay visible as handshake records.
    let names: Vec<&str> = o["records"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["what"].as_str())
        .collect();
    assert!(
        names.iter().any(|w| w.contains("ServerKeyExchange")),
        "{names:?}"
    );
    assert!(
        names.iter().any(|w| w.contains("ClientKeyExchange")),
        "{names:?}"
    );
}

#[test]
fn http_exchanges_are_inferred_from_the_record_pattern() {
    let pki = Pki::new("ecdsa-p256");
    let pem = pki.issue_combined("bank.pem", &[NAME], &[]);
    let srv = serve(&["-s", p(&pem), "--http"]);
    let obs = start_observe(srv.port, &["--once"]);
    let r = run(&[
        "connect",
        "-a",
        p(&pki.ca_cert()),
        "--servername",
        NAME,
        "--http",
        "/",
        "-q",
        "127.0.0.1",
        &obs.port.to_string(),
    ]);
    r.ok();
    assert!(
        obs.peer.wait_output("bytes:", Duration::from_secs(30)),
        "{}",
        obs.peer.output()
    );
    let out = obs.peer.output();
    assert!(out.contains(&format!("SNI:              {NAME}")), "{out}");
    assert!(out.contains("ALPN:             http/1.1"), "{out}");
    assert!(out.contains("ServerHello (in clear"), "{out}");
    assert!(out.contains("app_data (opaque)"), "{out}");
    assert!(out.contains("handshake: the TLS handshake took"), "{out}");
    // The GET and the page: a small request answered by a larger response.
    let line = out
        .lines()
        .find(|l| l.contains("request ") && l.contains("-> response"))
        .unwrap_or_else(|| panic!("{out}"));
    let nums: Vec<usize> = line
        .split(['(', ' '])
        .filter_map(|w| w.parse::<usize>().ok())
        .collect();
    assert!(nums.len() >= 4, "{line}");
    assert!(
        out.contains("tlskit observe: stopped after 1 connection"),
        "{out}"
    );
}

#[test]
fn plaintext_is_reported_as_fully_visible() {
    // An echo server that speaks plain TCP.
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        if let Ok((mut s, _)) = l.accept() {
            let mut buf = [0u8; 1024];
            if let Ok(n) = s.read(&mut buf) {
                let _ = s.write_all(b"HTTP/1.0 200 OK\r\n\r\nplain");
                let _ = n;
            }
        }
    });
    let obs = start_observe(port, &["--json", "--once"]);
    let mut c = std::net::TcpStream::connect(("127.0.0.1", obs.port)).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    c.write_all(b"GET /secret?password=hunter2 HTTP/1.0\r\n\r\n")
        .unwrap();
    let mut answer = String::new();
    let _ = c.read_to_string(&mut answer);
    drop(c);
    assert!(answer.contains("plain"));
    let o = observation(&obs);
    assert_eq!(o["tls"], false);
    assert!(o["not_tls"].as_str().unwrap().contains("HTTP"), "{o}");
    assert_eq!(o["exchanges"].as_array().unwrap().len(), 1, "{o}");
}

#[test]
fn an_unreachable_upstream_is_reported_not_fatal() {
    let dead = free_port();
    let obs = start_observe(dead, &["--json", "--once"]);
    let mut c = std::net::TcpStream::connect(("127.0.0.1", obs.port)).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut buf = Vec::new();
    let _ = c.read_to_end(&mut buf);
    let o = observation(&obs);
    assert!(
        o["error"].as_str().unwrap().contains("connection refused"),
        "{o}"
    );
}

#[test]
fn bad_input_gives_one_line_errors() {
    run(&["observe", "--upstream", "127.0.0.1:1"]).failed_with(2, "--listen");
    run(&["observe", "--listen", "127.0.0.1:0"]).failed_with(2, "--upstream");
    run(&["observe", "--listen", "127.0.0.1:0", "--upstream", "nohost"]).failed_with(2, "no port");
    run(&[
        "observe",
        "--listen",
        "127.0.0.1:99999",
        "--upstream",
        "127.0.0.1:1",
    ])
    .failed_with(2, "not a port number");
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    run(&[
        "observe",
        "--listen",
        &format!("127.0.0.1:{port}"),
        "--upstream",
        "127.0.0.1:1",
    ])
    .failed_with(1, "address already in use");
}
