//! Fetching the chain a TLS server sends.

use super::*;

/// Where to connect for [`fetch_chain`].
#[derive(Debug, Clone)]
pub struct FetchOptions {
    pub host: String,
    pub port: u16,
    /// SNI to send; `None` sends the host when it is a name, nothing when it is an IP address.
    pub servername: Option<String>,
    /// Limit for the TCP connect and for the handshake each.
    pub timeout: Duration,
    /// Outbound proxy and `--resolve` overrides.
    pub route: crate::net::Route,
}

/// What a server sent.
#[derive(Debug, Clone, Serialize)]
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
    /// The outbound proxy the connection went through (then `peer` is the proxy's address).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proxy: Option<crate::net::proxy::ProxyUse>,
}

/// Accepts any chain and keeps a copy: for display only, never for trust decisions.
#[derive(Debug)]
pub(super) struct RecordingVerifier {
    pub(super) seen: Mutex<Option<Vec<CertificateDer<'static>>>>,
    pub(super) schemes: Vec<rustls::SignatureScheme>,
}

impl rustls::client::danger::ServerCertVerifier for RecordingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> std::result::Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        let mut chain = vec![end_entity.clone().into_owned()];
        chain.extend(intermediates.iter().map(|c| c.clone().into_owned()));
        if let Ok(mut seen) = self.seen.lock() {
            *seen = Some(chain);
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

pub(super) fn seconds(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 {
        format!("{s:.0}s")
    } else {
        format!("{s}s")
    }
}

/// Connect as `opts.route` says: through net::Connector when a proxy or an address override
/// applies (on a small runtime of its own, the stream handed back in blocking mode), else directly.
pub(super) fn connect_routed(
    host: &str,
    opts: &FetchOptions,
) -> Result<(TcpStream, Option<crate::net::proxy::ProxyUse>)> {
    let target = crate::net::Target::new(host, opts.port);
    let connector =
        crate::net::Connector::new(target.clone(), opts.timeout).with_route(&opts.route);
    let overridden =
        crate::net::target::ResolveOverride::lookup(&connector.overrides, &target).is_some();
    if connector.proxy.is_none() && !overridden {
        return Ok((connect(host, opts.port, opts.timeout)?, None));
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::other(format!("cannot start the async runtime: {e}")))?;
    let c = rt.block_on(connector.connect_tcp(None))?;
    let proxy = c.proxy.clone();
    let sock = c
        .stream
        .into_std()
        .and_then(|s| s.set_nonblocking(false).map(|_| s))
        .map_err(|e| Error::network(format!("socket error: {e}")))?;
    Ok((sock, proxy))
}

pub(super) fn connect(host: &str, port: u16, timeout: Duration) -> Result<TcpStream> {
    let target = format_target(host, port);
    let addrs: Vec<SocketAddr> = (host, port)
        .to_socket_addrs()
        .map_err(|e| {
            Error::network(format!(
                "cannot resolve host name {host}: {} (check the spelling, or use an IP address)",
                e.to_string()
                    .trim_start_matches("failed to lookup address information: ")
            ))
        })?
        .collect();
    if addrs.is_empty() {
        return Err(Error::network(format!("host name {host} has no addresses")));
    }
    let mut last = None;
    for addr in &addrs {
        match TcpStream::connect_timeout(addr, timeout) {
            Ok(s) => return Ok(s),
            Err(e) => last = Some((addr, e)),
        }
    }
    let (addr, e) = last.expect("at least one address was tried");
    let shown = if addrs.len() == 1 && addr.ip().to_string() == host {
        target
    } else {
        format!("{target} ({})", addr)
    };
    use std::io::ErrorKind as K;
    let why = match e.kind() {
        K::ConnectionRefused => "connection refused (is a server listening?)".to_string(),
        K::TimedOut | K::WouldBlock => format!(
            "timed out after {} (is a firewall dropping packets? raise --timeout to wait longer)",
            seconds(timeout)
        ),
        _ if e.raw_os_error() == Some(libc::ENETUNREACH) => "network is unreachable".to_string(),
        _ if e.raw_os_error() == Some(libc::EHOSTUNREACH) => "no route to host".to_string(),
        _ => e.to_string(),
    };
    Err(Error::network(format!("cannot connect to {shown}: {why}")))
}

/// `HandshakeFailure` -> `handshake_failure`, as the RFCs and OpenSSL name alerts.
pub(super) fn alert_name(alert: &rustls::AlertDescription) -> String {
    let debug = format!("{alert:?}");
    let mut out = String::new();
    for (i, c) in debug.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

pub(super) fn describe_tls_error(
    target: &str,
    e: &rustls::Error,
    after_certificate: bool,
) -> Error {
    match e {
        rustls::Error::InvalidMessage(_) | rustls::Error::InappropriateMessage { .. } => {
            Error::tls(format!(
                "{target} did not answer with TLS (is it a plain-text port, e.g. HTTP or SMTP before STARTTLS?)"
            ))
        }
        rustls::Error::AlertReceived(alert) if after_certificate => Error::tls(format!(
            "{target} ended the handshake with alert {} after sending its certificate (it may require a client certificate)",
            alert_name(alert)
        )),
        rustls::Error::AlertReceived(alert) => Error::tls(format!(
            "{target} refused the TLS handshake with alert {} (it may only offer protocol versions or cipher suites tlskit does not speak, or want another SNI)",
            alert_name(alert)
        )),
        rustls::Error::PeerIncompatible(p) => Error::tls(format!(
            "{target} and tlskit have nothing in common: {p:?} (the server may only speak old TLS versions or ciphers)"
        )),
        other => Error::tls(format!("TLS handshake with {target} failed: {other}")),
    }
}

/// Connect to a TLS server and return the certificates it sends, accepting any chain (the caller
/// decides what to make of it, e.g. with [`verify_chain`]).
pub fn fetch_chain(opts: &FetchOptions) -> Result<FetchedChain> {
    let host = opts
        .host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(&opts.host)
        .to_string();
    let target = format_target(&host, opts.port);
    let (server_name, sni) = match &opts.servername {
        Some(name) => {
            let sn = ServerName::try_from(name.clone()).map_err(|_| {
                Error::usage(format!("--servername {name:?} is not a valid DNS name"))
            })?;
            let sent = matches!(sn, ServerName::DnsName(_)).then(|| name.clone());
            (sn, sent)
        }
        None => match host.parse::<IpAddr>() {
            Ok(ip) => (ServerName::IpAddress(ip.into()), None),
            Err(_) => {
                let sn = ServerName::try_from(host.clone()).map_err(|_| {
                    Error::usage(format!(
                        "{host:?} is not a valid host name (give --servername to choose the SNI)"
                    ))
                })?;
                (sn, Some(host.clone()))
            }
        },
    };

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
    let mut conn = rustls::ClientConnection::new(Arc::new(config), server_name.to_owned())
        .map_err(|e| Error::other(format!("cannot set up TLS: {e}")))?;

    let (mut sock, proxy) = connect_routed(&host, opts)?;
    let peer = sock
        .peer_addr()
        .map(|a| a.to_string())
        .unwrap_or_else(|_| target.clone());
    let deadline = Instant::now() + opts.timeout;
    let mut handshake_error = None;
    while conn.is_handshaking() {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            handshake_error = Some(Error::network(format!(
                "no TLS answer from {target} within {} (is it a TLS port? some servers wait for STARTTLS or plain text)",
                seconds(opts.timeout)
            )));
            break;
        }
        let _ = sock.set_read_timeout(Some(left));
        let _ = sock.set_write_timeout(Some(left));
        match conn.complete_io(&mut sock) {
            Ok((0, 0)) => {
                handshake_error = Some(Error::tls(format!(
                    "{target} closed the connection during the TLS handshake (it may not speak TLS, or it rejected tlskit's ClientHello)"
                )));
                break;
            }
            Ok(_) => {}
            Err(e) => {
                use std::io::ErrorKind as K;
                let err = if let Some(tls) = e
                    .get_ref()
                    .and_then(|inner| inner.downcast_ref::<rustls::Error>())
                {
                    let got = verifier.seen.lock().map(|s| s.is_some()).unwrap_or(false);
                    describe_tls_error(&target, tls, got)
                } else {
                    match e.kind() {
                        K::WouldBlock | K::TimedOut => Error::network(format!(
                            "no TLS answer from {target} within {} (is it a TLS port? some servers wait for STARTTLS or plain text)",
                            seconds(opts.timeout)
                        )),
                        K::UnexpectedEof | K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe => {
                            Error::tls(format!(
                                "{target} closed the connection during the TLS handshake (it may not speak TLS, or it rejected tlskit's ClientHello)"
                            ))
                        }
                        _ => Error::network(format!("TLS handshake with {target} failed: {e}")),
                    }
                };
                handshake_error = Some(err);
                break;
            }
        }
    }
    let certs = verifier
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
    let (tls_version, cipher_suite) = if handshake_error.is_none() {
        (
            conn.protocol_version().map(|v| match v {
                rustls::ProtocolVersion::TLSv1_3 => "TLSv1.3".to_string(),
                rustls::ProtocolVersion::TLSv1_2 => "TLSv1.2".to_string(),
                other => format!("{other:?}"),
            }),
            conn.negotiated_cipher_suite()
                .map(|s| format!("{:?}", s.suite())),
        )
    } else {
        (None, None)
    };
    // Be polite: tell the server we are done.
    if handshake_error.is_none() {
        conn.send_close_notify();
        let _ = conn.complete_io(&mut sock);
    }
    Ok(FetchedChain {
        target,
        peer,
        sni,
        tls_version,
        cipher_suite,
        handshake_error: handshake_error.map(|e| e.to_string()),
        certs,
        proxy,
    })
}
