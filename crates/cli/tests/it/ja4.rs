//! JA4 / JA4S of real clients (curl, openssl s_client, headless Chromium) as `tlskit observe` and
//! `tlskit pcap` compute them, checked against an independent implementation: ja4plus (PyPI; its
//! own parser, built on scapy) run over a tcpdump capture of the same connections. (Debian's
//! tshark 4.0 has no JA4 field; 4.2 added one.) The published vectors are in
//! crates/wire/tests/ja4.rs.

use crate::common::*;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// ja4plus: $TLSKIT_JA4PLUS (scripts/test installs it in a venv and sets this), else on PATH.
fn ja4plus() -> PathBuf {
    if let Some(p) = std::env::var_os("TLSKIT_JA4PLUS").map(PathBuf::from) {
        if p.is_file() {
            return p;
        }
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        let p = dir.join("ja4plus");
        if p.is_file() {
            return p;
        }
    }
    panic!("this test needs `ja4plus` (PyPI package ja4plus, an independent JA4+ implementation): scripts/test installs it in a venv and sets TLSKIT_JA4PLUS; or `pip install ja4plus`");
}

/// `tlskit observe --json` in front of `upstream`; returns it and its port.
fn observe(upstream: u16) -> (Peer, u16) {
    let mut cmd = tlskit();
    cmd.args([
        "observe",
        "--json",
        "--listen",
        "127.0.0.1:0",
        "--upstream",
        &format!("127.0.0.1:{upstream}"),
    ]);
    let peer = Peer::spawn("tlskit observe", &mut cmd);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let out = peer.output();
        if let Some(port) = out.lines().find_map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).ok()?;
            (v["event"] == "listening")
                .then(|| v["address"].as_str()?.rsplit(':').next()?.parse().ok())
                .flatten()
        }) {
            return (peer, port);
        }
        assert!(
            !out.contains("tlskit: error:") && Instant::now() < deadline,
            "tlskit observe did not start:\n{out}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// tcpdump on lo for one port, stopped with SIGINT when dropped... or by `stop`.
struct Tcpdump {
    peer: Peer,
    file: PathBuf,
}

impl Tcpdump {
    fn start(file: PathBuf, port: u16) -> Tcpdump {
        let tool = require_tool("tcpdump", "tcpdump");
        let mut cmd = Command::new(tool);
        cmd.args(["-i", "lo", "-U", "-n", "--immediate-mode", "-w"])
            .arg(&file)
            .args(["tcp", "port", &port.to_string()]);
        let peer = Peer::spawn("tcpdump", &mut cmd);
        assert!(
            peer.wait_output("listening on", Duration::from_secs(30)),
            "tcpdump did not start:\n{}",
            peer.output()
        );
        Tcpdump { peer, file }
    }

    fn stop(mut self) -> PathBuf {
        std::thread::sleep(Duration::from_millis(300));
        // SAFETY: kill(2) on the pid of a child this test spawned and still owns (not yet reaped).
        unsafe {
            libc::kill(self.peer.child().id() as i32, libc::SIGINT);
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.peer.child().try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        self.file.clone()
    }
}

#[test]
fn ja4_of_real_clients_matches_an_independent_implementation() {
    let ja4plus = ja4plus();
    let curl = require_tool("curl", "curl");
    let openssl = require_tool("openssl", "openssl");
    let pki = Pki::new("ecdsa-p256");
    let pem = pki.issue_combined("srv.pem", &["localhost", "127.0.0.1"], &[]);
    let root = pki.path("site");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(root.join("index.html"), "<p>ja4</p>\n").unwrap();
    let srv = serve(&["-s", p(&pem), "--http", "--root", p(&root), "-q"]);
    let (obs, port) = observe(srv.port);
    let cap = Tcpdump::start(pki.path("clients.pcap"), port);
    let url = format!("https://localhost:{port}/");

    run_cmd(
        Command::new(&curl).args(["-sS", "--cacert", p(&pki.ca_cert()), &url]),
        Duration::from_secs(30),
    )
    .ok();
    run_with_stdin(
        Command::new(&openssl).args([
            "s_client",
            "-connect",
            &format!("127.0.0.1:{port}"),
            "-servername",
            "localhost",
            "-CAfile",
            p(&pki.ca_cert()),
        ]),
        b"",
        Duration::from_secs(30),
    );
    let browser = Browser::new(pki.path("chromium-home"), Some(&pki.ca_cert()));
    for _ in 0..2 {
        let r = browser.dump_dom(&url, &[]);
        assert!(
            r.stdout.contains("ja4"),
            "chromium: {}\n{}",
            r.stdout,
            r.stderr
        );
    }
    let file = cap.stop();

    // What tlskit observe computed, one JSON line per connection.
    let deadline = Instant::now() + Duration::from_secs(20);
    let observed: Vec<serde_json::Value> = loop {
        let v: Vec<serde_json::Value> = obs
            .output()
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter(|v| v["event"] == "connection" && v["client_hello"].is_object())
            .collect();
        if v.len() >= 4 || Instant::now() > deadline {
            break v;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(observed.len() >= 4, "{}", obs.output());
    let set = |vals: &mut dyn Iterator<Item = String>| vals.collect::<BTreeSet<String>>();
    let obs_ja4 = set(&mut observed
        .iter()
        .map(|o| o["client_hello"]["ja4"].as_str().unwrap().to_string()));
    let obs_ja4s = set(&mut observed
        .iter()
        .filter_map(|o| o["server_hello"]["ja4s"].as_str().map(str::to_string)));

    // The same capture through ja4plus …
    let r = run_cmd(
        Command::new(&ja4plus).args([
            "--format",
            "json",
            "--types",
            "ja4,ja4s",
            "analyze",
            p(&file),
        ]),
        Duration::from_secs(120),
    );
    r.ok();
    let lines: Vec<serde_json::Value> = r
        .stdout
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let of = |t: &str| {
        lines
            .iter()
            .filter(|v| v["type"] == t)
            .map(|v| v["fingerprint"].as_str().unwrap().to_string())
            .collect::<BTreeSet<String>>()
    };
    let (ref_ja4, ref_ja4s) = (of("ja4"), of("ja4s"));
    assert!(
        ref_ja4.len() >= 3,
        "ja4plus found too little:\n{}",
        r.stdout
    );
    assert_eq!(obs_ja4, ref_ja4, "observe vs ja4plus");
    assert_eq!(obs_ja4s, ref_ja4s, "observe JA4S vs ja4plus");

    // … and through tlskit pcap.
    let r = run(&["pcap", "--json", p(&file)]);
    r.ok();
    let j = r.json();
    let streams = j["streams"].as_array().unwrap();
    let pcap_ja4 = set(&mut streams
        .iter()
        .filter_map(|s| s["tls"]["client_hello"]["ja4"].as_str().map(str::to_string)));
    assert_eq!(pcap_ja4, ref_ja4, "pcap vs ja4plus");

    // Chromium shuffles its extensions: its connections (two page loads at least) differ in the
    // original order (JA4_o, and JA3) but share one JA4.
    let mut by_ja4: std::collections::BTreeMap<String, BTreeSet<String>> = Default::default();
    for o in &observed {
        by_ja4
            .entry(o["client_hello"]["ja4"].as_str().unwrap().to_string())
            .or_default()
            .insert(o["client_hello"]["ja4_o"].as_str().unwrap().to_string());
    }
    assert!(
        by_ja4.values().any(|orders| orders.len() > 1),
        "one JA4 should cover Chromium's shuffled hellos: {by_ja4:?}"
    );
    assert!(
        obs_ja4.len() >= 3,
        "curl, openssl and chromium: {obs_ja4:?}"
    );
}
