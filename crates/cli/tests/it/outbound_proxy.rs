//! Outbound proxies (`--proxy`, HTTPS_PROXY, ALL_PROXY, NO_PROXY) through REAL proxies started by
//! the tests on loopback: tinyproxy (an HTTP CONNECT proxy, Debian package `tinyproxy`) and Dante
//! (a SOCKS5 server, Debian package `dante-server`), and microsocks (a SOCKS5 server with a
//! user name and password, Debian package `microsocks`), each in the foreground with its own
//! configuration and port. Every command that connects (connect, scan, cert show, bench) goes
//! through net::Connector, so each is tried once.

use crate::common::*;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A proxy daemon in the foreground, log in a file; SIGTERM (then SIGKILL) when dropped, so
/// Dante's master takes its children down.
struct ProxyDaemon {
    name: &'static str,
    child: Child,
    log: PathBuf,
    port: u16,
    _dir: tempfile::TempDir,
}

impl ProxyDaemon {
    fn start(name: &'static str, mut cmd: Command, dir: tempfile::TempDir, port: u16) -> Self {
        let log = dir.path().join("proxy.log");
        let f = std::fs::File::create(&log).unwrap();
        let child = cmd
            .stdin(Stdio::null())
            .stdout(f.try_clone().unwrap())
            .stderr(f)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
        let mut d = ProxyDaemon {
            name,
            child,
            log,
            port,
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while !wait_for_port(port, Duration::from_millis(100)) {
            if let Ok(Some(st)) = d.child.try_wait() {
                panic!(
                    "{name} exited ({st}) before listening; its log:\n{}",
                    d.log()
                );
            }
            assert!(
                Instant::now() < deadline,
                "{name} did not listen on port {port}; its log:\n{}",
                d.log()
            );
        }
        d
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn url(&self, scheme: &str) -> String {
        format!("{scheme}://127.0.0.1:{}", self.port)
    }
}

impl Drop for ProxyDaemon {
    fn drop(&mut self) {
        // SAFETY: kill(2) on the pid of a child this test spawned and still owns (not yet reaped).
        unsafe {
            libc::kill(self.child.id() as i32, libc::SIGTERM);
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        eprintln!("{} did not stop on SIGTERM; killing it", self.name);
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// tinyproxy on a free loopback port. `extra` lines go into its configuration (BasicAuth,
/// ConnectPort …). Without ConnectPort lines tinyproxy allows CONNECT to every port.
fn tinyproxy(extra: &[&str]) -> ProxyDaemon {
    let bin = require_tool("tinyproxy", "tinyproxy");
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let conf = dir.path().join("tinyproxy.conf");
    let mut text = format!(
        "Port {port}\nListen 127.0.0.1\nTimeout 30\nMaxClients 64\nLogLevel Info\nAllow 127.0.0.1\n"
    );
    for l in extra {
        text.push_str(l);
        text.push('\n');
    }
    std::fs::write(&conf, text).unwrap();
    let mut cmd = Command::new(bin);
    cmd.arg("-d").arg("-c").arg(&conf);
    ProxyDaemon::start("tinyproxy", cmd, dir, port)
}

/// Dante's danted on a free loopback port: clients from 127.0.0.0/8, CONNECT to anything except
/// `block_port` on 127.0.0.1 (a ruleset refusal to test). `method` is `none` or `username`.
fn danted(method: &str, block_port: u16) -> ProxyDaemon {
    let bin = require_tool("danted", "dante-server");
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let conf = dir.path().join("danted.conf");
    let text = format!(
        "logoutput: stderr\n\
         internal: 127.0.0.1 port = {port}\n\
         external: 127.0.0.1\n\
         clientmethod: none\n\
         socksmethod: {method}\n\
         user.unprivileged: nobody\n\
         client pass {{ from: 127.0.0.0/8 to: 0.0.0.0/0 }}\n\
         socks block {{ from: 0.0.0.0/0 to: 127.0.0.1/32 port = {block_port} log: error }}\n\
         socks pass {{\n  from: 127.0.0.0/8 to: 0.0.0.0/0\n  command: connect\n  log: connect\n}}\n"
    );
    std::fs::write(&conf, text).unwrap();
    let mut cmd = Command::new(bin);
    cmd.arg("-f")
        .arg(&conf)
        .arg("-p")
        .arg(dir.path().join("danted.pid"));
    ProxyDaemon::start("danted", cmd, dir, port)
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A TLS server on loopback (tlskit serve --http) and its PKI.
fn server() -> (Pki, Served) {
    let pki = Pki::new("ecdsa-p256");
    let pem = pki.issue_combined("srv.pem", &["localhost", "127.0.0.1", "tlskit.test"], &[]);
    let root = pki.path("site");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(root.join("index.html"), "through the tunnel\n").unwrap();
    let srv = serve(&["-s", s(&pem), "--http", "--root", s(&root), "-q"]);
    (pki, srv)
}

#[test]
fn connect_through_tinyproxy_http_connect() {
    let (pki, srv) = server();
    let proxy = tinyproxy(&[]);
    let url = format!("https://localhost:{}/", srv.port);
    let r = run(&[
        "connect",
        "--proxy",
        &proxy.url("http"),
        "-a",
        s(&pki.ca_cert()),
        &url,
    ]);
    r.ok();
    assert!(
        r.stdout
            .contains(&format!("through the proxy {}", proxy.url("http"))),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("HTTP CONNECT"), "{}", r.stdout);
    // The URL's path was fetched (https://…/ implies GET /).
    assert!(r.stdout.contains("through the tunnel"), "{}", r.stdout);
    let log = proxy.log();
    assert!(
        log.contains(&format!("localhost:{}", srv.port)),
        "tinyproxy saw no CONNECT to localhost:{}:\n{log}",
        srv.port
    );

    let r = run(&[
        "connect",
        "--json",
        "--proxy",
        &proxy.url("http"),
        "-a",
        s(&pki.ca_cert()),
        &format!("localhost:{}", srv.port),
    ]);
    r.ok();
    let j = r.json();
    assert_eq!(j["proxy"]["kind"], "http-connect");
    assert_eq!(j["proxy"]["source"], "--proxy");
    assert_eq!(j["proxy"]["resolved_by"], "proxy");
    assert_eq!(j["proxy"]["destination"], format!("localhost:{}", srv.port));
    assert_eq!(
        j["target"]["address"],
        format!("127.0.0.1:{}", proxy.port),
        "the TCP peer is the proxy"
    );
    assert_eq!(j["certificate"]["verified"], true);
}

#[test]
fn tinyproxy_basic_auth_and_refusals_are_one_clear_line() {
    let (pki, srv) = server();
    let proxy = tinyproxy(&["BasicAuth alice s3cret"]);
    let target = format!("localhost:{}", srv.port);
    let ca = pki.ca_cert();
    let base = |proxy_url: &str| {
        run(&[
            "connect",
            "--proxy",
            proxy_url,
            "-a",
            s(&ca),
            "--http",
            "/",
            &target,
        ])
    };
    base(&format!("http://127.0.0.1:{}", proxy.port))
        .failed_with(1, "wants credentials")
        .failed_with(1, "407");
    let r = base(&format!("http://alice:wrong@127.0.0.1:{}", proxy.port));
    r.failed_with(1, "rejected the credentials");
    assert!(
        !r.stderr.contains("wrong"),
        "the password leaked: {}",
        r.stderr
    );
    let r = base(&format!("http://alice:s3cret@127.0.0.1:{}", proxy.port));
    r.ok();
    assert!(r.stdout.contains("through the tunnel"), "{}", r.stdout);
    assert!(r.stdout.contains("http://alice:***@"), "{}", r.stdout);

    // A proxy whose rules allow CONNECT to port 443 only.
    let strict = tinyproxy(&["ConnectPort 443"]);
    run(&[
        "connect",
        "--proxy",
        &strict.url("http"),
        "-a",
        s(&ca),
        &target,
    ])
    .failed_with(1, "403")
    .failed_with(1, "ConnectPort");

    // No proxy there at all.
    let nobody = free_port();
    run(&[
        "connect",
        "--proxy",
        &format!("http://127.0.0.1:{nobody}"),
        "-a",
        s(&ca),
        &target,
    ])
    .failed_with(1, "cannot reach the proxy");

    // A SOCKS server is not an HTTP proxy (and the other way round).
    let socks = danted("none", 9);
    run(&[
        "connect",
        "--timeout",
        "5",
        "--proxy",
        &socks.url("http"),
        "-a",
        s(&ca),
        &target,
    ])
    .failed_with(1, "proxy");
    run(&[
        "connect",
        "--proxy",
        &proxy.url("socks5"),
        "-a",
        s(&ca),
        &target,
    ])
    .failed_with(1, "SOCKS5");
}

#[test]
fn connect_through_dante_socks5_and_socks5h() {
    let (pki, srv) = server();
    let proxy = danted("none", 9);
    let target = format!("localhost:{}", srv.port);
    for (scheme, resolved_by, destination) in [
        ("socks5", "tlskit", format!("127.0.0.1:{}", srv.port)),
        ("socks5h", "proxy", target.clone()),
    ] {
        let r = run(&[
            "connect",
            "--json",
            "--proxy",
            &proxy.url(scheme),
            "-a",
            s(&pki.ca_cert()),
            "--http",
            "/",
            &target,
        ]);
        r.ok();
        let j = r.json();
        assert_eq!(j["proxy"]["kind"], scheme);
        assert_eq!(j["proxy"]["resolved_by"], resolved_by);
        assert_eq!(j["proxy"]["destination"], destination.as_str());
        assert_eq!(j["http"]["status"], 200);
    }
    assert!(
        proxy.log().contains("connect"),
        "danted logged no connect:\n{}",
        proxy.log()
    );
}

#[test]
fn socks5_reply_codes_are_one_clear_line() {
    let (pki, _srv) = server();
    let blocked = free_port();
    let proxy = danted("none", blocked);
    let ca = pki.ca_cert();
    // Reply 2: the ruleset blocks this destination.
    run(&[
        "connect",
        "--proxy",
        &proxy.url("socks5"),
        "-a",
        s(&ca),
        &format!("127.0.0.1:{blocked}"),
    ])
    .failed_with(1, "not allowed by its rules (reply 2)");
    // Reply 5: nothing listens at the destination.
    let closed = free_port();
    run(&[
        "connect",
        "--proxy",
        &proxy.url("socks5"),
        "-a",
        s(&ca),
        &format!("127.0.0.1:{closed}"),
    ])
    .failed_with(1, "connection refused by the target (reply 5)");

    // A server that wants a user name and password.
    let auth = danted("username", blocked);
    run(&[
        "connect",
        "--proxy",
        &auth.url("socks5"),
        "-a",
        s(&ca),
        &format!("127.0.0.1:{closed}"),
    ])
    .failed_with(1, "wants credentials");
    let r = run(&[
        "connect",
        "--proxy",
        &format!("socks5://nobody:not-the-password@127.0.0.1:{}", auth.port),
        "-a",
        s(&ca),
        &format!("127.0.0.1:{closed}"),
    ]);
    r.failed_with(1, "rejected the user name and password");
    assert!(!r.stderr.contains("not-the-password"), "{}", r.stderr);
}

#[test]
fn environment_proxies_like_curl() {
    let (pki, srv) = server();
    let proxy = tinyproxy(&[]);
    let target = format!("localhost:{}", srv.port);
    let ca = pki.ca_cert();
    let json_with = |env: &[(&str, &str)], extra: &[&str]| {
        let mut cmd = tlskit();
        cmd.args(["connect", "--json", "--http", "/", "-a", s(&ca)])
            .args(extra)
            .arg(&target);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let r = run_cmd(&mut cmd, Duration::from_secs(60));
        r.ok();
        (r.json(), r.stderr)
    };
    // HTTPS_PROXY applies, loopback included (as in curl), and stderr says so.
    let (j, err) = json_with(&[("HTTPS_PROXY", &proxy.url("http"))], &[]);
    assert_eq!(j["proxy"]["source"], "HTTPS_PROXY");
    assert!(err.contains("from HTTPS_PROXY"), "{err}");
    // ALL_PROXY too; https_proxy is looked at before ALL_PROXY.
    let (j, _) = json_with(&[("ALL_PROXY", &proxy.url("http"))], &[]);
    assert_eq!(j["proxy"]["source"], "ALL_PROXY");
    let (j, _) = json_with(
        &[
            ("ALL_PROXY", "socks5://127.0.0.1:1"),
            ("https_proxy", &proxy.url("http")),
        ],
        &[],
    );
    assert_eq!(j["proxy"]["source"], "https_proxy");
    // NO_PROXY, --noproxy and --proxy '' turn it off.
    for (env, extra) in [
        (
            vec![
                ("HTTPS_PROXY", proxy.url("http")),
                ("NO_PROXY", "localhost".into()),
            ],
            vec![],
        ),
        (
            vec![("HTTPS_PROXY", proxy.url("http"))],
            vec!["--noproxy", "*"],
        ),
        (
            vec![("HTTPS_PROXY", proxy.url("http"))],
            vec!["--proxy", ""],
        ),
        (
            vec![
                ("HTTPS_PROXY", proxy.url("http")),
                ("NO_PROXY", "127.0.0.0/8,localhost".into()),
            ],
            vec![],
        ),
    ] {
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (j, err) = json_with(&env, &extra);
        assert!(j.get("proxy").is_none(), "{env:?} {extra:?}: {j}");
        assert!(!err.contains("through the proxy"), "{err}");
    }
    // --proxy wins over the environment.
    let (j, _) = json_with(
        &[("HTTPS_PROXY", "http://127.0.0.1:1")],
        &["--proxy", &proxy.url("http")],
    );
    assert_eq!(j["proxy"]["source"], "--proxy");
    // A bad proxy URL in the environment is a usage error naming the variable.
    let mut cmd = tlskit();
    cmd.args(["connect", "-a", s(&ca), &target])
        .env("HTTPS_PROXY", "gopher://x:1");
    run_cmd(&mut cmd, Duration::from_secs(30)).failed_with(2, "HTTPS_PROXY");
}

#[test]
fn scan_through_both_proxies_reports_the_proxy() {
    let (pki, srv) = server();
    let http = tinyproxy(&[]);
    let socks = danted("none", 9);
    for (url, kind, ip) in [
        (http.url("http"), "http-connect", ""),
        (socks.url("socks5"), "socks5", "127.0.0.1"),
    ] {
        let r = run(&[
            "scan",
            "--json",
            "--no-progress",
            "--proxy",
            &url,
            "-a",
            s(&pki.ca_cert()),
            &format!("https://localhost:{}/", srv.port),
        ]);
        r.ok();
        let j = r.json();
        validate_schema(&j);
        assert_eq!(j["proxy"]["kind"], kind);
        assert_eq!(j["proxy"]["url"], url.as_str());
        assert_eq!(j["target"]["ip"], ip);
        assert_eq!(j["target"]["port"], srv.port);
        let offered: Vec<&str> = j["protocols"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["offered"] == true)
            .map(|p| p["version"].as_str().unwrap())
            .collect();
        assert_eq!(offered, ["TLSv1.2", "TLSv1.3"], "{kind}");
        assert!(
            j["errors"].as_array().unwrap().is_empty(),
            "{kind}: {}",
            j["errors"]
        );
    }
    // The text report says so too.
    let r = run(&[
        "scan",
        "--no-progress",
        "--proxy",
        &http.url("http"),
        "-a",
        s(&pki.ca_cert()),
        &format!("localhost:{}", srv.port),
    ]);
    r.ok();
    assert!(
        r.stdout.contains("through the proxy http://127.0.0.1:"),
        "{}",
        r.stdout
    );
}

#[test]
fn starttls_through_a_connect_proxy() {
    // The server speaks first (its banner may arrive right behind the proxy's 200): the tunnel
    // must not swallow it. mini-smtp is A MINIMAL SMTP SERVER WRITTEN FOR THE TESTS.
    let pki = Pki::new("ecdsa-p256");
    let smtp = crate::daemons::mini_smtp(&pki, crate::daemons::MiniSmtp::Go);
    let port = smtp.endpoint("smtp").port;
    let proxy = tinyproxy(&[]);
    let r = run(&[
        "connect",
        "--json",
        "--proxy",
        &proxy.url("http"),
        "-a",
        smtp.ca(),
        "--read-timeout",
        "1",
        &format!("smtp://localhost:{port}"),
    ]);
    r.ok();
    let j = r.json();
    assert_eq!(j["proxy"]["kind"], "http-connect");
    assert_eq!(j["starttls"]["protocol"], "smtp");
    assert!(
        j["starttls"]["lines"][0][1]
            .as_str()
            .unwrap()
            .starts_with("220 "),
        "{}",
        j["starttls"]
    );
}

#[test]
fn cert_show_and_bench_through_a_proxy() {
    let (pki, srv) = server();
    let socks = danted("none", 9);
    let r = run(&[
        "cert",
        "show",
        "--json",
        "--proxy",
        &socks.url("socks5h"),
        "-a",
        s(&pki.ca_cert()),
        &format!("https://localhost:{}/", srv.port),
    ]);
    r.ok();
    let j = r.json();
    assert_eq!(j["server"]["proxy"]["kind"], "socks5h");
    assert_eq!(j["verification"]["trusted"], true);
    let r = run(&[
        "cert",
        "show",
        "--proxy",
        &socks.url("socks5h"),
        "-a",
        s(&pki.ca_cert()),
        &format!("localhost:{}", srv.port),
    ]);
    r.ok();
    assert!(
        r.stdout.contains("through the proxy socks5h://"),
        "{}",
        r.stdout
    );

    let http = tinyproxy(&[]);
    let r = run(&[
        "bench",
        "--json",
        "--proxy",
        &http.url("http"),
        "-a",
        s(&pki.ca_cert()),
        "--connections",
        "2",
        "--duration",
        "0.5",
        &format!("localhost:{}", srv.port),
    ]);
    r.ok();
    let j = r.json();
    assert_eq!(j["proxy"]["kind"], "http-connect");
    assert!(j["handshakes"]["full"].as_u64().unwrap() > 0, "{j}");
    assert_eq!(j["errors"]["total"], 0, "{j}");
}

/// microsocks (Debian package `microsocks`, a tiny SOCKS5 server) on a free loopback port,
/// requiring `user`/`password` (RFC 1929).
fn microsocks(user: &str, password: &str) -> ProxyDaemon {
    let bin = require_tool("microsocks", "microsocks");
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut cmd = Command::new(bin);
    cmd.args([
        "-i",
        "127.0.0.1",
        "-p",
        &port.to_string(),
        "-u",
        user,
        "-P",
        password,
    ]);
    ProxyDaemon::start("microsocks", cmd, dir, port)
}

/// SOCKS5 with a user name and password (RFC 1929) that the proxy accepts: the credentials from
/// the URL (percent-escaped characters decoded), for connect and scan; the report names the proxy
/// with the password hidden; a wrong password is one clear line.
#[test]
fn socks5_user_and_password_through_microsocks() {
    let (pki, srv) = server();
    let password = "p@ss:w/rd";
    let proxy = microsocks("alice", password);
    let url = format!("socks5://alice:p%40ss%3Aw%2Frd@127.0.0.1:{}", proxy.port);
    let target = format!("localhost:{}", srv.port);
    let r = run(&[
        "connect",
        "--json",
        "--proxy",
        &url,
        "-a",
        s(&pki.ca_cert()),
        "--http",
        "/",
        &target,
    ]);
    r.ok();
    let j = r.json();
    assert_eq!(j["proxy"]["kind"], "socks5");
    assert_eq!(j["http"]["status"], 200);
    assert!(
        !r.stdout.contains("w/rd") && !r.stdout.contains("w%2Frd"),
        "{}",
        r.stdout
    );
    // The scan goes through it too.
    let r = run_cmd(
        tlskit().args([
            "scan",
            "--json",
            "--proxy",
            &url,
            "-a",
            s(&pki.ca_cert()),
            &target,
        ]),
        Duration::from_secs(180),
    );
    r.ok();
    let v = r.json();
    assert!(
        v["protocols"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["version"] == "TLSv1.3" && p["offered"] == true),
        "{}",
        v["protocols"]
    );
    assert!(
        !r.stdout.contains("w%2Frd"),
        "the password is never printed"
    );
    // A wrong password: refused by the proxy, said in one line, the password not shown.
    let bad = format!("socks5://alice:wrong-password@127.0.0.1:{}", proxy.port);
    let r = run(&["connect", "--proxy", &bad, "-a", s(&pki.ca_cert()), &target]);
    r.failed_with(1, "rejected the user name and password");
    assert!(!r.stderr.contains("wrong-password"), "{}", r.stderr);
}
