//! Client simulation against the real clients installed here: for `openssl s_client`,
//! `gnutls-cli`, curl, Python's `ssl` and headless Chromium, the version, suite and group that
//! `tlskit scan` simulates for the client's profile must be what the client itself negotiates
//! with the same server. Each real client connects through `tlskit observe` (a passive relay),
//! which reads the ServerHello (and ServerKeyExchange) the server sent it.
//!
//! The servers differ where the profiles differ: `openssl s_server` TLS 1.2-only with server
//! preference over a CBC suite, a static-RSA GCM suite and an ECDHE GCM suite (Python's default
//! context offers no SHA-1 suite, the others do); `gnutls-serv` with its NORMAL priority; nginx
//! with an ECDSA certificate; and `openssl s_server` TLS 1.3-only with secp384r1 alone, which
//! answers every client with a HelloRetryRequest.

use crate::common::*;
use crate::observe::{start_observe, Observer};
use serde_json::Value;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// The name every client asks for (mapped to 127.0.0.1 where the client resolves it).
const NAME: &str = "sim.test";

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[derive(Debug, Clone, Copy)]
enum Real {
    SClient,
    GnutlsCli,
    Curl,
    Python,
    Chromium,
}

const CLIENTS: [Real; 5] = [
    Real::SClient,
    Real::GnutlsCli,
    Real::Curl,
    Real::Python,
    Real::Chromium,
];

impl Real {
    /// The name of its profile in crates/tlskit/src/scan/data/clients.toml.
    fn profile(self) -> &'static str {
        match self {
            Real::SClient => "OpenSSL 3.0 s_client (Debian 12)",
            Real::GnutlsCli => "GnuTLS 3.7.9 gnutls-cli (Debian 12)",
            Real::Curl => "curl 7.88.1 (OpenSSL 3.0, Debian 12)",
            Real::Python => "Python 3.11 ssl (OpenSSL 3.0, Debian 12)",
            Real::Chromium => "Chromium 156 (Debian 12)",
        }
    }

    /// Connect to 127.0.0.1:`port` asking for NAME (certificates are not checked: what is
    /// compared is settled before the client looks at them).
    fn connect(self, port: u16, home: &Path) {
        let t = Duration::from_secs(30);
        let url = format!("https://{NAME}:{port}/");
        match self {
            Real::SClient => {
                run_cmd(
                    Command::new(require_tool("openssl", "openssl"))
                        .args(["s_client", "-connect", &format!("127.0.0.1:{port}")])
                        .args(["-servername", NAME])
                        .stdin(std::process::Stdio::null()),
                    t,
                );
            }
            Real::GnutlsCli => {
                run_cmd(
                    Command::new(require_tool("gnutls-cli", "gnutls-bin"))
                        .args(["--insecure", "-p", &port.to_string()])
                        .args(["--sni-hostname", NAME, "127.0.0.1"])
                        .stdin(std::process::Stdio::null()),
                    t,
                );
            }
            Real::Curl => {
                run_cmd(
                    Command::new(require_tool("curl", "curl"))
                        .args(["-sk", "-o", "/dev/null", "--max-time", "20"])
                        .args(["--resolve", &format!("{NAME}:{port}:127.0.0.1"), &url]),
                    t,
                );
            }
            Real::Python => {
                let script = format!(
                    "import socket, ssl\n\
                     c = ssl.create_default_context()\n\
                     c.check_hostname = False\n\
                     c.verify_mode = ssl.CERT_NONE\n\
                     s = c.wrap_socket(socket.create_connection(('127.0.0.1', {port}), 20), server_hostname='{NAME}')\n\
                     s.close()\n"
                );
                run_cmd(
                    Command::new(require_tool("python3", "python3")).args(["-c", &script]),
                    t,
                );
            }
            Real::Chromium => {
                Browser::new(home.to_path_buf(), None).dump_dom(
                    &url,
                    &[
                        "--ignore-certificate-errors",
                        &format!("--host-resolver-rules=MAP {NAME} 127.0.0.1"),
                    ],
                );
            }
        }
    }
}

/// What a handshake settled: version, suite (IANA name), group (none for RSA key transport).
type Negotiated = (String, String, Option<String>);

/// What the real client negotiates with the server on `port`, as `tlskit observe` saw the
/// server's answer on its first connection.
fn real(client: Real, port: u16, home: &Path) -> Negotiated {
    let obs: Observer = start_observe(port, &["--json"]);
    client.connect(obs.port, home);
    assert!(
        obs.peer
            .wait_output("\"event\":\"connection\"", Duration::from_secs(20)),
        "{client:?} made no connection:\n{}",
        obs.peer.output()
    );
    let out = obs.peer.output();
    let sh = out
        .lines()
        .filter(|l| l.contains("\"event\":\"connection\""))
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .map(|v| v["server_hello"].clone())
        .find(|sh| sh.is_object())
        .unwrap_or_else(|| panic!("{client:?}: the server sent no ServerHello:\n{out}"));
    (
        sh["version"].as_str().unwrap().to_string(),
        sh["cipher_suite"].as_str().unwrap().to_string(),
        sh["group"].as_str().map(str::to_string),
    )
}

/// The scan's simulation of every profile (JSON, schema-checked).
fn simulated(port: u16) -> Value {
    let target = format!("127.0.0.1:{port}");
    let r = run_cmd(
        tlskit().env("NO_COLOR", "1").args([
            "scan",
            "--json",
            "--timeout",
            "5",
            "--servername",
            NAME,
            &target,
        ]),
        Duration::from_secs(120),
    );
    assert_eq!(r.code, 0, "scan failed:\n{}\n{}", r.stdout, r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).expect("scan --json prints JSON");
    validate_schema(&v);
    v
}

fn entry<'a>(v: &'a Value, profile: &str) -> &'a Value {
    v["client_simulation"]
        .as_array()
        .expect("client_simulation is in the report")
        .iter()
        .find(|c| c["client"] == profile)
        .unwrap_or_else(|| panic!("no simulation of {profile}: {}", v["client_simulation"]))
}

/// Every real client negotiates what its simulation says; returns what they negotiated.
fn compare(port: u16) -> Vec<Negotiated> {
    let v = simulated(port);
    let home = tempfile::tempdir().unwrap();
    let mut got = Vec::new();
    for c in CLIENTS {
        let real = real(c, port, home.path());
        let e = entry(&v, c.profile());
        let sim: Negotiated = (
            e["protocol"].as_str().unwrap_or_default().to_string(),
            e["cipher_suite"].as_str().unwrap_or_default().to_string(),
            e["group"].as_str().map(str::to_string),
        );
        assert_eq!(
            sim, real,
            "{c:?}: simulated {e} but the real client negotiated {real:?}"
        );
        got.push(real);
    }
    got
}

/// An openssl s_server with a certificate from a tlskit CA; `extra` picks versions and suites.
fn s_server(pki: &Pki, extra: &[&str]) -> Listening {
    let (crt, key) = pki.issue("srv", &[NAME], &[]);
    openssl_s_server(&crt, &key, extra)
}

#[test]
fn openssl_tls12_server_preference_cbc_and_gcm() {
    let pki = Pki::new("rsa2048");
    let Listening { peer: _srv, port } = s_server(
        &pki,
        &[
            "-no_tls1_3",
            "-serverpref",
            "-cipher",
            "ECDHE-RSA-AES128-SHA:AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384",
        ],
    );
    let got = compare(port);
    // The server's first choice for all but Python, which offers no SHA-1 suite and no RSA
    // key transport.
    assert_eq!(got[0].1, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "{got:?}");
    assert_eq!(got[3].1, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "{got:?}");
}

#[test]
fn gnutls_serv_normal_priority() {
    let pki = Pki::new("rsa2048");
    let (crt, key) = pki.issue("srv", &[NAME], &[]);
    let port = free_port();
    let mut cmd = Command::new(require_tool("gnutls-serv", "gnutls-bin"));
    cmd.args(["--http", "--priority", "NORMAL", "--disable-client-cert"])
        .args(["--x509certfile", p(&crt), "--x509keyfile", p(&key)])
        .args(["-p", &port.to_string()]);
    let _srv = Peer::listening("gnutls-serv", &mut cmd, port);
    let got = compare(port);
    assert!(got.iter().all(|n| n.0 == "TLSv1.3"), "{got:?}");
}

#[test]
fn nginx_with_an_ecdsa_certificate() {
    let pki = Pki::new("ecdsa-p256");
    let (crt, key) = pki.issue("srv", &[NAME], &[]);
    let port = free_port();
    let servers = format!(
        "  server {{ listen 127.0.0.1:{port} ssl; server_name {NAME};\n    \
         ssl_certificate {}; ssl_certificate_key {};\n    return 200 \"ok\\n\"; }}\n",
        p(&crt),
        p(&key)
    );
    let _nginx = Nginx::start(&servers, &[port]);
    compare(port);
}

#[test]
fn openssl_tls13_secp384r1_only_answers_with_a_hello_retry_request() {
    let pki = Pki::new("rsa2048");
    let Listening { peer: _srv, port } = s_server(&pki, &["-tls1_3", "-groups", "secp384r1"]);
    let got = compare(port);
    // No client sends a secp384r1 share first: each followed a HelloRetryRequest.
    assert!(
        got.iter().all(|n| n.2.as_deref() == Some("secp384r1")),
        "{got:?}"
    );
}
