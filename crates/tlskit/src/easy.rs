//! The opinionated front door: safe defaults chosen for you.
//!
//! Python's `ssl` module has two faces: `ssl.create_default_context()` picks protocol versions,
//! suites and verification for you (the "opinionated API"), while `SSLContext` lets you set
//! everything (the "enterprise API"). This module is tlskit's first face; [`crate::session`]
//! and [`crate::scan`] are the second.
//!
//! What you get without asking: TLS 1.2 and 1.3 only, rustls's default suites and groups (all
//! forward secret, AEAD only), the certificate chain verified against Mozilla's roots and the
//! system's (plus the CA file you name), the host name checked, and a deadline on every connect and
//! handshake. Nothing here can switch verification off.
//!
//! ```no_run
//! # async fn demo() -> tlskit::Result<()> {
//! use tokio::io::{AsyncReadExt, AsyncWriteExt};
//! let mut tls = tlskit::easy::connect("example.com", 443, None).await?;
//! tls.write_all(b"HEAD / HTTP/1.0\r\nHost: example.com\r\n\r\n").await?;
//! let mut answer = Vec::new();
//! tls.read_to_end(&mut answer).await?;
//! # Ok(()) }
//! ```

use crate::error::{Error, Result};
use crate::net::{self, Target};
use crate::session::config::{self, ClientOptions, ServerOptions};
use crate::session::verify::{self, ErrorContext};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};

/// The deadline of every connect and every handshake made here.
pub const DEADLINE: Duration = Duration::from_secs(10);

/// A client TLS stream over TCP.
pub type ClientStream = tokio_rustls::client::TlsStream<TcpStream>;
/// A server TLS stream over TCP.
pub type ServerStream = tokio_rustls::server::TlsStream<TcpStream>;

/// A client configuration with safe defaults (`ssl.create_default_context(Purpose.SERVER_AUTH,
/// cafile=…)`): servers are verified against Mozilla's and the system's roots and, when given,
/// the CA certificates in `cafile` (a PEM file or a directory of them).
pub fn client_context(cafile: Option<&Path>) -> Result<Arc<rustls::ClientConfig>> {
    let opts = ClientOptions {
        ca: cafile.map(Path::to_path_buf).into_iter().collect(),
        ..ClientOptions::default()
    };
    Ok(config::client_config(&opts)?.config)
}

/// A server configuration with safe defaults (`ssl.create_default_context(Purpose.CLIENT_AUTH)`
/// followed by `load_cert_chain(certificate)`): `certificate` is a PEM file with the chain and
/// its private key (as `tlskit cert issue` writes it). With `client_ca`, clients must present a
/// certificate issued by one of those CAs (mutual TLS).
pub fn server_context(
    certificate: &Path,
    client_ca: Option<&Path>,
) -> Result<Arc<rustls::ServerConfig>> {
    let opts = ServerOptions {
        cert: certificate.to_path_buf(),
        client_ca: client_ca.map(Path::to_path_buf).into_iter().collect(),
        require_client_cert: client_ca.is_some(),
        ..ServerOptions::default()
    };
    Ok(config::server_config(&opts)?.config)
}

/// Connect to `host:port` over TCP and run a verified TLS handshake for `host` (the seeds'
/// `context.wrap_socket(sock, server_hostname=host)`), each step bounded by [`DEADLINE`].
pub async fn connect(host: &str, port: u16, cafile: Option<&Path>) -> Result<ClientStream> {
    let config = client_context(cafile)?;
    let target = Target::new(host, port);
    let name = crate::session::client::server_name(&target, None)?;
    let tcp = net::connect(&target, DEADLINE).await?;
    let tcp_peer = tcp.peer;
    let connector = tokio_rustls::TlsConnector::from(config);
    match tokio::time::timeout(DEADLINE, connector.connect(name, tcp.stream)).await {
        Err(_) => Err(Error::network(format!(
            "{target} did not finish the TLS handshake within {} s",
            DEADLINE.as_secs()
        ))),
        Ok(Err(e)) => {
            let ctx = ErrorContext {
                peer: format!("{target} ({})", tcp_peer),
                name: host.to_string(),
                trust: match cafile {
                    Some(f) => format!("{} and the default roots", f.display()),
                    None => "Mozilla's and the system's roots".to_string(),
                },
                leaf: None,
                server_side: false,
            };
            Err(verify::io_error(&e, &ctx, "the TLS handshake").with_source(e))
        }
        Ok(Ok(tls)) => Ok(tls),
    }
}

/// Accept one TCP connection on `listener` and run the server side of the handshake
/// (`context.wrap_socket(conn, server_side=True)`), bounded by [`DEADLINE`]. Returns the stream
/// and the client's address; a client that fails its handshake is an error, and the listener
/// stays usable.
pub async fn accept(
    listener: &TcpListener,
    config: Arc<rustls::ServerConfig>,
) -> Result<(ServerStream, SocketAddr)> {
    let (tcp, peer) = listener.accept().await.map_err(|e| {
        Error::network(format!("accepting a connection failed: {e}")).with_source(e)
    })?;
    let acceptor = tokio_rustls::TlsAcceptor::from(config);
    match tokio::time::timeout(DEADLINE, acceptor.accept(tcp)).await {
        Err(_) => Err(Error::network(format!(
            "client {peer} did not finish the TLS handshake within {} s",
            DEADLINE.as_secs()
        ))),
        Ok(Err(e)) => {
            let ctx = ErrorContext {
                peer: format!("client {peer}"),
                name: String::new(),
                trust: "the client CA".to_string(),
                leaf: None,
                server_side: true,
            };
            Err(verify::io_error(&e, &ctx, "the TLS handshake").with_source(e))
        }
        Ok(Ok(tls)) => Ok((tls, peer)),
    }
}

/// Scan one endpoint (`host`, `host:port` or an `https://` / `smtp://` … URL; port 443 by
/// default) with the defaults of `tlskit scan`.
pub async fn scan(target: &str) -> Result<crate::scan::report::ScanReport> {
    let spec = net::target::TargetSpec::parse(target, 443)?;
    let mut opts = crate::scan::ScanOptions::new(spec.target.clone());
    if let net::target::Start::Starttls(proto, _) = spec.start(None, false)? {
        opts.starttls = Some((proto, None));
    }
    crate::scan::scan(&opts, None).await
}
