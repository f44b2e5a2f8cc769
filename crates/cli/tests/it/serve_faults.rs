//! `tlskit serve` under misbehaving clients: a thousand idle TCP connections, half ClientHellos
//! that stall, whole ClientHellos that never finish the handshake, garbage, and clients that
//! vanish mid-transfer. Each test checks that good clients keep being answered (within a generous
//! bound: behaviour, not performance), that the server's memory stays bounded, that the stalled
//! connections are closed by the timeouts, and that nothing panics.

use crate::common::*;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};
use tlskit_wire::client_hello::ClientHelloBuilder;
use tlskit_wire::version::Version;

/// A good client must be answered within this long, whatever the others do.
const ANSWERED_WITHIN: Duration = Duration::from_secs(10);
/// The server's resident memory must stay below this, whatever the others do.
const MEMORY_BOUND_KIB: u64 = 256 * 1024;

fn p(path: &std::path::Path) -> &str {
    path.to_str().unwrap()
}

/// Let this test process open a few thousand sockets.
fn raise_open_files() {
    // SAFETY: getrlimit/setrlimit get a valid, fully initialised rlimit of the right size.
    unsafe {
        let mut lim = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) == 0 && lim.rlim_cur < lim.rlim_max {
            lim.rlim_cur = lim.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &lim);
        }
    }
}

fn rss_kib(pid: u32) -> u64 {
    let status =
        std::fs::read_to_string(format!("/proc/{pid}/status")).expect("server process is gone");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS")
}

/// A lab PKI, a site with a page and a large (sparse) file, and `tlskit serve --http --root` with
/// short timeouts and the given extra flags.
struct Setup {
    pki: Pki,
    srv: Served,
}

fn start(extra: &[&str]) -> Setup {
    raise_open_files();
    let pki = Pki::new("ecdsa-p256");
    let pem = pki.issue_combined("localhost.pem", &["localhost", "127.0.0.1"], &[]);
    let site = pki.path("site");
    std::fs::create_dir_all(&site).unwrap();
    std::fs::write(site.join("index.html"), "<h1>still here</h1>\n").unwrap();
    let big = std::fs::File::create(site.join("big.bin")).unwrap();
    big.set_len(256 << 20).unwrap();
    let mut args = vec![
        "-s",
        p(&pem),
        "--http",
        "--root",
        p(&site),
        "--handshake-timeout",
        "3",
        "--idle-timeout",
        "5",
    ];
    args.extend_from_slice(extra);
    let srv = serve(&args);
    Setup { pki, srv }
}

impl Setup {
    fn pid(&mut self) -> u32 {
        self.srv.peer.child().id()
    }

    /// A good client: `tlskit connect --http /` must get the page within ANSWERED_WITHIN.
    fn good_client_is_answered(&self) {
        let t0 = Instant::now();
        let r = run_cmd(
            tlskit().args([
                "connect",
                "-a",
                p(&self.pki.ca_cert()),
                "--http",
                "/",
                "localhost",
                &self.srv.port.to_string(),
            ]),
            ANSWERED_WITHIN,
        );
        assert_eq!(
            r.code,
            0,
            "good client failed after {:?}:\n{}\n{}",
            t0.elapsed(),
            r.stdout,
            r.stderr
        );
        assert!(r.stdout.contains("still here"), "{}", r.stdout);
    }

    /// Still running, no panic, memory bounded.
    fn healthy(&mut self) {
        let pid = self.pid();
        assert!(
            self.srv.peer.child().try_wait().unwrap().is_none(),
            "tlskit serve exited:\n{}",
            self.srv.peer.output()
        );
        let out = self.srv.peer.output();
        assert!(!out.contains("panicked"), "panic in tlskit serve:\n{out}");
        let rss = rss_kib(pid);
        assert!(rss < MEMORY_BOUND_KIB, "tlskit serve uses {rss} KiB");
    }

    fn connect(&self) -> TcpStream {
        let s = TcpStream::connect(("127.0.0.1", self.srv.port)).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        s
    }
}

/// Wait until the server closes `s` (EOF or reset), discarding what it sends (alerts, its flight).
/// True if it closed within the socket's read timeout.
fn closed_by_server(s: &mut TcpStream) -> bool {
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return false
            }
            Err(_) => return true, // reset
        }
    }
}

#[test]
fn a_thousand_idle_connections_do_not_starve_good_clients() {
    // Few handshake slots: idle clients must not hold any.
    let mut s = start(&["--max-handshakes", "4"]);
    let idle: Vec<TcpStream> = (0..1000).map(|_| s.connect()).collect();
    s.good_client_is_answered();
    s.good_client_is_answered();
    s.healthy();
    // The handshake timeout (3 s) closes every one of them.
    let mut idle = idle;
    let all_closed = idle.iter_mut().all(closed_by_server);
    assert!(all_closed, "the server did not close the idle connections");
    assert!(
        s.srv
            .peer
            .wait_output("no ClientHello within", Duration::from_secs(10)),
        "{}",
        s.srv.peer.output()
    );
    s.good_client_is_answered();
    s.healthy();
}

#[test]
fn half_client_hellos_that_stall_are_timed_out() {
    let mut s = start(&["--max-handshakes", "4"]);
    let hello =
        ClientHelloBuilder::for_version(Version::Tls13, &[0x1301, 0x1302], Some("localhost"))
            .build_record();
    let mut stalled: Vec<TcpStream> = (0..200)
        .map(|_| {
            let mut c = s.connect();
            c.write_all(&hello[..hello.len() / 2]).unwrap();
            c
        })
        .collect();
    s.good_client_is_answered();
    s.healthy();
    assert!(
        stalled.iter_mut().all(closed_by_server),
        "stalled clients were not closed"
    );
    assert!(
        s.srv
            .peer
            .wait_output("ClientHello not completed within", Duration::from_secs(10)),
        "{}",
        s.srv.peer.output()
    );
    s.good_client_is_answered();
    s.healthy();
}

#[test]
fn whole_client_hellos_that_never_finish_only_delay_others_until_the_timeout() {
    // Each of these sends a complete TLS 1.2 ClientHello, gets the server's flight and never
    // answers: it holds one of the 4 handshake slots until the 3 s handshake timeout.
    let mut s = start(&["--max-handshakes", "4"]);
    let hello =
        ClientHelloBuilder::for_version(Version::Tls12, &[0xc02b, 0xc02c], Some("localhost"))
            .build_record();
    let mut stalled: Vec<TcpStream> = (0..16)
        .map(|_| {
            let mut c = s.connect();
            c.write_all(&hello).unwrap();
            c
        })
        .collect();
    // The good client comes a second later, so its own 3 s deadline ends clearly after the
    // stalled ones' (which free their slots at theirs): arriving in the same instant, it could
    // time out together with them on a loaded machine.
    std::thread::sleep(Duration::from_secs(1));
    s.good_client_is_answered();
    s.healthy();
    assert!(
        stalled.iter_mut().all(closed_by_server),
        "stalled handshakes were not closed"
    );
    assert!(
        s.srv
            .peer
            .wait_output("handshake not completed within", Duration::from_secs(10))
            || s.srv
                .peer
                .wait_output("no handshake slot free within", Duration::from_secs(1)),
        "{}",
        s.srv.peer.output()
    );
    s.healthy();
}

#[test]
fn garbage_is_refused_and_the_connection_closed() {
    let mut s = start(&[]);
    let tls12 = ClientHelloBuilder::for_version(Version::Tls12, &[0xc02b], Some("localhost"))
        .build_record();
    let mut bad_length = tls12.clone();
    bad_length[3] = 0xff; // record longer than any TLS record may be
    bad_length[4] = 0xff;
    let mut wrong_type = tls12.clone();
    wrong_type[0] = 0x17; // application data before any handshake
    let mut noise = Vec::new();
    let mut x: u32 = 0x1234_5678;
    for _ in 0..4096 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        noise.push(x as u8);
    }
    let sslv2 = vec![
        0x80, 0x2e, 0x01, 0x00, 0x02, 0x00, 0x15, 0x00, 0x00, 0x00, 0x10, 0x07, 0x00, 0xc0,
    ];
    let garbage: Vec<Vec<u8>> = vec![
        b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".to_vec(),
        noise,
        bad_length,
        wrong_type,
        sslv2,
        vec![0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0x00, 0x00, 0x01, 0x00],
        tls12[..tls12.len() - 7]
            .iter()
            .chain([0u8; 64].iter())
            .copied()
            .collect(),
    ];
    let mut conns = Vec::new();
    for round in 0..20 {
        for g in &garbage {
            let mut c = s.connect();
            let _ = c.write_all(g);
            conns.push(c);
        }
        if round == 10 {
            s.good_client_is_answered();
        }
    }
    assert!(
        conns.iter_mut().all(closed_by_server),
        "a garbage connection was left open"
    );
    s.good_client_is_answered();
    s.healthy();
    let out = s.srv.peer.output();
    assert!(out.contains("handshake failed"), "{out}");
}

#[test]
fn clients_that_vanish_mid_transfer_or_right_after_the_handshake() {
    let openssl = require_tool("openssl", "openssl");
    let mut s = start(&[]);
    let port = s.srv.port.to_string();
    let ca = s.pki.ca_cert();
    let s_client = |extra: &[&str]| {
        let mut cmd = Command::new(&openssl);
        cmd.args([
            "s_client",
            "-connect",
            &format!("127.0.0.1:{port}"),
            "-servername",
            "localhost",
            "-CAfile",
            p(&ca),
        ])
        .args(extra);
        cmd
    };
    // Right after the handshake: the server is still sending its session tickets.
    for _ in 0..20 {
        let peer = Peer::spawn("openssl s_client", &mut s_client(&[]));
        assert!(
            peer.wait_output("Verify return code", Duration::from_secs(10)),
            "{}",
            peer.output()
        );
        drop(peer); // SIGKILL
    }
    // In the middle of a 256 MiB download, and of a 256 MiB upload.
    for i in 0..10 {
        let mut child = s_client(&["-quiet", "-ign_eof"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("openssl s_client");
        let mut stdin = child.stdin.take().unwrap();
        let req = if i % 2 == 0 {
            "GET /big.bin HTTP/1.1\r\nHost: localhost\r\n\r\n".to_string()
        } else {
            "POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: 268435456\r\n\r\n"
                .to_string()
        };
        let _ = stdin.write_all(req.as_bytes());
        if i % 2 == 1 {
            let chunk = vec![b'u'; 64 * 1024];
            for _ in 0..16 {
                if stdin.write_all(&chunk).is_err() {
                    break;
                }
            }
        }
        std::thread::sleep(Duration::from_millis(300));
        let _ = child.kill(); // vanish mid-transfer
        let _ = child.wait();
    }
    s.good_client_is_answered();
    s.healthy();
    // The vanished transfers are logged as failed connections, and the server goes on.
    assert!(
        s.srv
            .peer
            .wait_output("GET /big.bin 200", Duration::from_secs(10)),
        "{}",
        s.srv.peer.output()
    );
    assert!(
        s.srv.peer.wait_output("error:", Duration::from_secs(10)),
        "{}",
        s.srv.peer.output()
    );
    // After the idle timeout every one of them has been cleaned up; a good client still gets in.
    std::thread::sleep(Duration::from_secs(6));
    s.good_client_is_answered();
    s.healthy();
}

#[test]
fn a_client_that_stops_reading_is_dropped_after_the_idle_timeout() {
    let openssl = require_tool("openssl", "openssl");
    let mut s = start(&[]);
    // s_client's stdout is a pipe nobody reads: once it is full, s_client stops reading the socket
    // and the server's writes of the 256 MiB file stall.
    let mut child = Command::new(&openssl)
        .args([
            "s_client",
            "-connect",
            &format!("127.0.0.1:{}", s.srv.port),
            "-servername",
            "localhost",
            "-quiet",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("openssl s_client");
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(b"GET /big.bin HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .unwrap();
    s.good_client_is_answered();
    let dropped = s
        .srv
        .peer
        .wait_output("read nothing for 5 s", Duration::from_secs(30));
    let _ = child.kill();
    let _ = child.wait();
    assert!(dropped, "{}", s.srv.peer.output());
    s.healthy();
}

#[test]
fn memory_stays_bounded_while_good_and_bad_clients_mix() {
    let mut s = start(&[]);
    let base = rss_kib(s.pid());
    let hello = ClientHelloBuilder::for_version(Version::Tls13, &[0x1301], Some("localhost"))
        .build_record();
    let mut held = Vec::new();
    for i in 0..1500 {
        let mut c = s.connect();
        match i % 3 {
            0 => {}
            1 => {
                let _ = c.write_all(&hello[..40]);
            }
            _ => {
                let _ = c.write_all(b"\x16\x03\x01\x40\x00garbage");
            }
        }
        held.push(c);
    }
    s.good_client_is_answered();
    let peak = rss_kib(s.pid());
    s.healthy();
    assert!(
        peak < base + 128 * 1024,
        "1500 bad connections grew the server from {base} KiB to {peak} KiB"
    );
    drop(held);
    s.good_client_is_answered();
    s.healthy();
}
