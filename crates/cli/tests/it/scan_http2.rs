//! The scan's HTTP layer in HTTP/2 (issue 12, item 1: "h2 where only h2 is offered") against
//! real nghttpd, an HTTP/2-only server (it ignores ALPN http/1.1 and selects h2): the GET goes
//! in HTTP/2 and fills the same `http` fields (status 200 for the index file, 404 for a missing
//! path, the banner, no compression: BREACH "no"). (nghttpd sends no custom headers, so HSTS and
//! compression read from HTTP/2 heads are covered by the unit test of `checks::http`; its `-e`
//! does not gzip error answers for curl or tlskit either.) Node.js's HTTP/2 server (nghttp2
//! inside Node) with `allowHTTP1: false` is the real HTTP/2-only server that sends them: HSTS
//! on every answer, gzip when asked. Negative control: nginx,
//! which offers http/1.1 and h2, still gets HTTP/1.1. `hostile_h2_server`, a minimal TLS server
//! written here that accepts only ALPN h2 (refusing http/1.1 with an alert) and then answers
//! garbage, nothing, or a header list over the 64 KiB bound, is an `http.error`, never a hang or
//! a panic.

use crate::common::*;
use serde_json::Value;
use std::io::{Read, Write};
use std::time::Duration;

/// `tlskit scan --json` with `args`: it must end with 0 and not panic; its JSON follows the
/// schema.
fn scan_json(args: &[&str]) -> Value {
    let mut a = vec!["scan", "--no-progress", "--timeout", "3", "--json"];
    a.extend_from_slice(args);
    let r = run_cmd(tlskit().args(&a), Duration::from_secs(120));
    assert_eq!(r.code, 0, "scan {args:?}:\n{}\n{}", r.stdout, r.stderr);
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    let v = r.json();
    validate_schema(&v);
    v
}

/// The BREACH verdict.
fn breach(v: &Value) -> Value {
    v["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == "breach")
        .unwrap_or_else(|| panic!("no breach entry: {}", v["vulnerabilities"]))["vulnerable"]
        .clone()
}

/// `tlskit report` of a scan saved in `dir`: its text holds every needle.
fn report_says(v: &Value, dir: &std::path::Path, needles: &[&str]) {
    let saved = dir.join("saved-scan.json");
    std::fs::write(&saved, v.to_string()).unwrap();
    let text = run_cmd(
        tlskit().args(["report", path_arg(&saved)]),
        Duration::from_secs(30),
    );
    for needle in needles {
        assert!(
            text.stdout.contains(needle),
            "{needle:?} not in:\n{}\n{}",
            text.stdout,
            text.stderr
        );
    }
}

#[test]
fn nghttpd_speaks_only_h2_and_gets_the_get_in_http2() {
    let pki = Pki::new("ecdsa-p256");
    let (crt, key) = pki.issue("localhost", &["localhost"], &[]);
    let ca = pki.ca_cert();
    let htdocs = tempfile::tempdir().unwrap();
    std::fs::write(
        htdocs.path().join("index.html"),
        "<p>hello over HTTP/2</p>\n",
    )
    .unwrap();
    let server = nghttpd(&crt, &key, htdocs.path(), &[]);
    let target = format!("localhost:{}", server.port);
    let page = htdocs.path().join("report.html");
    let v = scan_json(&[
        "--checks",
        "breach",
        "--html",
        path_arg(&page),
        "-a",
        path_arg(&ca),
        &target,
    ]);
    let h = &v["http"];
    assert_eq!(h["error"], Value::Null, "{h}");
    assert_eq!(
        h["request"],
        format!("GET https://localhost:{}/", server.port)
    );
    assert_eq!(h["alpn"], "h2", "{h}");
    assert_eq!(h["http_version"], "h2", "{h}");
    assert_eq!(h["status"], 200, "{h}");
    let banner = h["server"].as_str().unwrap_or_default();
    assert!(banner.starts_with("nghttpd"), "{h}");
    assert_eq!(h["hsts"], Value::Null, "nghttpd sends no HSTS: {h}");
    assert_eq!(h["compression"], Value::Null, "a file is sent as is: {h}");
    assert!(h["date_skew_s"].as_i64().unwrap().abs() <= 5, "{h}");
    assert_eq!(breach(&v), false);
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(
        html.contains("<tr><th>HTTP version</th><td>HTTP/2</td></tr>"),
        "{html}"
    );

    // A missing path: 404; the text says HTTP/2.
    let v = scan_json(&[
        "--checks",
        "breach",
        "--http-path",
        "/missing",
        "-a",
        path_arg(&ca),
        &target,
    ]);
    let h = &v["http"];
    assert_eq!(h["error"], Value::Null, "{h}");
    assert_eq!(h["http_version"], "h2", "{h}");
    assert_eq!(h["status"], 404, "{h}");
    assert_eq!(h["compression"], Value::Null, "{h}");
    report_says(
        &v,
        htdocs.path(),
        &[
            "  HTTP version           HTTP/2\n",
            "  status                 404 Not Found (ALPN h2)\n",
            "  server                 nghttpd nghttp2/",
            "  compression            none\n",
        ],
    );
}

/// Node.js's HTTP/2 server, HTTP/2 only (`allowHTTP1: false`: a ClientHello that offers only
/// http/1.1 is refused): every answer carries HSTS, and the page is gzipped for a client that
/// accepts it. A real server, written for this test in a few lines of Node's own `http2` API.
const NODE_H2_ONLY: &str = r#"
const http2 = require('http2'), fs = require('fs'), zlib = require('zlib');
const [cert, key, port] = process.argv.slice(2);
const server = http2.createSecureServer(
  { cert: fs.readFileSync(cert), key: fs.readFileSync(key), allowHTTP1: false });
server.on('stream', (stream, headers) => {
  const page = Buffer.from('<p>account ' + 'x'.repeat(300) + '</p>\n');
  const gzip = /\bgzip\b/.test(headers['accept-encoding'] || '');
  const head = { ':status': 200, 'content-type': 'text/html; charset=utf-8',
    'strict-transport-security': 'max-age=31536000; includeSubDomains' };
  if (gzip) head['content-encoding'] = 'gzip';
  stream.respond(head);
  stream.end(gzip ? zlib.gzipSync(page) : page);
});
server.listen(Number(port), '127.0.0.1');
"#;

#[test]
fn an_h2_only_node_server_gives_hsts_and_compression_in_http2_heads() {
    let node = require_tool("node", "nodejs");
    let pki = Pki::new("ecdsa-p256");
    let (crt, key) = pki.issue("localhost", &["localhost"], &[]);
    let ca = pki.ca_cert();
    let script = pki.path("h2-only.js");
    std::fs::write(&script, NODE_H2_ONLY).unwrap();
    let port = free_port();
    let mut cmd = std::process::Command::new(node);
    cmd.args([
        path_arg(&script),
        path_arg(&crt),
        path_arg(&key),
        &port.to_string(),
    ]);
    let server = Peer::listening("node (http2, allowHTTP1: false)", &mut cmd, port);
    let target = format!("localhost:{port}");
    let v = scan_json(&["--checks", "breach", "-a", path_arg(&ca), &target]);
    let h = &v["http"];
    assert_eq!(
        h["error"],
        Value::Null,
        "{h}
{}",
        server.output()
    );
    assert_eq!(h["alpn"], "h2", "{h}");
    assert_eq!(h["http_version"], "h2", "{h}");
    assert_eq!(h["status"], 200, "{h}");
    assert_eq!(h["hsts"]["max_age"], 31536000, "{h}");
    assert_eq!(h["hsts"]["include_subdomains"], true, "{h}");
    assert_eq!(h["hsts"]["preload"], false, "{h}");
    assert_eq!(h["compression"], "gzip", "{h}");
    assert_eq!(breach(&v), true, "{}", v["vulnerabilities"]);

    // The text report says the same, read from HTTP/2.
    report_says(
        &v,
        pki.dir.path(),
        &[
            "  HTTP version           HTTP/2\n",
            "  HSTS                   max-age 31536000 s (365 days), includeSubDomains\n",
            "  compression            gzip (BREACH)\n",
        ],
    );
}

#[test]
fn nginx_offering_http1_and_h2_keeps_http1() {
    let pki = Pki::new("ecdsa-p256");
    let (crt, key) = pki.issue("localhost", &["localhost"], &[]);
    let port = free_port();
    let conf = format!(
        "  server {{ listen 127.0.0.1:{port} ssl http2; server_name localhost;\n    \
         ssl_certificate {}; ssl_certificate_key {};\n    \
         return 200 \"both\\n\"; }}\n",
        path_arg(&crt),
        path_arg(&key)
    );
    let _nginx = Nginx::start(&conf, &[port]);
    let v = scan_json(&[
        "--checks",
        "breach",
        "-a",
        path_arg(&pki.ca_cert()),
        &format!("localhost:{port}"),
    ]);
    let h = &v["http"];
    assert_eq!(h["error"], Value::Null, "{h}");
    assert_eq!(h["alpn"], "http/1.1", "{h}");
    assert_eq!(h["http_version"], "http/1.1", "{h}");
    assert_eq!(h["status"], 200, "{h}");
    assert!(h["server"].as_str().unwrap().starts_with("nginx"), "{h}");
    // nginx does select h2 for a client that offers only h2 (what tlskit would use were
    // http/1.1 refused): the control is real.
    let r = run_cmd(
        std::process::Command::new(openssl()).args([
            "s_client",
            "-connect",
            &format!("127.0.0.1:{port}"),
            "-servername",
            "localhost",
            "-alpn",
            "h2",
        ]),
        Duration::from_secs(20),
    );
    assert!(
        r.stdout.contains("ALPN protocol: h2"),
        "{}\n{}",
        r.stdout,
        r.stderr
    );
}

/// What `hostile_h2_server` does after the handshake and the client's first bytes.
#[derive(Clone, Copy)]
enum Hostile {
    /// Answer bytes that are not HTTP/2 frames, then close.
    Garbage,
    /// Say nothing and keep the connection open (bounded: 20 s).
    Silent,
    /// Answer the GET with a header list of 70,000 bytes (over the 64 KiB tlskit announces in
    /// SETTINGS_MAX_HEADER_LIST_SIZE): one HEADERS frame and CONTINUATION frames.
    HugeHead,
}

/// One HTTP/2 frame (RFC 9113 §4.1): length, type, flags, stream id, payload.
fn frame(kind: u8, flags: u8, stream: u32, payload: &[u8]) -> Vec<u8> {
    let n = payload.len() as u32;
    let mut f = n.to_be_bytes()[1..].to_vec();
    f.extend_from_slice(&[kind, flags]);
    f.extend_from_slice(&stream.to_be_bytes());
    f.extend_from_slice(payload);
    f
}

/// The answer of [`Hostile::HugeHead`]: an empty SETTINGS, then on stream 1 a header block
/// (RFC 7541: `:status 200` indexed, then `x-big` as a literal without indexing, its 70,000-byte
/// value length a 7-bit-prefix integer) cut into 16 KiB frames.
fn huge_head() -> Vec<u8> {
    let len = 70_000usize;
    let mut block = vec![0x88, 0x00, 5];
    block.extend_from_slice(b"x-big");
    // 70000 = 127 + 69873; 69873 in 7-bit groups, least significant first: 113, 33, 4.
    block.extend_from_slice(&[0x7f, 0x80 | 113, 0x80 | 33, 4]);
    block.extend(std::iter::repeat_n(b'a', len));
    let mut out = frame(0x4, 0, 0, &[]);
    let chunks: Vec<&[u8]> = block.chunks(16_384).collect();
    for (i, c) in chunks.iter().enumerate() {
        let last = i + 1 == chunks.len();
        let end_headers = if last { 0x4 } else { 0 };
        out.extend(if i == 0 {
            frame(0x1, 0x1 | end_headers, 1, c)
        } else {
            frame(0x9, end_headers, 1, c)
        });
    }
    out
}

/// Whether the client's bytes (the 24-byte preface, then frames) hold a HEADERS frame yet.
fn has_request(buf: &[u8]) -> bool {
    let mut at = 24;
    while buf.len() >= at + 9 {
        let n = u32::from_be_bytes([0, buf[at], buf[at + 1], buf[at + 2]]) as usize;
        if buf[at + 3] == 0x1 {
            return true;
        }
        at += 9 + n;
    }
    false
}

/// A minimal hostile TLS server on 127.0.0.1 (rustls, ALPN h2 only: http/1.1 is refused with a
/// no_application_protocol alert; a lab certificate for localhost) that misbehaves at the
/// HTTP/2 layer as `how` says. Returns the port.
fn hostile_h2_server(m: &crate::hostile::Material, how: Hostile) -> u16 {
    crate::hostile::hostile_tls_listener(m, &[b"h2"], Duration::from_secs(20), move |tls| {
        let mut buf = [0u8; 4096];
        let mut got = Vec::new();
        loop {
            match tls.read(&mut buf) {
                Ok(n) if n > 0 => got.extend_from_slice(&buf[..n]),
                _ => return,
            }
            if !matches!(how, Hostile::HugeHead) || has_request(&got) {
                break;
            }
        }
        match how {
            Hostile::Garbage => {
                let _ = tls.write_all(b"\x00\x1b[31mNOT HTTP/2 AT ALL\r\n\r\n");
                tls.conn.send_close_notify();
                let _ = tls.flush();
            }
            Hostile::Silent => while matches!(tls.read(&mut buf), Ok(n) if n > 0) {},
            Hostile::HugeHead => {
                let _ = tls.write_all(&huge_head());
                let _ = tls.flush();
                while matches!(tls.read(&mut buf), Ok(n) if n > 0) {}
            }
        }
    })
}

#[test]
fn an_h2_server_answering_garbage_nothing_or_a_huge_head_is_an_http_error_not_a_hang() {
    let m = crate::hostile::material();
    let ca = m.pki.ca_cert();
    for (how, needle) in [
        (
            Hostile::Garbage,
            "the HTTP/2 connection failed before an answer",
        ),
        (Hostile::Silent, "no HTTP/2 answer within 2 s"),
        (Hostile::HugeHead, "the HTTP/2 GET failed: stream error"),
    ] {
        let port = hostile_h2_server(&m, how);
        let target = format!("localhost:{port}");
        let v = scan_json_ok(&[
            "--timeout",
            "2",
            "--checks",
            "breach",
            "-a",
            path_arg(&ca),
            &target,
        ]);
        let h = &v["http"];
        let e = h["error"]
            .as_str()
            .unwrap_or_else(|| panic!("no error: {h}"));
        assert!(e.contains(needle), "{needle:?} not in {e:?}");
        assert_eq!(h["alpn"], "h2", "{h}");
        assert_eq!(h["http_version"], "h2", "{h}");
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
        assert_eq!(breach(&v), Value::Null, "no answer: not determined");
    }
}
