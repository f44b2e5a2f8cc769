//! `tlskit scan` of servers that pick their certificate by SNI (issue 11, item 3), against real
//! nginx: a self-signed catch-all `default_server` and a `server_name localhost` server with a
//! chain from tlskit's CA. The grade comes from the chain served for the name scanned; the chain a
//! client without SNI gets is its own section (`certificate_without_sni`) and finding, never a
//! grade cap. Scanned by address (no SNI sent at all), the catch-all is the certificate graded.

use crate::common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// A self-signed certificate made by the openssl command (tlskit issues none by design).
fn self_signed(dir: &Path, cn: &str) -> (PathBuf, PathBuf) {
    let (crt, key) = (dir.join(format!("{cn}.crt")), dir.join(format!("{cn}.key")));
    let r = run_cmd(
        Command::new(require_tool("openssl", "openssl")).args([
            "req",
            "-x509",
            "-nodes",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-days",
            "30",
            "-subj",
            &format!("/CN={cn}"),
            "-addext",
            &format!("subjectAltName=DNS:{cn}"),
            "-keyout",
            p(&key),
            "-out",
            p(&crt),
        ]),
        Duration::from_secs(60),
    );
    assert_eq!(r.code, 0, "openssl req -x509: {}", r.stderr);
    (crt, key)
}

fn scan(args: &[&str]) -> Run {
    let mut a = vec!["scan", "--no-progress", "--timeout", "5"];
    a.extend_from_slice(args);
    let r = run_cmd(tlskit().args(&a), Duration::from_secs(300));
    assert!(
        r.code == 0 || r.code == 1,
        "scan {args:?} failed (rc {}):\n{}\n{}",
        r.code,
        r.stdout,
        r.stderr
    );
    r
}

fn findings<'a>(v: &'a Value, id: &str) -> Vec<&'a Value> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["id"] == id)
        .collect()
}

/// nginx: port `catch_all` has the self-signed default server and the `localhost` server; port
/// `single` has only the `localhost` server (so it is served with and without SNI).
struct SniServer {
    pki: Pki,
    _nginx: Nginx,
    catch_all: u16,
    single: u16,
}

fn sni_server() -> SniServer {
    let pki = Pki::new("ecdsa-p256");
    let (crt, key) = pki.issue("localhost", &["localhost"], &[]);
    let (self_crt, self_key) = self_signed(pki.dir.path(), "catch-all.invalid");
    let (catch_all, single) = (free_port(), free_port());
    let servers = format!(
        "  server {{ listen 127.0.0.1:{catch_all} ssl default_server; server_name _;\n    \
         ssl_certificate {}; ssl_certificate_key {}; return 200 \"catch-all\\n\"; }}\n  \
         server {{ listen 127.0.0.1:{catch_all} ssl; listen 127.0.0.1:{single} ssl; server_name localhost;\n    \
         ssl_certificate {}; ssl_certificate_key {}; return 200 \"localhost\\n\"; }}\n",
        p(&self_crt),
        p(&self_key),
        p(&crt),
        p(&key)
    );
    let nginx = Nginx::start(&servers, &[catch_all, single]);
    SniServer {
        pki,
        _nginx: nginx,
        catch_all,
        single,
    }
}

#[test]
fn the_grade_comes_from_the_sni_certificate_and_the_catch_all_is_reported_apart() {
    let s = sni_server();
    let ca = s.pki.ca_cert();
    let r = scan(&[
        "--json",
        "-a",
        p(&ca),
        &format!("localhost:{}", s.catch_all),
    ]);
    let v = r.json();
    validate_schema(&v);
    let grade = v["grade"]["grade"].as_str().unwrap();
    assert!(
        grade.starts_with('A'),
        "graded by the localhost certificate, trusted with -a: {}",
        v["grade"]
    );
    // The chains served for the name: only the localhost one, trusted.
    let certs = v["certificates"].as_array().unwrap();
    assert_eq!(certs.len(), 1, "{}", v["certificates"]);
    assert_eq!(certs[0]["certificates"][0]["common_name"], "localhost");
    assert_eq!(certs[0]["analysis"]["trusted"], true);
    for c in certs {
        for how in c["found_with"].as_array().unwrap() {
            assert!(!how.as_str().unwrap().contains("SNI"), "{how}");
        }
    }
    // The catch-all, apart.
    let w = &v["certificate_without_sni"];
    assert_eq!(w["outcome"], "different", "{w}");
    assert_eq!(
        w["chain"]["certificates"][0]["common_name"],
        "catch-all.invalid"
    );
    assert_eq!(w["chain"]["analysis"]["trusted"], false);
    assert_eq!(w["chain"]["analysis"]["hostname_match"], false);
    let f = findings(&v, "cert.without_sni_different");
    assert_eq!(f.len(), 1, "{}", v["findings"]);
    let msg = f[0]["message"].as_str().unwrap();
    assert_eq!(f[0]["severity"], "low");
    for needle in [
        "a client without SNI gets a different certificate: CN=catch-all.invalid",
        "does not cover localhost",
        "no trust store trusts it",
    ] {
        assert!(msg.contains(needle), "{needle:?} not in {msg:?}");
    }
    // Its chain findings are that one finding, not findings (and caps) of their own.
    for f in v["findings"].as_array().unwrap() {
        let m = f["message"].as_str().unwrap();
        assert!(
            f["id"] == "cert.without_sni_different" || !m.contains("catch-all"),
            "{f}"
        );
    }
    assert!(
        !v["grade"].to_string().contains("catch-all"),
        "{}",
        v["grade"]
    );

    // The text report: its own section, and no "found with without SNI".
    let r = scan(&["-a", p(&ca), &format!("localhost:{}", s.catch_all)]);
    assert!(
        r.stdout.contains("Certificate without SNI (not graded)"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("a different certificate"), "{}", r.stdout);
    assert!(!r.stdout.contains("with without"), "{}", r.stdout);
}

#[test]
fn by_address_no_sni_is_sent_and_the_catch_all_is_graded() {
    let s = sni_server();
    let ca = s.pki.ca_cert();
    let r = scan(&[
        "--json",
        "-a",
        p(&ca),
        &format!("127.0.0.1:{}", s.catch_all),
    ]);
    let v = r.json();
    validate_schema(&v);
    assert!(v["target"]["servername"].is_null());
    assert_eq!(v["grade"]["grade"], "T", "{}", v["grade"]);
    assert_eq!(
        v["certificates"][0]["certificates"][0]["common_name"],
        "catch-all.invalid"
    );
    assert!(v.get("certificate_without_sni").is_none(), "{v}");
}

#[test]
fn one_certificate_for_everyone_is_the_same_without_sni() {
    let s = sni_server();
    let ca = s.pki.ca_cert();
    let r = scan(&["--json", "-a", p(&ca), &format!("localhost:{}", s.single)]);
    let v = r.json();
    validate_schema(&v);
    assert!(
        v["grade"]["grade"].as_str().unwrap().starts_with('A'),
        "{}",
        v["grade"]
    );
    let w = &v["certificate_without_sni"];
    assert_eq!(w["outcome"], "same", "{w}");
    assert_eq!(w["chain"]["certificates"][0]["common_name"], "localhost");
    assert!(findings(&v, "cert.without_sni_different").is_empty());
    let r = scan(&["-a", p(&ca), &format!("localhost:{}", s.single)]);
    assert!(
        r.stdout.contains("the same certificate as with SNI"),
        "{}",
        r.stdout
    );
}
