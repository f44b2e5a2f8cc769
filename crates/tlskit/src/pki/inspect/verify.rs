//! Verifying a chain against trust anchors.

use super::*;

/// The outcome of [`verify_chain`].
#[derive(Debug, Clone, Serialize)]
pub struct ChainVerification {
    /// Whether the chain leads to a trust anchor (and, when a name was given, matches it).
    pub trusted: bool,
    /// What was trusted: `"system roots"` or the CA file/directory.
    pub anchors: String,
    /// The host name or address checked against the leaf's SAN, if any.
    pub name: Option<String>,
    /// Why verification failed, in words.
    pub error: Option<String>,
}

pub(super) fn describe_webpki_error(e: &webpki::Error) -> String {
    use webpki::Error as E;
    match e {
        E::UnknownIssuer => {
            "not issued by a trusted CA (unknown issuer; pass the CA with -a/--ca)".into()
        }
        E::CertExpired { .. } => "the certificate has expired".into(),
        E::CertNotValidYet { .. } => "the certificate is not valid yet".into(),
        E::CertNotValidForName(_) => "the certificate is not valid for this name (check its SANs)".into(),
        E::InvalidSignatureForPublicKey => "a signature in the chain does not verify".into(),
        E::CaUsedAsEndEntity => "the leaf is a CA certificate, not a server certificate".into(),
        E::EndEntityUsedAsCa => "a non-CA certificate was used to issue another".into(),
        E::RequiredEkuNotFoundContext(_) => {
            "the leaf's extended key usage does not allow this use (serverAuth missing?)".into()
        }
        E::UnsupportedSignatureAlgorithmContext(_)
        | E::UnsupportedSignatureAlgorithmForPublicKeyContext(_) => {
            "the chain uses a signature algorithm that is not accepted (e.g. SHA-1 or RSA < 2048 bits)".into()
        }
        E::CertRevoked => "the certificate is revoked".into(),
        E::BadDer | E::BadDerTime => "a certificate in the chain is malformed".into(),
        other => format!("{other:?}"),
    }
}

/// Trust anchors to check a chain against, with a label for messages.
#[derive(Debug, Clone)]
pub struct Anchors {
    /// `"system roots"`, or the CA file or directory they came from.
    pub label: String,
    pub anchors: Vec<rustls_pki_types::TrustAnchor<'static>>,
}

impl Anchors {
    /// Anchors from CA certificates; certificates that cannot be anchors are ignored.
    pub fn from_certs(certs: &[CertificateDer<'_>], label: impl Into<String>) -> Anchors {
        Anchors {
            label: label.into(),
            anchors: certs
                .iter()
                .filter_map(|c| {
                    webpki::anchor_from_trusted_cert(c)
                        .ok()
                        .map(|a| a.to_owned())
                })
                .collect(),
        }
    }

    /// Anchors from a CA file (PEM bundle or DER) or a directory of CA certificates.
    pub fn from_path(path: &std::path::Path) -> Result<Anchors> {
        let certs = crate::pki::load::load_trust(path)?;
        let anchors = Anchors::from_certs(&certs, path.display().to_string());
        if anchors.anchors.is_empty() {
            return Err(Error::input(format!(
                "{} holds no certificate usable as a trust anchor",
                path.display()
            )));
        }
        Ok(anchors)
    }

    /// The platform's trusted roots; the Mozilla set built into tlskit when none can be read.
    pub fn system() -> Anchors {
        let found = rustls_native_certs::load_native_certs();
        let anchors = Anchors::from_certs(&found.certs, "system roots");
        if !anchors.anchors.is_empty() {
            return anchors;
        }
        Anchors {
            label: "Mozilla roots built into tlskit (no system store found)".to_string(),
            anchors: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        }
    }
}

/// Check `chain` (leaf first) against `anchors` at the current time, for server authentication
/// (client authentication when the leaf is a client-only certificate). With `name`, the leaf must
/// also be valid for that DNS name or IP address.
pub fn verify_chain(
    chain: &[CertificateDer<'static>],
    anchors: &Anchors,
    name: Option<&str>,
) -> ChainVerification {
    let mut result = ChainVerification {
        trusted: false,
        anchors: anchors.label.clone(),
        name: name.map(str::to_owned),
        error: None,
    };
    let Some(leaf) = chain.first() else {
        result.error = Some("no certificate".into());
        return result;
    };
    if anchors.anchors.is_empty() {
        result.error = Some(format!("no usable trust anchors in {}", anchors.label));
        return result;
    }
    let ee = match webpki::EndEntityCert::try_from(leaf) {
        Ok(ee) => ee,
        Err(e) => {
            result.error = Some(describe_webpki_error(&e));
            return result;
        }
    };
    let client_only = CertInfo::from_der(leaf.as_ref())
        .map(|i| {
            i.eku.iter().any(|e| e == "clientAuth")
                && !i
                    .eku
                    .iter()
                    .any(|e| e == "serverAuth" || e == "anyExtendedKeyUsage")
        })
        .unwrap_or(false);
    let usage = if client_only {
        webpki::KeyUsage::client_auth()
    } else {
        webpki::KeyUsage::server_auth()
    };
    if let Err(e) = ee.verify_for_usage(
        webpki::ALL_VERIFICATION_ALGS,
        &anchors.anchors,
        &chain[1..],
        UnixTime::now(),
        usage,
        None,
        None,
    ) {
        result.error = Some(describe_webpki_error(&e));
        return result;
    }
    if let Some(n) = name {
        let bare = n
            .strip_prefix('[')
            .and_then(|s| s.strip_suffix(']'))
            .unwrap_or(n);
        let ok = match ServerName::try_from(bare.to_string()) {
            Ok(sn) => ee.verify_is_valid_for_subject_name(&sn).is_ok(),
            Err(_) => false,
        };
        if !ok {
            result.error = Some(format!(
                "the certificate is not valid for {bare} (its SANs do not include it)"
            ));
            return result;
        }
    }
    result.trusted = true;
    result
}
