//! `tlskit scan` verdicts and many targets, against real servers on 127.0.0.1: `--policy`
//! (built-in Mozilla policies, a custom file, malformed files) and its exit codes; `--targets`
//! with good, weak, closed and plaintext targets; `--json-lines`, `--json` arrays, `--parallel`,
//! `--all-ips`; and the grade in text and JSON.

use crate::common::openssl_s_server as s_server;
use crate::common::*;
use serde_json::Value;
use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Mozilla intermediate (5.7) TLS ≤ 1.2 suites, as an OpenSSL cipher string.
const INTERMEDIATE: &str = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:\
ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:\
DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305";

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A server configured as Mozilla's intermediate profile: TLS 1.2 + 1.3, the intermediate
/// suites, X25519/P-256/P-384, a certificate valid 90 days.
fn intermediate_server(pki: &Pki, stem: &str) -> Listening {
    let (crt, key) = pki.issue(stem, &["localhost", "127.0.0.1"], &["--days", "90"]);
    s_server(
        &crt,
        &key,
        &[
            "-no_ssl3",
            "-no_tls1",
            "-no_tls1_1",
            "-cipher",
            INTERMEDIATE,
            "-groups",
            "X25519:P-256:P-384",
        ],
    )
}

/// A server that speaks plaintext (an SMTP-like banner) on a port tlskit does not associate with
/// STARTTLS. Every connection gets its own thread so parallel probes are answered at once.
fn plaintext_server() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for conn in l.incoming() {
            let Ok(mut c) = conn else { break };
            std::thread::spawn(move || {
                let _ = c.write_all(b"220 mail.example ESMTP ready\r\n");
                std::thread::sleep(Duration::from_millis(300));
            });
        }
    });
    port
}

fn scan(args: &[&str]) -> Run {
    let mut full = vec!["scan", "--timeout", "3", "--no-progress"];
    full.extend_from_slice(args);
    run_cmd(tlskit().args(&full), Duration::from_secs(180))
}

fn rules(v: &Value) -> Vec<String> {
    v["policy"]["deviations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["advisory"] == false)
        .map(|d| d["rule"].as_str().unwrap().to_string())
        .collect()
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn policy_intermediate_compliant_servers_exit_0() {
    let pki = Pki::new("ecdsa-p256");
    let ca = pki.ca_cert();
    let ec = intermediate_server(&pki, "ec");
    let rsa_pki = Pki::new("rsa2048");
    let (rcrt, rkey) = rsa_pki.issue(
        "rsa",
        &["localhost", "127.0.0.1"],
        &["--days", "90", "--key-type", "rsa2048"],
    );
    // RSA key: the ECDHE-RSA and DHE-RSA suites of the list (DH parameters chosen by OpenSSL).
    let rsa = s_server(
        &rcrt,
        &rkey,
        &[
            "-no_ssl3",
            "-no_tls1",
            "-no_tls1_1",
            "-cipher",
            INTERMEDIATE,
            "-groups",
            "X25519:P-256:P-384",
        ],
    );

    for (srv, ca) in [(&ec, &ca), (&rsa, &rsa_pki.ca_cert())] {
        let r = scan(&[
            "--json",
            "--policy",
            "mozilla-intermediate",
            "--ca",
            s(ca),
            &srv.target(),
        ]);
        assert_eq!(
            r.code, 0,
            "compliant server must exit 0:\n{}\n{}",
            r.stdout, r.stderr
        );
        let v = r.json();
        validate_schema(&v);
        assert_eq!(v["policy"]["policy"], "mozilla-intermediate");
        assert_eq!(v["policy"]["compliant"], true, "{}", v["policy"]);
        assert!(rules(&v).is_empty(), "{}", v["policy"]);
        // Trusted through --ca, name 127.0.0.1 in the certificate: a letter, not T or M.
        let g = v["grade"]["grade"].as_str().unwrap();
        assert!(["A+", "A"].contains(&g), "grade {g}: {}", v["grade"]);
    }
    // The RSA server really negotiated DHE (so dh_min_bits was checked and passed).
    let v = scan(&["--json", "--policy", "mozilla-intermediate", &rsa.target()]).json();
    let suites: Vec<&str> = v["protocols"][4]["cipher_suites"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["openssl_name"].as_str().unwrap())
        .collect();
    assert!(suites.contains(&"DHE-RSA-AES128-GCM-SHA256"), "{suites:?}");

    // Text: grade and policy sections.
    let r = scan(&["--policy", "intermediate", "--ca", s(&ca), &ec.target()]);
    r.ok();
    assert!(r.stdout.contains("\nGrade A"), "{}", r.stdout);
    assert!(
        r.stdout.contains("score 93 = 0.3 × 100 (protocol support)"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("Policy mozilla-intermediate: compliant"),
        "{}",
        r.stdout
    );
}

#[test]
fn policy_intermediate_weak_server_exits_1_with_each_deviation() {
    let pki = Pki::new("rsa2048");
    let (crt, key) = pki.issue("srv", &["localhost", "127.0.0.1"], &["--days", "90"]);
    let srv = s_server(
        &crt,
        &key,
        &[
            "-cipher",
            "ECDHE-RSA-AES128-GCM-SHA256:AES128-SHA:CAMELLIA128-SHA:@SECLEVEL=0",
        ],
    );
    let r = scan(&[
        "--json",
        "--policy",
        "mozilla-intermediate",
        "--ca",
        s(&pki.ca_cert()),
        &srv.target(),
    ]);
    assert_eq!(
        r.code, 1,
        "non-compliant server must exit 1:\n{}\n{}",
        r.stdout, r.stderr
    );
    let v = r.json();
    validate_schema(&v);
    assert_eq!(v["policy"]["compliant"], false);
    let devs = v["policy"]["deviations"].as_array().unwrap();
    let found = |rule: &str, what: &str| {
        devs.iter()
            .any(|d| d["rule"] == rule && d["found"].as_str().unwrap().contains(what))
    };
    assert!(found("versions.allowed", "TLSv1.0"), "{devs:#?}");
    assert!(found("versions.allowed", "TLSv1.1"), "{devs:#?}");
    assert!(
        found(
            "cipher_suites",
            "AES128-SHA (TLS_RSA_WITH_AES_128_CBC_SHA) with TLSv1.2"
        ),
        "{devs:#?}"
    );
    assert!(found("cipher_suites", "CAMELLIA128-SHA"), "{devs:#?}");
    assert!(
        !found("cipher_suites", "ECDHE-RSA-AES128-GCM-SHA256"),
        "an allowed suite is not a deviation"
    );
    // TLS 1.0/1.1 cap the grade at B; every reason is listed.
    assert_eq!(v["grade"]["grade"], "B", "{}", v["grade"]);
    let ids: Vec<&str> = v["grade"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    for id in [
        "protocol.tls10_tls11",
        "suites.some_without_forward_secrecy",
    ] {
        assert!(ids.contains(&id), "{id}: {ids:?}");
    }

    // The same in text: the verdict, each deviation, still exit 1 and no error line.
    let r = scan(&["--policy", "mozilla-intermediate", &srv.target()]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("Policy mozilla-intermediate: NOT COMPLIANT"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("disable TLSv1.0"), "{}", r.stdout);
    assert!(r.stdout.contains("remove CAMELLIA128-SHA"), "{}", r.stdout);
    // Without --ca the lab CA is not trusted: T, with the letter it would have.
    assert!(
        r.stdout
            .contains("\nGrade T (B if the certificate problems were fixed)"),
        "{}",
        r.stdout
    );
    assert!(!r.stderr.contains("tlskit: error:"), "{}", r.stderr);
}

#[test]
fn custom_policy_file() {
    let pki = Pki::new("ecdsa-p256");
    let srv = intermediate_server(&pki, "srv");
    let dir = tempfile::tempdir().unwrap();
    let strict = write(
        dir.path(),
        "strict.json",
        r#"{"name": "lab-strict", "versions": {"allowed": ["TLSv1.3"]},
            "tls13_cipher_suites": ["TLS_AES_256_GCM_SHA384"], "certificate": {"max_lifespan_days": 30}}"#,
    );
    let r = scan(&["--json", "--policy", s(&strict), &srv.target()]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let v = r.json();
    assert_eq!(v["policy"]["policy"], "lab-strict");
    let got = rules(&v);
    assert_eq!(
        got.iter().filter(|r| *r == "versions.allowed").count(),
        1,
        "{got:?}"
    );
    assert_eq!(
        got.iter().filter(|r| *r == "tls13_cipher_suites").count(),
        2,
        "AES-128 and ChaCha20: {got:?}"
    );
    assert!(
        got.contains(&"certificate.max_lifespan_days".to_string()),
        "{got:?}"
    );

    let ok = write(
        dir.path(),
        "ok.json",
        r#"{"name": "lab-ok", "comment": "what the lab servers must do",
            "versions": {"allowed": ["TLSv1.2", "TLSv1.3"], "required": ["TLSv1.3"]},
            "certificate": {"key_types": ["ecdsa"], "ecdsa_curves": ["P-256"]},
            "min_grade": "B", "advisory": ["min_grade"]}"#,
    );
    let r = scan(&["--json", "--policy", s(&ok), &srv.target()]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let v = r.json();
    assert_eq!(v["policy"]["compliant"], true);
    // Without --ca the grade is T, below B: reported, but advisory.
    let devs = v["policy"]["deviations"].as_array().unwrap();
    assert_eq!(devs.len(), 1, "{devs:#?}");
    assert_eq!(devs[0]["rule"], "min_grade");
    assert_eq!(devs[0]["advisory"], true);
}

#[test]
fn malformed_or_unknown_policies_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    // Nothing is scanned: the policy is rejected first (the port is not even open).
    let target = format!("127.0.0.1:{}", free_port());
    let broken = write(dir.path(), "broken.json", "{\"name\": \"x\",");
    scan(&["--policy", s(&broken), &target]).failed_with(2, "broken.json");
    let typo = write(
        dir.path(),
        "typo.json",
        r#"{"name": "x", "ciphers": ["AES128-SHA"]}"#,
    );
    scan(&["--policy", s(&typo), &target]).failed_with(2, "unknown field `ciphers`");
    let suite = write(
        dir.path(),
        "suite.json",
        r#"{"name": "x", "cipher_suites": ["AES129-SHA"]}"#,
    );
    scan(&["--policy", s(&suite), &target]).failed_with(2, "unknown cipher suite \"AES129-SHA\"");
    scan(&["--policy", "mozilla-ancient", &target]).failed_with(2, "neither a built-in policy");
}

#[test]
fn targets_file_with_good_bad_closed_and_plaintext_targets() {
    let pki = Pki::new("ecdsa-p256");
    let good1 = intermediate_server(&pki, "a");
    let (crt, key) = pki.issue("b", &["localhost", "127.0.0.1"], &[]);
    let good2 = s_server(
        &crt,
        &key,
        &[
            "-tls1_2",
            "-cipher",
            "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-SHA",
        ],
    );
    let closed = free_port();
    let plain = plaintext_server();
    let dir = tempfile::tempdir().unwrap();
    let list = write(
        dir.path(),
        "targets.txt",
        &format!(
            "# lab servers\n{}\n\n127.0.0.1 {}   # the two-word form\n127.0.0.1:{closed}  # nothing listens here\n  127.0.0.1:{plain}\n",
            good1.target(),
            good2.port
        ),
    );

    // JSON lines: one parseable object per target, failures included.
    let r = scan(&["--targets", s(&list), "--json-lines", "--parallel", "2"]);
    assert_eq!(
        r.code, 1,
        "a failed target makes the exit status 1:\n{}\n{}",
        r.stdout, r.stderr
    );
    let lines: Vec<Value> = r
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    assert_eq!(lines.len(), 4, "{}", r.stdout);
    let reports: Vec<&Value> = lines.iter().filter(|v| v.get("grade").is_some()).collect();
    let errors: Vec<&Value> = lines.iter().filter(|v| v.get("error").is_some()).collect();
    assert_eq!(reports.len(), 2, "{}", r.stdout);
    assert_eq!(errors.len(), 2, "{}", r.stdout);
    // Every line, report or error object, follows the schema and has the same target object.
    for v in &lines {
        validate_schema(v);
        assert_eq!(v["target"]["host"], "127.0.0.1", "{v}");
    }
    let ports: Vec<u64> = reports
        .iter()
        .map(|v| v["target"]["port"].as_u64().unwrap())
        .collect();
    assert!(
        ports.contains(&(good1.port as u64)) && ports.contains(&(good2.port as u64)),
        "{ports:?}"
    );
    let err = |port: u16| {
        errors
            .iter()
            .find(|e| e["target"]["port"] == port)
            .unwrap_or_else(|| panic!("no line for {port}"))["error"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert!(
        err(closed).contains("connection refused"),
        "{}",
        err(closed)
    );
    assert!(err(plain).contains("plaintext"), "{}", err(plain));
    // One error line per failed target on stderr, and the count.
    assert_eq!(
        r.stderr
            .lines()
            .filter(|l| l.starts_with("tlskit: error:"))
            .count(),
        2,
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("2 of 4 targets could not be scanned"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);

    // Text: every report, then the summary table with all four targets, in file order.
    let r = scan(&["--targets", s(&list)]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let summary = r
        .stdout
        .split("Summary: 4 targets\n")
        .nth(1)
        .unwrap_or_else(|| panic!("no summary:\n{}", r.stdout));
    let rows: Vec<&str> = summary.lines().collect();
    assert!(
        rows[0].contains("TARGET") && rows[0].contains("GRADE") && rows[0].contains("POLICY"),
        "{summary}"
    );
    assert!(
        rows[1].starts_with(&format!("  {}", good1.target())) && rows[1].contains(" 1.2 1.3 "),
        "{summary}"
    );
    assert!(
        rows[2].contains(&good2.target()) && rows[2].contains(" 1.2 "),
        "{summary}"
    );
    assert!(
        rows[3].contains(&format!("127.0.0.1:{closed}"))
            && rows[3].contains("error: cannot connect"),
        "{summary}"
    );
    assert!(
        rows[4].contains(&format!("127.0.0.1:{plain}")) && rows[4].contains("error:"),
        "{summary}"
    );
    assert_eq!(
        r.stdout.matches("\nGrade ").count(),
        2,
        "a grade for each scanned target"
    );

    // --json: one array, in target order, failures as objects with "error".
    let r = scan(&["--targets", s(&list), "--json", "--parallel", "4"]);
    assert_eq!(r.code, 1);
    let v = r.json();
    let arr = v.as_array().unwrap();
    assert_eq!(arr.len(), 4);
    assert_eq!(arr[0]["target"]["port"], good1.port);
    assert_eq!(arr[1]["target"]["port"], good2.port);
    assert!(
        arr[2]["error"].is_string() && arr[3]["error"].is_string(),
        "{v}"
    );
}

#[test]
fn parallel_scans_find_the_same_as_one_at_a_time() {
    let pki = Pki::new("ecdsa-p256");
    let servers: Vec<Listening> = (0..3)
        .map(|i| intermediate_server(&pki, &format!("s{i}")))
        .collect();
    let targets: Vec<String> = servers.iter().map(Listening::target).collect();
    let suites = |parallel: &str| -> Vec<Vec<u64>> {
        let mut args = vec!["--json", "--parallel", parallel];
        args.extend(targets.iter().map(String::as_str));
        let r = scan(&args);
        assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
        r.json()
            .as_array()
            .unwrap()
            .iter()
            .map(|v| {
                let mut ids: Vec<u64> = v["protocols"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .flat_map(|p| {
                        p["cipher_suites"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|s| s["id"].as_u64().unwrap())
                    })
                    .collect();
                ids.sort();
                ids
            })
            .collect()
    };
    let one = suites("1");
    assert_eq!(one.len(), 3);
    assert_eq!(one[0].len(), 6, "3 TLS 1.2 + 3 TLS 1.3 suites: {one:?}");
    assert_eq!(suites("3"), one);
    // Two targets given as arguments: the summary comes last.
    let r = scan(&[
        targets[0].as_str(),
        targets[1].as_str(),
        "--max-connections",
        "2",
    ]);
    r.ok();
    assert!(r.stdout.contains("Summary: 2 targets"), "{}", r.stdout);
    scan(&["--parallel", "0", targets[0].as_str()]).failed_with(2, "--parallel must be at least 1");
}

#[test]
fn bad_targets_file_lines_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "t.txt",
        "# ok\n127.0.0.1:443\n127.0.0.1:99999\n",
    );
    scan(&["--targets", s(&f)]).failed_with(2, "t.txt line 3: '99999' is not a port");
    let f = write(dir.path(), "u.txt", "host one two\n");
    scan(&["--targets", s(&f)]).failed_with(2, "u.txt line 1");
    let f = write(dir.path(), "empty.txt", "# nothing here\n\n");
    scan(&["--targets", s(&f)]).failed_with(2, "no targets");
    scan(&["--targets", s(&dir.path().join("missing.txt"))]).failed_with(2, "missing.txt");
}

#[test]
fn all_ips_scans_each_address_with_the_name_as_sni() {
    let pki = Pki::new("ecdsa-p256");
    let srv = intermediate_server(&pki, "srv");
    let r = scan(&[
        "--json",
        "--all-ips",
        "--ca",
        s(&pki.ca_cert()),
        &format!("localhost:{}", srv.port),
    ]);
    let v = r.json();
    let arr = v.as_array().expect("--all-ips prints an array");
    // localhost is 127.0.0.1 (the server listens there) and perhaps ::1 (nothing listens there:
    // that address must fail cleanly, as its own entry).
    let v4 = arr
        .iter()
        .find(|x| x["target"]["ip"] == "127.0.0.1")
        .unwrap_or_else(|| panic!("no 127.0.0.1 entry: {v}"));
    validate_schema(v4);
    assert_eq!(v4["target"]["host"], "localhost");
    assert_eq!(v4["target"]["servername"], "localhost");
    let g = v4["grade"]["grade"].as_str().unwrap();
    assert!(["A+", "A"].contains(&g), "{}", v4["grade"]);
    for other in arr.iter().filter(|x| x["target"]["ip"] != "127.0.0.1") {
        assert_eq!(
            other["target"]["ip"], "::1",
            "only loopback addresses: {other}"
        );
        validate_schema(other);
        assert!(other["error"].is_string(), "{other}");
    }
    let expect = if arr.len() == 1 { 0 } else { 1 };
    assert_eq!(r.code, expect, "{}", r.stderr);
}
