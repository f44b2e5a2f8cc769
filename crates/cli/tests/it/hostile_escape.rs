//! Terminal and log injection: a crafted ClientHello (SNI and ALPN carrying ESC sequences and
//! `\n[fake] line`) through `observe`, and HTTP carrying them through `serve --http`'s access log.
//! Text output must show them escaped (no ESC byte, no line of the attacker's own); JSON output
//! keeps the exact bytes.

use crate::common::*;
use crate::hostile::{material, tls_exchange};
use crate::observe::start_observe;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;
use tlskit_wire::client_hello::ClientHelloBuilder;
use tlskit_wire::version::Version;

const EVIL_SNI: &str = "evil\x1b[2J\n[fake] line";
const EVIL_ALPN: &[u8] = b"h2\x1b]0;pwned\x07\n[fake] alpn";

/// A TCP sink standing in for the upstream: reads whatever comes, then closes.
fn sink() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for s in l.incoming() {
            let Ok(mut s) = s else { continue };
            let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
            let mut b = [0u8; 4096];
            let _ = s.read(&mut b);
        }
    });
    port
}

fn send_evil_hello(port: u16) {
    let hello = ClientHelloBuilder::for_version(Version::Tls13, &[0x1301], Some(EVIL_SNI))
        .alpn(&[EVIL_ALPN])
        .build_record();
    let mut c = TcpStream::connect(("127.0.0.1", port)).unwrap();
    c.write_all(&hello).unwrap();
    let _ = c.shutdown(std::net::Shutdown::Write);
    c.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut b = Vec::new();
    let _ = c.read_to_end(&mut b);
}

fn assert_no_injection(out: &str) {
    assert!(
        !out.contains('\x1b'),
        "an ESC byte reached the output:\n{out}"
    );
    assert!(
        !out.contains('\x07'),
        "a BEL byte reached the output:\n{out}"
    );
    assert!(
        !out.lines().any(|l| l.starts_with("[fake]")),
        "a peer-made line reached the output:\n{out}"
    );
}

#[test]
fn observe_text_escapes_a_crafted_sni_and_alpn() {
    let obs = start_observe(sink(), &["--once"]);
    send_evil_hello(obs.port);
    assert!(
        obs.peer.wait_output("JA4", Duration::from_secs(30)),
        "no observation:\n{}",
        obs.peer.output()
    );
    let out = obs.peer.output();
    assert_no_injection(&out);
    assert!(out.contains("evil\\x1b[2J\\n[fake] line"), "{out}");
}

#[test]
fn observe_json_keeps_the_exact_bytes() {
    let obs = start_observe(sink(), &["--once", "--json"]);
    send_evil_hello(obs.port);
    assert!(obs
        .peer
        .wait_output("\"event\":\"connection\"", Duration::from_secs(30)));
    let out = obs.peer.output();
    assert_no_injection(&out);
    let line = out
        .lines()
        .find(|l| l.contains("\"event\":\"connection\""))
        .unwrap();
    let v: serde_json::Value = serde_json::from_str(line).unwrap();
    assert_eq!(v["client_hello"]["sni"], EVIL_SNI);
}

#[test]
fn serve_http_access_log_escapes_the_request() {
    let m = material();
    let srv = serve(&[
        "--cert",
        m.cert.to_str().unwrap(),
        "--key",
        m.key.to_str().unwrap(),
        "--http",
    ]);
    // httparse refuses control bytes in a request head (400, below); an encoded ESC in the target
    // stays encoded.
    let answer = tls_exchange(
        &m.pki.ca_cert(),
        srv.port,
        b"GET /a%1b%5b31m HTTP/1.1\r\nHost: x\r\nUser-Agent: t\r\nConnection: close\r\n\r\n",
        Duration::from_secs(10),
    );
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(srv.peer.wait_output("\"GET /", Duration::from_secs(10)));
    let out = srv.peer.output();
    assert_no_injection(&out);
    assert!(out.contains("GET /a%1b%5b31m 200"), "{out}");
    // A request line with raw control bytes is refused (400), and the log line stays one line.
    let answer = tls_exchange(
        &m.pki.ca_cert(),
        srv.port,
        b"GET /\x1b[2J\n[fake] line HTTP/1.1\r\n\r\n",
        Duration::from_secs(10),
    );
    assert!(String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 400"));
    std::thread::sleep(Duration::from_millis(500));
    assert_no_injection(&srv.peer.output());
}
