//! Listening sockets: bind with SO_REUSEADDR and a deep accept queue, errors in words.

use super::Target;
use crate::error::{Error, Result};
use std::net::SocketAddr;
use tokio::net::{TcpListener, TcpSocket};

/// Bind a listening socket. HOST may be `''` (all IPv4 interfaces, like Python), `0.0.0.0`, `::`,
/// an address, or a name that resolves locally.
pub async fn bind(host: &str, port: u16) -> Result<TcpListener> {
    let host = host.trim().trim_start_matches('[').trim_end_matches(']');
    let addrs: Vec<SocketAddr> = if host.is_empty() || host == "*" {
        vec![SocketAddr::from(([0, 0, 0, 0], port))]
    } else {
        super::resolve(&Target::new(host, port)).await?
    };
    let mut last = None;
    for addr in addrs {
        match listen_on(addr) {
            Ok(l) => return Ok(l),
            Err(e) => last = Some((addr, e)),
        }
    }
    let (addr, e) = last.expect("at least one address");
    let why = match e.kind() {
        std::io::ErrorKind::AddrInUse => "address already in use (another server is listening there; stop it or choose another port)".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied (ports below 1024 need root; choose a port above 1023)".to_string(),
        std::io::ErrorKind::AddrNotAvailable => "that address is not on this machine".to_string(),
        _ => e.to_string(),
    };
    Err(Error::network(format!("cannot listen on {addr}: {why}")))
}

/// A listening socket with SO_REUSEADDR and a deep accept queue (bursts of thousands of
/// connections wait in the kernel instead of being refused).
fn listen_on(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    #[cfg(unix)]
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(LISTEN_BACKLOG)
}

/// The accept queue asked of the kernel (it caps it at net.core.somaxconn).
const LISTEN_BACKLOG: u32 = 4096;
