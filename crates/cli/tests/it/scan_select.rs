//! `tlskit scan --list-checks`, `--checks ID,…` and `--skip ID,…` against `openssl s_server`:
//! only the selected weakness checks run, the others are absent from the JSON `vulnerabilities`
//! and from the text report; the session features are probed only when a selected check needs
//! them (of the shipped ones only lucky13 does, for encrypt-then-MAC); an
//! unknown id is a one-line usage error (exit 2) naming the valid ids.

use crate::common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// Every check id, in the report's order.
const IDS: [&str; 17] = [
    "heartbleed",
    "ccs_injection",
    "ticketbleed",
    "robot",
    "poodle",
    "sweet32",
    "freak",
    "logjam",
    "drown",
    "beast",
    "lucky13",
    "crime",
    "rc4",
    "null",
    "anonymous",
    "static_rsa",
    "breach",
];

/// The report sections --list-checks lists after the weakness checks, in order.
const SECTIONS: [&str; 7] = [
    "client_auth",
    "client_simulation",
    "http",
    "revocation",
    "ech",
    "server_extensions",
    "dns",
];

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// `openssl s_server -www`, TLS 1.0 with a CBC static-RSA suite (BEAST and static RSA are
/// vulnerable there, so a selected check shows a verdict of each kind).
fn s_server_tls10_cbc() -> (Pki, Peer, u16) {
    let openssl: PathBuf = require_tool("openssl", "openssl");
    let pki = Pki::new("rsa2048");
    let (crt, key) = pki.issue("server", &["localhost"], &[]);
    let port = free_port();
    let mut cmd = Command::new(openssl);
    cmd.args([
        "s_server",
        "-accept",
        &port.to_string(),
        "-cert",
        p(&crt),
        "-key",
        p(&key),
        "-www",
        "-quiet",
        "-tls1",
        "-cipher",
        "AES128-SHA@SECLEVEL=0",
    ]);
    let peer = Peer::listening("openssl s_server", &mut cmd, port);
    (pki, peer, port)
}

fn scan(args: &[&str], port: u16) -> Run {
    let target = format!("127.0.0.1:{port}");
    let r = run_cmd(
        tlskit()
            .args(["scan", "--no-progress", "--timeout", "5"])
            .args(args)
            .arg(&target),
        Duration::from_secs(180),
    );
    assert_eq!(r.code, 0, "scan failed:\n{}\n{}", r.stdout, r.stderr);
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    r
}

fn scan_json(args: &[&str], port: u16) -> Value {
    let r = scan(&[&["--json"], args].concat(), port);
    let v: Value = serde_json::from_str(&r.stdout).expect("scan --json prints JSON");
    validate_schema(&v);
    v
}

fn ids(v: &Value) -> Vec<String> {
    v["vulnerabilities"]
        .as_array()
        .expect("vulnerabilities")
        .iter()
        .map(|x| x["id"].as_str().unwrap().to_string())
        .collect()
}

fn verdict<'a>(v: &'a Value, id: &str) -> &'a Value {
    &v["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == id)
        .unwrap_or_else(|| panic!("no {id}"))["vulnerable"]
}

fn finding_ids(v: &Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn list_checks_one_line_per_check_and_as_json() {
    let r = run(&["scan", "--list-checks"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), IDS.len() + SECTIONS.len(), "{}", r.stdout);
    for (line, id) in lines.iter().zip(IDS.iter().chain(SECTIONS.iter())) {
        assert_eq!(line.split_whitespace().next(), Some(*id), "{line}");
    }
    assert!(lines[0].contains("Heartbleed") && lines[0].ends_with("CVE-2014-0160"));
    assert!(
        lines[5].ends_with("CVE-2016-2183, CVE-2016-6329"),
        "{}",
        lines[5]
    );
    assert!(lines[13].ends_with(" -"), "{}", lines[13]);

    let r = run(&["scan", "--list-checks", "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).expect("JSON");
    let list = v.as_array().unwrap();
    assert_eq!(list.len(), IDS.len() + SECTIONS.len());
    assert_eq!(list[0]["id"], "heartbleed");
    assert_eq!(list[0]["kind"], "weakness");
    let last = &list[list.len() - 1];
    assert_eq!(last["id"], "dns");
    assert_eq!(last["kind"], "section");
    assert_eq!(list[0]["name"], "Heartbleed");
    assert_eq!(list[0]["cves"][0], "CVE-2014-0160");
    assert_eq!(list[15]["id"], "static_rsa");
    assert_eq!(list[15]["cves"].as_array().unwrap().len(), 0);
}

#[test]
fn unknown_check_ids_are_a_usage_error_naming_the_valid_ones() {
    // Port 1 on loopback: nothing is scanned, the flags are refused first.
    for flag in ["--checks", "--skip"] {
        let r = run(&["scan", flag, "heartbleed,winshock", "127.0.0.1:1"]);
        assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
        assert_eq!(r.stderr.trim().lines().count(), 1, "{}", r.stderr);
        assert!(
            r.stderr
                .contains(&format!("{flag}: unknown check 'winshock'")),
            "{}",
            r.stderr
        );
        assert!(r.stderr.contains(&IDS.join(", ")), "{}", r.stderr);
        assert!(r.stderr.contains(&SECTIONS.join(", ")), "{}", r.stderr);
        assert!(r.stdout.is_empty(), "{}", r.stdout);
    }
}

#[test]
fn checks_runs_only_the_named_checks_against_openssl() {
    let (_pki, _srv, port) = s_server_tls10_cbc();
    // Listed out of order: the report keeps the registry's order.
    let v = scan_json(&["--checks", "static_rsa,heartbleed,beast"], port);
    assert_eq!(ids(&v), ["heartbleed", "beast", "static_rsa"]);
    assert_eq!(verdict(&v, "heartbleed"), false);
    assert_eq!(verdict(&v, "beast"), true);
    assert_eq!(verdict(&v, "static_rsa"), true);
    let found = finding_ids(&v);
    assert!(found.contains(&"vuln.beast".to_string()), "{found:?}");
    assert!(!found
        .iter()
        .any(|f| f == "vuln.poodle" || f.starts_with("feature.")));
    // None of them needs the session features: not probed, not in the report.
    assert!(v.get("session_features").is_none(), "{v}");
    // The enumeration is whole.
    let tls10 = v["protocols"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["version"] == "TLSv1.0")
        .unwrap();
    assert_eq!(tls10["offered"], true);

    // The report sections were not named: none of them is filled.
    for section in SECTIONS {
        assert!(v.get(section).is_none(), "{section} in {v}");
    }
    // A section alone: only it, no weakness checks.
    let v = scan_json(&["--checks", "client_auth"], port);
    assert_eq!(v["client_auth"]["requested"], false, "{v}");
    assert!(ids(&v).is_empty(), "{v}");
    assert!(v.get("client_simulation").is_none(), "{v}");
    // The server's extensions alone: no session features needed for them.
    let v = scan_json(&["--checks", "server_extensions"], port);
    assert!(
        v["server_extensions"]
            .as_array()
            .is_some_and(|l| !l.is_empty()),
        "{v}"
    );
    assert!(v.get("session_features").is_none(), "{v}");
    let v = scan_json(&["--skip", "server_extensions"], port);
    assert!(v.get("server_extensions").is_none(), "{v}");
    assert!(v.get("session_features").is_some(), "{v}");
    // --skip a section (and --no-simulation, the same).
    for flags in [
        &["--skip", "client_simulation"][..],
        &["--no-simulation"][..],
    ] {
        let v = scan_json(flags, port);
        assert!(v.get("client_simulation").is_none(), "{flags:?}: {v}");
        assert!(v.get("client_auth").is_some(), "{flags:?}: {v}");
    }

    // CRIME asks for itself: still no session features.
    let v = scan_json(&["--checks", "crime"], port);
    assert_eq!(ids(&v), ["crime"]);
    assert_eq!(verdict(&v, "crime"), false);
    assert!(v.get("session_features").is_none(), "{v}");

    // The text report shows the same: the selected lines and no others.
    let r = scan(&["--checks", "heartbleed,beast"], port);
    assert!(r.stdout.contains("Weaknesses\n"), "{}", r.stdout);
    assert!(
        r.stdout.contains("  Heartbleed (CVE-2014-0160) "),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("  BEAST (CVE-2011-3389) "),
        "{}",
        r.stdout
    );
    for absent in [
        "ROBOT",
        "POODLE",
        "CRIME",
        "Static RSA",
        "not run",
        "Session features",
    ] {
        assert!(!r.stdout.contains(absent), "{absent} in:\n{}", r.stdout);
    }
}

#[test]
fn skip_leaves_out_the_named_checks_against_openssl() {
    let (_pki, _srv, port) = s_server_tls10_cbc();
    let v = scan_json(&["--skip", "robot,beast,crime"], port);
    let want: Vec<&str> = IDS
        .iter()
        .copied()
        .filter(|i| !["robot", "beast", "crime"].contains(i))
        .collect();
    assert_eq!(ids(&v), want);
    assert!(!finding_ids(&v).contains(&"vuln.beast".to_string()));
    assert_eq!(verdict(&v, "static_rsa"), true);
    // The session features still run (they are part of the default scan).
    assert_eq!(v["session_features"]["compression"], false, "{v}");

    let r = scan(&["--skip", "robot,beast,crime"], port);
    assert!(
        r.stdout.contains("  Heartbleed (CVE-2014-0160) "),
        "{}",
        r.stdout
    );
    for absent in ["ROBOT", "BEAST", "CRIME", "not run"] {
        assert!(!r.stdout.contains(absent), "{absent} in:\n{}", r.stdout);
    }
    assert!(r.stdout.contains("Session features"), "{}", r.stdout);
}
