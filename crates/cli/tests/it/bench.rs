//! `tlskit bench` against real servers on loopback: `tlskit serve` and `openssl s_server`.
//! These check behaviour (counts, resumption, the JSON shape, errors), never speed.

use crate::common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

struct Lab {
    pki: Pki,
    pem: PathBuf,
    site: PathBuf,
    ca: String,
}

fn lab() -> Lab {
    let pki = Pki::new("ecdsa-p256");
    let pem = pki.issue_combined("localhost.pem", &["localhost", "127.0.0.1"], &[]);
    let site = pki.path("site");
    std::fs::create_dir_all(&site).unwrap();
    std::fs::write(site.join("index.html"), "<h1>bench</h1>\n").unwrap();
    std::fs::File::create(site.join("data.bin"))
        .unwrap()
        .set_len(8 << 20)
        .unwrap();
    let ca = p(&pki.ca_cert()).to_string();
    Lab { pki, pem, site, ca }
}

impl Lab {
    fn serve(&self, extra: &[&str]) -> Served {
        let mut args = vec!["-s", p(&self.pem), "--http", "--root", p(&self.site), "-q"];
        args.extend_from_slice(extra);
        serve(&args)
    }
    fn ca(&self) -> &str {
        &self.ca
    }
}

/// `tlskit bench ARGS… localhost PORT --json`, which must succeed.
fn bench_json(port: u16, args: &[&str]) -> Value {
    let port = port.to_string();
    let mut all: Vec<&str> = vec!["bench", "--json"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["localhost", &port]);
    let r = run(&all);
    r.ok();
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    r.json()
}

fn n(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

#[test]
fn full_handshakes_against_tlskit_serve_report_rate_latency_and_cpu() {
    let lab = lab();
    let mut srv = lab.serve(&[]);
    let pid = srv.peer.child().id().to_string();
    let j = bench_json(
        srv.port,
        &[
            "-a",
            lab.ca(),
            "-t",
            "1",
            "-n",
            "4",
            "--path",
            "/index.html",
            "--server-pid",
            &pid,
        ],
    );
    assert_eq!(j["workload"], "full");
    assert_eq!(j["connections"], 4);
    assert_eq!(j["negotiated"]["protocol"], "TLSv1.3");
    let h = &j["handshakes"];
    assert!(n(&h["full"]) > 0.0, "{j}");
    assert_eq!(h["resumed"], 0, "--new never offers a session: {j}");
    assert!(n(&h["per_second"]) > 0.0);
    let hs = &j["latency_ms"]["handshake"];
    assert!(
        n(&hs["p50"]) > 0.0 && n(&hs["p99"]) >= n(&hs["p50"]) && n(&hs["max"]) >= n(&hs["p99"]),
        "{j}"
    );
    assert_eq!(hs["samples"], h["full"]);
    let fb = &j["latency_ms"]["first_byte"];
    assert!(
        n(&fb["p50"]) >= n(&hs["p50"]),
        "the first byte comes after the handshake: {j}"
    );
    assert_eq!(j["http_status"]["200"], h["full"]);
    assert_eq!(j["errors"]["total"], 0, "{j}");
    assert!(n(&j["cpu"]["client_s"]) > 0.0);
    assert!(
        n(&j["cpu"]["server_s"]) > 0.0,
        "the server's CPU time from /proc: {j}"
    );
    assert!(n(&j["cpu"]["server_ms_per_handshake"]) > 0.0);
    assert_eq!(
        j["cpu"]["server_pids"][0].as_u64().unwrap().to_string(),
        pid
    );
}

#[test]
fn resume_counts_only_resumed_handshakes_and_none_when_the_server_refuses() {
    let lab = lab();
    let srv = lab.serve(&[]);
    let j = bench_json(
        srv.port,
        &[
            "-a",
            lab.ca(),
            "--resume",
            "-t",
            "1",
            "-n",
            "4",
            "--path",
            "/index.html",
        ],
    );
    assert_eq!(j["workload"], "resume");
    assert!(n(&j["handshakes"]["resumed"]) > 0.0, "{j}");
    assert_eq!(
        j["handshakes"]["per_second"],
        j["handshakes"]["resumed_per_second"]
    );
    assert!(n(&j["handshakes"]["per_second"]) > 0.0);
    // TLS 1.2: session tickets / IDs.
    let j = bench_json(
        srv.port,
        &[
            "-a",
            lab.ca(),
            "--resume",
            "-p",
            "TLSv1_2",
            "-t",
            "1",
            "-n",
            "2",
            "--path",
            "/index.html",
        ],
    );
    assert_eq!(j["negotiated"]["protocol"], "TLSv1.2");
    assert!(n(&j["handshakes"]["resumed"]) > 0.0, "{j}");

    let off = lab.serve(&["--no-resumption"]);
    let j = bench_json(
        off.port,
        &[
            "-a",
            lab.ca(),
            "--resume",
            "-t",
            "1",
            "-n",
            "4",
            "--path",
            "/index.html",
        ],
    );
    assert_eq!(j["handshakes"]["resumed"], 0, "{j}");
    assert!(n(&j["handshakes"]["full"]) > 0.0);
    assert_eq!(j["handshakes"]["per_second"], 0.0);
    let notes = j["notes"].to_string();
    assert!(notes.contains("resumed none"), "{notes}");
}

#[test]
fn tls12_with_a_cipher_string() {
    let lab = lab();
    let srv = lab.serve(&[]);
    let j = bench_json(
        srv.port,
        &[
            "-a",
            lab.ca(),
            "-p",
            "TLSv1_2",
            "-C",
            "ECDHE-ECDSA-AES128-GCM-SHA256",
            "-t",
            "1",
            "-n",
            "2",
        ],
    );
    assert_eq!(j["negotiated"]["protocol"], "TLSv1.2");
    assert_eq!(
        j["negotiated"]["cipher_suite_openssl"],
        "ECDHE-ECDSA-AES128-GCM-SHA256"
    );
    assert!(n(&j["handshakes"]["full"]) > 0.0);
}

#[test]
fn bulk_moves_the_bytes_in_both_directions() {
    let lab = lab();
    let srv = lab.serve(&[]);
    let j = bench_json(
        srv.port,
        &["-a", lab.ca(), "--bulk", "8M", "--path", "/data.bin"],
    );
    assert_eq!(j["workload"], "bulk");
    let b = &j["bulk"];
    assert_eq!(b["bytes_per_connection"], 8 << 20);
    assert_eq!(b["down"]["bytes"], 8 << 20, "{j}");
    assert_eq!(b["up"]["bytes"], 8 << 20, "{j}");
    assert!(n(&b["down"]["mb_per_s"]) > 0.0 && n(&b["up"]["mb_per_s"]) > 0.0);
    // Two connections, one direction; asking for more than the file holds is reported.
    let j = bench_json(
        srv.port,
        &[
            "-a",
            lab.ca(),
            "--bulk",
            "16M",
            "--direction",
            "down",
            "-n",
            "2",
            "--path",
            "/data.bin",
        ],
    );
    assert_eq!(j["bulk"]["down"]["bytes"], 2 * (8 << 20));
    assert!(j["bulk"]["up"].is_null());
    assert!(j["notes"].to_string().contains("less than"), "{j}");
}

#[test]
fn idle_connections_and_the_servers_memory() {
    let lab = lab();
    let mut srv = lab.serve(&[]);
    let pid = srv.peer.child().id().to_string();
    let j = bench_json(
        srv.port,
        &[
            "-a",
            lab.ca(),
            "--idle",
            "50",
            "-t",
            "0.5",
            "--server-pid",
            &pid,
        ],
    );
    assert_eq!(j["workload"], "idle");
    assert_eq!(j["idle"]["held"], 50, "{j}");
    assert!(n(&j["idle"]["server_rss_kib_held"]) > 0.0);
    assert!(j["idle"]["per_connection_kib"].is_number(), "{j}");
}

#[test]
fn text_report_names_each_figure() {
    let lab = lab();
    let srv = lab.serve(&[]);
    let r = run(&[
        "bench",
        "-a",
        lab.ca(),
        "-t",
        "1",
        "-n",
        "2",
        "localhost",
        &srv.port.to_string(),
    ]);
    r.ok();
    for needle in [
        "tlskit bench:",
        "negotiated",
        "full handshakes/s",
        "handshake ",
        "first byte",
        "http status",
        "errors",
        "cpu",
    ] {
        assert!(
            r.stdout.contains(needle),
            "missing {needle:?}:\n{}",
            r.stdout
        );
    }
}

#[test]
fn raw_exchange_against_the_message_mode() {
    let lab = lab();
    let srv = serve(&["-s", p(&lab.pem), "-q"]);
    let j = bench_json(srv.port, &["-a", lab.ca(), "--raw", "-t", "1", "-n", "2"]);
    assert_eq!(j["exchange"], "raw");
    assert!(n(&j["handshakes"]["full"]) > 0.0, "{j}");
    assert!(j["http_status"].as_object().unwrap().is_empty());
}

#[test]
fn against_openssl_s_server() {
    let openssl = require_tool("openssl", "openssl");
    let lab = lab();
    let (crt, key) = lab.pki.issue("server", &["localhost"], &[]);
    // -WWW: files relative to the working directory.
    let port = free_port();
    let mut cmd = Command::new(&openssl);
    cmd.current_dir(&lab.site).args([
        "s_server",
        "-accept",
        &format!("127.0.0.1:{port}"),
        "-cert",
        p(&crt),
        "-key",
        p(&key),
        "-WWW",
        "-quiet",
    ]);
    let _www = Peer::listening("openssl s_server -WWW", &mut cmd, port);
    let j = bench_json(
        port,
        &[
            "-a",
            lab.ca(),
            "-t",
            "1",
            "-n",
            "2",
            "--path",
            "/index.html",
        ],
    );
    assert!(n(&j["handshakes"]["full"]) > 0.0, "{j}");
    assert!(n(&j["http_status"]["200"]) > 0.0, "{j}");
    let j = bench_json(
        port,
        &[
            "-a",
            lab.ca(),
            "--resume",
            "-t",
            "1",
            "-n",
            "2",
            "--path",
            "/index.html",
        ],
    );
    assert!(
        n(&j["handshakes"]["resumed"]) > 0.0,
        "OpenSSL issues tickets: {j}"
    );
    let j = bench_json(
        port,
        &[
            "-a",
            lab.ca(),
            "--bulk",
            "4M",
            "--direction",
            "down",
            "--path",
            "/data.bin",
        ],
    );
    assert_eq!(j["bulk"]["down"]["bytes"], 4 << 20, "{j}");
    // Plain s_server reads what arrives (to stdout): a sink for a raw upload.
    let port = free_port();
    let mut cmd = Command::new(&openssl);
    cmd.args([
        "s_server",
        "-accept",
        &format!("127.0.0.1:{port}"),
        "-cert",
        p(&crt),
        "-key",
        p(&key),
        "-quiet",
    ]);
    let _sink = Peer::listening("openssl s_server", &mut cmd, port);
    let j = bench_json(
        port,
        &["-a", lab.ca(), "--bulk", "4M", "--direction", "up", "--raw"],
    );
    assert_eq!(j["bulk"]["up"]["bytes"], 4 << 20, "{j}");
}

#[test]
fn bad_input_gives_one_line_errors() {
    let lab = lab();
    let closed = free_port().to_string();
    run(&["bench", "-a", lab.ca(), "-t", "1", "127.0.0.1", &closed])
        .failed_with(1, "connection refused");
    let srv = lab.serve(&[]);
    let port = srv.port.to_string();
    run(&["bench", "--bulk", "lots", "localhost", &port]).failed_with(2, "not a size");
    run(&["bench", "-a", lab.ca(), "-n", "0", "localhost", &port]).failed_with(2, "at least 1");
    run(&[
        "bench",
        "-a",
        lab.ca(),
        "--path",
        "index.html",
        "localhost",
        &port,
    ])
    .failed_with(2, "must start with /");
    run(&[
        "bench",
        "-a",
        lab.ca(),
        "--server-pid",
        "4000000000",
        "localhost",
        &port,
    ])
    .failed_with(2, "no such process");
    let r = run(&[
        "bench",
        "-a",
        lab.ca(),
        "--resume",
        "--bulk",
        "1M",
        "localhost",
        &port,
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("cannot be used with"), "{}", r.stderr);
    // A server the CA did not issue: the certificate is verified, as by tlskit connect.
    let other = Pki::new("ecdsa-p256");
    let r = run(&[
        "bench",
        "-a",
        p(&other.ca_cert()),
        "-t",
        "1",
        "localhost",
        &port,
    ]);
    r.failed_with(1, "certificate");
    // A path the server does not have: counted and noted, not fatal.
    let j = bench_json(
        srv.port,
        &["-a", lab.ca(), "-t", "1", "-n", "1", "--path", "/missing"],
    );
    assert!(n(&j["http_status"]["404"]) > 0.0, "{j}");
    assert!(j["notes"].to_string().contains("not HTTP 2xx"), "{j}");
}
