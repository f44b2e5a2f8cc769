//! End-to-end hostile suite, server side (issue 13): the server commands — `serve --http`,
//! `serve --echo`, `serve --forward`, `proxy` and `observe` — under `hostile_client`, a minimal
//! hostile TLS client written for this test, in each of its modes: garbage (with terminal escape
//! sequences and a fake log line), 0xFFFF-byte records, a 16 MiB handshake length, a truncated
//! ClientHello, a wrong version, an endless stream of records, silence, slowloris, RST, and a
//! ClientHello followed by a close.
//!
//! While the attacks run, a good client (curl, or `tlskit connect`) must be served; afterwards
//! the server must still be running and serve a good client again, must have closed the silent
//! and slow connections itself (its timeouts), must not have panicked, and must not have written a
//! raw escape byte from the attacker into its output.

use crate::common::*;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::Command;
use std::time::{Duration, Instant};
use tlskit_wire::client_hello::ClientHelloBuilder;
use tlskit_wire::version::Version;

const NAME: &str = "www.bank32.com";

fn p(path: &std::path::Path) -> &str {
    path.to_str().unwrap()
}

/// What a `hostile_client` connection does.
#[derive(Debug, Clone, Copy)]
enum Attack {
    Garbage,
    MaxRecords,
    HugeHandshake,
    TruncatedHello,
    WrongVersion,
    EndlessRecords,
    Silence,
    Slowloris,
    Reset,
    HelloThenClose,
}

const ATTACKS: [Attack; 10] = [
    Attack::Garbage,
    Attack::MaxRecords,
    Attack::HugeHandshake,
    Attack::TruncatedHello,
    Attack::WrongVersion,
    Attack::EndlessRecords,
    Attack::Silence,
    Attack::Slowloris,
    Attack::Reset,
    Attack::HelloThenClose,
];

/// The servers' timeouts in this suite: silent and slow clients must be closed after them.
const TIMEOUT_SECS: &str = "2";
/// A silent or slow connection must be closed by the server within this long.
const CLOSED_WITHIN: Duration = Duration::from_secs(12);

fn record(typ: u8, body: &[u8]) -> Vec<u8> {
    let mut r = vec![typ, 3, 1];
    r.extend_from_slice(&(body.len() as u16).to_be_bytes());
    r.extend_from_slice(body);
    r
}

fn hello() -> Vec<u8> {
    ClientHelloBuilder::for_version(Version::Tls13, &[0x1301, 0x1302], Some(NAME)).build_record()
}

/// Wait until the server closes `s` (EOF, reset or refusal to take more bytes); true if it did
/// within [`CLOSED_WITHIN`].
fn closed_by_server(s: &mut TcpStream) -> bool {
    let deadline = Instant::now() + CLOSED_WITHIN;
    let _ = s.set_read_timeout(Some(Duration::from_millis(200)));
    let mut buf = [0u8; 4096];
    while Instant::now() < deadline {
        match s.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => return true,
        }
    }
    false
}

/// Run one hostile connection against `port`. Returns a complaint, or None.
fn attack(mode: Attack, port: u16) -> Option<String> {
    let mut s = match TcpStream::connect(("127.0.0.1", port)) {
        Ok(s) => s,
        Err(e) => return Some(format!("{mode:?}: cannot connect: {e}")),
    };
    let _ = s.set_write_timeout(Some(Duration::from_secs(5)));
    match mode {
        Attack::Garbage => {
            let mut junk = b"\x1b[2J\x1b]0;pwned\x07\n[fake] line\r\n".to_vec();
            junk.extend((0..60_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8));
            let _ = s.write_all(&junk);
            let _ = closed_by_server(&mut s);
        }
        Attack::MaxRecords => {
            for _ in 0..4 {
                if s.write_all(&record(22, &vec![0x41; 0xffff])).is_err() {
                    break;
                }
            }
            let _ = closed_by_server(&mut s);
        }
        Attack::HugeHandshake => {
            // A ClientHello that claims 16 MiB, then records of filler.
            let _ = s.write_all(&record(22, &[1, 0xff, 0xff, 0xff]));
            for _ in 0..8 {
                if s.write_all(&record(22, &[0x42; 16_000])).is_err() {
                    break;
                }
            }
            let _ = closed_by_server(&mut s);
        }
        Attack::TruncatedHello => {
            let h = hello();
            let _ = s.write_all(&h[..h.len() / 2]);
            let _ = s.shutdown(std::net::Shutdown::Write);
            let _ = closed_by_server(&mut s);
        }
        Attack::WrongVersion => {
            // A ClientHello for SSL 3.0 only, then one for a version that does not exist.
            let mut h = ClientHelloBuilder::for_version(Version::Ssl3, &[0x000a], Some(NAME))
                .build_record();
            let _ = s.write_all(&h);
            h[9] = 0x7f;
            h[10] = 0x7f;
            let _ = s.write_all(&h);
            let _ = closed_by_server(&mut s);
        }
        Attack::EndlessRecords => {
            // ChangeCipherSpec records, as fast as the server takes them, for three seconds.
            let flood: Vec<u8> = (0..1000).flat_map(|_| record(20, &[1])).collect();
            let end = Instant::now() + Duration::from_secs(3);
            while Instant::now() < end {
                if s.write_all(&flood).is_err() {
                    break;
                }
            }
            let _ = closed_by_server(&mut s);
        }
        Attack::Silence => {
            if !closed_by_server(&mut s) {
                return Some(format!(
                    "{mode:?}: the server kept a silent connection open over {CLOSED_WITHIN:?}"
                ));
            }
        }
        Attack::Slowloris => {
            // One byte of a ClientHello every 300 ms: the handshake deadline must end it.
            let h = hello();
            let start = Instant::now();
            for b in h.iter().take(h.len() - 1) {
                if s.write_all(&[*b]).is_err() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(300));
                if start.elapsed() > CLOSED_WITHIN {
                    return Some(format!(
                        "{mode:?}: the server took a byte every 300 ms for over {CLOSED_WITHIN:?}"
                    ));
                }
            }
            if !closed_by_server(&mut s) {
                return Some(format!("{mode:?}: the server kept a slow connection open"));
            }
        }
        Attack::Reset => {
            let h = hello();
            let _ = s.write_all(&h[..h.len() / 3]);
            std::thread::sleep(Duration::from_millis(100));
            reset_on_close(&s);
            drop(s);
        }
        Attack::HelloThenClose => {
            let _ = s.write_all(&hello());
            drop(s);
        }
    }
    None
}

/// A running server command and the port it listens on.
struct Running {
    peer: Peer,
    port: u16,
}

/// Start `tlskit ARGS` and read the port from its "listening on ADDR" line.
fn start(name: &str, args: &[&str]) -> Running {
    let mut cmd = tlskit();
    cmd.args(args);
    let peer = Peer::spawn(name, &mut cmd);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let out = peer.output();
        if let Some(addr) = out.lines().find_map(|l| l.split("listening on ").nth(1)) {
            let addr = addr.split([' ', ',']).next().unwrap();
            let port = addr.rsplit(':').next().unwrap().parse().unwrap();
            return Running { peer, port };
        }
        assert!(
            !out.contains("tlskit: error:") && Instant::now() < deadline,
            "{name} did not start:\n{out}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Attack `server` with every mode (two connections each, all at once), check that `good`
/// succeeds meanwhile and afterwards, that the server is still running and closed the slow
/// connections, and that its output holds neither a panic nor a raw escape byte.
fn survive(name: &str, server: &mut Running, good: &dyn Fn() -> Result<(), String>) {
    good().unwrap_or_else(|e| panic!("{name}: the good client failed before any attack: {e}"));
    let port = server.port;
    let attackers: Vec<_> = ATTACKS
        .iter()
        .flat_map(|m| [*m, *m])
        .map(|m| std::thread::spawn(move || attack(m, port)))
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    let during = good();
    let complaints: Vec<String> = attackers
        .into_iter()
        .filter_map(|t| t.join().unwrap())
        .collect();
    let after = good();
    let out = server.peer.output();
    assert!(
        server.peer.child().try_wait().unwrap().is_none(),
        "{name} exited under attack:\n{out}"
    );
    assert!(!out.contains("panicked"), "{name} panicked:\n{out}");
    assert!(
        !out.contains('\x1b') && !out.contains("\n[fake] line"),
        "{name} wrote the attacker's bytes raw:\n{out}"
    );
    assert!(complaints.is_empty(), "{name}: {complaints:#?}\n{out}");
    during.unwrap_or_else(|e| {
        panic!("{name}: a good client was not served during the attacks: {e}\n{out}")
    });
    after.unwrap_or_else(|e| {
        panic!("{name}: a good client was not served after the attacks: {e}\n{out}")
    });
}

fn curl(args: &[&str], want: &str) -> Result<(), String> {
    let mut cmd = Command::new(require_tool("curl", "curl"));
    cmd.args(["-sS", "--max-time", "20"]).args(args);
    let r = run_cmd(&mut cmd, Duration::from_secs(40));
    if r.code == 0 && r.stdout.contains(want) {
        Ok(())
    } else {
        Err(format!(
            "curl {args:?}: rc {:?}: {}{}",
            r.code, r.stdout, r.stderr
        ))
    }
}

/// `tlskit connect --send MSG` to `port`: the reply must contain `want`.
fn connect_send(ca: &std::path::Path, port: u16, msg: &str, want: &str) -> Result<(), String> {
    let r = run_cmd(
        tlskit().args([
            "connect",
            "--json",
            "-a",
            p(ca),
            "--send",
            msg,
            "--read-timeout",
            "1",
            "localhost",
            &port.to_string(),
        ]),
        Duration::from_secs(40),
    );
    let got = if r.code == 0 {
        r.json()["received"]["text"]
            .as_str()
            .unwrap_or("")
            .to_string()
    } else {
        String::new()
    };
    if got.contains(want) {
        Ok(())
    } else {
        Err(format!(
            "connect: rc {:?}: {}{}",
            r.code, r.stdout, r.stderr
        ))
    }
}

fn timeouts() -> [&'static str; 4] {
    [
        "--handshake-timeout",
        TIMEOUT_SECS,
        "--idle-timeout",
        TIMEOUT_SECS,
    ]
}

#[test]
fn serve_http_survives_hostile_clients() {
    let pki = Pki::new("ecdsa-p256");
    let pem = pki.issue_combined("bank.pem", &[NAME], &[]);
    let mut args = vec!["serve", "-s", p(&pem), "--http"];
    args.extend(timeouts());
    args.extend(["127.0.0.1", "0"]);
    let mut srv = start("tlskit serve --http", &args);
    let url = format!("https://{NAME}:{}/", srv.port);
    let resolve = format!("{NAME}:{}:127.0.0.1", srv.port);
    let ca = pki.ca_cert();
    survive("serve --http", &mut srv, &|| {
        curl(&["--cacert", p(&ca), "--resolve", &resolve, &url], "TLS")
    });
}

#[test]
fn serve_echo_survives_hostile_clients() {
    let pki = Pki::new("ecdsa-p256");
    let pem = pki.issue_combined("localhost.pem", &["localhost"], &[]);
    let mut args = vec!["serve", "-s", p(&pem), "--echo"];
    args.extend(timeouts());
    args.extend(["127.0.0.1", "0"]);
    let mut srv = start("tlskit serve --echo", &args);
    let port = srv.port;
    let ca = pki.ca_cert();
    survive("serve --echo", &mut srv, &|| {
        connect_send(&ca, port, "ping", "ping")
    });
}

/// `plain_echo_backend`: a plain TCP backend for `serve --forward` that answers each connection
/// with "backend saw " and what it read.
fn plain_echo_backend() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut c in l.incoming().map_while(Result::ok) {
            std::thread::spawn(move || {
                let _ = c.set_read_timeout(Some(Duration::from_secs(5)));
                let mut buf = [0u8; 1024];
                if let Ok(n) = c.read(&mut buf) {
                    let mut reply = b"backend saw ".to_vec();
                    reply.extend_from_slice(&buf[..n]);
                    let _ = c.write_all(&reply);
                }
            });
        }
    });
    port
}

#[test]
fn serve_forward_survives_hostile_clients() {
    let backend = format!("127.0.0.1:{}", plain_echo_backend());
    let pki = Pki::new("ecdsa-p256");
    let pem = pki.issue_combined("localhost.pem", &["localhost"], &[]);
    let mut args = vec!["serve", "-s", p(&pem), "--forward", &backend];
    args.extend(timeouts());
    args.extend(["127.0.0.1", "0"]);
    let mut srv = start("tlskit serve --forward", &args);
    let port = srv.port;
    let ca = pki.ca_cert();
    survive("serve --forward", &mut srv, &|| {
        connect_send(&ca, port, "hello", "backend saw hello")
    });
}

#[test]
fn proxy_survives_hostile_clients() {
    let real = Pki::new("ecdsa-p256");
    let mitm = Pki::new("ecdsa-p256");
    let pem = real.issue_combined("bank.pem", &[NAME], &[]);
    let server = serve(&["-s", p(&pem), "--http"]);
    let upstream = format!("127.0.0.1:{}", server.port);
    let (ca_dir, real_ca) = (mitm.ca_dir(), real.ca_cert());
    let mut args = vec![
        "proxy",
        "--listen",
        "127.0.0.1:0",
        "--ca",
        p(&ca_dir),
        "--upstream",
        &upstream,
        "--upstream-ca",
        p(&real_ca),
    ];
    args.extend(timeouts());
    let mut proxy = start("tlskit proxy", &args);
    let url = format!("https://{NAME}:{}/", proxy.port);
    let resolve = format!("{NAME}:{}:127.0.0.1", proxy.port);
    let victim_ca = mitm.ca_cert();
    survive("proxy", &mut proxy, &|| {
        curl(
            &["--cacert", p(&victim_ca), "--resolve", &resolve, &url],
            "TLS",
        )
    });
}

#[test]
fn observe_survives_hostile_clients() {
    let pki = Pki::new("ecdsa-p256");
    let pem = pki.issue_combined("bank.pem", &[NAME], &[]);
    let server = serve(&["-s", p(&pem), "--http"]);
    let upstream = format!("127.0.0.1:{}", server.port);
    let mut obs = start(
        "tlskit observe",
        &[
            "observe",
            "--listen",
            "127.0.0.1:0",
            "--upstream",
            &upstream,
            "--idle-timeout",
            TIMEOUT_SECS,
        ],
    );
    let url = format!("https://{NAME}:{}/", obs.port);
    let resolve = format!("{NAME}:{}:127.0.0.1", obs.port);
    let ca = pki.ca_cert();
    survive("observe", &mut obs, &|| {
        curl(&["--cacert", p(&ca), "--resolve", &resolve, &url], "TLS")
    });
}

/// A client certificate whose subject carries terminal escapes and a fake log line, signed by the
/// test CA with `openssl x509 -req` (tlskit's own `cert issue` refuses such names).
fn hostile_subject_client_cert(pki: &Pki) -> (std::path::PathBuf, std::path::PathBuf) {
    let (key, csr, crt, ext) = (
        pki.path("evil.key"),
        pki.path("evil.csr"),
        pki.path("evil.crt"),
        pki.path("evil.ext"),
    );
    std::fs::write(
        &ext,
        "extendedKeyUsage=clientAuth\nsubjectAltName=DNS:evil.example\n",
    )
    .unwrap();
    let subject = "/CN=\x1b[2J\x1b]0;pwned\x07evil/O=x\n[fake] line";
    let r = run_cmd(
        Command::new(require_tool("openssl", "openssl")).args([
            "req",
            "-new",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            p(&key),
            "-subj",
            subject,
            "-out",
            p(&csr),
        ]),
        Duration::from_secs(30),
    );
    assert_eq!(r.code, 0, "openssl req: {}", r.stderr);
    let ca_key = pki.ca_dir().join("ca.key");
    let ca_crt = pki.ca_cert();
    let r = run_cmd(
        Command::new(require_tool("openssl", "openssl")).args([
            "x509",
            "-req",
            "-in",
            p(&csr),
            "-CA",
            p(&ca_crt),
            "-CAkey",
            p(&ca_key),
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            p(&ext),
            "-out",
            p(&crt),
        ]),
        Duration::from_secs(30),
    );
    assert_eq!(r.code, 0, "openssl x509 -req: {}", r.stderr);
    (crt, key)
}

/// `openssl s_client` with the given certificate (or none) sends MSG; Ok(reply) when the server
/// echoed it.
fn s_client_echo(
    ca: &std::path::Path,
    port: u16,
    cert: Option<(&std::path::Path, &std::path::Path)>,
    msg: &str,
) -> Result<(), String> {
    let mut cmd = Command::new(require_tool("openssl", "openssl"));
    cmd.args([
        "s_client",
        "-connect",
        &format!("127.0.0.1:{port}"),
        "-servername",
        "localhost",
        "-CAfile",
        p(ca),
        "-verify_return_error",
        "-quiet",
    ]);
    if let Some((crt, key)) = cert {
        cmd.args(["-cert", p(crt), "-key", p(key)]);
    }
    let r = run_with_stdin(
        &mut cmd,
        format!("{msg}\n").as_bytes(),
        Duration::from_secs(30),
    );
    if r.stdout.contains(msg) {
        Ok(())
    } else {
        Err(format!(
            "s_client: rc {:?}: {}{}",
            r.code, r.stdout, r.stderr
        ))
    }
}

/// `serve --require-client-cert` under the same attacks: the good client (with a certificate from
/// the --client-ca) is served during and after them; a client without a certificate and one with a
/// certificate from another CA are refused each time; and a client certificate whose subject holds
/// terminal escapes and a newline is logged escaped.
#[test]
fn serve_with_required_client_certs_survives_hostile_clients() {
    let pki = Pki::new("ecdsa-p256");
    let server_pem = pki.issue_combined("localhost.pem", &["localhost"], &[]);
    let (ccrt, ckey) = pki.issue("alice", &["alice.example"], &["--client"]);
    let (ecrt, ekey) = hostile_subject_client_cert(&pki);
    let other = Pki::new("ecdsa-p256");
    let (ocrt, okey) = other.issue("mallory", &["mallory.example"], &["--client"]);
    let ca = pki.ca_cert();
    let mut args = vec![
        "serve",
        "-s",
        p(&server_pem),
        "-a",
        p(&ca),
        "--require-client-cert",
        "--echo",
    ];
    args.extend(timeouts());
    args.extend(["127.0.0.1", "0"]);
    let mut srv = start("tlskit serve --require-client-cert", &args);
    let port = srv.port;
    survive("serve --require-client-cert", &mut srv, &|| {
        s_client_echo(&ca, port, Some((&ccrt, &ckey)), "with-alice")?;
        if s_client_echo(&ca, port, None, "no-cert").is_ok() {
            return Err("a client without a certificate was served".into());
        }
        if s_client_echo(&ca, port, Some((&ocrt, &okey)), "other-ca").is_ok() {
            return Err("a client with a certificate from another CA was served".into());
        }
        s_client_echo(&ca, port, Some((&ecrt, &ekey)), "with-evil")
    });
    let out = srv.peer.output();
    assert!(out.contains("client=[CN=alice.example"), "{out}");
    assert!(
        out.contains("\\1B[2J\\1B]0\\;pwned\\07evil") && out.contains("x\\0A[fake] line"),
        "the hostile subject is not shown escaped:\n{out}"
    );
}
