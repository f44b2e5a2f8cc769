//! Hostile HTTP: `connect --http` against `hostile_tls_server` (a minimal misbehaving TLS server
//! written here, answering each request with fixed hostile bytes), and `serve --http` against
//! requests a client should never send (two Content-Length values, a huge chunk size). Every
//! command must end with one `tlskit: error:` line and exit 1 (never a panic, rc 101); a server
//! answers 400 and keeps serving.

use crate::common::*;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// A lab CA and a certificate for localhost/127.0.0.1 (files `localhost.crt` / `.key`).
pub struct Material {
    pub pki: Pki,
    pub cert: std::path::PathBuf,
    pub key: std::path::PathBuf,
}

pub fn material() -> Material {
    let pki = Pki::new("ecdsa-p256");
    let (cert, key) = pki.issue("localhost", &["localhost", "127.0.0.1"], &[]);
    Material { pki, cert, key }
}

/// The hostile servers' rustls configuration: the material's certificate, ALPN `alpn` (a
/// client offering none of them gets a no_application_protocol alert; empty: no ALPN).
pub fn server_config(m: &Material, alpn: &[&[u8]]) -> Arc<rustls::ServerConfig> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&m.cert)
        .unwrap()
        .map(|c| c.unwrap())
        .collect();
    let key = PrivateKeyDer::from_pem_file(&m.key).unwrap();
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
    config.alpn_protocols = alpn.iter().map(|a| a.to_vec()).collect();
    Arc::new(config)
}

/// A TLS stream of one of the hostile servers.
pub type HostileStream = rustls::StreamOwned<rustls::ServerConnection, TcpStream>;

/// The listener of every minimal hostile TLS server of the tests: 127.0.0.1, a thread per
/// connection, reads bounded by `read_timeout` and writes by 5 s; `serve` does the misbehaving
/// on each connection's TLS stream. Returns the port.
pub fn hostile_tls_listener<F>(
    m: &Material,
    alpn: &[&[u8]],
    read_timeout: Duration,
    serve: F,
) -> u16
where
    F: Fn(&mut HostileStream) + Send + Sync + 'static,
{
    let config = server_config(m, alpn);
    let serve = Arc::new(serve);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for s in listener.incoming() {
            let Ok(tcp) = s else { continue };
            let (config, serve) = (config.clone(), serve.clone());
            std::thread::spawn(move || {
                let _ = tcp.set_read_timeout(Some(read_timeout));
                let _ = tcp.set_write_timeout(Some(Duration::from_secs(5)));
                let conn = rustls::ServerConnection::new(config).unwrap();
                serve(&mut rustls::StreamOwned::new(conn, tcp));
            });
        }
    });
    port
}

/// A minimal hostile TLS server on 127.0.0.1: completes the handshake, reads the request head
/// (whatever came in the first read), then writes `answer` and closes. Returns the port.
pub fn hostile_tls_server(m: &Material, answer: Vec<u8>) -> u16 {
    hostile_tls_listener(m, &[], Duration::from_secs(5), move |tls| {
        let mut buf = [0u8; 4096];
        if tls.read(&mut buf).unwrap_or(0) == 0 {
            return;
        }
        let _ = tls.write_all(&answer);
        tls.conn.send_close_notify();
        let _ = tls.flush();
    })
}

/// Send `request` over TLS to 127.0.0.1:`port` (trusting the lab CA) and read the answer to EOF
/// (or until `within`).
pub fn tls_exchange(ca: &Path, port: u16, request: &[u8], within: Duration) -> Vec<u8> {
    let mut roots = rustls::RootCertStore::empty();
    for c in CertificateDer::pem_file_iter(ca).unwrap() {
        roots.add(c.unwrap()).unwrap();
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let name = ServerName::try_from("localhost").unwrap();
    let conn = rustls::ClientConnection::new(Arc::new(config), name).unwrap();
    let tcp = TcpStream::connect(("127.0.0.1", port)).unwrap();
    tcp.set_read_timeout(Some(within)).unwrap();
    let mut tls = rustls::StreamOwned::new(conn, tcp);
    let mut out = Vec::new();
    if tls.write_all(request).is_err() {
        return out;
    }
    let mut buf = [0u8; 16384];
    loop {
        match tls.read(&mut buf) {
            Ok(0) | Err(_) => return out,
            Ok(n) => out.extend_from_slice(&buf[..n]),
        }
    }
}

/// The command failed as documented: exit 1, one `tlskit: error:` line naming `needle`, no panic.
pub fn one_line_error(r: &Run, needle: &str) {
    assert!(
        !r.stderr.contains("panicked"),
        "a panic on hostile bytes:\n{}",
        r.stderr
    );
    r.failed_with(1, needle);
    let errors: Vec<&str> = r
        .stderr
        .lines()
        .filter(|l| l.starts_with("tlskit: error:"))
        .collect();
    assert_eq!(errors.len(), 1, "one error line expected:\n{}", r.stderr);
}

fn connect_http(port: u16, m: &Material) -> Run {
    run_cmd(
        tlskit().args([
            "connect",
            "--ca",
            m.pki.ca_cert().to_str().unwrap(),
            "--http",
            "/",
            "127.0.0.1",
            &port.to_string(),
        ]),
        Duration::from_secs(30),
    )
}

#[test]
fn connect_http_refuses_a_chunk_size_that_overflows() {
    let m = material();
    // 16 hex digits (u64::MAX): the size that made `size + 2` wrap (issue 13, item 1). It fits
    // in 64 bits, so the answer is a chunk far longer than what came: a truncated body.
    let port = hostile_tls_server(
        &m,
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\nabc\r\n0\r\n\r\n"
            .to_vec(),
    );
    one_line_error(&connect_http(port, &m), "truncated chunked body");
    // 17 digits do not fit: refused as a size.
    let port = hostile_tls_server(
        &m,
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1ffffffffffffffff\r\nabc\r\n"
            .to_vec(),
    );
    one_line_error(&connect_http(port, &m), "bad chunk size");
}

#[test]
fn connect_http_refuses_two_content_lengths_and_garbage_heads() {
    let m = material();
    let port = hostile_tls_server(
        &m,
        b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 40\r\n\r\nabc".to_vec(),
    );
    one_line_error(&connect_http(port, &m), "two different Content-Length");
    let port = hostile_tls_server(
        &m,
        b"HTTP/1.1 200 OK\r\nX-A\x1b[31m: \x01\r\nbad header line\r\n\r\n".to_vec(),
    );
    let r = connect_http(port, &m);
    one_line_error(&r, "not valid HTTP");
    assert!(!r.stderr.contains('\x1b'), "ESC reached the terminal");
    // A good chunked answer still decodes.
    let port = hostile_tls_server(
        &m,
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: 1\r\n\r\n"
            .to_vec(),
    );
    let r = connect_http(port, &m);
    r.ok();
    assert!(r.stdout.contains("hello world"), "{}", r.stdout);
}

fn serve_http(m: &Material) -> Served {
    serve(&[
        "--cert",
        m.cert.to_str().unwrap(),
        "--key",
        m.key.to_str().unwrap(),
        "--http",
        "--idle-timeout",
        "5",
    ])
}

#[test]
fn serve_http_rejects_ambiguous_framing_and_keeps_serving() {
    let m = material();
    let srv = serve_http(&m);
    let ca = m.pki.ca_cert();
    let within = Duration::from_secs(10);
    let two = tls_exchange(
        &ca,
        srv.port,
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
        within,
    );
    let two = String::from_utf8_lossy(&two);
    assert!(two.starts_with("HTTP/1.1 400 "), "{two}");
    assert!(two.contains("two different Content-Length"), "{two}");
    let both = tls_exchange(
        &ca,
        srv.port,
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        within,
    );
    assert!(String::from_utf8_lossy(&both).starts_with("HTTP/1.1 400 "));
    let huge = tls_exchange(
        &ca,
        srv.port,
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n",
        within,
    );
    assert!(String::from_utf8_lossy(&huge).starts_with("HTTP/1.1 400 "));
    // A chunked upload is read with the same decoder and shown on the page.
    let ok = tls_exchange(
        &ca,
        srv.port,
        b"POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nuser\r\n6\r\n=alice\r\n0\r\n\r\n",
        within,
    );
    let ok = String::from_utf8_lossy(&ok);
    assert!(ok.starts_with("HTTP/1.1 200 "), "{ok}");
    assert!(ok.contains("alice"), "{ok}");
    assert!(!srv.peer.output().contains("panicked"));
}
