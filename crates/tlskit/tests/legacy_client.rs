//! The scanner's TLS ≤ 1.2 client (`tlskit::scan::engine::legacy`) against real servers: `openssl
//! s_server -www` (Debian OpenSSL 3.0; TLS 1.0/1.1 only at `@SECLEVEL=0`; RC4 and SEED from its
//! legacy provider) and `gnutls-serv` (RFC 7919 FFDHE for TLS 1.2, Camellia-GCM, heartbeat).
//! Each test completes the handshake (the server's Finished verified) and, where the server is
//! `-www`, sends `GET /` and reads the status page, so the server is never left waiting.
//!
//! SSLv3 is not tested here: Debian's openssl and gnutls-serv do not offer it.
//!
//! Needs `openssl` (Debian package `openssl`) and `gnutls-serv` (package `gnutls-bin`); without
//! them the tests fail saying so.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;
use tlskit::scan::engine::legacy::{
    probe_session_features, Config, ConnError, Connection, Error, Negotiated, Probe,
    RenegotiationIndication, SessionFeatures, Verdict,
};
use tlskit_wire::registry;
use tlskit_wire::version::Version;
use tokio::time::Instant;

fn require(tool: &str, package: &str) {
    let ok = Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ok,
        "`{tool}` is not installed: install the Debian package `{package}` (apt-get install {package})"
    );
}

struct Pki {
    _dir: tempfile::TempDir,
    rsa: (PathBuf, PathBuf),
    ec: (PathBuf, PathBuf),
}

/// An RSA and an ECDSA P-256 self-signed certificate, made once per test process.
fn pki() -> &'static Pki {
    static PKI: OnceLock<Pki> = OnceLock::new();
    PKI.get_or_init(|| {
        require("openssl", "openssl");
        let dir = tempfile::tempdir().unwrap();
        let make = |name: &str, key: &[&str]| {
            let crt = dir.path().join(format!("{name}.crt"));
            let k = dir.path().join(format!("{name}.key"));
            let out = Command::new("openssl")
                .args([
                    "req",
                    "-x509",
                    "-nodes",
                    "-days",
                    "2",
                    "-subj",
                    "/CN=localhost",
                ])
                .args(key)
                .arg("-keyout")
                .arg(&k)
                .arg("-out")
                .arg(&crt)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            (crt, k)
        };
        let rsa = make("rsa", &["-newkey", "rsa:2048"]);
        let ec = make(
            "ec",
            &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
        );
        Pki { _dir: dir, rsa, ec }
    })
}

struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn wait_listening(name: &str, child: &mut Child, addr: SocketAddr) {
    for _ in 0..200 {
        if TcpStream::connect_timeout(&addr, Duration::from_millis(100)).is_ok() {
            return;
        }
        if let Ok(Some(status)) = child.try_wait() {
            let mut err = String::new();
            if let Some(mut e) = child.stderr.take() {
                use std::io::Read;
                let _ = e.read_to_string(&mut err);
            }
            panic!("{name} exited ({status}) before listening: {err}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("{name} did not listen on {addr}");
}

/// `openssl s_server -www` with `extra` arguments, on the RSA (or EC) certificate.
fn s_server(ec: bool, extra: &[&str]) -> Server {
    require("openssl", "openssl");
    let (crt, key) = if ec { &pki().ec } else { &pki().rsa };
    let port = free_port();
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let mut child = Command::new("openssl")
        .args(["s_server", "-www", "-quiet", "-accept"])
        .arg(addr.to_string())
        .arg("-cert")
        .arg(crt)
        .arg("-key")
        .arg(key)
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_listening("openssl s_server", &mut child, addr);
    Server { child, addr }
}

/// `gnutls-serv --http` with a priority string (and `extra` arguments).
fn gnutls_serv(priority: &str, extra: &[&str]) -> Server {
    require("gnutls-serv", "gnutls-bin");
    let (crt, key) = &pki().rsa;
    let port = free_port();
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let mut child = Command::new("gnutls-serv")
        .args([
            "--http",
            "--disable-client-cert",
            "--port",
            &port.to_string(),
        ])
        .arg(format!("--priority={priority}"))
        .arg("--x509certfile")
        .arg(crt)
        .arg("--x509keyfile")
        .arg(key)
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_listening("gnutls-serv", &mut child, addr);
    Server { child, addr }
}

fn suite(name: &str) -> u16 {
    registry::cipher_suite_by_name(name)
        .unwrap_or_else(|| panic!("unknown suite {name}"))
        .id
}

fn deadline() -> Instant {
    Instant::now() + Duration::from_secs(10)
}

async fn connect(addr: SocketAddr, config: Config) -> Connection<tokio::net::TcpStream> {
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    Connection::new(tcp, config, deadline())
}

/// A full handshake offering `config`, then `GET /`; the negotiated parameters.
async fn handshake_and_get(addr: SocketAddr, config: Config) -> Result<Negotiated, String> {
    let mut c = connect(addr, config).await;
    let n = c.handshake().await.map_err(|e| e.to_string())?;
    let page = c
        .request(b"GET / HTTP/1.0\r\n\r\n", 1 << 20)
        .await
        .map_err(|e| e.to_string())?;
    let page = String::from_utf8_lossy(&page);
    if !page.starts_with("HTTP/1.") {
        return Err(format!("not an HTTP answer: {page:.80}"));
    }
    Ok(n)
}

fn cfg(version: Version, name: &str) -> Config {
    Config::new(version, vec![suite(name)])
}

#[tokio::test]
async fn tls12_every_cipher_family_against_openssl() {
    let server = s_server(
        false,
        &["-cipher", "ALL:COMPLEMENTOFALL:@SECLEVEL=0", "-no_tls1_3"],
    );
    let names = [
        "ECDHE-RSA-AES128-GCM-SHA256",
        "ECDHE-RSA-AES256-GCM-SHA384",
        "ECDHE-RSA-CHACHA20-POLY1305",
        "ECDHE-RSA-AES256-SHA384",
        "ECDHE-RSA-AES128-SHA",
        "DHE-RSA-AES256-GCM-SHA384",
        "DHE-RSA-AES128-SHA256",
        "DHE-RSA-CHACHA20-POLY1305",
        "AES128-SHA",
        "AES256-SHA256",
        "AES128-GCM-SHA256",
        "AES128-CCM",
        "AES256-CCM8",
        "DHE-RSA-AES128-CCM",
        "CAMELLIA128-SHA",
        "DHE-RSA-CAMELLIA256-SHA256",
        "ECDHE-RSA-CAMELLIA128-SHA256",
        "ARIA128-GCM-SHA256",
        "DHE-RSA-ARIA256-GCM-SHA384",
        "ECDHE-ARIA128-GCM-SHA256",
        "NULL-SHA256",
        "NULL-SHA",
        "ECDHE-RSA-NULL-SHA",
        "ADH-AES128-SHA",
        "AECDH-AES256-SHA",
        "ADH-AES256-GCM-SHA384",
    ];
    let mut failures = Vec::new();
    for name in names {
        for etm in [true, false] {
            let mut c = cfg(Version::Tls12, name);
            c.encrypt_then_mac = etm;
            match handshake_and_get(server.addr, c).await {
                Ok(n) => {
                    assert_eq!(n.suite, suite(name));
                    assert_eq!(n.version, Version::Tls12);
                    assert!(n.extended_master_secret && n.secure_renegotiation);
                    let cbc = tlskit::scan::engine::legacy::SuiteParams::of(n.suite)
                        .unwrap()
                        .is_cbc();
                    assert_eq!(n.encrypt_then_mac, etm && cbc, "{name}");
                }
                Err(e) => failures.push(format!("{name} (etm {etm}): {e}")),
            }
        }
    }
    assert!(failures.is_empty(), "failed: {failures:#?}");
}

#[tokio::test]
async fn ecdsa_suites_and_every_curve_against_openssl() {
    let server = s_server(
        true,
        &[
            "-cipher",
            "ALL:@SECLEVEL=0",
            "-no_tls1_3",
            "-groups",
            "X25519:P-256:P-384:P-521",
        ],
    );
    for name in [
        "ECDHE-ECDSA-AES128-GCM-SHA256",
        "ECDHE-ECDSA-AES256-SHA384",
        "ECDHE-ECDSA-CHACHA20-POLY1305",
        "ECDHE-ECDSA-AES128-CCM8",
        "ECDHE-ECDSA-CAMELLIA256-SHA384",
        "ECDHE-ECDSA-ARIA256-GCM-SHA384",
    ] {
        let n = handshake_and_get(server.addr, cfg(Version::Tls12, name))
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(n.suite, suite(name));
    }
    for group in [0x001d, 0x0017, 0x0018, 0x0019] {
        let mut c = cfg(Version::Tls12, "ECDHE-ECDSA-AES128-GCM-SHA256");
        // The certificate's curve must be offered too for an ECDSA suite (OpenSSL's rule).
        c.groups = vec![group, 0x0017];
        let n = handshake_and_get(server.addr, c)
            .await
            .unwrap_or_else(|e| panic!("group {group:#06x}: {e}"));
        assert_eq!(n.group, Some(group));
    }
}

#[tokio::test]
async fn seed_from_openssls_legacy_provider() {
    // Debian's OpenSSL 3.0 serves SEED with its legacy provider loaded (RC4 and 3DES not at all:
    // see the weak-server test below).
    let server = s_server(
        false,
        &[
            "-provider",
            "legacy",
            "-provider",
            "default",
            "-cipher",
            "SEED:@SECLEVEL=0",
            "-no_tls1_3",
        ],
    );
    for name in ["SEED-SHA", "DHE-RSA-SEED-SHA"] {
        for v in [Version::Tls12, Version::Tls10] {
            let n = handshake_and_get(server.addr, cfg(v, name))
                .await
                .unwrap_or_else(|e| panic!("{name} {v:?}: {e}"));
            assert_eq!(n.suite, suite(name));
        }
    }
}

/// `tlskit-weak-server` (crates/testsupport: a vendored OpenSSL with SSLv3, RC4 and 3DES, for
/// tests only). `TLSKIT_WEAK_SERVER=/path` names a built one; otherwise it is built into this
/// test's target directory (a no-op under `cargo test --workspace`, which builds it anyway).
fn weak_server_bin() -> PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        if let Some(p) = std::env::var_os("TLSKIT_WEAK_SERVER") {
            return PathBuf::from(p);
        }
        let exe = std::env::current_exe().unwrap();
        let profile_dir = exe.parent().and_then(|d| d.parent()).unwrap().to_path_buf();
        let target_dir = profile_dir.parent().unwrap().to_path_buf();
        let profile = match profile_dir.file_name().and_then(|n| n.to_str()) {
            Some("debug") | None => "dev".to_string(),
            Some(other) => other.to_string(),
        };
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let out = Command::new(cargo)
            .args(["build", "--quiet", "--locked", "-p", "tlskit-testsupport"])
            .args(["--bin", "tlskit-weak-server", "--profile", &profile])
            .arg("--manifest-path")
            .arg(workspace.join("Cargo.toml"))
            .arg("--target-dir")
            .arg(&target_dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "building tlskit-weak-server failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        profile_dir.join("tlskit-weak-server")
    })
    .clone()
}

fn weak_server(args: &[&str]) -> Server {
    use std::io::BufRead;
    let (crt, key) = &pki().rsa;
    let mut child = Command::new(weak_server_bin())
        .args(["--www", "--accept", "127.0.0.1:0", "--cert"])
        .arg(crt)
        .arg("--key")
        .arg(key)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim()
        .strip_prefix("ACCEPT ")
        .unwrap_or_else(|| panic!("tlskit-weak-server said {line:?}"))
        .parse()
        .unwrap();
    Server { child, addr }
}

#[tokio::test]
async fn sslv3_rc4_and_3des_against_the_weak_test_server() {
    let server = weak_server(&["--min-version", "ssl3", "--max-version", "tls1.2"]);
    for (v, names) in [
        (
            Version::Ssl3,
            &[
                "RC4-SHA",
                "RC4-MD5",
                "DES-CBC3-SHA",
                "AES128-SHA",
                "DHE-RSA-AES256-SHA",
                "ADH-AES128-SHA",
            ][..],
        ),
        (
            Version::Tls10,
            &["RC4-SHA", "DES-CBC3-SHA", "ECDHE-RSA-DES-CBC3-SHA"][..],
        ),
        (
            Version::Tls12,
            &[
                "RC4-MD5",
                "ECDHE-RSA-RC4-SHA",
                "DES-CBC3-SHA",
                "DHE-RSA-DES-CBC3-SHA",
            ][..],
        ),
    ] {
        for name in names {
            let n = handshake_and_get(server.addr, cfg(v, name))
                .await
                .unwrap_or_else(|e| panic!("{name} {v:?}: {e}"));
            assert_eq!((n.version, n.suite), (v, suite(name)));
            if v == Version::Ssl3 {
                // The SCSV (SSLv3 has no extensions) is answered... by nothing: SSLv3 servers
                // send no extensions either.
                assert!(!n.extended_master_secret && !n.encrypt_then_mac);
            }
        }
    }
    // SSLv3 resumption by session ID.
    let c = cfg(Version::Ssl3, "AES128-SHA");
    let first = handshake_and_get(server.addr, c.clone()).await.unwrap();
    assert!(resume(server.addr, c, &first).await);
}

#[tokio::test]
async fn tls10_and_tls11_only_servers() {
    for (flag, version) in [("-tls1", Version::Tls10), ("-tls1_1", Version::Tls11)] {
        let server = s_server(false, &[flag, "-cipher", "ALL:@SECLEVEL=0"]);
        for name in [
            "AES128-SHA",
            "AES256-SHA",
            "ECDHE-RSA-AES256-SHA",
            "DHE-RSA-AES128-SHA",
            "DHE-RSA-CAMELLIA128-SHA",
        ] {
            for etm in [true, false] {
                // Offer TLS 1.2: the server picks its version, as with any client.
                let mut c = cfg(Version::Tls12, name);
                c.encrypt_then_mac = etm;
                let n = handshake_and_get(server.addr, c)
                    .await
                    .unwrap_or_else(|e| panic!("{flag} {name} etm {etm}: {e}"));
                assert_eq!(n.version, version);
                assert_eq!(n.encrypt_then_mac, etm);
            }
        }
        // A client offering only this version.
        let n = handshake_and_get(server.addr, cfg(version, "AES128-SHA"))
            .await
            .unwrap();
        assert_eq!(n.version, version);
    }
}

/// Resume `first`'s session on a new connection; whether the server resumed it.
async fn resume(addr: SocketAddr, mut config: Config, first: &Negotiated) -> bool {
    config.resume = Some(first.session.clone());
    let mut c = connect(addr, config).await;
    let n = c.handshake().await.unwrap();
    let _ = c.request(b"GET / HTTP/1.0\r\n\r\n", 1 << 20).await.unwrap();
    n.resumed
}

#[tokio::test]
async fn resumption_by_session_id_and_by_ticket_against_openssl() {
    // Session IDs only (-no_ticket), TLS 1.1 and a DHE suite: the servers the old client could
    // not test.
    let server = s_server(
        false,
        &["-tls1_1", "-no_ticket", "-cipher", "ALL:@SECLEVEL=0"],
    );
    let mut c = cfg(Version::Tls11, "DHE-RSA-AES128-SHA");
    c.session_ticket = false;
    let first = handshake_and_get(server.addr, c.clone()).await.unwrap();
    assert!(!first.session.session_id.is_empty());
    assert!(first.session.ticket.is_empty());
    assert!(resume(server.addr, c.clone(), &first).await);
    drop(server);

    // Tickets (RFC 5077), TLS 1.2.
    let server = s_server(false, &["-no_tls1_3", "-cipher", "ALL:@SECLEVEL=0"]);
    let c = cfg(Version::Tls12, "ECDHE-RSA-AES128-GCM-SHA256");
    let first = handshake_and_get(server.addr, c.clone()).await.unwrap();
    assert!(first.ticket_promised);
    assert!(!first.session.ticket.is_empty());
    let mut by_ticket = first.clone();
    by_ticket.session.session_id.clear();
    assert!(resume(server.addr, c.clone(), &by_ticket).await);
    // A mangled ticket: a full handshake instead.
    let mut bad = first.clone();
    bad.session.session_id.clear();
    bad.session.ticket[10] ^= 0xff;
    assert!(!resume(server.addr, c, &bad).await);
}

#[tokio::test]
async fn secure_client_renegotiation_completes_and_the_page_follows() {
    // OpenSSL 3.0 refuses client-initiated renegotiation unless -client_renegotiation.
    let server = s_server(
        false,
        &[
            "-tls1",
            "-client_renegotiation",
            "-cipher",
            "ALL:@SECLEVEL=0",
        ],
    );
    let mut c = connect(server.addr, cfg(Version::Tls10, "DHE-RSA-AES256-SHA")).await;
    let first = c.handshake().await.unwrap();
    assert!(first.secure_renegotiation);
    let again = c.renegotiate().await.unwrap();
    assert!(again.renegotiation && !again.resumed);
    let page = c.request(b"GET / HTTP/1.0\r\n\r\n", 1 << 20).await.unwrap();
    assert!(page.starts_with(b"HTTP/1.0 200"));

    // Refused by default.
    let server = s_server(false, &["-no_tls1_3", "-cipher", "ALL:@SECLEVEL=0"]);
    let mut c = connect(server.addr, cfg(Version::Tls12, "AES128-GCM-SHA256")).await;
    c.handshake().await.unwrap();
    let r = c.renegotiate().await;
    assert!(
        matches!(
            r,
            Err(ConnError::Warning(_)) | Err(ConnError::Tls(Error::Alert(_)))
        ),
        "{r:?}"
    );
}

#[tokio::test]
async fn legacy_renegotiation_only_where_the_server_allows_it() {
    let legacy = |mut c: Config| {
        c.renegotiation = RenegotiationIndication::None;
        c
    };
    // -legacy_renegotiation: an initial handshake without RFC 5746 and its renegotiation.
    let server = s_server(
        false,
        &[
            "-no_tls1_3",
            "-legacy_renegotiation",
            "-client_renegotiation",
            "-cipher",
            "ALL:@SECLEVEL=0",
        ],
    );
    let mut c = connect(
        server.addr,
        legacy(cfg(Version::Tls12, "ECDHE-RSA-AES128-SHA256")),
    )
    .await;
    let first = c.handshake().await.unwrap();
    // OpenSSL answers renegotiation_info even to a client that did not offer it? No: it must not.
    assert!(!first.secure_renegotiation);
    let again = c.renegotiate().await.unwrap();
    assert!(again.renegotiation);
    let page = c.request(b"GET / HTTP/1.0\r\n\r\n", 1 << 20).await.unwrap();
    assert!(page.starts_with(b"HTTP/1.0 200"));

    // Without it, the insecure renegotiation is refused.
    let server = s_server(
        false,
        &[
            "-no_tls1_3",
            "-client_renegotiation",
            "-cipher",
            "ALL:@SECLEVEL=0",
        ],
    );
    let mut c = connect(
        server.addr,
        legacy(cfg(Version::Tls12, "ECDHE-RSA-AES128-SHA256")),
    )
    .await;
    c.handshake().await.unwrap();
    assert!(c.renegotiate().await.is_err());
}

#[tokio::test]
async fn gnutls_ffdhe_camellia_gcm_and_heartbeat() {
    // RFC 7919 groups for TLS 1.2 DHE: the server picks the FFDHE group the client names.
    let server = gnutls_serv(
        "NORMAL:-VERS-ALL:+VERS-TLS1.2:-KX-ALL:+DHE-RSA:+GROUP-FFDHE3072",
        &[],
    );
    let mut c = cfg(Version::Tls12, "DHE-RSA-AES128-GCM-SHA256");
    c.groups = vec![0x0101];
    let n = handshake_and_get(server.addr, c).await.unwrap();
    assert_eq!(n.dh_bits, Some(3072));
    drop(server);

    let server = gnutls_serv(
        "NORMAL:-VERS-ALL:+VERS-TLS1.2:+CAMELLIA-128-GCM:+CAMELLIA-256-GCM:+CAMELLIA-128-CBC",
        &["--heartbeat"],
    );
    for name in [
        "TLS_ECDHE_RSA_WITH_CAMELLIA_128_GCM_SHA256",
        "TLS_ECDHE_RSA_WITH_CAMELLIA_256_GCM_SHA384",
        "TLS_RSA_WITH_CAMELLIA_128_GCM_SHA256",
    ] {
        handshake_and_get(server.addr, cfg(Version::Tls12, name))
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    let mut c = cfg(Version::Tls12, "ECDHE-RSA-AES128-GCM-SHA256");
    c.heartbeat = true;
    let mut conn = connect(server.addr, c).await;
    let n = conn.handshake().await.unwrap();
    assert_eq!(n.heartbeat, Some(1));
    let echo = conn.heartbeat(b"tlskit heartbeat", 16).await.unwrap();
    let echo = echo.expect("a heartbeat response");
    assert!(echo.starts_with(b"tlskit heartbeat"));
}

async fn features(addr: SocketAddr, version: Version, suites: Vec<u16>) -> SessionFeatures {
    let probe = Probe {
        version,
        suites,
        server_name: None,
        request: Some(b"GET / HTTP/1.0\r\n\r\n".to_vec()),
        timeout: Duration::from_secs(10),
        client_cert: None,
    };
    let r = probe_session_features(&probe, || async move {
        tokio::net::TcpStream::connect(addr)
            .await
            .map_err(|e| e.to_string())
    })
    .await
    .unwrap();
    r
}

/// How many of `openssl s_client -reconnect`'s connections were resumptions.
fn s_client_reused(addr: SocketAddr, extra: &[&str]) -> usize {
    let out = Command::new("openssl")
        .args(["s_client", "-reconnect", "-connect"])
        .arg(addr.to_string())
        .args(extra)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.starts_with("Reused,"))
        .count()
}

/// Whether `openssl s_client -legacy_renegotiation` sees the server's secure renegotiation
/// support line.
fn s_client_secure_renegotiation(addr: SocketAddr, extra: &[&str]) -> bool {
    let out = Command::new("openssl")
        .args(["s_client", "-connect"])
        .arg(addr.to_string())
        .args(extra)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).contains("Secure Renegotiation IS supported")
}

#[tokio::test]
async fn session_features_on_a_tls10_only_server_match_s_client() {
    let server = s_server(false, &["-tls1", "-cipher", "ALL:@SECLEVEL=0"]);
    let f = features(
        server.addr,
        Version::Tls12,
        vec![suite("ECDHE-RSA-AES128-SHA"), suite("AES128-SHA")],
    )
    .await;
    assert_eq!(f.version, Version::Tls10);
    assert_eq!(f.secure_renegotiation, Verdict::Yes);
    // OpenSSL 3.0 refuses client-initiated renegotiation by default, and legacy renegotiation.
    assert!(matches!(f.client_renegotiation, Verdict::No(_)), "{f:?}");
    assert!(matches!(f.insecure_renegotiation, Verdict::No(_)), "{f:?}");
    assert_eq!(f.resumption_session_id, Verdict::Yes);
    assert_eq!(f.resumption_ticket, Verdict::Yes);
    assert_eq!(f.extended_master_secret, Verdict::Yes);
    assert_eq!(f.encrypt_then_mac, Verdict::Yes);
    assert_eq!(f.heartbeat, None);
    // The first handshake, one without tickets (OpenSSL sends an empty session ID with a
    // ticket), the two resumptions, the renegotiation (refused: the legacy client is not tried).
    assert_eq!(f.connections, 5);
    // s_client agrees: its reconnections are resumed (by ID with -no_ticket, by ticket without).
    let base = ["-tls1", "-cipher", "ALL:@SECLEVEL=0"];
    assert!(s_client_reused(server.addr, &[&base[..], &["-no_ticket"]].concat()) >= 5);
    assert!(s_client_reused(server.addr, &base) >= 5);
    assert!(s_client_secure_renegotiation(server.addr, &base));
}

#[tokio::test]
async fn session_features_on_a_dhe_only_server_with_legacy_renegotiation() {
    let server = s_server(
        false,
        &[
            "-no_tls1_3",
            "-cipher",
            "kDHE:@SECLEVEL=0",
            "-no_ticket",
            "-client_renegotiation",
            "-legacy_renegotiation",
        ],
    );
    let f = features(
        server.addr,
        Version::Tls12,
        vec![
            suite("DHE-RSA-AES256-GCM-SHA384"),
            suite("DHE-RSA-AES128-SHA"),
        ],
    )
    .await;
    assert_eq!(
        (f.version, f.suite),
        (Version::Tls12, suite("DHE-RSA-AES256-GCM-SHA384"))
    );
    assert_eq!(f.secure_renegotiation, Verdict::Yes);
    assert_eq!(f.client_renegotiation, Verdict::Yes);
    assert_eq!(f.insecure_renegotiation, Verdict::Yes);
    assert_eq!(f.resumption_session_id, Verdict::Yes);
    assert!(matches!(f.resumption_ticket, Verdict::No(_)), "{f:?}");
    // GCM was chosen first: encrypt-then-MAC was asked again with the CBC suite.
    assert_eq!(f.encrypt_then_mac, Verdict::Yes);
    // First handshake, a CBC one, resumption by ID, the renegotiation, the legacy client: no
    // ticket to try.
    assert_eq!(f.connections, 5);
    let base = ["-no_ticket", "-cipher", "kDHE:@SECLEVEL=0"];
    assert!(s_client_reused(server.addr, &base) >= 5);
}
