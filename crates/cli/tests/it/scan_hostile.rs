//! `tlskit scan` against hostile and broken servers, each a few lines of TCP written here: garbage
//! bytes, truncated records, 16 MiB length fields, wrong versions, an endless stream of handshake
//! messages, silence, a close in the middle of the ServerHello, an HTTP banner, and resets.
//!
//! Every scan must end (the `run_cmd` limit is far above what a 2-second probe timeout needs),
//! never panic, and either exit 0 with the trouble written into the report as typed errors, or
//! exit 1 with one clear `tlskit: error:` line when the target is not TLS at all.

use crate::common::*;
use serde_json::Value;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;
use tlskit_wire::client_hello::ClientHello;
use tlskit_wire::extensions::Extension;
use tlskit_wire::handshake::{frame, HandshakeType, ServerHello};

/// Start a server on 127.0.0.1 that runs `behave` on every connection (its own thread), after
/// reading the client's first bytes (given to `behave`; empty if none came within 5 s).
fn hostile(behave: fn(&mut TcpStream, &[u8])) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for s in listener.incoming() {
            let Ok(mut s) = s else { continue };
            std::thread::spawn(move || {
                let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
                let _ = s.set_write_timeout(Some(Duration::from_secs(5)));
                let mut buf = vec![0u8; 16 * 1024];
                let n = s.read(&mut buf).unwrap_or(0);
                behave(&mut s, &buf[..n]);
            });
        }
    });
    port
}

/// Keep the connection open until the client goes away (bounded).
fn hold(s: &mut TcpStream) {
    let _ = s.set_read_timeout(Some(Duration::from_secs(30)));
    let mut buf = [0u8; 4096];
    while let Ok(n) = s.read(&mut buf) {
        if n == 0 {
            break;
        }
    }
}

fn record(typ: u8, version: u16, body: &[u8]) -> Vec<u8> {
    let mut r = vec![typ];
    r.extend_from_slice(&version.to_be_bytes());
    r.extend_from_slice(&(body.len() as u16).to_be_bytes());
    r.extend_from_slice(body);
    r
}

/// The first suite the client offers (a real suite, not a signalling value), if it sent a TLS
/// ClientHello.
fn first_suite(hello: &[u8]) -> Option<u16> {
    let body = hello.get(5..)?;
    let ch = ClientHello::parse_message(body).ok()?;
    ch.cipher_suites
        .iter()
        .copied()
        .find(|s| ![0x00ff, 0x5600].contains(s) && s & 0x0f0f != 0x0a0a)
}

/// A ServerHello message choosing `suite` at `version`, with `extensions`.
fn server_hello(version: u16, suite: u16, extensions: Vec<Extension>) -> Vec<u8> {
    ServerHello {
        legacy_version: version,
        random: [0x42; 32],
        session_id: vec![],
        cipher_suite: suite,
        compression: 0,
        extensions,
    }
    .to_message()
}

struct Outcome {
    code: i32,
    report: Option<Value>,
    stderr: String,
}

/// Scan with a 2-second probe timeout; the process must finish well within the limit.
fn scan(port: u16) -> Outcome {
    let r = run_cmd(
        tlskit().args([
            "scan",
            "--json",
            "--timeout",
            "2",
            "--no-progress",
            &format!("127.0.0.1:{port}"),
        ]),
        Duration::from_secs(240),
    );
    assert!(!r.stderr.contains("panicked"), "panic:\n{}", r.stderr);
    assert!(
        r.code == 0 || r.code == 1,
        "exit {}:\n{}\n{}",
        r.code,
        r.stdout,
        r.stderr
    );
    if r.code == 1 {
        let lines: Vec<&str> = r
            .stderr
            .lines()
            .filter(|l| l.starts_with("tlskit: error:"))
            .collect();
        assert_eq!(lines.len(), 1, "one error line expected:\n{}", r.stderr);
        // --json still prints one document: the error object with the report's target shape.
        let v: Value = serde_json::from_str(&r.stdout)
            .unwrap_or_else(|e| panic!("--json prints the error object ({e}):\n{}", r.stdout));
        validate_schema(&v);
        assert_eq!(v["target"]["port"], port, "{v}");
        assert_eq!(
            v["error"]
                .as_str()
                .map(|e| format!("tlskit: error: {e}"))
                .as_deref(),
            Some(lines[0]),
            "the JSON error is the stderr sentence"
        );
        return Outcome {
            code: 1,
            report: Some(v),
            stderr: r.stderr,
        };
    }
    let v: Value = serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", r.stdout, r.stderr));
    validate_schema(&v);
    Outcome {
        code: 0,
        report: Some(v),
        stderr: r.stderr,
    }
}

/// A server with which no version could be negotiated is a failed scan (never a report of
/// "nothing offered", which would read as a verdict): exit 1, the error object on stdout, the
/// sentence on stderr, saying why.
fn expect_errors(port: u16, needle: &str) -> Value {
    let o = scan(port);
    assert_eq!(o.code, 1, "{}", o.stderr);
    let v = o.report.unwrap();
    let e = v["error"].as_str().unwrap();
    assert!(
        e.contains("no SSL/TLS version could be negotiated") && e.contains(needle),
        "expected {needle:?} in the error:\n{e}"
    );
    assert!(v.get("protocols").is_none(), "no report: {v}");
    // --policy on it is never compliant: exit 1, the same error.
    let r = run_cmd(
        tlskit().args([
            "scan",
            "--timeout",
            "2",
            "--no-progress",
            "--policy",
            "mozilla-intermediate",
            &format!("127.0.0.1:{port}"),
        ]),
        Duration::from_secs(240),
    );
    assert_eq!(r.code, 1, "policy on an undetermined target:\n{}", r.stderr);
    assert!(
        r.stderr.contains("no SSL/TLS version could be negotiated"),
        "{}",
        r.stderr
    );
    assert!(!r.stdout.contains("compliant"), "{}", r.stdout);
    v
}

#[test]
fn garbage_bytes() {
    let port = hostile(|s, _| {
        let junk: Vec<u8> = (0..70_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8 | 0x80)
            .collect();
        let _ = s.write_all(&junk);
        hold(s);
    });
    // Binary garbage is not plaintext: the error says what the answer was.
    expect_errors(port, "SSLv2-format record");
}

#[test]
fn truncated_record_then_close() {
    let port = hostile(|s, hello| {
        if first_suite(hello).is_some() {
            // A record header promising 100 bytes, 10 of them, then FIN.
            let mut r = vec![22, 3, 3, 0, 100];
            r.extend_from_slice(&[2, 0, 0, 96, 3, 3, 0, 0, 0, 0]);
            let _ = s.write_all(&r);
        }
    });
    expect_errors(port, "in the middle of a record");
}

#[test]
fn record_length_of_64_kib_and_handshake_length_of_16_mib() {
    // A record length beyond the TLS maximum.
    let port = hostile(|s, _| {
        let _ = s.write_all(&[22, 3, 3, 0xff, 0xff]);
        let _ = s.write_all(&vec![0u8; 70_000]);
        hold(s);
    });
    expect_errors(port, "malformed");
    // A handshake message claiming 16 MiB, fed slowly in valid records.
    let port = hostile(|s, _| {
        let mut first = vec![2u8, 0xff, 0xff, 0xff];
        first.extend_from_slice(&[0u8; 1000]);
        let _ = s.write_all(&record(22, 0x0303, &first));
        for _ in 0..2000 {
            if s.write_all(&record(22, 0x0303, &[0u8; 16_000])).is_err() {
                return;
            }
        }
        hold(s);
    });
    expect_errors(port, "malformed");
}

#[test]
fn wrong_versions_in_the_server_hello() {
    // TLS "1.4" in legacy_version.
    let port = hostile(|s, hello| {
        if let Some(suite) = first_suite(hello) {
            let _ = s.write_all(&record(22, 0x0303, &server_hello(0x0305, suite, vec![])));
            hold(s);
        }
    });
    expect_errors(port, "0x0305");
    // A draft TLS 1.3 version (0x7f1c) in supported_versions.
    let port = hostile(|s, hello| {
        if let Some(suite) = first_suite(hello) {
            let sh = server_hello(
                0x0303,
                suite,
                vec![Extension::supported_versions_server(0x7f1c)],
            );
            let _ = s.write_all(&record(22, 0x0303, &sh));
            hold(s);
        }
    });
    expect_errors(port, "0x7f1c");
}

#[test]
fn endless_stream_of_handshake_messages() {
    let port = hostile(|s, hello| {
        let Some(suite) = first_suite(hello) else {
            return;
        };
        let version = 0x0303;
        let _ = s.write_all(&record(22, version, &server_hello(version, suite, vec![])));
        // Certificate-less nonsense, forever: HelloRequest-typed and unknown messages.
        let mut burst = Vec::new();
        for i in 0..400u32 {
            burst.extend(frame(
                HandshakeType::from(if i % 2 == 0 { 0u8 } else { 99u8 }),
                &[0u8; 8],
            ));
        }
        let rec = record(22, version, &burst);
        for _ in 0..100_000 {
            if s.write_all(&rec).is_err() {
                return;
            }
        }
    });
    let o = scan(port);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let v = o.report.unwrap();
    // The ServerHello came, so TLS 1.2 looks offered; every deeper probe must still end, with
    // the stream named as the reason where it mattered.
    let all = serde_json::to_string(&v).unwrap();
    assert!(
        all.contains("endless stream of handshake messages"),
        "{}",
        serde_json::to_string_pretty(&v).unwrap()
    );
}

#[test]
fn silence() {
    let port = hostile(|s, _| hold(s));
    expect_errors(port, "no answer within the timeout");
}

#[test]
fn close_after_half_a_server_hello() {
    let port = hostile(|s, hello| {
        if let Some(suite) = first_suite(hello) {
            let rec = record(
                22,
                0x0303,
                &server_hello(0x0303, suite, vec![Extension::renegotiation_info(&[])]),
            );
            let _ = s.write_all(&rec[..rec.len() / 2]);
        }
    });
    expect_errors(port, "in the middle of a record");
}

#[test]
fn http_banner_is_one_clear_error() {
    let port = hostile(|s, _| {
        let _ = s.write_all(b"HTTP/1.1 400 Bad Request\r\nServer: hostile\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    });
    let o = scan(port);
    assert_eq!(o.code, 1, "a plaintext port is unusable: one error line");
    assert!(o.stderr.contains("plaintext"), "{}", o.stderr);
}

#[test]
fn accept_then_reset() {
    let port = hostile(|s, _| {
        // SO_LINGER 0: close() sends RST.
        use std::os::fd::AsRawFd;
        let l = libc::linger {
            l_onoff: 1,
            l_linger: 0,
        };
        // SAFETY: a valid socket and a correctly sized option value.
        unsafe {
            libc::setsockopt(
                s.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_LINGER,
                &l as *const _ as *const libc::c_void,
                std::mem::size_of::<libc::linger>() as libc::socklen_t,
            );
        }
    });
    // Resets look like refusals to each probe; the error still says what happened.
    expect_errors(port, "reset");
}

#[test]
fn alerts_with_nonsense_levels_and_ccs_floods() {
    // An alert of level 7 and description 255, then a flood of ChangeCipherSpec records.
    let port = hostile(|s, _| {
        let _ = s.write_all(&record(21, 0x0303, &[7, 255]));
        for _ in 0..20_000 {
            if s.write_all(&record(20, 0x0303, &[1])).is_err() {
                return;
            }
        }
    });
    expect_errors(port, "a TLSv1.2 ClientHello got");
}
