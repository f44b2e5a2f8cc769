//! `tlskit pcap` on real captures taken with tcpdump (pcap) and tshark (pcapng) on `lo` during a
//! `tlskit connect` → `tlskit serve` exchange, on synthetic captures that exercise reassembly and
//! the file formats, and on malformed and truncated files.

use crate::common::*;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use tlskit_wire::client_hello::ClientHelloBuilder;
use tlskit_wire::codec::Codec;
use tlskit_wire::extensions::Extension;
use tlskit_wire::handshake::{HandshakeType, ServerHello};

const NAME: &str = "www.bank32.com";

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// A capture tool running on `lo` until stopped with SIGINT.
struct Capture {
    peer: Peer,
    file: PathBuf,
}

impl Capture {
    fn tcpdump(file: PathBuf, port: u16) -> Capture {
        let tool = require_tool("tcpdump", "tcpdump");
        let mut cmd = Command::new(tool);
        // --immediate-mode: hand each packet over at once (otherwise packets still in the kernel's
        // buffer block when SIGINT arrives are lost); -U: write each one out at once.
        cmd.args(["-i", "lo", "-U", "-n", "--immediate-mode", "-w"])
            .arg(&file)
            .args(["tcp", "port", &port.to_string()]);
        Capture::start(cmd, file, "listening on", port)
    }

    fn tshark(file: PathBuf, port: u16) -> Capture {
        let tool = require_tool("tshark", "tshark");
        let mut cmd = Command::new(tool);
        cmd.args(["-i", "lo", "-n", "-f", &format!("tcp port {port}"), "-w"])
            .arg(&file);
        Capture::start(cmd, file, "Capturing on", port)
    }

    fn start(mut cmd: Command, file: PathBuf, ready: &str, port: u16) -> Capture {
        let peer = Peer::spawn("capture", &mut cmd);
        assert!(
            peer.wait_output(ready, Duration::from_secs(30)),
            "the capture did not start:\n{}",
            peer.output()
        );
        // The tools announce themselves a moment before packets really reach the file: knock on
        // the port until the file grows (the knocks are separate, non-TLS streams).
        let size = || std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
        let initial = size();
        let deadline = Instant::now() + Duration::from_secs(20);
        while size() <= initial {
            assert!(
                Instant::now() < deadline,
                "the capture never recorded anything:\n{}",
                peer.output()
            );
            let _ = std::net::TcpStream::connect(("127.0.0.1", port));
            std::thread::sleep(Duration::from_millis(200));
        }
        Capture { peer, file }
    }

    /// SIGINT, then wait for the tool to write out the file and exit.
    fn stop(mut self) -> PathBuf {
        // Let the last packets reach the file (dumpcap delivers its buffer about once a second).
        std::thread::sleep(Duration::from_millis(1500));
        let pid = self.peer.child().id() as i32;
        // SAFETY: kill(2) on the pid of a child this test spawned and still owns (not yet reaped).
        unsafe {
            libc::kill(pid, libc::SIGINT);
        }
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(Some(_)) = self.peer.child().try_wait() {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "the capture tool did not stop:\n{}",
                self.peer.output()
            );
            std::thread::sleep(Duration::from_millis(30));
        }
        self.file.clone()
    }
}

fn stream_of(report: &serde_json::Value) -> &serde_json::Value {
    let streams = report["streams"].as_array().unwrap();
    streams
        .iter()
        .find(|s| s["tls"]["client_hello"]["sni"] == NAME)
        .unwrap_or_else(|| panic!("no stream with SNI {NAME}:\n{report:#}"))
}

#[test]
fn a_tcpdump_capture_shows_the_tcp_handshake_before_the_tls_handshake() {
    let pki = Pki::new("ecdsa-p256");
    let pem = pki.issue_combined("bank.pem", &[NAME], &[]);
    let srv = serve(&["-s", p(&pem), "--http"]);
    let keylog = pki.path("keys.log");
    let cap = Capture::tcpdump(pki.path("tls.pcap"), srv.port);
    let r = run(&[
        "connect",
        "-a",
        p(&pki.ca_cert()),
        "--servername",
        NAME,
        "--http",
        "/",
        "--json",
        "--keylog",
        p(&keylog),
        "127.0.0.1",
        &srv.port.to_string(),
    ]);
    r.ok();
    let connect = r.json();
    let file = cap.stop();
    let out = run(&["pcap", "--json", "--keylog", p(&keylog), p(&file)]);
    out.ok();
    let rep = out.json();
    assert_eq!(rep["format"], "pcap");
    let s = stream_of(&rep);
    let tcp = &s["tcp"];
    let ack = tcp["ack_ms"]
        .as_f64()
        .expect("the ACK of the TCP handshake");
    assert!(tcp["syn_ms"].as_f64().unwrap() <= tcp["syn_ack_ms"].as_f64().unwrap());
    assert!(tcp["syn_ack_ms"].as_f64().unwrap() <= ack);
    let ch = s["tls"]["client_hello"]["t_ms"].as_f64().unwrap();
    assert!(
        ack <= ch,
        "the TCP handshake must complete before the ClientHello: ack {ack}, ClientHello {ch}"
    );
    assert_eq!(s["server"], format!("127.0.0.1:{}", srv.port));
    // The versions and suite read from the capture are the ones the client negotiated.
    assert_eq!(s["tls"]["version"], connect["protocol"]);
    assert_eq!(
        s["tls"]["server_hello"]["cipher_suite"],
        connect["cipher_suite"]["name"]
    );
    assert!(s["tls"]["client_hello"]["offered_versions"]
        .as_array()
        .unwrap()
        .iter()
        .any(|v| v == "TLSv1.3"));
    assert_eq!(s["tls"]["client_hello"]["alpn"][0], "http/1.1");
    assert_eq!(s["tls"]["round_trips"], 1);
    let summary = s["summary"].as_str().unwrap();
    assert!(
        summary.contains("finished before the TLS handshake began"),
        "{summary}"
    );
    assert!(
        summary.contains("the TLS handshake took") && summary.contains("1 round trip"),
        "{summary}"
    );
    // The request and the page are visible as sizes.
    let ex = s["tls"]["exchanges"].as_array().unwrap();
    assert!(
        ex.iter()
            .any(|e| e["request"].is_object() && e["response"].is_object()),
        "{s:#}"
    );
    // The key log written by connect covers this session.
    assert_eq!(s["keylog"]["covered"], true);
    assert_eq!(s["keylog"]["complete"], true);
    assert_eq!(rep["keylog"]["covered_streams"][0], s["index"]);
    // The text report answers the question in one line.
    let text = run(&["pcap", p(&file)]);
    text.ok();
    assert!(
        text.stdout
            .contains("SYN (connect() starts the TCP handshake)"),
        "{}",
        text.stdout
    );
    assert!(text.stdout.contains("ClientHello"), "{}", text.stdout);
    assert!(
        text.stdout.contains("=> the TCP handshake took"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout.contains("TLS handshake complete"),
        "{}",
        text.stdout
    );
}

#[test]
fn a_tshark_pcapng_capture_of_tls12_shows_two_round_trips() {
    let pki = Pki::new("ecdsa-p256");
    let pem = pki.issue_combined("bank.pem", &[NAME], &[]);
    let srv = serve(&["-s", p(&pem), "--no-resumption"]);
    let cap = Capture::tshark(pki.path("tls.pcapng"), srv.port);
    run(&[
        "connect",
        "-a",
        p(&pki.ca_cert()),
        "--servername",
        NAME,
        "-p",
        "TLSv1_2",
        "-C",
        "ECDHE-ECDSA-AES256-GCM-SHA384",
        "-q",
        "127.0.0.1",
        &srv.port.to_string(),
    ])
    .ok();
    let file = cap.stop();
    // A key log of some other session does not cover this one.
    let other = pki.path("other.log");
    std::fs::write(
        &other,
        format!("CLIENT_RANDOM {} {}\n", "ab".repeat(32), "cd".repeat(48)),
    )
    .unwrap();
    let out = run(&["pcap", "--json", "--keylog", p(&other), p(&file)]);
    out.ok();
    let rep = out.json();
    assert_eq!(rep["format"], "pcapng");
    let s = stream_of(&rep);
    assert_eq!(s["tls"]["version"], "TLSv1.2");
    assert_eq!(
        s["tls"]["server_hello"]["cipher_suite"],
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"
    );
    assert_eq!(s["tls"]["round_trips"], 2, "{s:#}");
    assert!(
        s["tcp"]["ack_ms"].as_f64().unwrap() <= s["tls"]["client_hello"]["t_ms"].as_f64().unwrap()
    );
    assert!(
        s["summary"].as_str().unwrap().contains("2 round trips"),
        "{}",
        s["summary"]
    );
    assert_eq!(s["keylog"]["covered"], false);
    assert_eq!(rep["keylog"]["uncovered_streams"][0], s["index"]);
}

// ---------------------------------------------------------------------------------------------
// Synthetic captures.

struct Pkt {
    t_us: u64,
    from_client: bool,
    seq: u32,
    ack: u32,
    flags: u8,
    payload: Vec<u8>,
}

fn tls_record(typ: u8, payload: &[u8]) -> Vec<u8> {
    let mut r = vec![typ, 3, 3, (payload.len() >> 8) as u8, payload.len() as u8];
    r.extend_from_slice(payload);
    r
}

/// An IPv4/TCP packet between 127.0.0.1:40000 (client) and 127.0.0.2:443 (server).
fn ip_tcp(pk: &Pkt) -> Vec<u8> {
    let (src, dst, sport, dport) = if pk.from_client {
        ([127, 0, 0, 1], [127, 0, 0, 2], 40000u16, 443u16)
    } else {
        ([127, 0, 0, 2], [127, 0, 0, 1], 443, 40000)
    };
    let total = (20 + 20 + pk.payload.len()) as u16;
    let mut f = vec![
        0x45,
        0,
        (total >> 8) as u8,
        total as u8,
        0,
        0,
        0x40,
        0,
        64,
        6,
        0,
        0,
    ];
    f.extend_from_slice(&src);
    f.extend_from_slice(&dst);
    f.extend_from_slice(&sport.to_be_bytes());
    f.extend_from_slice(&dport.to_be_bytes());
    f.extend_from_slice(&pk.seq.to_be_bytes());
    f.extend_from_slice(&pk.ack.to_be_bytes());
    f.extend_from_slice(&[0x50, pk.flags, 0xff, 0xff, 0, 0, 0, 0]);
    f.extend_from_slice(&pk.payload);
    f
}

const SYN: u8 = 0x02;
const ACK: u8 = 0x10;
const PSH: u8 = 0x08;
const FIN: u8 = 0x01;

/// A TLS 1.3 exchange whose ClientHello arrives in two segments, out of order, one retransmitted.
fn scenario() -> Vec<Pkt> {
    let ch = ClientHelloBuilder::new()
        .server_name(NAME)
        .alpn(&["http/1.1"])
        .build_record();
    let sh = ServerHello {
        legacy_version: 0x0303,
        random: [7; 32],
        session_id: vec![],
        cipher_suite: 0x1301,
        compression: 0,
        extensions: vec![
            Extension {
                typ: 43,
                data: vec![3, 4],
            },
            Extension {
                typ: 51,
                data: [vec![0, 0x1d, 0, 32], vec![9; 32]].concat(),
            },
        ],
    };
    let mut sh_msg = vec![HandshakeType::ServerHello.to_u8()];
    let body = sh.to_bytes();
    sh_msg.extend_from_slice(&[0, (body.len() >> 8) as u8, body.len() as u8]);
    sh_msg.extend_from_slice(&body);
    let mut server_flight = tls_record(22, &sh_msg);
    server_flight.extend(tls_record(20, &[1]));
    server_flight.extend(tls_record(23, &[0xaa; 900]));
    let mut client_fin = tls_record(20, &[1]);
    client_fin.extend(tls_record(23, &[0xbb; 53]));
    let request = tls_record(23, &[0xcc; 117]); // 100 bytes of data + 17
    let response = tls_record(23, &[0xdd; 1017]); // 1000 bytes of data + 17
    let (c0, s0) = (1000u32, 5000u32);
    let half = ch.len() / 2;
    let (a, b) = ch.split_at(half);
    let c1 = c0 + 1;
    let c2 = c1 + ch.len() as u32;
    let c3 = c2 + client_fin.len() as u32;
    let c4 = c3 + request.len() as u32;
    let s1 = s0 + 1;
    let s2 = s1 + server_flight.len() as u32;
    let s3 = s2 + response.len() as u32;
    vec![
        Pkt {
            t_us: 0,
            from_client: true,
            seq: c0,
            ack: 0,
            flags: SYN,
            payload: vec![],
        },
        Pkt {
            t_us: 100,
            from_client: false,
            seq: s0,
            ack: c1,
            flags: SYN | ACK,
            payload: vec![],
        },
        Pkt {
            t_us: 200,
            from_client: true,
            seq: c1,
            ack: s1,
            flags: ACK,
            payload: vec![],
        },
        // Second half first, then the first half, then the first half again.
        Pkt {
            t_us: 1_000,
            from_client: true,
            seq: c1 + half as u32,
            ack: s1,
            flags: ACK | PSH,
            payload: b.to_vec(),
        },
        Pkt {
            t_us: 1_100,
            from_client: true,
            seq: c1,
            ack: s1,
            flags: ACK | PSH,
            payload: a.to_vec(),
        },
        Pkt {
            t_us: 1_200,
            from_client: true,
            seq: c1,
            ack: s1,
            flags: ACK | PSH,
            payload: a.to_vec(),
        },
        Pkt {
            t_us: 3_000,
            from_client: false,
            seq: s1,
            ack: c2,
            flags: ACK | PSH,
            payload: server_flight,
        },
        Pkt {
            t_us: 5_000,
            from_client: true,
            seq: c2,
            ack: s2,
            flags: ACK | PSH,
            payload: client_fin,
        },
        Pkt {
            t_us: 5_100,
            from_client: true,
            seq: c3,
            ack: s2,
            flags: ACK | PSH,
            payload: request,
        },
        Pkt {
            t_us: 7_000,
            from_client: false,
            seq: s2,
            ack: c4,
            flags: ACK | PSH,
            payload: response,
        },
        Pkt {
            t_us: 8_000,
            from_client: true,
            seq: c4,
            ack: s3,
            flags: ACK | FIN,
            payload: vec![],
        },
        Pkt {
            t_us: 8_100,
            from_client: false,
            seq: s3,
            ack: c4 + 1,
            flags: ACK | FIN,
            payload: vec![],
        },
    ]
}

/// Classic pcap, little-endian; `nanos` picks the nanosecond magic; link type SLL2 (276) or Ethernet (1).
fn write_pcap(path: &Path, pkts: &[Pkt], nanos: bool, link: u32) {
    let mut out = Vec::new();
    let magic: u32 = if nanos { 0xa1b2_3c4d } else { 0xa1b2_c3d4 };
    out.extend_from_slice(&magic.to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&4u16.to_le_bytes());
    out.extend_from_slice(&[0; 8]);
    out.extend_from_slice(&65535u32.to_le_bytes());
    out.extend_from_slice(&link.to_le_bytes());
    for pk in pkts {
        let ip = ip_tcp(pk);
        let frame = match link {
            276 => {
                let mut f = vec![
                    0x08, 0x00, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                ];
                f.extend_from_slice(&ip);
                f
            }
            _ => {
                let mut f = vec![0u8; 12];
                f.extend_from_slice(&[0x08, 0x00]);
                f.extend_from_slice(&ip);
                f
            }
        };
        let ts = 1_700_000_000u64 * 1_000_000 + pk.t_us;
        out.extend_from_slice(&((ts / 1_000_000) as u32).to_le_bytes());
        let frac = if nanos {
            (ts % 1_000_000) * 1000
        } else {
            ts % 1_000_000
        };
        out.extend_from_slice(&(frac as u32).to_le_bytes());
        out.extend_from_slice(&(frame.len() as u32).to_le_bytes());
        out.extend_from_slice(&(frame.len() as u32).to_le_bytes());
        out.extend_from_slice(&frame);
    }
    std::fs::write(path, out).unwrap();
}

fn pcapng_block(typ: u32, body: &[u8]) -> Vec<u8> {
    let mut body = body.to_vec();
    while body.len() % 4 != 0 {
        body.push(0);
    }
    let total = (body.len() + 12) as u32;
    let mut b = Vec::new();
    b.extend_from_slice(&typ.to_be_bytes());
    b.extend_from_slice(&total.to_be_bytes());
    b.extend_from_slice(&body);
    b.extend_from_slice(&total.to_be_bytes());
    b
}

/// pcapng, big-endian, raw IPv4 link type (228), nanosecond timestamps (if_tsresol = 9).
fn write_pcapng(path: &Path, pkts: &[Pkt]) {
    let mut shb = Vec::new();
    shb.extend_from_slice(&0x1a2b_3c4du32.to_be_bytes());
    shb.extend_from_slice(&1u16.to_be_bytes());
    shb.extend_from_slice(&0u16.to_be_bytes());
    shb.extend_from_slice(&u64::MAX.to_be_bytes());
    let mut out = pcapng_block(0x0a0d_0d0a, &shb);
    let mut idb = Vec::new();
    idb.extend_from_slice(&228u16.to_be_bytes());
    idb.extend_from_slice(&0u16.to_be_bytes());
    idb.extend_from_slice(&0u32.to_be_bytes());
    idb.extend_from_slice(&9u16.to_be_bytes()); // if_tsresol
    idb.extend_from_slice(&1u16.to_be_bytes());
    idb.extend_from_slice(&[9, 0, 0, 0]);
    idb.extend_from_slice(&[0, 0, 0, 0]); // opt_endofopt
    out.extend(pcapng_block(1, &idb));
    // A block tlskit does not need (name resolution) must be skipped.
    out.extend(pcapng_block(4, &[0, 0, 0, 0]));
    for pk in pkts {
        let ip = ip_tcp(pk);
        let ts = (1_700_000_000u64 * 1_000_000 + pk.t_us) * 1000;
        let mut epb = Vec::new();
        epb.extend_from_slice(&0u32.to_be_bytes());
        epb.extend_from_slice(&((ts >> 32) as u32).to_be_bytes());
        epb.extend_from_slice(&(ts as u32).to_be_bytes());
        epb.extend_from_slice(&(ip.len() as u32).to_be_bytes());
        epb.extend_from_slice(&(ip.len() as u32).to_be_bytes());
        epb.extend_from_slice(&ip);
        out.extend(pcapng_block(6, &epb));
    }
    std::fs::write(path, out).unwrap();
}

fn check_synthetic(file: &Path, format: &str) {
    let out = run(&["pcap", "--json", p(file)]);
    out.ok();
    let rep = out.json();
    assert_eq!(rep["format"], format);
    assert_eq!(rep["packets"], 12);
    assert_eq!(rep["streams"].as_array().unwrap().len(), 1, "{rep:#}");
    let s = &rep["streams"][0];
    assert_eq!(s["client"], "127.0.0.1:40000");
    assert_eq!(s["server"], "127.0.0.2:443");
    assert_eq!(s["tcp"]["syn_ms"], 0.0);
    assert_eq!(s["tcp"]["syn_ack_ms"], 0.1);
    assert_eq!(s["tcp"]["ack_ms"], 0.2);
    assert_eq!(s["tcp"]["handshake_ms"], 0.2);
    assert_eq!(s["reassembly"]["out_of_order_segments"], 1);
    assert_eq!(s["reassembly"]["retransmitted_segments"], 1);
    assert_eq!(s["reassembly"]["missing_bytes"], 0);
    let tls = &s["tls"];
    assert_eq!(tls["client_hello"]["sni"], NAME);
    // The ClientHello is complete when its first half arrives.
    assert_eq!(tls["client_hello"]["t_ms"], 1.1);
    assert_eq!(tls["version"], "TLSv1.3");
    assert_eq!(
        tls["server_hello"]["cipher_suite"],
        "TLS_AES_128_GCM_SHA256"
    );
    assert_eq!(tls["server_hello"]["group"], "x25519");
    assert_eq!(tls["handshake_end_ms"], 5.0);
    assert_eq!(tls["handshake_ms"], 3.9);
    assert_eq!(tls["round_trips"], 1);
    let ex = tls["exchanges"].as_array().unwrap();
    assert_eq!(ex.len(), 1, "{tls:#}");
    assert_eq!(ex[0]["request"]["plaintext_estimate"], 100);
    assert_eq!(ex[0]["response"]["plaintext_estimate"], 1000);
    assert_eq!(ex[0]["wait_ms"], 1.9);
    assert_eq!(
        s["summary"],
        "the TCP handshake took 0.200 ms (1 round trip) and finished before the TLS handshake began; the TLS handshake took 3.900 ms and 1 round trip"
    );
}

#[test]
fn synthetic_captures_in_every_format_are_reassembled() {
    let dir = tempfile::tempdir().unwrap();
    let pkts = scenario();
    let a = dir.path().join("eth-us.pcap");
    write_pcap(&a, &pkts, false, 1);
    check_synthetic(&a, "pcap");
    let b = dir.path().join("sll2-ns.pcap");
    write_pcap(&b, &pkts, true, 276);
    check_synthetic(&b, "pcap");
    let c = dir.path().join("raw-ns.pcapng");
    write_pcapng(&c, &pkts);
    check_synthetic(&c, "pcapng");
    // A lost segment: the gap is reported and nothing is guessed.
    let mut lossy = scenario();
    lossy.remove(4);
    lossy.remove(4);
    let d = dir.path().join("lossy.pcap");
    write_pcap(&d, &lossy, false, 1);
    let rep = run(&["pcap", "--json", p(&d)]);
    rep.ok();
    let rep = rep.json();
    let half = ClientHelloBuilder::new()
        .server_name(NAME)
        .alpn(&["http/1.1"])
        .build_record()
        .len()
        / 2;
    assert_eq!(rep["streams"][0]["reassembly"]["missing_bytes"], half);
    assert!(rep["streams"][0]["summary"]
        .as_str()
        .unwrap()
        .contains("missing from the capture"));
    // --stream picks one stream; a stream that does not exist is a usage error.
    run(&["pcap", "--stream", "1", p(&a)]).ok();
    run(&["pcap", "--stream", "7", p(&a)]).failed_with(2, "--stream 7");
}

#[test]
fn malformed_and_truncated_captures_get_a_clean_error() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.pcap");
    write_pcap(&good, &scenario(), false, 1);
    let bytes = std::fs::read(&good).unwrap();

    let junk = dir.path().join("junk.pcap");
    std::fs::write(&junk, b"this is not a capture at all").unwrap();
    run(&["pcap", p(&junk)]).failed_with(1, "is not a pcap or pcapng capture");

    let empty = dir.path().join("empty.pcap");
    std::fs::write(&empty, b"").unwrap();
    run(&["pcap", p(&empty)]).failed_with(1, "is empty");

    run(&["pcap", "/nonexistent/capture.pcap"]).failed_with(1, "no such file");
    run(&["pcap", p(dir.path())]).failed_with(1, "directory");

    // Cut in the middle of a packet.
    let cut = dir.path().join("cut.pcap");
    std::fs::write(&cut, &bytes[..bytes.len() - 30]).unwrap();
    run(&["pcap", p(&cut)]).failed_with(1, "truncated");
    // … and in the middle of the file header.
    let cut_header = dir.path().join("cut-header.pcap");
    std::fs::write(&cut_header, &bytes[..10]).unwrap();
    run(&["pcap", p(&cut_header)]).failed_with(1, "truncated");
    // --partial reads what is complete, with a warning.
    let r = run(&["pcap", "--partial", "--json", p(&cut)]);
    r.ok();
    assert!(
        r.stderr.contains("tlskit: warning:") && r.stderr.contains("truncated"),
        "{}",
        r.stderr
    );
    assert_eq!(r.json()["packets"], 11);

    // An impossible packet length.
    let mut bad = bytes.clone();
    bad[24 + 8..24 + 12].copy_from_slice(&0x7fff_ffffu32.to_le_bytes());
    let badlen = dir.path().join("badlen.pcap");
    std::fs::write(&badlen, &bad).unwrap();
    run(&["pcap", p(&badlen)]).failed_with(1, "damaged");

    // pcapng: a block whose two length fields disagree, and a truncated file.
    let ng = dir.path().join("good.pcapng");
    write_pcapng(&ng, &scenario());
    let mut ngb = std::fs::read(&ng).unwrap();
    let n = ngb.len();
    ngb[n - 4..].copy_from_slice(&12345u32.to_be_bytes());
    let ng_bad = dir.path().join("bad.pcapng");
    std::fs::write(&ng_bad, &ngb).unwrap();
    run(&["pcap", p(&ng_bad)]).failed_with(1, "damaged");
    let ng_cut = dir.path().join("cut.pcapng");
    std::fs::write(&ng_cut, &ngb[..n / 2]).unwrap();
    run(&["pcap", p(&ng_cut)]).failed_with(1, "truncated");

    // A key log that is not one.
    let notkeys = dir.path().join("keys.log");
    std::fs::write(&notkeys, "hello\n").unwrap();
    run(&["pcap", "--keylog", p(&notkeys), p(&good)]).failed_with(1, "holds no key log lines");
}

#[test]
fn mutated_real_captures_never_panic_or_hang() {
    // Real captures of curl against openssl (the pcap_file fuzz seeds), each mutated 40 ways with
    // a fixed pseudo-random sequence: bytes flipped in packet data and headers, lengths set to
    // extremes, the file cut short. Every run ends within a bound with status 0 (what could be
    // read) or 1 (one error line), never a panic, and shows no raw control byte.
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/seeds/pcap_file");
    let dir = tempfile::tempdir().unwrap();
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for name in ["curl_openssl_tls13.pcap", "curl_openssl_tls13.pcapng"] {
        let original = std::fs::read(seeds.join(name)).unwrap();
        for i in 0..40 {
            let mut b = original.clone();
            match i % 4 {
                0 => {
                    for _ in 0..8 {
                        let at = (next() as usize) % b.len();
                        b[at] ^= (next() as u8) | 1;
                    }
                }
                1 => {
                    let at = (next() as usize) % (b.len() - 4);
                    let v = [0u32, 0xffff_ffff, 0x7fff_ffff, 65_535][(next() % 4) as usize];
                    b[at..at + 4].copy_from_slice(&v.to_le_bytes());
                }
                2 => b.truncate((next() as usize) % b.len()),
                _ => {
                    // Bytes from the middle repeated: streams and records out of order.
                    let from = (next() as usize) % b.len();
                    let len = ((next() as usize) % 600).min(b.len() - from);
                    let chunk = b[from..from + len].to_vec();
                    let at = (next() as usize) % b.len();
                    b.splice(at..at, chunk);
                }
            }
            let file = dir.path().join(format!("{i}-{name}"));
            std::fs::write(&file, &b).unwrap();
            let svg = dir.path().join(format!("{i}.svg"));
            for args in [
                vec!["pcap", p(&file)],
                vec!["pcap", "--partial", "--json", p(&file)],
                vec!["pcap", "--partial", "--svg", p(&svg), p(&file)],
            ] {
                let r = run_cmd(tlskit().args(&args), Duration::from_secs(30));
                let what = format!("{args:?} (mutation {i} of {name})");
                assert!(
                    r.code == 0 || r.code == 1,
                    "{what}: rc {}\n{}",
                    r.code,
                    r.stderr
                );
                assert!(!r.stderr.contains("panicked"), "{what}: {}", r.stderr);
                assert!(
                    !r.stdout.contains('\x1b') && !r.stderr.contains('\x1b'),
                    "{what}: raw escape byte"
                );
                if r.code == 1 {
                    let errors: Vec<_> = r
                        .stderr
                        .lines()
                        .filter(|l| l.starts_with("tlskit: error:"))
                        .collect();
                    assert_eq!(errors.len(), 1, "{what}: {}", r.stderr);
                }
            }
        }
    }
}
