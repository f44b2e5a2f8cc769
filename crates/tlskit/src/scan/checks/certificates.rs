//! Certificate chains, one per key type the server presents. TLS ≤ 1.2 chains come from the
//! Certificate messages of the suite probes; TLS 1.3 encrypts them, so for TLS 1.3 tlskit runs real
//! rustls handshakes, each offering a single signature scheme — which also tells which schemes
//! the server signs with.

use crate::scan::engine::probe::Response;
use crate::scan::report::{CertificateChain, Finding, Severity, SigAlgResult, WithoutSni};
use crate::scan::Ctx;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use std::sync::{Arc, Mutex};
use tlskit_wire::registry;

/// A chain as sent, and how it was obtained.
#[derive(Debug, Clone)]
#[non_exhaustive]
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

/// Why a handshake brought no chain: the server refused it (an alert, a close: an answer), or
/// the probe failed (reset, timeout, garbage: nothing was learned).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum NoChain {
    Refused(String),
    Failed(String),
}

impl NoChain {
    /// From a probe's answer that was not a ServerHello.
    fn of(r: &Response) -> NoChain {
        match r.is_refusal() {
            true => NoChain::Refused(r.describe()),
            false => NoChain::Failed(r.describe()),
        }
    }

    /// From a failed rustls handshake.
    fn of_io(e: &std::io::Error) -> NoChain {
        use std::io::ErrorKind;
        let tls = e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>());
        match (tls, e.kind()) {
            (Some(rustls::Error::AlertReceived(a)), _) => {
                NoChain::Refused(format!("{} alert", alert_name(*a)))
            }
            (_, ErrorKind::UnexpectedEof) => {
                NoChain::Refused("connection closed without an answer".into())
            }
            (_, ErrorKind::ConnectionReset) => NoChain::Failed("connection reset".into()),
            _ => NoChain::Failed(crate::escape::short(&e.to_string(), 160)),
        }
    }
}

/// An alert's name as the probes print it ("handshake_failure").
fn alert_name(a: rustls::AlertDescription) -> String {
    tlskit_wire::alert::AlertDescription::from(u8::from(a))
        .name()
        .to_string()
}

/// One rustls TLS 1.3 handshake offering only `schemes`. Returns the chain and OCSP staple when the
/// server could sign with one of them.
async fn tls13_handshake(ctx: &Ctx, schemes: &[u16], sni: Option<&str>) -> Result<Found, NoChain> {
    let failed = |why: &str| NoChain::Failed(why.to_string());
    let capture = Arc::new(Capture {
        schemes: schemes.iter().map(|s| SignatureScheme::from(*s)).collect(),
        chain: Mutex::new(None),
        used: Mutex::new(None),
    });
    let config =
        rustls::ClientConfig::builder_with_provider(crate::scan::engine::ffdhe::provider())
            .with_protocol_versions(&[&rustls::version::TLS13])
            .map_err(|e| NoChain::Failed(e.to_string()))?
            .dangerous()
            .with_custom_certificate_verifier(capture.clone())
            .with_no_client_auth();
    let mut config = config;
    config.enable_sni = sni.is_some();
    let name = match sni {
        Some(n) => ServerName::try_from(n.to_string()).map_err(|_| failed("invalid SNI name"))?,
        None => ServerName::IpAddress(ctx.prober.addr().ip().into()),
    };
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let _slot = ctx.prober.slot().await;
    let conn = tokio::time::timeout(ctx.prober.timeout(), ctx.prober.open())
        .await
        .map_err(|_| failed("no connection within the timeout"))?
        .map_err(|e| NoChain::Failed(crate::escape::short(&e.to_string(), 160)))?;
    let tls = tokio::time::timeout(ctx.prober.timeout(), connector.connect(name, conn.stream))
        .await
        .map_err(|_| failed("no answer within the timeout"))?;
    let used = capture.used.lock().ok().and_then(|g| *g);
    let captured = capture.chain.lock().ok().and_then(|g| g.clone());
    let (chain, ocsp) = match (captured, &tls) {
        (Some(c), _) => c,
        (None, Err(e)) => return Err(NoChain::of_io(e)),
        (None, Ok(_)) => return Err(failed("the handshake carried no certificate")),
    };
    if let Ok(mut s) = tls {
        use tokio::io::AsyncWriteExt;
        let _ = s.shutdown().await;
    }
    // Only count it when the server actually signed with an offered scheme.
    let used = used
        .map(u16::from)
        .ok_or_else(|| failed("the server did not sign the handshake"))?;
    if !schemes.contains(&used) {
        return Err(failed("the server signed with a scheme not offered"));
    }
    Ok(Found {
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
    let jobs = schemes.iter().map(|s| async {
        tls13_handshake(ctx, std::slice::from_ref(s), sni.as_deref())
            .await
            .ok()
    });
    let results = futures_util::future::join_all(jobs).await;
    let mut algs = Vec::new();
    let mut found = Vec::new();
    for (scheme, r) in schemes.iter().zip(results) {
        if let Some(f) = r {
            algs.push(SigAlgResult {
                id: *scheme,
                name: registry::signature_scheme_name(*scheme),
                versions: vec![tlskit_wire::version::Version::Tls13],
                cert_type: None,
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
            if !c.found_with.contains(&f.how) && c.found_with.len() < 4 {
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

/// The chain served when the client sends no SNI (only asked when the scan sends one: `None`
/// otherwise). TLS ≤ 1.2 first (its Certificate message is in clear), else TLS 1.3.
pub async fn without_sni(
    ctx: &Ctx,
    newest_legacy: Option<tlskit_wire::version::Version>,
    tls13: bool,
) -> Option<Result<Found, NoChain>> {
    ctx.sni.as_ref()?;
    let mut legacy = None;
    if let Some(v) = newest_legacy.filter(|v| *v >= tlskit_wire::version::Version::Tls10) {
        let spec = crate::scan::engine::hello::HelloSpec::new(
            v,
            crate::scan::engine::hello::candidate_suites(v),
            None,
        );
        let got = match crate::scan::checks::common::hello(ctx, &spec.build()).await {
            Ok(f) if !f.certificates.is_empty() => {
                let suite = registry::cipher_suite(f.server_hello.cipher_suite)
                    .map(|s| s.openssl.unwrap_or(s.iana).to_string())
                    .unwrap_or_else(|| format!("0x{:04x}", f.server_hello.cipher_suite));
                return Some(Ok(Found {
                    chain: f.certificates.clone(),
                    how: format!("{v} {suite}"),
                    ocsp: f.ocsp_response.clone(),
                }));
            }
            Ok(_) => NoChain::Failed(format!(
                "{v}: the server chose a suite without a certificate"
            )),
            Err(r) => NoChain::of(&r),
        };
        legacy = Some(got);
    }
    if tls13 {
        let got = tls13_handshake(ctx, &TLS13_SCHEMES, None).await;
        return Some(match (got, legacy) {
            (Ok(f), _) => Ok(f),
            // A refusal is what the server does; a failure only says the probe failed.
            (Err(NoChain::Failed(_)), Some(l @ NoChain::Refused(_))) => Err(l),
            (Err(e), _) => Err(e),
        });
    }
    legacy.map(Err)
}

/// The report's `certificate_without_sni` from what a client without SNI got, with the finding
/// it deserves (a different certificate, a refusal) and the error when it could not be found.
pub fn without_sni_section(
    got: Result<Found, NoChain>,
    with_sni: &[CertificateChain],
    stores: &crate::pki::chain::TrustStores,
    hostname: &str,
) -> (WithoutSni, Option<Finding>, Option<String>) {
    let found = match got {
        Ok(f) => f,
        Err(NoChain::Refused(answer)) => {
            let finding = Finding::new(
                Severity::Info,
                "cert.without_sni_refused",
                format!("a client without SNI gets no certificate: the server answers with {answer} (clients and tools that connect by address cannot connect)"),
            );
            return (WithoutSni::Refused { answer }, Some(finding), None);
        }
        Err(NoChain::Failed(error)) => {
            let e = format!("certificate without SNI: not determined ({error})");
            return (WithoutSni::NotDetermined { error }, None, Some(e));
        }
    };
    let mut chains = summarise(std::slice::from_ref(&found));
    // Its own findings are summed up in one below: this chain is not graded.
    let _ = analyse(&mut chains, std::slice::from_ref(&found), stores, hostname);
    let Some(chain) = chains.pop() else {
        let error = "the certificate sent without SNI could not be parsed".to_string();
        return (
            WithoutSni::NotDetermined {
                error: error.clone(),
            },
            None,
            Some(format!("certificate without SNI: {error}")),
        );
    };
    let leaf_fp =
        |c: &CertificateChain| c.certificates.first().map(|i| i.sha256_fingerprint.clone());
    if with_sni.iter().any(|c| leaf_fp(c) == leaf_fp(&chain)) {
        return (
            WithoutSni::Same {
                chain: Box::new(chain),
            },
            None,
            None,
        );
    }
    let finding = different_finding(&chain, hostname);
    (
        WithoutSni::Different {
            chain: Box::new(chain),
        },
        Some(finding),
        None,
    )
}

/// "a client without SNI gets a different certificate: <subject>, <why it refuses it>".
fn different_finding(chain: &CertificateChain, hostname: &str) -> Finding {
    let subject = chain
        .certificates
        .first()
        .map(|i| crate::escape::short(&i.subject, 200))
        .unwrap_or_else(|| "?".into());
    let mut why = Vec::new();
    if let Some(a) = &chain.analysis {
        if a.hostname_match == Some(false) {
            why.push(format!(
                "it does not cover {}",
                crate::escape::short(hostname, 200)
            ));
        }
        if !a.trusted {
            let detail = a
                .trust
                .iter()
                .find_map(|t| t.error.as_ref())
                .map(|e| format!(" ({})", crate::escape::short(e, 160)))
                .unwrap_or_default();
            why.push(format!("no trust store trusts it{detail}"));
        }
        if a.leaf_expired {
            why.push("it has expired".into());
        }
        if a.leaf_not_yet_valid {
            why.push("it is not valid yet".into());
        }
        if !a.weak_signatures.is_empty() {
            why.push("it has a weak signature".into());
        }
    }
    let head = format!(
        "a client without SNI gets a different certificate: {subject} ({})",
        chain.key_type
    );
    match (chain.analysis.is_some(), why.is_empty()) {
        (true, true) => Finding::new(
            Severity::Info,
            "cert.without_sni_different",
            format!(
                "{head}, trusted and valid for {}",
                crate::escape::short(hostname, 200)
            ),
        ),
        (true, false) => Finding::new(
            Severity::Low,
            "cert.without_sni_different",
            format!("{head}, which such a client refuses: {}", why.join("; ")),
        ),
        (false, _) => Finding::new(
            Severity::Info,
            "cert.without_sni_different",
            format!("{head} (not analysed)"),
        ),
    }
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
        for fi in &a.findings {
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
