//! The safe TLS client of *Foundations of Python Network Programming*, ch. 6, on tlskit's
//! opinionated API: verified chain, checked host name, modern protocol versions — all by default.
//!
//!     cargo run -p tlskit --example safe_client -- HOST PORT [CAFILE]
//!
//! It sends nothing, reads what the server sends until the server closes, and prints it.

use std::path::Path;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Connect, send `request` (may be empty), read until the server closes; returns the bytes and
/// the negotiated protocol version.
pub async fn client(
    host: &str,
    port: u16,
    cafile: Option<&Path>,
    request: &[u8],
) -> tlskit::Result<(Vec<u8>, String)> {
    let mut tls = tlskit::easy::connect(host, port, cafile).await?;
    let version = tls
        .get_ref()
        .1
        .protocol_version()
        .and_then(|v| v.as_str())
        .unwrap_or("?")
        .to_string();
    tls.write_all(request).await?;
    let mut data = Vec::new();
    tls.read_to_end(&mut data).await?;
    Ok((data, version))
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (host, port) = match (args.first(), args.get(1).and_then(|p| p.parse().ok())) {
        (Some(h), Some(p)) => (h.clone(), p),
        _ => {
            eprintln!("usage: safe_client HOST PORT [CAFILE]");
            std::process::exit(2);
        }
    };
    match client(&host, port, args.get(2).map(Path::new), b"").await {
        Ok((data, version)) => {
            println!("{version}: received {} bytes", data.len());
            println!("{}", tlskit::escape::text(&String::from_utf8_lossy(&data)));
        }
        Err(e) => {
            eprintln!("safe_client: {e}");
            std::process::exit(e.exit_code());
        }
    }
}
