//! The safe TLS server of *Foundations of Python Network Programming*, ch. 6, on tlskit's
//! opinionated API: it accepts one client, sends it a message and closes.
//!
//!     cargo run -p tlskit --example safe_server -- HOST PORT CERT.pem [CLIENT_CA]
//!
//! CERT.pem holds the chain and its key (`tlskit cert issue` writes one). With CLIENT_CA, the
//! client must present a certificate issued by it (mutual TLS).

use std::path::Path;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;

/// What the book's server sends.
pub const MESSAGE: &str = "Beautiful is better than ugly.";

/// Accept one client on `listener`, send it [`MESSAGE`] `times` times, and close with a
/// close_notify.
pub async fn serve_one(
    listener: &TcpListener,
    certificate: &Path,
    client_ca: Option<&Path>,
    times: usize,
) -> tlskit::Result<std::net::SocketAddr> {
    let config = tlskit::easy::server_context(certificate, client_ca)?;
    let (mut tls, peer) = tlskit::easy::accept(listener, config).await?;
    tls.write_all(MESSAGE.repeat(times).as_bytes()).await?;
    tls.shutdown().await?;
    Ok(peer)
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (host, port, cert) = match (
        args.first(),
        args.get(1).and_then(|p| p.parse::<u16>().ok()),
        args.get(2),
    ) {
        (Some(h), Some(p), Some(c)) => (h.clone(), p, c.clone()),
        _ => {
            eprintln!("usage: safe_server HOST PORT CERT.pem [CLIENT_CA]");
            std::process::exit(2);
        }
    };
    let listener = match TcpListener::bind((host.as_str(), port)).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("safe_server: cannot listen on {host}:{port}: {e}");
            std::process::exit(1);
        }
    };
    println!(
        "listening on {}",
        listener
            .local_addr()
            .map(|a| a.to_string())
            .unwrap_or_default()
    );
    match serve_one(
        &listener,
        Path::new(&cert),
        args.get(3).map(Path::new),
        10_000,
    )
    .await
    {
        Ok(peer) => println!("sent the message to {peer} and closed"),
        Err(e) => {
            eprintln!("safe_server: {e}");
            std::process::exit(e.exit_code());
        }
    }
}
