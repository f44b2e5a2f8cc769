//! `tlskit scan` for fleets, against `openssl s_server` on several loopback addresses: `--shard
//! I/N` and a Kubernetes Indexed Job's environment (every target in exactly one shard, the
//! documented hash recomputed with sha256sum), `--resume` after the scanning process is killed
//! in the middle (and a line cut off mid-write), the progress line on a terminal (script(1)) and
//! its absence on a pipe, and deploy/kubernetes/scan-job.yaml.

use crate::common::*;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// `openssl s_server -www` on `host` (an address in 127.0.0.0/8) with a certificate for it.
fn s_server(pki: &Pki, host: &str) -> (Peer, String) {
    static SERVERS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = SERVERS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let (crt, key) = pki.issue(&format!("srv-{host}-{n}"), &[host], &[]);
    let (peer, port) = openssl_s_server_on(host, &crt, &key, &["-www", "-quiet"]);
    (peer, format!("{host}:{port}"))
}

/// A port on `host` nothing listens on.
fn closed_port(host: &str) -> String {
    let l = TcpListener::bind((host, 0)).unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    format!("{host}:{port}")
}

/// hostile_silent_server: accepts connections and never answers (so a scan of it takes a while).
fn hostile_silent_server() -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for c in l.incoming().map_while(Result::ok) {
            held.push(c);
        }
    });
    format!("127.0.0.1:{port}")
}

fn write_targets(dir: &Path, targets: &[String]) -> std::path::PathBuf {
    let p = dir.join("targets.txt");
    let mut f = std::fs::File::create(&p).unwrap();
    writeln!(f, "# fleet test targets").unwrap();
    for t in targets {
        writeln!(f, "{t}").unwrap();
    }
    p
}

/// `host:port` of a result line (a report or an error line).
fn line_target(v: &Value) -> String {
    match &v["target"] {
        Value::String(s) => s.clone(),
        t => format!("{}:{}", t["host"].as_str().unwrap(), t["port"]),
    }
}

fn lines(text: &str) -> Vec<Value> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

/// The shard of `host` by the documented rule, computed with coreutils' sha256sum.
fn sha256sum_shard(host: &str, n: u64) -> u64 {
    let sum = require_tool("sha256sum", "coreutils");
    let r = run_with_stdin(
        Command::new(sum).arg("-"),
        host.as_bytes(),
        Duration::from_secs(20),
    );
    let hex = &r.stdout[..16];
    u64::from_str_radix(hex, 16).unwrap() % n
}

#[test]
fn shards_cover_every_target_exactly_once() {
    let pki = Pki::new("ecdsa-p256");
    let mut peers = Vec::new();
    let mut targets = Vec::new();
    for i in 1..=4 {
        let (p, t) = s_server(&pki, &format!("127.0.0.{i}"));
        peers.push(p);
        targets.push(t);
    }
    for i in 5..=9 {
        targets.push(closed_port(&format!("127.0.0.{i}")));
    }
    // Another port of a host already listed: the same shard as its sibling.
    targets.push(closed_port("127.0.0.1"));
    let dir = tempfile::tempdir().unwrap();
    let file = write_targets(dir.path(), &targets);
    let all: BTreeSet<String> = targets.iter().cloned().collect();

    let n = 3u64;
    let mut seen: BTreeMap<String, u64> = BTreeMap::new();
    for i in 0..n {
        let r = run_cmd(
            tlskit().args([
                "scan",
                "--targets",
                file.to_str().unwrap(),
                "--json-lines",
                "--timeout",
                "3",
                "--shard",
                &format!("{i}/{n}"),
            ]),
            Duration::from_secs(240),
        );
        assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
        assert!(
            r.stderr.contains(&format!("shard {i}/{n}: ")),
            "the note names the shard:\n{}",
            r.stderr
        );
        for v in lines(&r.stdout) {
            let t = line_target(&v);
            assert!(seen.insert(t.clone(), i).is_none(), "{t} scanned twice");
        }
    }
    let got: BTreeSet<String> = seen.keys().cloned().collect();
    assert_eq!(got, all, "the union of the shards is every target");
    for (t, shard) in &seen {
        let host = t.rsplit_once(':').unwrap().0;
        assert_eq!(
            *shard,
            sha256sum_shard(host, n),
            "{t}: shard = first 8 bytes of SHA-256(host) mod N"
        );
    }

    // A Kubernetes Indexed Job's environment picks the same shard as --shard.
    let r = run_cmd(
        tlskit()
            .args([
                "scan",
                "--targets",
                file.to_str().unwrap(),
                "--json-lines",
                "--timeout",
                "3",
            ])
            .env("JOB_COMPLETION_INDEX", "1")
            .env("JOB_COMPLETIONS", "3"),
        Duration::from_secs(240),
    );
    assert!(r.stderr.contains("JOB_COMPLETION_INDEX"), "{}", r.stderr);
    let from_env: BTreeSet<String> = lines(&r.stdout).iter().map(line_target).collect();
    let shard1: BTreeSet<String> = seen
        .iter()
        .filter(|(_, s)| **s == 1)
        .map(|(t, _)| t.clone())
        .collect();
    assert_eq!(from_env, shard1);

    // Without JOB_COMPLETIONS the index alone is refused (it would scan everything N times).
    let mut cmd = tlskit();
    cmd.args(["scan", "--targets", file.to_str().unwrap()])
        .env("JOB_COMPLETION_INDEX", "0")
        .env_remove("JOB_COMPLETIONS");
    run_cmd(&mut cmd, Duration::from_secs(30)).failed_with(2, "JOB_COMPLETIONS");
    run(&["scan", "--shard", "3/3", "127.0.0.1"]).failed_with(2, "--shard '3/3'");
    run(&["scan", "--shard", "1", "127.0.0.1"]).failed_with(2, "I/N");
    drop(peers);
}

#[test]
fn resume_after_the_scan_is_killed_in_the_middle() {
    let pki = Pki::new("ecdsa-p256");
    let (_a, live_a) = s_server(&pki, "127.0.0.1");
    let (_b, live_b) = s_server(&pki, "127.0.0.1");
    let (_c, live_c) = s_server(&pki, "127.0.0.1");
    let closed = closed_port("127.0.0.1");
    let silent = hostile_silent_server();
    let targets = vec![live_a, closed.clone(), silent.clone(), live_b, live_c];
    let dir = tempfile::tempdir().unwrap();
    let file = write_targets(dir.path(), &targets);
    let out = dir.path().join("out.ndjson");
    let args = [
        "scan",
        "--targets",
        file.to_str().unwrap(),
        "--resume",
        out.to_str().unwrap(),
        "--timeout",
        "2",
    ];

    // First run: killed (SIGKILL) as soon as it has written one result.
    let mut child = tlskit()
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let text = std::fs::read_to_string(&out).unwrap_or_default();
        if text.lines().count() >= 1 {
            break;
        }
        assert!(Instant::now() < deadline, "no result written within 120 s");
        assert!(
            child.try_wait().unwrap().is_none(),
            "the scan ended before it could be killed"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let before = std::fs::read_to_string(&out).unwrap();
    let done_before = lines(&before);
    assert!(
        !done_before.is_empty() && done_before.len() < targets.len(),
        "killed in the middle: {} of {} done",
        done_before.len(),
        targets.len()
    );
    // A kill during a write leaves an unfinished last line: emulate one.
    std::fs::OpenOptions::new()
        .append(true)
        .open(&out)
        .unwrap()
        .write_all(br#"{"tool":"tlskit 0.1.0","target":{"host":"127.0.0.1","po"#)
        .unwrap();

    // The rerun finishes the work without repeating it.
    let r = run_cmd(tlskit().args(args), Duration::from_secs(240));
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    assert!(
        r.stderr.contains("cut off an unfinished last line"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.is_empty(), "results go to the file: {}", r.stdout);
    let after = std::fs::read_to_string(&out).unwrap();
    assert!(
        after.starts_with(&before),
        "what was done stays as it was (not rescanned)"
    );
    assert!(after.ends_with('\n'));
    let all = lines(&after);
    let mut names: Vec<String> = all.iter().map(line_target).collect();
    names.sort();
    let mut want = targets.clone();
    want.sort();
    assert_eq!(names, want, "every target exactly once");
    for v in &all {
        validate_schema(v);
        // The closed port and the silent server could not be scanned; the others could.
        let t = line_target(v);
        assert_eq!(v["error"].is_string(), t == closed || t == silent, "{v}");
    }
    assert_eq!(r.code, 1, "the closed port failed:\n{}", r.stderr);
    assert!(
        r.stderr.contains(&format!(
            "{} targets scanned",
            targets.len() - done_before.len()
        )),
        "{}",
        r.stderr
    );

    // Nothing left: nothing scanned, the file unchanged, the failure still counted.
    let r = run_cmd(tlskit().args(args), Duration::from_secs(60));
    assert!(r.stderr.contains("0 targets scanned"), "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!(
            "2 of {} targets could not be scanned",
            targets.len()
        )),
        "{}",
        r.stderr
    );
    assert_eq!(r.code, 1);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), after);

    // A line that is complete but not a result is an error naming it; nothing is appended.
    std::fs::write(&out, format!("{after}garbage\n")).unwrap();
    run_cmd(tlskit().args(args), Duration::from_secs(60)).failed_with(1, "line 6 of");
    let r = run(&[
        "scan",
        "--resume",
        out.to_str().unwrap(),
        "--json",
        "127.0.0.1",
    ]);
    assert!(
        r.code == 2 && r.stderr.contains("cannot be used with"),
        "{r:?}"
    );
}

#[test]
fn progress_line_on_a_terminal_only() {
    let script = require_tool("script", "bsdutils");
    let pki = Pki::new("ecdsa-p256");
    let (_a, live_a) = s_server(&pki, "127.0.0.1");
    let (_b, live_b) = s_server(&pki, "127.0.0.2");
    let targets = vec![live_a, live_b, closed_port("127.0.0.3")];
    let dir = tempfile::tempdir().unwrap();
    let file = write_targets(dir.path(), &targets);
    let out = dir.path().join("out.ndjson");
    let line = format!(
        "{} scan --targets {} --resume {} --timeout 2",
        tlskit_bin().display(),
        file.display(),
        out.display()
    );
    let mut cmd = Command::new(&script);
    cmd.args(["-qec", &line, "/dev/null"])
        .env("TERM", "xterm-256color");
    let r = run_cmd(&mut cmd, Duration::from_secs(240));
    assert_eq!(r.code, 1, "one target is closed:\n{}", r.stdout);
    for want in ["/3 targets", "/s", "ETA", "failed"] {
        assert!(
            r.stdout.contains(want),
            "the terminal shows {want:?}:\n{}",
            r.stdout
        );
    }
    assert_eq!(lines(&std::fs::read_to_string(&out).unwrap()).len(), 3);

    // On a pipe: no progress line, only the notes.
    std::fs::remove_file(&out).unwrap();
    let r = run_cmd(
        tlskit().args([
            "scan",
            "--targets",
            file.to_str().unwrap(),
            "--resume",
            out.to_str().unwrap(),
            "--timeout",
            "2",
        ]),
        Duration::from_secs(240),
    );
    assert_eq!(r.code, 1);
    assert!(
        !r.stderr.contains("ETA") && !r.stderr.contains('\r'),
        "{}",
        r.stderr
    );
    assert!(r.stdout.is_empty());
}

#[test]
fn kubernetes_job_manifest() {
    // Parsed by PyYAML (python3-yaml) and checked for what the README promises: an Indexed Job
    // whose pods get JOB_COMPLETIONS = .spec.completions, the targets from a ConfigMap and one
    // NDJSON file per shard with --resume.
    let python = Path::new("/usr/bin/python3");
    assert!(
        python.exists(),
        "/usr/bin/python3 is missing: install the Debian package python3-yaml"
    );
    let manifest =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy/kubernetes/scan-job.yaml");
    let check = r#"
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
kinds = {d["kind"]: d for d in docs}
assert "ConfigMap" in kinds and "Job" in kinds, sorted(kinds)
cm, job = kinds["ConfigMap"], kinds["Job"]
assert "targets.txt" in cm["data"], cm["data"].keys()
spec = job["spec"]
assert spec["completionMode"] == "Indexed", spec.get("completionMode")
n = spec["completions"]
assert isinstance(n, int) and n >= 1
pod = spec["template"]["spec"]
assert pod["restartPolicy"] in ("Never", "OnFailure")
c = pod["containers"][0]
env = {e["name"]: e.get("value") for e in c.get("env", [])}
assert env.get("JOB_COMPLETIONS") == str(n), (env, n)
line = " ".join(c["command"] + c.get("args", []))
for want in ["tlskit scan", "--targets /targets/", "--resume", "JOB_COMPLETION_INDEX}.ndjson"]:
    assert want in line, (want, line)
vols = {v["name"]: v for v in pod["volumes"]}
mounts = {m["name"]: m["mountPath"] for m in c["volumeMounts"]}
assert mounts.get("targets") == "/targets" and vols["targets"]["configMap"]["name"] == cm["metadata"]["name"]
assert "persistentVolumeClaim" in vols["results"] and mounts["results"] == "/results"
rules = spec["podFailurePolicy"]["rules"]
assert any(r["action"] == "FailJob" and 2 in r["onExitCodes"]["values"] for r in rules), rules
assert pod["restartPolicy"] == "Never"
print("ok")
"#;
    let r = run_cmd(
        Command::new(python).args(["-c", check, manifest.to_str().unwrap()]),
        Duration::from_secs(30),
    );
    assert!(
        r.code == 0 && r.stdout.contains("ok"),
        "deploy/kubernetes/scan-job.yaml (PyYAML: Debian package python3-yaml):\n{}\n{}",
        r.stdout,
        r.stderr
    );
}
