//! The `examples/` programs (the library's opinionated front door, `tlskit::easy`) run against
//! real peers: `safe_client` against `openssl s_server`, `safe_server` against `openssl s_client`,
//! both against each other (the book's exercise), `scan_one` against `openssl s_server`.
//! Certificates are made with the `openssl` command; without it (Debian package `openssl`) these
//! tests fail saying so.

#[allow(dead_code)]
#[path = "../examples/safe_client.rs"]
mod safe_client;
#[allow(dead_code)]
#[path = "../examples/safe_server.rs"]
mod safe_server;
#[allow(dead_code)]
#[path = "../examples/scan_one.rs"]
mod scan_one;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run `openssl` ({e}): install the Debian package `openssl`")
        });
    assert!(
        out.status.success(),
        "openssl {} failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A CA, a leaf for localhost/127.0.0.1 issued by it (leaf.pem: chain + key), and a second,
/// unrelated CA's leaf (other.pem) that the first CA does not vouch for.
struct Pki {
    dir: tempfile::TempDir,
}

impl Pki {
    fn new() -> Pki {
        let dir = tempfile::tempdir().expect("temporary directory");
        let d = dir.path();
        std::fs::write(
            d.join("leaf.ext"),
            "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n",
        )
        .unwrap();
        for (ca, leaf) in [("ca", "leaf"), ("otherca", "other")] {
            openssl(
                d,
                &[
                    "req",
                    "-x509",
                    "-newkey",
                    "ec",
                    "-pkeyopt",
                    "ec_paramgen_curve:P-256",
                    "-nodes",
                    "-keyout",
                    &format!("{ca}.key"),
                    "-out",
                    &format!("{ca}.crt"),
                    "-subj",
                    &format!("/CN=Example {ca}"),
                    "-days",
                    "2",
                    "-addext",
                    "basicConstraints=critical,CA:TRUE",
                    "-addext",
                    "keyUsage=critical,keyCertSign,cRLSign",
                ],
            );
            openssl(
                d,
                &[
                    "req",
                    "-newkey",
                    "ec",
                    "-pkeyopt",
                    "ec_paramgen_curve:P-256",
                    "-nodes",
                    "-keyout",
                    &format!("{leaf}.key"),
                    "-out",
                    &format!("{leaf}.csr"),
                    "-subj",
                    "/CN=localhost",
                ],
            );
            openssl(
                d,
                &[
                    "x509",
                    "-req",
                    "-in",
                    &format!("{leaf}.csr"),
                    "-CA",
                    &format!("{ca}.crt"),
                    "-CAkey",
                    &format!("{ca}.key"),
                    "-CAcreateserial",
                    "-days",
                    "1",
                    "-extfile",
                    "leaf.ext",
                    "-out",
                    &format!("{leaf}.crt"),
                ],
            );
            let mut pem = std::fs::read(d.join(format!("{leaf}.crt"))).unwrap();
            pem.extend(std::fs::read(d.join(format!("{leaf}.key"))).unwrap());
            std::fs::write(d.join(format!("{leaf}.pem")), pem).unwrap();
        }
        Pki { dir }
    }
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `openssl s_server -www` on a free loopback port, killed on drop.
struct SServer(Child, u16);

impl SServer {
    fn start(cert: &Path, key: &Path) -> SServer {
        let port = free_port();
        let child = Command::new("openssl")
            .args(["s_server", "-www", "-accept"])
            .arg(format!("127.0.0.1:{port}"))
            .arg("-cert")
            .arg(cert)
            .arg("-key")
            .arg(key)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("run `openssl s_server` (Debian package `openssl`)");
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "openssl s_server did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        SServer(child, port)
    }
}

impl Drop for SServer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn safe_client_against_openssl_s_server() {
    let pki = Pki::new();
    let server = SServer::start(&pki.path("leaf.crt"), &pki.path("leaf.key"));
    let ca = pki.path("ca.crt");
    let (data, version) =
        safe_client::client("localhost", server.1, Some(&ca), b"GET / HTTP/1.0\r\n\r\n")
            .await
            .expect("verified session with s_server");
    let page = String::from_utf8_lossy(&data);
    assert!(page.starts_with("HTTP/1.0 200 ok"), "{page}");
    assert_eq!(version, "TLSv1_3");
    assert!(
        page.contains("TLSv1.3"),
        "s_server reports the same version: {page}"
    );

    // An IP address target is checked against the certificate's IP SAN.
    let wrong =
        safe_client::client("127.0.0.1", server.1, Some(&ca), b"GET / HTTP/1.0\r\n\r\n").await;
    assert!(wrong.is_ok(), "IP SAN accepted: {wrong:?}");
}

#[tokio::test]
async fn safe_client_refuses_a_server_its_ca_did_not_vouch_for() {
    let pki = Pki::new();
    let server = SServer::start(&pki.path("other.crt"), &pki.path("other.key"));
    let err = safe_client::client("localhost", server.1, Some(&pki.path("ca.crt")), b"")
        .await
        .expect_err("an untrusted chain must fail");
    assert_eq!(err.kind(), tlskit::ErrorKind::Certificate, "{err}");
    assert!(
        std::error::Error::source(&err).is_some(),
        "the rustls error is kept as source"
    );
    assert!(!err.to_string().contains('\n'));
}

#[tokio::test]
async fn safe_server_against_openssl_s_client_and_safe_client() {
    let pki = Pki::new();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let leaf = pki.path("leaf.pem");

    // openssl s_client, verifying with the CA, reads the whole message.
    let server = {
        let leaf = leaf.clone();
        async move {
            safe_server::serve_one(&listener, &leaf, None, 1000)
                .await
                .map(|_| listener)
        }
    };
    let ca = pki.path("ca.crt");
    let client = tokio::task::spawn_blocking(move || {
        let mut child = Command::new("openssl")
            .args(["s_client", "-connect"])
            .arg(format!("127.0.0.1:{port}"))
            .args([
                "-servername",
                "localhost",
                "-verify_return_error",
                "-quiet",
                "-CAfile",
            ])
            .arg(&ca)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run `openssl s_client` (Debian package `openssl`)");
        let mut received = String::new();
        for line in BufReader::new(child.stdout.take().unwrap()).lines() {
            received.push_str(&line.unwrap_or_default());
        }
        drop(child.stdin.take().map(|mut s| s.flush()));
        let _ = child.kill();
        let _ = child.wait();
        received
    });
    let (served, received) = tokio::join!(server, client);
    let listener = served.expect("s_client completed its handshake");
    assert_eq!(received.unwrap(), safe_server::MESSAGE.repeat(1000));

    // And the book's exercise: the safe client against the safe server.
    let ca = pki.path("ca.crt");
    let (served, got) = tokio::join!(
        safe_server::serve_one(&listener, &leaf, None, 10_000),
        safe_client::client("localhost", port, Some(&ca), b"")
    );
    served.expect("server side");
    let (data, _) = got.expect("client side");
    assert_eq!(data.len(), safe_server::MESSAGE.len() * 10_000);
}

#[tokio::test]
async fn safe_server_with_a_client_ca_requires_a_client_certificate() {
    let pki = Pki::new();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (leaf, ca) = (pki.path("leaf.pem"), pki.path("ca.crt"));
    let (served, got) = tokio::join!(
        safe_server::serve_one(&listener, &leaf, Some(&ca), 1),
        safe_client::client("localhost", port, Some(&ca), b"")
    );
    let err = served.expect_err("a client without a certificate is refused");
    // The same sentence as `tlskit serve` (session::verify, the one TLS error describer).
    assert!(err.to_string().contains("sent no certificate"), "{err}");
    assert!(got.is_err(), "the client sees the refusal");
}

#[tokio::test]
async fn scan_one_against_openssl_s_server() {
    let pki = Pki::new();
    let server = SServer::start(&pki.path("leaf.crt"), &pki.path("leaf.key"));
    let report = tlskit::easy::scan(&format!("127.0.0.1:{}", server.1))
        .await
        .expect("scan");
    let text = scan_one::summary(&report);
    assert!(text.contains("TLSv1.3: offered"), "{text}");
    assert!(text.contains("TLSv1.2: offered"), "{text}");
    assert!(text.contains("SSLv3: not offered"), "{text}");
    assert!(text.starts_with("grade: "), "{text}");
}
