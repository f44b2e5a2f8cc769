//! The client side: a TLS handshake over an established TCP connection, timed and reported.

use super::config::ClientSetup;
use super::report::{self, CertificateVerdict, ClientReport, Endpoint, Negotiated, Timing};
use super::verify::{self, ErrorContext};
use crate::error::{Error, Result};
use crate::net::{self, Connected, Target};
use rustls::pki_types::CertificateDer;
use rustls::pki_types::ServerName;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_rustls::TlsConnector;

/// The name to verify the server against: `--servername`, else the host. Address literals become
/// IP names (then no SNI is sent, as RFC 6066 requires).
pub fn server_name(target: &Target, servername: Option<&str>) -> Result<ServerName<'static>> {
    let name = servername.unwrap_or(&target.host);
    ServerName::try_from(name.to_string()).map_err(|_| {
        Error::usage(format!(
            "'{name}' is neither a valid DNS name nor an IP address (use --servername NAME)"
        ))
    })
}

fn name_text(name: &ServerName<'_>) -> String {
    match name {
        ServerName::DnsName(d) => d.as_ref().to_string(),
        ServerName::IpAddress(ip) => std::net::IpAddr::from(*ip).to_string(),
        _ => "?".to_string(),
    }
}

/// Bytes passing a [`ClientIo`], for `--trace`: the direction (true: client to server) and the
/// bytes as they went out or came in.
pub type Tap = std::sync::Arc<dyn Fn(bool, &[u8]) + Send + Sync>;

/// The transport under a client session: a TCP stream that is plugged in only after the
/// ClientHello has been prepared (see [`prepare`]), optionally tapped for `--trace`.
pub struct ClientIo {
    tcp: Option<TcpStream>,
    tap: Option<Tap>,
    /// Bytes read from the server so far (a handshake that stalls after some is truncated).
    received: u64,
}

impl ClientIo {
    /// The TCP stream, once connected.
    pub fn tcp(&self) -> Option<&TcpStream> {
        self.tcp.as_ref()
    }

    fn stream(&mut self) -> std::io::Result<&mut TcpStream> {
        self.tcp.as_mut().ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::NotConnected, "no TCP connection yet")
        })
    }
}

impl tokio::io::AsyncRead for ClientIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let tap = self.tap.clone();
        let s = match self.stream() {
            Ok(s) => s,
            Err(e) => return Poll::Ready(Err(e)),
        };
        let r = Pin::new(s).poll_read(cx, buf);
        self.received += (buf.filled().len() - before) as u64;
        if let (Poll::Ready(Ok(())), Some(tap)) = (&r, tap) {
            let got = &buf.filled()[before..];
            if !got.is_empty() {
                tap(false, got);
            }
        }
        r
    }
}

impl tokio::io::AsyncWrite for ClientIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let tap = self.tap.clone();
        let s = match self.stream() {
            Ok(s) => s,
            Err(e) => return Poll::Ready(Err(e)),
        };
        let r = Pin::new(s).poll_write(cx, data);
        if let (Poll::Ready(Ok(n)), Some(tap)) = (&r, tap) {
            tap(true, &data[..*n]);
        }
        r
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.stream() {
            Ok(s) => Pin::new(s).poll_flush(cx),
            Err(e) => Poll::Ready(Err(e)),
        }
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.stream() {
            Ok(s) => Pin::new(s).poll_shutdown(cx),
            Err(e) => Poll::Ready(Err(e)),
        }
    }
}

/// A TLS session and its report.
pub struct ClientSession {
    pub stream: TlsStream<ClientIo>,
    pub report: ClientReport,
    /// The certificates the server sent, leaf first (for `--showcerts`).
    pub peer_chain: Vec<CertificateDer<'static>>,
}

/// A handshake made ready before the TCP connection exists: the rustls connection is built, its
/// key shares generated and the ClientHello waiting, so that once TCP is up the ClientHello goes
/// out at once and the time measured is the TLS handshake alone (ClientHello → Finished), not the
/// crypto library's start-up or the building of the configuration.
pub struct Prepared {
    connect: tokio_rustls::Connect<ClientIo>,
    name: ServerName<'static>,
    name_str: String,
    no_sni: bool,
}

/// Warm up the random number generator: aws-lc's first use takes tens of milliseconds.
pub fn warm_up() {
    let mut b = [0u8; 32];
    let _ = aws_lc_rs::rand::fill(&mut b);
}

/// Build the client side of a handshake before connecting (see [`Prepared`]).
pub fn prepare(
    target: &Target,
    setup: &ClientSetup,
    servername: Option<&str>,
    no_sni: bool,
    tap: Option<Tap>,
) -> Result<Prepared> {
    let name = server_name(target, servername)?;
    let name_str = name_text(&name);
    warm_up();
    let connector = TlsConnector::from(setup.config.clone());
    let connect = connector.connect(
        name.clone(),
        ClientIo {
            tcp: None,
            tap,
            received: 0,
        },
    );
    Ok(Prepared {
        connect,
        name,
        name_str,
        no_sni,
    })
}

/// Run the TLS handshake on `tcp` and describe the result. `timeout` bounds the handshake.
pub async fn handshake(
    tcp: Connected,
    target: &Target,
    setup: &ClientSetup,
    servername: Option<&str>,
    no_sni: bool,
    timeout: Duration,
) -> Result<ClientSession> {
    let prepared = prepare(target, setup, servername, no_sni, None)?;
    finish(prepared, tcp, target, setup, servername, timeout).await
}

/// Plug the TCP connection into a prepared handshake, run it — timed from the ClientHello to
/// the end of the handshake — and describe the result.
pub async fn finish(
    prepared: Prepared,
    tcp: Connected,
    target: &Target,
    setup: &ClientSetup,
    servername: Option<&str>,
    timeout: Duration,
) -> Result<ClientSession> {
    let Prepared {
        mut connect,
        name,
        name_str,
        no_sni,
    } = prepared;
    let peer = tcp.peer;
    let local = tcp.local;
    let proxy = tcp.proxy.clone();
    match connect.get_mut() {
        Some(io) => io.tcp = Some(tcp.stream),
        None => return Err(Error::other("the prepared TLS handshake was already used")),
    }
    let started = Instant::now();
    let result = tokio::time::timeout(timeout, &mut connect).await;
    let handshake_time = started.elapsed();
    let ctx = || ErrorContext {
        peer: format!("{target} ({peer})"),
        name: name_str.clone(),
        trust: setup.trust.clone(),
        leaf: setup
            .verifier
            .outcome()
            .and_then(|o| o.chain.first().cloned()),
        server_side: false,
    };
    let stream = match result {
        Err(_) => {
            let got = connect.get_mut().map(|io| io.received).unwrap_or(0);
            let why = if got > 0 {
                format!("the server sent {got} bytes of its answer and then stopped: its handshake messages arrived truncated (a stalled server, or something on the path cut them)")
            } else {
                "the server accepted the TCP connection but did not answer the ClientHello; is it speaking TLS on this port?".to_string()
            };
            return Err(Error::network(format!(
                "TLS handshake with {target} ({peer}) did not finish within {} ({why})",
                net::fmt_duration(timeout)
            )));
        }
        Ok(Err(e)) => return Err(verify::io_error(&e, &ctx(), "TLS handshake")),
        Ok(Ok(s)) => s,
    };
    let (_, conn) = stream.get_ref();
    let negotiated = Negotiated::from_state(conn);
    let chain_der: Vec<_> = conn
        .peer_certificates()
        .map(|c| c.to_vec())
        .unwrap_or_default();
    let outcome = setup.verifier.outcome();
    let verify_error = outcome.as_ref().and_then(|o| o.error.clone());
    let name_only = verify_error.as_ref().is_some_and(verify::is_name_error);
    let chain_verified = outcome.is_some() && (verify_error.is_none() || name_only);
    let name_verification = !setup.verifier.skips_name();
    let chain = report::describe_chain(&chain_der);
    let names = chain.first().map(report::san_names).unwrap_or_default();
    let name_match = chain_der
        .first()
        .map(|c| report::name_matches(c, &name))
        .unwrap_or(false);
    let certificate = CertificateVerdict {
        verified: outcome.is_some()
            && (verify_error.is_none() || (name_only && !name_verification)),
        chain_verified,
        name_verification,
        error: verify_error.map(|e| match &e {
            rustls::Error::InvalidCertificate(ce) => verify::certificate_error(ce, &ctx()),
            other => other.to_string(),
        }),
        insecure: setup.verifier.insecure(),
        trust: setup.trust.clone(),
        name_checked: name_str.clone(),
        name_match,
        names,
        chain,
    };
    let client_certificate = setup.client_cert_subject.clone();
    let sni_sent = !no_sni && matches!(name, ServerName::DnsName(_));
    let report = ClientReport {
        target: Endpoint {
            host: target.host.clone(),
            port: target.port,
            address: peer.to_string(),
            local_address: local.to_string(),
        },
        servername: match name {
            ServerName::DnsName(_) => Some(name_str.clone()),
            _ => servername.map(str::to_string),
        },
        sni_sent,
        timing: Timing {
            tcp_connect_ms: 0.0,
            tls_handshake_ms: net::millis(handshake_time),
        },
        negotiated,
        certificate,
        client_certificate,
        keylog: setup.keylog.as_ref().map(|p| p.display().to_string()),
        notes: setup.notes.clone(),
        proxy,
        trust_anchors: None,
        ech: setup.ech.as_ref().map(|o| report::EchResult {
            accepted: conn.ech_status() == rustls::client::EchStatus::Accepted,
            public_name: o.public_name.clone(),
            config_id: o.config_id,
        }),
    };
    Ok(ClientSession {
        stream,
        report,
        peer_chain: chain_der.into_iter().map(|c| c.into_owned()).collect(),
    })
}

/// TCP connect and TLS handshake in one call, with both timings in the report.
pub async fn connect(
    target: &Target,
    setup: &ClientSetup,
    servername: Option<&str>,
    no_sni: bool,
    timeout: Duration,
) -> Result<ClientSession> {
    let tcp = net::connect(target, timeout).await?;
    let tcp_time = tcp.connect_time;
    let mut s = handshake(tcp, target, setup, servername, no_sni, timeout).await?;
    s.report.timing.tcp_connect_ms = net::millis(tcp_time);
    Ok(s)
}
