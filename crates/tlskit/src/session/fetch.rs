//! Fetching the chain a TLS server sends (for `cert show`), through [`net::Connector`] (so proxies, `--resolve`
//! and STARTTLS apply as everywhere else), accepting any certificate so that it can be shown.

use crate::error::{Error, Result};
use crate::net::{self, starttls, Connector};
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};
use serde::Serialize;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Where to connect for [`fetch_chain`].
#[derive(Debug, Clone)]
pub struct FetchOptions {
    /// The target, its route (proxy, `--resolve`), the STARTTLS upgrade if any, and the timeout
    /// (for the TCP connect, each plaintext read, and the TLS handshake).
    pub connector: Connector,
    /// SNI to send; `None` sends the host when it is a name, nothing when it is an IP address.
    pub servername: Option<String>,
}

/// What a server sent.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct FetchedChain {
    /// `host:port` as given (IPv6 in brackets).
    pub target: String,
    /// The address connected to.
    pub peer: String,
    /// The SNI sent, if any.
    pub sni: Option<String>,
    /// Negotiated version (`TLSv1.3`), when the handshake completed.
    pub tls_version: Option<String>,
    /// Negotiated cipher suite, when the handshake completed.
    pub cipher_suite: Option<String>,
    /// The handshake failed after the certificates arrived (e.g. the server wants a client
    /// certificate); the chain is still shown.
    pub handshake_error: Option<String>,
    /// The certificates in the order the server sent them (leaf first).
    #[serde(skip)]
    pub certs: Vec<CertificateDer<'static>>,
    /// The stapled OCSP response, if the server sent one.
    #[serde(skip)]
    pub ocsp_response: Option<Vec<u8>>,
    /// The outbound proxy the connection went through (then `peer` is the proxy's address).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proxy: Option<net::proxy::ProxyUse>,
    /// The plaintext part before the handshake, when STARTTLS was used.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub starttls: Option<starttls::Transcript>,
}

/// What the recording verifier saw: the chain and the stapled OCSP response.
type Seen = Option<(Vec<CertificateDer<'static>>, Vec<u8>)>;

/// Accepts any chain and keeps a copy: for display only, never for trust decisions.
#[derive(Debug)]
struct RecordingVerifier {
    seen: Mutex<Seen>,
    schemes: Vec<rustls::SignatureScheme>,
}

impl RecordingVerifier {
    fn got_certificates(&self) -> bool {
        self.seen.lock().map(|s| s.is_some()).unwrap_or(false)
    }
}

impl rustls::client::danger::ServerCertVerifier for RecordingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        _now: UnixTime,
    ) -> std::result::Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        let mut chain = vec![end_entity.clone().into_owned()];
        chain.extend(intermediates.iter().map(|c| c.clone().into_owned()));
        if let Ok(mut seen) = self.seen.lock() {
            *seen = Some((chain, ocsp_response.to_vec()));
        }
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &rustls::DigitallySignedStruct,
    ) -> std::result::Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        Ok(rustls::client::danger::HandshakeSignatureValid::assertion())
    }

    fn verify_tls13_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &rustls::DigitallySignedStruct,
    ) -> std::result::Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        Ok(rustls::client::danger::HandshakeSignatureValid::assertion())
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.schemes.clone()
    }
}

/// `host:port`, with IPv6 addresses in brackets.
pub fn format_target(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

fn seconds(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 {
        format!("{s:.0}s")
    } else {
        format!("{s}s")
    }
}

fn describe_tls_error(target: &str, e: &rustls::Error, after_certificate: bool) -> Error {
    let alert = super::verify::alert_name;
    match e {
        rustls::Error::InvalidMessage(_) | rustls::Error::InappropriateMessage { .. } => {
            Error::tls(format!(
                "{target} did not answer with TLS (is it a plain-text port, e.g. HTTP or SMTP before STARTTLS?)"
            ))
        }
        rustls::Error::AlertReceived(a) if after_certificate => Error::tls(format!(
            "{target} ended the handshake with alert {} after sending its certificate (it may require a client certificate)",
            alert(*a)
        )),
        rustls::Error::AlertReceived(a) => Error::tls(format!(
            "{target} refused the TLS handshake with alert {} (it may only offer protocol versions or cipher suites tlskit does not speak, or want another SNI)",
            alert(*a)
        )),
        rustls::Error::PeerIncompatible(p) => Error::tls(format!(
            "{target} and tlskit have nothing in common: {} (the server may only speak old TLS versions or ciphers)",
            crate::pki::error_words(p)
        )),
        rustls::Error::InvalidCertificate(c) => Error::tls(format!(
            "TLS handshake with {target} failed: its certificate was refused ({})",
            crate::pki::error_words(c)
        )),
        rustls::Error::PeerMisbehaved(m) => Error::tls(format!(
            "TLS handshake with {target} failed: the server broke the TLS protocol ({})",
            crate::pki::error_words(m)
        )),
        other => Error::tls(format!("TLS handshake with {target} failed: {other}")),
    }
}

fn describe_io_error(
    target: &str,
    e: &std::io::Error,
    got_certificates: bool,
    timeout: Duration,
) -> Error {
    use std::io::ErrorKind as K;
    if let Some(tls) = e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
    {
        return describe_tls_error(target, tls, got_certificates);
    }
    match e.kind() {
        K::WouldBlock | K::TimedOut => no_answer(target, timeout),
        K::UnexpectedEof | K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe => Error::tls(format!(
            "{target} closed the connection during the TLS handshake (it may not speak TLS, or it rejected tlskit's ClientHello)"
        )),
        _ => Error::network(format!("TLS handshake with {target} failed: {e}")),
    }
}

fn no_answer(target: &str, timeout: Duration) -> Error {
    Error::network(format!(
        "no TLS answer from {target} within {} (is it a TLS port? some servers wait for STARTTLS or plain text)",
        seconds(timeout)
    ))
}

/// The name to verify against and the SNI to send: `servername` if given, else the host when it
/// is a DNS name (an IP address gets no SNI).
fn server_name(
    host: &str,
    servername: Option<&str>,
) -> Result<(ServerName<'static>, Option<String>)> {
    if let Some(name) = servername {
        let sn = ServerName::try_from(name.to_string())
            .map_err(|_| Error::usage(format!("--servername {name:?} is not a valid DNS name")))?;
        let sent = matches!(sn, ServerName::DnsName(_)).then(|| name.to_string());
        return Ok((sn, sent));
    }
    match host.parse::<IpAddr>() {
        Ok(ip) => Ok((ServerName::IpAddress(ip.into()), None)),
        Err(_) => {
            let sn = ServerName::try_from(host.to_string()).map_err(|_| {
                Error::usage(format!(
                    "{host:?} is not a valid host name (give --servername to choose the SNI)"
                ))
            })?;
            Ok((sn, Some(host.to_string())))
        }
    }
}

/// `TLSv1.3`, `TLSv1.2`.
fn version_name(v: rustls::ProtocolVersion) -> String {
    match v {
        rustls::ProtocolVersion::TLSv1_3 => "TLSv1.3".to_string(),
        rustls::ProtocolVersion::TLSv1_2 => "TLSv1.2".to_string(),
        other => format!("{other:?}"),
    }
}

/// Connect to a TLS server (through `opts.connector`: proxy, `--resolve`, STARTTLS) and return
/// the certificates it sends, accepting any chain: the caller decides what to make of it, e.g.
/// with [`crate::pki::chain::analyse`].
pub async fn fetch_chain(opts: &FetchOptions) -> Result<FetchedChain> {
    let connector = &opts.connector;
    let host = connector.target.host.as_str();
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    let target = format_target(host, connector.target.port);
    let (server_name, sni) = server_name(host, opts.servername.as_deref())?;

    let provider = crate::provider();
    let verifier = Arc::new(RecordingVerifier {
        seen: Mutex::new(None),
        schemes: provider
            .signature_verification_algorithms
            .supported_schemes(),
    });
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(rustls::ALL_VERSIONS)
        .map_err(|e| Error::other(format!("cannot set up TLS: {e}")))?
        .dangerous()
        .with_custom_certificate_verifier(verifier.clone())
        .with_no_client_auth();

    let (tcp, transcript) = connector.open(None).await?;
    let peer = tcp.peer.to_string();
    let proxy = tcp.proxy.clone();
    let tls = tokio_rustls::TlsConnector::from(Arc::new(config));
    let handshake = tokio::time::timeout(connector.timeout, tls.connect(server_name, tcp.stream));
    let (stream, handshake_error) = match handshake.await {
        Err(_) => (None, Some(no_answer(&target, connector.timeout))),
        Ok(Err(e)) => {
            let got = verifier.got_certificates();
            (
                None,
                Some(describe_io_error(&target, &e, got, connector.timeout)),
            )
        }
        Ok(Ok(s)) => (Some(s), None),
    };
    let (certs, ocsp) = verifier
        .seen
        .lock()
        .ok()
        .and_then(|mut s| s.take())
        .unwrap_or_default();
    if certs.is_empty() {
        return Err(handshake_error.unwrap_or_else(|| {
            Error::tls(format!(
                "{target} completed the handshake without sending a certificate"
            ))
        }));
    }
    let (mut tls_version, mut cipher_suite) = (None, None);
    if let Some(mut s) = stream {
        let conn = s.get_ref().1;
        tls_version = conn.protocol_version().map(version_name);
        cipher_suite = conn
            .negotiated_cipher_suite()
            .map(|s| format!("{:?}", s.suite()));
        // Be polite: tell the server we are done.
        use tokio::io::AsyncWriteExt;
        let _ = tokio::time::timeout(connector.timeout, s.shutdown()).await;
    }
    Ok(FetchedChain {
        target,
        peer,
        sni,
        tls_version,
        cipher_suite,
        handshake_error: handshake_error.map(|e| e.to_string()),
        certs,
        ocsp_response: (!ocsp.is_empty()).then_some(ocsp),
        proxy,
        starttls: transcript,
    })
}
