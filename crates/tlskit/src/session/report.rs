//! The handshake report: one model for what was negotiated, rendered as text or serialised as JSON.

use crate::pki::inspect::CertInfo;
use rustls::pki_types::{CertificateDer, ServerName};
use serde::Serialize;
use tlskit_wire::registry;

/// A cipher suite as reports show it: code point, IANA and OpenSSL names, and its parts.
#[derive(Debug, Clone, Serialize)]
pub struct SuiteReport {
    pub id: u16,
    pub name: String,
    pub openssl_name: Option<String>,
    pub kx: String,
    pub auth: String,
    pub enc: String,
    pub mac: String,
    pub bits: u16,
}

impl SuiteReport {
    pub fn from_id(id: u16) -> SuiteReport {
        match registry::cipher_suite(id) {
            Some(s) => SuiteReport {
                id,
                name: s.iana.to_string(),
                openssl_name: s.openssl.map(str::to_string),
                kx: s.kx.name().to_string(),
                auth: s.auth.name().to_string(),
                enc: s.openssl_enc(),
                mac: s.mac.name().to_string(),
                bits: s.bits,
            },
            None => SuiteReport {
                id,
                name: format!("UNKNOWN_0x{id:04X}"),
                openssl_name: None,
                kx: "?".into(),
                auth: "?".into(),
                enc: "?".into(),
                mac: "?".into(),
                bits: 0,
            },
        }
    }
}

/// What both ends agreed on.
#[derive(Debug, Clone, Serialize)]
pub struct Negotiated {
    /// "TLSv1.2" or "TLSv1.3".
    pub protocol: String,
    pub cipher_suite: SuiteReport,
    /// Key-exchange group by IANA name, e.g. "x25519" or "X25519MLKEM768".
    pub key_exchange_group: Option<String>,
    pub forward_secrecy: bool,
    pub alpn: Option<String>,
    /// TLS compression is never used by rustls (CRIME); always "none".
    pub compression: String,
    /// "full", "full_with_hello_retry_request" or "resumed".
    pub handshake: String,
}

impl Negotiated {
    /// Read the negotiated parameters off a connection whose handshake has completed.
    pub fn from_state(state: &rustls::CommonState) -> Negotiated {
        let protocol = match state.protocol_version() {
            Some(rustls::ProtocolVersion::TLSv1_3) => "TLSv1.3".to_string(),
            Some(rustls::ProtocolVersion::TLSv1_2) => "TLSv1.2".to_string(),
            Some(other) => format!("{other:?}"),
            None => "unknown".to_string(),
        };
        let id = state
            .negotiated_cipher_suite()
            .map(|s| u16::from(s.suite()))
            .unwrap_or(0);
        let cipher_suite = SuiteReport::from_id(id);
        let key_exchange_group = state
            .negotiated_key_exchange_group()
            .map(|g| super::suites::group_name(u16::from(g.name())));
        let forward_secrecy = registry::cipher_suite(id)
            .map(|s| s.forward_secret())
            .unwrap_or(false);
        let alpn = state
            .alpn_protocol()
            .map(|p| String::from_utf8_lossy(p).into_owned());
        let handshake = match state.handshake_kind() {
            Some(rustls::HandshakeKind::Resumed) => "resumed",
            Some(rustls::HandshakeKind::FullWithHelloRetryRequest) => {
                "full_with_hello_retry_request"
            }
            _ => "full",
        }
        .to_string();
        Negotiated {
            protocol,
            cipher_suite,
            key_exchange_group,
            forward_secrecy,
            alpn,
            compression: "none".to_string(),
            handshake,
        }
    }
}

/// The verdict on the server's certificate chain.
#[derive(Debug, Clone, Serialize)]
pub struct CertificateVerdict {
    /// True when verification accepted the certificate: the chain verified against the trust
    /// store and the name matched (or, with --no-verify-name, was not required to).
    pub verified: bool,
    /// The chain verdict alone: signatures, validity dates, usage, up to a trusted CA.
    pub chain_verified: bool,
    /// Whether the name was part of verification (false with --no-verify-name).
    pub name_verification: bool,
    /// Why verification failed (only with --insecure can the session exist anyway).
    pub error: Option<String>,
    /// Verification was overridden with --insecure.
    pub insecure: bool,
    /// The trust store used.
    pub trust: String,
    /// The name the certificate was checked against.
    pub name_checked: String,
    /// Whether the certificate is valid for that name (SAN only, RFC 6125).
    pub name_match: bool,
    /// The names on the leaf certificate (DNS:…, IP:…).
    pub names: Vec<String>,
    /// Every certificate the peer sent, leaf first.
    pub chain: Vec<CertInfo>,
}

/// Whether `der` is valid for `name` according to webpki (SAN only, wildcards on the left-most label).
pub fn name_matches(der: &CertificateDer<'_>, name: &ServerName<'_>) -> bool {
    match webpki::EndEntityCert::try_from(der) {
        Ok(ee) => ee.verify_is_valid_for_subject_name(name).is_ok(),
        Err(_) => false,
    }
}

/// `DNS:localhost`, `IP:127.0.0.1` for every SAN of a certificate.
pub fn san_names(info: &CertInfo) -> Vec<String> {
    let mut v: Vec<String> = info.san_dns.iter().map(|d| format!("DNS:{d}")).collect();
    v.extend(info.san_ip.iter().map(|i| format!("IP:{i}")));
    v
}

/// Describe every certificate of a chain (unparsable ones are skipped).
pub fn describe_chain(chain: &[CertificateDer<'_>]) -> Vec<CertInfo> {
    chain
        .iter()
        .filter_map(|c| CertInfo::from_der(c.as_ref()).ok())
        .collect()
}

/// Timings of the two handshakes.
#[derive(Debug, Clone, Serialize)]
pub struct Timing {
    /// SYN → SYN-ACK → ACK, as seen by connect().
    pub tcp_connect_ms: f64,
    /// ClientHello → Finished, as seen by the client.
    pub tls_handshake_ms: f64,
}

/// The connection as the client saw it.
#[derive(Debug, Clone, Serialize)]
pub struct Endpoint {
    pub host: String,
    pub port: u16,
    /// The address actually connected to.
    pub address: String,
    pub local_address: String,
}

/// Everything `tlskit connect` reports about one connection.
#[derive(Debug, Clone, Serialize)]
pub struct ClientReport {
    pub target: Endpoint,
    /// The server name used for SNI and the certificate check (None: an IP address, no SNI).
    pub servername: Option<String>,
    pub sni_sent: bool,
    pub timing: Timing,
    #[serde(flatten)]
    pub negotiated: Negotiated,
    pub certificate: CertificateVerdict,
    /// Subject of the client certificate, when one was configured.
    pub client_certificate: Option<String>,
    /// Where TLS secrets were written (NSS key log format).
    pub keylog: Option<String>,
    pub notes: Vec<String>,
    /// The outbound proxy the connection went through (then `target.address` is the proxy's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proxy: Option<crate::net::proxy::ProxyUse>,
    /// Subjects of the trusted CA certificates (with -v; Python's `context.get_ca_certs()`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trust_anchors: Option<Vec<String>>,
    /// Encrypted Client Hello, when it was offered (`--ech-config`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ech: Option<EchResult>,
}

/// How an Encrypted Client Hello offer went. A rejected offer fails the handshake, so a report
/// with `accepted: false` is one rustls finished without either verdict.
#[derive(Debug, Clone, Serialize)]
pub struct EchResult {
    /// The server decrypted the inner ClientHello: `servername` travelled encrypted.
    pub accepted: bool,
    /// What an observer saw as the SNI: the configuration's public name.
    pub public_name: String,
    /// The configuration used.
    pub config_id: u8,
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

impl ClientReport {
    /// The report as aligned text; `verbose` prints every certificate in full.
    pub fn render_text(&self, verbose: bool) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        self.render_connection(&mut s);
        self.render_session(&mut s);
        self.render_certificate(&mut s, verbose);
        if let Some(k) = &self.keylog {
            let _ = writeln!(
                s,
                "Key log              TLS secrets appended to {k} (NSS format, for Wireshark)"
            );
        }
        if let Some(anchors) = &self.trust_anchors {
            let _ = writeln!(
                s,
                "Trusted CAs          {} ({})",
                anchors.len(),
                self.certificate.trust
            );
            for a in anchors {
                let _ = writeln!(s, "  {a}");
            }
        }
        for note in &self.notes {
            let _ = writeln!(s, "Note: {note}");
        }
        s
    }

    /// Where the connection went and how long the TCP and TLS handshakes took.
    fn render_connection(&self, s: &mut String) {
        use std::fmt::Write;
        match &self.proxy {
            None => {
                let _ = writeln!(
                    s,
                    "Connected to {} port {} ({}) from {}",
                    self.target.host,
                    self.target.port,
                    self.target.address,
                    self.target.local_address
                );
            }
            Some(p) => {
                let _ = writeln!(
                    s,
                    "Connected to {} port {} through the proxy {} from {}",
                    self.target.host,
                    self.target.port,
                    p.describe(),
                    self.target.local_address
                );
            }
        }
        let _ = writeln!(
            s,
            "  TCP handshake      {:>9.3} ms   (SYN, SYN-ACK, ACK: made by connect(){})",
            self.timing.tcp_connect_ms,
            if self.proxy.is_some() {
                "; to the proxy"
            } else {
                ""
            }
        );
        if let Some(p) = &self.proxy {
            let _ = writeln!(
                s,
                "  proxy tunnel       {:>9.3} ms   (the proxy at {} connecting to {})",
                p.tunnel_ms, p.address, p.destination
            );
        }
        let _ = writeln!(s, "  TLS handshake      {:>9.3} ms   (ClientHello … Finished: made after the TCP connection)", self.timing.tls_handshake_ms);
    }

    /// What was negotiated: SNI, protocol, suite, key exchange, ALPN, compression.
    fn render_session(&self, s: &mut String) {
        use std::fmt::Write;
        let n = &self.negotiated;
        let sni = match (&self.servername, self.sni_sent) {
            (Some(name), true) if self.ech.is_some() => {
                format!("{name} (in the encrypted inner ClientHello)")
            }
            (Some(name), true) => name.clone(),
            (Some(name), false) => {
                format!("not sent (--no-sni; certificate checked against {name})")
            }
            (None, _) => "not sent (connecting by IP address)".to_string(),
        };
        let _ = writeln!(s, "SNI                  {sni}");
        if let Some(e) = &self.ech {
            let public = crate::escape::text(&e.public_name);
            let verdict = if e.accepted && self.sni_sent {
                "accepted: the server name above travelled encrypted"
            } else if e.accepted {
                "accepted (with no server name to hide)"
            } else {
                "NOT accepted"
            };
            let _ = writeln!(
                s,
                "ECH                  {verdict}; the ClientHello in clear named {public} (configuration id {})",
                e.config_id
            );
        }
        let _ = writeln!(s, "Protocol             {}", n.protocol);
        let cs = &n.cipher_suite;
        let openssl = cs
            .openssl_name
            .as_deref()
            .map(|o| format!(" (OpenSSL: {o})"))
            .unwrap_or_default();
        let _ = writeln!(
            s,
            "Cipher suite         {}{} 0x{:04X}",
            cs.name, openssl, cs.id
        );
        let _ = writeln!(
            s,
            "  encryption         {}, {}-bit key, MAC {}",
            cs.enc, cs.bits, cs.mac
        );
        let _ = writeln!(
            s,
            "Key exchange         {} — forward secrecy: {}",
            n.key_exchange_group.as_deref().unwrap_or("(unknown)"),
            yes_no(n.forward_secrecy)
        );
        let _ = writeln!(
            s,
            "ALPN                 {}",
            n.alpn.as_deref().unwrap_or("(none negotiated)")
        );
        let _ = writeln!(s, "Compression          {}", n.compression);
        let _ = writeln!(s, "Handshake            {}", n.handshake.replace('_', " "));
    }

    /// The server certificate's verdict, its chain and the client certificate.
    fn render_certificate(&self, s: &mut String, verbose: bool) {
        use std::fmt::Write;
        let c = &self.certificate;
        let verdict = if c.verified && !c.name_verification {
            format!(
                "chain verified against {}; name NOT checked (--no-verify-name)",
                c.trust
            )
        } else if c.verified {
            format!("verified against {}", c.trust)
        } else if c.insecure {
            format!(
                "NOT VERIFIED (--insecure): {}",
                c.error.as_deref().unwrap_or("verification skipped")
            )
        } else {
            format!("not verified: {}", c.error.as_deref().unwrap_or("?"))
        };
        let _ = writeln!(s, "Server certificate   {verdict}");
        let _ = writeln!(
            s,
            "  chain              {}",
            if c.chain_verified {
                "verified (signatures, dates and usage, up to a trusted CA)"
            } else {
                "NOT verified"
            }
        );
        let _ = writeln!(
            s,
            "  name check         '{}' {}{}",
            c.name_checked,
            if c.name_match {
                "matches the certificate"
            } else {
                "does NOT match the certificate"
            },
            if c.name_verification {
                ""
            } else {
                " (not required: --no-verify-name)"
            }
        );
        let _ = writeln!(
            s,
            "  names              {}",
            if c.names.is_empty() {
                "(none)".to_string()
            } else {
                c.names.join(", ")
            }
        );
        if let Some(cc) = &self.client_certificate {
            let _ = writeln!(s, "Client certificate   {cc}");
        }
        let _ = writeln!(
            s,
            "Chain                {} certificate{}",
            c.chain.len(),
            if c.chain.len() == 1 { "" } else { "s" }
        );
        for (i, info) in c.chain.iter().enumerate() {
            if verbose {
                let _ = writeln!(s, "--- certificate {i} ---");
                s.push_str(&crate::pki::inspect::render_text(info, true));
                if !s.ends_with('\n') {
                    s.push('\n');
                }
            } else {
                let _ = writeln!(s, "  {i} {}", chain_line(info));
            }
        }
    }
}

/// One line about a certificate: subject, issuer, key, validity.
pub fn chain_line(info: &CertInfo) -> String {
    let validity = if info.expired {
        format!("EXPIRED {}", info.not_after)
    } else if info.not_yet_valid {
        format!("NOT YET VALID until {}", info.not_before)
    } else {
        format!("valid until {} ({} days)", info.not_after, info.days_left)
    };
    format!(
        "{}  issued by {}  {} {}  {}",
        info.subject, info.issuer, info.key_type, info.key_bits, validity
    )
}
