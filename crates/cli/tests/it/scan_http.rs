//! The scan's HTTP layer (issue 12, item 1) against real nginx: one server with HSTS, the security
//! headers, a cookie and gzip, one with none of it; `--no-http`; `--http-path` and `--http-host`
//! (a redirect, reported and not followed); and `hostile_http_server`, a minimal TLS server
//! written here that accepts ALPN http/1.1 and then answers garbage or nothing: `http.error`,
//! never a hang. BREACH (from the HTTP layer) is vulnerable where nginx gzips (`gzip on`), not
//! where it does not, and not determined without an HTTP answer.

use crate::common::*;
use serde_json::Value;
use std::io::{Read, Write};
use std::path::Path;
use std::time::Duration;

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// nginx with two servers for localhost: `full` sends HSTS (one year), the four security
/// headers and a cookie, and gzips; `bare` sends none of it (and does not compress). `/app` on
/// `full` redirects to the Host it was asked for.
struct Servers {
    pki: Pki,
    _nginx: Nginx,
    full: u16,
    bare: u16,
}

fn servers() -> Servers {
    let pki = Pki::new("ecdsa-p256");
    let (crt, key) = pki.issue("localhost", &["localhost"], &[]);
    let (full, bare) = (free_port(), free_port());
    let tls = format!(
        "ssl_certificate {}; ssl_certificate_key {};",
        p(&crt),
        p(&key)
    );
    let servers = format!(
        "  server {{ listen 127.0.0.1:{full} ssl; server_name localhost; {tls}\n    \
         gzip on; gzip_min_length 1; gzip_types text/plain;\n    \
         add_header Strict-Transport-Security \"max-age=31536000; includeSubDomains\" always;\n    \
         add_header Content-Security-Policy \"default-src 'self'\" always;\n    \
         add_header X-Frame-Options DENY always;\n    \
         add_header X-Content-Type-Options nosniff always;\n    \
         add_header Referrer-Policy no-referrer always;\n    \
         add_header Set-Cookie \"sid=abc; Path=/; HttpOnly; SameSite=Lax\" always;\n    \
         location /app {{ return 302 https://$host/next; }}\n    \
         location / {{ return 200 \"hello from the full server, long enough to be worth compressing\\n\"; }} }}\n  \
         server {{ listen 127.0.0.1:{bare} ssl; server_name localhost; {tls}\n    \
         gzip off; return 200 \"bare\\n\"; }}\n"
    );
    let nginx = Nginx::start(&servers, &[full, bare]);
    Servers {
        pki,
        _nginx: nginx,
        full,
        bare,
    }
}

/// `tlskit scan --timeout 3 ARGS…`, which must succeed.
fn scan(args: &[&str]) -> Run {
    scan_ok(&[&["--timeout", "3"], args].concat())
}

/// The BREACH verdict and its detail.
fn breach(v: &Value) -> (Value, String) {
    let b = v["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == "breach")
        .unwrap_or_else(|| panic!("no breach entry: {}", v["vulnerabilities"]));
    (
        b["vulnerable"].clone(),
        b["detail"].as_str().unwrap().to_string(),
    )
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
fn nginx_with_hsts_headers_cookie_and_gzip_is_reported_and_earns_a_plus() {
    let s = servers();
    let ca = s.pki.ca_cert();
    let target = format!("localhost:{}", s.full);
    let v = scan(&["--json", "-a", p(&ca), &target]).json();
    validate_schema(&v);
    let h = &v["http"];
    assert_eq!(h["request"], format!("GET https://localhost:{}/", s.full));
    assert_eq!(h["alpn"], "http/1.1");
    assert_eq!(h["status"], 200, "{h}");
    assert!(h["server"].as_str().unwrap().starts_with("nginx"), "{h}");
    assert_eq!(
        h["hsts"],
        serde_json::json!({"max_age": 31536000, "include_subdomains": true, "preload": false})
    );
    assert_eq!(h["hpkp"], Value::Null);
    for k in [
        "content_security_policy",
        "x_frame_options",
        "x_content_type_options",
        "referrer_policy",
    ] {
        assert_eq!(h["headers"][k], true, "{k}: {h}");
    }
    assert_eq!(
        h["cookies"],
        serde_json::json!([{"name": "sid", "secure": false, "http_only": true, "same_site": "Lax"}])
    );
    assert_eq!(h["compression"], "gzip", "{h}");
    assert!(h["date_skew_s"].as_i64().unwrap().abs() <= 5, "{h}");
    assert_eq!(h["redirect"], Value::Null);
    assert_eq!(h["error"], Value::Null);
    let ids = finding_ids(&v);
    assert!(
        ids.contains(&"http.cookie_not_secure".to_string()),
        "{ids:?}"
    );
    assert!(!ids.iter().any(|i| i.starts_with("http.hsts")), "{ids:?}");
    assert_eq!(v["grade"]["grade"], "A+", "{}", v["grade"]);
    let (vulnerable, detail) = breach(&v);
    assert_eq!(vulnerable, true, "{detail}");
    assert!(detail.contains("answers compressed (gzip)"), "{detail}");
    assert!(ids.contains(&"vuln.breach".to_string()), "{ids:?}");

    // The text report's section.
    let text = scan(&["-a", p(&ca), &target]).stdout;
    for needle in [
        "\nHTTP\n",
        "  status                 200 OK (ALPN http/1.1)",
        "  HSTS                   max-age 31536000 s (365 days), includeSubDomains",
        "  compression            gzip (BREACH)",
        "  cookie                 sid: not Secure, HttpOnly, SameSite=Lax",
    ] {
        assert!(text.contains(needle), "{needle:?} not in:\n{text}");
    }
}

#[test]
fn nginx_without_hsts_is_an_a_with_a_finding() {
    let s = servers();
    let ca = s.pki.ca_cert();
    let v = scan(&["--json", "-a", p(&ca), &format!("localhost:{}", s.bare)]).json();
    validate_schema(&v);
    let h = &v["http"];
    assert_eq!(h["status"], 200, "{h}");
    assert_eq!(h["hsts"], Value::Null);
    assert_eq!(h["compression"], Value::Null, "gzip off: {h}");
    assert_eq!(h["cookies"], serde_json::json!([]));
    for k in ["content_security_policy", "x_frame_options"] {
        assert_eq!(h["headers"][k], false, "{k}: {h}");
    }
    let ids = finding_ids(&v);
    assert_eq!(breach(&v).0, false, "negative control: gzip off");
    assert!(ids.contains(&"http.hsts_missing".to_string()), "{ids:?}");
    assert!(
        ids.contains(&"http.security_headers".to_string()),
        "{ids:?}"
    );
    let g = &v["grade"];
    assert_eq!(g["grade"], "A", "{g}");
    assert!(
        g["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r == "A+ not awarded: no valid HSTS header"),
        "{g}"
    );
    // Missing HSTS caps nothing.
    assert!(
        !g["rules"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"].as_str().unwrap().contains("hsts")),
        "{g}"
    );
}

#[test]
fn no_http_skips_it_and_path_and_host_pick_the_request() {
    let s = servers();
    let ca = s.pki.ca_cert();
    let target = format!("localhost:{}", s.full);
    let v = scan(&[
        "--json",
        "--checks",
        "breach",
        "--no-http",
        "-a",
        p(&ca),
        &target,
    ])
    .json();
    assert!(v.get("http").is_none(), "{}", v["http"]);
    let (vulnerable, detail) = breach(&v);
    assert_eq!(vulnerable, Value::Null, "{detail}");
    assert!(detail.contains("the HTTP layer did not run"), "{detail}");
    assert!(
        v["grade"]["reasons"].as_array().unwrap().iter().any(|r| r
            .as_str()
            .unwrap()
            .starts_with("A+ not awarded: HSTS not checked")),
        "{}",
        v["grade"]
    );
    // A redirect is reported with the Host asked for, and not followed.
    let v = scan(&[
        "--json",
        "--checks",
        "crime,http",
        "--http-path",
        "/app?x=1",
        "--http-host",
        "www.example.test",
        "-a",
        p(&ca),
        &target,
    ])
    .json();
    let h = &v["http"];
    assert_eq!(
        h["request"],
        format!("GET https://www.example.test:{}/app?x=1", s.full)
    );
    assert_eq!(h["status"], 302, "{h}");
    assert_eq!(h["redirect"], "https://www.example.test/next", "{h}");
    // A path that would break the request line is a usage error, before any connection.
    let r = run_cmd(
        tlskit().args(["scan", "--http-path", "/a b", &target]),
        Duration::from_secs(30),
    );
    r.failed_with(2, "--http-path");
}

/// What `hostile_http_server` does after the handshake and the client's first bytes.
#[derive(Clone, Copy)]
enum Hostile {
    /// Answer bytes that are not HTTP, then close.
    Garbage,
    /// Say nothing and keep the connection open (bounded: 20 s).
    Silent,
}

/// A minimal hostile TLS server on 127.0.0.1 (rustls, ALPN http/1.1, a lab certificate for
/// localhost) that misbehaves at the HTTP layer as `how` says. Returns the port.
fn hostile_http_server(m: &crate::hostile::Material, how: Hostile) -> u16 {
    crate::hostile::hostile_tls_listener(m, &[b"http/1.1"], Duration::from_secs(20), move |tls| {
        let mut buf = [0u8; 4096];
        if tls.read(&mut buf).unwrap_or(0) == 0 {
            return;
        }
        match how {
            Hostile::Garbage => {
                let _ = tls.write_all(b"\x00\x1b[31mNOT HTTP\r\n\r\n");
                tls.conn.send_close_notify();
                let _ = tls.flush();
            }
            // Read until the client goes away (or the read timeout).
            Hostile::Silent => while matches!(tls.read(&mut buf), Ok(n) if n > 0) {},
        }
    })
}

#[test]
fn a_server_answering_garbage_or_nothing_is_an_http_error_not_a_hang() {
    let m = crate::hostile::material();
    let ca = m.pki.ca_cert();
    for (how, needle) in [
        (Hostile::Garbage, "not valid HTTP"),
        (Hostile::Silent, "no HTTP answer within 2 s"),
    ] {
        let port = hostile_http_server(&m, how);
        let target = format!("localhost:{port}");
        let args = [
            "--timeout",
            "2",
            "--checks",
            "breach",
            "-a",
            p(&ca),
            &target,
        ];
        let v = scan_json_ok(&args);
        let h = &v["http"];
        let e = h["error"]
            .as_str()
            .unwrap_or_else(|| panic!("no error: {h}"));
        assert!(e.contains(needle), "{needle:?} not in {e:?}");
        assert_eq!(h["status"], Value::Null);
        assert!(
            v["errors"]
                .as_array()
                .unwrap()
                .iter()
                .any(|x| x.as_str().unwrap().starts_with("HTTP: ")),
            "{}",
            v["errors"]
        );
        assert_ne!(v["grade"]["grade"], "A+");
        assert_eq!(breach(&v).0, Value::Null, "no answer: not determined");
        // The text shows the peer's bytes escaped.
        let text = run_cmd(
            tlskit().args(["scan", "--no-progress"]).args(args),
            Duration::from_secs(120),
        )
        .stdout;
        assert!(!text.contains('\x1b'), "raw ESC in:\n{text}");
        assert!(text.contains("not determined: "), "{text}");
    }
}
