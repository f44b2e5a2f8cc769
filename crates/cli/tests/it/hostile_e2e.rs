//! End-to-end hostile suite (issue 13): every network client command — `connect`, `connect
//! --http`, `cert show`, `scan`, `bench` — against `hostile_server`, a minimal hostile TLS server
//! written for this test, in each of its modes: garbage, 0xFFFF-byte records, a 16 MiB handshake
//! length, a truncated ServerHello, a wrong version, an endless stream of records, silence, RST,
//! an immediate close. And `scan` against a real `openssl s_server` behind `stop_after_proxy`,
//! a minimal forwarder that starts resetting connections after the first N.
//!
//! Each run must: finish within a bound, never panic, exit with the documented status (1), and
//! say what went wrong in exactly one `tlskit: error:` line, with no terminal control bytes from
//! the peer on either stream.

use crate::common::*;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How a `hostile_server` treats every connection.
#[derive(Debug, Clone, Copy)]
enum Mode {
    Garbage,
    MaxRecords,
    HugeHandshake,
    TruncatedHello,
    WrongVersion,
    EndlessRecords,
    Silence,
    Reset,
    Close,
}

const MODES: [Mode; 9] = [
    Mode::Garbage,
    Mode::MaxRecords,
    Mode::HugeHandshake,
    Mode::TruncatedHello,
    Mode::WrongVersion,
    Mode::EndlessRecords,
    Mode::Silence,
    Mode::Reset,
    Mode::Close,
];

fn record(typ: u8, body: &[u8]) -> Vec<u8> {
    let mut r = vec![typ, 3, 3];
    r.extend_from_slice(&(body.len() as u16).to_be_bytes());
    r.extend_from_slice(body);
    r
}

/// A TLS 1.2 ServerHello (ECDHE-RSA-AES128-GCM-SHA256) with `version` as legacy_version.
fn server_hello(version: u16) -> Vec<u8> {
    let mut body = version.to_be_bytes().to_vec();
    body.extend_from_slice(&[0x42; 32]); // random
    body.push(0); // session id
    body.extend_from_slice(&[0xc0, 0x2f, 0]); // suite, compression
    let mut hs = vec![2, 0, 0, body.len() as u8];
    hs.extend_from_slice(&body);
    record(22, &hs)
}

/// Read what the client sent first (its ClientHello), briefly.
fn read_hello(s: &mut TcpStream) {
    let _ = s.set_read_timeout(Some(Duration::from_millis(500)));
    let mut buf = [0u8; 4096];
    let _ = s.read(&mut buf);
}

fn behave(mode: Mode, s: &mut TcpStream) {
    match mode {
        Mode::Garbage => {
            read_hello(s);
            // Binary bytes, an ESC sequence and a fake log line among them.
            let mut junk = b"\x1b[2J\x1b]0;pwned\x07\n[fake] line\r\n".to_vec();
            junk.extend((0..60_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8));
            let _ = s.write_all(&junk);
        }
        Mode::MaxRecords => {
            read_hello(s);
            let mut r = vec![22, 3, 3, 0xff, 0xff];
            r.extend(std::iter::repeat_n(0x41, 0xffff));
            for _ in 0..8 {
                if s.write_all(&r).is_err() {
                    return;
                }
            }
        }
        Mode::HugeHandshake => {
            read_hello(s);
            // A ServerHello header claiming 16 MiB, then as many bytes as the client will take.
            let _ = s.write_all(&record(22, &[2, 0xff, 0xff, 0xff]));
            let chunk = record(22, &[0u8; 16_000]);
            for _ in 0..1100 {
                if s.write_all(&chunk).is_err() {
                    return;
                }
            }
        }
        Mode::TruncatedHello => {
            read_hello(s);
            let sh = server_hello(0x0303);
            let _ = s.write_all(&sh[..sh.len() / 2]);
        }
        Mode::WrongVersion => {
            read_hello(s);
            let _ = s.write_all(&server_hello(0x0305));
            std::thread::sleep(Duration::from_secs(1));
        }
        Mode::EndlessRecords => {
            read_hello(s);
            let chunk = record(22, &[0x0e, 0, 0, 0]); // ServerHelloDone, again and again
            let start = Instant::now();
            while start.elapsed() < Duration::from_secs(60) {
                if s.write_all(&chunk.repeat(200)).is_err() {
                    return;
                }
            }
        }
        Mode::Silence => {
            read_hello(s);
            std::thread::sleep(Duration::from_secs(60));
        }
        Mode::Reset => reset_on_close(s),
        Mode::Close => {}
    }
}

/// `hostile_server`: every connection gets `mode`, on its own thread; lives as long as the test.
fn hostile_server(mode: Mode) -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for s in l.incoming() {
            let Ok(mut s) = s else { continue };
            std::thread::spawn(move || behave(mode, &mut s));
        }
    });
    port
}

/// The client commands, as argument lists for a target port.
fn commands(port: u16) -> Vec<(&'static str, Vec<String>)> {
    let p = port.to_string();
    let hp = format!("127.0.0.1:{port}");
    let v = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    vec![
        (
            "connect",
            v(&["connect", "--timeout", "3", "127.0.0.1", &p]),
        ),
        (
            "connect --http",
            v(&["connect", "--timeout", "3", "--http", "/", "127.0.0.1", &p]),
        ),
        ("cert show", v(&["cert", "show", "--timeout", "3", &hp])),
        ("scan", v(&["scan", "--timeout", "2", "--no-progress", &hp])),
        (
            "bench",
            v(&[
                "bench",
                "--timeout",
                "3",
                "--duration",
                "2",
                "127.0.0.1",
                &p,
            ]),
        ),
    ]
}

/// One run: bounded, no panic, exit 1, one error line, no control bytes from the peer.
fn check(what: &str, mode: Mode, args: &[String]) -> Result<(), String> {
    let start = Instant::now();
    let r = run_cmd(tlskit().args(args), Duration::from_secs(180));
    let took = start.elapsed();
    let ctx = format!(
        "{what} vs {mode:?} (exit {}, {took:.1?}):\nstdout:\n{}\nstderr:\n{}",
        r.code, r.stdout, r.stderr
    );
    if r.stderr.contains("panicked") || r.code == 101 {
        return Err(format!("panic: {ctx}"));
    }
    if r.code != 1 {
        return Err(format!("exit status is not 1: {ctx}"));
    }
    let errors: Vec<&str> = r
        .stderr
        .lines()
        .filter(|l| l.starts_with("tlskit: error:"))
        .collect();
    if errors.len() != 1 {
        return Err(format!("not exactly one error line: {ctx}"));
    }
    if errors[0].len() < "tlskit: error: ".len() + 10 {
        return Err(format!("an error line that says nothing: {ctx}"));
    }
    for (name, text) in [("stdout", &r.stdout), ("stderr", &r.stderr)] {
        if text
            .chars()
            .any(|c| c == '\x1b' || c == '\x07' || c == '\r')
        {
            return Err(format!("control bytes from the peer reached {name}: {ctx}"));
        }
        if text.lines().any(|l| l.starts_with("[fake]")) {
            return Err(format!(
                "a peer's line became a line of its own on {name}: {ctx}"
            ));
        }
    }
    Ok(())
}

/// Every client command against every hostile mode; all failures are reported together.
#[test]
fn client_commands_against_every_hostile_mode() {
    let mut failures = Vec::new();
    let mut runs = 0;
    for mode in MODES {
        let port = hostile_server(mode);
        for (what, args) in commands(port) {
            runs += 1;
            if let Err(e) = check(what, mode, &args) {
                failures.push(e);
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {runs} runs misbehaved:\n\n{}",
        failures.len(),
        failures.join("\n-----\n")
    );
}

/// `stop_after_proxy`: forwards the first `n` connections to `upstream`, then resets every later
/// one — a server that dies in the middle of a scan.
fn stop_after_proxy(upstream: u16, n: usize) -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let count = Arc::new(AtomicUsize::new(0));
    std::thread::spawn(move || {
        for s in l.incoming() {
            let Ok(mut client) = s else { continue };
            if count.fetch_add(1, Ordering::SeqCst) >= n {
                std::thread::spawn(move || behave(Mode::Reset, &mut client));
                continue;
            }
            std::thread::spawn(move || {
                let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)) else {
                    return;
                };
                let (mut c2, mut s2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
                let up = std::thread::spawn(move || {
                    let _ = std::io::copy(&mut c2, &mut s2);
                    let _ = s2.shutdown(std::net::Shutdown::Write);
                });
                let (mut s3, mut c3) = (server, client);
                let _ = std::io::copy(&mut s3, &mut c3);
                let _ = c3.shutdown(std::net::Shutdown::Write);
                let _ = up.join();
            });
        }
    });
    port
}

/// A server that starts resetting in the middle of a scan: whatever could not be determined is
/// an error entry (or the scan fails) — sections never vanish silently.
#[test]
fn scan_of_a_server_that_dies_midway_is_never_silently_short() {
    require_tool("openssl", "openssl");
    let pki = Pki::new("ecdsa-p256");
    let (cert, key) = pki.issue("srv", &["localhost", "127.0.0.1"], &[]);
    let upstream = free_port();
    let _server = Peer::listening(
        "openssl s_server",
        Command::new("openssl")
            .args(["s_server", "-www", "-accept"])
            .arg(format!("127.0.0.1:{upstream}"))
            .arg("-cert")
            .arg(&cert)
            .arg("-key")
            .arg(&key),
        upstream,
    );
    // The full scan, to know how many connections it makes and what it finds.
    let full = run_cmd(
        tlskit()
            .args(["scan", "--json", "--no-progress", "--timeout", "3"])
            .arg(format!("127.0.0.1:{upstream}")),
        Duration::from_secs(180),
    );
    assert_eq!(full.code, 0, "{}", full.stderr);
    let fv = full.json();
    let total = fv["connections"].as_u64().unwrap() as usize;
    assert!(total > 20, "{total} connections");
    for n in [total / 4, total / 2, total * 3 / 4] {
        let port = stop_after_proxy(upstream, n);
        let r = run_cmd(
            tlskit()
                .args([
                    "scan",
                    "--json",
                    "--no-progress",
                    "--timeout",
                    "3",
                    "--max-connections",
                    "1",
                ])
                .arg(format!("127.0.0.1:{port}")),
            Duration::from_secs(180),
        );
        assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
        let v = r.json();
        validate_schema(&v);
        if r.code == 1 && v.get("error").is_some() {
            continue; // could not be scanned: said so
        }
        assert_eq!(r.code, 0, "{}", r.stderr);
        let errors = v["errors"].as_array().unwrap();
        let notes: Vec<&str> = v["protocols"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|p| p["error"].as_str())
            .collect();
        assert!(
            !errors.is_empty() || !notes.is_empty(),
            "after {n} of {total} connections the server reset every connection, yet the report has no error entry:\n{}",
            serde_json::to_string_pretty(&v).unwrap()
        );
        // What the report lists as found is never more than the full scan found.
        for key in ["groups", "signature_algorithms"] {
            assert!(
                v[key].as_array().unwrap().len() <= fv[key].as_array().unwrap().len(),
                "{key}"
            );
        }
    }
}
