//! The real peers the tests start on loopback, one spawner each: `openssl s_server` (with
//! `-www`, echoing, or with exactly the flags given), `gnutls-serv`, nghttpd, nginx and dnsmasq.
//! Each returns a peer killed when dropped; a missing tool fails the test naming its Debian
//! package.

use super::{free_port, require_tool, wait_for_port, Peer};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// A path as a command-line argument (test paths are UTF-8).
pub fn path_arg(path: &Path) -> &str {
    path.to_str().expect("test paths are UTF-8")
}

/// The `openssl` command (Debian package openssl).
pub fn openssl() -> PathBuf {
    require_tool("openssl", "openssl")
}

/// A real peer listening on 127.0.0.1:`port`, killed when dropped.
pub struct Listening {
    pub peer: Peer,
    pub port: u16,
}

impl Listening {
    /// `127.0.0.1:PORT`, the target to scan.
    pub fn target(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

fn s_server_with(cert: &Path, key: &Path, www: bool, extra: &[&str]) -> Listening {
    let mut args = if www { vec!["-www"] } else { Vec::new() };
    args.push("-quiet");
    args.extend_from_slice(extra);
    openssl_s_server_args(cert, key, &args)
}

/// `openssl s_server -accept HOST:PORT -cert CERT -key KEY ARGS…` with nothing else added (no
/// `-www`, no `-quiet`: `args` decide how it answers and what it prints) on `host` (an address
/// in 127.0.0.0/8) and a free port; returns once it accepts connections, with its port.
pub fn openssl_s_server_on(host: &str, cert: &Path, key: &Path, args: &[&str]) -> (Peer, u16) {
    let port = free_port();
    let mut cmd = Command::new(openssl());
    cmd.args([
        "s_server",
        "-accept",
        &format!("{host}:{port}"),
        "-cert",
        path_arg(cert),
        "-key",
        path_arg(key),
    ])
    .args(args);
    let addr = std::net::SocketAddr::new(host.parse().expect("an IP address"), port);
    (Peer::listening_at("openssl s_server", &mut cmd, addr), port)
}

/// [`openssl_s_server_on`] 127.0.0.1.
pub fn openssl_s_server_args(cert: &Path, key: &Path, args: &[&str]) -> Listening {
    let (peer, port) = openssl_s_server_on("127.0.0.1", cert, key, args);
    Listening { peer, port }
}

/// `openssl s_server -www -quiet` on 127.0.0.1 with one certificate and `extra` flags. (Debian's
/// OpenSSL 3.0 needs `@SECLEVEL=0` in the cipher string for TLS 1.0/1.1; with `-www` it sleeps
/// 1 s after an unfinished renegotiation.)
pub fn openssl_s_server(cert: &Path, key: &Path, extra: &[&str]) -> Listening {
    s_server_with(cert, key, true, extra)
}

/// `openssl s_server -quiet` without `-www` (early data needs that): it echoes, and exits at
/// stdin EOF (the [`Peer`] keeps stdin open).
pub fn openssl_s_server_echo(cert: &Path, key: &Path, extra: &[&str]) -> Listening {
    s_server_with(cert, key, false, extra)
}

/// `gnutls-serv --echo` on a free port with one certificate, no client certificate asked, and
/// `extra` flags (a `--priority` string …).
pub fn gnutls_serv(cert: &Path, key: &Path, extra: &[&str]) -> Listening {
    let bin = require_tool("gnutls-serv", "gnutls-bin");
    let port = free_port();
    let mut cmd = Command::new(bin);
    cmd.args([
        "--port",
        &port.to_string(),
        "--x509certfile",
        path_arg(cert),
        "--x509keyfile",
        path_arg(key),
        "--disable-client-cert",
        "--echo",
    ])
    .args(extra);
    Listening {
        peer: Peer::listening("gnutls-serv", &mut cmd, port),
        port,
    }
}

/// `gnutls-serv --http` (it answers HTTP requests) on a free port with one certificate and
/// `extra` flags (`--priority`, `--quiet` …).
pub fn gnutls_serv_http(cert: &Path, key: &Path, extra: &[&str]) -> Listening {
    let bin = require_tool("gnutls-serv", "gnutls-bin");
    let port = free_port();
    let mut cmd = Command::new(bin);
    cmd.args([
        "--port",
        &port.to_string(),
        "--x509certfile",
        path_arg(cert),
        "--x509keyfile",
        path_arg(key),
        "--http",
    ])
    .args(extra);
    Listening {
        peer: Peer::listening("gnutls-serv", &mut cmd, port),
        port,
    }
}

/// `nghttpd` (Debian package nghttp2-server) on 127.0.0.1: an HTTP/2-only server over TLS (it
/// selects ALPN h2, ignores http/1.1 and closes on anything but HTTP/2) serving the files of
/// `htdocs`, with `extra` flags (`-e`: gzip error answers …).
pub fn nghttpd(cert: &Path, key: &Path, htdocs: &Path, extra: &[&str]) -> Listening {
    let bin = require_tool("nghttpd", "nghttp2-server");
    let port = free_port();
    let mut cmd = Command::new(bin);
    cmd.args(["-a", "127.0.0.1", "-d", path_arg(htdocs)])
        .args(extra)
        .args([&port.to_string(), path_arg(key), path_arg(cert)]);
    Listening {
        peer: Peer::listening("nghttpd", &mut cmd, port),
        port,
    }
}

/// TLS 1.2 suites of the nginx fixtures: forward secrecy and AEAD only (what an A+ needs).
const NGINX_CIPHERS: &str = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-CHACHA20-POLY1305";

/// A real nginx in the foreground with its own prefix directory, stopped when dropped.
pub struct Nginx {
    _peer: Peer,
    _dir: tempfile::TempDir,
}

impl Nginx {
    /// Start nginx with `servers` (the `server { … }` blocks of its `http` block), waiting until
    /// every port in `ports` accepts connections.
    pub fn start(servers: &str, ports: &[u16]) -> Nginx {
        let nginx = require_tool("nginx", "nginx");
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().display();
        // master_process off: one process, no workers changing to another user (tests may run as
        // root or not).
        let conf = format!(
            "daemon off;\nmaster_process off;\npid {d}/nginx.pid;\nerror_log {d}/error.log warn;\n\
             events {{ worker_connections 64; }}\n\
             http {{\n  access_log off;\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n  \
             fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n  \
             ssl_protocols TLSv1.2 TLSv1.3;\n  ssl_ciphers {NGINX_CIPHERS};\n{servers}\n}}\n"
        );
        let conf_path = dir.path().join("nginx.conf");
        std::fs::write(&conf_path, conf).unwrap();
        let mut cmd = Command::new(nginx);
        cmd.args(["-p", path_arg(dir.path()), "-c", path_arg(&conf_path)]);
        let peer = Peer::spawn("nginx", &mut cmd);
        for port in ports {
            if !wait_for_port(*port, Duration::from_secs(20)) {
                let log = std::fs::read_to_string(dir.path().join("error.log")).unwrap_or_default();
                panic!(
                    "nginx did not start listening on port {port}; its output:\n{}\n{log}",
                    peer.output()
                );
            }
        }
        Nginx {
            _peer: peer,
            _dir: dir,
        }
    }
}

/// dnsmasq on 127.0.0.1 and a free port, answering for `.test` names from local data only
/// (NXDOMAIN otherwise) with `records` (`--dns-rr=NAME,TYPE,HEX` values), its pid file in `dir`;
/// returns once it has started, with its port.
pub fn dnsmasq(dir: &Path, records: &[String]) -> (Peer, u16) {
    let port = free_port();
    let mut cmd = Command::new(require_tool("dnsmasq", "dnsmasq"));
    cmd.args([
        "--no-daemon",
        "--no-resolv",
        "--no-hosts",
        &format!("--port={port}"),
        "--bind-interfaces",
        "--listen-address=127.0.0.1",
        "--local=/test/",
        &format!("--pid-file={}", dir.join("dnsmasq.pid").display()),
    ]);
    for r in records {
        cmd.arg(format!("--dns-rr={r}"));
    }
    let peer = Peer::spawn("dnsmasq", &mut cmd);
    assert!(
        peer.wait_output("started", Duration::from_secs(20)),
        "dnsmasq did not start:\n{}",
        peer.output()
    );
    (peer, port)
}
