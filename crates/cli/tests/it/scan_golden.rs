//! "Output unchanged": `tlskit scan --json` and the text report of real servers, with what differs
//! from run to run normalised (times, ports, the serials, fingerprints, key ids and dates of the
//! certificates each test issues), must equal the files committed under tests/golden/scan/.
//!
//! The peers are the ones the other scan tests use: `openssl s_server` (modern defaults, TLS 1.0
//! with a CBC static-RSA suite, an ECDSA TLS 1.3-only server), `gnutls-serv`, and
//! `tlskit-weak-server` (SSLv3 with RC4 and 3DES; its hand-built hello with DEFLATE and export
//! suites).
//!
//! The golden files were produced by the code before the report model was rewritten, so this test
//! proves that the rewrite changed no byte of the output. When an intended change alters the
//! output, regenerate them with `TLSKIT_BLESS=1 cargo test -p tlskit-cli --test it scan_golden::`
//! and review the diff.

use crate::common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::Duration;

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/scan")
}

/// Replace, in one string, what changes from run to run: the port, long hex runs (fingerprints,
/// key ids, serials), dates and times.
fn normalise_str(s: &str, port: u16) -> String {
    let port = port.to_string();
    let mut out = String::with_capacity(s.len());
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        // Digit runs: the port, or a date/time.
        if chars[i].is_ascii_digit() && (i == 0 || !chars[i - 1].is_ascii_alphanumeric()) {
            let mut j = i;
            while j < chars.len() && chars[j].is_ascii_digit() {
                j += 1;
            }
            let run: String = chars[i..j].iter().collect();
            let bounded = j == chars.len() || !chars[j].is_ascii_alphanumeric();
            if bounded && run == port {
                out.push_str("<port>");
                i = j;
                continue;
            }
            // YYYY-MM-DD[ T]HH:MM:SS[Z| UTC] and friends.
            if run.len() == 4 && j < chars.len() && chars[j] == '-' {
                let mut k = j;
                while k < chars.len()
                    && (chars[k].is_ascii_digit() || matches!(chars[k], '-' | ':' | 'T' | 'Z'))
                {
                    k += 1;
                }
                // " HH:MM:SS"
                if k + 1 < chars.len() && chars[k] == ' ' && chars[k + 1].is_ascii_digit() {
                    k += 1;
                    while k < chars.len() && (chars[k].is_ascii_digit() || chars[k] == ':') {
                        k += 1;
                    }
                }
                if k - i >= 10 {
                    out.push_str("<date>");
                    i = k;
                    continue;
                }
            }
        }
        // Hex runs of 40 or more digits (fingerprints, serials) (colons allowed between pairs).
        if chars[i].is_ascii_hexdigit() && (i == 0 || !chars[i - 1].is_ascii_alphanumeric()) {
            let mut j = i;
            let mut digits = 0;
            while j < chars.len() && (chars[j].is_ascii_hexdigit() || chars[j] == ':') {
                if chars[j] != ':' {
                    digits += 1;
                }
                j += 1;
            }
            let bounded = j == chars.len() || !chars[j].is_ascii_alphanumeric();
            if digits >= 40 && bounded {
                out.push_str("<hex>");
                i = j;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// Keys whose values change from run to run: the run's time, and the certificates each test
/// issues. The connection count depends on retries and timing.
const RUN_KEYS: [&str; 12] = [
    "started_at",
    "scan_time_ms",
    "connections",
    "serial",
    "not_before",
    "not_after",
    "days_left",
    "subject_key_id",
    "authority_key_id",
    "sha256_fingerprint",
    "sha1_fingerprint",
    "spki_sha256",
];

/// Normalise the pretty-printed JSON as text (so the order of the fields is compared too): the
/// values of [`RUN_KEYS`] and the target's port, the lab CA's temporary directory, then every
/// string as [`normalise_str`] does. The JA4 fingerprints of tlskit's own hellos are sorted: the
/// order of equally frequent ones is the order the concurrent probes happened to run in.
fn normalise_json(text: &str, port: u16, ca: &Path) -> String {
    let mut out: Vec<String> = Vec::new();
    for line in text.lines() {
        let trimmed = line.trim_start();
        let indent = &line[..line.len() - trimmed.len()];
        let key = trimmed.strip_prefix('"').and_then(|t| t.split_once("\": "));
        let line = match key {
            Some((k, v)) if RUN_KEYS.contains(&k) && !v.starts_with("null") => {
                let comma = if v.ends_with(',') { "," } else { "" };
                format!("{indent}\"{k}\": \"<normalised>\"{comma}")
            }
            Some(("port", v)) if v.trim_end_matches(',') == port.to_string() => {
                let comma = if v.ends_with(',') { "," } else { "" };
                format!("{indent}\"port\": \"<port>\"{comma}")
            }
            _ => line.to_string(),
        };
        out.push(normalise_str(&line.replace(p(ca), "<ca>"), port));
    }
    sort_fingerprints(&mut out);
    out.join("\n") + "\n"
}

/// Sort the objects of the `"fingerprints": [ … ]` array (pretty-printed, one per block).
fn sort_fingerprints(lines: &mut Vec<String>) {
    let Some(start) = lines
        .iter()
        .position(|l| l.trim_start() == "\"fingerprints\": [")
    else {
        return;
    };
    let indent = lines[start].len() - lines[start].trim_start().len();
    let Some(len) = lines[start + 1..]
        .iter()
        .position(|l| l.len() - l.trim_start().len() == indent && l.trim_start().starts_with(']'))
    else {
        return;
    };
    let body: Vec<String> = lines.drain(start + 1..start + 1 + len).collect();
    let mut blocks: Vec<Vec<String>> = Vec::new();
    for l in body {
        let t = l.trim_start();
        if t == "{" {
            blocks.push(vec![l.clone()]);
        } else if let Some(b) = blocks.last_mut() {
            b.push(if t == "}," {
                l.trim_end_matches(',').to_string()
            } else {
                l.clone()
            });
        }
    }
    blocks.sort();
    let n = blocks.len();
    for (i, b) in blocks.into_iter().enumerate().rev() {
        for (j, mut l) in b.into_iter().enumerate().rev() {
            if i + 1 < n && l.trim_start() == "}" && j > 0 {
                l.push(',');
            }
            lines.insert(start + 1, l);
        }
    }
}

/// Normalise a text report: the first line (time, connections) and every string as in JSON.
fn normalise_text(text: &str, port: u16) -> String {
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        let line = if i == 0 {
            // "tlskit scan HOST:PORT (IP), SNI … — 1.23 s, 45 connections"
            match line.rsplit_once(" — ") {
                Some((head, _)) => format!("{head} — <time>, <connections>"),
                None => line.to_string(),
            }
        } else {
            line.to_string()
        };
        out.push_str(&normalise_str(&line, port));
        out.push('\n');
    }
    out
}

/// Compare with the golden file, or write it with TLSKIT_BLESS set.
fn check_golden(name: &str, got: &str) {
    let path = golden_dir().join(name);
    if std::env::var_os("TLSKIT_BLESS").is_some() {
        std::fs::create_dir_all(golden_dir()).unwrap();
        std::fs::write(&path, got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; generate it with TLSKIT_BLESS=1 (see this module's comment)",
            path.display()
        )
    });
    if want != got {
        let diff: Vec<String> = want
            .lines()
            .zip(got.lines())
            .enumerate()
            .filter(|(_, (a, b))| a != b)
            .take(20)
            .map(|(n, (a, b))| format!("line {}:\n  golden: {a}\n  now:    {b}", n + 1))
            .collect();
        panic!(
            "{name} differs from the golden file ({} vs {} lines):\n{}",
            want.lines().count(),
            got.lines().count(),
            diff.join("\n")
        );
    }
}

/// Scan `port` on 127.0.0.1 as JSON and as text (with the lab CA trusted and a policy, so the
/// chain analysis and the policy verdict are part of the output), and compare both.
fn golden(name: &str, port: u16, ca: &Path) {
    let args = |json: bool| {
        let mut a = vec![
            "scan".to_string(),
            "--timeout".into(),
            "5".into(),
            "--no-progress".into(),
            "--ca".into(),
            p(ca).into(),
            "--policy".into(),
            "mozilla-intermediate".into(),
            // The ECH section (newer than these files) is tested on its own in scan_ech.rs.
            "--skip".into(),
            "ech".into(),
        ];
        if json {
            a.push("--json".into());
        }
        a.push(format!("127.0.0.1:{port}"));
        a
    };
    let r = run_cmd(tlskit().args(args(true)), Duration::from_secs(180));
    assert!(
        r.code == 0 || r.code == 1,
        "scan failed:\n{}\n{}",
        r.stdout,
        r.stderr
    );
    let v: Value = serde_json::from_str(&r.stdout).expect("scan --json prints JSON");
    validate_schema(&v);
    check_golden(
        &format!("{name}.json"),
        &normalise_json(&r.stdout, port, ca),
    );

    let json = r.stdout;

    let r = run_cmd(tlskit().args(args(false)), Duration::from_secs(180));
    assert!(
        r.code == 0 || r.code == 1,
        "scan failed:\n{}\n{}",
        r.stdout,
        r.stderr
    );
    let text = normalise_text(&r.stdout.replace(p(ca), "<ca>"), port);
    check_golden(&format!("{name}.txt"), &text);

    // `tlskit report` prints the same text from the saved JSON (the timing line aside, which
    // normalise_text covers), proving the model reads back what it wrote.
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("r.json");
    std::fs::write(&saved, &json).unwrap();
    let r = run_cmd(
        tlskit().args(["report", p(&saved)]),
        Duration::from_secs(30),
    );
    assert_eq!(r.code, 0, "tlskit report failed: {}", r.stderr);
    let again = normalise_text(&r.stdout.replace(p(ca), "<ca>"), port);
    if again != text {
        let diff: Vec<String> = text
            .lines()
            .zip(again.lines())
            .filter(|(a, b)| a != b)
            .take(10)
            .map(|(a, b)| format!("scan:   {a}\nreport: {b}"))
            .collect();
        panic!(
            "tlskit report differs from the scan's text:\n{}",
            diff.join("\n")
        );
    }

    // --diff: the report against itself is "no change" (exit 0); against a copy with SSLv2
    // enabled (none of these servers has it), a client without SNI refused (these scans send
    // none, so they do not ask), a finding more and a lower grade, exactly those lines (exit 1).
    let r = run_cmd(
        tlskit().args(["report", "--diff", p(&saved), p(&saved)]),
        Duration::from_secs(30),
    );
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (0, "no change\n"),
        "{}",
        r.stderr
    );
    let mut v: Value = serde_json::from_str(&json).unwrap();
    let sslv2 = v["protocols"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|p| p["version"] == "SSLv2")
        .unwrap();
    assert_eq!(sslv2["offered"], false);
    sslv2["offered"] = Value::Bool(true);
    assert!(v.get("certificate_without_sni").is_none(), "{v}");
    v["certificate_without_sni"] =
        serde_json::json!({"outcome": "refused", "answer": "a handshake_failure alert"});
    let old_grade = v["grade"]["grade"].as_str().unwrap().to_string();
    v["grade"]["grade"] = Value::String("F".into());
    v["findings"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({
            "severity": "high", "id": "test.added", "message": "a finding added for the test"
        }));
    let changed = dir.path().join("changed.json");
    std::fs::write(&changed, serde_json::to_string(&v).unwrap()).unwrap();
    let r = run_cmd(
        tlskit().args(["report", "--diff", p(&saved), p(&changed)]),
        Duration::from_secs(30),
    );
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let mut want = vec![
        "+ version SSLv2 now offered".to_string(),
        "certificate without SNI: not checked → refused (a handshake_failure alert)".into(),
    ];
    if old_grade != "F" {
        want.push(format!("grade {old_grade} → F (lowered)"));
    }
    want.push("+ finding [high] a finding added for the test".into());
    let got: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(got, want, "{}", r.stdout);
}

fn pki(key_type: &str) -> (Pki, PathBuf, PathBuf) {
    let pki = Pki::new(key_type);
    let (crt, key) = pki.issue("server", &["localhost", "127.0.0.1"], &[]);
    (pki, crt, key)
}

#[test]
fn golden_openssl_defaults() {
    let (pki, crt, key) = pki("rsa2048");
    let Listening { peer: _srv, port } = openssl_s_server(&crt, &key, &[]);
    golden("openssl_defaults", port, &pki.ca_dir());
}

#[test]
fn golden_openssl_tls10_cbc_static_rsa() {
    let (pki, crt, key) = pki("rsa2048");
    let Listening { peer: _srv, port } =
        openssl_s_server(&crt, &key, &["-tls1", "-cipher", "AES128-SHA@SECLEVEL=0"]);
    golden("openssl_tls10_cbc", port, &pki.ca_dir());
}

#[test]
fn golden_openssl_ecdsa_tls13_only() {
    let (pki, crt, key) = pki("ecdsa-p256");
    let Listening { peer: _srv, port } = openssl_s_server(&crt, &key, &["-tls1_3"]);
    golden("openssl_ecdsa_tls13", port, &pki.ca_dir());
}

#[test]
fn golden_gnutls_serv_defaults() {
    let (pki, crt, key) = pki("rsa2048");
    let Listening { peer: _srv, port } = gnutls_serv_http(&crt, &key, &["--quiet"]);
    golden("gnutls_defaults", port, &pki.ca_dir());
}

#[test]
fn golden_weak_server_sslv3_rc4_3des() {
    let (pki, crt, key) = pki("rsa2048");
    let srv = WeakServer::start(&[
        "--cert",
        p(&crt),
        "--key",
        p(&key),
        "--min-version",
        "ssl3",
        "--max-version",
        "tls1.2",
        "--cipher",
        "AES128-SHA:RC4-SHA:DES-CBC3-SHA",
    ]);
    let port: u16 = srv.addr().rsplit_once(':').unwrap().1.parse().unwrap();
    golden("weak_sslv3_rc4_3des", port, &pki.ca_dir());
}

#[test]
fn golden_weak_server_fake_hello_deflate_export() {
    let (pki, crt, key) = pki("rsa2048");
    let srv = WeakServer::start(&[
        "--cert",
        p(&crt),
        "--key",
        p(&key),
        "--fake-hello",
        "--fake-suites",
        "0x0003,0x0008,0x002f",
        "--fake-compression",
        "--max-version",
        "tls1.2",
    ]);
    let port: u16 = srv.addr().rsplit_once(':').unwrap().1.parse().unwrap();
    golden("weak_fake_hello", port, &pki.ca_dir());
}
