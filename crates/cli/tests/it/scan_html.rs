//! `tlskit scan --html`: the page for two real servers (openssl s_server, one with markup in its
//! certificate's subject) and a closed port, loaded in headless Chromium: it renders (a
//! screenshot that is not blank), the console stays empty (no script, no blocked external
//! asset, which the page's Content-Security-Policy would report), and the peer's markup is text.

use crate::common::*;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

const MARKUP_CN: &str = "<img src=x onerror=alert(1)>&\"evil\"";

/// `openssl s_server -www` on 127.0.0.1 with a certificate for 127.0.0.1 issued with `extra_issue`.
fn s_server(pki: &Pki, stem: &str, extra_issue: &[&str], extra: &[&str]) -> Listening {
    let (crt, key) = pki.issue(stem, &["127.0.0.1"], extra_issue);
    openssl_s_server(&crt, &key, extra)
}

/// Headless Chromium: a screenshot of `page` and its stderr with console logging on.
fn chromium_shot(home: &Path, page: &Path, png: &Path) -> Run {
    let chromium = require_tool("chromium", "chromium");
    run_cmd(
        Command::new(chromium)
            .env("HOME", home)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--hide-scrollbars",
                "--enable-logging=stderr",
                "--v=0",
                "--window-size=1200,1600",
            ])
            .arg(format!(
                "--user-data-dir={}",
                home.join("profile").display()
            ))
            .arg(format!("--screenshot={}", png.display()))
            .arg(format!("file://{}", page.display())),
        Duration::from_secs(120),
    )
}

fn console_lines(stderr: &str) -> Vec<&str> {
    stderr.lines().filter(|l| l.contains(":CONSOLE")).collect()
}

#[test]
fn html_report_loads_in_chromium_without_console_errors() {
    let pki = Pki::new("ecdsa-p256");
    let Listening {
        peer: _good,
        port: good,
    } = s_server(&pki, "good", &[], &["-no_tls1", "-no_tls1_1"]);
    let Listening {
        peer: _evil,
        port: evil,
    } = s_server(&pki, "evil", &["--cn", MARKUP_CN], &[]);
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    let r = run_cmd(
        tlskit().args([
            "scan",
            "-a",
            pki.ca_cert().to_str().unwrap(),
            "--timeout",
            "3",
            "--html",
            page.to_str().unwrap(),
            &format!("127.0.0.1:{good}"),
            &format!("127.0.0.1:{evil}"),
            &format!("127.0.0.1:{closed}"),
        ]),
        Duration::from_secs(240),
    );
    assert_eq!(r.code, 1, "the closed port fails the run:\n{}", r.stderr);
    let html = std::fs::read_to_string(&page).unwrap();

    // Self-contained: nothing fetched from anywhere.
    for bad in [
        "src=\"http",
        "href=\"http",
        "<script",
        "<link",
        "@import",
        "url(",
    ] {
        assert!(!html.contains(bad), "the page has {bad:?}");
    }
    // The peer's markup is text, escaped.
    assert!(
        !html.contains("<img src=x"),
        "unescaped certificate subject"
    );
    // (The subject is written RFC 4514 style, which puts a backslash before < > and ".)
    assert!(html.contains("&lt;img src=x onerror=alert(1)\\&gt;&amp;\\&quot;evil\\&quot;"));
    // One summary row per target, each linking to its section; the error is shown.
    for i in 0..3 {
        assert!(
            html.contains(&format!("href=\"#t{i}\"")) && html.contains(&format!("id=\"t{i}\""))
        );
    }
    assert!(html.contains("Could not be scanned"));
    assert!(html.contains("<svg") && html.contains("Suites per version by strength"));
    assert!(html.contains("badge g-"), "a grade badge");

    // Chromium: loads, draws something, and logs nothing to the console.
    let png = dir.path().join("report.png");
    let shot = chromium_shot(dir.path(), &page, &png);
    let bytes = std::fs::read(&png)
        .unwrap_or_else(|e| panic!("Chromium wrote no screenshot ({e}):\n{}", shot.stderr));
    assert!(bytes.starts_with(b"\x89PNG"), "not a PNG");
    let console = console_lines(&shot.stderr);
    assert!(
        console.is_empty(),
        "console messages:\n{}",
        console.join("\n")
    );

    // The same check sees console errors when there are some (a page with an inline script and
    // an external image under the same policy), and a blank page's screenshot is much smaller.
    let control = dir.path().join("control.html");
    std::fs::write(
        &control,
        "<!DOCTYPE html><html><head><meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'\"></head>\
         <body><img src=\"https://example.invalid/x.png\"><script>console.error('x')</script></body></html>",
    )
    .unwrap();
    let control_png = dir.path().join("control.png");
    let c = chromium_shot(dir.path(), &control, &control_png);
    assert!(
        !console_lines(&c.stderr).is_empty(),
        "Chromium logs no console lines here, so the check above proves nothing:\n{}",
        c.stderr
    );
    let blank_len = std::fs::metadata(&control_png)
        .map(|m| m.len())
        .unwrap_or(0);
    assert!(
        bytes.len() as u64 > 4 * blank_len.max(1000),
        "the screenshot looks empty: {} bytes vs {blank_len} for a blank page",
        bytes.len()
    );
}

#[test]
fn html_report_of_one_target() {
    let pki = Pki::new("ecdsa-p256");
    let Listening {
        peer: _good,
        port: good,
    } = s_server(&pki, "one", &[], &[]);
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("one.html");
    run(&[
        "scan",
        "-a",
        pki.ca_cert().to_str().unwrap(),
        "--html",
        page.to_str().unwrap(),
        &format!("127.0.0.1:{good}"),
    ])
    .ok();
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(
        !html.contains("class=\"summary\""),
        "no summary for one target"
    );
    assert!(
        html.contains("Certificates") && html.contains("Findings") && html.contains("Protocols")
    );
}
