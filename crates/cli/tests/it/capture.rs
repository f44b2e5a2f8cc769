//! What a capture shows, against real tools: the DNS lookup before a TLS connection (dnsmasq on a
//! loopback address, queried by tlskit's own resolver through a private /etc/resolv.conf), the
//! ladder diagram (checked by xmllint and rendered by headless Chromium), `connect --json`
//! timing against tcpdump's view of the same connection, and a capture still being written.

use crate::common::*;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const NAME: &str = "www.bank32.test";

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// tcpdump on `lo` with `filter`, until stopped with SIGINT.
struct Tcpdump {
    peer: Peer,
    file: PathBuf,
}

impl Tcpdump {
    fn start(file: PathBuf, filter: &str, knock_port: u16) -> Tcpdump {
        let tool = require_tool("tcpdump", "tcpdump");
        let mut cmd = Command::new(tool);
        cmd.args(["-i", "lo", "-U", "-n", "--immediate-mode", "-w"])
            .arg(&file)
            .arg(filter);
        let peer = Peer::spawn("tcpdump", &mut cmd);
        assert!(
            peer.wait_output("listening on", Duration::from_secs(30)),
            "{}",
            peer.output()
        );
        // Knock until packets reach the file (separate, non-TLS streams).
        let size = || std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
        let initial = size();
        let deadline = Instant::now() + Duration::from_secs(20);
        while size() <= initial {
            assert!(Instant::now() < deadline, "tcpdump recorded nothing");
            let _ = std::net::TcpStream::connect(("127.0.0.1", knock_port));
            std::thread::sleep(Duration::from_millis(200));
        }
        Tcpdump { peer, file }
    }

    fn stop(mut self) -> PathBuf {
        std::thread::sleep(Duration::from_millis(1000));
        // SAFETY: kill(2) on the pid of a child this test spawned and still owns (not yet reaped).
        unsafe {
            libc::kill(self.peer.child().id() as i32, libc::SIGINT);
        }
        let deadline = Instant::now() + Duration::from_secs(20);
        while !matches!(self.peer.child().try_wait(), Ok(Some(_))) {
            assert!(Instant::now() < deadline, "tcpdump did not stop");
            std::thread::sleep(Duration::from_millis(30));
        }
        self.file.clone()
    }
}

/// dnsmasq answering `NAME` with 127.0.0.1, on port 53 of a loopback address of its own.
fn dnsmasq(dir: &Path) -> (Peer, String) {
    let tool = require_tool("dnsmasq", "dnsmasq");
    let ip = format!("127.0.53.{}", 2 + std::process::id() % 250);
    let mut cmd = Command::new(tool);
    cmd.args([
        "--no-daemon",
        "--no-resolv",
        "--no-hosts",
        "--port=53",
        "--bind-interfaces",
        &format!("--listen-address={ip}"),
        &format!("--address=/{NAME}/127.0.0.1"),
        "--log-queries",
        &format!("--pid-file={}", dir.join("dnsmasq.pid").display()),
    ]);
    let peer = Peer::spawn("dnsmasq", &mut cmd);
    assert!(
        peer.wait_output("started", Duration::from_secs(20)),
        "dnsmasq did not start:\n{}",
        peer.output()
    );
    (peer, ip)
}

/// Run tlskit with /etc/resolv.conf pointing at `resolver`, in a private mount namespace (so
/// nothing else on the machine is affected), the way a student's machine resolves names.
fn tlskit_resolving_with(resolver: &str, dir: &Path, args: &[&str]) -> Run {
    let unshare = require_tool("unshare", "util-linux");
    let conf = dir.join("resolv.conf");
    std::fs::write(
        &conf,
        format!("nameserver {resolver}\noptions attempts:1 timeout:5\n"),
    )
    .unwrap();
    let mut script = format!(
        "mount --bind {} /etc/resolv.conf && exec {}",
        p(&conf),
        p(&tlskit_bin())
    );
    for a in args {
        script.push_str(&format!(" '{}'", a.replace('\'', r"'\''")));
    }
    run_cmd(
        Command::new(unshare).args(["-m", "sh", "-c", &script]),
        Duration::from_secs(60),
    )
}

#[test]
fn pcap_ties_a_real_dns_lookup_to_the_tls_stream_it_led_to_and_draws_the_ladder() {
    let pki = Pki::new("ecdsa-p256");
    let pem = pki.issue_combined("bank.pem", &[NAME], &[]);
    let srv = serve(&["-s", p(&pem), "--http"]);
    let (dns, resolver) = dnsmasq(pki.dir.path());
    let cap = Tcpdump::start(
        pki.path("dns.pcap"),
        &format!("tcp port {} or port 53", srv.port),
        srv.port,
    );
    // tlskit resolves the name through dnsmasq, then connects to the answer.
    let r = tlskit_resolving_with(
        &resolver,
        pki.dir.path(),
        &[
            "connect",
            "-a",
            p(&pki.ca_cert()),
            "--http",
            "/",
            "-q",
            NAME,
            &srv.port.to_string(),
        ],
    );
    assert_eq!(r.code, 0, "{}\n{}", r.stderr, dns.output());
    // And a lookup over TCP, by a real DNS client.
    let dig = require_tool("dig", "bind9-dnsutils");
    let d = run_cmd(
        Command::new(dig).args(["+tcp", "+short", &format!("@{resolver}"), NAME]),
        Duration::from_secs(30),
    );
    assert_eq!(d.stdout.trim(), "127.0.0.1", "{}", d.stderr);
    let file = cap.stop();
    drop(dns);

    let svg = pki.path("ladder.svg");
    let out = run(&["pcap", "--json", "--svg", p(&svg), p(&file)]);
    out.ok();
    let rep = out.json();
    let exchanges = rep["dns"].as_array().unwrap();
    let a = exchanges
        .iter()
        .find(|e| e["transport"] == "udp" && e["qtype"] == "A" && e["name"] == NAME)
        .unwrap_or_else(|| panic!("no UDP A query for {NAME}: {exchanges:#?}"));
    assert_eq!(a["answers"][0]["data"], "127.0.0.1");
    assert_eq!(a["resolver"], format!("{resolver}:53"));
    let tls_stream = rep["streams"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["tls"]["client_hello"]["sni"] == NAME)
        .expect("the TLS stream");
    assert_eq!(a["led_to_streams"][0], tls_stream["index"], "{a:#}");
    assert_eq!(tls_stream["dns"]["name"], NAME);
    assert!(tls_stream["dns"]["query_before_ms"].as_f64().unwrap() > 0.0);
    assert!(
        exchanges
            .iter()
            .any(|e| e["transport"] == "tcp" && e["answers"][0]["data"] == "127.0.0.1"),
        "no DNS over TCP: {exchanges:#?}"
    );
    // The text report shows the lookup before the stream.
    let text = run(&["pcap", p(&file)]);
    text.ok();
    assert!(
        text.stdout.contains("DNS (not protected by TLS"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout
            .contains(&format!("the client looked up {NAME}")),
        "{}",
        text.stdout
    );

    // The SVG is well-formed XML (xmllint), names the messages, and Chromium renders it.
    let xmllint = require_tool("xmllint", "libxml2-utils");
    let lint = run_cmd(
        Command::new(xmllint).args(["--noout", p(&svg)]),
        Duration::from_secs(30),
    );
    assert_eq!(lint.code, 0, "xmllint: {}", lint.stderr);
    let body = std::fs::read_to_string(&svg).unwrap();
    for needle in [
        "ClientHello",
        "ServerHello",
        "SYN-ACK",
        "DNS query A",
        "TCP handshake",
        "TLS handshake",
        "resolver",
    ] {
        assert!(body.contains(needle), "the SVG lacks {needle}");
    }
    let height: f64 = body
        .split("height=\"")
        .nth(1)
        .and_then(|h| h.split('"').next())
        .and_then(|h| h.parse().ok())
        .unwrap();
    let png = pki.path("ladder.png");
    let chromium = require_tool("chromium", "chromium");
    let shot = run_cmd(
        Command::new(&chromium)
            .env("HOME", pki.dir.path())
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--hide-scrollbars",
            ])
            .arg(format!("--user-data-dir={}", pki.path("chrome").display()))
            .arg(format!("--screenshot={}", p(&png)))
            .arg(format!("--window-size=1000,{}", height as u32))
            .arg(format!("file://{}", p(&svg))),
        Duration::from_secs(90),
    );
    let bytes =
        std::fs::read(&png).unwrap_or_else(|e| panic!("no screenshot ({e}): {}", shot.stderr));
    let (w, h) = png_size(&bytes);
    assert_eq!((w, h), (1000, height as u32), "screenshot size");
    // A blank page of that size compresses to a few kilobytes; the drawing does not.
    let blank = pki.path("blank.svg");
    std::fs::write(&blank, format!(r#"<svg xmlns="http://www.w3.org/2000/svg" width="1000" height="{height}"><rect width="1000" height="{height}" fill="white"/></svg>"#)).unwrap();
    let blank_png = pki.path("blank.png");
    run_cmd(
        Command::new(&chromium)
            .env("HOME", pki.dir.path())
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--hide-scrollbars",
            ])
            .arg(format!("--user-data-dir={}", pki.path("chrome2").display()))
            .arg(format!("--screenshot={}", p(&blank_png)))
            .arg(format!("--window-size=1000,{}", height as u32))
            .arg(format!("file://{}", p(&blank))),
        Duration::from_secs(90),
    );
    let blank_len = std::fs::metadata(&blank_png).map(|m| m.len()).unwrap_or(0);
    assert!(
        bytes.len() as u64 > 4 * blank_len.max(1000),
        "the screenshot looks empty: {} bytes vs {blank_len} for a blank page",
        bytes.len()
    );
}

/// Width and height from a PNG's IHDR chunk.
fn png_size(b: &[u8]) -> (u32, u32) {
    assert!(
        b.starts_with(b"\x89PNG\r\n\x1a\n") && &b[12..16] == b"IHDR",
        "not a PNG"
    );
    (
        u32::from_be_bytes(b[16..20].try_into().unwrap()),
        u32::from_be_bytes(b[20..24].try_into().unwrap()),
    )
}

#[test]
fn connect_timing_matches_the_capture_of_the_same_connection() {
    let pki = Pki::new("ecdsa-p256");
    let pem = pki.issue_combined("localhost.pem", &["localhost"], &[]);
    let srv = serve(&["-s", p(&pem)]);
    let cap = Tcpdump::start(
        pki.path("t.pcap"),
        &format!("tcp port {}", srv.port),
        srv.port,
    );
    let mut reports = Vec::new();
    for _ in 0..3 {
        let r = run(&[
            "connect",
            "--json",
            "-a",
            p(&pki.ca_cert()),
            "localhost",
            &srv.port.to_string(),
        ]);
        r.ok();
        reports.push(r.json());
    }
    let file = cap.stop();
    let rep = run(&["pcap", "--json", p(&file)]).json();
    let mut best = f64::MAX;
    for c in &reports {
        let local = c["target"]["local_address"].as_str().unwrap();
        let s = rep["streams"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["client"] == local)
            .unwrap_or_else(|| panic!("no stream from {local}"));
        let tls_cap = s["tls"]["handshake_ms"].as_f64().unwrap();
        let tls_own = c["timing"]["tls_handshake_ms"].as_f64().unwrap();
        let ack = s["tcp"]["ack_ms"].as_f64().unwrap();
        let hello = s["tls"]["client_hello"]["t_ms"].as_f64().unwrap();
        // The client's clock starts before the ClientHello leaves and stops after its Finished:
        // its figure can only be larger than the capture's, never smaller.
        assert!(
            tls_own + 0.05 >= tls_cap,
            "connect {tls_own} ms < capture {tls_cap} ms"
        );
        best = best.min((tls_own - tls_cap).max(hello - ack));
    }
    // Before, the ClientHello left 36-90 ms after the TCP ACK (the crypto library warming up and
    // the configuration being built after connecting) and that time counted as TLS handshake.
    // Now nothing is built after connect(): at least one of three connections shows both gaps
    // well under 10 ms even on a loaded machine.
    assert!(
        best < 10.0,
        "connect's TLS timing is {best} ms off the capture"
    );
}

#[test]
fn pause_does_not_change_the_figures() {
    let pki = Pki::new("ecdsa-p256");
    let pem = pki.issue_combined("localhost.pem", &["localhost"], &[]);
    let srv = serve(&["-s", p(&pem)]);
    let mut cmd = tlskit();
    cmd.args([
        "connect",
        "--pause",
        "-a",
        p(&pki.ca_cert()),
        "localhost",
        &srv.port.to_string(),
    ]);
    // Enter after a second each time: the pause must not be counted.
    let mut child = cmd
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut si = child.stdin.take().unwrap();
        std::thread::spawn(move || {
            for _ in 0..3 {
                std::thread::sleep(Duration::from_millis(1200));
                let _ = si.write_all(b"\n");
            }
        });
    }
    let out = wait_with_timeout(&mut child, Duration::from_secs(60)).unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .find(|l| l.contains("TLS handshake"))
        .unwrap_or_else(|| panic!("{stdout}"));
    let ms: f64 = line.split_whitespace().nth(2).unwrap().parse().unwrap();
    assert!(ms < 500.0, "the pause was counted: {line}");
}

#[test]
fn a_capture_still_being_written_gets_an_error_that_says_so() {
    let pki = Pki::new("ecdsa-p256");
    let pem = pki.issue_combined("localhost.pem", &["localhost"], &[]);
    let srv = serve(&["-s", p(&pem)]);
    let cap = Tcpdump::start(
        pki.path("live.pcap"),
        &format!("tcp port {}", srv.port),
        srv.port,
    );
    run(&[
        "connect",
        "-a",
        p(&pki.ca_cert()),
        "localhost",
        &srv.port.to_string(),
    ])
    .ok();
    // Read the file as it is now, while tcpdump still runs: cut it mid-packet to be sure.
    let bytes = std::fs::read(&cap.file).unwrap();
    let cut = pki.path("cut.pcap");
    std::fs::write(&cut, &bytes[..bytes.len() - 3]).unwrap();
    let r = run(&["pcap", p(&cut)]);
    r.failed_with(1, "still being written");
    assert!(r.stderr.contains("stop the capture"), "{}", r.stderr);
    let file = cap.stop();
    run(&["pcap", p(&file)]).ok();
}
