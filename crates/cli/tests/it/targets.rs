//! Targets as people write them (URLs, default ports, stdin, curl's --resolve), against a real
//! `tlskit serve` on loopback.

use crate::common::*;
use std::path::Path;
use std::time::Duration;

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn server() -> (Pki, Served) {
    let pki = Pki::new("ecdsa-p256");
    let pem = pki.issue_combined("srv.pem", &["localhost", "127.0.0.1", "tlskit.test"], &[]);
    let root = pki.path("site");
    std::fs::create_dir_all(root.join("docs")).unwrap();
    std::fs::write(root.join("docs/page.html"), "the page\n").unwrap();
    let srv = serve(&["-s", s(&pem), "--http", "--root", s(&root), "-q"]);
    (pki, srv)
}

#[test]
fn urls_for_connect_cert_show_and_bench() {
    let (pki, srv) = server();
    let ca = pki.ca_cert();
    // https://host:port/path: connect fetches the path.
    let r = run(&[
        "connect",
        "--json",
        "-a",
        s(&ca),
        &format!("https://localhost:{}/docs/page.html", srv.port),
    ]);
    r.ok();
    let j = r.json();
    assert_eq!(j["http"]["status"], 200);
    assert_eq!(j["http"]["body"], "the page\n");
    assert_eq!(j["target"]["port"], srv.port);
    // Without a path: the report, no request.
    let r = run(&[
        "connect",
        "--json",
        "--read-timeout",
        "0.3",
        "-a",
        s(&ca),
        &format!("https://localhost:{}", srv.port),
    ]);
    r.ok();
    assert!(r.json().get("http").is_none());
    // cert show and bench take the same forms.
    let r = run(&[
        "cert",
        "show",
        "--json",
        "-a",
        s(&ca),
        &format!("HTTPS://127.0.0.1:{}/x?y#z", srv.port),
    ]);
    r.ok();
    assert_eq!(r.json()["verification"]["trusted"], true);
    let r = run(&[
        "bench",
        "--json",
        "-a",
        s(&ca),
        "--connections",
        "1",
        "--duration",
        "0.3",
        &format!("https://localhost:{}/docs/page.html", srv.port),
    ]);
    r.ok();
    let j = r.json();
    assert!(
        j["exchange"].as_str().unwrap().contains("/docs/page.html"),
        "{j}"
    );
    assert_eq!(
        j["http_status"]["200"].as_u64().map(|n| n > 0),
        Some(true),
        "{j}"
    );
}

#[test]
fn default_ports_and_errors() {
    // No port: 443 (nothing listens there on this machine's loopback in the tests), or the -t
    // protocol's usual port.
    let free443 = std::net::TcpStream::connect_timeout(
        &"127.0.0.1:443".parse().unwrap(),
        Duration::from_millis(300),
    )
    .is_err();
    if free443 {
        run(&["connect", "--timeout", "2", "127.0.0.1"]).failed_with(1, "127.0.0.1:443");
        run(&[
            "scan",
            "--no-progress",
            "--timeout",
            "2",
            "https://127.0.0.1/",
        ])
        .failed_with(1, "127.0.0.1:443");
    }
    let free25 = std::net::TcpStream::connect_timeout(
        &"127.0.0.1:25".parse().unwrap(),
        Duration::from_millis(300),
    )
    .is_err();
    if free25 {
        run(&["connect", "--timeout", "2", "-t", "smtp", "127.0.0.1"])
            .failed_with(1, "127.0.0.1:25");
        run(&["connect", "--timeout", "2", "smtp://127.0.0.1"]).failed_with(1, "127.0.0.1:25");
    }
    // Mistakes: one line, exit 2, saying what to write instead.
    run(&["scan", "http://example.test/"]).failed_with(2, "write https://");
    run(&["connect", "gopher://example.test/"]).failed_with(2, "unknown URL scheme");
    run(&["connect", "https://user:pw@example.test/"]).failed_with(2, "before '@'");
    run(&["connect", "example.test/path"]).failed_with(2, "https://example.test/path");
    run(&["scan", "-t", "imap", "smtp://example.test"]).failed_with(2, "drop one");
    run(&["connect", "imaps://example.test", "-t", "imap"]).failed_with(2, "drop one");
    run(&["connect", "example.test:99999"]).failed_with(2, "not a port");
    run(&["cert", "show", "-t", "imap", "smtp://example.test"]).failed_with(2, "drop one");
    run(&["bench", "imap://example.test"]).failed_with(2, "STARTTLS");
    run(&["connect", "--resolve", "nonsense", "example.test"]).failed_with(2, "HOST:PORT:ADDRESS");
}

#[test]
fn scan_reads_targets_from_stdin() {
    let (pki, srv) = server();
    let mut cmd = tlskit();
    cmd.args([
        "scan",
        "--json-lines",
        "--no-progress",
        "-a",
        s(&pki.ca_cert()),
        "-",
    ]);
    let input = format!(
        "# two ways to write the same server\nhttps://localhost:{0}/\n127.0.0.1 {0}\n",
        srv.port
    );
    let r = run_with_stdin(&mut cmd, input.as_bytes(), Duration::from_secs(120));
    r.ok();
    let lines: Vec<serde_json::Value> = r
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{}", r.stdout);
    for l in &lines {
        validate_schema(l);
        assert_eq!(l["target"]["port"], srv.port);
        assert_eq!(l["target"]["ip"], "127.0.0.1");
        // The fingerprints of tlskit's own ClientHellos (JA4 and JA3).
        let h = &l["client_hellos"];
        assert!(h["sent"].as_u64().unwrap() > 10, "{h}");
        let f = h["fingerprints"].as_array().unwrap();
        assert!(!f.is_empty() && f.len() as u64 <= h["sent"].as_u64().unwrap());
        assert!(
            f.iter()
                .any(|x| x["ja4"].as_str().unwrap().starts_with("t13")),
            "{h}"
        );
    }
    // A bad line is named with its number.
    let mut cmd = tlskit();
    cmd.args(["scan", "-"]);
    run_with_stdin(
        &mut cmd,
        b"localhost:1\nhttp://x/\n",
        Duration::from_secs(20),
    )
    .failed_with(2, "stdin line 2");
}

#[test]
fn resolve_like_curl() {
    let (pki, srv) = server();
    let ca = pki.ca_cert();
    // tlskit.test has no DNS entry: --resolve HOST:PORT:ADDRESS makes it reachable, and SNI and
    // the name check use the name.
    let r = run(&[
        "connect",
        "--json",
        "--resolve",
        &format!("tlskit.test:{}:127.0.0.1", srv.port),
        "-a",
        s(&ca),
        "--http",
        "/",
        &format!("tlskit.test:{}", srv.port),
    ]);
    r.ok();
    let j = r.json();
    assert_eq!(j["servername"], "tlskit.test");
    assert_eq!(j["certificate"]["name_match"], true);
    assert_eq!(j["target"]["address"], format!("127.0.0.1:{}", srv.port));
    // The form without a port, and cert show and scan too.
    run(&[
        "cert",
        "show",
        "--resolve",
        "tlskit.test:127.0.0.1",
        "-a",
        s(&ca),
        &format!("tlskit.test:{}", srv.port),
    ])
    .ok();
    let r = run(&[
        "scan",
        "--json",
        "--no-progress",
        "--resolve",
        &format!("tlskit.test:{}:127.0.0.1", srv.port),
        "-a",
        s(&ca),
        &format!("https://tlskit.test:{}/", srv.port),
    ]);
    r.ok();
    let j = r.json();
    assert_eq!(j["target"]["host"], "tlskit.test");
    assert_eq!(j["target"]["ip"], "127.0.0.1");
    assert_eq!(j["target"]["servername"], "tlskit.test");
    // An override for another port does not apply.
    run(&[
        "connect",
        "--timeout",
        "3",
        "--resolve",
        "tlskit.test:1:127.0.0.1",
        "-a",
        s(&ca),
        &format!("tlskit.test:{}", srv.port),
    ])
    .failed_with(1, "tlskit.test");
}
