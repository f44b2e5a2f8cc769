//! Certificate chains, one per key type the server presents. TLS ≤ 1.2 chains come from the
//! Certificate messages of the suite probes; TLS 1.3 encrypts them, so for TLS 1.3 tlskit runs real
//! rustls handshakes, each offering a single signature scheme — which also tells which schemes
//! the server signs with.

use crate::scan::report::{CertificateChain, SigAlgResult};
use crate::scan::Ctx;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use std::sync::{Arc, Mutex};
use tlskit_wire::registry;

/// A chain as sent, and how it was obtained.
#[derive(Debug, Clone)]
pub struct Found {
    pub chain: Vec<Vec<u8>>,
    pub how: String,
    pub ocsp: Option<Vec<u8>>,
}

/// DER certificates as sent, and the stapled OCSP response (empty when none).
type ChainAndStaple = (Vec<Vec<u8>>, Vec<u8>);

/// Records the chain and the CertificateVerify scheme; accepts anything (display-only: a scan
/// sends no data over these connections).
#[derive(Debug)]
struct Capture {
    schemes: Vec<SignatureScheme>,
    chain: Mutex<Option<ChainAndStaple>>,
    used: Mutex<Option<SignatureScheme>>,
}

impl ServerCertVerifier for Capture {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let mut chain = vec![end_entity.as_ref().to_vec()];
        chain.extend(intermediates.iter().map(|c| c.as_ref().to_vec()));
        if let Ok(mut g) = self.chain.lock() {
            *g = Some((chain, ocsp_response.to_vec()));
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        if let Ok(mut g) = self.used.lock() {
            *g = Some(dss.scheme);
        }
        Ok(HandshakeSignatureValid::assertion())
    }

    fn verify_tls13_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        if let Ok(mut g) = self.used.lock() {
            *g = Some(dss.scheme);
        }
        Ok(HandshakeSignatureValid::assertion())
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.schemes.clone()
    }
}

/// TLS 1.3 signature schemes worth asking about.
const TLS13_SCHEMES: [u16; 11] = [
    0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0804, 0x0805, 0x0806, 0x0809, 0x080a, 0x080b,
];

/// One rustls TLS 1.3 handshake offering only `schemes`. Returns the chain and OCSP staple when the
/// server could sign with one of them.
async fn tls13_handshake(ctx: &Ctx, schemes: &[u16], sni: Option<&str>) -> Option<Found> {
    let capture = Arc::new(Capture {
        schemes: schemes.iter().map(|s| SignatureScheme::from(*s)).collect(),
        chain: Mutex::new(None),
        used: Mutex::new(None),
    });
    let config = rustls::ClientConfig::builder_with_provider(crate::provider())
        .with_protocol_versions(&[&rustls::version::TLS13])
        .ok()?
        .dangerous()
        .with_custom_certificate_verifier(capture.clone())
        .with_no_client_auth();
    let mut config = config;
    config.enable_sni = sni.is_some();
    let name = match sni {
        Some(n) => ServerName::try_from(n.to_string()).ok()?,
        None => ServerName::IpAddress(ctx.prober.addr().ip().into()),
    };
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let _slot = ctx.prober.slot().await;
    let conn = tokio::time::timeout(ctx.prober.timeout(), ctx.prober.open())
        .await
        .ok()?
        .ok()?;
    let tls = tokio::time::timeout(ctx.prober.timeout(), connector.connect(name, conn.stream))
        .await
        .ok()?;
    let used = capture.used.lock().ok().and_then(|g| *g);
    let (chain, ocsp) = capture.chain.lock().ok().and_then(|g| g.clone())?;
    if let Ok(mut s) = tls {
        use tokio::io::AsyncWriteExt;
        let _ = s.shutdown().await;
    }
    // Only count it when the server actually signed with an offered scheme.
    let used = used.map(u16::from)?;
    if !schemes.contains(&used) {
        return None;
    }
    Some(Found {
        chain,
        how: format!("TLSv1.3 {}", registry::signature_scheme_name(used)),
        ocsp: if ocsp.is_empty() { None } else { Some(ocsp) },
    })
}

/// The TLS 1.3 schemes a certificate key can sign with ("RSA 2048", "ECDSA P-256", "Ed25519").
fn schemes_for_key(key_type: &str) -> &'static [u16] {
    if key_type.starts_with("RSA") {
        &[0x0804, 0x0805, 0x0806]
    } else if key_type.contains("P-256") {
        &[0x0403]
    } else if key_type.contains("P-384") {
        &[0x0503]
    } else if key_type.contains("P-521") {
        &[0x0603]
    } else if key_type.starts_with("Ed25519") {
        &[0x0807]
    } else if key_type.starts_with("Ed448") {
        &[0x0808]
    } else {
        &TLS13_SCHEMES
    }
}

/// TLS 1.3: which schemes the server signs with, and the chains it sends for each. When the key
/// types are already known (from TLS ≤ 1.2 certificates), only their schemes are asked about.
pub async fn tls13(ctx: &Ctx, known_key_types: &[String]) -> (Vec<SigAlgResult>, Vec<Found>) {
    let sni = ctx.sni.clone();
    let mut schemes: Vec<u16> = Vec::new();
    if known_key_types.is_empty() {
        schemes.extend(TLS13_SCHEMES);
    } else {
        for k in known_key_types {
            for s in schemes_for_key(k) {
                if !schemes.contains(s) {
                    schemes.push(*s);
                }
            }
        }
    }
    let jobs = schemes
        .iter()
        .map(|s| tls13_handshake(ctx, std::slice::from_ref(s), sni.as_deref()));
    let results = futures_util::future::join_all(jobs).await;
    let mut algs = Vec::new();
    let mut found = Vec::new();
    for (scheme, r) in schemes.iter().zip(results) {
        if let Some(f) = r {
            algs.push(SigAlgResult {
                id: *scheme,
                name: registry::signature_scheme_name(*scheme),
                versions: vec![tlskit_wire::version::Version::Tls13],
            });
            found.push(f);
        }
    }
    (algs, found)
}

/// Group chains by leaf certificate and describe them.
pub fn summarise(found: &[Found]) -> Vec<CertificateChain> {
    let mut out: Vec<(Vec<u8>, CertificateChain)> = Vec::new();
    for f in found {
        let Some(leaf) = f.chain.first() else {
            continue;
        };
        if let Some((_, c)) = out.iter_mut().find(|(l, _)| l == leaf) {
            if !c.found_with.contains(&f.how) && (c.found_with.len() < 4 || f.how == "without SNI")
            {
                c.found_with.push(f.how.clone());
            }
            continue;
        }
        let infos: Vec<_> = f
            .chain
            .iter()
            .filter_map(|d| crate::pki::inspect::CertInfo::from_der(d).ok())
            .collect();
        let key_type = infos
            .first()
            .map(crate::scan::report::KeyType::of)
            .unwrap_or(crate::scan::report::KeyType::Unparsable);
        out.push((
            leaf.clone(),
            CertificateChain {
                key_type,
                found_with: vec![f.how.clone()],
                certificates: infos,
                analysis: None,
            },
        ));
    }
    out.into_iter().map(|(_, c)| c).collect()
}

/// The chain served when the client sends no SNI (only asked when the scan sends one).
pub async fn without_sni(
    ctx: &Ctx,
    newest_legacy: Option<tlskit_wire::version::Version>,
    tls13: bool,
) -> Option<Found> {
    ctx.sni.as_ref()?;
    if let Some(v) = newest_legacy.filter(|v| *v >= tlskit_wire::version::Version::Tls10) {
        let spec = crate::scan::engine::hello::HelloSpec::new(
            v,
            crate::scan::engine::hello::candidate_suites(v),
            None,
        );
        if let Ok(crate::scan::engine::probe::Response::Hello(f)) =
            ctx.prober.probe(&spec.build()).await
        {
            if !f.certificates.is_empty() {
                return Some(Found {
                    chain: f.certificates.clone(),
                    how: "without SNI".into(),
                    ocsp: f.ocsp_response.clone(),
                });
            }
        }
    }
    if tls13 {
        let mut f = tls13_handshake(ctx, &TLS13_SCHEMES, None).await?;
        f.how = "without SNI".into();
        return Some(f);
    }
    None
}

/// Analyse every chain (trust, order, validity, names, OCSP) and collect the findings.
pub fn analyse(
    chains: &mut [CertificateChain],
    found: &[Found],
    stores: &crate::pki::chain::TrustStores,
    hostname: &str,
) -> Vec<crate::scan::report::Finding> {
    let mut findings = Vec::new();
    let now = UnixTime::now();
    for c in chains.iter_mut() {
        let Some(fp) = c.certificates.first().map(|i| i.sha256_fingerprint.clone()) else {
            continue;
        };
        // The raw chain for this summary: the first Found whose leaf has this fingerprint.
        let Some(f) = found.iter().find(|f| {
            f.chain
                .first()
                .and_then(|l| crate::pki::inspect::CertInfo::from_der(l).ok())
                .is_some_and(|i| i.sha256_fingerprint == fp)
        }) else {
            continue;
        };
        let ders: Vec<CertificateDer<'static>> = f
            .chain
            .iter()
            .map(|d| CertificateDer::from(d.clone()))
            .collect();
        let input = crate::pki::chain::ChainInput {
            chain: &ders,
            hostname: Some(hostname),
            ocsp_response: f.ocsp.as_deref(),
            now,
        };
        let a = crate::pki::chain::analyse(&input, stores);
        let served_without_sni_only = c.found_with.iter().all(|h| h == "without SNI");
        for fi in &a.findings {
            // The default certificate for SNI-less clients need not match the name.
            if served_without_sni_only && fi.id.contains("hostname") {
                continue;
            }
            let msg = format!(
                "{} ({}): {}",
                c.key_type,
                c.certificates
                    .first()
                    .map(|i| i.subject.as_str())
                    .unwrap_or("?"),
                fi.message
            );
            if !findings
                .iter()
                .any(|x: &crate::scan::report::Finding| x.message == msg)
            {
                findings.push(crate::scan::report::Finding::new(
                    fi.severity,
                    fi.id.clone(),
                    msg,
                ));
            }
        }
        c.analysis = Some(a);
    }
    findings
}
