//! `tlskit proxy`, the lab man-in-the-middle, between real clients (curl, headless Chromium, the
//! tlskit library) and a real server (`tlskit serve --http`): the page arrives, the posted password
//! shows in the log (masked with --redact), an upstream that does not verify is refused, a victim
//! that does not trust the lab CA refuses the forged certificate, and 200 concurrent connections
//! complete with the proxy's memory bounded.

use crate::common::*;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const NAME: &str = "www.bank32.com";
const PASSWORD: &str = "s3cret-Pa55";

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn curl() -> PathBuf {
    require_tool("curl", "curl")
}

/// The lab: a "real" CA and the bank's server on 127.0.0.1, and the attacker's lab CA.
struct Lab {
    real: Pki,
    mitm: Pki,
    server: Served,
}

impl Lab {
    fn new() -> Lab {
        let real = Pki::new("ecdsa-p256");
        let mitm = Pki::new("ecdsa-p256");
        let pem = real.issue_combined("bank.pem", &[NAME], &[]);
        let server = serve(&["-s", p(&pem), "--http"]);
        Lab { real, mitm, server }
    }
    fn upstream(&self) -> String {
        format!("127.0.0.1:{}", self.server.port)
    }
}

/// A running `tlskit proxy` and its port.
struct RunningProxy {
    peer: Peer,
    port: u16,
}

impl RunningProxy {
    fn pid(&mut self) -> u32 {
        self.peer.child().id()
    }
}

fn start_proxy(args: &[&str]) -> RunningProxy {
    let mut cmd = tlskit();
    cmd.arg("proxy")
        .args(["--listen", "127.0.0.1:0"])
        .args(args);
    let peer = Peer::spawn("tlskit proxy", &mut cmd);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let out = peer.output();
        if let Some(line) = out.lines().find(|l| l.contains("listening on ")) {
            let addr = line
                .split("listening on ")
                .nth(1)
                .unwrap()
                .split_whitespace()
                .next()
                .unwrap();
            let port: u16 = addr.rsplit(':').next().unwrap().parse().unwrap();
            return RunningProxy { peer, port };
        }
        if let Some(line) = out.lines().find(|l| l.contains("\"event\":\"listening\"")) {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            let port: u16 = v["address"]
                .as_str()
                .unwrap()
                .rsplit(':')
                .next()
                .unwrap()
                .parse()
                .unwrap();
            return RunningProxy { peer, port };
        }
        if out.contains("tlskit: error:") || Instant::now() > deadline {
            panic!("tlskit proxy did not start:\n{out}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// curl as the victim; `extra` decides how it reaches the proxy.
fn victim(extra: &[&str]) -> Run {
    let mut cmd = Command::new(curl());
    cmd.args(["-sS", "--max-time", "30"]).args(extra);
    run_cmd(&mut cmd, Duration::from_secs(60))
}

fn login_form() -> String {
    format!("username=alice&password={PASSWORD}")
}

/// Wait until the proxy's output (or log file) mentions `needle`.
fn wait_for(f: impl Fn() -> String, needle: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let s = f();
        if s.contains(needle) || Instant::now() > deadline {
            return s;
        }
        std::thread::sleep(Duration::from_millis(30));
    }
}

#[test]
fn redirected_victim_gets_the_page_and_the_proxy_logs_the_password() {
    let lab = Lab::new();
    let log = lab.mitm.path("mitm.log");
    let proxy = start_proxy(&[
        "--ca",
        p(&lab.mitm.ca_dir()),
        "--upstream",
        &lab.upstream(),
        "--upstream-ca",
        p(&lab.real.ca_cert()),
        "--log",
        p(&log),
    ]);
    // The victim's DNS says www.bank32.com is the proxy; it trusts the (compromised) lab CA.
    let url = format!("https://{NAME}:{}/login", proxy.port);
    let r = victim(&[
        "--cacert",
        p(&lab.mitm.ca_cert()),
        "--resolve",
        &format!("{NAME}:{}:127.0.0.1", proxy.port),
        "-d",
        &login_form(),
        &url,
    ]);
    r.ok();
    assert!(
        r.stdout.contains("Hello over TLS"),
        "the page did not arrive:\n{}",
        r.stdout
    );
    // The real server saw the request with the victim's SNI, relayed by the proxy.
    assert!(
        lab.server
            .peer
            .wait_output("POST /login 200", Duration::from_secs(10)),
        "{}",
        lab.server.peer.output()
    );
    let text = wait_for(
        || std::fs::read_to_string(&log).unwrap_or_default(),
        "closed after",
    );
    assert!(text.contains("POST /login HTTP/1.1"), "{text}");
    assert!(
        text.contains(&format!("form password = {PASSWORD}")),
        "the password is not in the log:\n{text}"
    );
    assert!(text.contains("<-- credential"), "{text}");
    assert!(text.contains(&format!("SNI {NAME}")), "{text}");
    assert!(
        text.contains(&format!("certificate forged for {NAME} (new)")),
        "{text}"
    );
    assert!(text.contains("certificate verified"), "{text}");
    assert!(text.contains("<< HTTP/1.1 200 OK"), "{text}");
    // The log holds passwords: owner-only.
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&log).unwrap().permissions().mode() & 0o777,
        0o600
    );
    // stdout carries one line per connection.
    let out = wait_for(|| proxy.peer.output(), "closed after");
    assert!(
        out.contains("credentials seen: form field 'password'"),
        "{out}"
    );
    assert!(
        !out.contains(PASSWORD),
        "the password leaked to stdout:\n{out}"
    );
}

#[test]
fn connect_mode_works_for_curl_proxy_and_redact_masks_the_password() {
    let lab = Lab::new();
    let log = lab.mitm.path("mitm.log");
    let proxy = start_proxy(&[
        "--ca",
        p(&lab.mitm.ca_dir()),
        "--upstream",
        &lab.upstream(),
        "--upstream-ca",
        p(&lab.real.ca_cert()),
        "--log",
        p(&log),
        "--redact",
    ]);
    let url = format!("https://{NAME}:{}/login", lab.server.port);
    let r = victim(&[
        "--cacert",
        p(&lab.mitm.ca_cert()),
        "--proxy",
        &format!("http://127.0.0.1:{}", proxy.port),
        "-d",
        &login_form(),
        "-H",
        "Authorization: Basic YWxpY2U6b3BlbnNlc2FtZQ==",
        &url,
    ]);
    r.ok();
    assert!(r.stdout.contains("Hello over TLS"), "{}", r.stdout);
    // The server page echoes the password back: the victim does see it.
    assert!(r.stdout.contains(PASSWORD));
    let text = wait_for(
        || std::fs::read_to_string(&log).unwrap_or_default(),
        "closed after",
    );
    assert!(
        text.contains(&format!("(CONNECT {NAME}:{})", lab.server.port)),
        "{text}"
    );
    assert!(text.contains("form password = ********"), "{text}");
    assert!(text.contains("Authorization: Basic ********"), "{text}");
    // Masked everywhere, including where the response page echoes it.
    assert!(
        !text.contains(PASSWORD),
        "--redact left the password in the log:\n{text}"
    );
    assert!(
        !text.contains("opensesame") && !text.contains("YWxpY2U6b3BlbnNlc2FtZQ"),
        "{text}"
    );
}

#[test]
fn json_log_lines_describe_the_connection_and_the_messages() {
    let lab = Lab::new();
    let proxy = start_proxy(&[
        "--ca",
        p(&lab.mitm.ca_dir()),
        "--upstream",
        &lab.upstream(),
        "--upstream-ca",
        p(&lab.real.ca_cert()),
        "--json",
    ]);
    let url = format!("https://{NAME}:{}/login", lab.server.port);
    victim(&[
        "--cacert",
        p(&lab.mitm.ca_cert()),
        "--proxy",
        &format!("http://127.0.0.1:{}", proxy.port),
        "-d",
        &login_form(),
        &url,
    ])
    .ok();
    let out = wait_for(|| proxy.peer.output(), "\"event\":\"closed\"");
    let events: Vec<serde_json::Value> = out
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).expect(l))
        .collect();
    let conn = events
        .iter()
        .find(|e| e["event"] == "connection")
        .expect("a connection event");
    assert_eq!(conn["mode"], "connect");
    assert_eq!(conn["sni"], NAME);
    assert_eq!(conn["forged_for"], NAME);
    assert_eq!(conn["upstream_certificate_verified"], true);
    let req = events
        .iter()
        .find(|e| e["event"] == "request")
        .expect("a request event");
    assert_eq!(req["method"], "POST");
    assert_eq!(req["target"], "/login");
    let form = req["form"].as_array().unwrap();
    assert!(
        form.iter().any(|f| f[0] == "password" && f[1] == PASSWORD),
        "{req}"
    );
    let resp = events
        .iter()
        .find(|e| e["event"] == "response")
        .expect("a response event");
    assert_eq!(resp["status"], 200);
    let closed = events.iter().find(|e| e["event"] == "closed").unwrap();
    assert_eq!(closed["requests"], 1);
}

#[test]
fn the_proxy_refuses_an_upstream_whose_certificate_does_not_verify() {
    let lab = Lab::new();
    // No --upstream-ca: the system store does not know the lab's "real" CA.
    let proxy = start_proxy(&["--ca", p(&lab.mitm.ca_dir()), "--upstream", &lab.upstream()]);
    let url = format!("https://{NAME}:{}/login", lab.server.port);
    let r = victim(&[
        "--cacert",
        p(&lab.mitm.ca_cert()),
        "--proxy",
        &format!("http://127.0.0.1:{}", proxy.port),
        "-d",
        &login_form(),
        &url,
    ]);
    assert_ne!(
        r.code, 0,
        "curl got through a proxy whose upstream does not verify:\n{}",
        r.stdout
    );
    assert!(!r.stdout.contains("Hello over TLS"));
    let out = wait_for(|| proxy.peer.output(), "refused");
    assert!(out.contains("refused: upstream"), "{out}");
    assert!(out.contains("certificate verify failed"), "{out}");
    assert!(out.contains("--upstream-ca"), "{out}");
    assert!(!out.contains(PASSWORD));
    // The password never reached the server either.
    assert!(
        !lab.server.peer.output().contains("POST /login"),
        "{}",
        lab.server.peer.output()
    );

    // --upstream-insecure relays anyway, and says so.
    let proxy = start_proxy(&[
        "--ca",
        p(&lab.mitm.ca_dir()),
        "--upstream",
        &lab.upstream(),
        "--upstream-insecure",
    ]);
    assert!(
        proxy
            .peer
            .wait_output("--upstream-insecure", Duration::from_secs(5)),
        "{}",
        proxy.peer.output()
    );
    let r = victim(&[
        "--cacert",
        p(&lab.mitm.ca_cert()),
        "--proxy",
        &format!("http://127.0.0.1:{}", proxy.port),
        &url,
    ]);
    r.ok();
    let out = wait_for(|| proxy.peer.output(), "closed after");
    assert!(out.contains("CERTIFICATE NOT VERIFIED"), "{out}");
}

#[test]
fn a_victim_without_the_lab_ca_refuses_the_forged_certificate() {
    let lab = Lab::new();
    let proxy = start_proxy(&[
        "--ca",
        p(&lab.mitm.ca_dir()),
        "--upstream",
        &lab.upstream(),
        "--upstream-ca",
        p(&lab.real.ca_cert()),
    ]);
    // Trusting only the real CA — as a victim should.
    let url = format!("https://{NAME}:{}/", proxy.port);
    let r = victim(&[
        "--cacert",
        p(&lab.real.ca_cert()),
        "--resolve",
        &format!("{NAME}:{}:127.0.0.1", proxy.port),
        &url,
    ]);
    assert_eq!(
        r.code, 60,
        "curl should reject the forged certificate:\n{}\n{}",
        r.stdout, r.stderr
    );
    let out = wait_for(|| proxy.peer.output(), "refused");
    assert!(out.contains("the client's handshake failed"), "{out}");
    assert!(out.contains("lab CA"), "{out}");
}

#[test]
fn upstream_from_sni_follows_the_name_the_client_asked_for() {
    let lab = Lab::new();
    let port = lab.server.port.to_string();
    let resolve = format!("{NAME}:127.0.0.1");
    let proxy = start_proxy(&[
        "--ca",
        p(&lab.mitm.ca_dir()),
        "--upstream-from-sni",
        "--upstream-port",
        &port,
        "--resolve",
        &resolve,
        "--upstream-ca",
        p(&lab.real.ca_cert()),
    ]);
    // Redirected: SNI www.bank32.com → upstream www.bank32.com:<port> → --resolve → 127.0.0.1.
    let url = format!("https://{NAME}:{}/", proxy.port);
    let r = victim(&[
        "--cacert",
        p(&lab.mitm.ca_cert()),
        "--resolve",
        &format!("{NAME}:{}:127.0.0.1", proxy.port),
        &url,
    ]);
    r.ok();
    assert!(r.stdout.contains("Hello over TLS"));
    // CONNECT: the request's own target (name and port).
    let url = format!("https://{NAME}:{}/", lab.server.port);
    let r = victim(&[
        "--cacert",
        p(&lab.mitm.ca_cert()),
        "--proxy",
        &format!("http://127.0.0.1:{}", proxy.port),
        &url,
    ]);
    r.ok();
    let out = wait_for(|| proxy.peer.output(), "[#2] closed");
    assert!(
        out.contains(&format!(
            "upstream {NAME}:{} [127.0.0.1:{}]",
            lab.server.port, lab.server.port
        )),
        "{out}"
    );
    // A name that --resolve does not cover would go to DNS; one that points back at the proxy is refused.
    let proxy2 = start_proxy(&[
        "--ca",
        p(&lab.mitm.ca_dir()),
        "--upstream-from-sni",
        "--resolve",
        "loop.test:127.0.0.1",
        "--upstream-ca",
        p(&lab.real.ca_cert()),
    ]);
    let loop_port = proxy2.port.to_string();
    let url = format!("https://loop.test:{loop_port}/");
    let r = victim(&[
        "--cacert",
        p(&lab.mitm.ca_cert()),
        "--proxy",
        &format!("http://127.0.0.1:{loop_port}"),
        &url,
    ]);
    assert_ne!(r.code, 0);
    let out = wait_for(|| proxy2.peer.output(), "refused");
    assert!(out.contains("this proxy itself"), "{out}");
}

#[test]
fn a_plain_http_proxy_request_gets_a_501_that_explains() {
    let lab = Lab::new();
    let proxy = start_proxy(&["--ca", p(&lab.mitm.ca_dir()), "--upstream", &lab.upstream()]);
    let mut s = std::net::TcpStream::connect(("127.0.0.1", proxy.port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(b"GET http://www.bank32.com/ HTTP/1.1\r\nHost: www.bank32.com\r\n\r\n")
        .unwrap();
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 501"), "{answer}");
    assert!(answer.contains("CONNECT"), "{answer}");
    let out = wait_for(|| proxy.peer.output(), "refused");
    assert!(out.contains("plain HTTP proxy request"), "{out}");
}

#[test]
fn headless_chromium_through_the_proxy_renders_only_with_the_lab_ca() {
    let lab = Lab::new();
    let proxy = start_proxy(&[
        "--ca",
        p(&lab.mitm.ca_dir()),
        "--upstream",
        &lab.upstream(),
        "--upstream-ca",
        p(&lab.real.ca_cert()),
    ]);
    let url = format!("https://{NAME}:{}/", lab.server.port);
    let proxy_flag = format!("--proxy-server=http://127.0.0.1:{}", proxy.port);
    // The victim's browser trusts the compromised lab CA.
    let trusted = Browser::new(lab.mitm.path("home-trusted"), Some(&lab.mitm.ca_cert()));
    let r = trusted.dump_dom(&url, &[&proxy_flag]);
    assert!(
        r.stdout.contains("Hello over TLS"),
        "Chromium did not render the page through the proxy:\n{}\n{}",
        r.stdout,
        r.stderr
    );
    assert!(r.stdout.contains(NAME), "{}", r.stdout);
    let out = wait_for(|| proxy.peer.output(), ">> GET / HTTP/1.1");
    assert!(
        out.contains(&format!("CONNECT {NAME}:{}", lab.server.port)),
        "{out}"
    );
    assert!(out.contains(">> GET / HTTP/1.1"), "{out}");
    // Without the lab CA the browser refuses the forged certificate.
    let r = Browser::new(lab.mitm.path("home-untrusted"), None).dump_dom(&url, &[&proxy_flag]);
    assert!(
        !r.stdout.contains("Hello over TLS"),
        "Chromium rendered the page without trusting the lab CA:\n{}",
        r.stdout
    );
    let out = wait_for(|| proxy.peer.output(), "the client's handshake failed");
    assert!(out.contains("the client's handshake failed"), "{out}");
}

/// Resident memory of a process, from /proc.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// Open `n` connections through the proxy's CONNECT mode with the tlskit client library, hold them
/// all open at once (a barrier after every handshake), then send one GET on each. Returns the
/// failures.
fn burst_through_proxy(n: usize, proxy_port: u16, server_port: u16, ca: PathBuf) -> Vec<String> {
    use tlskit::net::{self, Target};
    use tlskit::session::{client, config};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .unwrap();
    let results: Vec<Result<usize, String>> = rt.block_on(async move {
        let setup = Arc::new(
            config::client_config(&config::ClientOptions { ca: vec![ca], alpn: vec!["http/1.1".into()], ..Default::default() })
                .unwrap(),
        );
        let barrier = Arc::new(tokio::sync::Barrier::new(n));
        let mut tasks = Vec::new();
        for _ in 0..n {
            let (setup, barrier) = (setup.clone(), barrier.clone());
            tasks.push(tokio::spawn(async move {
                let work = async {
                    let mut c = net::connect(&Target::new("127.0.0.1", proxy_port), Duration::from_secs(20))
                        .await
                        .map_err(|e| e.to_string())?;
                    let req = format!("CONNECT {NAME}:{server_port} HTTP/1.1\r\nHost: {NAME}:{server_port}\r\n\r\n");
                    c.stream.write_all(req.as_bytes()).await.map_err(|e| e.to_string())?;
                    let mut head = Vec::new();
                    let mut b = [0u8; 1];
                    while !head.ends_with(b"\r\n\r\n") {
                        let got = c.stream.read(&mut b).await.map_err(|e| e.to_string())?;
                        if got == 0 {
                            return Err("the proxy closed during CONNECT".to_string());
                        }
                        head.push(b[0]);
                    }
                    if !head.starts_with(b"HTTP/1.1 200") {
                        return Err(format!("CONNECT answered {}", String::from_utf8_lossy(&head)));
                    }
                    let target = Target::new(NAME, server_port);
                    let mut s = client::handshake(c, &target, &setup, None, false, Duration::from_secs(60))
                        .await
                        .map_err(|e| e.to_string())?;
                    // Every connection is now open through the proxy (and on to the server) at once.
                    barrier.wait().await;
                    let get = format!("GET / HTTP/1.1\r\nHost: {NAME}\r\nConnection: close\r\n\r\n");
                    s.stream.write_all(get.as_bytes()).await.map_err(|e| e.to_string())?;
                    let mut body = Vec::new();
                    let _ = s.stream.read_to_end(&mut body).await;
                    let text = String::from_utf8_lossy(&body);
                    if !text.contains("Hello over TLS") {
                        return Err(format!("no page: {}", text.chars().take(200).collect::<String>()));
                    }
                    Ok(body.len())
                };
                match tokio::time::timeout(Duration::from_secs(180), work).await {
                    Ok(r) => r,
                    Err(_) => Err("timed out".to_string()),
                }
            }));
        }
        let mut out = Vec::new();
        for t in tasks {
            out.push(t.await.unwrap_or_else(|e| Err(e.to_string())));
        }
        out
    });
    results.into_iter().filter_map(Result::err).collect()
}

#[test]
fn two_hundred_concurrent_proxied_connections_complete_and_memory_stays_bounded() {
    const N: usize = 200;
    let lab = Lab::new();
    let log = lab.mitm.path("load.log");
    let mut proxy = start_proxy(&[
        "--ca",
        p(&lab.mitm.ca_dir()),
        "--upstream",
        &lab.upstream(),
        "--upstream-ca",
        p(&lab.real.ca_cert()),
        "--log",
        p(&log),
    ]);
    let pid = proxy.pid();
    let rss_start = rss_kib(pid);
    // Sample the proxy's memory while the load runs.
    let peak = Arc::new(AtomicU64::new(rss_start));
    let done = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (peak, done) = (peak.clone(), done.clone());
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                peak.fetch_max(rss_kib(pid), Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(20));
            }
        })
    };
    let wait_closed = |want: usize| {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let n = proxy.peer.output().matches("closed after").count();
            if n >= want || Instant::now() > deadline {
                return n;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    // Two rounds: memory after the second shows whether anything accumulates per connection.
    let failures = burst_through_proxy(N, proxy.port, lab.server.port, lab.mitm.ca_cert());
    assert!(
        failures.is_empty(),
        "{} of {N} connections failed, e.g. {:?}",
        failures.len(),
        failures.first()
    );
    assert_eq!(
        wait_closed(N),
        N,
        "the proxy did not log {N} closed connections"
    );
    let rss_round1 = rss_kib(pid);
    let failures = burst_through_proxy(N, proxy.port, lab.server.port, lab.mitm.ca_cert());
    assert!(
        failures.is_empty(),
        "{} of {N} connections failed, e.g. {:?}",
        failures.len(),
        failures.first()
    );
    assert_eq!(
        wait_closed(2 * N),
        2 * N,
        "the proxy did not log {} closed connections",
        2 * N
    );
    let rss_round2 = rss_kib(pid);
    done.store(true, Ordering::Relaxed);
    sampler.join().unwrap();
    let peak = peak.load(Ordering::Relaxed);
    // Stop the proxy: its summary says how many connections it held at once.
    // SAFETY: kill(2) on the pid of a child this test spawned and still owns (not yet reaped).
    unsafe {
        libc::kill(pid as i32, libc::SIGTERM);
    }
    assert!(
        proxy
            .peer
            .wait_output("stopped after", Duration::from_secs(20)),
        "{}",
        proxy.peer.output()
    );
    let out = proxy.peer.output();
    let stop = out.lines().find(|l| l.contains("stopped after")).unwrap();
    let at_once: u64 = stop
        .split("at most ")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    eprintln!(
        "proxy RSS: {rss_start} KiB at start, {rss_round1} KiB after {N} connections, {rss_round2} KiB after {}, peak {peak} KiB; {at_once} connections at once",
        2 * N
    );
    assert!(
        at_once >= N as u64,
        "the proxy never held {N} connections at once: {stop}"
    );
    assert!(
        stop.contains("1 certificate(s) forged"),
        "one name, one forged certificate: {stop}"
    );
    assert!(peak > 0, "could not read the proxy's memory");
    assert!(
        peak < 200 * 1024,
        "the proxy used {peak} KiB for {N} concurrent connections"
    );
}

#[test]
fn bad_input_gives_one_line_errors() {
    let mitm = Pki::new("ecdsa-p256");
    let ca = mitm.ca_dir();
    run(&["proxy", "--upstream", "127.0.0.1:1"]).failed_with(2, "--ca");
    run(&["proxy", "--ca", p(&ca)]).failed_with(2, "--upstream");
    run(&[
        "proxy",
        "--ca",
        p(&ca),
        "--upstream",
        "127.0.0.1:1",
        "--upstream-from-sni",
    ])
    .failed_with(2, "not both");
    run(&[
        "proxy",
        "--ca",
        p(&ca),
        "--upstream",
        "127.0.0.1:1",
        "--upstream-port",
        "8443",
    ])
    .failed_with(2, "--upstream-port");
    run(&[
        "proxy",
        "--ca",
        p(&ca),
        "--upstream-from-sni",
        "--resolve",
        "www.bank32.com",
    ])
    .failed_with(2, "NAME:ADDRESS");
    run(&[
        "proxy",
        "--ca",
        p(&ca),
        "--upstream-from-sni",
        "--resolve",
        "www.bank32.com:notanip",
    ])
    .failed_with(2, "not an IP address");
    run(&[
        "proxy",
        "--ca",
        "/nonexistent/ca",
        "--upstream",
        "127.0.0.1:1",
    ])
    .failed_with(1, "does not exist");
    run(&["proxy", "--ca", p(&ca), "--upstream", "nohost"]).failed_with(2, "no port");
    // A certificate that is not a CA cannot sign forged certificates.
    let (leaf, key) = mitm.issue("leaf", &["localhost"], &[]);
    run(&[
        "proxy",
        "--ca",
        p(&leaf),
        "--ca-key",
        p(&key),
        "--upstream",
        "127.0.0.1:1",
    ])
    .failed_with(1, "not a CA certificate");
    // The port is taken.
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    run(&[
        "proxy",
        "--ca",
        p(&ca),
        "--upstream",
        "127.0.0.1:1",
        "--listen",
        &format!("127.0.0.1:{port}"),
    ])
    .failed_with(1, "address already in use");
}
