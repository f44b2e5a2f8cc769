//! The client side: a TLS handshake over an established TCP connection, timed and reported.

use super::config::ClientSetup;
use super::report::{self, CertificateVerdict, ClientReport, Endpoint, Negotiated, Timing};
use super::verify::{self, ErrorContext};
use crate::error::{Error, Result};
use crate::net::{self, Connected, Target};
use rustls::pki_types::ServerName;
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

/// A TLS session and its report.
pub struct ClientSession {
    pub stream: TlsStream<TcpStream>,
    pub report: ClientReport,
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
    let name = server_name(target, servername)?;
    let name_str = name_text(&name);
    let connector = TlsConnector::from(setup.config.clone());
    let started = Instant::now();
    let peer = tcp.peer;
    let local = tcp.local;
    let proxy = tcp.proxy.clone();
    let result = tokio::time::timeout(timeout, connector.connect(name.clone(), tcp.stream)).await;
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
            return Err(Error::network(format!(
                "TLS handshake with {target} ({peer}) did not finish within {} (the server accepted the TCP connection but did not answer the ClientHello; is it speaking TLS on this port?)",
                net::fmt_duration(timeout)
            )))
        }
        Ok(Err(e)) => return Err(verify::io_error(&e, &ctx(), "TLS handshake")),
        Ok(Ok(s)) => s,
    };
    let handshake_time = started.elapsed();
    let (_, conn) = stream.get_ref();
    let negotiated = Negotiated::from_state(conn);
    let chain_der: Vec<_> = conn
        .peer_certificates()
        .map(|c| c.to_vec())
        .unwrap_or_default();
    let outcome = setup.verifier.outcome();
    let verify_error = outcome.as_ref().and_then(|o| o.error.clone());
    let chain = report::describe_chain(&chain_der);
    let names = chain.first().map(report::san_names).unwrap_or_default();
    let name_match = chain_der
        .first()
        .map(|c| report::name_matches(c, &name))
        .unwrap_or(false);
    let certificate = CertificateVerdict {
        verified: verify_error.is_none() && outcome.is_some(),
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
    };
    Ok(ClientSession { stream, report })
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
