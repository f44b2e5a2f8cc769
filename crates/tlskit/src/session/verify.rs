//! Certificate verification that remembers what it found, and rustls errors turned into sentences.

use crate::error::Error;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    AlertDescription, CertificateError, DigitallySignedStruct, PeerIncompatible, SignatureScheme,
};
use std::sync::{Arc, Mutex};

/// What verification of the server's chain concluded.
#[derive(Debug, Clone)]
pub struct VerifyOutcome {
    pub chain: Vec<CertificateDer<'static>>,
    /// `None` when the chain verified (trust, validity and name), else the failure.
    pub error: Option<rustls::Error>,
}

/// A server-certificate verifier that delegates to webpki, records the chain and the verdict, and —
/// only when `insecure` is set — lets the handshake continue after a failed verification.
/// Handshake signatures are always checked.
#[derive(Debug)]
pub struct RecordingVerifier {
    inner: Option<Arc<WebPkiServerVerifier>>,
    insecure: bool,
    /// Accept a chain that verifies but names another host (Python's check_hostname=False).
    skip_name: bool,
    algorithms: WebPkiSupportedAlgorithms,
    outcome: Mutex<Option<VerifyOutcome>>,
}

impl RecordingVerifier {
    /// `inner` is `None` when there are no trust anchors at all (then every chain is "unknown issuer").
    pub fn new(inner: Option<Arc<WebPkiServerVerifier>>, insecure: bool) -> Self {
        RecordingVerifier {
            inner,
            insecure,
            skip_name: false,
            algorithms: crate::provider().signature_verification_algorithms,
            outcome: Mutex::new(None),
        }
    }

    /// The recorded outcome of the last verification, if one happened.
    pub fn outcome(&self) -> Option<VerifyOutcome> {
        self.outcome.lock().map(|o| o.clone()).unwrap_or(None)
    }

    pub fn insecure(&self) -> bool {
        self.insecure
    }

    /// Verify the chain but not the name: a chain that verifies is accepted whatever names it
    /// holds (the outcome still records the name mismatch).
    pub fn without_name_check(mut self) -> Self {
        self.skip_name = true;
        self
    }

    /// Whether the name is left unchecked.
    pub fn skips_name(&self) -> bool {
        self.skip_name
    }
}

/// Whether a verification error is about the name only: webpki checks the chain first, so the
/// chain itself verified.
pub fn is_name_error(e: &rustls::Error) -> bool {
    matches!(
        e,
        rustls::Error::InvalidCertificate(
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. }
        )
    )
}

impl ServerCertVerifier for RecordingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let result = match &self.inner {
            Some(v) => {
                v.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
            }
            None => Err(rustls::Error::InvalidCertificate(
                CertificateError::UnknownIssuer,
            )),
        };
        let mut chain = vec![end_entity.clone().into_owned()];
        chain.extend(intermediates.iter().map(|c| c.clone().into_owned()));
        if let Ok(mut o) = self.outcome.lock() {
            *o = Some(VerifyOutcome {
                chain,
                error: result.as_ref().err().cloned(),
            });
        }
        match result {
            Ok(v) => Ok(v),
            Err(_) if self.insecure => Ok(ServerCertVerified::assertion()),
            Err(e) if self.skip_name && is_name_error(&e) => Ok(ServerCertVerified::assertion()),
            Err(e) => Err(e),
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// Facts that make a TLS error message specific.
#[derive(Debug, Default, Clone)]
pub struct ErrorContext {
    /// What we connected to, e.g. `localhost:1060 (127.0.0.1:1060)`.
    pub peer: String,
    /// The name the certificate had to match.
    pub name: String,
    /// Where trust came from, e.g. `ca.crt` or `the system trust store`.
    pub trust: String,
    /// The server's leaf certificate, when it was received.
    pub leaf: Option<CertificateDer<'static>>,
    /// True on the server side (the peer is a client).
    pub server_side: bool,
}

fn issuer_of(der: &CertificateDer<'_>) -> Option<String> {
    let (_, c) = x509_parser::parse_x509_certificate(der.as_ref()).ok()?;
    Some(c.issuer().to_string())
}

fn fmt_time(t: UnixTime) -> String {
    let secs = t.as_secs() as i64;
    time::OffsetDateTime::from_unix_timestamp(secs)
        .map(|d| {
            format!(
                "{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC",
                d.year(),
                d.month() as u8,
                d.day(),
                d.hour(),
                d.minute(),
                d.second()
            )
        })
        .unwrap_or_else(|_| format!("{secs}"))
}

fn days_between(a: UnixTime, b: UnixTime) -> i64 {
    (a.as_secs() as i64 - b.as_secs() as i64) / 86_400
}

/// A one-line explanation of a certificate verification failure.
pub fn certificate_error(e: &CertificateError, ctx: &ErrorContext) -> String {
    let whose = if ctx.server_side {
        "the client's certificate"
    } else {
        "the server's certificate"
    };
    let fix_trust = if ctx.server_side {
        "pass the CA that issued it with -a/--client-ca".to_string()
    } else {
        format!("pass the CA that issued it with -a CAFILE (trusted now: {}), or --insecure to look without verifying", ctx.trust)
    };
    match e {
        CertificateError::UnknownIssuer => {
            let issuer = ctx.leaf.as_ref().and_then(issuer_of).map(|i| format!(" (issuer: {i})")).unwrap_or_default();
            format!("certificate verify failed: unable to get local issuer certificate — {whose}{issuer} is not signed by a CA you trust; {fix_trust}")
        }
        CertificateError::NotValidForName => format!(
            "certificate verify failed: {} mismatch — {whose} is not valid for '{}'",
            name_kind(&ctx.name),
            ctx.name
        ),
        CertificateError::NotValidForNameContext { expected, presented } => {
            let expected = match expected {
                ServerName::DnsName(d) => d.as_ref().to_string(),
                ServerName::IpAddress(ip) => std::net::IpAddr::from(*ip).to_string(),
                _ => ctx.name.clone(),
            };
            let names = if presented.is_empty() { "no names at all".to_string() } else { presented.join(", ") };
            format!(
                "certificate verify failed: {} mismatch — {whose} is not valid for '{expected}' (it names: {names}); connect with a name it lists (--servername NAME), or issue a certificate that includes '{expected}'",
                name_kind(&expected)
            )
        }
        CertificateError::Expired => format!("certificate verify failed: {whose} has expired"),
        CertificateError::ExpiredContext { time, not_after } => format!(
            "certificate verify failed: certificate has expired — {whose} was valid until {} ({} days ago)",
            fmt_time(*not_after),
            days_between(*time, *not_after)
        ),
        CertificateError::NotValidYet => format!("certificate verify failed: {whose} is not yet valid"),
        CertificateError::NotValidYetContext { time, not_before } => format!(
            "certificate verify failed: certificate is not yet valid — {whose} becomes valid on {} (in {} days; check both clocks)",
            fmt_time(*not_before),
            days_between(*not_before, *time)
        ),
        CertificateError::InvalidPurpose | CertificateError::InvalidPurposeContext { .. } => format!(
            "certificate verify failed: unsupported certificate purpose — {whose} is not issued for {} (extended key usage); issue it {}",
            if ctx.server_side { "TLS clients" } else { "TLS servers" },
            if ctx.server_side { "with `tlskit cert issue --client`" } else { "without --client" }
        ),
        CertificateError::BadSignature if small_rsa_key(ctx.leaf.as_ref()).is_some() => {
            let bits = small_rsa_key(ctx.leaf.as_ref()).unwrap_or(0);
            format!("certificate verify failed: key too small — {whose} has a {bits}-bit RSA key; rustls accepts RSA keys of 2048 bits or more (a {bits}-bit key can be factored with enough computing power)")
        }
        CertificateError::BadSignature => {
            let issuer = ctx.leaf.as_ref().and_then(issuer_of).unwrap_or_else(|| "its issuer".to_string());
            format!("certificate verify failed: bad signature — a trusted CA is named {issuer}, but {whose} was not signed with that CA's key (was the CA re-created? trust the CA that actually issued it)")
        }
        CertificateError::BadEncoding => format!("certificate verify failed: {whose} is not valid DER"),
        CertificateError::Revoked => format!("certificate verify failed: {whose} has been revoked"),
        CertificateError::UnsupportedSignatureAlgorithmContext { .. }
        | CertificateError::UnsupportedSignatureAlgorithmForPublicKeyContext { .. } => format!(
            "certificate verify failed: {whose} is signed with an algorithm rustls does not accept (e.g. SHA-1 or MD5)"
        ),
        CertificateError::UnhandledCriticalExtension => {
            format!("certificate verify failed: {whose} has a critical extension that is not understood")
        }
        other => format!("certificate verify failed: {whose}: {other}"),
    }
}

/// The leaf's RSA key size when it is under 2048 bits.
fn small_rsa_key(leaf: Option<&CertificateDer<'static>>) -> Option<u32> {
    let info = crate::pki::inspect::CertInfo::from_der(leaf?.as_ref()).ok()?;
    (info.key_type == "RSA" && info.key_bits < 2048).then_some(info.key_bits)
}

fn name_kind(name: &str) -> &'static str {
    if name.parse::<std::net::IpAddr>().is_ok() {
        "IP address"
    } else {
        "hostname"
    }
}

/// Turn any rustls error from a handshake into a tlskit error with a sentence a user can act on.
pub fn tls_error(e: &rustls::Error, ctx: &ErrorContext) -> Error {
    use rustls::Error as E;
    let scan_hint = if ctx.server_side {
        ""
    } else {
        "; run `tlskit scan HOST:PORT` to see what the server offers"
    };
    let msg = match e {
        E::InvalidCertificate(ce) => return Error::certificate(certificate_error(ce, ctx)),
        E::AlertReceived(a) => {
            let name = alert_name(*a);
            match a {
                AlertDescription::ProtocolVersion => format!(
                    "the peer refused the protocol version (protocol_version alert): it does not speak TLSv1.2 or TLSv1.3, the versions tlskit offers{scan_hint}"
                ),
                AlertDescription::HandshakeFailure | AlertDescription::InsufficientSecurity => format!(
                    "the peer ended the handshake ({name} alert): it shares no protocol version, cipher suite or group with tlskit (TLSv1.2/1.3, AEAD suites with forward secrecy){scan_hint}"
                ),
                AlertDescription::BadCertificate
                | AlertDescription::UnknownCA
                | AlertDescription::CertificateRequired
                | AlertDescription::CertificateUnknown
                | AlertDescription::UnsupportedCertificate
                | AlertDescription::CertificateExpired
                | AlertDescription::AccessDenied => {
                    if ctx.server_side {
                        format!("the client rejected our certificate ({name} alert): it does not trust the CA that issued it, or the name does not match")
                    } else {
                        format!("the server rejected the client certificate ({name} alert): it requires a certificate from a CA it trusts; pass one with -c/--client-cert PEM")
                    }
                }
                AlertDescription::UnrecognisedName => format!(
                    "the server does not know the name '{}' (unrecognized_name alert); try --servername with a name it serves",
                    ctx.name
                ),
                AlertDescription::NoApplicationProtocol => {
                    "the peer supports none of the ALPN protocols offered (no_application_protocol alert)".to_string()
                }
                _ => format!("the peer sent a fatal {name} alert"),
            }
        }
        E::PeerIncompatible(p) => match p {
            PeerIncompatible::ServerDoesNotSupportTls12Or13
            | PeerIncompatible::ServerTlsVersionIsDisabledByOurConfig
            | PeerIncompatible::Tls12NotOffered
            | PeerIncompatible::Tls12NotOfferedOrEnabled
            | PeerIncompatible::SupportedVersionsExtensionRequired => format!(
                "protocol version mismatch: the peer answered with a version tlskit will not speak (tlskit offers only TLSv1.2 and TLSv1.3){scan_hint}"
            ),
            PeerIncompatible::NoCipherSuitesInCommon => format!("no cipher suite in common with the peer{scan_hint}"),
            PeerIncompatible::NoKxGroupsInCommon => format!("no key-exchange group in common with the peer{scan_hint}"),
            PeerIncompatible::NoSignatureSchemesInCommon => {
                format!("no signature scheme in common with the peer{scan_hint}")
            }
            PeerIncompatible::ServerRejectedEncryptedClientHello(retry) => match retry {
                Some(configs) => format!(
                    "the server did not accept Encrypted Client Hello: it answered the outer ClientHello and sent {} retry configuration(s), so it has ECH but no key for the configuration given (rotated, or another server's); `tlskit scan --checks ech` shows its current ones",
                    configs.len()
                ),
                None => "the server did not accept Encrypted Client Hello and sent no retry configurations: it does not support ECH, or withholds them (RFC 9849 section 7.1)".to_string(),
            },
            other => format!("the peer is incompatible: {other:?}{scan_hint}"),
        },
        E::NoCertificatesPresented => {
            if ctx.server_side {
                "the client sent no certificate, but one is required (--require-client-cert)".to_string()
            } else {
                "the server sent no certificate".to_string()
            }
        }
        E::InvalidMessage(m) => format!(
            "the peer sent a malformed TLS message ({m:?}); is this port speaking TLS?"
        ),
        E::InappropriateMessage { .. } | E::InappropriateHandshakeMessage { .. } => {
            format!("the peer sent an unexpected TLS message: {e}")
        }
        E::PeerMisbehaved(m) => format!("the peer violated the TLS protocol: {m:?}"),
        E::DecryptError => "decryption failed (the peer's keys do not match ours; possibly tampering)".to_string(),
        other => format!("TLS error: {other}"),
    };
    Error::tls(msg)
}

/// TLS's own name for an alert, e.g. `handshake_failure`, `unknown_ca`: the wire crate's table
/// (IANA "TLS Alerts"), the one every part of tlskit prints.
pub fn alert_name(a: AlertDescription) -> String {
    match tlskit_wire::alert::AlertDescription::from(u8::from(a)) {
        tlskit_wire::alert::AlertDescription::Unknown(v) => format!("unknown alert {v}"),
        known => known.name().to_string(),
    }
}

/// Turn an I/O error during a TLS exchange into a sentence (unwrapping rustls errors inside it).
pub fn io_error(e: &std::io::Error, ctx: &ErrorContext, during: &str) -> Error {
    if let Some(inner) = e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()) {
        return tls_error(inner, ctx);
    }
    use std::io::ErrorKind as K;
    let msg = match e.kind() {
        K::UnexpectedEof => format!(
            "{} closed the connection during the {during} (is it speaking TLS on this port? does it accept TLSv1.2/1.3?)",
            if ctx.server_side { "the client" } else { "the server" }
        ),
        K::ConnectionReset => format!("the connection was reset during the {during}"),
        K::TimedOut => format!("timed out during the {during}"),
        K::InvalidData => format!("the peer sent data that is not TLS during the {during}: {e}"),
        _ => format!("I/O error during the {during}: {e}"),
    };
    Error::tls(msg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alert_names_come_from_the_wire_table() {
        // rustls' Debug names would give `unknown_c_a` and the British `unrecognised_name`.
        assert_eq!(alert_name(AlertDescription::UnknownCA), "unknown_ca");
        assert_eq!(
            alert_name(AlertDescription::UnrecognisedName),
            "unrecognized_name"
        );
        assert_eq!(
            alert_name(AlertDescription::CertificateRequired),
            "certificate_required"
        );
        assert_eq!(
            alert_name(AlertDescription::Unknown(250)),
            "unknown alert 250"
        );
    }
}
